"""Never silent: each loop contains a failure to the one item that caused it, a dead or hung
loop makes the process exit, and a message given up is told to someone."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot import supervisor as supervisor_module
from bot.clock import FixedClock
from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import World as EmulatedTelegram
from bot.reminders.tick import Ticker
from bot.supervisor import Supervisor
from bot.telegram import polling
from bot.telegram.polling import InboxPoller
from bot.telegram.sender import MAX_ATTEMPTS, Sender
from storage import inbox, outbox
from storage.database import Database, run_in_transaction
from storage.timefmt import to_db
from tests.bot.conftest import START as NOW
from tests.bot.staff_helpers import enroll

TOKEN = "123456789:AAEmulatorDemoTokenNotForRealUse_000"


# ---- the supervisor -----------------------------------------------------------------------


@pytest.fixture
def watch_often(monkeypatch):
    """The supervisor looks every 10 ms instead of every second (its waits are real time)."""
    monkeypatch.setattr(supervisor_module, "WATCH_EVERY_SECONDS", 0.01)


async def test_a_loop_that_ends_makes_the_process_exit_after_the_grace(caplog, watch_often):
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=0.2)

    async def dies():
        raise ValueError("a person's text")

    async def lives():
        while True:
            supervisor.heartbeat("lives").beat()
            await asyncio.sleep(0.01)

    supervisor.start("dies", dies)
    supervisor.start("lives", lives)
    started = time.monotonic()
    clean = await asyncio.wait_for(supervisor.watch(asyncio.Event()), timeout=10)
    await supervisor.stop_all()
    assert clean is False
    assert time.monotonic() - started >= 0.2  # the grace: the other loops could still send
    assert supervisor.status()["problems"] == ["dies ended"]
    critical = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert critical and "ValueError" in critical[0].getMessage()
    assert all("a person's text" not in r.getMessage() for r in caplog.records)


async def test_a_hung_loop_makes_the_process_exit(watch_often):
    supervisor = Supervisor(hung_after_seconds=0.2, exit_grace_seconds=0)

    async def hangs():
        await asyncio.Event().wait()  # never beats again

    supervisor.start("hangs", hangs)
    clean = await asyncio.wait_for(supervisor.watch(asyncio.Event()), timeout=10)
    await supervisor.stop_all()
    assert clean is False
    assert supervisor.status()["problems"] == ["hangs hung"]


async def test_beating_loops_run_until_stopped(watch_often):
    supervisor = Supervisor(hung_after_seconds=0.3, exit_grace_seconds=0)
    stop = asyncio.Event()

    async def beats():
        while True:
            supervisor.heartbeat("beats").beat()
            await asyncio.sleep(0.02)

    supervisor.start("beats", beats)
    asyncio.get_running_loop().call_later(0.8, stop.set)
    assert await asyncio.wait_for(supervisor.watch(stop), timeout=10) is True
    assert supervisor.healthy
    await supervisor.stop_all()


# ---- the poller -----------------------------------------------------------------------------


class _Telegram:
    """Stands in for Telegram's getUpdates (raw JSON, as the poller asks for it) and PTB's
    dispatch: records which updates reached the handlers."""

    def __init__(self, batches, fail_on=()):
        self.batches = list(batches)
        self.offsets = []
        self.handled = []
        self.fail_on = set(fail_on)
        self.bot = self
        self.bot_data = {}  # no runtime: the poller closes every update itself
        self.webhook_deletes = []

    async def do_api_request(self, method, api_kwargs=None, **_):
        if method == "deleteWebhook":  # polling's start: what waits for a webhook is kept
            self.webhook_deletes.append(api_kwargs)
            return True
        assert method == "getUpdates"
        self.offsets.append(api_kwargs["offset"])
        if self.batches:
            return self.batches.pop(0)
        await asyncio.sleep(0.01)
        return []

    async def process_update(self, update):
        if update.update_id in self.fail_on:
            raise RuntimeError("jag vill inte leva")  # never in the log
        self.handled.append(update.update_id)


def _message(update_id, chat, text):
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1764576000,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "A"},
            "text": text,
        },
    }


def _press_without_chat_instance(update_id, chat):
    return {
        "update_id": update_id,
        "callback_query": {
            "id": "q1",
            "from": {"id": chat, "is_bot": False, "first_name": "A"},
            "data": "1|next",
        },
    }


async def _run_poller(tmp_path, telegram, until):
    database = await Database.open(tmp_path / "bot.db")
    poller = InboxPoller(telegram, database, FixedClock(NOW))
    task = asyncio.create_task(poller.run())
    try:
        deadline = time.monotonic() + 10
        while not until():
            assert time.monotonic() < deadline, "timed out"
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return database


async def test_an_update_that_cannot_be_parsed_is_set_aside_alone(tmp_path, caplog):
    telegram = _Telegram(
        [[_message(1, 10, "hej"), _press_without_chat_instance(2, 10), _message(3, 10, "hallå")]]
    )
    database = await _run_poller(
        tmp_path, telegram, lambda: telegram.handled == [1, 3] and 4 in telegram.offsets
    )
    rows = await database.call(
        lambda conn: [
            dict(row) for row in conn.execute("SELECT * FROM inbox WHERE update_id = 2").fetchall()
        ]
    )
    await database.close()
    assert rows[0]["payload_json"] is None and rows[0]["processed_at"] is not None
    assert json.loads(rows[0]["update_keys"]) == ["callback_query", "update_id"]
    assert rows[0]["error_type"]
    assert 4 in telegram.offsets  # the offset moved past the set-aside update
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("update 2" in e and "set aside" in e for e in errors)


async def test_an_update_whose_handling_fails_is_set_aside_and_the_loop_goes_on(tmp_path, caplog):
    telegram = _Telegram(
        [[_message(1, 10, "a"), _message(2, 11, "b")], [_message(3, 10, "c")]], fail_on={1}
    )
    database = await _run_poller(tmp_path, telegram, lambda: telegram.handled == [2, 3])
    count = await database.call(inbox.set_aside_count)
    await database.close()
    assert count == 1
    assert all("jag vill inte leva" not in r.getMessage() for r in caplog.records)


async def test_refusals_of_get_updates_are_waited_out(tmp_path, caplog, monkeypatch):
    from telegram.error import Conflict, NetworkError

    monkeypatch.setattr("bot.telegram.polling.BACKOFF_SECONDS", (0.01,))
    telegram = _Telegram([])
    answers = [Conflict("terminated by other getUpdates request"), NetworkError("bad gateway")]
    original = telegram.do_api_request

    async def flaky(method, api_kwargs=None, **kwargs):
        if answers and method == "getUpdates":
            raise answers.pop(0)
        return await original(method, api_kwargs, **kwargs)

    telegram.do_api_request = flaky
    telegram.batches = [[_message(1, 10, "hej")]]
    database = await _run_poller(tmp_path, telegram, lambda: telegram.handled == [1])
    await database.close()
    assert any("Conflict" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    # At the start and again after the Conflict (a webhook may have been set): nothing dropped.
    assert telegram.webhook_deletes == [{"drop_pending_updates": False}] * 2


def test_one_chats_flood_queues_behind_itself_and_a_crisis_chat_goes_first(tmp_path):
    from bot.telegram.polling import has_crisis_terms
    from storage.database import connect_sync, migrate_sync, run_in_transaction

    conn = connect_sync(tmp_path / "bot.db")
    migrate_sync(conn)
    flood = [_message(n, 10, f"spam {n}") for n in range(1, 51)]
    others = [_message(51, 11, "hej"), _message(52, 12, "jag vill inte leva längre")]
    run_in_transaction(
        conn, lambda c: inbox.add(c, flood + others, NOW, is_urgent=has_crisis_terms)
    )
    order = [update_id for update_id, _ in inbox.unprocessed(conn, limit=4)]
    assert order == [52, 1, 51, 2]


# ---- the sender -----------------------------------------------------------------------------


@pytest.fixture
async def rig(tmp_path):
    telegram = EmulatedTelegram(bot_id=123456789, now=lambda: NOW)
    server = EmulatorServer(telegram, TOKEN)
    await server.start()
    database = await Database.open(tmp_path / "bot.db")
    bot = Bot(TOKEN, base_url=server.api_base_url, request=HTTPXRequest(read_timeout=5))
    await bot.initialize()
    sender = Sender(bot, database, FixedClock(NOW), 0.05)
    task = asyncio.create_task(sender.run())
    yield telegram, database, sender
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await bot.shutdown()
    await database.close()
    await server.stop()


async def _until(read, seconds=15.0):
    deadline = time.monotonic() + seconds
    while not await read():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def _statuses(database):
    return await database.call(
        lambda conn: {
            row["id"]: (row["status"], row["last_error"])
            for row in conn.execute("SELECT id, status, last_error FROM outbox")
        }
    )


async def test_a_row_that_fails_unforeseen_is_set_aside_and_its_chat_goes_on(rig, caplog):
    telegram, database, sender = rig
    alice = telegram.user("alice").id
    poisoned = outbox.OutgoingCall(alice, "sendPhoto", {"chart": "not a chart", "caption": ""})
    calls = [outbox.OutgoingCall(alice, "sendMessage", {"text": "efter"})]
    ids = await database.transaction(
        lambda conn: [outbox.enqueue(conn, c, NOW) for c in [poisoned, *calls]]
    )
    sender.wake()

    async def done():
        statuses = await _statuses(database)
        return statuses[ids[1]][0] == "sent"

    await _until(done)
    # The chart could not be drawn: its text went instead (here an empty caption: "…").
    statuses = await _statuses(database)
    assert statuses[ids[0]][0] == "sent"
    assert any("chart not drawn" in r.getMessage() for r in caplog.records)


async def test_a_message_refused_by_telegram_is_given_up_and_reported(rig, caplog):
    telegram, database, sender = rig
    alice = telegram.user("alice").id
    # A Bad Request (here: no text at all) is refused, never retried.
    refused = outbox.OutgoingCall(alice, "sendMessage", {"text": ""})
    after = outbox.OutgoingCall(alice, "sendMessage", {"text": "nästa"})
    ids = await database.transaction(
        lambda conn: [outbox.enqueue(conn, c, NOW) for c in (refused, after)]
    )
    sender.wake()

    async def done():
        return (await _statuses(database))[ids[1]][0] == "sent"

    await _until(done)
    statuses = await _statuses(database)
    assert statuses[ids[0]] == ("failed", "bad_request")
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"outbox {ids[0]}" in e and "given up" in e for e in errors)
    # The person hears that the answer could not be shown.
    notes = await database.call(
        lambda conn: conn.execute(
            "SELECT payload_json FROM outbox WHERE dedupe_key = ?", (f"undelivered:{ids[0]}",)
        ).fetchall()
    )
    assert len(notes) == 1


def _make_due(chat, label, when):
    """The patient's schedules all due at `when` (as if their times had come)."""
    chat.conn.execute(
        "UPDATE schedules SET next_due_at = ?, next_occurrence = ? WHERE patient_id ="
        " (SELECT id FROM patients WHERE label = ?)",
        (to_db(when), to_db(when), label),
    )


