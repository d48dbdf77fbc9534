"""`python -m bot unit channel <unit> <chat-id>|off`: registers the unit's therapist channel as
/channel does, audited with staff_id NULL (the command line); the group gets the notice."""

import json

import pytest

from bot.cli.main import main
from storage import units
from storage.database import connect_sync
from tests.harness.catalogue import says

GROUP = -1001234567890


@pytest.fixture
def db(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    for name, unit in (("Cecilia", "Växjö"), ("Lena", "Lund")):
        assert main(["staff", "add", "--name", name, "--role", "admin", "--unit", unit]) == 0
    return tmp_path / "db.sqlite3"


def _rows(db, sql):
    return connect_sync(db).execute(sql).fetchall()


def test_register_and_unregister_a_channel(db, capsys):
    capsys.readouterr()
    assert main(["unit", "channel", "Växjö", str(GROUP)]) == 0
    assert f"now go to chat {GROUP}" in capsys.readouterr().out
    assert units.by_name(connect_sync(db), "Växjö").therapist_chat_id == GROUP
    (notice,) = _rows(db, f"SELECT payload_json FROM outbox WHERE chat_id = {GROUP}")
    assert says(json.loads(notice[0])["text"], "channel.registered", unit="Växjö")
    (row,) = _rows(db, "SELECT * FROM audit_log WHERE action = 'channel_registered'")
    assert row["staff_id"] is None and row["unit_id"] == 1
    assert json.loads(row["details_json"]) == {"before": None, "chat": GROUP, "via": "cli"}

    assert main(["unit", "channel", "Växjö", "off"]) == 0
    assert "no therapist channel any more" in capsys.readouterr().out
    assert units.by_name(connect_sync(db), "Växjö").therapist_chat_id is None
    (row,) = _rows(db, "SELECT * FROM audit_log WHERE action = 'channel_unregistered'")
    assert json.loads(row["details_json"]) == {"chat": GROUP, "via": "cli"}
    notices = _rows(db, f"SELECT payload_json FROM outbox WHERE chat_id = {GROUP} ORDER BY id")
    assert says(json.loads(notices[-1][0])["text"], "channel.off", unit="Växjö")
    assert main(["unit", "channel", "Växjö", "off"]) == 0
    assert "has no therapist channel" in capsys.readouterr().out


@pytest.mark.parametrize("chat", ["123", "abc", "-", "－100", "-١٢٣", "-" + "9" * 16])
def test_a_chat_id_that_is_no_group_is_refused(db, capsys, chat):
    assert main(["unit", "channel", "Växjö", chat]) == 1
    assert "not a group's chat id" in capsys.readouterr().err
    assert _rows(db, "SELECT * FROM audit_log WHERE action LIKE 'channel%'") == []


def test_an_unknown_unit_or_another_units_channel_is_refused(db, capsys):
    assert main(["unit", "channel", "Malmö", str(GROUP)]) == 1
    assert "no unit 'Malmö'" in capsys.readouterr().err
    assert main(["unit", "channel", "Lund", str(GROUP)]) == 0
    assert main(["unit", "channel", "Växjö", str(GROUP)]) == 1
    assert "already another unit's therapist channel" in capsys.readouterr().err
    assert units.by_name(connect_sync(db), "Växjö").therapist_chat_id is None


def test_the_identity_check_setting(db, capsys):
    """`python -m bot unit identity-check`: 'therapist' by default, 'verifier' when set
    (with a warning while no verifier is configured), audited; an unknown unit is refused."""
    unit_id = _rows(db, "SELECT id FROM units WHERE name = 'Växjö'")[0][0]
    assert units.identity_check(connect_sync(db), unit_id) == "therapist"
    assert main(["unit", "identity-check", "Växjö", "verifier"]) == 0
    assert "IDENTITY_VERIFIER is not set" in capsys.readouterr().err
    assert units.identity_check(connect_sync(db), unit_id) == "verifier"
    audited = _rows(
        db,
        "SELECT staff_id, details_json FROM audit_log WHERE action = 'unit_identity_check_changed'",
    )
    assert [(row[0], json.loads(row[1])["check"]) for row in audited] == [(None, "verifier")]
    assert main(["unit", "identity-check", "Malmö", "therapist"]) == 1
