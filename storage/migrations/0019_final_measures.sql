-- 0017: the final measurement (eftermätning). A form request may now also be 'final': one of
-- the questionnaires the program asks for when the last core module is finished
-- (program.yaml `final_measures`).
--
-- SQLite cannot change a CHECK, so this is its 12-step table rebuild, as in 0016
-- (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys are off while it runs
-- (the line below tells storage/database.py), create the new table, copy every row, drop the
-- old one, rename the new one into its place, recreate the indexes, then check the foreign
-- keys (form_answers and measurements point at form_requests) before the commit. The row ids
-- stay, so every reference still holds.
-- foreign_keys=OFF

CREATE TABLE new_form_requests (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patients(id),
    questionnaire  TEXT NOT NULL,
    reason         TEXT NOT NULL CHECK (reason IN ('repeat', 'module', 'extra', 'final')),
    module         INTEGER,                      -- reason 'module': the module it opens
    schedule_id    INTEGER REFERENCES schedules(id),
    due_at         TEXT NOT NULL,
    window_ends_at TEXT,                         -- unanswered by then: missed
    status         TEXT NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'submitted', 'missed', 'stopped')),
    created_at     TEXT NOT NULL,
    closed_at      TEXT,
    UNIQUE (patient_id, questionnaire, due_at)
);

INSERT INTO new_form_requests (id, patient_id, questionnaire, reason, module, schedule_id,
    due_at, window_ends_at, status, created_at, closed_at)
SELECT id, patient_id, questionnaire, reason, module, schedule_id,
    due_at, window_ends_at, status, created_at, closed_at
FROM form_requests;

DROP TABLE form_requests;
ALTER TABLE new_form_requests RENAME TO form_requests;

CREATE INDEX form_requests_open ON form_requests(patient_id, status) WHERE status = 'open';
CREATE INDEX form_requests_window ON form_requests(window_ends_at) WHERE status = 'open';