def test_given_up_after_its_retries_a_reminder_is_missed_and_a_safety_message_told(chat, therapist):
    """Straight through the giving-up path (the retries themselves take real time, and the
    reminders scripts show them): the reminder missed, the care team told."""
    from bot.escalation.undelivered import on_given_up
    from bot.reminders import tick

    alice = enroll(chat, therapist, "P1", 200)
    _make_due(chat, "P1", NOW - timedelta(minutes=1))
    run_in_transaction(chat.conn, lambda c: tick.run_batch(c, NOW))
    reminder_id = chat.conn.execute("SELECT MIN(id) FROM reminders").fetchone()[0]
    # all the patient's reminders due at once: one shared message, "reminders:<ids>:first"
    key = chat.conn.execute(
        "SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE ?", (f"reminders:{reminder_id},%",)
    ).fetchone()[0]

    def give_up(call):
        def work(conn):
            row_id = outbox.enqueue(conn, call, NOW)
            row = outbox.OutboxRow(
                row_id,
                call.chat_id,
                call.method,
                call.params,
                call.lane,
                "sending",
                MAX_ATTEMPTS - 1,
                False,
                False,
            )
            outbox.mark_failed(conn, row, "network", NOW)
            on_given_up(conn, row, NOW)

        run_in_transaction(chat.conn, work)

    reminder = outbox.OutgoingCall(
        alice,
        "sendMessage",
        {"text": "påminnelse"},
        lane=outbox.LANE_REMINDER,
        dedupe_key=key + ":again",
    )
    give_up(reminder)
    statuses = {row[0] for row in chat.conn.execute("SELECT status FROM reminders")}
    assert statuses == {"missed"}  # each reminder of the shared message

    before = len(chat.texts(therapist))
    give_up(outbox.OutgoingCall(alice, "sendMessage", {"text": "112"}, lane=outbox.LANE_SAFETY))
    told = chat.texts(therapist)[before:]
    assert len(told) == 1 and "P1" in told[0]


