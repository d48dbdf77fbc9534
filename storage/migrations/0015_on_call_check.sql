-- 0013: the weekly check that a unit has an on-call list (bot/escalation/on_call_note.py):
-- when it runs next (UTC; NULL: not planned yet, planned by the next tick).
ALTER TABLE units ADD COLUMN on_call_check_at TEXT;
