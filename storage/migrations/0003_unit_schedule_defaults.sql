-- 0003: a unit's own default reminder times for a program's schedules (an admin's choice,
-- over the program's YAML defaults). Used when a patient is enrolled.
CREATE TABLE unit_schedule_defaults (
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    program    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    times      TEXT NOT NULL,            -- local times 'HH:MM', comma-separated
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, program, kind)
);
