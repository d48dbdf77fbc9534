-- 0009: absence cover. While a therapist is away, a deputy covers their patients for a
-- period: the deputy sees those patients, and alerts and messages go to the deputy as well.
CREATE TABLE deputies (
    id          INTEGER PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff(id),   -- the absent therapist
    deputy_id   INTEGER NOT NULL REFERENCES staff(id),
    starts_at   TEXT NOT NULL,                           -- UTC, inclusive
    ends_at     TEXT NOT NULL,                           -- UTC, exclusive
    created_by  INTEGER REFERENCES staff(id),
    created_at  TEXT NOT NULL,
    CHECK (staff_id <> deputy_id)
);
CREATE INDEX deputies_staff ON deputies(staff_id, ends_at);
CREATE INDEX deputies_deputy ON deputies(deputy_id, ends_at);
