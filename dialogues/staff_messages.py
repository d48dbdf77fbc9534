"""Staff write to a patient (see staff_messages.mmd). Pure.

Four ways in, all stateless buttons the route re-checks when pressed (may this staff member
see the patient; is the patient in self-help mode, where nobody writes): **Svara** under a
patient's message, **Skriv till P1** under `/messages P1`, **Kommentera** under an exercise
answer in `/answers P1`, and **Ge återkoppling** in the note that P1 finished a module. Each
opens this dialogue, which waits for the text (Avbryt possible); the route stores it and
sends it to the patient (feedback waits for the patient's next module).

The dialogue's data: {"patient": id, "label": "P1", "kind": "message" | "comment" |
"feedback", "awaiting": "text"} and, by kind, "reply_to" (a message id), "item" and
"exercise" (the answer's item key and title), "module", "at_once", "choose" (the therapist
opens the next module) and "addon_name" (an add-on's name) for feedback.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from dialogues.module_opening import module_name
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
        if data.get("addon_name"):
            name = escape(data["addon_name"])
            prompt = t("staff_messages.ask_feedback_addon", label=label, name=name)
        else:
            prompt = t("staff_messages.ask_feedback", label=label, number=module)
        prompt += "\n" + t(f"staff_messages.feedback_{_when(data)}", label=label, number=module + 1)
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


def _when(data: dict) -> str:
    """When feedback reaches the patient: at once, with the next module, or when the
    therapist chooses (Öppna nästa modul, or Stanna en vecka till: at once)."""
    if data.get("at_once"):
        return "at_once"
    return "later_choose" if data.get("choose") else "later"


def on_text(data: dict, text: str, t) -> tuple[Outcome, str | None]:
    """The text, returned for the route to store and send; the dialogue ends."""
    value = text.strip()[:MAX_TEXT_CHARS]
    if not value:
        return Outcome(replies=(Reply(t("staff_messages.empty")),)), None
    return Outcome(dialogue=DIALOGUE, data={}), value


def sent(data: dict, t) -> Outcome:
    label = escape(data["label"])
    kind = data["kind"]
    keyboard = ()
    if kind == "feedback":
        when = _when(data)
        done = {"at_once": "sent", "later": "saved", "later_choose": "saved_choose"}[when]
        text = t(f"staff_messages.feedback_{done}", label=label, number=data["module"] + 1)
        if when == "later_choose":
            keyboard = (choose_next_buttons(data["patient"], data["module"], t),)
    elif kind == "comment":
        text = t("staff_messages.comment_sent", label=label)
    else:
        text = t("staff_messages.sent", label=label)
    # No event: the send is an audit row, and the patient's timeline shows those.
    return Outcome(replies=(Reply(text, keyboard),))


def cancelled(t) -> Outcome:
    return Outcome(
        replies=(Reply(t("staff_messages.cancelled"), edit_pressed=True),),
        dialogue=DIALOGUE,
        data={},
    )


def refused(reason: str, t) -> Outcome:
    """A button refused, as its toast. reason: 'not_yours' (no access, or not staff),
    'self_help', 'ended' (the treatment has ended), 'unknown'."""
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


@dataclass(frozen=True)
class Finished:
    """The module a patient has just finished, for the care team's feedback prompt."""

    module: int
    title: str
    addon: bool  # an add-on: named by its title; its feedback goes at once
    last: bool  # the last core module: its feedback goes at once
    choose_next: bool  # the therapist opens the next module: Öppna nästa / Stanna en vecka till


def feedback_prompt(label: str, patient_id: int, finished: Finished, t) -> Reply:
    """A patient finished a module for the first time: ask for feedback and, when the
    therapist decides, whether the patient gets the next module or stays another week."""
    name = escape(label)
    number = finished.module
    if finished.addon:
        title = escape(module_name(number, finished.title, True, t))
        body = t("staff_messages.finished_addon", label=name, name=title)
    elif finished.last:
        body = t("staff_messages.finished_last", label=name, number=number)
    elif finished.choose_next:
        body = t("staff_messages.finished_choose", label=name, number=number)
    else:
        body = t("staff_messages.finished", label=name, number=number)
    give = Button(
        t("staff_messages.button.feedback"), f"msg:feedback:{patient_id}:{number}", stateless=True
    )
    keyboard = [row(give)]
    if finished.choose_next and not (finished.addon or finished.last):
        keyboard.append(choose_next_buttons(patient_id, number, t))
    return Reply(body, tuple(keyboard))


def choose_next_buttons(patient_id: int, module: int, t) -> tuple[Button, ...]:
    """Öppna nästa modul / Stanna en vecka till, for a patient who finished `module`
    (stateless; bot/routes/module_opening.py checks them when pressed)."""
    return row(
        Button(t("pacing.button.next"), f"pace:next:{patient_id}:{module}", stateless=True),
        Button(t("pacing.button.stay"), f"pace:stay:{patient_id}:{module}", stateless=True),
    )


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
    addon_name: str | None = None,
) -> Outcome:
    """One message per answer, each with Kommentera (not in self-help mode). `addon_name`:
    the module is an add-on, named by its title."""
    name = escape(label)
    if module is None or not lines:
        text = t("staff_messages.answers.none", label=name, number=module or 1)
        return Outcome(replies=(Reply(text + _others(label, module, modules_with_answers, t)),))
    if addon_name is not None:
        heading = t("staff_messages.answers.title_addon", label=name, name=escape(addon_name))
    else:
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
