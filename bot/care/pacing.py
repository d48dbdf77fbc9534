"""Who opens a patient's next module, and when a patient waits for it. Pure: the rules the
module route, the therapist's controls, the tick's module nudges (and anything else that must
keep quiet while a patient waits for their therapist) share.

A program says who opens the next core module (program.yaml `module_opening`): the therapist
(the default, as in the clinic's routine: at each feedback the therapist decides whether the
patient gets the next module or stays another week) or `weekly` (it opens by itself once the
current module is finished and `module_interval_days` have passed since it opened). A unit may
choose otherwise for all its patients (`units.module_opening`, set in `/unit`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.progress import Place

THERAPIST = "therapist"
WEEKLY = "weekly"
OPENINGS = (THERAPIST, WEEKLY)


@dataclass(frozen=True)
class ProgramPacing:
    """What the rules need of a program: its own choice, its interval, its core modules."""

    opening: str
    interval_days: int
    modules: int

    @classmethod
    def of(cls, meta) -> ProgramPacing:
        """From a program's `ProgramMeta`."""
        return cls(meta.module_opening, meta.module_interval_days, meta.modules)


def opening(pacing: ProgramPacing, unit_opening: str | None) -> str:
    """Who opens the next module for a patient of this unit: the unit's choice, if it made one."""
    return unit_opening if unit_opening in OPENINGS else pacing.opening


def weekly_due(pacing: ProgramPacing, place: Place, now: datetime) -> bool:
    """With weekly opening: the current module is finished, a next one exists and the interval
    since the current one opened has passed, so it opens at the patient's next visit."""
    return (
        opening(pacing, place.unit_opening) == WEEKLY
        and place.finished
        and place.current_module < pacing.modules
        and now >= place.module_started_at + timedelta(days=pacing.interval_days)
    )


def waits_for_therapist(pacing: ProgramPacing, place: Place) -> bool:
    """The patient has finished their current module and only their therapist can open the
    next one."""
    return (
        opening(pacing, place.unit_opening) == THERAPIST
        and place.finished
        and place.current_module < pacing.modules
    )


def nothing_to_work_on(pacing: ProgramPacing | None, place: Place, now: datetime) -> bool:
    """A nudge to keep working on the module would only nag: the current module is finished
    and no next one is there to open (the therapist has not opened it, the week has not
    passed, or it was the last). Without the program's pacing (a program no longer loaded),
    a finished module is enough."""
    if not place.finished:
        return False
    return pacing is None or not weekly_due(pacing, place, now)
