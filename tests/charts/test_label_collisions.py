"""No chart text collides with another, and no value label covers a mark not its own
(briefing.charts.collisions): over the 17 figures of the default edition, as the book draws them,
and over a chart made dense on purpose. Before, fig. 13's line labels printed over its bar labels
(«٠٫٧١» on «٠٫٤٥») and over the imports bar of 2021."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from briefing.build import DEFAULT_EDITION, STYLES
from briefing.charts.collisions import collisions
from briefing.charts.draw import draw
from briefing.charts.render import ChartData, Series, build_figure, load_chart_style
from briefing.sources.figures import ChartSpec, read_chart_spec
from briefing.sources.loading import load_edition

SPECS = sorted((DEFAULT_EDITION / "figures").glob("*.yaml"))


@pytest.fixture(scope="module")
def style():
    return load_chart_style(STYLES / "chart.yaml")


@pytest.fixture(scope="module")
def edition():
    return load_edition(DEFAULT_EDITION)


def test_the_default_edition_has_17_figures():
    assert len(SPECS) == 17


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_no_two_texts_of_a_figure_overlap_nor_hide_a_mark(path, edition, style):
    fig = build_figure(read_chart_spec(path), edition.data, style, lang="ar",
                       digits=edition.book.meta.digits)
    assert collisions(fig) == []
    # and every value label of the default edition found a place: none is left to a note
    labels = getattr(fig, "_briefing_labels", [])
    assert all(label.artist is not None and label.artist.get_visible() for label in labels)


def test_fig_13s_line_labels_move_off_the_bars(edition, style):
    """The bar-line chart: the trade balance's labels are not under their points (where the
    bars' labels and the imports bars are) wherever that would collide."""
    fig = build_figure(read_chart_spec(DEFAULT_EDITION / "figures" / "gcc-ca-trade-balance.yaml"),
                       edition.data, style, lang="ar")
    moved = [label for label in fig._briefing_labels
             if label.artist.xyann != (0, -4) and label.artist.get_color() != style.get("colors", "text")]
    assert len(moved) >= 2


def _dense(chart: str, lang: str, style) -> Figure:
    """Three series of near values over 14 years: bars and a line on the bars' tops (a
    horizontal bar chart: the bars of 6 years)."""
    n = 6 if chart == "barh" else 14
    years = tuple(str(y) for y in range(2010, 2010 + n))
    a = tuple(3.0 + 0.1 * (i % 3) for i in range(14))
    b = tuple(2.9 + 0.1 * (i % 2) for i in range(14))
    line = tuple(3.05 + 0.05 * (i % 4) for i in range(14))
    series = (
        Series("A", "Exports" if lang == "en" else "الصادرات", a[:n], (False,) * n),
        Series("B", "Imports" if lang == "en" else "الواردات", b[:n], (False,) * (n - 4) + (True,) * 4),
        Series("C", "Balance" if lang == "en" else "الميزان", line[:n], (False,) * n, as_line=True))
    data = ChartData(years, years, series[:2] if chart == "barh" else series, 2,
                     "USD billion" if lang == "en" else "مليار دولار", True)
    spec = ChartSpec(id="dense", file=Path("dense.yaml"), caption="", chart=chart, x="years",
                     value_labels=True)
    return draw(spec, data, None, style, lang=lang, digits="western", geography=Path("none"))


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("chart", ["bar-line", "line", "stacked", "barh"])
def test_a_dense_chart_places_or_notes_every_value(chart, lang, style):
    fig = _dense(chart, lang, style)
    assert collisions(fig) == []
    labels = fig._briefing_labels
    dropped = [label for label in labels if label.artist is None]
    assert len(labels) - len(dropped) >= 6  # most values are still written on the chart
    note = fig._briefing_note
    if dropped:  # each value left out is named in the note at the foot of the chart
        logical = fig._briefing_logical[note.get_text()].replace("\n", " ")
        assert all(label.name in logical for label in dropped)
    else:
        assert note is None


def test_the_check_finds_overlapping_texts_and_a_label_over_a_bar(style):
    fig = _dense("bar-line", "en", style)
    ax = fig.axes[0]
    label = next(label for label in fig._briefing_labels if label.artist is not None)
    ax.text(*label.xy, label.text, fontsize=20)  # over a placed label
    other = next(o for o in fig._briefing_labels if o.own is not label.own
                 and hasattr(o.own, "get_xy") and o.own.get_height() > 1)
    x, y = other.own.get_xy()
    label.artist.xy = (x + other.own.get_width() / 2, y + other.own.get_height() / 2)
    label.artist.xyann = (0, 0)  # onto another series' bar
    found = collisions(fig)
    assert any("over" in f for f in found)
    assert any("not its own" in f for f in found)
