-- 0013: data at rest (issue 12). From now on a closed outbox row keeps no payload, and a
-- decline erases the person's chat from the outbox, the ledger and dialogue_state
-- (storage/outbox.py, storage/forget.py). This does the same for what is stored already.

-- Chats that declined consent before this release: the consent offer they were sent holds
-- the declined invite's code in its buttons. A chat that is a patient's or a staff member's
-- since (declined once, agreed later) is theirs now and stays.
CREATE TEMP TABLE declined_chats AS
    SELECT DISTINCT o.chat_id AS chat_id
    FROM outbox o JOIN invites i
      ON i.status = 'declined' AND instr(o.payload_json, 'consent:no:' || i.code) > 0
    WHERE o.chat_id > 0
      AND o.chat_id NOT IN (SELECT chat_id FROM patients)
      AND o.chat_id NOT IN (SELECT telegram_user_id FROM staff WHERE telegram_user_id IS NOT NULL);

UPDATE send_ledger SET chat_id = NULL, message_id = NULL
    WHERE chat_id IN (SELECT chat_id FROM declined_chats)
       OR outbox_id IN (SELECT id FROM outbox WHERE chat_id IN (SELECT chat_id FROM declined_chats));
UPDATE outbox SET forget_recipient = 1
    WHERE chat_id IN (SELECT chat_id FROM declined_chats) AND status IN ('pending', 'sending');
UPDATE outbox SET chat_id = NULL, payload_json = NULL, forget_recipient = 1
    WHERE chat_id IN (SELECT chat_id FROM declined_chats) AND status NOT IN ('pending', 'sending');
DELETE FROM dialogue_state WHERE chat_id IN (SELECT chat_id FROM declined_chats);
DROP TABLE declined_chats;

-- Rows already sent or given up: their text, buttons and files go.
UPDATE outbox SET payload_json = NULL WHERE status NOT IN ('pending', 'sending');
