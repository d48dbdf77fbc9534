-- Never silent (issue 12): updates and outbox rows that fail are set aside, not retried
-- forever; the inbox knows each update's chat, so one chat's flood queues behind itself.

-- The chat an update belongs to (NULL: none), and whether its text has crisis terms: such a
-- chat is handled first (its updates still in their order).
ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
ALTER TABLE inbox ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
-- Set aside: an update that could not be parsed or whose handling failed twice. Only its
-- top-level keys and the error's type are kept, never its content.
ALTER TABLE inbox ADD COLUMN error_type TEXT;
ALTER TABLE inbox ADD COLUMN update_keys TEXT;
