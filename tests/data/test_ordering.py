"""sort: descending|ascending in figures and data tables: order that follows the data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing import model as m
from briefing.build import STYLES
from briefing.charts.render import chart_data, load_chart_style
from briefing.sources.figures import read_chart_spec
from briefing.data.store import load_data
from briefing.editions import compare
from briefing.errors import SourceError
from briefing.sources.loading import load_edition
from paths import MINI



def edition(tmp_path: Path, name: str, uzb_2022: str | None = None) -> Path:
    """The mini edition, its population chart by entities and its table sorted by value."""
    root = tmp_path / name
    shutil.copytree(MINI, root)
    (root / "figures" / "population-chart.yaml").write_text(
        "caption: عدد السكان\nchart: bar\ndata: population\nx: entities\n"
        "entities: [CA3, KGZ, UZB, KAZ]\nsort: descending\nyears: [2022]\n", encoding="utf-8")
    table = root / "tables" / "indicators.yaml"
    text = table.read_text(encoding="utf-8")
    table.write_text(text + "sort: ascending\n", encoding="utf-8")
    if uzb_2022 is not None:
        csv = root / "data" / "population.csv"
        csv.write_text(csv.read_text(encoding="utf-8").replace(
            "UZB,2021,34.559,35.271", f"UZB,2021,34.559,{uzb_2022}"), encoding="utf-8")
    return root


def chart_codes(root: Path) -> tuple[str, ...]:
    spec = read_chart_spec(root / "figures" / "population-chart.yaml")
    return chart_data(spec, load_data(root), load_chart_style(STYLES / "chart.yaml"),
                      "ar").category_keys


def table_names(root: Path) -> list[str]:
    book = load_edition(root).book
    table = next(b for p in book.parts for b in p.blocks if isinstance(b, m.Table)
                 and b.id == "indicators")
    return [m.plain_text(row[0]) for row in table.rows]


def test_chart_order_follows_the_values_and_groups_stay_last(tmp_path):
    root = edition(tmp_path, "a")
    assert chart_codes(root) == ("UZB", "KAZ", "KGZ", "CA3")
    smaller = edition(tmp_path, "b", uzb_2022="5.5")  # next year: Uzbekistan is the smallest
    assert chart_codes(smaller) == ("KAZ", "KGZ", "UZB", "CA3")


def test_table_rows_follow_the_first_column(tmp_path):
    data = load_data(edition(tmp_path, "x"))
    ar = {code: data.entity(code).ar for code in ("KAZ", "KGZ", "UZB", "CA3")}
    assert table_names(edition(tmp_path, "a")) == [ar["KGZ"], ar["KAZ"], ar["UZB"], ar["CA3"]]
    assert table_names(edition(tmp_path, "b", uzb_2022="5.5")) == [
        ar["UZB"], ar["KGZ"], ar["KAZ"], ar["CA3"]]
    root = edition(tmp_path, "c")
    table = root / "tables" / "indicators.yaml"
    table.write_text(table.read_text(encoding="utf-8") + "sort_by: gdp\n", encoding="utf-8")
    gdp = sorted(("KAZ", "KGZ", "UZB"), key=lambda c: data.get("gdp", c, 2022))
    assert table_names(root) == [ar[c] for c in gdp] + [ar["CA3"]]
    table.write_text(table.read_text(encoding="utf-8").replace("sort_by: gdp", "sort_by: gpd"),
                     encoding="utf-8")
    with pytest.raises(SourceError, match="sort_by must be the data of one of the columns"):
        load_edition(root)


def test_compare_mentions_a_changed_order(tmp_path):
    old, new = edition(tmp_path, "a"), edition(tmp_path, "b", uzb_2022="5.5")
    report = compare(old, new)
    assert any("order changed" in f and "population-chart" in f for f in report.figures), \
        report.figures
    assert any("row order changed" in t for t in report.tables), report.tables


@pytest.mark.parametrize("spec,message", [
    ("sort: biggest\n", "sort must be descending or ascending"),
    ("sort: descending\nx: years\n", "needs x: entities"),
])
def test_bad_sort_is_located(tmp_path, spec, message):
    root = edition(tmp_path, "a")
    path = root / "figures" / "population-chart.yaml"
    text = path.read_text(encoding="utf-8").replace("sort: descending\n", "").replace(
        "x: entities\n", "")
    path.write_text(text + spec + ("x: entities\n" if "x:" not in spec else ""),
                    encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_chart_spec(path)
    assert message in info.value.message and info.value.key == "sort"
