"""Registering a unit's therapist channel, the same from `/channel` in the group and from
`python -m bot unit channel`: from then on the unit's red and amber flags are posted there.
Each change is written to the audit log; `by` None means the command line (staff_id NULL,
details say via "cli")."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.care.staff_accounts import record_action
from storage import units
from storage.staff import Staff
from storage.units import Unit

# Who may register or unregister a unit's channel: those who answer for the whole unit.
REGISTERING_ROLES = ("admin", "patient-admin")

REGISTERED = "registered"
REPLACED = "replaced"  # registered, instead of another group
OTHER_UNIT = "other_unit"  # refused: the group is another unit's channel
UNREGISTERED = "unregistered"
NOT_CHANNEL = "not_channel"  # nothing to unregister


def register(
    conn: sqlite3.Connection, unit: Unit, chat_id: int, *, by: Staff | None, now: datetime
) -> str:
    """Make the group `chat_id` the unit's channel (and reachable). A group is one unit's
    channel at most: every member of it reads that unit's alerts."""
    owner = units.by_channel(conn, chat_id)
    if owner is not None and owner.id != unit.id:
        return OTHER_UNIT
    before = unit.therapist_chat_id
    units.set_channel(conn, unit.id, chat_id)
    record_action(conn, "channel_registered", by, unit.id, now, chat=chat_id, before=before)
    return REPLACED if before is not None and before != chat_id else REGISTERED


def unregister(
    conn: sqlite3.Connection,
    unit: Unit,
    *,
    chat_id: int | None,
    by: Staff | None,
    now: datetime,
) -> str:
    """No channel for the unit any more: red flags go privately to its therapists and
    patient-admins (alerts.fan_out_privately). With `chat_id` (from a group) only when that
    group is the unit's channel."""
    current = unit.therapist_chat_id
    if current is None or (chat_id is not None and chat_id != current):
        return NOT_CHANNEL
    units.set_channel(conn, unit.id, None)
    record_action(conn, "channel_unregistered", by, unit.id, now, chat=current)
    return UNREGISTERED
