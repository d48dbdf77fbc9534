"""Purge (gallring): removing an ended treatment's personal data, table by table.

What stays (issue 15): the patient row with ids and dates only (label, Telegram user id,
chat id and their settings NULL, `purged_at` set), the enrollments with codes and dates (no
welcome text, no end comment), the lifecycle events (codes only), the journal periods (ids
and dates), the flags with ids, codes and dates (no comment, no free text: the safety trail),
the audit trail with ids, codes and dates only, and the unit's statistics (folded in first,
storage/statistics.py). Everything else the patient wrote, answered or was sent goes: every
table of storage/migrations is named below, or in KEPT_AS_IS with the reason.

The rules of WHEN live in bot/care/purge.py; this module only knows HOW, in the caller's
transaction. Nothing of the removed text is left in the file once storage/scrub.py has run.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage import dialect, statistics
from storage.timefmt import from_db, to_db

# Tables with no personal data of a patient (staff, units, the unit's settings) or kept as
# they are on purpose; tests/privacy/test_purge_leaves_nothing.py fails on a table that is
# neither here nor handled by `erase`.
KEPT_AS_IS = {
    "units": "the clinic's settings",
    "staff": "staff, not patients",
    "staff_roles": "staff, not patients",
    "deputies": "staff absence cover",
    "unit_on_call": "staff on-call list",
    "unit_schedule_defaults": "the unit's default times",
    "unit_kva_codes": "the unit's KVÅ codes for the journal note",
    "lifecycle_events": "codes, ids and dates only (kept)",
    "journal_notes": "ids and dates only (kept)",
    "purge_ledger": "ids and dates only (the purge's own record)",
    "unit_statistics": "counts per unit, no patient id (kept)",
    "workers": "the bot's own processes, no patient data",
    "leases": "which bot worker runs the tick: worker names and times only",
}

# Handled by `erase` (deleted, or emptied of text and chat ids).
ERASED = (
    "patients",
    "enrollments",
    "module_progress",
    "answers",
    "hidden_steps",
    "opened_addons",
    "maintenance_hidden_modules",
    "dialogue_state",
    "events",
    "inbox",
    "outbox",
    "send_ledger",
    "audit_log",
    "invites",
    "schedules",
    "reminders",
    "diary_entries",
    "diary_weeks",
    "activities",
    "activity_plans",
    "activity_outcomes",
    "form_requests",
    "form_answers",
    "measurements",
    "flags",
    "flag_triggers",
    "flag_events",
    "messages",
    "notes",
    "purge_waits",
    "send_budget",
)


@dataclass(frozen=True)
class Erased:
    patient_id: int
    unit_id: int
    created_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    statistics_rows: int


def erase(conn: sqlite3.Connection, patient_id: int, now: datetime) -> Erased | None:
    """Remove the patient's personal data (in the caller's transaction); None when there is
    no such patient or it was purged already."""
    row = conn.execute(
        "SELECT id, unit_id, label, chat_id, created_at FROM patients"
        " WHERE id = ? AND purged_at IS NULL",
        (patient_id,),
    ).fetchone()
    if row is None:
        return None
    unit_id, label, chat_id = row["unit_id"], row["label"], row["chat_id"]
    ended = conn.execute(
        "SELECT ended_at, end_reason FROM enrollments WHERE patient_id = ?"
        " ORDER BY ended_at IS NULL, ended_at DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    folded = statistics.fold_patient(conn, patient_id)
    _erase_work(conn, patient_id)
    _erase_messages(conn, patient_id, chat_id)
    _close_staff_dialogues(conn, patient_id)
    _erase_treatment(conn, patient_id)
    _scrub_trails(conn, patient_id, unit_id, label, now)
    _erase_patient_row(conn, patient_id, now)
    return Erased(
        patient_id,
        unit_id,
        from_db(row["created_at"]),
        from_db(ended[0]) if ended and ended[0] else None,
        ended[1] if ended else None,
        folded,
    )


def _patient_rows(table: str, column: str = "patient_id") -> str:
    return f"DELETE FROM {table} WHERE {column} = ?"


def _erase_work(conn: sqlite3.Connection, patient_id: int) -> None:
    """What the patient wrote and answered: diary, activities, plans and their outcomes,
    forms and scores, reminders and the schedules they came from, notes."""
    pid = (patient_id,)
    conn.execute(
        "DELETE FROM activity_outcomes WHERE plan_id IN"
        " (SELECT id FROM activity_plans WHERE patient_id = ?)",
        pid,
    )
    conn.execute(_patient_rows("activity_plans"), pid)
    conn.execute(_patient_rows("activities"), pid)
    conn.execute(_patient_rows("diary_entries"), pid)
    conn.execute(_patient_rows("diary_weeks"), pid)
    conn.execute(
        "DELETE FROM form_answers WHERE request_id IN"
        " (SELECT id FROM form_requests WHERE patient_id = ?)",
        pid,
    )
    conn.execute(_patient_rows("measurements"), pid)
    conn.execute(_patient_rows("form_requests"), pid)
    conn.execute(_patient_rows("reminders"), pid)
    conn.execute(_patient_rows("schedules"), pid)
    conn.execute(_patient_rows("notes"), pid)
    conn.execute(_patient_rows("events"), pid)
    conn.execute(_patient_rows("purge_waits"), pid)


def _erase_messages(conn: sqlite3.Connection, patient_id: int, chat_id: int | None) -> None:
    """Messages either way, and everything keyed by the patient's chat: its dialogue state,
    the shared send budget's rows of the last minutes, the inbox's updates (handled ones:
    the payload is already gone, the chat id goes now), the outbox rows (text and chat id;
    one still waiting is given up) and the ledger's chat and message ids."""
    conn.execute(_patient_rows("messages"), (patient_id,))
    if chat_id is None:
        return
    conn.execute("DELETE FROM dialogue_state WHERE chat_id = ?", (chat_id,))
    conn.execute("DELETE FROM send_budget WHERE chat_id = ?", (chat_id,))
    conn.execute(
        "UPDATE inbox SET chat_id = NULL, payload_json = NULL"
        " WHERE chat_id = ? AND processed_at IS NOT NULL",
        (chat_id,),
    )
    conn.execute(
        "UPDATE send_ledger SET chat_id = NULL, message_id = NULL"
        " WHERE chat_id = ? OR outbox_id IN (SELECT id FROM outbox WHERE chat_id = ?)",
        (chat_id, chat_id),
    )
    conn.execute(
        "UPDATE outbox SET status = 'failed', last_error = 'purged'"
        " WHERE chat_id = ? AND status = 'pending'",
        (chat_id,),
    )
    conn.execute(
        "UPDATE outbox SET chat_id = NULL, payload_json = NULL, forget_recipient = 1"
        " WHERE chat_id = ? AND status != 'sending'",
        (chat_id,),
    )
    # A row Telegram has now ('sending') is erased by the sender once it is closed.
    conn.execute("UPDATE outbox SET forget_recipient = 1 WHERE chat_id = ?", (chat_id,))


