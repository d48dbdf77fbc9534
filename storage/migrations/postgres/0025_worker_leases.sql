-- 0025: several bot workers on one database (issue 17); see ../0025_worker_leases.sql.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX inbox_waiting_by_chat ON inbox(chat_id, update_id) WHERE processed_at IS NULL;
