-- 0022: purge (gallring, issue 15). An ended treatment's personal data is removed a unit's
-- number of days after the end (`units.purge_after_days`) and at the latest two years after
-- the patient's last activity (bot/care/purge.py). What stays: the patient row with ids and
-- dates, the lifecycle events, the audit trail without free text, and the unit's statistics
-- below (no row per patient, no patient id). Each purge is one row of the purge ledger (ids
-- and dates only), also appended to a file beside the database (storage/purge_ledger.py), so
-- a restored backup has every later purge done again.

ALTER TABLE units ADD COLUMN purge_after_days INTEGER NOT NULL DEFAULT 90;

-- A purge that is due but waits for the last journal period to be recorded: since when, and
-- when the therapist was last reminded (every 7 days; after 30 days it purges anyway).
CREATE TABLE purge_waits (
    patient_id    INTEGER PRIMARY KEY REFERENCES patients(id),
    waiting_since TEXT NOT NULL,   -- UTC
    reminded_at   TEXT             -- UTC
);

-- One row per purge: ids and dates only. No foreign keys: a restore replays it against a
-- database that may be older than the rows it names.
CREATE TABLE purge_ledger (
    id               INTEGER PRIMARY KEY,
    patient_id       INTEGER NOT NULL UNIQUE,
    unit_id          INTEGER NOT NULL,
    ended_at         TEXT,            -- UTC: the treatment's end
    end_reason       TEXT,            -- its code (lifecycle.END_REASONS, ...)
    purged_at        TEXT NOT NULL,   -- UTC
    journal_recorded INTEGER NOT NULL -- 0: purged after the 30-day wait without it
);

-- The unit's statistics, kept after a purge: counts and score sums per program, module, ISO
-- week and measure ('form:<questionnaire>', 'module_finished', 'diary_entries',
-- 'messages_from_patient', 'messages_to_patient', 'ended:<reason>'). Folded in at the purge.
CREATE TABLE unit_statistics (
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    program   TEXT NOT NULL,
    module    INTEGER NOT NULL,   -- 0: not tied to a module
    week      TEXT NOT NULL,      -- ISO week, '2026-W10'
    measure   TEXT NOT NULL,
    count     INTEGER NOT NULL,
    score_sum INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, program, module, week, measure)
);

CREATE INDEX enrollments_ended ON enrollments(ended_at) WHERE status = 'ended';
CREATE INDEX patients_last_active ON patients(last_active_at) WHERE purged_at IS NULL;
