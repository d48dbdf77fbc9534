-- 0004: the weekly diary (veckodagbok): one row per patient, local day and part of the day.
CREATE TABLE diary_entries (
    patient_id    INTEGER NOT NULL REFERENCES patients(id),
    day           TEXT NOT NULL,                 -- the patient's local date
    part          TEXT NOT NULL,                 -- a part id from the program's diary config
    activity      TEXT,                          -- what they did; NULL when skipped
    mood          INTEGER CHECK (mood BETWEEN 0 AND 10),
    activity_type TEXT CHECK (activity_type IN ('vill', 'maste', 'kan_vara_utan')),
    skipped       INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (patient_id, day, part)
);
