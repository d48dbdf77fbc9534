"""Every reminder and alert accounted for, under the outbox's rules, after a faulty hour.

Read from what arrived (the transcript's `bot → chat: first line`) and from the rows the
features keep (reminders, flags) and the outbox's status, never from the sender's inner
workings:

- a reminder arrived at most once; if it never arrived, it is recorded as missed;
- a flag's alert, and each escalation step it took, arrived at least once;
- no outbox row is left pending or in flight; a row given up is followed by a note to
  someone (`undelivered:<id>`), a missed reminder, or (a flag's alert) a private alert.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults import hour

DELIVERY = re.compile(r"^bot [→✎] (\S+): (.*)$")
FAULT = re.compile(r"^⚡ (\S+) on (\S+)$")
REMINDER_TEXT = {"forms": "Du har ett formulär att fylla i"}


@dataclass
class Account:
    send_faults: Counter[str] = field(default_factory=Counter)
    reminders: int = 0
    reminders_twice: list[str] = field(default_factory=list)
    reminders_lost: list[str] = field(default_factory=list)
    reminders_missed: int = 0
    alerts: int = 0  # alerts and escalation steps that had to arrive
    alerts_lost: list[str] = field(default_factory=list)
    alerts_repeated: int = 0  # arrivals beyond the first (allowed: at least once)
    rows_open: list[str] = field(default_factory=list)
    given_up: int = 0
    given_up_untold: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [
            *(f"reminder twice: {what}" for what in self.reminders_twice),
            *(f"reminder neither arrived nor missed: {what}" for what in self.reminders_lost),
            *(f"alert never arrived: {what}" for what in self.alerts_lost),
            *(f"outbox row left open: {what}" for what in self.rows_open),
            *(f"given up and nobody told: {what}" for what in self.given_up_untold),
        ]


def deliveries(transcript: str) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in map(DELIVERY.match, transcript.splitlines()) if m]


def account(transcript: str, db_path: Path) -> Account:
    result = Account()
    result.send_faults = Counter(
        m[1] for m in map(FAULT.match, transcript.splitlines()) if m is not None
    )
    arrived = deliveries(transcript)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        _reminders(conn, arrived, result)
        _alerts(conn, arrived, result)
        _outbox(conn, result)
    finally:
        conn.close()
    return result


def _chat_of(label: str) -> str:
    return hour.name(int(label.removeprefix("P")))


def _reminders(conn: sqlite3.Connection, arrived, result: Account) -> None:
    rows = conn.execute(
        "SELECT r.id, p.label, s.kind, r.status FROM reminders r"
        " JOIN schedules s ON s.id = r.schedule_id JOIN patients p ON p.id = r.patient_id"
    ).fetchall()
    for reminder_id, label, kind, status in rows:
        result.reminders += 1
        text = REMINDER_TEXT[kind]
        times = sum(1 for chat, line in arrived if chat == _chat_of(label) and text in line)
        what = f"reminder {reminder_id} ({kind}) to {label}, {status}"
        if times > 1:
            result.reminders_twice.append(what)
        if times == 0 and status == "missed":
            result.reminders_missed += 1
        elif times == 0:
            result.reminders_lost.append(what)


def _alerts(conn: sqlite3.Connection, arrived, result: Account) -> None:
    """The alert in the channel (or, given up there, privately); at level 1 the reminder in
    the channel and to the therapist; at level 2 to the unit's admin."""
    for flag_id, label, level in conn.execute(
        "SELECT f.id, p.label, f.level FROM flags f JOIN patients p ON p.id = f.patient_id"
    ):
        heading = f"RÖD FLAGGA · {label} · #{flag_id}"
        alert = [chat for chat, line in arrived if heading in line and "inte omhändertagen" in line]
        first = [chat for chat, line in arrived if line.endswith(heading)]
        needed = [("alert", first, {"#therapists", "anna"})]
        if level >= 1:
            needed += [("step 1", alert, {"#therapists"}), ("step 1", alert, {"anna"})]
        if level >= 2:
            needed.append(("step 2", alert, {"cecilia"}))
        for what, chats, where in needed:
            result.alerts += 1
            times = sum(1 for chat in chats if chat in where)
            if times == 0:
                result.alerts_lost.append(f"{heading} {what} to {sorted(where)}")
            result.alerts_repeated += max(times - 1, 0)


def _outbox(conn: sqlite3.Connection, result: Account) -> None:
    for row_id, lane, status, error, key in conn.execute(
        "SELECT id, lane, status, last_error, dedupe_key FROM outbox"
    ):
        if status in ("pending", "sending"):
            result.rows_open.append(f"{row_id} lane {lane} {status}")
        if status != "failed" or error == "withheld":
            continue
        result.given_up += 1
        if not _someone_told(conn, row_id, lane, key or ""):
            result.given_up_untold.append(f"{row_id} lane {lane} {error}")


def _someone_told(conn: sqlite3.Connection, row_id: int, lane: int, key: str) -> bool:
    if key.startswith("undelivered:"):
        return True  # a note about a failure is not followed up
    if key.startswith("flag:"):  # flag:<id>:<step>[:<staff>]: then sent to the staff privately
        flag_id = int(key.split(":")[1])
        told = conn.execute("SELECT told_anyone FROM flags WHERE id = ?", (flag_id,)).fetchone()
        return bool(told and told[0])
    if lane == 3:
        return True  # checked above: a reminder that never arrived is missed
    found = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE dedupe_key = ?", (f"undelivered:{row_id}",)
    ).fetchone()[0]
    return found > 0
