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
    # Telegram's budgets shared by several workers count the chat's sends of the last minute
    conn.execute("DELETE FROM send_budget WHERE chat_id = ?", (chat_id,))


# A patient's own rows, children before parents (foreign keys are on), by patient or through
# the patient's enrollments, schedules, plans and questionnaires.
_BY_PATIENT = "SELECT id FROM {table} WHERE patient_id = :patient"
_PATIENTS_ROWS = (
    "DELETE FROM activity_outcomes WHERE plan_id IN ("
    + _BY_PATIENT.format(table="activity_plans")
    + ")",
    "DELETE FROM activity_plans WHERE patient_id = :patient",
    "DELETE FROM activities WHERE patient_id = :patient",
    "DELETE FROM reminders WHERE patient_id = :patient",
    "DELETE FROM form_answers WHERE request_id IN ("
    + _BY_PATIENT.format(table="form_requests")
    + ")",
    "DELETE FROM measurements WHERE patient_id = :patient",
    "DELETE FROM form_requests WHERE patient_id = :patient",
    "DELETE FROM schedules WHERE patient_id = :patient",
    "DELETE FROM diary_entries WHERE patient_id = :patient",
    "DELETE FROM diary_weeks WHERE patient_id = :patient",
    "DELETE FROM messages WHERE patient_id = :patient",
    "DELETE FROM notes WHERE patient_id = :patient",
    "DELETE FROM answers WHERE enrollment_id IN (" + _BY_PATIENT.format(table="enrollments") + ")",
    "DELETE FROM module_progress WHERE enrollment_id IN ("
    + _BY_PATIENT.format(table="enrollments")
    + ")",
    "UPDATE enrollments SET welcome_text = NULL WHERE patient_id = :patient",
    "UPDATE patients SET telegram_user_id = NULL, chat_id = NULL, timezone = NULL,"
    " quiet_start = NULL, quiet_end = NULL, paused_until = NULL, last_active_at = NULL"
    " WHERE id = :patient",
)


def forget_enrolled_person(conn: sqlite3.Connection, patient_id: int, chat_id: int) -> None:
    """Erase what was stored for a person who turned out not to be the patient invited (the
    therapist answered Nej): their answers, diary, questionnaires, plans, messages and notes,
    their chat (as for a decline: `forget_private_chat`) and their Telegram ids. Left: the
    patients row with the therapist's label (the trail and `/patients` point to it), ids and
    dates (events, lifecycle, audit), and any flag they raised (a risk signal still reaches a
    human; the purge removes its text with the rest)."""
    for statement in _PATIENTS_ROWS:
        conn.execute(statement, {"patient": patient_id})
    forget_private_chat(conn, chat_id)