# ---- the tick -------------------------------------------------------------------------------


async def test_a_failing_batch_is_logged_and_the_other_batches_still_run(tmp_path, caplog):
    database = await Database.open(tmp_path / "bot.db")
    ran = []

    def broken(conn, now):
        raise KeyError("patient text")

    def works(conn, now):
        ran.append(now)
        return 0

    ticker = Ticker(
        database, FixedClock(NOW), 0.01, lambda: None, batches=[(broken, 10), (works, 10)]
    )
    await ticker.tick()
    await database.close()
    assert ran == [NOW]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("broken" in e and "KeyError" in e for e in errors)
    assert all("patient text" not in e for e in errors)


def test_a_poisoned_schedule_is_set_aside_and_the_others_are_sent(
    chat, therapist, caplog, monkeypatch
):
    from bot.reminders import tick

    for number in (1, 2, 3):
        enroll(chat, therapist, f"P{number}", 200 + number)
        _make_due(chat, f"P{number}", NOW - timedelta(minutes=1))
    due = [row[0] for row in chat.conn.execute("SELECT id FROM schedules ORDER BY id")]
    poisoned = due[1]
    original, original_shared = tick.messages.reminder_call, tick.messages.shared_call

    def reminder_call(target, *args, **kwargs):
        if target.schedule.id == poisoned:
            raise ValueError("boom")
        return original(target, *args, **kwargs)

    def shared_call(parts, **kwargs):
        if any(target.schedule.id == poisoned for target, _ in parts):
            raise ValueError("boom")
        return original_shared(parts, **kwargs)

    monkeypatch.setattr(tick.messages, "reminder_call", reminder_call)
    monkeypatch.setattr(tick.messages, "shared_call", shared_call)
    run_in_transaction(chat.conn, lambda c: tick.run_batch(c, NOW))
    queued = chat.conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE lane = ?", (outbox.LANE_REMINDER,)
    ).fetchone()[0]
    # written again one schedule at a time: each reminder its own message, but the poisoned
    assert queued == len(due) - 1
    aside = chat.conn.execute(
        "SELECT next_due_at FROM schedules WHERE id = ?", (poisoned,)
    ).fetchone()[0]
    assert aside is None
    opened = chat.conn.execute(
        "SELECT COUNT(*) FROM reminders WHERE schedule_id = ?", (poisoned,)
    ).fetchone()[0]
    assert opened == 0  # its part of the batch was rolled back alone
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"schedule {poisoned} set aside" in e for e in errors)


