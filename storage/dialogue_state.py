"""The open dialogue of each chat, as plain JSON, with a revision for stale-button checks."""

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from storage.timefmt import to_db


@dataclass(frozen=True)
class DialogueState:
    dialogue: str = ""  # "" : no dialogue open
    data: dict = field(default_factory=dict)
    revision: int = 0


def load(conn: sqlite3.Connection, chat_id: int) -> DialogueState:
    row = conn.execute("SELECT * FROM dialogue_state WHERE chat_id = ?", (chat_id,)).fetchone()
    if row is None:
        return DialogueState()
    return DialogueState(row["dialogue"], json.loads(row["state_json"]), row["revision"])


def save(conn: sqlite3.Connection, chat_id: int, state: DialogueState, now: datetime) -> int:
    """Store the new state; returns the new revision."""
    return conn.execute(
        "INSERT INTO dialogue_state (chat_id, dialogue, state_json, revision, updated_at)"
        " VALUES (?, ?, ?, 1, ?) ON CONFLICT (chat_id) DO UPDATE SET"
        " dialogue = excluded.dialogue, state_json = excluded.state_json,"
        " revision = dialogue_state.revision + 1, updated_at = excluded.updated_at"
        " RETURNING revision",
        (chat_id, state.dialogue, json.dumps(state.data, sort_keys=True), to_db(now)),
    ).fetchone()[0]
