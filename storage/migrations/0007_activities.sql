-- 0007: behavioural activation. The patient's lists of activities (vill / måste / kan vara
-- utan), planned activities (each plan's reminders are a schedule of kind 'activity', so the
-- tick, quiet hours, re-send and "missed" work as for every reminder), and the follow-up of
-- each planned occurrence ("Blev det av?").

CREATE TABLE activities (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients(id),
    text          TEXT NOT NULL,
    activity_type TEXT NOT NULL CHECK (activity_type IN ('vill', 'maste', 'kan_vara_utan')),
    created_at    TEXT NOT NULL,
    removed_at    TEXT
);
CREATE INDEX activities_patient ON activities(patient_id) WHERE removed_at IS NULL;

CREATE TABLE activity_plans (
    id               INTEGER PRIMARY KEY,
    patient_id       INTEGER NOT NULL REFERENCES patients(id),
    schedule_id      INTEGER NOT NULL UNIQUE REFERENCES schedules(id),
    text             TEXT NOT NULL,
    activity_type    TEXT CHECK (activity_type IN ('vill', 'maste', 'kan_vara_utan')),
    source           TEXT NOT NULL CHECK (source IN ('patient', 'staff')),
    item             TEXT,                      -- the module exercise it answers, if any
    flag_when_missed INTEGER NOT NULL DEFAULT 0,
    comments_allowed INTEGER NOT NULL DEFAULT 1,
    created_by       INTEGER REFERENCES staff(id),
    created_at       TEXT NOT NULL
);
CREATE INDEX activity_plans_patient ON activity_plans(patient_id);

CREATE TABLE activity_outcomes (
    plan_id     INTEGER NOT NULL REFERENCES activity_plans(id),
    reminder_id INTEGER NOT NULL UNIQUE REFERENCES reminders(id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('ja', 'delvis', 'nej')),
    mood        INTEGER CHECK (mood BETWEEN 0 AND 10),
    comment     TEXT,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, reminder_id)
);
