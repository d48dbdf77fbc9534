"""The acknowledgement chain of a red flag, one step per deadline (run by the tick).

Step 1, the unit's deadline passed (default 15 office minutes): re-posted in the channel
with a mention of the unit's patient-admins, and sent privately to the patient's therapist.
Step 2, a second deadline later: sent privately to the on-call list and the admins.
Deadlines count office time only; each step is an event on the flag.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.care.access import care_team
from bot.containment import each_contained
from bot.escalation.alerts import post_to_channel, tell_privately
from bot.escalation.flags import office_hours
from storage import flags, patients, staff, units
from storage.flags import Flag

BATCH_SIZE = 100


def run_batch(
    conn: sqlite3.Connection, now: datetime, language: str, limit: int = BATCH_SIZE
) -> int:
    due = flags.due_checks(conn, now, limit)
    each_contained(
        conn,
        due,
        lambda flag: step(conn, flag, now, language),
        set_aside=lambda flag: flags.set_next_check(conn, flag.id, flag.level, None),
        what="flag chain: flag",
    )
    return len(due)


def step(conn: sqlite3.Connection, flag: Flag, now: datetime, language: str) -> None:
    if flag.status != "open":
        flags.set_next_check(conn, flag.id, flag.level, None)
        return
    settings = units.safety_settings(conn, flag.unit_id)
    if flag.level == 0:
        _remind(conn, flag, now, language)
        deadline = office_hours(settings).add_office_time(now, settings.ack_minutes)
        flags.set_next_check(conn, flag.id, 1, deadline)
        flags.record(conn, flag.id, "escalated", now, level=1)
    else:
        chats = _unique(
            units.on_call_chats(conn, flag.unit_id)
            + units.staff_chats_with_role(conn, flag.unit_id, "admin")
        )
        tell_privately(conn, flag, chats, "oncall", now, headline_key="flag.not_handled")
        flags.set_next_check(conn, flag.id, 2, None)
        flags.record(conn, flag.id, "escalated", now, level=2)


def _remind(conn: sqlite3.Connection, flag: Flag, now: datetime, language: str) -> None:
    admins = units.staff_chats_with_role(conn, flag.unit_id, "patient-admin")
    mentions = [(chat, staff.get(conn, staff_id).name) for staff_id, chat in admins]
    post_to_channel(
        conn, flag, "reminder", language, now, headline_key="flag.not_handled", mentions=mentions
    )
    team = care_team(conn, patients.get(conn, flag.patient_id), now)  # deputies too
    if team:
        tell_privately(
            conn,
            flag,
            [(member.id, member.telegram_user_id) for member in team],
            "therapist",
            now,
            headline_key="flag.not_handled",
        )


def _unique(chats: list[tuple[int, int]]) -> list[tuple[int, int]]:
    seen: dict[int, int] = {}
    for staff_id, chat in chats:
        seen.setdefault(staff_id, chat)
    return list(seen.items())