# ---- a failed turn still raises its flag --------------------------------------------------


def _buttons(chat, user_id):
    """The newest message's buttons in this chat: [(label, callback data)]."""
    for row in reversed(chat.outbox(user_id)):
        markup = row["params"].get("reply_markup")
        if markup:
            return [
                (b["text"], b["callback_data"])
                for r in json.loads(markup)["inline_keyboard"]
                for b in r
                if "callback_data" in b
            ]
    return []


def _after_failure(chat, user_id, incoming, data=None):
    from bot.turn.after_failure import raise_what_the_update_carried
    from bot.turn.context import TurnInput

    turn_input = TurnInput(
        update_id=9999,
        user_id=user_id,
        chat_id=user_id,
        language_code="sv",
        incoming=incoming,
        callback_data=data,
    )
    return run_in_transaction(
        chat.conn, lambda c: raise_what_the_update_carried(c, chat.world, turn_input, NOW)
    )


def _red_flags(chat):
    return chat.conn.execute("SELECT COUNT(*) FROM flags WHERE severity = 'red'").fetchone()[0]


def test_after_a_failed_turn_a_crisis_text_still_raises_its_flag(chat, therapist):
    from dialogues.types import Incoming

    alice = enroll(chat, therapist, "P1", 200)
    assert _after_failure(chat, alice, Incoming(kind="text", text="hej")) is False
    assert _red_flags(chat) == 0
    raised = _after_failure(chat, alice, Incoming(kind="text", text="jag vill inte leva längre"))
    assert raised and _red_flags(chat) == 1
    assert "112" in chat.last_text(alice)  # the safety message is queued at once


