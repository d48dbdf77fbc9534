"""The journal note (`/journal <label>`, see journal.mmd): what happened in a patient's
treatment since the last note, as plain lines ready to copy into the patient record, and the
button **Införd i journalen** that marks the period as recorded. Pure.

The summary holds facts only: counts, dates, module names, scores with their bands, flags
with who handled them, the treatment's changes. The patient's own words are never copied;
the therapist is told where to read them. The unit's KVÅ codes for the kinds of contact in
the period come last, or a line saying how to set them.

The button is stateless (`journal:done:<patient>:<end>`, the end of the period as UTC
microseconds): the period it marks is the one the therapist read, however late they press.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from dialogues.types import Button, Outcome, Reply, rows

BUTTON = "journal"
DATE = "%Y-%m-%d"
MINUTE = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class ScoreLine:
    title: str
    total: int
    max_total: int
    band: str
    on: date


@dataclass(frozen=True)
class FlagLine:
    severity: str  # red | amber
    kind: str | None  # the trigger's kind; None: not known
    raised: date
    handled: date | None
    handled_by: str | None


@dataclass(frozen=True)
class ChangeLine:
    change: str  # enrolled, confirmed, maintenance, ended, withdrawn, ...
    reason: str | None  # an end reason's code
    by: str | None  # a staff member's name; None: the patient or the bot
    on: date


@dataclass(frozen=True)
class KvaLine:
    contact_type: str  # storage.kva_codes.CONTACT_TYPES
    codes: str | None  # None: the unit has not set codes for it


@dataclass(frozen=True)
class Summary:
    """One period of one patient, every time already in the unit's zone."""

    patient_id: int
    label: str
    program: str  # the program's title
    self_help: bool
    status: str  # active | maintenance | ended
    maintenance_until: date | None
    ended_on: date | None
    end_reason: str | None
    start: datetime
    end: datetime
    end_token: int  # the period's end in UTC microseconds, carried by the button
    from_patient: tuple[date, ...] = ()  # messages the patient wrote
    answered: tuple[date, ...] = ()  # the patient's messages answered by staff
    staff_messages: tuple[date, ...] = ()  # messages staff wrote
    comments: tuple[date, ...] = ()  # staff comments on exercise answers
    feedback: tuple[tuple[date, str], ...] = ()  # (when, the module's name)
    opened: tuple[tuple[date, str], ...] = ()  # modules opened: (when, name)
    finished: tuple[tuple[date, str], ...] = ()  # modules finished: (when, name)
    scores: tuple[ScoreLine, ...] = ()
    flags: tuple[FlagLine, ...] = ()
    changes: tuple[ChangeLine, ...] = ()
    answers: int = 0  # exercise answers saved or changed
    diary_days: int = 0
    notes: int = 0
    kva: tuple[KvaLine, ...] = ()  # the contact types of the period
    kva_set: bool = False  # the unit has set codes for any contact type


# ---- the summary -----------------------------------------------------------------------------


def summary(s: Summary, t) -> Outcome:
    record = "\n".join(_record_lines(s, t))
    text = "\n\n".join(
        (
            t("journal.title", label=escape(s.label)),
            f"<pre>{escape(record)}</pre>",
            _kva_text(s, t),
            t("journal.texts_elsewhere", label=escape(s.label)),
        )
    )
    action = done_action(s.patient_id, s.end_token)
    button = Button(t("journal.button.recorded"), action, stateless=True)
    return Outcome(replies=(Reply(text, rows(button)),))


def done_action(patient_id: int, end_token: int) -> str:
    return f"{BUTTON}:done:{patient_id}:{end_token}"


def _record_lines(s: Summary, t) -> list[str]:
    """The text to copy: plain lines, sections separated by a blank line."""
    lines = [
        t("journal.heading"),
        t("journal.period", start=s.start.strftime(MINUTE), end=s.end.strftime(MINUTE)),
        t("journal.program", program=s.program, mode=t(f"journal.mode.{_mode(s)}")),
        _status(s, t),
    ]
    for section in (
        _contacts(s, t),
        _modules(s, t),
        _scores(s, t),
        _flags(s, t),
        _changes(s, t),
        _written(s, t),
    ):
        lines += ["", *section]
    return lines


def _mode(s: Summary) -> str:
    return "self_help" if s.self_help else "guided"


def _status(s: Summary, t) -> str:
    if s.status == "maintenance" and s.maintenance_until is not None:
        return t("journal.status.maintenance", until=s.maintenance_until.strftime(DATE))
    if s.status == "ended" and s.ended_on is not None:
        reason = _reason(s.end_reason, t)
        return t("journal.status.ended", on=s.ended_on.strftime(DATE), reason=reason)
    return t("journal.status.active")


