"""Staff: binding a Telegram account, and `/invite <program> <label>` (see staff_invite.mmd)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html import escape

from dialogues.types import Event, Outcome, Reply

DIALOGUE = "staff_invite"  # stateless: its buttons carry what they need

LABEL_PATTERN = re.compile(r"^[\w.\-]{1,32}$")
INVITING_ROLES = ("therapist",)
# `/invite <program> <label> self-help`: this patient without messaging (self-help mode).
MODE_WORDS = {"self-help": "self-help", "självhjälp": "self-help"}


@dataclass(frozen=True)
class InvitePlan:
    program: str
    label: str
    mode: str = "guided"  # or "self-help"


def bound(t, name: str, roles: list[str], unit: str, help_text: str) -> Outcome:
    """Welcome, with the staff's /help (`help_text`) below."""
    role_names = ", ".join(t(f"role.{role}") for role in sorted(roles))
    text = t("staff.bound", name=escape(name), roles=role_names, unit=escape(unit))
    return Outcome(replies=(Reply(text + "\n\n" + help_text),), events=(Event("staff_bound"),))


def bind_failed(t) -> Outcome:
    return Outcome(replies=(Reply(t("staff.bind_failed")),))


def plan_invite(
    args: tuple[str, ...],
    roles: frozenset[str],
    programs: dict[str, str],
    label_taken,
    t,
) -> InvitePlan | Outcome:
    """Decide whether `/invite` can go ahead. `programs` maps id -> title; `label_taken(label)`
    says whether the label is in use in the unit."""
    if not roles.intersection(INVITING_ROLES):
        return Outcome(replies=(Reply(t("invite.not_allowed")),))
    listed = ", ".join(f"<code>{escape(pid)}</code>" for pid in sorted(programs))
    mode = "guided"
    if len(args) == 3 and args[2].lower() in MODE_WORDS:
        mode = MODE_WORDS[args[2].lower()]
        args = args[:2]
    if len(args) > 2:
        return Outcome(replies=(Reply(t("invite.label_one_word")),))
    if len(args) != 2:
        return Outcome(replies=(Reply(t("invite.usage", programs=listed)),))
    program, label = args
    if program not in programs:
        return Outcome(
            replies=(Reply(t("invite.unknown_program", program=escape(program), programs=listed)),)
        )
    if not LABEL_PATTERN.match(label):
        return Outcome(replies=(Reply(t("invite.bad_label")),))
    if label_taken(label):
        return Outcome(replies=(Reply(t("invite.label_taken", label=escape(label))),))
    return InvitePlan(program, label, mode)


def invite_created(
    t, plan: InvitePlan, program_title: str, link: str, expires: datetime
) -> Outcome:
    text = t(
        "invite.created",
        label=escape(plan.label),
        program=escape(program_title),
        link=link,
        expires=expires.strftime("%Y-%m-%d %H:%M"),
    )
    if plan.mode == "self-help":
        text += "\n\n" + t("invite.self_help")
    event = Event("invite_created", {"program": plan.program, "mode": plan.mode})
    return Outcome(replies=(Reply(text),), events=(event,))
