"""The weekly note to a unit's admins when nobody is on its on-call list.

Outside office hours a red flag is told at once only to the on-call list (flags.py); with an
empty list it waits in the channel until the next office day. `/unit` shows that as a
warning; this batch also tells the admins privately, once a week, at the unit's first office
opening of the week (Monday 08:00 unless that is a holiday), until someone is on the list.

Each unit has one planned check (`units.on_call_check_at`). A batch handles the due checks
and plans each unit's next one in the same transaction, so a week's note goes out once, also
across a crash; the outbox dedupe key (`oncall-missing:<unit>:<iso week>:<admin>`) makes
sure of it. A unit's first check is only planned (a unit created on a Tuesday hears on the
next Monday), and a check delayed by downtime still sends that week's note, once.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import date, datetime, time, timedelta
from html import escape

from bot.containment import each_contained
from bot.escalation.flags import office_hours
from bot.escalation.office_hours import OfficeHours
from bot.i18n import Translator
from bot.render.calls import reply_call
from dialogues.types import Reply
from storage import outbox, staff, units
from storage.outbox import LANE_STAFF

log = logging.getLogger(__name__)

BATCH_SIZE = 100


def week_opening(hours: OfficeHours, monday: date) -> datetime:
    """The first office opening on or after 00:00 of this Monday (the unit's zone), UTC."""
    return hours.next_opening(datetime.combine(monday, time(0), tzinfo=hours.tz))


def next_check(hours: OfficeHours, now: datetime) -> datetime:
    """The first week opening after `now`: this week's if still ahead, else next week's."""
    today = now.astimezone(hours.tz).date()
    monday = today - timedelta(days=today.weekday())
    this_week = week_opening(hours, monday)
    return this_week if this_week > now else week_opening(hours, monday + timedelta(days=7))


def run_batch(
    conn: sqlite3.Connection, now: datetime, language: str, limit: int = BATCH_SIZE
) -> int:
    due = units.on_call_checks_due(conn, now, limit)
    each_contained(
        conn,
        due,
        lambda check: _check_unit(conn, *check, now, language),
        # a unit whose check failed is looked at again in a week
        set_aside=lambda check: units.plan_on_call_check(conn, check[0], now + timedelta(days=7)),
        what="on-call check: unit",
        id_of=lambda check: check[0],
    )
    return len(due)


def _check_unit(
    conn: sqlite3.Connection, unit_id: int, planned, now: datetime, language: str
) -> None:
    hours = office_hours(units.safety_settings(conn, unit_id))
    if planned is not None and not units.on_call_chats(conn, unit_id):
        _tell_admins(conn, unit_id, now, hours, language)
    units.plan_on_call_check(conn, unit_id, next_check(hours, now))


def _tell_admins(
    conn: sqlite3.Connection, unit_id: int, now: datetime, hours: OfficeHours, language: str
) -> None:
    unit = units.get(conn, unit_id)
    year, week, _ = now.astimezone(hours.tz).isocalendar()
    admins = units.staff_chats_with_role(conn, unit_id, "admin")
    for staff_id, chat_id in admins:
        member = staff.get(conn, staff_id)
        t = Translator(member.language or language)
        note = Reply(t("unit.on_call_missing_note", unit=escape(unit.name)))
        key = f"oncall-missing:{unit_id}:{year}-W{week:02d}:{staff_id}"
        outbox.enqueue(conn, reply_call(note, chat_id, 0, lane=LANE_STAFF, dedupe_key=key), now)
    log.warning("unit %d: no on-call list; told %d admins", unit_id, len(admins))
