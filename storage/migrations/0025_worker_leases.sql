-- 0025: several bot workers on one database (issue 17). A lease says which worker runs the
-- once-per-deployment jobs (the tick, the purge) and until when; it is taken and renewed in
-- one statement, by the server's time (storage/leases.py). One SQLite file has one process,
-- which holds it without asking: the table is here so both schemas match.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- A chat's first waiting update, read by a worker that has just taken the chat's turn lock
-- (bot/telegram/inbox_handler.py): only waiting rows are in this index, so it stays small.
CREATE INDEX inbox_waiting_by_chat ON inbox(chat_id, update_id) WHERE processed_at IS NULL;
