-- 0023: how a unit checks who a new patient is (issue 15, bot/care/identity.py): 'therapist'
-- (the care team answers "Är detta din patient?") or 'verifier' (a pluggable identity check,
-- e.g. BankID or Freja, that the deployment provides; the therapist is asked when none is).
ALTER TABLE units ADD COLUMN identity_check TEXT NOT NULL DEFAULT 'therapist'
    CHECK (identity_check IN ('therapist', 'verifier'));
