"""The quiet-patient flag: a patient with no activity (no turn of theirs) for the unit's
number of days (`units.quiet_days`, 10 unless changed in `/unit`) raises one amber flag to
the care team.

Each patient has one planned look (`patients.quiet_check_at`). A batch takes the due looks
(indexed) and, for each, either raises the flag or plans the next look; so a quiet spell is
flagged once, also across a crash. After the flag no look is planned until the patient is
active again: their next turn plans one (storage/treatment.py `touch`), and a later quiet
spell raises a flag again (added to the earlier flag while that is still open, like every
amber flag of one kind: bot/escalation/flags.py). Activity does not handle the flag: a
person does, and the overview shows when the patient was last active.

The quiet days count from the latest of: the patient's last turn (or their start), the
opening of the current module, and the end of a reminder pause. No flag, and a look again
a day later, while the patient
- is paused (`/pause`): the look is planned at the pause's end;
- waits for the therapist to open the next module: the current module is finished
  (`module_progress.finished_at`). Where the next module opens by itself after a week, it
  opens at the patient's next visit, so that counts as waiting too: a patient who finished
  a module and then went quiet raises no flag until the next module is open;
- cannot be reached (blocked the bot: that has its own amber flag);
- is in self-help mode and staff do not follow them (bot/care/self_help.py `staff_follow`).
A patient without an active enrollment (in maintenance, or after the end) has no look:
nobody follows up a quiet spell there.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.care.self_help import mode_is_self_help, staff_follow
from bot.containment import each_contained
from bot.escalation.flags import TriggerInfo, raise_flag
from bot.escalation.triggers import QUIET
from bot.i18n import Translator
from storage import events, patients, quiet_checks, units
from storage.quiet_checks import QuietCheck

BATCH_SIZE = 200
LOOK_AGAIN = timedelta(days=1)  # while the flag is held back (waiting, unreachable, ...)


def quiet_since(check: QuietCheck, now: datetime) -> datetime:
    """Since when the patient counts as quiet: the latest of their last activity, the
    current module's opening and the end of a past pause."""
    moments = [check.active_since]
    if check.module_started_at is not None:
        moments.append(check.module_started_at)
    if check.paused_until is not None and check.paused_until <= now:
        moments.append(check.paused_until)
    return max(moments)


def run_batch(
    conn: sqlite3.Connection,
    now: datetime,
    language: str,
    limit: int = BATCH_SIZE,
    self_help_programs: frozenset[str] = frozenset(),
) -> int:
    due = quiet_checks.due(conn, now, limit)
    t = Translator(language)
    each_contained(
        conn,
        due,
        lambda check: _look(conn, check, now, t, self_help_programs),
        # a look that failed is tried again tomorrow, not at every tick
        set_aside=lambda check: quiet_checks.plan(conn, check.patient_id, now + LOOK_AGAIN),
        what="quiet patient: patient",
        id_of=lambda check: check.patient_id,
    )
    return len(due)


def _look(
    conn: sqlite3.Connection,
    check: QuietCheck,
    now: datetime,
    t: Translator,
    self_help_programs: frozenset[str],
) -> None:
    if check.enrollment_id is None:
        quiet_checks.plan(conn, check.patient_id, None)  # no treatment to be quiet in
        return
    if check.paused_until is not None and check.paused_until > now:
        quiet_checks.plan(conn, check.patient_id, check.paused_until)
        return
    since = quiet_since(check, now)
    quiet_at = since + timedelta(days=check.quiet_days)
    if quiet_at > now:
        quiet_checks.plan(conn, check.patient_id, quiet_at)
        return
    if (
        check.module_finished
        or check.unreachable
        or _self_help_unfollowed(conn, check, self_help_programs)
    ):
        quiet_checks.plan(conn, check.patient_id, now + LOOK_AGAIN)
        return
    _raise(conn, check, since, now, t)
    quiet_checks.plan(conn, check.patient_id, None)  # until the patient is active again


def _self_help_unfollowed(
    conn: sqlite3.Connection, check: QuietCheck, self_help_programs: frozenset[str]
) -> bool:
    self_help = mode_is_self_help(check.mode, check.program, self_help_programs)
    return self_help and not staff_follow(conn, check.patient_id)


def _raise(
    conn: sqlite3.Connection, check: QuietCheck, since: datetime, now: datetime, t: Translator
) -> None:
    days = (now - since).days
    zone = ZoneInfo(units.get(conn, check.unit_id).timezone)
    when = format_date(since.astimezone(zone), "d MMMM", locale=t.language)
    events.record(conn, "patient_quiet", now, patient_id=check.patient_id, days=days)
    trigger = TriggerInfo(
        QUIET,
        t("flag.trigger.quiet", days=days, since=when),
        {"days": days, "since": since.isoformat()},
    )
    raise_flag(conn, patients.get(conn, check.patient_id), trigger, now, t.language)
