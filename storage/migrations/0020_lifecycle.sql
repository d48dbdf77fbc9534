-- 0020: a treatment that can end (issue 15). A patient is confirmed by their therapist (or a
-- verifier) before the care team writes to them; a treatment goes active -> maintenance ->
-- ended (or straight to ended), never back; once ended or withdrawn, nothing the bot starts
-- reaches the patient (`outreach_stopped_at`); and a purged patient keeps only a row with ids
-- and dates, so the audit trail and the unit's statistics still point somewhere.
--
-- SQLite cannot change NOT NULL or a CHECK, so patients and enrollments are rebuilt (the
-- 12-step rebuild, as in 0019): foreign keys are off while it runs, the row ids stay, and the
-- foreign keys are checked before the commit.
-- foreign_keys=OFF

CREATE TABLE new_patients (
    id                  INTEGER PRIMARY KEY,
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    therapist_id        INTEGER NOT NULL REFERENCES staff(id),
    label               TEXT,                    -- NULL once purged
    telegram_user_id    INTEGER UNIQUE,          -- NULL once purged
    chat_id             INTEGER,                 -- NULL once purged
    language            TEXT NOT NULL DEFAULT 'sv',
    timezone            TEXT,                    -- NULL: the unit's zone
    consented_at        TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    quiet_start         TEXT,
    quiet_end           TEXT,
    paused_until        TEXT,
    unreachable_since   TEXT,
    last_active_at      TEXT,
    quiet_check_at      TEXT,
    confirmed_at        TEXT,                    -- NULL: the therapist has not confirmed who this is
    confirmed_by        INTEGER REFERENCES staff(id),
    outreach_stopped_at TEXT,                    -- set: nothing the bot starts reaches them
    purged_at           TEXT,                    -- set: only ids and dates are left
    UNIQUE (unit_id, label)
);

-- Everyone enrolled before this release was enrolled by their therapist in person: confirmed.
INSERT INTO new_patients (id, unit_id, therapist_id, label, telegram_user_id, chat_id, language,
    timezone, consented_at, created_at, quiet_start, quiet_end, paused_until, unreachable_since,
    last_active_at, quiet_check_at, confirmed_at)
SELECT id, unit_id, therapist_id, label, telegram_user_id, chat_id, language,
    timezone, consented_at, created_at, quiet_start, quiet_end, paused_until, unreachable_since,
    last_active_at, quiet_check_at, consented_at
FROM patients;

DROP TABLE patients;
ALTER TABLE new_patients RENAME TO patients;
CREATE INDEX patients_quiet_check ON patients(quiet_check_at) WHERE quiet_check_at IS NOT NULL;
CREATE INDEX patients_chat ON patients(chat_id);

CREATE TABLE new_enrollments (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL REFERENCES patients(id),
    program           TEXT NOT NULL,
    current_module    INTEGER NOT NULL DEFAULT 1,
    status            TEXT NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'maintenance', 'ended')),
    started_at        TEXT NOT NULL,
    module_started_at TEXT NOT NULL,
    mode              TEXT NOT NULL DEFAULT 'guided' CHECK (mode IN ('guided', 'self-help')),
    welcome_text      TEXT,
    maintenance_from  TEXT,                      -- UTC: the treatment went into maintenance
    maintenance_until TEXT,                      -- UTC: then it ends by itself
    ended_at          TEXT,
    end_reason        TEXT CHECK (end_reason IN ('completed', 'dropped_out', 'referred', 'other',
                                                 'maintenance_over', 'withdrawn',
                                                 'identity_rejected', 'inactive')),
    end_comment       TEXT,                      -- free text with 'other'; purged
    ended_by          INTEGER REFERENCES staff(id)  -- NULL: the patient, or the bot itself
);

INSERT INTO new_enrollments (id, patient_id, program, current_module, status, started_at,
    module_started_at, mode, welcome_text)
SELECT id, patient_id, program, current_module, status, started_at,
    module_started_at, mode, welcome_text
FROM enrollments;

DROP TABLE enrollments;
ALTER TABLE new_enrollments RENAME TO enrollments;
CREATE INDEX enrollments_patient ON enrollments(patient_id, status);
CREATE INDEX enrollments_maintenance ON enrollments(maintenance_until)
    WHERE status = 'maintenance';

-- Modules the therapist took away from the patient's reading in maintenance.
CREATE TABLE maintenance_hidden_modules (
    enrollment_id INTEGER NOT NULL REFERENCES enrollments(id),
    module        INTEGER NOT NULL,
    PRIMARY KEY (enrollment_id, module)
);

-- The lifecycle of a treatment, one row per change, with who made it: ids, codes and dates
-- only (the free text of an ending lives in enrollments.end_comment and is purged).
CREATE TABLE lifecycle_events (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients(id),
    enrollment_id INTEGER REFERENCES enrollments(id),
    change        TEXT NOT NULL,   -- enrolled, confirmed, maintenance, ended, withdrawn, purged, ...
    reason        TEXT,            -- a code (an end reason), never free text
    staff_id      INTEGER REFERENCES staff(id),   -- NULL: the patient or the bot
    at            TEXT NOT NULL
);
CREATE INDEX lifecycle_events_patient ON lifecycle_events(patient_id, at);

-- Journal periods: the therapist marks a summary as written into the patient record; the next
-- period starts then. A purge waits for the last one to be recorded.
CREATE TABLE journal_notes (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients(id),
    period_start TEXT NOT NULL,   -- UTC
    period_end   TEXT NOT NULL,   -- UTC: what the note covered
    recorded_by  INTEGER REFERENCES staff(id),
    recorded_at  TEXT NOT NULL
);
CREATE INDEX journal_notes_patient ON journal_notes(patient_id, period_end);

-- Every treatment started before this release was enrolled: its first lifecycle row.
INSERT INTO lifecycle_events (patient_id, enrollment_id, change, at)
SELECT patient_id, id, 'enrolled', started_at FROM enrollments;