def _close_staff_dialogues(conn: sqlite3.Connection, patient_id: int) -> None:
    """A staff member's open dialogue about the patient (`/patient`, `/end` with a comment
    typed but not confirmed, a message being written...) holds the label and maybe staff
    text about them for as long as that member opens no other dialogue: it is closed. Staff
    dialogues name their patient as "patient" (or "patient_id") in their data."""
    # State is always JSON we wrote (SQLite's json_valid guards its json_extract all the same).
    valid = dialect.pick(conn, sqlite="json_valid(state_json)", postgres="TRUE")
    conn.execute(
        f"DELETE FROM dialogue_state WHERE {valid}"
        f" AND ({dialect.json_field(conn, 'state_json', 'patient')} = :p"
        f" OR {dialect.json_field(conn, 'state_json', 'patient_id')} = :p)",
        {"p": str(patient_id)},
    )


def _erase_treatment(conn: sqlite3.Connection, patient_id: int) -> None:
    """Exercise answers, where the patient was in each module and the therapist's choices for
    them; the enrollment keeps its program, codes and dates."""
    enrollments = "(SELECT id FROM enrollments WHERE patient_id = ?)"
    for table in ("answers", "module_progress", "hidden_steps", "opened_addons"):
        conn.execute(f"DELETE FROM {table} WHERE enrollment_id IN {enrollments}", (patient_id,))
    conn.execute(
        f"DELETE FROM maintenance_hidden_modules WHERE enrollment_id IN {enrollments}",
        (patient_id,),
    )
    conn.execute(
        "UPDATE enrollments SET welcome_text = NULL, end_comment = NULL WHERE patient_id = ?",
        (patient_id,),
    )


