-- 0024: the outbox shared by several workers (issue 17). PostgreSQL lets any number of bot
-- processes share one database; each claims outbox rows for itself (bot/telegram/sender.py,
-- bot/telegram/send_workers.py). On SQLite (one process) `claimed_by` is written too, and
-- the two tables stay empty: one process keeps its budgets in memory and decides what a crash
-- left at its start.

-- Which worker marked a row 'sending', and when: a worker whose heartbeat stops has its
-- rows decided by another, by the crash rules (outbox.recover_after_crash).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;     -- UTC

-- One row per running worker (host:pid:random), renewed while it sends; a clean stop
-- deletes it, a worker silent past WORKER_TIMEOUT_SECONDS is declared dead by another.
CREATE TABLE workers (
    worker_id  TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,   -- UTC, the database server's clock
    last_seen  TEXT NOT NULL    -- UTC, the database server's clock
);

-- Telegram's budgets for one bot token, shared by every worker: one row per send call of the
-- last minute (its start, in seconds on the database server's clock), read and written under
-- one advisory lock (storage/send_budget.py). No chat id for a person who declined.
CREATE TABLE send_budget (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER,
    started    REAL NOT NULL
);
CREATE INDEX send_budget_started ON send_budget(started);
CREATE INDEX send_budget_chat ON send_budget(chat_id, started);
