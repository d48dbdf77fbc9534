-- 0017: who opens a patient's next module, per unit (bot/care/pacing.py): 'therapist' (at the
-- feedback, or /open) or 'weekly' (by itself a week after the current one opened). NULL: what
-- the patient's program says (program.yaml `module_opening`, by default the therapist).
ALTER TABLE units ADD COLUMN module_opening TEXT CHECK (module_opening IN ('therapist', 'weekly'));