def _scrub_trails(
    conn: sqlite3.Connection, patient_id: int, unit_id: int, label: str | None, now: datetime
) -> None:
    """The audit trail and the flags keep ids, codes and dates only; the invite that brought
    the patient keeps its code (its link says "already used") but not the label."""
    rows = conn.execute(
        "SELECT id, details_json FROM audit_log WHERE patient_id = ?"
        " OR (patient_id IS NULL AND unit_id = ? AND action = 'invite_created')",
        (patient_id, unit_id),
    ).fetchall()
    for row in rows:
        details = json.loads(row["details_json"] or "{}")
        if row["details_json"] and "label" in details and details.get("label") != label:
            continue  # another patient's invite
        conn.execute(
            "UPDATE audit_log SET details_json = ? WHERE id = ?",
            (scrubbed_details(row["details_json"], label), row["id"]),
        )
    if label is not None:
        # Every invite with the label is this patient's (the label is taken while they are
        # here); an unused one can no longer be accepted either.
        conn.execute(
            f"UPDATE invites SET label = '', expires_at = {dialect.least(conn)}(expires_at, ?)"
            " WHERE unit_id = ? AND label = ?",
            (to_db(now), unit_id, label),
        )
    flags = "(SELECT id FROM flags WHERE patient_id = ?)"
    conn.execute(
        f"UPDATE flags SET handled_comment = NULL WHERE id IN {flags}",
        (patient_id,),
    )
    for table in ("flag_triggers", "flag_events"):
        for row in conn.execute(
            f"SELECT id, details_json FROM {table} WHERE flag_id IN {flags}", (patient_id,)
        ).fetchall():
            conn.execute(
                f"UPDATE {table} SET details_json = ? WHERE id = ?",
                (scrubbed_details(row["details_json"], label), row["id"]),
            )
    conn.execute(
        f"UPDATE flag_triggers SET free_text = NULL WHERE flag_id IN {flags}", (patient_id,)
    )


def _erase_patient_row(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    conn.execute(
        "UPDATE patients SET label = NULL, telegram_user_id = NULL, chat_id = NULL,"
        " timezone = NULL, quiet_start = NULL, quiet_end = NULL, paused_until = NULL,"
        " unreachable_since = NULL, quiet_check_at = NULL, purged_at = ? WHERE id = ?",
        (to_db(now), patient_id),
    )


# An audit detail survives a purge when it is an id, a number, a flag, a code (lower-case
# letters, digits and _ . : - only, no spaces), a date or a time; anything else may be free
# text or a name. A label never survives, whatever it looks like.
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.:\-]{0,63}$")
_DATE_OR_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?|\d{2}:\d{2}(,\d{2}:\d{2})*)$"
)
_NEVER_KEPT = frozenset({"label", "text", "comment", "name", "free_text", "welcome"})


def scrubbed_details(details_json: str | None, label: str | None) -> str:
    """The details of an audit row (or a flag's trigger or event) with ids, codes and dates
    only."""
    try:
        details = json.loads(details_json or "{}")
    except ValueError:
        return "{}"
    if not isinstance(details, dict):
        return "{}"
    kept = {}
    for key, value in details.items():
        if key in _NEVER_KEPT:
            continue
        clean = _kept_value(value, label)
        if clean is not None:
            kept[key] = clean
    return json.dumps(kept, sort_keys=True)


def _kept_value(value: object, label: str | None) -> object | None:
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if label is not None and value.casefold() == label.casefold():
            return None
        return value if _CODE.match(value) or _DATE_OR_TIME.match(value) else None
    if isinstance(value, list):
        items = [_kept_value(item, label) for item in value]
        return [item for item in items if item is not None]
    return None


@dataclass(frozen=True)
class Ended:
    """An ended, not yet purged treatment, with what the purge rules need."""

    patient_id: int
    unit_id: int
    therapist_id: int
    label: str | None
    ended_at: datetime
    last_activity: datetime
    purge_after_days: int
    waiting_since: datetime | None
    reminded_at: datetime | None
    open_flags: int


