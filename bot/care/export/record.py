"""A patient's copy as plain data: what `gather` read, with labels already in the patient's
language and what the audience may not see already left out, so the two document builders
only arrange it. Times are aware UTC datetimes; the builders show them in the patient's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

PATIENT = "patient"  # the person's own copy (/mydata): pseudonym, no risk items
STAFF = "staff"  # the care team's export (/export <label>): the label, everything
AUDIENCES = (PATIENT, STAFF)


@dataclass(frozen=True)
class ModuleState:
    number: int
    name: str  # "Modul 2: …" or "Tillägg: …"
    addon: bool
    step_index: int
    finished_at: datetime | None


@dataclass(frozen=True)
class LifecycleChange:
    change: str  # enrolled, confirmed, maintenance, ended, withdrawn, ...
    reason: str | None  # a code
    at: datetime


@dataclass(frozen=True)
class Treatment:
    enrollment_id: int
    program_id: str
    program_name: str
    mode: str  # guided | self-help
    status: str  # active | maintenance | ended
    started_at: datetime
    maintenance_until: datetime | None
    ended_at: datetime | None
    end_reason: str | None  # a code (storage.lifecycle)
    end_comment: str | None  # staff's free text with 'other'; staff export only
    current_module: int
    modules: tuple[ModuleState, ...]
    history: tuple[LifecycleChange, ...]


@dataclass(frozen=True)
class ExerciseAnswer:
    enrollment_id: int
    program_id: str
    module: int
    module_name: str
    step_id: str
    step_title: str
    question: str | None
    answer: str  # the words written, or the chosen option's label
    choice: str | None  # the chosen option's id, for a choice
    updated_at: datetime


@dataclass(frozen=True)
class FormItem:
    item_id: str
    question: str
    value: int
    answer: str  # the answer's label
    risk: bool  # a risk item (staff export only)


@dataclass(frozen=True)
class FormResult:
    request_id: int
    questionnaire_id: str
    title: str
    submitted_at: datetime
    total: int
    max_total: int
    band: str | None
    items: tuple[FormItem, ...]


@dataclass(frozen=True)
class DiaryEntry:
    day: date
    part: str
    part_name: str
    activity: str | None
    mood: int | None
    activity_type: str | None
    activity_type_name: str | None
    skipped: bool


@dataclass(frozen=True)
class ListedActivity:
    text: str
    activity_type: str
    activity_type_name: str
    created_at: datetime
    removed_at: datetime | None


@dataclass(frozen=True)
class FollowUp:
    planned_for: datetime
    status: str  # the reminder's: open | answered | missed
    outcome: str | None  # ja | delvis | nej
    outcome_name: str | None
    mood: int | None
    comment: str | None
    answered_at: datetime | None


@dataclass(frozen=True)
class PlannedActivity:
    plan_id: int
    text: str
    activity_type: str | None
    activity_type_name: str | None
    planned_by: str  # patient | staff
    times: tuple[str, ...]  # local 'HH:MM'
    weekdays: tuple[str, ...] | None  # monday ... sunday; None: every day
    start_date: date | None  # None: its schedule is gone
    end_date: date | None
    follow_ups: tuple[FollowUp, ...]


@dataclass(frozen=True)
class MessageCopy:
    message_id: int
    direction: str  # from_patient | to_patient
    kind: str  # message | comment | feedback
    written_at: datetime
    delivered_at: datetime | None
    text: str
    module: int | None


@dataclass(frozen=True)
class NoteCopy:
    note_id: int
    written_at: datetime
    text: str


@dataclass(frozen=True)
class ReminderSchedule:
    kind: str
    kind_name: str
    times: tuple[str, ...]
    weekdays: tuple[str, ...] | None
    every_days: int | None
    start_date: date
    end_date: date | None
    active: bool
    text: str | None  # a therapist's own reminder words
    questionnaire: str | None


@dataclass(frozen=True)
class ReminderSettings:
    quiet_start: str
    quiet_end: str
    paused_until: datetime | None
    schedules: tuple[ReminderSchedule, ...]


@dataclass(frozen=True)
class PatientCopy:
    audience: str  # PATIENT | STAFF
    created_at: datetime
    patient_id: int  # for stable resource ids only; never shown as such
    pseudonym: str
    language: str
    timezone: str
    consented_at: datetime
    confirmed_at: datetime | None
    treatments: tuple[Treatment, ...]
    exercise_answers: tuple[ExerciseAnswer, ...]
    forms: tuple[FormResult, ...]
    diary: tuple[DiaryEntry, ...]
    activities: tuple[ListedActivity, ...]
    plans: tuple[PlannedActivity, ...]
    messages: tuple[MessageCopy, ...]
    notes: tuple[NoteCopy, ...]
    reminders: ReminderSettings
