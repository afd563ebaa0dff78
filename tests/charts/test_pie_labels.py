"""The labels of small pie and donut slices never overlap (briefing.charts.pie.spread_labels):
before, fig. 16's three slices of 2.9 %, 1.9 % and 2.9 % printed their labels over each other."""

from __future__ import annotations

import math

import pytest
from matplotlib.text import Text

from briefing.build import DEFAULT_EDITION, STYLES
from briefing.charts.pie import LABEL_RADIUS, spread_labels
from briefing.charts.render import build_figure, load_chart_style
from briefing.charts.shaping import quiet_line_metrics
from briefing.sources.figures import read_chart_spec
from briefing.sources.loading import load_edition

PIES = ["gcc-imports-composition", "gcc-exports-composition", "population-shares"]


def test_labels_of_neighbouring_small_slices_are_moved_apart_and_off_the_pie():
    angles = [math.radians(a) for a in (88, 84, 80)]
    placed = spread_labels(angles, 0.12)
    ys = [y for _, y in placed]
    assert all(a - b >= 0.12 - 1e-9 for a, b in zip(ys, ys[1:]))
    assert all(math.hypot(x, y) >= LABEL_RADIUS - 1e-9 for x, y in placed)
    # a lone label stays where it was
    assert spread_labels([0.3], 0.12) == [(LABEL_RADIUS * math.cos(0.3),
                                           LABEL_RADIUS * math.sin(0.3))]


@pytest.fixture(scope="module")
def drawn():
    edition = load_edition(DEFAULT_EDITION)
    style = load_chart_style(STYLES / "chart.yaml")
    return {name: build_figure(read_chart_spec(DEFAULT_EDITION / "figures" / f"{name}.yaml"),
                               edition.data, style, lang="ar") for name in PIES}


@pytest.mark.parametrize("name", PIES)
def test_no_two_value_labels_of_a_pie_overlap(drawn, name):
    fig = drawn[name]
    with quiet_line_metrics():
        fig.draw_without_rendering()
    (ax,) = fig.axes
    legend = set(ax.get_legend().get_texts())
    labels = [t for t in ax.texts if t.get_text().strip() and t not in legend]
    boxes = [Text.get_window_extent(t) for t in labels]  # the text's box, not its leader
    assert len(boxes) >= 5
    overlaps = [(labels[i].get_text(), labels[j].get_text())
                for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                if boxes[i].overlaps(boxes[j])]
    assert overlaps == []