def ended_not_purged(conn: sqlite3.Connection) -> list[Ended]:
    """Patients whose every treatment has ended and who are not purged yet (a handful: they
    leave this list within months)."""
    rows = conn.execute(
        "SELECT p.id, p.unit_id, p.therapist_id, p.label, MAX(e.ended_at) AS ended_at,"
        " COALESCE(p.last_active_at, p.created_at) AS last_activity, u.purge_after_days,"
        " w.waiting_since, w.reminded_at,"
        " (SELECT COUNT(*) FROM flags f WHERE f.patient_id = p.id AND f.status = 'open')"
        " AS open_flags"
        " FROM enrollments e JOIN patients p ON p.id = e.patient_id"
        " JOIN units u ON u.id = p.unit_id LEFT JOIN purge_waits w ON w.patient_id = p.id"
        " WHERE e.status = 'ended' AND p.purged_at IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM enrollments o WHERE o.patient_id = p.id AND o.status != 'ended')"
        " GROUP BY p.id, u.purge_after_days, w.waiting_since, w.reminded_at"
        " ORDER BY ended_at, p.id"
    )
    return [
        Ended(
            patient_id=row[0],
            unit_id=row[1],
            therapist_id=row[2],
            label=row[3],
            ended_at=from_db(row[4]),
            last_activity=from_db(row[5]),
            purge_after_days=row[6],
            waiting_since=from_db(row[7]) if row[7] else None,
            reminded_at=from_db(row[8]) if row[8] else None,
            open_flags=row[9],
        )
        for row in rows.fetchall()
    ]


def inactive_since(conn: sqlite3.Connection, before: datetime, limit: int) -> list[int]:
    """Patients with a treatment still running (active or in maintenance) and no activity
    since `before`."""
    rows = conn.execute(
        "SELECT p.id FROM patients p WHERE p.purged_at IS NULL"
        " AND COALESCE(p.last_active_at, p.created_at) <= ?"
        " AND EXISTS (SELECT 1 FROM enrollments e WHERE e.patient_id = p.id"
        " AND e.status IN ('active', 'maintenance'))"
        " ORDER BY p.id LIMIT ?",
        (to_db(before), limit),
    )
    return [row[0] for row in rows.fetchall()]


def last_recordable(conn: sqlite3.Connection, patient_id: int) -> datetime | None:
    """The latest thing a journal note would cover: the patient's own activity, a message
    either way, a measurement, a staff action on them, or a change in the treatment's course
    (an ending by the bot itself, a withdrawal: those belong in the record too)."""
    row = conn.execute(
        "SELECT MAX(t) FROM (SELECT last_active_at AS t FROM patients WHERE id = :p"
        " UNION ALL SELECT MAX(created_at) FROM messages WHERE patient_id = :p"
        " UNION ALL SELECT MAX(submitted_at) FROM measurements WHERE patient_id = :p"
        " UNION ALL SELECT MAX(created_at) FROM audit_log"
        " WHERE patient_id = :p AND staff_id IS NOT NULL"
        " UNION ALL SELECT MAX(at) FROM lifecycle_events"
        " WHERE patient_id = :p AND change <> 'purged') AS recordable",
        {"p": patient_id},
    ).fetchone()
    return from_db(row[0]) if row[0] else None


def start_waiting(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    conn.execute(
        "INSERT INTO purge_waits (patient_id, waiting_since) VALUES (?, ?)"
        " ON CONFLICT (patient_id) DO NOTHING",
        (patient_id, to_db(now)),
    )


def reminded(conn: sqlite3.Connection, patient_id: int, now: datetime) -> None:
    conn.execute(
        "UPDATE purge_waits SET reminded_at = ? WHERE patient_id = ?", (to_db(now), patient_id)
    )


def end_all(
    conn: sqlite3.Connection, patient_id: int, ended_at: datetime, reason: str | None
) -> None:
    """A restore purging again: the backup may still hold the treatment as running; it ends
    as it did (with the ledger's date and reason), and nothing reaches the patient."""
    conn.execute(
        "UPDATE enrollments SET status = 'ended', ended_at = ?, end_reason = ?"
        " WHERE patient_id = ? AND status != 'ended'",
        (to_db(ended_at), reason, patient_id),
    )
    conn.execute(
        "UPDATE patients SET outreach_stopped_at = COALESCE(outreach_stopped_at, ?) WHERE id = ?",
        (to_db(ended_at), patient_id),
    )
