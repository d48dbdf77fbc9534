"""Routes for consent: the invite link's offer (`/start <code>`) and its yes/no buttons, which
carry the invite code (nothing about the person is stored before they agree)."""

from __future__ import annotations

from bot.care import identity
from bot.care.self_help import SELF_HELP
from bot.reminders.defaults import give_program_schedules
from bot.turn.context import Turn
from dialogues import consent, general
from dialogues.consent import InviteCheck, InviteFacts
from dialogues.identity import verifying
from dialogues.types import Outcome, Reply, then_current_task
from storage import forget, invites, lifecycle, patients

DIALOGUE = consent.DIALOGUE


def offer(turn: Turn, code: str) -> Outcome:
    return consent.offer(_invite_facts(turn, code), code, turn.t)


def consent_button(turn: Turn, rest: str) -> Outcome | None:
    """`consent:yes:<code>` or `consent:no:<code>`; None when the data is not that."""
    answer, _, code = rest.partition(":")
    if answer not in ("yes", "no") or not code:
        return None
    if turn.patient is not None:
        return then_current_task(general.already_enrolled(turn.t))
    if turn.staff is not None:
        return general.bad_input("not_for_you", turn.t)
    facts = _invite_facts(turn, code)
    if facts.check is not InviteCheck.VALID:
        turn.forget_recipient = True  # a stranger still: this answer keeps nothing either
        return consent.not_valid_any_more(facts, turn.t)
    invite = invites.by_code(turn.conn, code)
    if answer == "no":
        invites.mark(turn.conn, invite.id, "declined", turn.now)
        _forget_the_person(turn)
        return consent.declined(turn.t)
    invites.mark(turn.conn, invite.id, "accepted", turn.now)
    turn.patient = patients.create(
        turn.conn,
        unit_id=invite.unit_id,
        therapist_id=invite.therapist_id,
        label=invite.label,
        telegram_user_id=turn.input.user_id,
        chat_id=turn.input.chat_id,
        language=turn.t.language,
        now=turn.now,
    )
    enrollment = patients.enroll(
        turn.conn, turn.patient.id, invite.program, turn.now, mode=invite.mode
    )
    lifecycle.record(turn.conn, turn.patient.id, "enrolled", turn.now, enrollment_id=enrollment.id)
    program = turn.world.programs[invite.program]
    give_program_schedules(
        turn.conn, turn.patient.id, program.meta, turn.now, self_help=facts.self_help
    )
    # Who this is: the care team is asked, with the display name shown that once.
    instruction = identity.begin(
        turn.conn, turn.world.identity_verifier, turn.patient, turn.now, turn.input.display_name
    )
    agreed = consent.agreed(facts, turn.t)
    if instruction is not None:
        agreed = agreed.then(Outcome(replies=(Reply(verifying(instruction, turn.t)),)))
    return then_current_task(agreed)


def _invite_facts(turn: Turn, code: str) -> InviteFacts:
    invite = invites.by_code(turn.conn, code)
    if invite is None:
        return InviteFacts(InviteCheck.UNKNOWN)
    check = consent.check_invite(invite.status, invite.expires_at, turn.now)
    program = turn.world.programs.get(invite.program)
    if program is None:
        return InviteFacts(InviteCheck.UNKNOWN)
    self_help = invite.mode == SELF_HELP or program.meta.self_help
    return InviteFacts(check, program.title(turn.t.language), self_help)


def _forget_the_person(turn: Turn) -> None:
    """Declined: nothing links the invite to the person. The offer (chat id, buttons with the
    code), its ledger row and any dialogue of the chat are erased now; the reply, once sent."""
    turn.forget_recipient = True
    if turn.input.chat_id == turn.input.user_id:  # a group's rows are the group's, not theirs
        forget.forget_private_chat(turn.conn, turn.input.chat_id)
