"""Charts as PNG, readable on a phone: a questionnaire's totals over the weeks (kind
"scores"), the diary's week as a grid of days × parts ("diary_week"), and the weekly balance
of activity types ("balance").

A chart travels in its outbox row as JSON with a "kind"; rows queued before there were kinds
have none, so a missing kind means "scores". All labels arrive already in the reader's
language. matplotlib is imported only here and only when a chart is drawn (it is slow to
import and big), and drawing runs in a worker thread (the sender calls `render` via
asyncio.to_thread), never on the event loop. We draw on a bare `Figure`, not pyplot, so no
global state is shared between threads.

Charts carry people's own words (diary activities, labels), so every text is drawn literally:
no mathtext (`$\\foo$` would be parsed as maths and raise), no TeX, no markup. A chart that
cannot be drawn, for whatever reason, is `ChartFailed`, which says only the chart's kind and
the error's type, never the text: the sender then sends the caption as a text message.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import asdict, dataclass

SCORES = "scores"
DIARY_WEEK = "diary_week"
BALANCE = "balance"

# Okabe–Ito colours: told apart with every common colour-vision deficiency, and light
# enough for black text on top.
TYPE_COLOURS = {"vill": "#009E73", "maste": "#E69F00", "kan_vara_utan": "#56B4E9"}
# A diary cell's state: one of the activity types, or none of them.
CELL_STATES = ("vill", "maste", "kan_vara_utan", "none", "skipped", "empty")
_CELL_COLOURS = {**TYPE_COLOURS, "none": "#D9D9D9", "skipped": "#FFFFFF", "empty": "#FFFFFF"}
_CELL_HATCHES = {"skipped": "///"}  # skipped must not look like empty, in any colour vision


@dataclass(frozen=True)
class ChartSpec:
    """A questionnaire's totals over time, as plain data (kind "scores")."""

    title: str
    y_label: str
    dates: list[str]  # labels along the x axis, already in the reader's language
    totals: list[int]
    max_total: int
    bands: list[tuple[int, int, str]]  # (min, max, label)

    def to_json(self) -> dict:
        return {
            "kind": SCORES,
            "title": self.title,
            "y_label": self.y_label,
            "dates": self.dates,
            "totals": self.totals,
            "max_total": self.max_total,
            "bands": [list(band) for band in self.bands],
        }

    @classmethod
    def from_json(cls, data: dict) -> ChartSpec:
        return cls(
            title=data["title"],
            y_label=data["y_label"],
            dates=list(data["dates"]),
            totals=list(data["totals"]),
            max_total=data["max_total"],
            bands=[tuple(band) for band in data["bands"]],
        )


@dataclass(frozen=True)
class DiaryCell:
    state: str  # one of CELL_STATES
    mood: int | None = None
    text: str = ""  # the patient's own words: only in charts for their chat or their therapist


@dataclass(frozen=True)
class DiaryWeekChart:
    """A week of the diary: one row per day (Monday first), one column per part of the day."""

    title: str
    days: list[str]
    parts: list[str]
    cells: list[list[DiaryCell]]  # [day][part]
    legend: dict[str, str]  # a label for each of CELL_STATES
    note: str  # what the number in a cell means

    def to_json(self) -> dict:
        return {"kind": DIARY_WEEK, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict) -> DiaryWeekChart:
        return cls(
            title=data["title"],
            days=list(data["days"]),
            parts=list(data["parts"]),
            cells=[[DiaryCell(**cell) for cell in day] for day in data["cells"]],
            legend=dict(data["legend"]),
            note=data["note"],
        )


@dataclass(frozen=True)
class BalanceChart:
    """Counts of diary entries per activity type and week, each with its mean mood."""

    title: str
    y_label: str
    note: str  # what the number above a bar means
    weeks: list[str]
    types: list[str]  # keys of TYPE_COLOURS, in order
    labels: list[str]  # a legend label per type
    counts: list[list[int]]  # [type][week]
    moods: list[list[str | None]]  # [type][week], already formatted ("6,2")

    def to_json(self) -> dict:
        return {"kind": BALANCE, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict) -> BalanceChart:
        fields = {name: value for name, value in data.items() if name != "kind"}
        return cls(**fields)


