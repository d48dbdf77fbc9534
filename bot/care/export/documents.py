"""The two files of a patient's copy, named without personal data: the date only
(`mydata-2026-11-30.json` and `mydata-2026-11-30.fhir.json` for the patient,
`export-…` for staff, whose chat may hold several patients' files: the label is inside)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.care.export.fhir_bundle import as_fhir
from bot.care.export.gather import gather
from bot.care.export.readable import as_json
from bot.care.export.record import PATIENT
from programs.loader import ProgramCatalog
from storage.patients import Patient


@dataclass(frozen=True)
class Document:
    name: str
    text: str


def documents(
    conn: sqlite3.Connection,
    patient: Patient,
    programs: ProgramCatalog,
    questionnaires: dict,
    now: datetime,
    audience: str,
) -> tuple[Document, Document]:
    """(readable JSON, FHIR Bundle) of everything stored about the patient, for `audience`."""
    copy = gather(conn, patient, programs, questionnaires, now, audience)
    day = now.astimezone(ZoneInfo(copy.timezone)).date().isoformat()
    stem = f"mydata-{day}" if audience == PATIENT else f"export-{day}"
    return Document(f"{stem}.json", as_json(copy)), Document(f"{stem}.fhir.json", as_fhir(copy))
