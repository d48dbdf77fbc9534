-- 0001: the walking skeleton's tables.
-- Times are UTC text in one fixed-width format (storage.timefmt), so they sort and compare as text.

CREATE TABLE units (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    timezone          TEXT NOT NULL DEFAULT 'Europe/Stockholm',
    therapist_chat_id INTEGER,               -- the unit's therapist channel (a Telegram group)
    created_at        TEXT NOT NULL
);

CREATE TABLE staff (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    name             TEXT NOT NULL,
    telegram_user_id INTEGER UNIQUE,         -- NULL until the staff member opens their bind link
    bind_code        TEXT UNIQUE,            -- one-time; NULL once used
    bind_expires_at  TEXT,
    language         TEXT,
    active           INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL
);

CREATE TABLE staff_roles (
    staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('admin', 'patient-admin', 'therapist')),
    PRIMARY KEY (staff_id, role)
);

-- An invite holds no personal data: a program, the therapist's pseudonymous label and a code.
CREATE TABLE invites (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    therapist_id INTEGER NOT NULL REFERENCES staff(id),
    program      TEXT NOT NULL,
    label        TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined')),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
);
CREATE INDEX invites_unit_label ON invites(unit_id, label);

CREATE TABLE patients (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    therapist_id     INTEGER NOT NULL REFERENCES staff(id),
    label            TEXT NOT NULL,
    telegram_user_id INTEGER NOT NULL UNIQUE,
    chat_id          INTEGER NOT NULL,
    language         TEXT NOT NULL DEFAULT 'sv',
    timezone         TEXT,                   -- NULL: the unit's zone
    consented_at     TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (unit_id, label)
);

CREATE TABLE enrollments (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL REFERENCES patients(id),
    program           TEXT NOT NULL,
    current_module    INTEGER NOT NULL DEFAULT 1,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    started_at        TEXT NOT NULL,
    module_started_at TEXT NOT NULL
);
CREATE INDEX enrollments_patient ON enrollments(patient_id, status);

-- Where each module stands for an enrollment: the step the patient is on, and when it was finished.
CREATE TABLE module_progress (
    enrollment_id INTEGER NOT NULL REFERENCES enrollments(id),
    module        INTEGER NOT NULL,
    step_index    INTEGER NOT NULL DEFAULT 0,
    finished_at   TEXT,
    PRIMARY KEY (enrollment_id, module)
);

-- The open dialogue of a chat, as plain JSON. `revision` grows on every change, and buttons
-- carry the revision they were made for, so a stale button is recognised as stale.
CREATE TABLE dialogue_state (
    chat_id    INTEGER PRIMARY KEY,
    dialogue   TEXT NOT NULL,
    state_json TEXT NOT NULL,
    revision   INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

-- A patient's answer to an exercise; the latest answer per item wins, `version` counts changes.
CREATE TABLE answers (
    id            INTEGER PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments(id),
    item_key      TEXT NOT NULL,             -- e.g. 'module-1/goals'
    value         TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (enrollment_id, item_key)
);

-- What happened, for timelines and later escalation rules. Never patient text.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER REFERENCES patients(id),
    type         TEXT NOT NULL,
    details_json TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL
);
CREATE INDEX events_patient ON events(patient_id, created_at);

-- Every update from Telegram lands here before Telegram is told it was received.
-- The payload is erased once the update has been handled; the id stays to ignore repeats.
CREATE TABLE inbox (
    update_id    INTEGER PRIMARY KEY,
    payload_json TEXT,
    received_at  TEXT NOT NULL,
    processed_at TEXT
);
CREATE INDEX inbox_unprocessed ON inbox(processed_at) WHERE processed_at IS NULL;

-- Messages to send. lane: 0 safety, 1 replies to a person's own action, 2 staff, 3 reminders.
-- status: pending -> sending -> sent | failed. A row left 'sending' by a crash is decided by
-- `repeat_if_unsure` (safety alerts: yes; everything else: no, at most once).
CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    lane              INTEGER NOT NULL DEFAULT 1,
    chat_id           INTEGER,               -- NULL once a forgotten recipient's message is sent
    method            TEXT NOT NULL,         -- Bot API method: sendMessage, editMessageText, ...
    payload_json      TEXT,                  -- method parameters without chat_id
    dedupe_key        TEXT UNIQUE,           -- e.g. 'reminder:<schedule>:<occurrence>'
    not_before        TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    repeat_if_unsure  INTEGER NOT NULL DEFAULT 0,
    forget_recipient  INTEGER NOT NULL DEFAULT 0, -- erase chat_id and text once sent (declined consent)
    last_error        TEXT,
    created_at        TEXT NOT NULL,
    sent_at           TEXT
);
CREATE INDEX outbox_due ON outbox(status, lane, not_before) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_chat_open ON outbox(chat_id, id) WHERE status IN ('pending', 'sending');

-- What was sent: one row per Bot API call that reached Telegram, with Telegram's message id.
CREATE TABLE send_ledger (
    id          INTEGER PRIMARY KEY,
    outbox_id   INTEGER NOT NULL REFERENCES outbox(id),
    chat_id     INTEGER,
    message_id  INTEGER,
    method      TEXT NOT NULL,
    outcome     TEXT NOT NULL,               -- 'sent', 'repeat', 'failed:<reason>'
    created_at  TEXT NOT NULL
);
CREATE INDEX send_ledger_outbox ON send_ledger(outbox_id);

-- Every staff action on patient data.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    staff_id     INTEGER REFERENCES staff(id),
    action       TEXT NOT NULL,
    patient_id   INTEGER REFERENCES patients(id),
    details_json TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL
);
CREATE INDEX audit_log_patient ON audit_log(patient_id, created_at);