def _draw_scores(figure, spec: ChartSpec) -> None:
    axes = figure.subplots()
    band_colours = ("#e8f5e9", "#fffde7", "#fff3e0", "#fbe9e7", "#fce4ec", "#f3e5f5")
    for index, (low, high, label) in enumerate(spec.bands):
        axes.axhspan(low - 0.5, high + 0.5, color=band_colours[index % len(band_colours)], zorder=0)
        axes.text(
            1.01,
            (low + high) / 2,
            label,
            transform=axes.get_yaxis_transform(),
            fontsize=8,
            va="center",
            color="#555555",
        )
    positions = list(range(len(spec.totals)))
    axes.plot(
        positions, spec.totals, marker="o", linewidth=2.5, markersize=8, color="#1565c0", zorder=3
    )
    for x, total in zip(positions, spec.totals, strict=True):
        axes.annotate(
            str(total),
            (x, total),
            textcoords="offset points",
            xytext=(0, 9),
            ha="center",
            fontsize=11,
            fontweight="bold",
        )
    axes.set_xticks(positions, spec.dates, fontsize=10)
    axes.set_xlim(-0.5, max(len(positions) - 0.5, 0.5))
    axes.set_ylim(-0.5, spec.max_total + 0.5)
    axes.set_ylabel(spec.y_label, fontsize=11)
    axes.set_title(spec.title, fontsize=14, fontweight="bold")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()


def _short(text: str, parts: int) -> str:
    """An activity cut to what fits in a cell: two short lines, or nothing when cells are
    too narrow to be worth it."""
    width = 72 // parts  # characters per line at fontsize 7 in a 6-inch-wide grid
    if width < 8 or not text:
        return ""
    lines = textwrap.wrap(text, width=width, max_lines=2, placeholder="…")
    return "\n".join(lines)


def _draw_diary_week(figure, spec: DiaryWeekChart) -> None:
    from matplotlib.patches import Patch, Rectangle

    axes = figure.add_axes((0.2, 0.13, 0.78, 0.77))
    for row, day in enumerate(spec.cells):
        for column, cell in enumerate(day):
            axes.add_patch(
                Rectangle(
                    (column, row),
                    1,
                    1,
                    facecolor=_CELL_COLOURS[cell.state],
                    edgecolor="#777777",
                    hatch=_CELL_HATCHES.get(cell.state),
                    linewidth=1,
                )
            )
            if cell.mood is not None:
                axes.text(
                    column + 0.5,
                    row + 0.38,
                    str(cell.mood),
                    ha="center",
                    va="center",
                    fontsize=15,
                    fontweight="bold",
                )
            short = _short(cell.text, len(spec.parts))
            if short:
                axes.text(column + 0.5, row + 0.76, short, ha="center", va="center", fontsize=7)
    axes.set_xlim(0, len(spec.parts))
    axes.set_ylim(len(spec.days), 0)  # Monday at the top
    axes.set_xticks([i + 0.5 for i in range(len(spec.parts))], spec.parts, fontsize=9)
    axes.set_yticks([i + 0.5 for i in range(len(spec.days))], spec.days, fontsize=10)
    axes.xaxis.tick_top()
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    figure.suptitle(spec.title, fontsize=13, fontweight="bold", y=0.985)
    handles = [
        Patch(
            facecolor=_CELL_COLOURS[state],
            edgecolor="#777777",
            hatch=_CELL_HATCHES.get(state),
            label=spec.legend[state],
        )
        for state in CELL_STATES
    ]
    figure.legend(
        handles=handles,
        loc="lower center",
        ncol=3,
        fontsize=9,
        frameon=False,
        title=spec.note,
        title_fontsize=9,
    )


