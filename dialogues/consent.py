"""Consent: a patient opens their invite link and agrees or declines (see consent.mmd).

Nothing about the person is stored before they agree: the consent buttons carry the invite
code, so no dialogue state is needed in between, and declining leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from dialogues.crisis import crisis_text
from dialogues.types import Button, Event, Outcome, Reply, rows

DIALOGUE = "consent"  # stateless: its buttons carry what they need


class InviteCheck(Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class InviteFacts:
    check: InviteCheck
    program_title: str = ""
    self_help: bool = False  # no messaging with a therapist: said before consent is given


def check_invite(status: str | None, expires_at: datetime | None, now: datetime) -> InviteCheck:
    if status is None or expires_at is None:
        return InviteCheck.UNKNOWN
    if status != "open":
        return InviteCheck.USED
    if expires_at <= now:
        return InviteCheck.EXPIRED
    return InviteCheck.VALID


def consent_text(t, program_title: str, self_help: bool = False) -> str:
    return "\n\n".join(
        [
            t("consent.welcome", program=program_title),
            t("consent.what_is_stored"),
            t("consent.who_reads"),
            *([t("consent.self_help")] if self_help else []),
            t("consent.not_emergency"),
            crisis_text(t),
            t("consent.how_to_stop"),
            t("consent.question"),
        ]
    )


def offer(facts: InviteFacts, code: str, t) -> Outcome:
    """The answer to `/start <code>`: the consent with its buttons, or why the code is not valid."""
    if facts.check is not InviteCheck.VALID:
        return Outcome(replies=(Reply(t(f"consent.invite_{facts.check.value}")),))
    buttons = rows(
        Button(t("consent.button.agree"), f"consent:yes:{code}", stateless=True),
        Button(t("consent.button.decline"), f"consent:no:{code}", stateless=True),
    )
    text = consent_text(t, facts.program_title, facts.self_help)
    return Outcome(replies=(Reply(text, buttons),))


def agreed(facts: InviteFacts, t) -> Outcome:
    """Consent given: the consent message loses its buttons and a welcome follows."""
    confirmed = consent_text(t, facts.program_title, facts.self_help)
    confirmed += "\n\n" + t("consent.agreed_mark")
    welcome = t("consent.enrolled", program=facts.program_title)
    if facts.self_help:
        welcome += "\n\n" + t("consent.self_help_start")
    return Outcome(
        replies=(Reply(confirmed, edit_pressed=True), Reply(welcome)),
        toast=t("consent.toast_agreed"),
        events=(Event("consent_given"),),
    )


def declined(t) -> Outcome:
    """Consent refused: say that nothing is kept, and where help is."""
    text = t("consent.declined") + "\n\n" + crisis_text(t)
    return Outcome(replies=(Reply(text, edit_pressed=True),), toast=t("consent.toast_declined"))


def not_valid_any_more(facts: InviteFacts, t) -> Outcome:
    """A consent button pressed after the invite was used or has expired."""
    return Outcome(
        replies=(Reply(t(f"consent.invite_{facts.check.value}"), edit_pressed=True),),
        toast=t("consent.toast_not_valid"),
    )
