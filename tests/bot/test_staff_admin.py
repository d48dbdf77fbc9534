"""Units and roles: /staff for admins (list, deactivate, reactivate, role, new with a bind
link), every change audited; a deactivated staff member can do nothing."""

import json
import re

from bot.router import button
from dialogues.types import Incoming
from storage import staff
from tests.bot.commands import COMMANDS, start
from tests.bot.staff_helpers import (
    audit_rows,
    bind,
    count,
    enroll,
    patient_id,
    replies_to,
    staff_id,
)
from tests.harness.catalogue import says, sv

ADMIN, ANNA, BO, PATIENT = 300, 100, 101, 200
DEACTIVATED = sv("staff.deactivated")


def _unit(chat):
    bind(chat, "Cecilia", "admin", "Växjö", ADMIN)
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    bind(chat, "Bo", "patient-admin", "Växjö", BO)
    enroll(chat, ANNA, "P1", PATIENT)


def test_staff_lists_the_unit_with_roles_state_and_binding(chat):
    _unit(chat)
    run_in_transaction_add_unbound(chat, "Dora")
    chat.command(COMMANDS["staff"], ADMIN, "staff")
    page = chat.last_text(ADMIN)
    assert says(page, "staff_admin.title", unit="Växjö")
    therapist, active = sv("role.therapist"), sv("staff_admin.active")
    assert f"<b>Anna</b> · {therapist} · {active} · {sv('staff_admin.bound')}" in page
    assert f"<b>Bo</b> · {sv('role.patient-admin')} · {active}" in page
    assert f"<b>Dora</b> · {therapist} · {active} · {sv('staff_admin.unbound')}" in page


def run_in_transaction_add_unbound(chat, name):
    from storage.database import run_in_transaction

    run_in_transaction(
        chat.conn,
        lambda c: staff.add_staff_role(
            c,
            name=name,
            role="therapist",
            unit_name="Växjö",
            telegram_user_id=None,
            now=chat.clock.now(),
        ),
    )


def test_admin_deactivates_and_reactivates_a_therapist(chat):
    _unit(chat)
    chat.command(COMMANDS["staff"], ADMIN, "staff")
    chat.press(ADMIN, "Anna")
    assert says(chat.last_text(ADMIN), "staff_admin.has_patients", n=1)
    chat.press(ADMIN, "⏸ Inaktivera")
    assert says(chat.last_text(ADMIN), "staff_admin.deactivated", name="Anna")
    assert "/move" in chat.last_text(ADMIN)  # her patient needs a new therapist
    assert not staff.get(chat.conn, staff_id_of(chat, "Anna")).active
    (row,) = audit_rows(chat, "staff_deactivated")
    assert row["staff_id"] == staff_id(chat, ADMIN)
    assert json.loads(row["details_json"]) == {"member": staff_id_of(chat, "Anna")}
    # Her staff menu is removed.
    assert chat.outbox(ANNA)[-1]["method"] == "deleteMyCommands"

    chat.command(COMMANDS["results"], ANNA, "results", "P1")
    assert DEACTIVATED in chat.last_text(ANNA)

    chat.press(ADMIN, "▶️ Aktivera igen")
    assert says(chat.last_text(ADMIN), "staff_admin.reactivated", name="Anna")
    assert audit_rows(chat, "staff_reactivated")
    assert chat.outbox(ANNA)[-1]["method"] == "setMyCommands"
    chat.command(COMMANDS["results"], ANNA, "results", "P1")
    assert DEACTIVATED not in chat.last_text(ANNA)


def staff_id_of(chat, name):
    return chat.conn.execute("SELECT id FROM staff WHERE name = ?", (name,)).fetchone()[0]


def test_set_role_sets_exactly_that_role(chat):
    _unit(chat)
    chat.command(COMMANDS["staff"], ADMIN, "staff")
    chat.press(ADMIN, "Bo")
    chat.press(ADMIN, "Gör till behandlare")
    assert says(chat.last_text(ADMIN), "staff_admin.role_set", name="Bo", role="behandlare")
    assert staff.get(chat.conn, staff_id(chat, BO)).roles == {"therapist"}
    (row,) = audit_rows(chat, "staff_role_set")
    assert json.loads(row["details_json"])["before"] == ["patient-admin"]