def test_after_a_failed_turn_a_risk_answer_still_raises_its_flag(chat, therapist):
    from dialogues.types import Incoming
    from tests.bot.commands import COMMANDS

    alice = enroll(chat, therapist, "P1", 200)
    chat.command(COMMANDS["measure"], therapist, "measure", "P1", "phq9")
    chat.command(COMMANDS["forms"], alice, "forms")
    for _ in range(8):  # q1..q8: the first answer ("not at all")
        label, _ = _buttons(chat, alice)[0]
        chat.press(alice, label)
    risky = [data for _, data in _buttons(chat, alice) if ":a:q9:" in f":{data.split('|')[1]}"]
    harmless, risk = risky[0], risky[1]
    assert _after_failure(chat, alice, Incoming(kind="button"), harmless) is False
    assert _red_flags(chat) == 0
    assert _after_failure(chat, alice, Incoming(kind="button"), risk) is True
    assert _red_flags(chat) == 1
    # A stale press (an old revision) carries no answer.
    stale = "0|" + risk.split("|", 1)[1]
    assert _after_failure(chat, alice, Incoming(kind="button"), stale) is False


def test_after_a_crisis_text_the_safety_message_stands_alone(chat, therapist):
    """At a step without an exercise, no "this step has no exercise" and no step again after
    the safety message; the text still raises its flag."""
    from bot.i18n import Translator

    alice = enroll(chat, therapist, "P1", 200)
    before = len(chat.texts(alice))
    chat.text(alice, "jag vill inte leva längre")
    after = chat.texts(alice)[before:]
    assert len(after) == 1 and "112" in after[0]
    assert Translator("sv")("module.no_text_here") not in after[0]
    assert _red_flags(chat) == 1


def test_a_strangers_crisis_edit_gets_the_crisis_contacts(chat):
    from bot.router import edited
    from dialogues.types import Incoming

    chat.turn(edited, 300, Incoming(kind="edited", text="hej"))
    assert chat.texts(300) == []  # an ordinary edit from a stranger changes nothing
    chat.turn(edited, 300, Incoming(kind="edited", text="jag vill ta livet av mig"))
    assert "90101" in chat.last_text(300)


# ---- found in review -----------------------------------------------------------------------


async def test_a_crisis_note_is_flagged_once(tmp_path):
    """Through the real handlers: /notes screens its own words, so they are read once."""
    from tests.harness.inprocess import InProcessBot

    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(100, "Anna")
        alice = await bot.enrol_patient(anna, 200, "P1")
        before = len(bot.texts(alice))
        await bot.command(alice, "notes", "jag", "vill", "inte", "leva", "längre")
        assert bot.count("flag_triggers") == 1
        assert sum("112" in text for text in bot.texts(alice)[before:]) == 1
    finally:
        await bot.close()


