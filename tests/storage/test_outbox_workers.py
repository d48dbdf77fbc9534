"""The outbox shared by several workers, at the storage level, on a real PostgreSQL server:
two connections are two workers. A chat's rows are claimed strictly in order and one at a
time across workers; Telegram's budgets are shared; a dead worker's rows are decided by the
crash rules, a live one's never. Skipped when no server answers (TEST_POSTGRES_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import outbox, send_budget, workers
from storage.database import connect_sync, migrate_sync, run_in_transaction
from storage.outbox import OutgoingCall
from tests.harness.databases import own_postgres_database

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CHAT = 501


@pytest.fixture
def two():
    with own_postgres_database("mw1_outbox") as url:
        first, second = connect_sync(url), connect_sync(url)
        migrate_sync(first)
        yield first, second
        first.close()
        second.close()


def queue(conn, *calls, not_before=None):
    return run_in_transaction(
        conn, lambda c: [outbox.enqueue(c, call, NOW, not_before) for call in calls]
    )


def text(chat, words, lane=outbox.LANE_REPLY, **flags):
    return OutgoingCall(chat, "sendMessage", {"text": words}, lane=lane, **flags)


def row(conn, outbox_id):
    found = conn.execute("SELECT * FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
    return outbox._row(found)


def claim(conn, outbox_id, worker="w1", now=NOW):
    return run_in_transaction(conn, lambda c: outbox.claim(c, row(c, outbox_id), now, worker))


def test_a_chat_whose_head_another_worker_is_claiming_is_passed_over_whole(two):
    first, second = two
    head, follow = queue(first, text(CHAT, "one"), text(CHAT, "two"))
    first.execute("BEGIN")
    assert outbox.lock_head(first, row(first, head), NOW)  # worker 1 is claiming the head
    # worker 2 neither waits nor takes the chat's second row (SKIP LOCKED alone would)
    assert not claim(second, head, "w2")
    assert not claim(second, follow, "w2")
    outbox.mark_sending(first, head, NOW, "w1")
    first.execute("COMMIT")
    # the head is in flight: the chat holds, whoever asks
    assert not claim(second, follow, "w2")
    assert outbox.due_heads(second, NOW) == []
    outbox.mark_sent(first, row(first, head), 1, NOW)
    assert claim(second, follow, "w2")
    assert (
        second.execute("SELECT claimed_by FROM outbox WHERE id = ?", (follow,)).fetchone()[0]
        == "w2"
    )


def test_a_row_retried_later_never_goes_beside_its_chats_row_in_flight(two):
    first, second = two
    retried, later = queue(first, text(CHAT, "one"), text(CHAT, "two"))
    run_in_transaction(
        first, lambda c: outbox.retry_later(c, retried, NOW + timedelta(seconds=5), "x")
    )
    assert claim(first, later)  # the retried row waits: the one behind it may go
    after = NOW + timedelta(seconds=10)  # the retried row is due again, the other in flight
    assert [r.id for _, r in outbox.due_heads(second, after)] == []
    assert not claim(second, retried, "w2", now=after)


def test_the_budgets_are_one_for_all_workers(two):
    first, second = two
    budgets = send_budget.Budgets()

    def admit(conn, chat, lane):
        return run_in_transaction(
            conn, lambda c: send_budget.admit(c, chat, lane, budgets, margin=0.03)
        )

    refused = None
    for n in range(29):  # lanes > 0 may use 29 of the second's 30, whichever worker sends
        refused = admit(first if n % 2 else second, 1000 + n, outbox.LANE_REMINDER)
        assert refused is None
    refused = admit(first, 2000, outbox.LANE_REMINDER)
    assert refused is not None and not refused.chat and 0 < refused.wait <= 1.03
    assert admit(second, -77, outbox.LANE_SAFETY) is None  # the last slot: lane 0
    assert admit(first, 2001, outbox.LANE_SAFETY).chat is False  # now full for everyone
    run_in_transaction(first, lambda c: c.execute("DELETE FROM send_budget"))
    for _ in range(budgets.private_burst):  # a private chat's burst, from both workers
        assert admit(first, CHAT, outbox.LANE_REPLY) is None
    held = admit(second, CHAT, outbox.LANE_REPLY)
    assert held is not None and held.chat and 0.9 < held.wait <= 1.03


def test_a_dead_workers_rows_are_decided_by_the_crash_rules_and_a_live_ones_are_not(two):
    first, second = two
    alert, reminder, live = queue(
        first,
        text(-9, "RED FLAG", outbox.LANE_SAFETY, repeat_if_unsure=True),
        text(CHAT, "rem", outbox.LANE_REMINDER),
        text(CHAT + 1, "reply"),
    )
    run_in_transaction(first, lambda c: workers.join(c, "dead"))
    run_in_transaction(first, lambda c: workers.join(c, "alive"))
    assert claim(first, alert, "dead") and claim(first, reminder, "dead")
    assert claim(first, live, "alive")
    # a worker starting now decides nothing: both are alive
    assert run_in_transaction(second, lambda c: workers.take_over(c, NOW, 60)) == (0, 0, [])
    first.execute(
        "UPDATE workers SET last_seen = now() - interval '61 seconds' WHERE worker_id = 'dead'"
    )
    repeated, dropped, dead = run_in_transaction(second, lambda c: workers.take_over(c, NOW, 60))
    assert (repeated, dropped, dead) == (1, 1, ["dead"])
    assert row(second, alert).status == "pending"  # sent again: at least once
    assert row(second, reminder).status == "sent"  # not repeated: at most once
    ledger = second.execute("SELECT outcome FROM send_ledger WHERE outbox_id = ?", (reminder,))
    assert [r[0] for r in ledger] == ["unsure-after-crash"]
    assert row(second, live).status == "sending"  # the live worker's own
    assert not run_in_transaction(second, lambda c: workers.renew(c, "dead"))  # it must stop