def test_new_staff_member_gets_a_one_time_link_that_binds(chat):
    _unit(chat)
    chat.command(COMMANDS["staff"], ADMIN, "staff")
    chat.press(ADMIN, "➕ Ny personal")
    chat.text(ADMIN, "  Erik   Ek ")
    assert says(chat.last_text(ADMIN), "staff_admin.ask_role", name="Erik Ek")
    chat.text(ADMIN, "oops")  # a stray message re-asks and keeps the name
    assert says(chat.last_text(ADMIN), "staff_admin.ask_role", name="Erik Ek")
    chat.press(ADMIN, "behandlare")
    added = [t for t in chat.texts(ADMIN) if says(t, "staff_admin.created", name="Erik Ek")][-1]
    link = re.search(r"https://t\.me/ikbt_test_bot\?start=(\S+)", added)
    assert link
    chat.command(start, 400, "start", link.group(1))
    assert says(chat.last_text(400), "staff.bound", name="Erik Ek", unit="Växjö")
    (row,) = audit_rows(chat, "staff_added")
    assert row["unit_id"] == staff.get(chat.conn, staff_id(chat, ADMIN)).unit_id


def test_an_admin_cannot_deactivate_or_demote_themselves(chat):
    _unit(chat)
    chat.command(COMMANDS["staff"], ADMIN, "staff")
    chat.press(ADMIN, "Cecilia")
    own_page = chat.outbox(ADMIN)[-1]
    assert says(own_page["params"]["text"], "staff_admin.yourself")
    assert "Inaktivera" not in own_page["params"]["reply_markup"]
    # A forged press changes nothing either.
    revision = chat.conn.execute(
        "SELECT revision FROM dialogue_state WHERE chat_id = ?", (ADMIN,)
    ).fetchone()[0]
    me = staff_id(chat, ADMIN)
    for action in (f"off:{me}", f"role:{me}:therapist"):
        chat.turn(button, ADMIN, Incoming(kind="button"), data=f"{revision}|{action}")
        revision += 1
    assert staff.get(chat.conn, me).active and staff.get(chat.conn, me).roles == {"admin"}
    assert not audit_rows(chat, "staff_deactivated") and not audit_rows(chat, "staff_role_set")


def test_staff_is_refused_to_non_admins_and_unknown_to_patients(chat):
    _unit(chat)
    for member in (ANNA, BO):
        chat.command(COMMANDS["staff"], member, "staff")
        assert chat.last_text(member) == sv("staff_admin.admins_only")
    replies = replies_to(chat, PATIENT, COMMANDS["staff"], "staff")
    assert says(replies[0], "input.unknown_command")


def test_a_deactivated_member_can_do_nothing(chat):
    _unit(chat)
    chat.command(COMMANDS["staff"], ADMIN, "staff")
    chat.press(ADMIN, "Bo")
    chat.press(ADMIN, "⏸ Inaktivera")
    before = {table: count(chat, table) for table in ("audit_log", "invites", "deputies")}
    sent_before = len(chat.outbox(BO))
    for name, route in COMMANDS.items():
        for args in ((), ("P1",), ("P1", "phq9")):
            chat.command(route, BO, name, *args)
            assert DEACTIVATED in chat.last_text(BO), (name, args)
    chat.text(BO, "hej")
    assert DEACTIVATED in chat.last_text(BO)
    result, _ = chat.turn(button, BO, Incoming(kind="button"), data="-|flag:handle:1")
    assert DEACTIVATED in result.toast
    assert {table: count(chat, table) for table in before} == before
    # One reply per update, nothing else: no patient data, no dialogue opened.
    replies = chat.outbox(BO)[sent_before:]
    assert all(DEACTIVATED in row["params"]["text"] for row in replies)
    state = chat.conn.execute(
        "SELECT dialogue FROM dialogue_state WHERE chat_id = ?", (BO,)
    ).fetchone()
    assert state is None or state["dialogue"] == ""
    assert patient_id(chat, "P1")  # still there, untouched


def test_a_deactivated_members_old_buttons_are_stale_after_reactivation(chat):
    _unit(chat)
    chat.command(COMMANDS["staff"], ADMIN, "staff")
    chat.command(COMMANDS["cover"], BO, "cover")  # Bo has /cover open
    chat.press(ADMIN, "Bo")
    chat.press(ADMIN, "⏸ Inaktivera")
    chat.press(ADMIN, "▶️ Aktivera igen")
    chat.press(BO, "➕ Ny ersättare")
    assert not says(chat.texts(BO)[-1], "cover.ask_absent")
