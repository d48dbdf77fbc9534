"""`/move <label>` (patient-admins and admins): give a patient another therapist for good
(see move_patient.mmd). Pure. For an absence, /cover sets a deputy instead.

The dialogue's data: {"patient": id, "label": label}.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from dialogues.types import Button, Outcome, Reply, row

DIALOGUE = "move_patient"


@dataclass(frozen=True)
class MoveView:
    label: str
    current: str  # the therapist's name now
    therapists: tuple[tuple[int, str], ...]  # the unit's other active therapists: (id, name)


def page(view: MoveView, base: dict, t, notice: str = "") -> Outcome:
    text = t("move.title", label=escape(view.label), therapist=escape(view.current))
    if not view.therapists:
        text += "\n\n" + t("move.no_one")
    keyboard = tuple(row(Button(name[:40], f"to:{sid}")) for sid, name in view.therapists)
    keyboard += (row(Button(t("move.button.cancel"), "cancel")),)
    text = (notice + "\n\n" if notice else "") + text
    return Outcome(replies=(Reply(text, keyboard),), dialogue=DIALOGUE, data=dict(base))


def on_button(view: MoveView, base: dict, action: str, t) -> tuple[Outcome, int | None]:
    """The outcome, and the therapist to move the patient to (None: nothing to store)."""
    name, _, arg = action.partition(":")
    if name == "cancel":
        return Outcome(replies=(Reply(t("move.cancelled")),), dialogue=DIALOGUE, data={}), None
    if name == "to" and any(str(sid) == arg for sid, _ in view.therapists):
        return Outcome(), int(arg)
    return page(view, base, t, t("move.use_buttons")), None


def moved(label: str, therapist: str, t) -> Outcome:
    text = t("move.done", label=escape(label), therapist=escape(therapist))
    return Outcome(replies=(Reply(text),), dialogue=DIALOGUE, data={})
