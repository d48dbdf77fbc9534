"""What the bot still has to do at a given time: used by the script runner to wait for idle
and to stop the clock at each instant something falls due."""

import sqlite3
from datetime import datetime

from storage import quiet_checks, units
from storage.timefmt import from_db, to_db


def pending_work(conn: sqlite3.Connection, now: datetime) -> int:
    """How many things the bot still has to do at `now` (0: idle)."""
    unprocessed = conn.execute("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL").fetchone()[
        0
    ]
    due_messages = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND not_before <= ?",
        (to_db(now),),
    ).fetchone()[0]
    due_schedules = conn.execute(
        "SELECT COUNT(*) FROM schedules WHERE next_due_at IS NOT NULL AND next_due_at <= ?",
        (to_db(now),),
    ).fetchone()[0]
    due_checks = conn.execute(
        "SELECT COUNT(*) FROM reminders WHERE check_at IS NOT NULL AND check_at <= ?",
        (to_db(now),),
    ).fetchone()[0]
    expired_forms = conn.execute(
        "SELECT COUNT(*) FROM form_requests WHERE status = 'open'"
        " AND window_ends_at IS NOT NULL AND window_ends_at <= ?",
        (to_db(now),),
    ).fetchone()[0]
    flag_steps = conn.execute(
        "SELECT COUNT(*) FROM flags WHERE next_check_at IS NOT NULL AND next_check_at <= ?",
        (to_db(now),),
    ).fetchone()[0]
    diary_weeks = conn.execute(
        "SELECT COUNT(*) FROM diary_weeks WHERE next_check_at IS NOT NULL AND next_check_at <= ?",
        (to_db(now),),
    ).fetchone()[0]
    maintenance_over = conn.execute(
        "SELECT COUNT(*) FROM enrollments WHERE status = 'maintenance' AND maintenance_until <= ?",
        (to_db(now),),
    ).fetchone()[0]
    on_call_checks = units.count_on_call_checks_due(conn, now)
    quiet_looks = quiet_checks.count_due(conn, now)
    return (
        unprocessed
        + due_messages
        + due_schedules
        + due_checks
        + expired_forms
        + flag_steps
        + diary_weeks
        + maintenance_over
        + on_call_checks
        + quiet_looks
    )


def next_due_at(conn: sqlite3.Connection, after: datetime, until: datetime) -> datetime | None:
    """The earliest instant in (after, until] at which something falls due, if any."""
    row = conn.execute(
        "SELECT MIN(t) FROM ("
        " SELECT MIN(not_before) AS t FROM outbox WHERE status = 'pending'"
        "   AND not_before > :after AND not_before <= :until"
        " UNION ALL SELECT MIN(next_due_at) FROM schedules"
        "   WHERE next_due_at > :after AND next_due_at <= :until"
        " UNION ALL SELECT MIN(check_at) FROM reminders"
        "   WHERE check_at > :after AND check_at <= :until"
        " UNION ALL SELECT MIN(window_ends_at) FROM form_requests WHERE status = 'open'"
        "   AND window_ends_at > :after AND window_ends_at <= :until"
        " UNION ALL SELECT MIN(next_check_at) FROM flags"
        "   WHERE next_check_at > :after AND next_check_at <= :until"
        " UNION ALL SELECT MIN(next_check_at) FROM diary_weeks"
        "   WHERE next_check_at > :after AND next_check_at <= :until"
        " UNION ALL SELECT MIN(maintenance_until) FROM enrollments WHERE status = 'maintenance'"
        "   AND maintenance_until > :after AND maintenance_until <= :until"
        " UNION ALL SELECT MIN(on_call_check_at) FROM units"
        "   WHERE on_call_check_at > :after AND on_call_check_at <= :until"
        " UNION ALL SELECT MIN(quiet_check_at) FROM patients"
        "   WHERE quiet_check_at > :after AND quiet_check_at <= :until) AS due",
        {"after": to_db(after), "until": to_db(until)},
    ).fetchone()
    return from_db(row[0]) if row[0] else None
