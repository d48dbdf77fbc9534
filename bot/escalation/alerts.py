"""Alerts about a flag: to the unit's therapist channel (the safety lane), or privately to
staff. Never silent: when the channel cannot be reached, the alert goes privately to the
unit's therapists and patient-admins, and a health warning is raised."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.care.access import care_team
from bot.i18n import Translator
from bot.render.calls import reply_call
from dialogues.types import Button, Reply
from storage import events, flags, outbox, patients, staff, units
from storage.flags import Flag
from storage.outbox import LANE_SAFETY
from storage.units import SafetySettings

log = logging.getLogger(__name__)
REPEAT_NOTE = outbox.REPEAT_NOTE

FANOUT_ROLES = ("therapist", "patient-admin")


def alert_reply(
    conn: sqlite3.Connection,
    flag: Flag,
    t: Translator,
    *,
    headline_key: str,
    mentions: list[tuple[int, str]] = (),
    readable: bool = True,
    settings: SafetySettings | None = None,
) -> Reply:
    """The alert: label, trigger(s), time; buttons to handle, hide, and (for free text) show.
    Not `readable` (a private listing for someone who may not read this flag, see
    access.may_read_flag): that the flag exists, its colour and label, and Dölj flagga only."""
    patient = patients.get(conn, flag.patient_id)
    settings = settings or units.safety_settings(conn, flag.unit_id)
    zone = ZoneInfo(settings.timezone)
    severity = t(f"flag.severity.{flag.severity}")
    lines = [t(headline_key, severity=severity, label=escape(patient.label), id=flag.id)]
    hide = Button(t("flag.button.hide"), f"flag:hide:{flag.id}", stateless=True)
    if not readable:
        lines.append(t("flag.not_readable_line"))
        return Reply("\n".join(lines), ((hide,),))
    found = flags.triggers(conn, flag.id)
    for trigger in found:
        when = trigger.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        lines.append(
            t("flag.trigger_line", summary=escape(trigger.details.get("summary", "")), time=when)
        )
    if mentions:
        lines.append(
            " ".join(f'<a href="tg://user?id={chat}">{escape(name)}</a>' for chat, name in mentions)
        )
    buttons = [Button(t("flag.button.handle"), f"flag:handle:{flag.id}", stateless=True), hide]
    if any(trigger.free_text for trigger in found):
        buttons.append(Button(t("flag.button.show"), f"flag:show:{flag.id}", stateless=True))
    return Reply("\n".join(lines), (tuple(buttons),))


def post_to_channel(
    conn: sqlite3.Connection,
    flag: Flag,
    step: str,
    language: str,
    now: datetime,
    *,
    headline_key: str = "flag.alert",
    mentions=(),
    settings: SafetySettings | None = None,
) -> bool:
    """Post in the unit's channel through the safety lane; False (and a private fan-out) when
    there is no channel or it is known to be unreachable. `settings`: the unit's, when the
    caller has read them already."""
    settings = settings or units.safety_settings(conn, flag.unit_id)
    if settings.therapist_chat_id is None or settings.channel_broken:
        if flag.severity == "red":  # amber flags wait in /flags; their triggers tell people
            why = "no_channel" if settings.therapist_chat_id is None else "channel_lost"
            fan_out_privately(conn, flag, step, now, why=why, settings=settings)
        else:
            flags.record(conn, flag.id, "no_channel", now)
        return False
    reply = alert_reply(
        conn,
        flag,
        Translator(language),
        headline_key=headline_key,
        mentions=list(mentions),
        settings=settings,
    )
    call = reply_call(
        reply, settings.therapist_chat_id, 0, lane=LANE_SAFETY, dedupe_key=f"flag:{flag.id}:{step}"
    )
    call = _repeatable(call, Translator(language))
    outbox_id = outbox.enqueue(conn, call, now)
    if step == "alert":
        flags.set_alert(conn, flag.id, outbox_id)
    flags.record(conn, flag.id, f"posted_{step}", now)
    return True


def tell_privately(
    conn: sqlite3.Connection,
    flag: Flag,
    chats: list[tuple[int, int]],
    step: str,
    now: datetime,
    *,
    headline_key: str = "flag.alert",
    settings: SafetySettings | None = None,
) -> int:
    """The alert in each of these staff members' private chats, in their language."""
    settings = settings or units.safety_settings(conn, flag.unit_id)
    for staff_id, chat_id in chats:
        member = staff.get(conn, staff_id)
        t = Translator(member.language or "sv")
        reply = alert_reply(conn, flag, t, headline_key=headline_key, settings=settings)
        call = _repeatable(
            reply_call(
                reply, chat_id, 0, lane=LANE_SAFETY, dedupe_key=f"flag:{flag.id}:{step}:{staff_id}"
            ),
            t,
        )
        outbox.enqueue(conn, call, now)
    if chats:
        flags.record(conn, flag.id, f"told_{step}", now, staff=[sid for sid, _ in chats])
    return len(chats)


