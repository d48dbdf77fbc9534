-- 0002: reminders. Schedules are rows with an indexed next_due_at; one tick turns due rows
-- into outbox rows. Each queued occurrence is a `reminders` row, so re-sends, snoozes and
-- "missed" are decided from the database, never from memory.

ALTER TABLE units ADD COLUMN quiet_start TEXT NOT NULL DEFAULT '21:30';
ALTER TABLE units ADD COLUMN quiet_end TEXT NOT NULL DEFAULT '07:30';

ALTER TABLE patients ADD COLUMN quiet_start TEXT;        -- NULL: the unit's quiet hours
ALTER TABLE patients ADD COLUMN quiet_end TEXT;
ALTER TABLE patients ADD COLUMN paused_until TEXT;       -- UTC; no reminders before then
ALTER TABLE patients ADD COLUMN unreachable_since TEXT;  -- set on 403 / blocked; clears on unblock

CREATE TABLE schedules (
    id                   INTEGER PRIMARY KEY,
    patient_id           INTEGER NOT NULL REFERENCES patients(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('diary', 'module', 'forms', 'activity', 'custom')),
    times                TEXT NOT NULL,              -- local times 'HH:MM', comma-separated
    weekdays             TEXT,                       -- '0,2,4' (0 = Monday); NULL: every day
    every_days           INTEGER,                    -- instead of weekdays: every N days from start
    start_date           TEXT NOT NULL,              -- local date, inclusive
    end_date             TEXT,                       -- local date, inclusive; NULL: no end
    grace_minutes        INTEGER NOT NULL DEFAULT 720,  -- unanswered this long: missed
    resend_after_minutes INTEGER,                    -- unanswered this long: sent once more
    earliest             TEXT,                       -- the patient may move times within these
    latest               TEXT,
    custom_text          TEXT,                       -- kind 'custom': the therapist's words
    source               TEXT NOT NULL DEFAULT 'program' CHECK (source IN ('program', 'staff', 'patient')),
    active               INTEGER NOT NULL DEFAULT 1,
    next_occurrence      TEXT,                       -- UTC of the next nominal occurrence
    next_due_at          TEXT,                       -- UTC send time (after quiet hours); NULL: nothing due
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX schedules_due ON schedules(next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX schedules_patient ON schedules(patient_id);

CREATE TABLE reminders (
    id           INTEGER PRIMARY KEY,
    schedule_id  INTEGER NOT NULL REFERENCES schedules(id),
    patient_id   INTEGER NOT NULL REFERENCES patients(id),
    occurrence   TEXT NOT NULL,                      -- UTC of the nominal occurrence
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'missed')),
    resent       INTEGER NOT NULL DEFAULT 0,
    snoozes      INTEGER NOT NULL DEFAULT 0,
    check_at     TEXT,                               -- UTC: re-send or record missed; NULL when closed
    created_at   TEXT NOT NULL,
    closed_at    TEXT,
    UNIQUE (schedule_id, occurrence)
);
CREATE INDEX reminders_check ON reminders(check_at) WHERE check_at IS NOT NULL;
CREATE INDEX reminders_open ON reminders(patient_id, status) WHERE status = 'open';
