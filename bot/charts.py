"""Result charts as PNG: a questionnaire's totals over the weeks, readable on a phone.

matplotlib is imported only here and only when a chart is drawn (it is slow to import and
big), and drawing runs in a worker thread (the sender calls `render` via asyncio.to_thread),
never on the event loop.
"""

from __future__ import annotations

import io
from dataclasses import dataclass


@dataclass(frozen=True)
class ChartSpec:
    """Everything a chart needs, as plain data (it travels in an outbox row as JSON)."""

    title: str
    y_label: str
    dates: list[str]  # labels along the x axis, already in the reader's language
    totals: list[int]
    max_total: int
    bands: list[tuple[int, int, str]]  # (min, max, label)

    def to_json(self) -> dict:
        return {
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


_BAND_COLOURS = ("#e8f5e9", "#fffde7", "#fff3e0", "#fbe9e7", "#fce4ec", "#f3e5f5")


def render(spec: ChartSpec) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4.5), dpi=150)  # phone-friendly proportions
    try:
        for index, (low, high, label) in enumerate(spec.bands):
            colour = _BAND_COLOURS[index % len(_BAND_COLOURS)]
            axes.axhspan(low - 0.5, high + 0.5, color=colour, zorder=0)
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
            positions,
            spec.totals,
            marker="o",
            linewidth=2.5,
            markersize=8,
            color="#1565c0",
            zorder=3,
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
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


async def as_upload(params: dict) -> dict:
    """A sendPhoto row's parameters with its chart drawn (in a worker thread) as the photo."""
    if "chart" not in params:
        return params
    import asyncio

    from telegram import InputFile

    png = await asyncio.to_thread(render, ChartSpec.from_json(params["chart"]))
    ready = {name: value for name, value in params.items() if name != "chart"}
    ready["photo"] = InputFile(png, filename="chart.png")
    return ready
