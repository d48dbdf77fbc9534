"""Staff write to a patient (see staff_messages.mmd). Pure.

Four ways in, all stateless buttons the route re-checks when pressed (may this staff member
see the patient; is the patient in self-help mode, where nobody writes): **Svara** under a
patient's message, **Skriv till P1** under `/messages P1`, **Kommentera** under an exercise
answer in `/answers P1`, and **Ge återkoppling** in the note that P1 finished a module. Each
opens this dialogue, which waits for the text (Avbryt possible); the route stores it and
sends it to the patient (feedback waits for the patient's next module).

The dialogue's data: {"patient": id, "label": "P1", "kind": "message" | "comment" |
"feedback", "awaiting": "text"} and, by kind, "reply_to" (a message id), "item" and
"exercise" (the answer's item key and title), "module" and "at_once" (feedback).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from dialogues.types import Button, Outcome, Reply, row

DIALOGUE = "staff_message"
MAX_TEXT_CHARS = 2000
ANSWER_PREVIEW_CHARS = 1500


def ask(data: dict, t) -> Outcome:
    """`data` as described above (without "awaiting")."""
    label = escape(data["label"])
    kind = data["kind"]
    if kind == "comment":
        prompt = t("staff_messages.ask_comment", label=label, exercise=escape(data["exercise"]))
    elif kind == "feedback":
        module = data["module"]
        when = "at_once" if data.get("at_once") else "later"
        prompt = t("staff_messages.ask_feedback", label=label, number=module)
        prompt += "\n" + t(f"staff_messages.feedback_{when}", label=label, number=module + 1)
    elif data.get("reply_to"):
        prompt = t("staff_messages.ask_reply", label=label)
    else:
        prompt = t("staff_messages.ask_message", label=label)
    keyboard = (row(Button(t("staff_messages.button.cancel"), "cancel")),)
    return Outcome(
        replies=(Reply(prompt, keyboard),),
        dialogue=DIALOGUE,
        data={**data, "awaiting": "text"},
    )


def on_text(data: dict, text: str, t) -> tuple[Outcome, str | None]:
    """The text, returned for the route to store and send; the dialogue ends."""
    value = text.strip()[:MAX_TEXT_CHARS]
    if not value:
        return Outcome(replies=(Reply(t("staff_messages.empty")),)), None
    return Outcome(dialogue=DIALOGUE, data={}), value


def sent(data: dict, t) -> Outcome:
    label = escape(data["label"])
    kind = data["kind"]
    if kind == "feedback":
        done = "sent" if data.get("at_once") else "saved"
        text = t(f"staff_messages.feedback_{done}", label=label, number=data["module"] + 1)
    elif kind == "comment":
        text = t("staff_messages.comment_sent", label=label)
    else:
        text = t("staff_messages.sent", label=label)
    # No event: the send is an audit row, and the patient's timeline shows those.
    return Outcome(replies=(Reply(text),))


def cancelled(t) -> Outcome:
    return Outcome(
        replies=(Reply(t("staff_messages.cancelled"), edit_pressed=True),),
        dialogue=DIALOGUE,
        data={},
    )


def refused(reason: str, t) -> Outcome:
    """A button refused, as its toast. reason: 'not_yours' (no access, or not staff),
    'self_help', 'unknown'."""
    return Outcome(toast=t(f"staff_messages.refused.{reason}"))


def refused_text(reason: str, t) -> Outcome:
    """The text refused when it arrives (a typed message has no toast); the dialogue ends."""
    reply = Reply(t(f"staff_messages.refused.{reason}") + " " + t("staff_messages.not_sent"))
    return Outcome(replies=(reply,), dialogue=DIALOGUE, data={})


# ---- what the care team receives --------------------------------------------------------


def notification(label: str, text: str, message_id: int, t) -> Reply:
    """A patient's message, with Svara."""
    body = t("staff_messages.notification", label=escape(label), text=escape(text))
    answer = Button(t("staff_messages.button.reply"), f"msg:reply:{message_id}", stateless=True)
    return Reply(body, (row(answer),))


def feedback_prompt(label: str, module: int, patient_id: int, t) -> Reply:
    """A patient finished a module for the first time: ask for feedback."""
    body = t("staff_messages.finished", label=escape(label), number=module)
    give = Button(
        t("staff_messages.button.feedback"), f"msg:feedback:{patient_id}:{module}", stateless=True
    )
    return Reply(body, (row(give),))


# ---- /answers <label> [module] -----------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    answer_id: int
    step_title: str
    prompt: str
    value: str  # the answer as the patient sees it (a choice's label, not its id)


def answers(
    label: str,
    module: int | None,
    lines: tuple[AnswerLine, ...],
    modules_with_answers: tuple[int, ...],
    can_comment: bool,
    t,
) -> Outcome:
    """One message per answer, each with Kommentera (not in self-help mode)."""
    name = escape(label)
    if module is None or not lines:
        text = t("staff_messages.answers.none", label=name, number=module or 1)
        return Outcome(replies=(Reply(text + _others(label, module, modules_with_answers, t)),))
    heading = t("staff_messages.answers.title", label=name, number=module)
    if not can_comment:
        heading += "\n" + t("staff_messages.answers.self_help")
    replies = [Reply(heading + _others(label, module, modules_with_answers, t))]
    for line in lines:
        value = line.value
        if len(value) > ANSWER_PREVIEW_CHARS:
            value = value[:ANSWER_PREVIEW_CHARS] + "…"
        title = f"<b>{escape(line.step_title)}</b>\n✍️ {escape(line.prompt)}"
        text = f"{title}\n\n<i>{escape(value)}</i>"
        comment = Button(
            t("staff_messages.button.comment"), f"msg:comment:{line.answer_id}", stateless=True
        )
        replies.append(Reply(text, (row(comment),) if can_comment else ()))
    return Outcome(replies=tuple(replies))


def _others(label: str, module: int | None, modules: tuple[int, ...], t) -> str:
    others = [number for number in modules if number != module]
    if not others:
        return ""
    commands = ", ".join(f"/answers {escape(label)} {number}" for number in others)
    return "\n\n" + t("staff_messages.answers.others", commands=commands)
