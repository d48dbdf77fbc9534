"""Pydantic models for the program format (docs/program-format.md).

Shapes are checked by pydantic (``extra="forbid"``, frozen models).  The rules that look at
more than one field (unique ids, "complete modules need text", ...) live in ``_rules()``
methods that return ``(location, message)`` pairs, so the loader can map each problem to
the line of the offending item.  Built directly (``Module(**data)``), a model raises a
``ValidationError`` for those rules too; the loader validates with the context flag
``DEFER_RULES`` and collects them itself, with precise locations, via ``rule_problems``.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

ID_PATTERN = r"^[a-z0-9-]+$"
LANG_PATTERN = r"^[a-z]{2,3}$"
MAX_TEXT = 3000
MAX_LABEL = 40
MIN_OPTIONS = 2
MAX_OPTIONS = 8

#: Validation-context key: when true, models do not raise for their ``_rules()``.
DEFER_RULES = "defer_rules"

Loc = tuple[str | int, ...]

Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1)]
Lang = Annotated[str, Field(pattern=LANG_PATTERN)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def _rules(self) -> list[tuple[Loc, str]]:
        """Problems found by rules beyond the field shapes (locations relative to self)."""
        return []

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> Any:
        if info.context and info.context.get(DEFER_RULES):
            return self
        problems = self._rules()
        if problems:
            raise ValueError("; ".join(f"{format_loc(loc)}: {msg}" for loc, msg in problems))
        return self


def format_loc(loc: Loc) -> str:
    """``("steps", 2, "text")`` -> ``steps[2].text`` (``<root>`` for an empty location)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<root>"


def rule_problems(model: BaseModel, prefix: Loc = ()) -> list[tuple[Loc, str]]:
    """All ``_rules()`` problems of ``model`` and its nested models, with full locations."""
    found: list[tuple[Loc, str]] = []
    if isinstance(model, _Model):
        found += [(prefix + loc, msg) for loc, msg in model._rules()]
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += rule_problems(value, prefix + (name,))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found += rule_problems(item, prefix + (name, i))
    return found


def _duplicates(ids: list[str], what: str, field: str) -> list[tuple[Loc, str]]:
    seen: set[str] = set()
    problems: list[tuple[Loc, str]] = []
    counts = Counter(ids)
    for i, ident in enumerate(ids):
        if counts[ident] > 1 and ident in seen:
            problems.append(((field, i, "id"), f"duplicate {what} id '{ident}'"))
        seen.add(ident)
    return problems


LocalTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DefaultSchedule(_Model):
    """A reminder schedule every patient of the program gets at enrollment."""

    # A reminder kind (bot/reminders/kinds/); which ones a program may use is checked
    # against that registry at start-up and by `python -m bot programs check`.
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    times: list[LocalTime] = Field(min_length=1)
    weekdays: list[Weekday] | None = None  # None: every day
    every_days: int | None = Field(default=None, ge=1)
    start_after_days: int = Field(default=0, ge=0)  # 0: from the day of enrollment
    duration_days: int | None = Field(default=None, ge=1)  # None: no end
    grace_minutes: int = Field(default=720, ge=1)
    resend_after_minutes: int | None = Field(default=None, ge=1)
    earliest: LocalTime | None = None  # the patient may move the time within these
    latest: LocalTime | None = None

    def _rules(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        if self.weekdays is not None and self.every_days is not None:
            problems.append((("every_days",), "give weekdays or every_days, not both"))
        if self.resend_after_minutes and self.resend_after_minutes >= self.grace_minutes:
            problems.append(
                (("resend_after_minutes",), "resend_after_minutes must be below grace_minutes")
            )
        if self.earliest and self.latest and self.earliest > self.latest:
            problems.append((("latest",), "latest is before earliest"))
        return problems


class MeasureDefault(_Model):
    """A questionnaire the program asks for: at the start of some modules (the weekly
    registration), or repeating every N days from enrollment (e.g. PHQ-9 weekly)."""

    questionnaire: Id
    with_modules: list[int] | None = None
    every_days: int | None = Field(default=None, ge=1)
    time: LocalTime = "10:00"  # repeating: the patient's local time it falls due
    start_after_days: int = Field(default=0, ge=0)
    window_hours: int = Field(default=72, ge=1)  # unanswered this long: missed

    def _rules(self) -> list[tuple[Loc, str]]:
        if (self.with_modules is None) == (self.every_days is None):
            return [(("questionnaire",), "give exactly one of with_modules or every_days")]
        return []


class DiaryPart(_Model):
    """A part of the day in the diary, e.g. morning, with its button label per language."""

    id: Id
    label: dict[str, Annotated[str, Field(min_length=1, max_length=MAX_LABEL)]]
    # Local time from which this part of the day runs ("HH:MM"); a planned activity lands in
    # the diary in the part its time falls in. Parts without it are never chosen that way.
    starts: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = None


class DiaryConfig(_Model):
    """The weekly diary: the parts of a day, and from which module activity types
    (vill / måste / kan vara utan) are asked."""

    parts: list[DiaryPart] = Field(min_length=1, max_length=8)
    types_from_module: int | None = Field(default=None, ge=1)

    def _rules(self) -> list[tuple[Loc, str]]:
        return _duplicates([part.id for part in self.parts], "diary part", "parts")


class Readability(_Model):
    """The reading level `python -m bot programs check` holds steps to: a step whose LIX
    (programs/readability.py) is above `max_lix` is a warning, not a failure. One number for
    every language, or one per language (`{sv: 40, en: 40}`)."""

    max_lix: int | dict[Lang, int] = Field(default=40)

    def level(self, lang: str) -> int | None:
        """The level for `lang` (None: a per-language setting without it)."""
        if isinstance(self.max_lix, int):
            return self.max_lix
        return self.max_lix.get(lang)


class ProgramMeta(_Model):
    """program.yaml"""

    id: Id
    languages: list[Lang] = Field(min_length=1)
    title: dict[str, Text]
    modules: int = Field(ge=1)
    # Add-on modules a therapist can open for a patient beside the core sequence (e.g.
    # problem solving); they are module files numbered after the core ones.
    addon_modules: int = Field(default=0, ge=0)
    schedules: list[DefaultSchedule] = Field(default_factory=list)
    diary: DiaryConfig | None = None
    measures: list[MeasureDefault] = Field(default_factory=list)
    # Who opens the next core module: the therapist, at the feedback after a finished module
    # (the default, as in the clinic's routine), or a timer: the next module opens once the
    # current one is finished and `module_interval_days` have passed since it opened. A unit
    # may choose otherwise for its patients (`/unit`).
    module_opening: Literal["therapist", "weekly"] = "therapist"
    module_interval_days: int = Field(default=7, ge=1)  # with `weekly`: the interval
    # The final measurement (eftermätning): these questionnaires are asked for once, when the
    # last core module is finished; the care team gets the change since the first measurement.
    final_measures: list[Id] = Field(default_factory=list)
    # The follow-up at the end of these modules also shows the vill / måste / kan vara utan
    # balance over the weeks.
    balance_after_modules: list[int] = Field(default_factory=list)
    # The reading level the content check warns above (docs/content-style.md).
    readability: Readability | None = None
    # A self-help program (like the PLUS programs): no messaging with a therapist, in either
    # direction; the patient keeps notes their therapist may read. An invite can also make a
    # single enrollment self-help.
    self_help: bool = False

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def total_modules(self) -> int:
        return self.modules + self.addon_modules

    def _rules(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        seen: set[str] = set()
        for i, lang in enumerate(self.languages):
            if lang in seen:
                problems.append((("languages", i), f"language '{lang}' is listed twice"))
            seen.add(lang)
        for lang in self.languages:
            if lang not in self.title:
                problems.append((("title",), f"title has no '{lang}' entry"))
        for lang in self.title:
            if lang not in self.languages:
                problems.append((("title", lang), f"title language '{lang}' is not in languages"))
        return problems


class ChoiceOption(_Model):
    id: Id
    label: Annotated[str, Field(min_length=1, max_length=MAX_LABEL)]


class FreeTextExercise(_Model):
    kind: Literal["free_text"]
    prompt: Text
    required: bool = True


class ChoiceExercise(_Model):
    kind: Literal["choice"]
    prompt: Text
    options: list[ChoiceOption] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    required: bool = True

    def option(self, option_id: str) -> ChoiceOption:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)

    def _rules(self) -> list[tuple[Loc, str]]:
        return _duplicates([o.id for o in self.options], "option", "options")


class PlanActivityExercise(_Model):
    """Plan a concrete activity on a day and time: it gets a reminder then and a follow-up
    afterwards ("Blev det av?"), and lands in the diary. `activity_type` presets the kind of
    activity (e.g. vill in "Få till fler vill-aktiviteter")."""

    kind: Literal["plan_activity"]
    prompt: Text
    activity_type: Literal["vill", "maste", "kan_vara_utan"] | None = None
    required: bool = True


Exercise = Annotated[
    FreeTextExercise | ChoiceExercise | PlanActivityExercise, Field(discriminator="kind")
]


class Media(_Model):
    kind: Literal["video", "audio"]
    ref: Text
    title: Text
    text_version: Text


class Step(_Model):
    id: Id
    title: Text
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)] | None = None
    media: Media | None = None
    exercise: Exercise | None = None


class Module(_Model):
    """<lang>/module-N.yaml"""

    number: int = Field(ge=1)
    title: Text
    status: Literal["complete", "outline"]
    intro: Text | None = None
    summary: Text | None = None
    # The follow-up's reflection question at the end of the module (its answer is the
    # therapist's to read); without it a general question is asked.
    reflection: Text | None = None
    steps: list[Step] = Field(min_length=1)

    @property
    def is_complete(self) -> bool:
        return self.status == "complete"

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def _rules(self) -> list[tuple[Loc, str]]:
        problems = _duplicates(self.step_ids(), "step", "steps")
        if self.status == "complete":
            if self.summary is None:
                problems.append(((), "a complete module needs a summary"))
            for i, step in enumerate(self.steps):
                if step.text is None:
                    problems.append(
                        (("steps", i), f"step '{step.id}' needs text (the module is complete)")
                    )
        return problems
