-- 0005: questionnaires. A form request is one questionnaire due for one patient (from a
-- repeating schedule, the start of a module, or a therapist's "extra measurement now");
-- its answers are stored item by item as they come, so an interrupted form resumes; a
-- submitted form gets one measurement row with its scores.

ALTER TABLE schedules ADD COLUMN questionnaire TEXT;   -- kind 'forms': which questionnaire

CREATE TABLE form_requests (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patients(id),
    questionnaire  TEXT NOT NULL,
    reason         TEXT NOT NULL CHECK (reason IN ('repeat', 'module', 'extra')),
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
CREATE INDEX form_requests_open ON form_requests(patient_id, status) WHERE status = 'open';
CREATE INDEX form_requests_window ON form_requests(window_ends_at) WHERE status = 'open';

CREATE TABLE form_answers (
    request_id  INTEGER NOT NULL REFERENCES form_requests(id),
    item        TEXT NOT NULL,
    value       INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (request_id, item)
);

CREATE TABLE measurements (
    id            INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL UNIQUE REFERENCES form_requests(id),
    patient_id    INTEGER NOT NULL REFERENCES patients(id),
    questionnaire TEXT NOT NULL,
    total         INTEGER NOT NULL,
    max_total     INTEGER NOT NULL,
    submitted_at  TEXT NOT NULL
);
CREATE INDEX measurements_patient ON measurements(patient_id, questionnaire, submitted_at);
