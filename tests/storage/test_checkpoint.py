"""WAL checkpoints off the writer's path: the bot's connection leaves them to a job, which
copies the log from a connection of its own, beside a writer, without blocking it."""

import os
import time

from storage.checkpoint import checkpoint, leave_checkpoints_to_the_job
from storage.database import connect_sync, migrate_sync, run_in_transaction


def _log_pages(path) -> int:
    return os.path.getsize(f"{path}-wal") // 4120  # a frame: 24-byte header + 4096-byte page


def _write(conn, rows):
    run_in_transaction(
        conn,
        lambda c: c.executemany(
            "INSERT INTO events (type, details_json, created_at) VALUES ('x', ?, 'now')",
            [("y" * 3000,) for _ in range(rows)],
        ),
    )


def test_the_bots_connection_leaves_the_log_to_the_job_which_copies_it(tmp_path):
    path = tmp_path / "bot.sqlite3"
    conn = connect_sync(path)
    migrate_sync(conn)
    leave_checkpoints_to_the_job(conn)
    _write(conn, 3000)  # ~9 MB of log: past the 1,000 pages that would checkpoint by default
    assert _log_pages(path) > 1000
    log_pages, copied = checkpoint(path)
    assert log_pages > 1000 and copied == log_pages
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3000
    conn.close()


def test_a_checkpoint_does_not_wait_for_a_writer_in_its_transaction(tmp_path):
    path = tmp_path / "bot.sqlite3"
    conn = connect_sync(path)
    migrate_sync(conn)
    leave_checkpoints_to_the_job(conn)
    _write(conn, 100)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO events (type, details_json, created_at) VALUES ('x', '{}', 'now')")
    started = time.monotonic()
    log_pages, copied = checkpoint(path)  # beside the open write transaction
    assert time.monotonic() - started < 5  # busy_timeout is 10 s: it did not wait for a lock
    assert copied == log_pages > 0  # what was committed is copied
    conn.execute("COMMIT")
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 101
    conn.close()
