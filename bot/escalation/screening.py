"""Where risks are noticed: risk answers in questionnaires (events from the form dialogue)
and crisis terms in any free text a patient sends (exercise answers, diary notes, messages,
text typed at the wrong moment, edits). Each raises a flag in the turn's own transaction,
and the patient gets the safety message at once. Staff text is never screened."""

from __future__ import annotations

from functools import cache

from bot.escalation.flags import TriggerInfo, raise_flag
from bot.escalation.triggers import AMBER, CRISIS_TERMS, RED, RISK_ANSWER
from bot.i18n import Translator
from bot.turn.context import Turn
from dialogues.types import Event, Outcome, Reply
from programs.crisis_terms import CrisisRules, load_rules

SOURCES = {"module": "module", "diary": "diary", "form": "form", "notes": "note"}


@cache
def load_crisis_rules() -> CrisisRules:
    """The crisis rules, loaded once: bot/app.py calls this at start-up, so a broken rules
    file stops the start (CrisisRulesError, every problem as FILE:LINE) instead of failing
    the first patient who writes."""
    return load_rules()


def crisis_terms_in(text: str) -> bool:
    """Whether a text has crisis terms at all (whoever wrote it)."""
    return bool(text) and bool(load_crisis_rules().match(text))


def screen_text(turn: Turn, text: str, source: str | None = None) -> Outcome | None:
    """Crisis terms in a patient's text: a flag, and the safety message first. `source`
    names where text typed after a command came from (`/message <text>`); typed text
    belongs to the open dialogue."""
    if turn.patient is None or not text:
        return None
    hits = load_crisis_rules().match(text)
    if not hits:
        return None
    severity = RED if any(hit.severity == RED for hit in hits) else AMBER
    source = source or SOURCES.get(turn.state.dialogue, "message")
    unit_t = Translator(turn.world.default_language)
    trigger = TriggerInfo(
        trigger=CRISIS_TERMS,
        summary=unit_t("flag.trigger.crisis_terms", source=unit_t(f"flag.source.{source}")),
        details={"source": source, "rules": sorted({hit.rule_id for hit in hits})},
        free_text=text,
    )
    safety = raise_flag(
        turn.conn,
        turn.patient,
        trigger,
        turn.now,
        turn.world.default_language,
        severity=severity,
    )
    return Outcome(replies=(safety,))


def flag_risk_events(turn: Turn, events: tuple[Event, ...]) -> tuple[Reply, ...]:
    """Risk answers the dialogues reported: a red flag each, and the safety message."""
    replies = []
    for event in events:
        if event.type != "risk_answer" or turn.patient is None:
            continue
        summary = _risk_summary(turn, event.details)
        trigger = TriggerInfo(RISK_ANSWER, summary=summary, details=dict(event.details))
        safety = raise_flag(turn.conn, turn.patient, trigger, turn.now, turn.world.default_language)
        replies.append(safety)
    return tuple(replies[:1])  # one safety message is enough, however many risk answers


def _risk_summary(turn: Turn, details: dict) -> str:
    t = Translator(turn.world.default_language)
    questionnaire = turn.world.questionnaires.get(details.get("questionnaire", ""))
    if questionnaire is None:
        return t("flag.trigger.risk_plain", **details)
    item = questionnaire.item(details["item"])
    number = questionnaire.item_ids().index(item.id) + 1
    label = next(
        (
            questionnaire.text(option.label, t.language)
            for option in questionnaire.answer_options(item)
            if option.value == details["value"]
        ),
        str(details["value"]),
    )
    return t(
        "flag.trigger.risk_answer",
        title=questionnaire.text(questionnaire.title, t.language),
        number=number,
        answer=label,
        value=details["value"],
    )
