"""Filling in a questionnaire, one item per message (see forms.mmd). Pure.

Each item shows its progress ("3/9") and its answers as buttons in ascending order of score.
Tillbaka goes to the previous item; a summary with Skicka comes before the form is final.
Every button names the item it answers, so a late press for an item already passed, or a
second press, never records twice. A risk answer shows the crisis contacts at once.

The dialogue's data: {"request": id, "item": index} or {"request": id, "summary": true}.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from dialogues.numbers import MAX_ID, parse_int
from dialogues.types import Button, Event, Outcome, Reply, row

DIALOGUE = "form"
SUMMARY_TEXT_CHARS = 70


@dataclass(frozen=True)
class ItemView:
    id: str
    heading: str | None
    text: str
    options: tuple[tuple[int, str], ...]  # (value, label), ascending
    risk_min: int | None = None
    hidden_from_patient: bool = False

    def label(self, value: int) -> str:
        return next((label for option, label in self.options if option == value), str(value))


@dataclass(frozen=True)
class FormView:
    request_id: int
    questionnaire: str
    title: str
    intro: str
    items: tuple[ItemView, ...]
    answers: dict[str, int]

    def first_unanswered(self, start: int = 0) -> int | None:
        for index in list(range(start, len(self.items))) + list(range(0, start)):
            if self.items[index].id not in self.answers:
                return index
        return None


@dataclass(frozen=True)
class FormChange:
    answer: tuple[str, int] | None = None
    submit: bool = False


def resume(view: FormView, t) -> Outcome:
    """Where an interrupted form goes on: the first unanswered item, else the summary."""
    index = view.first_unanswered()
    return show_item(view, index, t) if index is not None else show_summary(view, t)


def show_item(view: FormView, index: int, t, notice: str = "") -> Outcome:
    item = view.items[index]
    lines = [notice] if notice else []
    lines.append(f"<b>{escape(view.title)}</b> · {index + 1}/{len(view.items)}")
    if view.intro:
        lines.append(f"<i>{escape(view.intro)}</i>")
    lines.append("")
    if item.heading:
        lines.append(f"<b>{escape(item.heading)}</b>")
    lines.append(escape(item.text))
    chosen = view.answers.get(item.id)
    keyboard = [
        (Button(("✓ " if value == chosen else "") + label, f"a:{item.id}:{value}"),)
        for value, label in item.options
    ]
    if index > 0:
        keyboard.append(row(Button(t("form.button.back"), "back")))
    return Outcome(
        replies=(Reply("\n".join(lines), tuple(keyboard)),),
        dialogue=DIALOGUE,
        data={"request": view.request_id, "item": index},
    )


def show_summary(view: FormView, t) -> Outcome:
    lines = [t("form.summary_title", title=escape(view.title))]
    for number, item in enumerate(view.items, start=1):
        if item.hidden_from_patient:
            answer = t("form.answered")
        else:
            answer = escape(item.label(view.answers[item.id]))
        lines.append(f"{number}. {escape(_short(item.heading or item.text))}: <b>{answer}</b>")
    lines.append("")
    lines.append(t("form.summary_hint"))
    keyboard = (row(Button(t("form.button.back"), "back"), Button(t("form.button.send"), "send")),)
    return Outcome(
        replies=(Reply("\n".join(lines), keyboard),),
        dialogue=DIALOGUE,
        data={"request": view.request_id, "summary": True},
    )


def _short(text: str) -> str:
    return text if len(text) <= SUMMARY_TEXT_CHARS else text[: SUMMARY_TEXT_CHARS - 1] + "…"


def on_button(view: FormView, data: dict, action: str, t) -> tuple[Outcome, FormChange]:
    name, _, rest = action.partition(":")
    at_summary = bool(data.get("summary"))
    index = data.get("item", 0)
    if name == "a":
        return _answer(view, index, at_summary, rest, t)
    if name == "back":
        target = len(view.items) - 1 if at_summary else max(index - 1, 0)
        return show_item(view, target, t), FormChange()
    if name == "send" and at_summary and view.first_unanswered() is None:
        return Outcome(), FormChange(submit=True)
    return _late(view, data, t), FormChange()


def _late(view: FormView, data: dict, t) -> Outcome:
    """A stale or repeated press: nothing recorded; the form where it stands."""
    current = resume(view, t) if data.get("summary") else show_item(view, data.get("item", 0), t)
    return Outcome(toast=t("form.late_press")).then(current)


def _answer(
    view: FormView, index: int, at_summary: bool, rest: str, t
) -> tuple[Outcome, FormChange]:
    item_id, _, raw_value = rest.partition(":")
    item = view.items[index] if not at_summary and index < len(view.items) else None
    values = {value for value, _ in item.options} if item else set()
    if item is None or item.id != item_id or parse_int(raw_value, 0, MAX_ID) not in values:
        return _late(view, {"item": index, "summary": at_summary}, t), FormChange()
    value = parse_int(raw_value, 0, MAX_ID)
    answers = {**view.answers, item.id: value}
    updated = FormView(
        view.request_id, view.questionnaire, view.title, view.intro, view.items, answers
    )
    following = updated.first_unanswered(index + 1)
    outcome = (
        show_item(updated, following, t) if following is not None else show_summary(updated, t)
    )
    if item.risk_min is not None and value >= item.risk_min:
        # The turn raises a flag for this event in the same transaction and shows the
        # patient's safety message (crisis contacts) before the next question.
        risk = Event(
            "risk_answer", {"questionnaire": view.questionnaire, "item": item.id, "value": value}
        )
        outcome = Outcome(events=(risk,)).then(outcome)
    return outcome, FormChange(answer=(item.id, value))


def submitted(title: str, t) -> Outcome:
    text = t("form.submitted", title=escape(title))
    return Outcome(replies=(Reply(text),), dialogue=DIALOGUE, data={})


def choose(forms: list[tuple[int, str]], t) -> Outcome:
    """Several forms due: a list to choose from."""
    keyboard = tuple((Button(title, f"open:{request_id}"),) for request_id, title in forms)
    return Outcome(replies=(Reply(t("form.choose"), keyboard),), dialogue=DIALOGUE, data={})


def nothing_due(t) -> Outcome:
    return Outcome(replies=(Reply(t("form.nothing_due")),))


def final_notice(titles: list[str], request_id: int, t) -> Outcome:
    """The last core module is finished: the final measurement is waiting (its first form
    opens from the button; the others follow one after another)."""
    text = t("form.final_notice", titles=", ".join(escape(title) for title in titles))
    button = Button(t("form.final_answer_now"), f"form:{request_id}", stateless=True)
    return Outcome(replies=(Reply(text, ((button,),)),))
