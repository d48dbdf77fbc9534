-- 0008: the weekly "diary missed" check. One row per patient with a diary: the next week to
-- check (its local Monday) and when (the Monday after that week, 12:00 local, as UTC). The
-- tick selects rows by the indexed next_check_at, checks the week and moves the row on to the
-- next week in the same transaction, so each patient-week is checked exactly once.
CREATE TABLE diary_weeks (
    patient_id    INTEGER PRIMARY KEY REFERENCES patients(id),
    week          TEXT NOT NULL,   -- local date of the Monday of the next week to check
    since         TEXT NOT NULL,   -- UTC: diary days before this (enrollment) are not expected
    next_check_at TEXT             -- UTC; NULL: nothing more to check (enrollment ended)
);
CREATE INDEX diary_weeks_due ON diary_weeks(next_check_at) WHERE next_check_at IS NOT NULL;

-- Patients who already have a diary: checking starts with the current week (UTC dates; the
-- first check may come a few hours off 12:00 local), so no old week raises a flag at once.
INSERT INTO diary_weeks (patient_id, week, since, next_check_at)
SELECT DISTINCT s.patient_id,
       date('now', '-6 days', 'weekday 1'),
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'),
       strftime('%Y-%m-%dT12:00:00.000000Z', date('now', '-6 days', 'weekday 1'), '+7 days')
FROM schedules s
WHERE s.kind = 'diary';
