"""Charts of every kind render as PNG, including chart rows queued before kinds existed."""

from bot import charts
from bot.charts import BalanceChart, ChartSpec, DiaryCell, DiaryWeekChart

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
