"""Pydantic models for questionnaires (docs/questionnaire-format.md).

Like ``programs.models``: frozen models with ``extra="forbid"``; the rules that look at more
than one field live in ``Questionnaire._rules()`` and return ``(location, message)`` pairs so
the loader can report each problem at the line of the offending key or item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StrictInt, Tag

from .models import ID_PATTERN, LANG_PATTERN, MAX_LABEL, MAX_TEXT, Loc, _Model

#: Languages every text needs when a file does not list its own.
DEFAULT_LANGUAGES: tuple[str, ...] = ("sv", "en")
MIN_ANSWERS = 2
MAX_ANSWERS = 11  # a 0..10 scale; Telegram shows them as buttons

#: Tags of the two shapes ``answers`` may take (stripped from error locations by the loader).
NAMED_TAG = "answer-set-name"
INLINE_TAG = "answer-list"
ANSWER_TAGS = frozenset({NAMED_TAG, INLINE_TAG})

Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1)]
Lang = Annotated[str, Field(pattern=LANG_PATTERN)]
#: Text per language, e.g. ``{sv: Inte alls, en: Not at all}``.
LocalText = dict[Lang, Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]]
#: A button label per language (at most 40 characters).
LocalLabel = dict[Lang, Annotated[str, Field(min_length=1, max_length=MAX_LABEL)]]


def localized(text: dict[str, str], lang: str | None, languages: list[str]) -> str:
    """``text`` in ``lang`` (``en-US`` matches ``en``), else in the first of ``languages``."""
    if lang:
        if lang in text:
            return text[lang]
        base = lang.split("-")[0].split("_")[0].lower()
        if base in text:
            return text[base]
    for fallback in languages:
        if fallback in text:
            return text[fallback]
    return next(iter(text.values()))


class AnswerOption(_Model):
    """One answer button: its score and its label."""

    value: StrictInt = Field(ge=0)
    label: LocalLabel


AnswerList = Annotated[list[AnswerOption], Field(min_length=MIN_ANSWERS, max_length=MAX_ANSWERS)]


def _answers_shape(value: Any) -> str:
    return INLINE_TAG if isinstance(value, list) else NAMED_TAG


Answers = Annotated[
    Annotated[Id, Tag(NAMED_TAG)] | Annotated[AnswerList, Tag(INLINE_TAG)],
    Discriminator(_answers_shape),
]


class Risk(_Model):
    """A risk item fires when the answer is at least ``min_value``."""

    min_value: StrictInt


class Item(_Model):
    id: Id
    text: LocalText
    heading: LocalText | None = None
    answers: Answers  # the name of an answer set, or an inline list
    risk: Risk | None = None
    hidden_from_patient: bool = False


class Band(_Model):
    """A score range (inclusive) and its label, e.g. 5..9 "Mild"."""

    min: StrictInt
    max: StrictInt
    label: LocalText

    def contains(self, total: int) -> bool:
        return self.min <= total <= self.max


class Scoring(_Model):
    max: StrictInt = Field(ge=1)
    bands: list[Band] = Field(min_length=1)
    reliable_change: StrictInt | None = Field(default=None, ge=1)
    subscales: dict[Id, Annotated[list[Id], Field(min_length=1)]] = Field(default_factory=dict)


class Questionnaire(_Model):
    """programs/questionnaires/<id>.yaml"""

    id: Id
    wording: Literal["own", "licensed"]
    languages: list[Lang] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES), min_length=1)
    title: LocalText
    intro: LocalText
    answer_sets: dict[Id, AnswerList] = Field(default_factory=dict)
    items: list[Item] = Field(min_length=1)
    scoring: Scoring

    # ------------------------------------------------------------------ lookups

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def answer_options(self, item: Item | str) -> list[AnswerOption]:
        """The answer buttons of ``item`` (an Item or its id), in button order."""
        if isinstance(item, str):
            item = self.item(item)
        if isinstance(item.answers, str):
            return list(self.answer_sets[item.answers])
        return list(item.answers)

    def answer_values(self, item: Item | str) -> list[int]:
        return [option.value for option in self.answer_options(item)]

    def text(self, text: dict[str, str], lang: str | None = None) -> str:
        """One of this questionnaire's texts in ``lang`` (falls back to the first language)."""
        return localized(text, lang, self.languages)

    def risk_items(self) -> list[Item]:
        return [item for item in self.items if item.risk is not None]

    # ------------------------------------------------------------------ rules

    def _texts(self) -> Iterator[tuple[Loc, dict[str, str]]]:
        yield ("title",), self.title
        yield ("intro",), self.intro
        for name, options in self.answer_sets.items():
            for j, option in enumerate(options):
                yield ("answer_sets", name, j, "label"), option.label
        for i, item in enumerate(self.items):
            yield ("items", i, "text"), item.text
            if item.heading is not None:
                yield ("items", i, "heading"), item.heading
            if isinstance(item.answers, list):
                for j, option in enumerate(item.answers):
                    yield ("items", i, "answers", j, "label"), option.label
        for i, band in enumerate(self.scoring.bands):
            yield ("scoring", "bands", i, "label"), band.label

    def _rules(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        add = problems.append

        seen: set[str] = set()
        for i, lang in enumerate(self.languages):
            if lang in seen:
                add((("languages", i), f"language '{lang}' is listed twice"))
            seen.add(lang)
        for loc, text in self._texts():
            for lang in self.languages:
                if lang not in text:
                    add((loc, f"no '{lang}' text (languages: {', '.join(self.languages)})"))
            for lang in text:
                if lang not in self.languages:
                    add((loc + (lang,), f"language '{lang}' is not in languages"))

        for name, options in self.answer_sets.items():
            problems += _ascending(options, ("answer_sets", name))

        counts = Counter(self.item_ids())
        seen = set()
        highest = 0
        for i, item in enumerate(self.items):
            if counts[item.id] > 1 and item.id in seen:
                add((("items", i, "id"), f"duplicate item id '{item.id}'"))
            seen.add(item.id)
            if isinstance(item.answers, str):
                if item.answers not in self.answer_sets:
                    known = ", ".join(sorted(self.answer_sets)) or "none"
                    add(
                        (
                            ("items", i, "answers"),
                            f"no answer set '{item.answers}' (answer_sets: {known})",
                        )
                    )
                    continue
                values = [o.value for o in self.answer_sets[item.answers]]
            else:
                problems += _ascending(item.answers, ("items", i, "answers"))
                values = [o.value for o in item.answers]
            highest += max(values)
            if item.risk is not None and item.risk.min_value not in values:
                add(
                    (
                        ("items", i, "risk", "min_value"),
                        f"{item.risk.min_value} is not one of item '{item.id}''s answer values "
                        f"{values}",
                    )
                )

        scoring = self.scoring
        if not any(p[1].startswith("no answer set") for p in problems) and scoring.max != highest:
            add(
                (
                    ("scoring", "max"),
                    f"max is {scoring.max} but the items' highest values add up to {highest}",
                )
            )
        problems += _band_rules(scoring)
        for name, ids in scoring.subscales.items():
            for j, item_id in enumerate(ids):
                if item_id not in counts:
                    add(
                        (
                            ("scoring", "subscales", name, j),
                            f"subscale '{name}': no item '{item_id}'",
                        )
                    )
                elif ids.index(item_id) != j:
                    add(
                        (
                            ("scoring", "subscales", name, j),
                            f"subscale '{name}': item '{item_id}' is listed twice",
                        )
                    )
        return problems


def _ascending(options: list[AnswerOption], loc: Loc) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for j in range(1, len(options)):
        before, value = options[j - 1].value, options[j].value
        if value <= before:
            problems.append(
                (
                    loc + (j, "value"),
                    f"answer values must be strictly ascending: {value} comes after {before}",
                )
            )
    return problems


def _band_rules(scoring: Scoring) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    expected = 0  # the next total a band must start at
    for i, band in enumerate(scoring.bands):
        loc: Loc = ("scoring", "bands", i)
        if band.max < band.min:
            problems.append((loc + ("max",), f"band max {band.max} is below its min {band.min}"))
        if i == 0 and band.min != 0:
            problems.append((loc + ("min",), f"the first band starts at {band.min}, not at 0"))
        elif band.min != expected:
            what = "a gap" if band.min > expected else "an overlap"
            problems.append(
                (
                    loc + ("min",),
                    f"band min is {band.min} but the previous band ends at {expected - 1}: "
                    f"{what} (bands must be contiguous)",
                )
            )
        expected = max(expected, band.max + 1)
    last = scoring.bands[-1]
    if last.max != scoring.max:
        problems.append(
            (
                ("scoring", "bands", len(scoring.bands) - 1, "max"),
                f"the last band ends at {last.max} but scoring.max is {scoring.max}",
            )
        )
    return problems
