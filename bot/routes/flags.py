"""Routes for flags: the alert's buttons (Omhänderta, Dölj flagga, Visa), the private
comment that marks a flag handled, and `/flags`. Only staff of the patient's unit may act
on a flag; its text (Visa) and handling it (Omhänderta) only those who may read it
(access.may_read_flag); every action is audited."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.care.access import may_read_flag
from bot.escalation.alerts import alert_reply
from bot.i18n import Translator
from bot.render.calls import reply_call
from bot.render.message_parts import PART_LIMIT, fits
from bot.turn.context import Turn
from dialogues.numbers import parse_id
from dialogues.types import Outcome, Reply
from storage import audit, dialogue_state, flags, outbox, patients, units
from storage import staff as staff_repo
from storage.dialogue_state import DialogueState
from storage.flags import Flag
from storage.outbox import LANE_SAFETY, LANE_STAFF

DIALOGUE = "flag_comment"
MAX_COMMENT_CHARS = 1000


def flag_button(turn: Turn, rest: str) -> Outcome:
    """`flag:handle:<id>`, `flag:hide:<id>`, `flag:show:<id>`, from the channel or a chat."""
    action, _, raw_id = rest.partition(":")
    flag_id = parse_id(raw_id)
    flag = flags.get(turn.conn, flag_id) if flag_id else None
    member = turn.staff
    if flag is None or action not in ("handle", "hide", "show"):
        return Outcome(toast=turn.t("flag.unknown"))
    if member is None or member.unit_id != flag.unit_id:
        return Outcome(toast=turn.t("flag.not_yours"))
    if action in ("handle", "show") and not _may_read(turn, flag):
        audit.record(
            turn.conn,
            staff_id=member.id,
            action="flag_text_refused",
            now=turn.now,
            patient_id=flag.patient_id,
            flag=flag.id,
            button=action,
        )
        return Outcome(toast=turn.t("flag.not_readable"))
    if action == "handle":
        return _ask_comment(turn, flag)
    if action == "hide":
        return _hide(turn, flag)
    return _show(turn, flag)


def _ask_comment(turn: Turn, flag: Flag) -> Outcome:
    if flag.status == "handled":
        return Outcome(toast=turn.t("flag.already_handled"))
    chat = turn.staff.telegram_user_id  # the comment is asked for privately
    waiting = DialogueState(DIALOGUE, {"flag": flag.id, "awaiting": "comment"})
    dialogue_state.save(turn.conn, chat, waiting, turn.now)
    prompt = Reply(turn.t("flag.ask_comment", id=flag.id))
    outbox.enqueue(turn.conn, reply_call(prompt, chat, 0, lane=LANE_STAFF), turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="flag_handling_started",
        now=turn.now,
        patient_id=flag.patient_id,
        flag=flag.id,
    )
    return Outcome(toast=turn.t("flag.asked_privately"))


def on_text(turn: Turn) -> Outcome:
    """The comment: the flag is handled, and the channel's alert says by whom and when."""
    flag = flags.get(turn.conn, turn.state.data.get("flag", 0))
    done = Outcome(dialogue=DIALOGUE, data={})
    if turn.staff is None or flag is None or flag.unit_id != turn.staff.unit_id:
        return done.then(Outcome(replies=(Reply(turn.t("flag.unknown")),)))
    if not _may_read(turn, flag):  # access may have changed since Omhänderta was pressed
        return done.then(Outcome(replies=(Reply(turn.t("flag.not_readable")),)))
    comment = turn.incoming.text.strip()[:MAX_COMMENT_CHARS]
    if not comment:
        return Outcome(replies=(Reply(turn.t("flag.ask_comment", id=flag.id)),))
    if not flags.handle(turn.conn, flag.id, turn.staff.id, comment, turn.now):
        return done.then(Outcome(replies=(Reply(turn.t("flag.already_handled")),)))
    flags.record(turn.conn, flag.id, "handled", turn.now, staff=turn.staff.id)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="flag_handled",
        now=turn.now,
        patient_id=flag.patient_id,
        flag=flag.id,
    )
    _mark_handled_in_channel(turn, flags.get(turn.conn, flag.id))
    return done.then(Outcome(replies=(Reply(turn.t("flag.handled_thanks", id=flag.id)),)))


