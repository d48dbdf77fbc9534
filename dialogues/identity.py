"""Identity at first contact: "Är detta din patient?" (see identity.mmd). Pure.

When a patient accepts consent, their care team is asked whether this is their patient, with
the person's Telegram display name shown in that one message (never stored) and the label.
The buttons are stateless (`identity:<action>:<patient>`) and checked again when pressed:
**Ja, det är min patient** confirms; **Nej** asks "Avbryt inskrivningen?" in a message of its
own (the question stays above), with **Ja, avbryt** and **Tillbaka**.
"""

from __future__ import annotations

from html import escape

from dialogues.types import Button, Keyboard, Outcome, Reply, row

DIALOGUE = "identity"  # stateless: its buttons carry the patient's id
YES, NO, CANCEL, BACK = "yes", "no", "cancel", "back"
ACTIONS = (YES, NO, CANCEL, BACK)


def _button(label: str, action: str, patient_id: int) -> Button:
    return Button(label, f"identity:{action}:{patient_id}", stateless=True)


def question_buttons(patient_id: int, t) -> Keyboard:
    return (
        row(
            _button(t("identity.button.yes"), YES, patient_id),
            _button(t("identity.button.no"), NO, patient_id),
        ),
    )


def question_text(label: str, display_name: str | None, t) -> str:
    """The question; with the Telegram display name only in the first one, when known."""
    if display_name:
        return t("identity.question", label=escape(label), name=escape(display_name))
    return t("identity.question_again", label=escape(label))


def ask_cancel(label: str, patient_id: int, t) -> Outcome:
    """Nej: are you sure? In a new message, so the question and its name stay above."""
    buttons = (
        row(
            _button(t("identity.button.cancel"), CANCEL, patient_id),
            _button(t("identity.button.back"), BACK, patient_id),
        ),
    )
    return Outcome(replies=(Reply(t("identity.cancel_question", label=escape(label)), buttons),))


def back(label: str, patient_id: int, t) -> Outcome:
    """Tillbaka: the question again, in place of "Avbryt inskrivningen?" (without the name)."""
    text = question_text(label, None, t)
    return Outcome(replies=(Reply(text, question_buttons(patient_id, t), edit_pressed=True),))


def confirmed(label: str, t) -> Outcome:
    """Ja: the question (and the name in it) is replaced by what was decided."""
    text = t("identity.confirmed", label=escape(label))
    return Outcome(replies=(Reply(text, edit_pressed=True),), toast=t("identity.toast_confirmed"))


def cancelled(label: str, t) -> Outcome:
    text = t("identity.cancelled", label=escape(label))
    return Outcome(replies=(Reply(text, edit_pressed=True),), toast=t("identity.toast_cancelled"))


def settled(t) -> Outcome:
    """A press on a question already answered (or a patient no longer there): the buttons go."""
    return Outcome(
        replies=(Reply(t("identity.settled"), edit_pressed=True),), toast=t("identity.settled")
    )


def not_confirmed(label: str, patient_id: int, t) -> Outcome:
    """A staff action that would reach an unconfirmed patient: why not, and how to confirm."""
    text = t("identity.not_confirmed", label=escape(label))
    return Outcome(replies=(Reply(text, question_buttons(patient_id, t)),))


def not_confirmed_notice(label: str, t) -> str:
    """The same refusal as a line on a page that has its own buttons (/patient)."""
    return t("identity.not_confirmed", label=escape(label))


def verifying(instruction: str, t) -> str:
    """With a verifier (the unit's setting): what the patient does to show who they are."""
    return t("identity.verify_instruction", instruction=escape(instruction))
