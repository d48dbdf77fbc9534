"""The unit's KVÅ codes per contact type (0021), for the /journal summary.

KVÅ (klassifikation av vårdåtgärder) codes are chosen by the region and the unit, so none are
filled in here: a unit without codes gets a line in the summary saying how to set them
(`python -m bot unit kva`).
"""

import sqlite3

# The kinds of contact a journal period can hold, in the order the summary lists them:
# asynchronous text contact in internet-based treatment (messages, comments, feedback), and
# a standardised rating scale filled in (a scored questionnaire).
TEXT_CONTACT = "text_contact"
RATING_SCALE = "rating_scale"
CONTACT_TYPES = (TEXT_CONTACT, RATING_SCALE)
MAX_CODES_CHARS = 200


def of_unit(conn: sqlite3.Connection, unit_id: int) -> dict[str, str]:
    """contact type -> the unit's codes, for the types it has set."""
    rows = conn.execute(
        "SELECT contact_type, codes FROM unit_kva_codes WHERE unit_id = ?", (unit_id,)
    )
    return {row[0]: row[1] for row in rows.fetchall()}


def set_codes(conn: sqlite3.Connection, unit_id: int, contact_type: str, codes: str | None) -> None:
    """Set (or, with None, clear) the unit's codes for one contact type."""
    if contact_type not in CONTACT_TYPES:
        raise ValueError(f"unknown contact type {contact_type!r}")
    if codes is None:
        conn.execute(
            "DELETE FROM unit_kva_codes WHERE unit_id = ? AND contact_type = ?",
            (unit_id, contact_type),
        )
        return
    conn.execute(
        "INSERT INTO unit_kva_codes (unit_id, contact_type, codes) VALUES (?, ?, ?)"
        " ON CONFLICT (unit_id, contact_type) DO UPDATE SET codes = excluded.codes",
        (unit_id, contact_type, codes),
    )
