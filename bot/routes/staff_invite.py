"""Routes for staff joining and inviting: the one-time bind link (`/start staff-…`) that ties
a staff account to this Telegram user, and `/invite <program> <label>` (audited)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.care.self_help import SELF_HELP
from bot.i18n import language_for
from bot.render.menus import chat_menu_call
from bot.turn.context import Turn
from dialogues import general, staff_invite
from dialogues.types import Outcome, then_current_task
from storage import audit, invites, outbox, units
from storage import staff as staff_repo

DIALOGUE = staff_invite.DIALOGUE


def bind(turn: Turn, code: str) -> Outcome:
    if turn.patient is not None:
        return then_current_task(general.bad_input("not_for_you", turn.t))
    member = staff_repo.bind(turn.conn, code, turn.input.user_id, turn.now)
    if member is None:
        return staff_invite.bind_failed(turn.t)
    language = language_for(turn.input.language_code, turn.world.default_language)
    staff_repo.set_language(turn.conn, member.id, language)
    turn.use_language(language)
    turn.staff = member
    unit = units.get(turn.conn, member.unit_id)
    menu = chat_menu_call(turn.input.chat_id, turn.world.commands.menu["staff"], language)
    outbox.enqueue(turn.conn, menu, turn.now)
    staff_help = general.help_text("staff", turn.world.commands.help["staff"], turn.t)
    return staff_invite.bound(turn.t, member.name, sorted(member.roles), unit.name, staff_help)


def invite_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    unit_id = turn.staff.unit_id
    programs = {pid: program.title(turn.t.language) for pid, program in turn.world.programs.items()}
    plan = staff_invite.plan_invite(
        turn.incoming.args,
        turn.staff.roles,
        programs,
        lambda label: invites.label_in_use(turn.conn, unit_id, label, turn.now),
        turn.t,
    )
    if isinstance(plan, Outcome):
        return plan
    if turn.world.programs[plan.program].meta.self_help:
        plan = replace(plan, mode=SELF_HELP)  # every invite to it is self-help
    invite = invites.create(
        turn.conn,
        unit_id=unit_id,
        therapist_id=turn.staff.id,
        program=plan.program,
        label=plan.label,
        now=turn.now,
        valid_for=timedelta(days=turn.world.invite_valid_days),
        mode=plan.mode,
    )
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="invite_created",
        now=turn.now,
        label=plan.label,
        program=plan.program,
    )
    link = f"https://t.me/{turn.world.bot_username}?start={invite.code}"
    zone = ZoneInfo(units.get(turn.conn, unit_id).timezone)
    expires = invite.expires_at.astimezone(zone)
    return staff_invite.invite_created(turn.t, plan, programs[plan.program], link, expires)
