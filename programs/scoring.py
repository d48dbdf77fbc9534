"""Scoring questionnaires: pure functions over a validated ``Questionnaire``.

Higher totals always mean more trouble (every bundled questionnaire is phrased that way).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .questionnaire_models import Band, Questionnaire

Change = Literal["improved", "worsened", "no_reliable_change"]


class ScoringError(ValueError):
    """Answers that cannot be scored: missing, unknown or invalid."""


@dataclass(frozen=True)
class Score:
    questionnaire_id: str
    total: int
    max: int
    band: Band  # band.label: text per language; band.min / band.max: its range
    subscales: dict[str, int] = field(default_factory=dict)
    #: Risk items whose answer reached their ``min_value``: (item id, answer value), item order.
    risk_hits: tuple[tuple[str, int], ...] = ()

    @property
    def band_label(self) -> Mapping[str, str]:
        return self.band.label

    @property
    def has_risk(self) -> bool:
        return bool(self.risk_hits)


def check_answers(questionnaire: Questionnaire, answers: Mapping[str, int]) -> None:
    """Raise ``ScoringError`` unless ``answers`` has exactly one valid value per item."""
    problems: list[str] = []
    ids = questionnaire.item_ids()
    missing = [i for i in ids if i not in answers]
    if missing:
        problems.append(f"no answer for {', '.join(missing)}")
    unknown = [k for k in answers if k not in ids]
    if unknown:
        problems.append(f"unknown item(s) {', '.join(map(str, unknown))}")
    for item_id in ids:
        if item_id not in answers:
            continue
        value = answers[item_id]
        allowed = questionnaire.answer_values(item_id)
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            problems.append(f"{item_id}: {value!r} is not one of {allowed}")
    if problems:
        raise ScoringError(f"{questionnaire.id}: " + "; ".join(problems))


def band_for(questionnaire: Questionnaire, total: int) -> Band:
    """The band a total falls in (raises ``ScoringError`` outside 0..max)."""
    for band in questionnaire.scoring.bands:
        if band.contains(total):
            return band
    raise ScoringError(
        f"{questionnaire.id}: total {total!r} is outside 0..{questionnaire.scoring.max}"
    )


def score(questionnaire: Questionnaire, answers: Mapping[str, int]) -> Score:
    """Score complete answers (item id -> answer value)."""
    check_answers(questionnaire, answers)
    total = sum(answers[i] for i in questionnaire.item_ids())
    hits = tuple(
        (item.id, answers[item.id])
        for item in questionnaire.items
        if item.risk is not None and answers[item.id] >= item.risk.min_value
    )
    return Score(
        questionnaire_id=questionnaire.id,
        total=total,
        max=questionnaire.scoring.max,
        band=band_for(questionnaire, total),
        subscales={
            name: sum(answers[i] for i in ids)
            for name, ids in questionnaire.scoring.subscales.items()
        },
        risk_hits=hits,
    )


def reliable_change(
    questionnaire: Questionnaire, first_total: int, latest_total: int
) -> Change | None:
    """Compare the first and the latest total against the reliable-change value (points).

    A change of at least ``reliable_change`` points counts: down is "improved", up is
    "worsened". None when the questionnaire has no reliable-change value.
    """
    for name, total in (("first_total", first_total), ("latest_total", latest_total)):
        if (
            isinstance(total, bool)
            or not isinstance(total, int)
            or not 0 <= total <= questionnaire.scoring.max
        ):
            raise ScoringError(
                f"{questionnaire.id}: {name} {total!r} is not a total in "
                f"0..{questionnaire.scoring.max}"
            )
    threshold = questionnaire.scoring.reliable_change
    if threshold is None:
        return None
    if first_total - latest_total >= threshold:
        return "improved"
    if latest_total - first_total >= threshold:
        return "worsened"
    return "no_reliable_change"
