"""/audit (admins): a patient's trail, newest first, paged, in the unit's zone; /audit export:
the unit's trail as a CSV document, itself audited. And the command-line export."""

import csv
import io
import json
from datetime import timedelta

from bot.care.audit_export import safe_cell
from bot.cli.main import main
from bot.telegram.uploads import as_document_upload
from tests.bot.commands import COMMANDS
from tests.bot.staff_helpers import audit_rows, bind, enroll, replies_to, staff_id
from tests.harness.catalogue import says, sv

ADMIN, ANNA, BO, PATIENT = 300, 100, 101, 200


def _unit(chat):
    bind(chat, "Cecilia", "admin", "Växjö", ADMIN)
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    bind(chat, "Bo", "patient-admin", "Växjö", BO)
    enroll(chat, ANNA, "P1", PATIENT)


def test_audit_shows_who_did_what_newest_first_in_the_units_zone(chat):
    _unit(chat)
    chat.command(COMMANDS["results"], ANNA, "results", "P1")  # 08:00 Stockholm
    chat.clock.advance(timedelta(minutes=30))
    chat.command(COMMANDS["diary"], ANNA, "diary", "P1")
    chat.clock.advance(timedelta(minutes=30))
    page = replies_to(chat, ADMIN, COMMANDS["audit"], "audit", "P1")[0]
    assert says(page, "audit.title", label="P1", page=1, pages=1)
    lines = [line for line in page.splitlines() if line.startswith("• ")]
    # who and when, in the unit's zone, newest first (what was done: the catalogue's words)
    assert f"2026-12-01 09:00 · Cecilia · {sv('audit_action.audit_viewed')}" in lines[0]
    assert f"2026-12-01 08:30 · Anna · {sv('audit_action.diary_viewed')}" in lines[1]
    assert f"2026-12-01 08:00 · Anna · {sv('audit_action.results_viewed')}" in lines[2]
    (row,) = audit_rows(chat, "audit_viewed")
    assert row["staff_id"] == staff_id(chat, ADMIN)


def test_audit_pages_ten_at_a_time(chat):
    _unit(chat)
    for _ in range(23):
        chat.clock.advance(timedelta(minutes=1))
        chat.command(COMMANDS["results"], ANNA, "results", "P1")
    first = replies_to(chat, ADMIN, COMMANDS["audit"], "audit", "P1")[0]
    # 23 reads, the therapist's confirmation of who P1 is, and this one
    assert says(first, "audit.title", page=1, pages=3)
    newer, older = sv("audit.button.newer"), sv("audit.button.older")
    assert newer not in chat.outbox(ADMIN)[-1]["params"]["reply_markup"]
    chat.press(ADMIN, older)
    chat.press(ADMIN, older)
    last = chat.last_text(ADMIN)
    assert says(last, "audit.title", page=3, pages=3)
    assert last.count("• ") == 5
    assert older not in chat.outbox(ADMIN)[-1]["params"]["reply_markup"]
    chat.press(ADMIN, newer)
    assert says(chat.last_text(ADMIN), "audit.title", page=2, pages=3)


def test_audit_is_for_admins_only(chat):
    _unit(chat)
    for member in (ANNA, BO):
        reply = replies_to(chat, member, COMMANDS["audit"], "audit", "P1")[0]
        assert reply == sv("audit.admins_only")
    assert not audit_rows(chat, "audit_viewed")


def test_audit_export_sends_the_units_trail_as_csv(chat):
    _unit(chat)
    bind(chat, "Lars", "therapist", "Lund", 500)
    enroll(chat, 500, "L1", 501)
    chat.command(COMMANDS["results"], 500, "results", "L1")  # another unit: not exported
    chat.command(COMMANDS["results"], ANNA, "results", "P1")
    chat.command(COMMANDS["audit"], ADMIN, "audit", "export")
    row = chat.outbox(ADMIN)[-1]
    assert row["method"] == "sendDocument"
    assert "granskningslogg" in row["params"]["caption"]
    upload = as_document_upload(row["params"])
    assert upload["document"].filename == "audit-2026-12-01.csv"
    assert "document_text" not in upload and "document_name" not in upload
    table = list(csv.reader(io.StringIO(row["params"]["document_text"])))
    assert table[0] == [
        "time_utc",
        "staff_id",
        "staff_name",
        "action",
        "patient_label",
        "details_json",
    ]
    actions = [(line[2], line[3], line[4]) for line in table[1:]]
    assert ("Anna", "invite_created", "") in actions
    assert ("Anna", "results_viewed", "P1") in actions
    assert ("Cecilia", "audit_exported", "") in actions
    assert not any(line[4] == "L1" or line[2] == "Lars" for line in table[1:])
    assert table[-1][0] == "2026-12-01T07:00:00Z"


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_text():
    for formula in ("=1+1", "+46 70", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(formula) == "'" + formula
    for plain in ("Anna", "P1", "", '{"flag": 3}', "2026-12-01T07:00:00Z", 12, None):
        assert safe_cell(plain) == ("" if plain is None else str(plain))


def test_audit_export_neutralises_a_staff_name_that_is_a_formula(chat):
    _unit(chat)
    bind(chat, '=HYPERLINK("http://x","klick")', "therapist", "Växjö", 102)
    chat.command(COMMANDS["invite"], 102, "invite", "depression", "P9")
    chat.command(COMMANDS["audit"], ADMIN, "audit", "export")
    row = chat.outbox(ADMIN)[-1]
    table = list(csv.reader(io.StringIO(row["params"]["document_text"])))
    names = {line[2] for line in table[1:]}
    assert '\'=HYPERLINK("http://x","klick")' in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in table for cell in line)


def test_cli_export_writes_a_file_and_is_audited(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    assert main(["staff", "add", "--name", "Anna", "--role", "therapist", "--unit", "Växjö"]) == 0
    out = tmp_path / "audit.csv"
    assert main(["audit", "export", "--unit", "Växjö", "--out", str(out)]) == 0
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [line[3] for line in table[1:]] == ["staff_added", "audit_exported"]
    assert table[1][1] == "" and json.loads(table[1][5])["via"] == "cli"
    assert main(["audit", "export", "--unit", "Nowhere"]) == 1
