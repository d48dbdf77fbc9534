"""A questionnaire not answered within its window (the week's measurement missed) is
recorded as missed and raises an amber flag: no deadline chain, but the therapist sees it.
In self-help mode only a questionnaire staff ordered (`/measure`) raises the flag; any other
is recorded as missed and nothing more (bot/care/self_help.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.care.self_help import form_ordered, patient_in_self_help
from bot.containment import each_contained
from bot.escalation.flags import TriggerInfo, raise_flag
from bot.escalation.triggers import FORM_MISSED
from bot.i18n import Translator
from storage import events, forms, patients

BATCH_SIZE = 200


def run_batch(
    conn: sqlite3.Connection,
    now: datetime,
    language: str,
    titles: dict[str, str],
    limit: int = BATCH_SIZE,
    self_help_programs: frozenset[str] = frozenset(),
) -> int:
    expired = forms.expired(conn, now, limit)
    t = Translator(language)
    each_contained(
        conn,
        expired,
        lambda request: _missed(conn, request, now, language, titles, t, self_help_programs),
        set_aside=lambda request: forms.close(conn, request.id, "missed", now),
        what="missed forms: form request",
    )
    return len(expired)


def _missed(
    conn: sqlite3.Connection,
    request,
    now: datetime,
    language: str,
    titles: dict[str, str],
    t: Translator,
    self_help_programs: frozenset[str],
) -> None:
    """One request past its window: closed as missed, with an amber flag (in self-help mode
    only when staff ordered it)."""
    forms.close(conn, request.id, "missed", now)
    flagged = not patient_in_self_help(
        conn, request.patient_id, self_help_programs
    ) or form_ordered(conn, request)
    events.record(
        conn,
        "form_missed",
        now,
        patient_id=request.patient_id,
        questionnaire=request.questionnaire,
        flagged=flagged,
    )
    if not flagged:
        return
    title = titles.get(request.questionnaire, request.questionnaire)
    trigger = TriggerInfo(
        FORM_MISSED,
        t("flag.trigger.missed", title=title),
        {"questionnaire": request.questionnaire},
    )
    raise_flag(conn, patients.get(conn, request.patient_id), trigger, now, language)
