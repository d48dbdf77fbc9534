"""Routes for `/audit` (admins only: the trail shows what every colleague, patient-admins
included, has done, so reading it is kept to those who manage staff). `/audit <label>`: the
patient's trail, paged, in the unit's zone; reading it is itself audited. `/audit export`:
the unit's whole trail as a CSV file (bot/care/audit_export.py), also audited."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.care.access import open_patient, patient_of_dialogue
from bot.care.audit_export import unit_csv
from bot.turn.context import Turn
from dialogues import audit_trail as dialogue
from dialogues import general
from dialogues.audit_trail import PAGE_SIZE, AuditLine, AuditPage
from dialogues.types import Outcome, Reply
from storage import audit, units
from storage.patients import Patient

DIALOGUE = dialogue.DIALOGUE
EXPORT = "export"


def audit_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    if not turn.staff.has_role("admin"):
        return Outcome(replies=(Reply(turn.t("audit.admins_only")),))
    if len(turn.incoming.args) != 1:
        return Outcome(replies=(Reply(turn.t("audit.usage")),))
    if turn.incoming.args[0].lower() == EXPORT:
        return _export(turn)
    patient = open_patient(turn, turn.incoming.args[0], "audit_viewed")
    if patient is None:
        return Outcome(replies=(Reply(turn.t("staff.no_such_patient")),))
    return _page(turn, patient, 0)


def on_button(turn: Turn, action: str) -> Outcome:
    patient = patient_of_dialogue(turn)
    if patient is None or not turn.staff.has_role("admin"):
        return general.stale_button(turn.t)
    wanted = dialogue.page_asked(turn.state.data, action)
    if wanted is None:
        return dialogue.closed(turn.t)
    return _page(turn, patient, wanted)


def on_text(turn: Turn) -> Outcome:
    return general.bad_input("text", turn.t)


def _page(turn: Turn, patient: Patient, wanted: int) -> Outcome:
    zone = ZoneInfo(units.get(turn.conn, patient.unit_id).timezone)
    pages = max(1, -(-audit.count_of_patient(turn.conn, patient.id) // PAGE_SIZE))
    number = min(wanted, pages - 1)
    entries = audit.of_patient(turn.conn, patient.id, PAGE_SIZE, number * PAGE_SIZE)
    lines = tuple(
        AuditLine(
            at=entry.at.astimezone(zone),
            who=entry.staff_name,
            action=entry.action,
            details_json=entry.details_json,
        )
        for entry in entries
    )
    view = AuditPage(label=patient.label, lines=lines, page=number, pages=pages)
    return dialogue.page(view, {"patient": patient.id, "label": patient.label}, turn.t)


def _export(turn: Turn) -> Outcome:
    text, rows = unit_csv(turn.conn, turn.staff.unit_id, turn.staff, turn.now)
    file_name = f"audit-{turn.now:%Y-%m-%d}.csv"
    return dialogue.export_ready(file_name, text, rows, turn.t)