def _draw_balance(figure, spec: BalanceChart) -> None:
    axes = figure.subplots()
    width = 0.8 / len(spec.types)
    positions = range(len(spec.weeks))
    highest = max((count for counts in spec.counts for count in counts), default=0)
    for index, kind in enumerate(spec.types):
        offsets = [x + (index - (len(spec.types) - 1) / 2) * width for x in positions]
        axes.bar(
            offsets,
            spec.counts[index],
            width,
            label=spec.labels[index],
            color=TYPE_COLOURS[kind],
            edgecolor="#333333",
        )
        for x, count, mood in zip(offsets, spec.counts[index], spec.moods[index], strict=True):
            if mood is not None and count:
                axes.text(x, count + highest * 0.02, mood, ha="center", va="bottom", fontsize=8)
    axes.set_xticks(list(positions), spec.weeks, fontsize=10)
    axes.set_ylim(0, max(highest * 1.15, 1))
    axes.yaxis.get_major_locator().set_params(integer=True)  # counts are whole numbers
    axes.set_ylabel(spec.y_label, fontsize=11)
    axes.set_title(spec.title, fontsize=13, fontweight="bold")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(  # below the bars, so it never hides one
        fontsize=9,
        title=spec.note,
        title_fontsize=9,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=len(spec.types),
        frameon=False,
    )
    figure.tight_layout()


# kind -> (its spec, how to draw it, figure size in inches: phone-friendly proportions)
_KINDS = {
    SCORES: (ChartSpec, _draw_scores, (6, 4.5)),
    DIARY_WEEK: (DiaryWeekChart, _draw_diary_week, (6, 7.5)),
    BALANCE: (BalanceChart, _draw_balance, (6, 5)),
}


class ChartFailed(Exception):
    """A chart could not be drawn. It names the chart's kind and the error's type only: the
    error's own message may quote the text being drawn (a patient's words)."""

    def __init__(self, kind: str, error_type: str):
        super().__init__(f"chart {kind!r} could not be drawn ({error_type})")
        self.kind = kind
        self.error_type = error_type


# No text on a chart is longer than this: a phone shows no more, and laying out a very long
# text (a 5,000-character activity) takes matplotlib many seconds.
MAX_TEXT_CHARS = 100

_prepared = False


def _prepare_matplotlib() -> None:
    """Once per process, before the first chart: every Text matplotlib creates from now on,
    tick labels made while drawing included, is literal; and a character missing from the
    font is drawn as a box without a warning that would name it. Process-wide on purpose:
    the bot draws nothing else, and changing rcParams per chart would race between threads."""
    global _prepared
    if not _prepared:
        import warnings

        import matplotlib

        matplotlib.rcParams["text.parse_math"] = False
        matplotlib.rcParams["text.usetex"] = False
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        _prepared = True


def _clipped(value):
    """The chart's JSON with every text cut to MAX_TEXT_CHARS."""
    if isinstance(value, str):
        if len(value) <= MAX_TEXT_CHARS:
            return value
        return value[: MAX_TEXT_CHARS - 1] + "…"
    if isinstance(value, list):
        return [_clipped(item) for item in value]
    if isinstance(value, dict):
        return {key: _clipped(item) for key, item in value.items()}
    return value


def _drawn_literally(figure) -> None:
    """Every text already on the figure (titles, labels, tick labels, legends, notes)
    literal, whatever the defaults were when it was made."""
    from matplotlib.text import Text

    for text in figure.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)


def render(chart: dict) -> bytes:
    """A chart's JSON (from an outbox row) drawn as PNG."""
    spec_class, draw, size = _KINDS[chart.get("kind", SCORES)]
    _prepare_matplotlib()
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=150)
    draw(figure, spec_class.from_json(_clipped(chart)))
    _drawn_literally(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render_or_fail(chart: dict) -> bytes:
    """`render`, with any failure to draw as ChartFailed, which carries nothing of the text.
    The original error is dropped on purpose (not chained): its message and traceback may
    quote what was being drawn."""
    error_type = None
    try:
        return render(chart)
    except Exception as error:  # any drawing problem, whatever matplotlib raises
        error_type = type(error).__name__
    kind = chart.get("kind", SCORES) if isinstance(chart, dict) else "?"
    raise ChartFailed(str(kind)[:40], error_type)
