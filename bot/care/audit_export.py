"""A unit's audit trail as CSV: `python -m bot audit export --unit X [--out FILE]`, and
`/audit export` in chat (bot/routes/audit_trail.py). The export is itself audited."""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import sys
from datetime import datetime

from bot.clock import SystemClock
from bot.settings import load_settings
from storage import audit, units
from storage.database import connect_sync, migrate_sync, run_in_transaction
from storage.staff import Staff

COLUMNS = ("time_utc", "staff_id", "staff_name", "action", "patient_label", "details_json")

# A cell starting with one of these is read as a formula by spreadsheet programs (OWASP: CSV
# injection); a staff name or a label typed in chat could start with one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text a spreadsheet shows as text: a leading ' before a formula start."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def unit_csv(
    conn: sqlite3.Connection, unit_id: int, by: Staff | None, now: datetime
) -> tuple[str, int]:
    """The unit's trail, oldest first, as CSV text, and its number of rows; records the
    export first, so the file shows it too. `by` None: the command line."""
    details = {"via": "cli"} if by is None else {}
    audit.record(
        conn,
        staff_id=by.id if by else None,
        action="audit_exported",
        now=now,
        unit_id=unit_id,
        **details,
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    entries = audit.of_unit(conn, unit_id)
    for entry in entries:
        cells = (
            entry.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            entry.staff_id,
            entry.staff_name,
            entry.action,
            entry.patient_label,
            entry.details_json,
        )
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue(), len(entries)


def main(args: argparse.Namespace) -> int:
    conn = connect_sync(load_settings().database_target)
    migrate_sync(conn)
    unit = units.by_name(conn, args.unit)
    if unit is None:
        print(f"no unit {args.unit!r}", file=sys.stderr)
        return 1
    now = SystemClock().now()
    text, _ = run_in_transaction(conn, lambda c: unit_csv(c, unit.id, None, now))
    if args.out:
        # utf-8-sig: spreadsheet programs then read å, ä, ö right.
        with open(args.out, "w", encoding="utf-8-sig", newline="") as handle:
            handle.write(text)
        print(f"Audit trail of unit {args.unit!r} written to {args.out}.")
    else:
        sys.stdout.write(text)
    return 0
