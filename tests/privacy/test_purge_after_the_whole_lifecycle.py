"""A purge after a whole treatment, through the real application, leaves nothing behind.

The patient is confirmed by the therapist ("Ja, det är min patient"), writes a marker in a
message, asks for their copy (/mydata: the whole copy rides in the outbox until sent), the
therapist exports them (/export: the copy in the STAFF chat's outbox) and reads the journal,
the treatment goes into maintenance, a patient-admin starts an ending, chooses "Annat" and
types a comment holding the marker but never confirms, the patient withdraws, the journal's
last period is recorded, and the sender sends what was queued. 91 days later the purge job's
own pass and the scrub run; then every byte of the database, its -wal and -shm is read: the
marker, the label and the patient's chat id are nowhere, also not in a staff member's open
dialogue.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.care import purge
from storage import outbox, purge_ledger, scrub
from storage.database import connect_sync, run_in_transaction
from tests.harness.catalogue import sv
from tests.harness.inprocess import InProcessBot

MARKER = "MARKÖR-5e1b"
LABEL = "Qx77"
PATIENT_CHAT = 987650123
ANNA, CILLA = 100, 300


def _occurs(db_path: Path, text: str) -> bool:
    data = b"".join(
        Path(f"{db_path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{db_path}{suffix}").exists()
    )
    needles = [text.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be")]
    needles.append(json.dumps(text)[1:-1].encode("ascii"))  # in JSON columns: "MARK\u00d6R"
    return any(needle in data for needle in needles)


def _send_everything_queued(conn, now) -> None:
    """What the sender does once Telegram has taken each queued call."""
    while (row := outbox.next_due(conn, now + timedelta(days=1), set())) is not None:
        outbox.mark_sent(conn, row, 1, now)


async def _whole_treatment(tmp_path) -> tuple[Path, object]:
    # About SQLite's own files: on SQLite in both test passes.
    bot = await InProcessBot.start(tmp_path, target=tmp_path / "bot.sqlite3")
    try:
        anna = await bot.add_staff(ANNA, "Anna")
        cilla = await bot.add_staff(CILLA, "Cilla", role="patient-admin")
        patient = await bot.enrol_patient(anna, PATIENT_CHAT, LABEL)
        await bot.command(patient, "message", "Jag", "skrev", MARKER)
        await bot.command(patient, "mydata")
        await bot.command(anna, "export", LABEL)
        await bot.command(anna, "journal", LABEL)
        await bot.command(anna, "maintain", LABEL, "14")
        await bot.press(anna, sv("maintain.button.start"))
        await bot.command(cilla, "end", LABEL)
        await bot.press(cilla, sv("end.reason.other"))
        await bot.text(cilla, f"Kommentar {MARKER}")  # never confirmed
        await bot.command(patient, "withdraw")
        await bot.press(patient, sv("withdrawal.button.confirm"))
        bot.advance(timedelta(minutes=5))
        await bot.command(anna, "journal", LABEL)
        await bot.press(anna, sv("journal.button.recorded"))
        assert not bot.errors
        now = bot.clock.now()
        run_in_transaction(bot.conn, lambda c: _send_everything_queued(c, now))
        return bot.path, now
    finally:
        await bot.close()


async def test_nothing_of_a_whole_treatment_is_left_after_the_purge(tmp_path):
    db_path, now = await _whole_treatment(tmp_path)
    conn = connect_sync(db_path)
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    for needle in (MARKER, LABEL):
        assert _occurs(db_path, needle), needle  # the test can fail
    later = now + timedelta(days=91)
    ledger = purge_ledger.file_beside(db_path)
    purged = run_in_transaction(conn, lambda c: purge.run_batch(c, later, ledger_file=ledger))
    assert purged == 1
    assert scrub.scrub(conn)
    conn.close()
    for needle in (MARKER, MARKER.lower(), LABEL, str(PATIENT_CHAT)):
        assert not _occurs(db_path, needle), needle