def fan_out_privately(
    conn: sqlite3.Connection,
    flag: Flag,
    step: str,
    now: datetime,
    *,
    why: str = "channel_lost",
    settings: SafetySettings | None = None,
) -> None:
    """The channel cannot carry the alert (or Telegram refused it there): every therapist and
    patient-admin of the unit gets it privately, and the patient's care team (a deputy too,
    whatever their role); a missing channel is a health warning."""
    chats = units.staff_chats_with_role(conn, flag.unit_id, *FANOUT_ROLES)
    team = care_team(conn, patients.get(conn, flag.patient_id), now)
    known = {staff_id for staff_id, _ in chats}
    chats += [(m.id, m.telegram_user_id) for m in team if m.id not in known]
    told = tell_privately(conn, flag, chats, f"{step}-fanout", now, settings=settings)
    # why: "no_channel" (none registered), "channel_lost" or "alert_undelivered"
    log.error("flag %d of unit %d: %s; told %d staff privately", flag.id, flag.unit_id, why, told)
    if why != "alert_undelivered":
        events.record(conn, "channel_unreachable", now, unit=flag.unit_id, flag=flag.id)
    if told == 0:
        log.error("flag %d: no one could be told", flag.id)


def _repeatable(call, t: Translator):
    """Safety alerts are repeated after a crash in the one window Telegram leaves open (at
    least once); the note that marks such a repeat travels with the alert, in its language."""
    params = {**call.params, REPEAT_NOTE: t("flag.repeat_note")}
    return replace(call, params=params, repeat_if_unsure=True)


def channel_lost(conn: sqlite3.Connection, chat_id: int, now: datetime) -> bool:
    """The therapist channel is gone (403, bot removed): a health warning, and every alert
    still waiting for it goes privately instead. False when the chat is no unit's channel."""
    unit = units.by_channel(conn, chat_id)
    if unit is None:
        return False
    if units.set_channel_broken(conn, unit.id, now):
        log.error("unit %d: therapist channel unreachable", unit.id)
        events.record(conn, "channel_unreachable", now, unit=unit.id)
    for flag_id in outbox.flag_ids_waiting_for(conn, chat_id):
        flag = flags.get(conn, flag_id)
        if flag is not None and flag.status == "open":
            fan_out_privately(conn, flag, "resent", now)
    return True


def delivered(conn: sqlite3.Connection, outbox_id: int) -> None:
    """An outbox row was sent: if it was an alert about a flag, someone has been told."""
    flag_id = outbox.flag_of(conn, outbox_id)
    if flag_id is not None:
        flags.mark_told(conn, flag_id)


def channel_back(conn: sqlite3.Connection, chat_id: int, now: datetime) -> None:
    unit = units.by_channel(conn, chat_id)
    if unit is not None and units.set_channel_broken(conn, unit.id, None):
        events.record(conn, "channel_reachable", now, unit=unit.id)
