"""The patient's own notes (see notes.mmd). Pure.

`/notes` lists the latest notes with "Skriv en anteckning"; `/notes <text>` saves at once.
Notes are not messages: the therapist may read them (`/notes <label>`, audited) but does not
reply, and every view says so. In self-help mode notes are the only way to put thoughts
down for the therapist; otherwise the patient is reminded that /message gets an answer.

The dialogue's data: {"awaiting": "text"} while a note is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from babel.dates import format_datetime

from dialogues.types import Button, Event, Outcome, Reply, row

DIALOGUE = "notes"
MAX_NOTE_CHARS = 2000
PREVIEW_CHARS = 300


@dataclass(frozen=True)
class NoteLine:
    at: datetime  # local
    text: str


def _who_reads(self_help: bool, t) -> str:
    text = t("notes.who_reads")
    return text if self_help else text + " " + t("notes.use_message")


def _lines(notes: tuple[NoteLine, ...], language: str) -> str:
    return "\n\n".join(
        f"<b>{format_datetime(note.at, 'd MMM HH:mm', locale=language)}</b>\n{_preview(note.text)}"
        for note in notes
    )


def _preview(text: str) -> str:
    shown = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
    return escape(shown)


def show(notes: tuple[NoteLine, ...], self_help: bool, language: str, t) -> Outcome:
    body = _lines(notes, language) if notes else t("notes.none")
    text = t("notes.title") + "\n\n" + body + "\n\n" + _who_reads(self_help, t)
    keyboard = (row(Button(t("notes.button.write"), "write")),)
    return Outcome(replies=(Reply(text, keyboard),), dialogue=DIALOGUE, data={})


def ask(t) -> Outcome:
    keyboard = (row(Button(t("notes.button.cancel"), "cancel")),)
    return Outcome(
        replies=(Reply(t("notes.ask"), keyboard),), dialogue=DIALOGUE, data={"awaiting": "text"}
    )


def clean(text: str) -> str:
    return text.strip()[:MAX_NOTE_CHARS]


def on_text(text: str, self_help: bool, t) -> tuple[Outcome, str | None]:
    """The note, returned for the route to store."""
    note = clean(text)
    if not note:
        return Outcome(replies=(Reply(t("notes.empty")),)), None
    return saved(self_help, t).then(Outcome(dialogue=DIALOGUE, data={})), note


def saved(self_help: bool, t) -> Outcome:
    text = t("notes.saved") + "\n\n" + _who_reads(self_help, t)
    keyboard = (row(Button(t("notes.button.write_more"), "write")),)
    return Outcome(
        replies=(Reply(text, keyboard),),
        events=(Event("note_saved"),),
        dialogue=DIALOGUE,
    )


def on_button(action: str, t) -> Outcome:
    if action == "write":
        return ask(t)
    if action == "cancel":
        return Outcome(
            replies=(Reply(t("notes.cancelled"), edit_pressed=True),), dialogue=DIALOGUE, data={}
        )
    return Outcome(toast=t("button.stale"))


def staff_view(label: str, notes: tuple[NoteLine, ...], language: str, t) -> Outcome:
    """`/notes <label>`: read only; the patient was told nobody replies to notes."""
    title = t("notes.staff.title", label=escape(label))
    body = _lines(notes, language) if notes else t("notes.staff.none", label=escape(label))
    return Outcome(replies=(Reply(title + "\n\n" + body + "\n\n" + t("notes.staff.no_reply")),))
