"""Declining consent keeps nothing: the real bot (poller, handlers, routes, sender) against
the emulator, through invite → a stranger's text → /start → Jag godkänner inte → the reply
sent; then every column of every table is searched for the person. A table added later that
keeps them fails this test."""

import json
import sqlite3
from io import StringIO
from pathlib import Path

import pytest

from bot.devtools.demo import run_script
from tests.harness.script_env import SCRIPT_BOT_ENV

pytestmark = pytest.mark.scripts

SCRIPT = Path(__file__).parent / "decline-leaves-nothing.chat"
WORDS = ("Kalle", "Svensson", "Storgatan", "kallesvensson")


@pytest.fixture(scope="module")
def declined(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("decline") / "bot.sqlite3"
    out = StringIO()
    recorded: list = []
    code = run_script(
        SCRIPT, db_path=db_path, out=out, recorded_requests=recorded, bot_env=SCRIPT_BOT_ENV
    )
    assert code == 0, out.getvalue()[-4000:]
    return db_path, recorded


def _person(recorded) -> tuple[int, str]:
    """The decliner's chat id and the invite code, from what the bot really sent them."""
    for request in recorded:
        markup = request.params.get("reply_markup") or ""
        if "consent:no:" in str(markup):
            data = json.loads(markup) if isinstance(markup, str) else markup
            buttons = [b["callback_data"] for row in data["inline_keyboard"] for b in row]
            code = next(b for b in buttons if "consent:no:" in b).rsplit(":", 1)[1]
            return int(request.params["chat_id"]), code
    raise AssertionError("no consent offer was sent")


def _cells(conn: sqlite3.Connection):
    """(table, column, value as text) for every cell of every table, sqlite's own included."""
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert "outbox" in tables and "send_ledger" in tables and "inbox" in tables
    for table in tables:
        cursor = conn.execute(f'SELECT * FROM "{table}"')
        columns = [description[0] for description in cursor.description]
        for row in cursor:
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                yield table, column, text


def _found(db_path: Path, needle: str, *, allowed=()) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return [
            (table, column)
            for table, column, text in _cells(conn)
            if needle in text and (table, column) not in allowed
        ]
    finally:
        conn.close()


def test_the_person_is_in_no_table_once_the_reply_went_out(declined):
    db_path, recorded = declined
    chat_id, code = _person(recorded)
    to_them = [r.params for r in recorded if str(r.params.get("chat_id")) == str(chat_id)]
    decline_sent = [params for params in to_them if "tackat nej" in str(params.get("text"))]
    assert decline_sent, "the decline reply did not go out"
    assert _found(db_path, str(chat_id)) == []
    for word in WORDS:
        assert _found(db_path, word) == [], word
    # the invite itself keeps its code (the link says "already used"), and nothing else does
    assert _found(db_path, code, allowed={("invites", "code")}) == []


def test_the_invite_is_declined_and_the_search_finds_what_is_kept(declined):
    db_path, recorded = declined
    _, code = _person(recorded)
    conn = sqlite3.connect(db_path)
    try:
        status = conn.execute("SELECT status FROM invites WHERE code = ?", (code,)).fetchone()
        assert status == ("declined",)
        assert conn.execute("SELECT COUNT(*) FROM patients").fetchone() == (0,)
        anna = conn.execute("SELECT telegram_user_id FROM staff").fetchone()[0]
        unsent = conn.execute("SELECT COUNT(*) FROM outbox WHERE status != 'sent'").fetchone()
        assert unsent == (0,)
    finally:
        conn.close()
    # the same search does find what is kept on purpose: it would find the person too
    assert ("staff", "telegram_user_id") in _found(db_path, str(anna))
    assert _found(db_path, code) == [("invites", "code")]
