-- 0016: reminder kinds are a registry in the code (bot/reminders/kinds/), not a CHECK in the
-- table: the schedules table is rebuilt once without `CHECK (kind IN (...))`, so adding a kind
-- never needs a migration again; the code refuses an unknown kind when it writes one.
--
-- SQLite cannot drop a CHECK, so this is its 12-step table rebuild
-- (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys are off while it runs
-- (the line below tells storage/database.py), create the new table, copy every row, drop the
-- old one, rename the new one into its place, recreate the indexes, then check the foreign
-- keys (reminders, form_requests and activity_plans point at schedules) before the commit.
-- The row ids stay, so every reference still holds.
-- foreign_keys=OFF

CREATE TABLE new_schedules (
    id                   INTEGER PRIMARY KEY,
    patient_id           INTEGER NOT NULL REFERENCES patients(id),
    kind                 TEXT NOT NULL,              -- a name in bot/reminders/kinds/
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
    updated_at           TEXT NOT NULL,
    questionnaire        TEXT                        -- kind 'forms': which questionnaire
);

INSERT INTO new_schedules (id, patient_id, kind, times, weekdays, every_days, start_date,
    end_date, grace_minutes, resend_after_minutes, earliest, latest, custom_text, source,
    active, next_occurrence, next_due_at, created_at, updated_at, questionnaire)
SELECT id, patient_id, kind, times, weekdays, every_days, start_date,
    end_date, grace_minutes, resend_after_minutes, earliest, latest, custom_text, source,
    active, next_occurrence, next_due_at, created_at, updated_at, questionnaire
FROM schedules;

DROP TABLE schedules;
ALTER TABLE new_schedules RENAME TO schedules;

CREATE INDEX schedules_due ON schedules(next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX schedules_patient ON schedules(patient_id);
