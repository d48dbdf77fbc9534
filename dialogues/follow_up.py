"""The follow-up of a planned activity: "Blev det av?" Ja / Delvis / Nej, then how it felt
(0–10), then an optional comment for the therapist (see follow_up.mmd). Pure.

The question and mood buttons are stateless (`act:<reminder id>:<answer>[:<mood>]`): they
come in a reminder, possibly days after other dialogues, and the route checks that the
reminder is the patient's and still open. Only the comment waits in a dialogue:
{"awaiting": "comment", "reminder": id}.
"""

from __future__ import annotations

from html import escape

from dialogues.types import Button, Event, Outcome, Reply, row

DIALOGUE = "follow_up"
OUTCOMES = ("ja", "delvis", "nej")
MOODS = tuple(range(11))
MAX_COMMENT_CHARS = 1000


def question(activity: str, reminder_id: int | str, t) -> Reply:
    buttons = tuple(
        Button(t(f"follow_up.outcome.{answer}"), f"act:{reminder_id}:{answer}", stateless=True)
        for answer in OUTCOMES
    )
    return Reply(t("follow_up.question", text=escape(activity)), (buttons,))


def ask_mood(activity: str, reminder_id: int, answer: str, t) -> Outcome:
    moods = [
        Button(str(mood), f"act:{reminder_id}:{answer}:{mood}", stateless=True) for mood in MOODS
    ]
    text = t("follow_up.ask_mood", text=escape(activity))
    return Outcome(replies=(Reply(text, (tuple(moods[:6]), tuple(moods[6:]))),))


def recorded(
    answer: str, mood: int | None, landed_in: str | None, reminder_id: int, comments: bool, t
) -> Outcome:
    """After the route stored the answer; `landed_in` names the diary page it went to."""
    lines = [t(f"follow_up.thanks.{answer}")]
    if landed_in:
        lines.append(t("follow_up.in_diary", where=landed_in))
    event = Event("activity_followed_up", {"outcome": answer, "reminder": reminder_id})
    if not comments:
        return Outcome(replies=(Reply("\n\n".join(lines)),), events=(event,))
    lines.append(t("follow_up.ask_comment"))
    keyboard = (row(Button(t("follow_up.button.no_comment"), "skip")),)
    return Outcome(
        replies=(Reply("\n\n".join(lines), keyboard),),
        events=(event,),
        dialogue=DIALOGUE,
        data={"awaiting": "comment", "reminder": reminder_id},
    )


def already(answer: str, mood: int | None, t) -> Outcome:
    text = t(f"follow_up.outcome.{answer}")
    if mood is not None:
        text += " · " + t("diary.mood_value", mood=mood)
    return Outcome(toast=t("follow_up.already", answer=text))


def on_text(data: dict, text: str, t) -> tuple[Outcome, str | None]:
    """The comment; returns it for the route to store."""
    comment = text.strip()[:MAX_COMMENT_CHARS]
    if data.get("awaiting") != "comment" or not comment:
        return Outcome(replies=(Reply(t("follow_up.comment_empty")),)), None
    outcome = Outcome(
        replies=(Reply(t("follow_up.comment_saved")),),
        events=(Event("activity_comment_saved", {"reminder": data.get("reminder")}),),
        dialogue=DIALOGUE,
        data={},
    )
    return outcome, comment


def on_button(data: dict, action: str, t) -> Outcome:
    if action == "skip":
        return Outcome(toast=t("follow_up.no_comment"), dialogue=DIALOGUE, data={})
    return Outcome(toast=t("button.stale"))
