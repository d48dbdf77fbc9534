-- 0012: the therapist's control of a patient's treatment, and when the patient was last active
-- (for the overview). Hidden steps and opened add-on modules are per enrollment.
ALTER TABLE patients ADD COLUMN last_active_at TEXT;        -- UTC of the patient's latest turn
ALTER TABLE enrollments ADD COLUMN welcome_text TEXT;       -- the therapist's greeting

CREATE TABLE hidden_steps (
    enrollment_id INTEGER NOT NULL REFERENCES enrollments(id),
    module        INTEGER NOT NULL,
    step_id       TEXT NOT NULL,
    hidden_by     INTEGER REFERENCES staff(id),
    created_at    TEXT NOT NULL,
    PRIMARY KEY (enrollment_id, module, step_id)
);

CREATE TABLE opened_addons (
    enrollment_id INTEGER NOT NULL REFERENCES enrollments(id),
    module        INTEGER NOT NULL,
    opened_by     INTEGER REFERENCES staff(id),
    opened_at     TEXT NOT NULL,
    PRIMARY KEY (enrollment_id, module)
);