def test_a_patients_safety_message_goes_in_the_safety_lane_and_if_lost_the_team_hears(
    chat, therapist
):
    from bot.escalation.undelivered import on_given_up

    alice = enroll(chat, therapist, "P1", 200)
    chat.text(alice, "jag vill inte leva längre")
    row = chat.conn.execute(
        "SELECT * FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", (alice,)
    ).fetchone()
    assert row["lane"] == outbox.LANE_SAFETY and "112" in json.loads(row["payload_json"])["text"]
    before = len(chat.texts(therapist))
    given_up = outbox.OutboxRow(
        row["id"], alice, "sendMessage", {}, row["lane"], "sending", 6, False, False
    )
    run_in_transaction(chat.conn, lambda c: on_given_up(c, given_up, NOW))
    told = chat.texts(therapist)[before:]
    assert len(told) == 1 and "P1" in told[0]


async def test_an_update_nothing_of_which_could_be_stored_stays_in_the_inbox(tmp_path, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(polling, "BACKOFF_SECONDS", (0.01,))

    telegram = _Telegram([[_message(1, 10, "jag vill inte leva"), _message(2, 11, "hej")]])
    telegram.bot_data["runtime"] = SimpleNamespace(unfinished_updates={1}, closed_updates=set())
    database = await _run_poller(tmp_path, telegram, lambda: 2 in telegram.handled)
    await database.close()
    # Not closed with nothing done: handled again (the second time it went through).
    assert telegram.handled.count(1) == 2


async def test_a_send_that_cannot_be_recorded_ends_the_loop_and_stays_sending(rig, monkeypatch):
    from bot.telegram.sender import NotRecorded

    telegram, database, sender = rig
    alice = telegram.user("alice").id

    async def broken(row, message_id):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sender, "_finish_sent", broken)
    task = asyncio.create_task(sender.run())
    row_id = await database.transaction(
        lambda conn: outbox.enqueue(
            conn, outbox.OutgoingCall(alice, "sendMessage", {"text": "hej"}), NOW
        )
    )
    sender.wake()
    with pytest.raises(NotRecorded):
        await asyncio.wait_for(task, timeout=15)
    status = (await _statuses(database))[row_id][0]
    assert status == "sending"  # not given up: it may have been delivered


def test_a_schedule_that_cannot_even_be_planned_is_set_aside(chat, therapist, monkeypatch):
    from bot.reminders import tick

    for number in (1, 2):
        enroll(chat, therapist, f"P{number}", 200 + number)
        _make_due(chat, f"P{number}", NOW - timedelta(minutes=1))
    due = [row[0] for row in chat.conn.execute("SELECT id FROM schedules ORDER BY id")]
    original = tick.occurrence_to_send

    def occurrence_to_send(target, now):
        if target.schedule.id == due[0]:
            raise ZoneInfoNotFound()
        return original(target, now)

    class ZoneInfoNotFound(Exception):
        pass

    monkeypatch.setattr(tick, "occurrence_to_send", occurrence_to_send)
    run_in_transaction(chat.conn, lambda c: tick.run_batch(c, NOW))
    queued = chat.conn.execute("SELECT COUNT(*) FROM reminders").fetchone()[0]
    assert queued == len(due) - 1
    messages = chat.conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE lane = ?", (outbox.LANE_REMINDER,)
    ).fetchone()[0]
    assert messages == 2  # one per patient: their reminders due at once share it


def test_an_unknown_commands_words_are_read_for_risk(chat, therapist):
    from bot import router
    from dialogues.types import Incoming
    from storage import flags
    from tests.bot.test_enrollment_turns import enrolled

    patient = enrolled(chat, therapist)
    chat.turn(
        router.unknown_command,
        patient,
        Incoming(kind="command", command="hjalp", args=("jag", "vill", "inte", "leva")),
    )
    assert flags.open_red_of(chat.conn, 1) is not None
