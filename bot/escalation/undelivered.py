"""What happens when a message is given up: Telegram refused it, its retries ran out, or it
failed in a way the sender could only set aside. Never silent: someone is told, by another
route than the one that failed, and the row never holds up its chat.

- a flag's alert: the unit's staff get it privately (as when the channel is lost);
- a safety message or a staff message to a patient: the patient's care team is told;
- a reminder: recorded as missed (each one, for a shared message);
- a reply to a person's own action: the person gets a short note that it could not be shown.

A note about a failure is itself never followed up (no chain of notes about notes).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import datetime

from bot.care.notify import tell_therapist
from bot.escalation.alerts import fan_out_privately
from bot.i18n import Translator
from bot.reminders import messages
from bot.reminders.tick import record_missed
from bot.render.calls import reply_call
from dialogues.types import Reply
from storage import events, flags, outbox, patients, reminders, staff
from storage.outbox import LANE_REPLY, LANE_SAFETY, LANE_STAFF, OutboxRow

log = logging.getLogger(__name__)

NOTICE_KEY = "undelivered:"  # dedupe keys of the notes about a failure


def on_given_up(conn: sqlite3.Connection, row: OutboxRow, now: datetime) -> None:
    """Tell whoever must know that this row will never be delivered."""
    key = outbox.dedupe_key_of(conn, row.id) or ""
    if key.startswith(NOTICE_KEY) or row.forget_recipient:
        return  # a note about a failure, or a person who must leave no trace
    if key.startswith("flag:"):
        _alert_given_up(conn, key, now)
    elif reminder_ids := messages.reminder_ids(key):
        _reminders_given_up(conn, reminder_ids, now)
    elif row.lane in (LANE_SAFETY, LANE_STAFF):
        _tell_care_team(conn, row, now)
    elif row.lane == LANE_REPLY:
        _tell_the_person(conn, row, now)


def _alert_given_up(conn: sqlite3.Connection, key: str, now: datetime) -> None:
    flag = flags.get(conn, int(key.split(":")[1]))
    if flag is None:
        return
    if "fanout" in key:
        # The private copy to one staff member failed too; the others got theirs.
        log.error("flag %d: a private alert could not be delivered", flag.id)
        return
    fan_out_privately(conn, flag, "undelivered", now, why="alert_undelivered")


def _reminders_given_up(conn: sqlite3.Connection, reminder_ids: list[int], now: datetime) -> None:
    """Each reminder the message was about (one, or those of a shared message)."""
    for reminder_id in reminder_ids:
        reminder = reminders.get(conn, reminder_id)
        if reminder is not None and reminder.status == "open":
            record_missed(conn, reminder, now, undelivered=True)


def _tell_care_team(conn: sqlite3.Connection, row: OutboxRow, now: datetime) -> None:
    patient = patients.by_chat(conn, row.chat_id)
    if patient is None:
        if row.chat_id > 0:  # a staff member's own chat (Visa, a note): tell them there
            _tell_the_person(conn, row, now)
        return  # a group: the ERROR line is what is left
    key = "undelivered.safety_message" if row.lane == LANE_SAFETY else "undelivered.staff_message"
    tell_therapist(conn, patient, key, now)
    events.record(conn, "message_undelivered", now, patient_id=patient.id, outbox=row.id)


def _tell_the_person(conn: sqlite3.Connection, row: OutboxRow, now: datetime) -> None:
    if not row.method.startswith("send"):
        return  # an edit leaves the message as it was; a menu is no answer to anyone
    patient = patients.by_chat(conn, row.chat_id)
    member = staff.by_telegram_user(conn, row.chat_id)
    language = patient.language if patient else (member.language if member else None)
    t = Translator(language or "sv")
    call = reply_call(Reply(t("undelivered.reply")), row.chat_id, 0, lane=LANE_REPLY)
    outbox.enqueue(conn, replace(call, dedupe_key=f"{NOTICE_KEY}{row.id}"), now)
