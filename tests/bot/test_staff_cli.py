"""`python -m bot staff list|deactivate|reactivate|set-role`: each change audited with
staff_id NULL (the command line)."""

import json

import pytest

from bot.cli.main import main
from storage import staff
from storage.database import connect_sync


@pytest.fixture
def db(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    for name, role, unit in (
        ("Anna", "therapist", "Växjö"),
        ("Bo", "patient-admin", "Växjö"),
        ("Lars", "therapist", "Lund"),
    ):
        assert main(["staff", "add", "--name", name, "--role", role, "--unit", unit]) == 0
    return tmp_path / "db.sqlite3"


def _audit(db):
    conn = connect_sync(db)
    return conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall()


def test_list_shows_id_unit_name_roles_active_bound(db, capsys):
    capsys.readouterr()
    assert main(["staff", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id\tunit\tname\troles\tactive\tbound"
    assert "1\tVäxjö\tAnna\ttherapist\tyes\tno" in lines
    assert "3\tLund\tLars\ttherapist\tyes\tno" in lines
    assert main(["staff", "list", "--unit", "Lund"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["3\tLund\tLars\ttherapist\tyes\tno"]


def test_deactivate_and_reactivate_by_name_or_id(db, capsys):
    assert main(["staff", "deactivate", "anna", "--unit", "Växjö"]) == 0
    assert "Deactivated 'Anna' (id 1)" in capsys.readouterr().out
    assert not staff.get(connect_sync(db), 1).active
    assert main(["staff", "reactivate", "1", "--unit", "Växjö"]) == 0
    assert staff.get(connect_sync(db), 1).active
    rows = _audit(db)
    assert [row["action"] for row in rows][-2:] == ["staff_deactivated", "staff_reactivated"]
    assert all(row["staff_id"] is None for row in rows)
    assert json.loads(rows[-1]["details_json"]) == {"member": 1, "via": "cli"}
    assert rows[-1]["unit_id"] == 1


def test_set_role_replaces_the_roles(db, capsys):
    conn = connect_sync(db)
    assert main(["staff", "set-role", "2", "admin", "--unit", "Växjö"]) == 0
    assert staff.get(conn, 2).roles == {"admin"}
    (row,) = [row for row in _audit(db) if row["action"] == "staff_role_set"]
    assert json.loads(row["details_json"]) == {
        "before": ["patient-admin"],
        "member": 2,
        "role": "admin",
        "via": "cli",
    }


def test_a_member_of_another_unit_or_an_ambiguous_name_is_refused(db, capsys):
    assert main(["staff", "deactivate", "3", "--unit", "Växjö"]) == 1
    assert "no staff member '3' in unit 'Växjö'" in capsys.readouterr().err
    assert main(["staff", "add", "--name", "anna", "--role", "therapist", "--unit", "Växjö"]) == 0
    assert main(["staff", "deactivate", "Anna", "--unit", "Växjö"]) == 1
    assert "several staff members are called 'Anna'" in capsys.readouterr().err
    assert main(["staff", "set-role", "Anna", "admin", "--unit", "Nowhere"]) == 1
    assert staff.get(connect_sync(db), 1).active


def test_a_new_unit_gets_default_timezone_and_an_existing_one_keeps_its_own(db, monkeypatch):
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Helsinki")
    assert main(["staff", "add", "--name", "Eva", "--role", "therapist", "--unit", "Åbo"]) == 0
    assert main(["staff", "add", "--name", "Per", "--role", "therapist", "--unit", "Lund"]) == 0
    conn = connect_sync(db)
    zones = dict(conn.execute("SELECT name, timezone FROM units").fetchall())
    assert zones == {
        "Växjö": "Europe/Stockholm",
        "Lund": "Europe/Stockholm",
        "Åbo": "Europe/Helsinki",
    }
