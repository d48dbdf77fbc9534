-- 0017: the quiet-patient flag (bot/escalation/quiet_patients.py). A unit chooses after how
-- many days without activity a patient raises an amber flag; each patient has one planned
-- look (UTC; NULL: nothing to look at until the patient is active again, e.g. this quiet
-- spell has had its flag). A patient's turn plans a look when none is planned (their first
-- turn is the consent); the tick moves each look on to when they could next count as quiet.
-- Patients already here: a first look from their last activity (else their start).
ALTER TABLE units ADD COLUMN quiet_days INTEGER NOT NULL DEFAULT 10;
ALTER TABLE patients ADD COLUMN quiet_check_at TEXT;
UPDATE patients SET quiet_check_at = COALESCE(last_active_at, created_at);
CREATE INDEX patients_quiet_check ON patients(quiet_check_at) WHERE quiet_check_at IS NOT NULL;
