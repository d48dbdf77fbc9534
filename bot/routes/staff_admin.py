"""Routes for `/staff` (admins): list the unit's staff, deactivate or reactivate them, set a
role, add a new one with a one-time bind link. Changes go through bot/care/staff_accounts.py
(audited, the same as on the command line)."""

from __future__ import annotations

from html import escape

from bot.care import staff_accounts
from bot.turn.context import Turn
from dialogues import general
from dialogues import staff_admin as dialogue
from dialogues.staff_admin import MemberLine, StaffView
from dialogues.types import Outcome, Reply
from storage import patients, units
from storage import staff as staff_repo

DIALOGUE = dialogue.DIALOGUE


def staff_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    if not turn.staff.has_role("admin"):
        return Outcome(replies=(Reply(turn.t("staff_admin.admins_only")),))
    return dialogue.page(_view(turn), turn.t)


def _view(turn: Turn) -> StaffView:
    unit_id = turn.staff.unit_id
    members = tuple(
        MemberLine(
            id=member.id,
            name=member.name,
            roles=tuple(role for role in dialogue.ROLES if role in member.roles),
            active=member.active,
            bound=member.telegram_user_id is not None,
            patients=patients.count_of_therapist(turn.conn, member.id),
        )
        for member in staff_repo.of_unit(turn.conn, unit_id)
    )
    return StaffView(unit=units.get(turn.conn, unit_id).name, me=turn.staff.id, members=members)


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.staff is None or not turn.staff.has_role("admin"):
        return general.stale_button(turn.t)
    view = _view(turn)
    outcome, change = dialogue.on_button(view, turn.state.data, action, turn.t)
    if change is None:
        return outcome
    if change.kind == "create":
        return _create(turn, *change.value)
    member_id, role = change.value if change.kind == "role" else (change.value, None)
    member = staff_repo.get(turn.conn, member_id)
    name = escape(member.name)
    if change.kind == "deactivate":
        left = staff_accounts.deactivate(turn.conn, member, by=turn.staff, now=turn.now)
        notice = turn.t("staff_admin.deactivated", name=name)
        if left:
            notice += "\n" + turn.t("staff_admin.move_patients", n=left)
    elif change.kind == "reactivate":
        staff_accounts.reactivate(
            turn.conn,
            member,
            by=turn.staff,
            now=turn.now,
            staff_menu=turn.world.commands.menu["staff"],
        )
        notice = turn.t("staff_admin.reactivated", name=name)
    else:
        staff_accounts.set_role(turn.conn, member, role, by=turn.staff, now=turn.now)
        notice = turn.t("staff_admin.role_set", name=name, role=turn.t(f"role.{role}"))
    view = _view(turn)
    return dialogue.member_page(view, view.member(member_id), turn.t, notice)


def _create(turn: Turn, name: str, role: str) -> Outcome:
    unit = units.get(turn.conn, turn.staff.unit_id)
    code = staff_accounts.add(
        turn.conn, unit_name=unit.name, name=name, role=role, by=turn.staff, now=turn.now
    )
    link = f"https://t.me/{turn.world.bot_username}?start={code}"
    notice = turn.t(
        "staff_admin.created", name=escape(name), role=turn.t(f"role.{role}"), link=link
    )
    return dialogue.page(_view(turn), turn.t, notice)


def on_text(turn: Turn) -> Outcome:
    if turn.staff is None or not turn.staff.has_role("admin"):
        return general.bad_input("text", turn.t)
    return dialogue.on_text(_view(turn), turn.state.data, turn.incoming.text, turn.t)
