"""Flag triggers as a registry: every reason a flag is raised, declared once with its
severity, whether the patient gets the safety message at once, and the catalogue keys of its
summary for staff. `raise_flag` (flags.py) takes one of these and refuses any other; the
stored `flag_triggers.kind` is the trigger's `kind`.

A new reason for a flag: one declaration here (added to TRIGGERS), its summary in both
catalogues, and a call to `raise_flag` where it is noticed."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import LANGUAGES, catalogue

RED = "red"
AMBER = "amber"


class UnknownTrigger(ValueError):
    """A flag raised for a reason not declared here."""


@dataclass(frozen=True)
class FlagTrigger:
    kind: str  # flag_triggers.kind
    severities: tuple[str, ...]  # the first is the default; more: the caller chooses
    summary_keys: tuple[str, ...]  # the staff summary's catalogue keys (flag.trigger.*)
    tells_patient: bool = False  # the patient gets the safety message (crisis contacts) at once

    @property
    def severity(self) -> str:
        return self.severities[0]


# A risk answer in a questionnaire (screening.flag_risk_events); "risk_plain" when the
# questionnaire is no longer known.
RISK_ANSWER = FlagTrigger(
    "risk_answer",
    (RED,),
    ("flag.trigger.risk_answer", "flag.trigger.risk_plain"),
    tells_patient=True,
)
# Crisis terms in a patient's free text (screening.screen_text): red or amber by the rules hit.
CRISIS_TERMS = FlagTrigger(
    "crisis_terms", (RED, AMBER), ("flag.trigger.crisis_terms",), tells_patient=True
)
# A reliable worsening of a questionnaire's score (form_routes).
TREND = FlagTrigger("trend", (AMBER,), ("flag.trigger.trend",))
# A questionnaire left past its window (reminders/missed_forms.py).
FORM_MISSED = FlagTrigger("missed", (AMBER,), ("flag.trigger.missed",))
# A diary week with fewer days than expected (reminders/missed_diary.py).
DIARY_MISSED = FlagTrigger("diary_missed", (AMBER,), ("flag.trigger.diary_missed",))
# A planned activity missed, when its plan asks for a flag (reminders/missed_activity.py).
ACTIVITY_MISSED = FlagTrigger("activity_missed", (AMBER,), ("flag.trigger.activity_missed",))
# The patient blocked the bot or cannot be reached (reminders/reachability.py).
UNREACHABLE = FlagTrigger("unreachable", (AMBER,), ("flag.trigger.unreachable",))
# No activity for the unit's number of days (escalation/quiet_patients.py).
QUIET = FlagTrigger("quiet", (AMBER,), ("flag.trigger.quiet",))

TRIGGERS: dict[str, FlagTrigger] = {
    trigger.kind: trigger
    for trigger in (
        RISK_ANSWER,
        CRISIS_TERMS,
        TREND,
        FORM_MISSED,
        DIARY_MISSED,
        ACTIVITY_MISSED,
        UNREACHABLE,
        QUIET,
    )
}


def declared(trigger: FlagTrigger, severity: str | None = None) -> str:
    """The severity to raise `trigger` with (its own, or `severity` when it allows that one);
    UnknownTrigger for a trigger not in TRIGGERS or a severity it does not have."""
    if TRIGGERS.get(trigger.kind) != trigger:
        raise UnknownTrigger(
            f"flag trigger {trigger.kind!r} is not declared in bot/escalation/triggers.py"
        )
    chosen = severity or trigger.severity
    if chosen not in trigger.severities:
        raise UnknownTrigger(f"flag trigger {trigger.kind!r} is never {chosen!r}")
    return chosen


def missing_keys() -> list[str]:
    """Catalogue keys a trigger names that a language lacks ('en: flag.trigger.x')."""
    return [
        f"{language}: {key}"
        for language in LANGUAGES
        for trigger in TRIGGERS.values()
        for key in trigger.summary_keys
        if key not in catalogue(language)
    ]
