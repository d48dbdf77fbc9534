-- 0021 (issue 15, journal notes; the lead may renumber): the unit's KVÅ codes per contact
-- type, shown in the /journal summary so the therapist can register the contact in the
-- patient record. The codes are the unit's own choice (set with `python -m bot unit kva`);
-- nothing is filled in by default, because only the region knows which codes apply.
CREATE TABLE unit_kva_codes (
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    contact_type TEXT NOT NULL,   -- storage.kva_codes.CONTACT_TYPES
    codes        TEXT NOT NULL,   -- as the unit writes them: "AB123, CD456"
    PRIMARY KEY (unit_id, contact_type)
);
