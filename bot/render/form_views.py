"""A questionnaire as the form dialogue sees it, in one language (the one place that reads
the questionnaire model for the dialogue)."""

from __future__ import annotations

from dialogues.forms import FormView, ItemView
from programs.questionnaire_models import Questionnaire


def form_view(
    questionnaire: Questionnaire, request_id: int, answers: dict[str, int], language: str
) -> FormView:
    text = questionnaire.text
    items = tuple(
        ItemView(
            id=item.id,
            heading=text(item.heading, language) if item.heading else None,
            text=text(item.text, language),
            options=tuple(
                (option.value, text(option.label, language))
                for option in questionnaire.answer_options(item)
            ),
            risk_min=item.risk.min_value if item.risk else None,
            hidden_from_patient=item.hidden_from_patient,
        )
        for item in questionnaire.items
    )
    return FormView(
        request_id=request_id,
        questionnaire=questionnaire.id,
        title=text(questionnaire.title, language),
        intro=text(questionnaire.intro, language),
        items=items,
        answers=answers,
    )
