-- 0011: messages between a patient and their care team, feedback at a module's end, comments
-- on exercise answers, the patient's own notes, and self-help mode (no messaging at all).

-- One row per message, whichever way it goes. A staff row names its writer; a comment names
-- the exercise answer it is about; feedback names the module and waits (delivered_at NULL)
-- until the next module opens.
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients(id),
    direction    TEXT NOT NULL CHECK (direction IN ('from_patient', 'to_patient')),
    kind         TEXT NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'comment', 'feedback')),
    staff_id     INTEGER REFERENCES staff(id),
    reply_to     INTEGER REFERENCES messages(id),
    item_key     TEXT,                        -- a comment's exercise answer ('module-2/first-step')
    module       INTEGER,                     -- feedback: the module it is about
    text         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    delivered_at TEXT,                        -- when the patient was sent it (to_patient rows)
    read_at      TEXT,                        -- a patient's message: first seen by staff
    answered_at  TEXT                         -- a patient's message: first staff reply after it
);
CREATE INDEX messages_patient ON messages(patient_id, created_at);
CREATE INDEX messages_waiting ON messages(patient_id) WHERE delivered_at IS NULL
    AND direction = 'to_patient';

-- The patient's own notes: their therapist may read them, nobody replies to them.
CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notes_patient ON notes(patient_id, created_at);

-- Self-help: an invite, and so the enrollment made from it, is 'guided' (messages with a
-- therapist) or 'self-help' (notes only). A program can be self-help as a whole (program.yaml).
ALTER TABLE invites ADD COLUMN mode TEXT NOT NULL DEFAULT 'guided'
    CHECK (mode IN ('guided', 'self-help'));
ALTER TABLE enrollments ADD COLUMN mode TEXT NOT NULL DEFAULT 'guided'
    CHECK (mode IN ('guided', 'self-help'));
