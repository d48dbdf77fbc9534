-- 0006: red and amber flags. A flag is raised in the same transaction as the answer or text
-- that caused it; each escalation step is an event on the flag; next_check_at drives the
-- acknowledgement chain from the tick.

ALTER TABLE units ADD COLUMN office_days TEXT NOT NULL DEFAULT '0,1,2,3,4';  -- 0 = Monday
ALTER TABLE units ADD COLUMN office_start TEXT NOT NULL DEFAULT '08:00';
ALTER TABLE units ADD COLUMN office_end TEXT NOT NULL DEFAULT '17:00';
ALTER TABLE units ADD COLUMN ack_minutes INTEGER NOT NULL DEFAULT 15;      -- office minutes
ALTER TABLE units ADD COLUMN channel_broken_since TEXT;                    -- health warning

CREATE TABLE unit_on_call (
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    PRIMARY KEY (unit_id, staff_id)
);

CREATE TABLE flags (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients(id),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    severity        TEXT NOT NULL CHECK (severity IN ('red', 'amber')),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handled')),
    hidden          INTEGER NOT NULL DEFAULT 0,
    level           INTEGER NOT NULL DEFAULT 0,   -- escalation steps taken after the alert
    next_check_at   TEXT,                         -- UTC: the next escalation step is due
    told_anyone     INTEGER NOT NULL DEFAULT 0,   -- an alert about it reached a person
    alert_outbox_id INTEGER,                      -- the channel alert (edited when handled)
    created_at      TEXT NOT NULL,
    handled_at      TEXT,
    handled_by      INTEGER REFERENCES staff(id),
    handled_comment TEXT
);
CREATE INDEX flags_check ON flags(next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX flags_unit ON flags(unit_id, status, hidden);
CREATE INDEX flags_patient_open ON flags(patient_id, severity) WHERE status = 'open';

CREATE TABLE flag_triggers (
    id           INTEGER PRIMARY KEY,
    flag_id      INTEGER NOT NULL REFERENCES flags(id),
    kind         TEXT NOT NULL,                   -- risk_answer | crisis_terms | unreachable | trend
    details_json TEXT NOT NULL DEFAULT '{}',
    free_text    TEXT,                            -- crisis terms: shown only via "Visa", privately
    created_at   TEXT NOT NULL
);

CREATE TABLE flag_events (
    id           INTEGER PRIMARY KEY,
    flag_id      INTEGER NOT NULL REFERENCES flags(id),
    type         TEXT NOT NULL,
    details_json TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL
);
CREATE INDEX flag_events_flag ON flag_events(flag_id);