def _dates(days: tuple[date, ...]) -> str:
    """'2026-12-01 (2), 2026-12-03': each day once, with how many when more than one."""
    counted = Counter(days)
    return ", ".join(
        day.strftime(DATE) + (f" ({n})" if n > 1 else "") for day, n in sorted(counted.items())
    )


def _counted(key: str, days: tuple[date, ...], t) -> list[str]:
    return [t(key, n=len(days), dates=_dates(days))] if days else []


def _contacts(s: Summary, t) -> list[str]:
    lines = [
        *_counted("journal.contacts.from_patient", s.from_patient, t),
        *_counted("journal.contacts.answered", s.answered, t),
        *_counted("journal.contacts.staff_messages", s.staff_messages, t),
        *_counted("journal.contacts.comments", s.comments, t),
        *(
            t("journal.contacts.feedback", module=name, on=on.strftime(DATE))
            for on, name in s.feedback
        ),
    ]
    return _section("contacts", lines, t)


def _modules(s: Summary, t) -> list[str]:
    lines = [
        *(t("journal.module.opened", module=name, on=on.strftime(DATE)) for on, name in s.opened),
        *(
            t("journal.module.finished", module=name, on=on.strftime(DATE))
            for on, name in s.finished
        ),
    ]
    return _section("modules", lines, t)


def _scores(s: Summary, t) -> list[str]:
    lines = [
        t(
            "journal.score",
            title=score.title,
            total=score.total,
            max=score.max_total,
            band=score.band,
            on=score.on.strftime(DATE),
        )
        for score in s.scores
    ]
    return _section("scores", lines, t)


def _flags(s: Summary, t) -> list[str]:
    lines = []
    for flag in s.flags:
        raised = t(
            f"journal.flag.{flag.severity}",
            kind=_flag_kind(flag.kind, t),
            on=flag.raised.strftime(DATE),
        )
        if flag.handled is None:
            handled = t("journal.flag.open")
        else:
            by = flag.handled_by or t("journal.someone")
            handled = t("journal.flag.handled", on=flag.handled.strftime(DATE), by=by)
        lines.append(f"{raised}, {handled}")
    return _section("flags", lines, t)


def _flag_kind(kind: str | None, t) -> str:
    key = f"journal.flag_kind.{kind}"
    return t(key) if kind and t.has(key) else t("journal.flag_kind.other")


def _changes(s: Summary, t) -> list[str]:
    lines = []
    for change in s.changes:
        key = f"journal.change.{change.change}"
        what = t(key) if t.has(key) else change.change
        if change.reason:
            what = f"{what} ({_reason(change.reason, t)})"
        by = t("journal.change.by", who=change.by) if change.by else ""
        lines.append(f"{change.on.strftime(DATE)} {what}{by}")
    return _section("changes", lines, t)


def _reason(reason: str | None, t) -> str:
    key = f"journal.reason.{reason}"
    return t(key) if reason and t.has(key) else (reason or "–")


def _written(s: Summary, t) -> list[str]:
    line = t("journal.written", answers=s.answers, diary_days=s.diary_days, notes=s.notes)
    return _section("written", [line], t)


def _section(name: str, lines: list[str], t) -> list[str]:
    """A heading and its lines as a list ("- ..."), or "- none" under it."""
    return [t(f"journal.section.{name}"), *(f"- {line}" for line in lines or [t("journal.none")])]


def _kva_text(s: Summary, t) -> str:
    if not s.kva_set:
        return t("journal.kva.not_set")
    if not s.kva:
        return t("journal.kva.no_contact")
    lines = [
        t(
            "journal.kva.line",
            contact=t(f"journal.kva.type.{line.contact_type}"),
            codes=f"<code>{escape(line.codes)}</code>" if line.codes else t("journal.kva.missing"),
        )
        for line in s.kva
    ]
    return "\n".join((t("journal.kva.heading"), *lines))


# ---- the button ----------------------------------------------------------------------------


def recorded(label: str, start: datetime, end: datetime, t) -> Outcome:
    text = t(
        "journal.recorded",
        label=escape(label),
        start=start.strftime(MINUTE),
        end=end.strftime(MINUTE),
    )
    return Outcome(replies=(Reply(text),), toast=t("journal.recorded_toast"))


def already_recorded(label: str, t) -> Outcome:
    text = t("journal.already_recorded", label=escape(label))
    return Outcome(replies=(Reply(text),), toast=t("journal.already_recorded_toast"))


def refused(t) -> Outcome:
    """A press by someone who may not (or no longer) see the patient, or on a button whose
    patient is gone: nothing is recorded, and nothing about the patient is said."""
    return Outcome(replies=(Reply(t("journal.refused")),), toast=t("journal.refused_toast"))


def usage(t) -> Outcome:
    return Outcome(replies=(Reply(t("journal.usage")),))