def _mark_handled_in_channel(turn: Turn, flag: Flag) -> None:
    settings = units.safety_settings(turn.conn, flag.unit_id)
    if settings.therapist_chat_id is None or settings.channel_broken:
        return
    t = Translator(turn.world.default_language)
    note = _handled_note(turn, flag, t, settings.timezone)
    message_id = outbox.sent_message_id(turn.conn, flag.alert_outbox_id or 0)
    alert = alert_reply(turn.conn, flag, t, headline_key="flag.alert")
    if message_id is not None:
        edited = Reply(alert.text + "\n\n" + note, _without_handle(alert), edit_pressed=True)
        call = reply_call(
            edited, settings.therapist_chat_id, 0, lane=LANE_SAFETY, pressed_message_id=message_id
        )
    else:
        call = reply_call(Reply(note), settings.therapist_chat_id, 0, lane=LANE_SAFETY)
    outbox.enqueue(turn.conn, call, turn.now)


def _handled_note(turn: Turn, flag: Flag, t: Translator, zone: str) -> str:
    member = staff_repo.get(turn.conn, flag.handled_by)
    when = _local(flag.handled_at, zone)
    return t("flag.handled_by", name=escape(member.name), time=when)


def _without_handle(alert: Reply):
    """The alert's buttons once handled: no Omhänderta."""
    return tuple(
        tuple(button for button in buttons if not button.action.startswith("flag:handle:"))
        for buttons in alert.buttons
    )


def _hide(turn: Turn, flag: Flag) -> Outcome:
    if flag.severity == "red" and flag.status != "handled":
        return Outcome(toast=turn.t("flag.red_hide_needs_handling"))
    flags.hide(turn.conn, flag.id)
    flags.record(turn.conn, flag.id, "hidden", turn.now, staff=turn.staff.id)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="flag_hidden",
        now=turn.now,
        patient_id=flag.patient_id,
        flag=flag.id,
    )
    return Outcome(toast=turn.t("flag.hidden"))


def _show(turn: Turn, flag: Flag) -> Outcome:
    texts = [
        trigger.free_text for trigger in flags.triggers(turn.conn, flag.id) if trigger.free_text
    ]
    if not texts:
        return Outcome(toast=turn.t("flag.no_text"))
    heading = turn.t("flag.text_heading", id=flag.id)
    bodies = [f"<i>{escape(text)}</i>" for text in texts]
    whole = heading + "\n\n" + "\n\n".join(bodies)
    # Texts too long for one message together: the heading, then each text in a message of
    # its own (rendering splits one that is still too long), so each text begins a message.
    # All are queued here, in this transaction, before the toast says they were sent.
    notes = [whole] if fits(whole, PART_LIMIT) else [heading, *bodies]
    for note in notes:
        call = reply_call(Reply(note), turn.staff.telegram_user_id, 0, lane=LANE_STAFF)
        outbox.enqueue(turn.conn, call, turn.now)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="flag_text_viewed",
        now=turn.now,
        patient_id=flag.patient_id,
        flag=flag.id,
    )
    return Outcome(toast=turn.t("flag.sent_privately"))


def flags_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    listed = flags.listed(turn.conn, turn.staff.unit_id)
    audit.record(turn.conn, staff_id=turn.staff.id, action="flags_listed", now=turn.now)
    if not listed:
        return Outcome(replies=(Reply(turn.t("flag.none")),))
    replies = []
    for flag in listed:
        readable = _may_read(turn, flag)
        alert = alert_reply(turn.conn, flag, turn.t, headline_key="flag.alert", readable=readable)
        text = alert.text if flag.told_anyone else turn.t("flag.no_one_told") + "\n" + alert.text
        replies.append(Reply(text, alert.buttons))
    return Outcome(replies=tuple(replies))


def _may_read(turn: Turn, flag: Flag) -> bool:
    return may_read_flag(turn.conn, turn.staff, patients.get(turn.conn, flag.patient_id), turn.now)


def _local(moment: datetime | None, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") if moment else ""
