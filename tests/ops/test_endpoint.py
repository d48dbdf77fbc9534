"""The operations endpoint against a real database and a real supervisor: /healthz follows
the loops' heartbeats (503 once one has died), /readyz the database and the loops, /metrics
shows counters and the database's gauges with no patient data."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from telegram.error import BadRequest, RetryAfter, TimedOut

from bot.clock import FixedClock
from bot.ops import metrics
from bot.ops.endpoint import OpsEndpoint
from bot.supervisor import Supervisor
from storage.database import Database, connect_sync, migrate_sync
from storage.timefmt import to_db

NOW = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
CHAT = 987654321  # a patient's chat id: must appear in no answer
LABEL = "P-Kerstin"


@pytest.fixture
async def rig(tmp_path):
    database = await Database.open(tmp_path / "bot.sqlite3")
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=30)
    endpoint = OpsEndpoint(supervisor, database, FixedClock(NOW), port=0)
    await endpoint.start()
    session = aiohttp.ClientSession(f"http://127.0.0.1:{endpoint.port}")
    try:
        yield supervisor, database, session
    finally:
        await session.close()
        await endpoint.stop()
        await supervisor.stop_all()
        await database.close()


async def _get(session, path):
    async with session.get(path) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


async def _beating(supervisor, name):
    async def loop():
        while True:
            supervisor.heartbeat(name).beat()
            await asyncio.sleep(0.01)

    return loop


async def test_healthz_is_200_while_the_loops_beat_and_503_naming_one_that_died(rig):
    supervisor, _, session = rig
    supervisor.start("poller", await _beating(supervisor, "poller"))

    async def sender():
        await asyncio.sleep(0.05)
        raise RuntimeError("a bug")

    supervisor.start("sender", sender)
    status, body = await _get(session, "/healthz")
    assert status == 200
    assert body["healthy"] is True
    assert set(body["loops"]) == {"poller", "sender"}

    await asyncio.sleep(0.2)  # the sender has died; the watch has not looked yet
    status, body = await _get(session, "/healthz")
    assert status == 503
    assert body["healthy"] is False
    assert body["problems"] == ["sender ended"]


async def test_healthz_is_503_for_a_loop_silent_past_its_limit(tmp_path):
    database = await Database.open(tmp_path / "bot.sqlite3")
    supervisor = Supervisor(hung_after_seconds=0.1, exit_grace_seconds=30)
    endpoint = OpsEndpoint(supervisor, database, FixedClock(NOW), port=0)
    await endpoint.start()

    async def hangs():
        await asyncio.Event().wait()

    supervisor.start("poller", hangs)
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{endpoint.port}") as session:
            await asyncio.sleep(0.2)
            status, body = await _get(session, "/healthz")
    finally:
        await endpoint.stop()
        await supervisor.stop_all()
        await database.close()
    assert status == 503
    assert body["problems"] == ["poller hung"]


async def test_readyz_needs_running_loops_and_an_open_database(rig):
    supervisor, database, session = rig
    status, body = await _get(session, "/readyz")
    assert status == 503
    assert body["loops"] == "not running"
    assert body["database"] == "ok"

    supervisor.start("poller", await _beating(supervisor, "poller"))
    metrics.telegram_answered()
    status, body = await _get(session, "/readyz")
    assert status == 200
    assert body == {
        "ready": True,
        "database": "ok",
        "loops": "running",
        "telegram": {
            "reachable": True,
            "last_answer_seconds_ago": body["telegram"]["last_answer_seconds_ago"],
        },
    }


async def test_telegram_out_of_reach_is_a_field_not_unreadiness(rig, monkeypatch):
    supervisor, _, session = rig
    supervisor.start("poller", await _beating(supervisor, "poller"))
    monkeypatch.setattr(metrics, "seconds_since_telegram_answered", lambda: 600.0)
    status, body = await _get(session, "/readyz")
    assert status == 200
    assert body["telegram"] == {"reachable": False, "last_answer_seconds_ago": 600.0}


async def test_readyz_is_503_when_the_database_is_closed(tmp_path):
    database = await Database.open(tmp_path / "bot.sqlite3")
    supervisor = Supervisor(hung_after_seconds=60, exit_grace_seconds=30)
    endpoint = OpsEndpoint(supervisor, database, FixedClock(NOW), port=0)
    await endpoint.start()
    supervisor.start("poller", await _beating(supervisor, "poller"))
    await database.close()
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{endpoint.port}") as session:
            status, body = await _get(session, "/readyz")
    finally:
        await endpoint.stop()
        await supervisor.stop_all()
    assert status == 503
    assert body["database"].startswith("error: ")


def _fill(conn):
    """Waiting sends in lanes 0 and 3, a sent one, and an open red flag of a patient."""
    at = to_db(NOW)
    conn.execute("INSERT INTO units (id, name, created_at) VALUES (1, 'Enhet', ?)", (at,))
    conn.execute("INSERT INTO staff (id, unit_id, name, created_at) VALUES (1, 1, 'T', ?)", (at,))
    conn.execute(
        "INSERT INTO patients (id, unit_id, therapist_id, label, telegram_user_id, chat_id,"
        " consented_at, created_at) VALUES (1, 1, 1, ?, ?, ?, ?, ?)",
        (LABEL, CHAT, CHAT, at, at),
    )
    conn.execute(
        "INSERT INTO flags (patient_id, unit_id, severity, created_at) VALUES (1, 1, 'red', ?)",
        (to_db(NOW - timedelta(minutes=10)),),
    )
    conn.execute(
        "INSERT INTO flags (patient_id, unit_id, severity, status, created_at)"
        " VALUES (1, 1, 'red', 'handled', ?)",
        (to_db(NOW - timedelta(hours=5)),),
    )
    rows = [
        (0, "pending", NOW - timedelta(seconds=30)),
        (3, "pending", NOW - timedelta(seconds=90)),
        (3, "pending", NOW - timedelta(seconds=5)),
        (3, "pending", NOW + timedelta(hours=1)),  # not due yet: waits for nothing
        (1, "sent", NOW - timedelta(hours=2)),
    ]
    for lane, status, not_before in rows:
        conn.execute(
            "INSERT INTO outbox (lane, chat_id, method, payload_json, not_before, status,"
            " created_at) VALUES (?, ?, 'sendMessage', '{\"text\": \"jag mår dåligt\"}', ?, ?, ?)",
            (lane, CHAT, to_db(not_before), status, at),
        )


def _value(text, name, **labels):
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name + (f"{{{wanted}}}" if labels else "")) + r" ([0-9.e+-]+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{name} {labels} not in /metrics"
    return float(found.group(1))


async def test_metrics_show_counters_and_the_databases_gauges_without_patient_data(rig):
    _, database, session = rig
    await database.transaction(_fill)
    handled = metrics.UPDATES_HANDLED._value.get()
    metrics.update_handled()
    metrics.sent("sendMessage", "ok")
    metrics.sent("sendMessage", metrics.outcome_of(RetryAfter(1)))
    metrics.set_aside("outbox")
    metrics.job_ran("tick", 0.02)

    status, text = await _get(session, "/metrics")
    assert status == 200
    assert _value(text, "ikbt_updates_handled_total") == handled + 1
    assert _value(text, "ikbt_sends_total", method="sendMessage", outcome="retry_after") >= 1
    assert _value(text, "ikbt_telegram_429_total", call="send") >= 1
    assert _value(text, "ikbt_set_aside_total", kind="outbox") >= 1
    assert _value(text, "ikbt_job_duration_seconds_count", job="tick") >= 1
    assert "ikbt_turns_failed_total" in text
    assert _value(text, "ikbt_outbox_depth", lane="0") == 1
    assert _value(text, "ikbt_outbox_depth", lane="1") == 0  # the sent row is not waiting
    assert _value(text, "ikbt_outbox_depth", lane="3") == 3
    assert _value(text, "ikbt_outbox_oldest_pending_seconds") == 90
    assert _value(text, "ikbt_oldest_unhandled_red_flag_seconds") == 600
    for private in (str(CHAT), LABEL, "jag mår"):
        assert private not in text


def test_outcomes_are_named_from_telegrams_errors():
    assert metrics.outcome_of(None) == "ok"
    assert metrics.outcome_of(BadRequest("Bad Request: chat not found")) == "bad_request"
    assert metrics.outcome_of(TimedOut()) == "timed_out"
    assert metrics.outcome_of(ValueError("x")) == "error"


def test_an_unknown_method_name_is_counted_as_other():
    metrics.sent("send Message to 12345", "ok")
    assert metrics.SENDS.labels(method="other", outcome="ok")._value.get() >= 1


def test_the_gauges_queries_use_indexes(tmp_path):
    conn = connect_sync(tmp_path / "bot.sqlite3")
    migrate_sync(conn)
    plans = [
        " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        for sql, args in (
            (
                "SELECT MIN(not_before) FROM outbox WHERE status IN ('pending', 'sending')"
                " AND status = ? AND lane = ? AND not_before <= ?",
                ("pending", 3, to_db(NOW)),
            ),
            (
                "SELECT lane, COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
                " GROUP BY lane",
                (),
            ),
            ("SELECT MIN(created_at) FROM flags WHERE status = 'open' AND severity = 'red'", ()),
        )
    ]
    for plan in plans:
        assert "USING" in plan and "INDEX" in plan, plan
