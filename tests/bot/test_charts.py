"""Charts of every kind render as PNG, including chart rows queued before kinds existed."""

from bot.render import charts
from bot.render.charts import BalanceChart, ChartSpec, DiaryCell, DiaryWeekChart
from bot.telegram import uploads

PNG = b"\x89PNG"


def scores() -> ChartSpec:
    return ChartSpec("PHQ-9", "Poäng", ["1 dec", "8 dec"], [9, 7], 27, [(0, 4, "minimala")])


def diary_week(parts: int = 4) -> DiaryWeekChart:
    day = [DiaryCell("vill", 7, "Promenad i skogen med hunden och lite till")]
    day += [DiaryCell("skipped"), DiaryCell("none", 4, "Jobb"), DiaryCell("empty")]
    day = (day * 2)[:parts]
    return DiaryWeekChart(
        title="Veckan från måndag 30 november",
        days=[f"dag {n}" for n in range(7)],
        parts=[f"del {n}" for n in range(parts)],
        cells=[day] * 7,
        legend={state: state for state in charts.CELL_STATES},
        note="Siffran är måendet",
    )


def balance() -> BalanceChart:
    return BalanceChart(
        title="Vill, måste, kan vara utan",
        y_label="Antal",
        note="Medelmående",
        weeks=["v. 49", "v. 50"],
        types=["vill", "maste", "kan_vara_utan"],
        labels=["Vill", "Måste", "Kan vara utan"],
        counts=[[2, 0], [1, 3], [0, 0]],
        moods=[["6,5", None], ["4,0", "3,3"], [None, None]],
    )


def test_scores_chart_renders():
    assert charts.render(scores().to_json()).startswith(PNG)


def test_old_chart_json_without_a_kind_is_a_scores_chart():
    old = scores().to_json()
    del old["kind"]
    assert charts.render(old).startswith(PNG)


def test_diary_week_renders_and_survives_json():
    data = diary_week().to_json()
    assert data["kind"] == "diary_week"
    assert DiaryWeekChart.from_json(data) == diary_week()
    assert charts.render(data).startswith(PNG)


def test_diary_week_text_is_cut_to_fit_its_cell():
    assert charts._short("Promenad i skogen", 4) == "Promenad i skogen"
    assert charts._short("Promenad i skogen", 8) == "Promenad\ni skogen"
    assert charts._short("Promenad i skogen med hunden och lite till", 8).endswith("…")
    assert charts._short("Promenad i skogen", 10) == ""  # too narrow to be worth it
    assert charts.render(diary_week(parts=8).to_json()).startswith(PNG)


def test_balance_renders_and_survives_json():
    data = balance().to_json()
    assert data["kind"] == "balance"
    assert BalanceChart.from_json(data) == balance()
    assert charts.render(data).startswith(PNG)


def test_balance_with_nothing_counted_still_renders():
    empty = BalanceChart("t", "y", "n", ["v. 49"], ["vill"], ["Vill"], [[0]], [[None]])
    assert charts.render(empty.to_json()).startswith(PNG)


# Texts people write that matplotlib would read as maths, TeX or markup, or that are hard to
# lay out: every one must be drawn literally, never raise.
HOSTILE = [
    "$\\foo$",
    "$$",
    "\\",
    "<b>fet</b>",
    "{",
    "_^",
    "a $x^2$ b $",
    "\\$ \\\\ $\\frac{1}{0}$",
    "שלום עולם مرحبا بالعالم",
    "😀 promenad 👨‍👩‍👧 ✅",
    "\u200b\u202enoll bredd\u200d",
    "x" * 5000,
    ("ord " * 1250).strip(),
]


def hostile(index: int) -> str:
    return HOSTILE[index % len(HOSTILE)]


def test_diary_week_draws_every_hostile_text_literally():
    parts = 3
    chart = DiaryWeekChart(
        title=hostile(0),
        days=[hostile(n) for n in range(7)],
        parts=[hostile(n + 7) for n in range(parts)],
        cells=[
            [DiaryCell("vill", 5, hostile(d * parts + p)) for p in range(parts)] for d in range(7)
        ],
        legend={state: hostile(n + 3) for n, state in enumerate(charts.CELL_STATES)},
        note=hostile(1),
    )
    assert charts.render(chart.to_json()).startswith(PNG)


def test_scores_and_balance_draw_every_hostile_text_literally():
    scores_chart = ChartSpec(
        hostile(0),
        hostile(1),
        [hostile(n) for n in range(len(HOSTILE))],
        list(range(len(HOSTILE))),
        27,
        [(0, 4, hostile(2)), (5, 9, hostile(11)), (10, 27, hostile(9))],
    )
    assert charts.render(scores_chart.to_json()).startswith(PNG)
    balance_chart = BalanceChart(
        title=hostile(0),
        y_label=hostile(1),
        note=hostile(6),
        weeks=[hostile(n) for n in range(4)],
        types=["vill", "maste", "kan_vara_utan"],
        labels=[hostile(4), hostile(11), hostile(9)],
        counts=[[1, 2, 3, 4]] * 3,
        moods=[[hostile(n), None, "5,0", hostile(n + 5)] for n in range(3)],
    )
    assert charts.render(balance_chart.to_json()).startswith(PNG)


def test_every_text_on_a_drawn_chart_is_literal():
    """Tick labels are made while drawing, after our own texts: they are literal too."""
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    charts.render(scores().to_json())  # the process-wide defaults are set by the first chart
    figure = Figure()
    charts._draw_scores(figure, ChartSpec("$a$", "$b$", ["$c$"] * 30, [1] * 30, 27, []))
    figure.canvas.draw()
    texts = figure.findobj(Text)
    assert any(text.get_text() == "$c$" for text in texts)
    assert not any(text.get_parse_math() or text.get_usetex() for text in texts)


def test_a_chart_that_cannot_be_drawn_is_chart_failed_without_its_text():
    broken = scores().to_json()
    broken["title"] = "$\\secret$ jag vill inte leva"
    broken["totals"] = [1, 2, 3]  # more totals than dates: drawing raises
    try:
        charts.render_or_fail(broken)
    except charts.ChartFailed as failed:
        assert failed.kind == "scores"
        assert failed.error_type == "ValueError"
        assert "secret" not in str(failed) and "leva" not in str(failed)
        assert failed.__cause__ is None and failed.__context__ is None
    else:
        raise AssertionError("a broken chart must raise ChartFailed")


async def test_as_upload_draws_the_photo_or_raises_chart_failed():
    import pytest
    from telegram import InputFile

    params = {"chart": diary_week().to_json(), "caption": "Veckan", "parse_mode": "HTML"}
    ready = await uploads.as_photo_upload(params)
    assert isinstance(ready["photo"], InputFile) and "chart" not in ready
    assert ready["caption"] == "Veckan"
    with pytest.raises(charts.ChartFailed):
        await uploads.as_photo_upload({"chart": {"kind": "no-such-kind"}, "caption": "x"})
    with pytest.raises(charts.ChartFailed):
        await uploads.as_photo_upload({"chart": "not a chart", "caption": "x"})
