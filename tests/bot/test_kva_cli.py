"""`python -m bot unit kva <unit> [<contact-type> <codes>|off]`: the unit's KVÅ codes for the
/journal summary, set, listed and cleared on the command line, audited; bad input refused
with a clear word and nothing changed."""

import json

import pytest

from bot.cli.main import main
from storage import kva_codes
from storage.database import connect_sync


@pytest.fixture
def db(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    assert main(["staff", "add", "--name", "Cecilia", "--role", "admin", "--unit", "Växjö"]) == 0
    return tmp_path / "db.sqlite3"


def test_set_list_and_clear_the_codes(db, capsys):
    capsys.readouterr()
    assert main(["unit", "kva", "Växjö"]) == 0
    assert "text_contact: (not set)" in capsys.readouterr().out

    assert main(["unit", "kva", "Växjö", "text_contact", "XX001,", "XX002"]) == 0
    assert "text_contact: XX001, XX002" in capsys.readouterr().out
    assert kva_codes.of_unit(connect_sync(db), 1) == {"text_contact": "XX001, XX002"}
    (row,) = connect_sync(db).execute(
        "SELECT * FROM audit_log WHERE action = 'unit_kva_codes_changed'"
    )
    assert row["staff_id"] is None and row["unit_id"] == 1
    details = json.loads(row["details_json"])
    assert details == {"codes": "XX001, XX002", "contact_type": "text_contact"}

    assert main(["unit", "kva", "Växjö", "text_contact", "off"]) == 0
    assert kva_codes.of_unit(connect_sync(db), 1) == {}


@pytest.mark.parametrize(
    "args",
    [
        ["Växjö", "phone_call", "XX001"],
        ["Växjö", "text_contact"],
        ["Växjö", "text_contact", "XX\n001"],
        ["Växjö", "text_contact", "X" * 201],
        ["Malmö", "text_contact", "XX001"],
    ],
)
def test_bad_input_is_refused_and_changes_nothing(db, capsys, args):
    capsys.readouterr()
    assert main(["unit", "kva", *args]) == 1
    assert capsys.readouterr().err.strip()
    assert kva_codes.of_unit(connect_sync(db), 1) == {}
