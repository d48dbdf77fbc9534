"""Routes for `/cover` (patient-admins and admins): deputies for absent therapists. A cover
runs from the first day's midnight to the midnight after the last day, in the unit's zone;
while it runs the deputy sees the absent therapist's patients (bot/access.may_see) and is in
their care team (alerts, notes). Setting and ending a cover are audited, and the deputy and
the absent therapist are told."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.care.notify import tell_staff
from bot.turn.context import Turn
from dialogues import cover as dialogue
from dialogues import general
from dialogues.cover import CoverLine, CoverView, NewCover
from dialogues.types import Outcome, Reply
from storage import audit, cover, units
from storage import staff as staff_repo

DIALOGUE = dialogue.DIALOGUE
MANAGERS = ("patient-admin", "admin")


def cover_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    if not turn.staff.has_role(*MANAGERS):
        return Outcome(replies=(Reply(turn.t("cover.not_allowed")),))
    return dialogue.page(_view(turn), turn.t)


def _zone(turn: Turn) -> ZoneInfo:
    return ZoneInfo(units.get(turn.conn, turn.staff.unit_id).timezone)


def _view(turn: Turn) -> CoverView:
    zone = _zone(turn)
    members = staff_repo.of_unit(turn.conn, turn.staff.unit_id)
    names = {member.id: member.name for member in members}
    covers = tuple(
        CoverLine(
            id=c.id,
            absent=names.get(c.staff_id, "?"),
            deputy=names.get(c.deputy_id, "?"),
            first_day=c.starts_at.astimezone(zone).date(),
            last_day=(c.ends_at.astimezone(zone) - timedelta(microseconds=1)).date(),
            current=c.starts_at <= turn.now,
        )
        for c in cover.of_unit(turn.conn, turn.staff.unit_id, turn.now)
    )
    therapists = tuple(
        (member.id, member.name)
        for member in members
        if member.active and member.has_role("therapist")
    )
    return CoverView(
        covers=covers,
        therapists=therapists,
        today=turn.now.astimezone(zone).date(),
        language=turn.t.language,
    )


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.staff is None or not turn.staff.has_role(*MANAGERS):
        return general.stale_button(turn.t)
    outcome, change = dialogue.on_button(_view(turn), turn.state.data, action, turn.t)
    if change is None:
        return outcome
    if change.kind == "create":
        notice = _create(turn, change.value)
    else:
        notice = _end(turn, change.value)
    return dialogue.page(_view(turn), turn.t, notice)


def on_text(turn: Turn) -> Outcome:
    if turn.staff is None or not turn.staff.has_role(*MANAGERS):
        return general.bad_input("text", turn.t)
    return dialogue.on_text(_view(turn), turn.state.data, turn.incoming.text, turn.t)


def _midnight(day, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def _create(turn: Turn, new: NewCover) -> str:
    zone = _zone(turn)
    cover.add(
        turn.conn,
        staff_id=new.absent,
        deputy_id=new.deputy,
        starts_at=_midnight(new.first_day, zone),
        ends_at=_midnight(new.last_day + timedelta(days=1), zone),
        created_by=turn.staff.id,
        now=turn.now,
    )
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="cover_set",
        now=turn.now,
        absent=new.absent,
        deputy=new.deputy,
        first_day=new.first_day.isoformat(),
        last_day=new.last_day.isoformat(),
    )
    absent = staff_repo.get(turn.conn, new.absent)
    deputy = staff_repo.get(turn.conn, new.deputy)
    _tell(turn, deputy, "cover.told_deputy", new, name=escape(absent.name))
    _tell(turn, absent, "cover.told_absent", new, name=escape(deputy.name))
    return turn.t("cover.saved")


def _end(turn: Turn, cover_id: int) -> str:
    ended = cover.get(turn.conn, cover_id)
    cover.end(turn.conn, cover_id, turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="cover_ended",
        now=turn.now,
        cover=cover_id,
        absent=ended.staff_id,
        deputy=ended.deputy_id,
    )
    absent = staff_repo.get(turn.conn, ended.staff_id)
    deputy = staff_repo.get(turn.conn, ended.deputy_id)
    tell_staff(turn.conn, deputy, "cover.told_ended", turn.now, name=escape(absent.name))
    return turn.t("cover.ended")


def _tell(turn: Turn, member, key: str, new: NewCover, **params) -> None:
    """The period in the reader's own language."""
    period = dialogue.period(new.first_day, new.last_day, member.language or "sv")
    tell_staff(turn.conn, member, key, turn.now, period=period, **params)
