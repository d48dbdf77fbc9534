"""Staff and patients for the staff workspace tests: bound staff in named units, enrolled
patients, and the audit rows they leave."""

import re

from storage import staff
from storage.database import run_in_transaction
from tests.bot.commands import COMMANDS, start


def bind(chat, name, role, unit, user_id):
    """A staff member of `unit` with `role`, bound to Telegram user `user_id`."""
    code = run_in_transaction(
        chat.conn,
        lambda c: staff.add_staff_role(
            c, name=name, role=role, unit_name=unit, telegram_user_id=None, now=chat.clock.now()
        ),
    )
    chat.command(start, user_id, "start", code)
    return user_id


def enroll(chat, therapist, label, user_id, *, confirmed=True):
    """A patient invited by `therapist` as `label`, who agreed (Telegram user `user_id`) and
    whom the therapist confirmed ("Ja, det är min patient"), unless `confirmed` is False."""
    chat.command(COMMANDS["invite"], therapist, "invite", "depression", label)
    code = re.search(r"\?start=(\S+)", chat.last_text(therapist)).group(1)
    chat.command(start, user_id, "start", code)
    chat.press(user_id, "Jag godkänner")
    if confirmed:
        chat.press(therapist, "Ja, det är min patient")
    return user_id


def staff_id(chat, user_id):
    return staff.by_telegram_user(chat.conn, user_id).id


def patient_id(chat, label):
    return chat.conn.execute("SELECT id FROM patients WHERE label = ?", (label,)).fetchone()[0]


def audit_rows(chat, action=None):
    sql = "SELECT staff_id, action, patient_id, unit_id, details_json FROM audit_log"
    if action is None:
        return chat.conn.execute(sql + " ORDER BY id").fetchall()
    return chat.conn.execute(sql + " WHERE action = ? ORDER BY id", (action,)).fetchall()


def count(chat, table):
    return chat.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def replies_to(chat, user_id, route, name, *args):
    """The texts a command sends to `user_id`."""
    before = len(chat.outbox(user_id))
    chat.command(route, user_id, name, *args)
    return [row["params"].get("text", "") for row in chat.outbox(user_id)[before:]]
