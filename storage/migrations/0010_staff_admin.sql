-- 0010: staff administration. Each audit row carries its unit, so a unit's whole trail can be
-- exported, including changes made on the command line (staff_id NULL) that name no patient.
ALTER TABLE audit_log ADD COLUMN unit_id INTEGER REFERENCES units(id);
UPDATE audit_log SET unit_id = COALESCE(
    (SELECT unit_id FROM patients WHERE patients.id = audit_log.patient_id),
    (SELECT unit_id FROM staff WHERE staff.id = audit_log.staff_id)
);
CREATE INDEX audit_log_unit ON audit_log(unit_id, created_at);
