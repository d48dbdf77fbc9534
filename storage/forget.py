"""Forgetting a person who declined consent: nothing of theirs stays linked to their chat.

Before the decline, `/start <code>` left the consent offer in the outbox (the chat id, and
buttons carrying the invite code) and, once sent, a ledger row (chat id and message id).
A stranger's other messages to the bot (the "you need an invite" replies) are rows of the
same chat. The inbox already holds no payload once an update is handled.
"""

import sqlite3


def forget_private_chat(conn: sqlite3.Connection, chat_id: int) -> None:
    """Erase every trace of a private chat, in the decline's own transaction.

    Rows already sent or given up lose their chat id and payload now; rows still to go are
    sent as queued and then erased like the decline's own reply (`forget_recipient`). Only for
    a private chat: a group's rows belong to the group, not to the person.
    """
    conn.execute(
        "UPDATE send_ledger SET chat_id = NULL, message_id = NULL"
        " WHERE chat_id = ? OR outbox_id IN (SELECT id FROM outbox WHERE chat_id = ?)",
        (chat_id, chat_id),
    )
    conn.execute(
        "UPDATE outbox SET forget_recipient = 1"
        " WHERE chat_id = ? AND status IN ('pending', 'sending')",
        (chat_id,),
    )
    # every other status is closed (sent, failed, or set aside): nothing of it is needed
    conn.execute(
        "UPDATE outbox SET chat_id = NULL, payload_json = NULL, forget_recipient = 1"
        " WHERE chat_id = ? AND status NOT IN ('pending', 'sending')",
        (chat_id,),
    )
    conn.execute("DELETE FROM dialogue_state WHERE chat_id = ?", (chat_id,))
