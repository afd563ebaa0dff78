"""The charts' measuring caches (briefing.charts.measure) give matplotlib's own numbers, and the
faster save of a frozen figure (briefing.charts.render.save_pdf) writes the same bytes."""

from __future__ import annotations

import io

import matplotlib
import pytest
from matplotlib.backends import backend_agg
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path as MPath
from matplotlib.text import Text
from matplotlib.textpath import TextPath

from briefing.build import DEFAULT_EDITION, STYLES
from briefing.charts import measure
from briefing.charts.render import FONTS_DIR, build_figure, load_chart_style, save_pdf
from briefing.sources.figures import read_chart_spec
from briefing.sources.loading import load_edition

TEXTS = ["أوزبكستان", "الإمارات العربية المتحدة", "Kazakhstan (2023)", "−26.8%", "١٢٣٫٤",
         "g", "Qjy,;"]
FONTS = ["NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "NotoSans-Regular.ttf",
         "Amiri-Regular.ttf"]


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
@pytest.mark.parametrize("font", FONTS)
def test_outline_extents_are_matplotlibs_to_the_last_bit(font):
    for size in (6.5, 8, 11):
        prop = FontProperties(fname=str(FONTS_DIR / font), size=size)
        for s in TEXTS:
            path = TextPath((0, 0), s, prop=prop)
            assert measure.outline_extents(path) == tuple(path.get_extents().extents), (font, s)


def test_outline_extents_of_other_paths():
    """Cubic curves (a circle), lines only, a line drawn on from a closed shape."""
    on = MPath([(0, 0), (2, 0), (2, 1), (0, 0), (5, 5)],
               [MPath.MOVETO, MPath.LINETO, MPath.LINETO, MPath.CLOSEPOLY, MPath.LINETO])
    for path in (MPath.circle((1.5, -2), 3.25), MPath.unit_rectangle(), on,
                 MPath.unit_regular_star(7).deepcopy()):
        assert measure.outline_extents(path) == tuple(path.get_extents().extents)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # Arabic in a Latin font
def test_the_agg_renderer_measures_as_matplotlibs():
    """Sizes and (through the line metrics) the boxes of one- and two-line texts."""
    from matplotlib.figure import Figure

    ours, theirs = measure.RendererAgg(400, 300, 100), backend_agg.RendererAgg(400, 300, 100)
    fig = Figure(dpi=100)
    for font in FONTS:
        prop = FontProperties(fname=str(FONTS_DIR / font), size=7.5)
        for s in TEXTS + ["سطر\nسطران", "two\nlines"]:
            if "\n" not in s:
                assert (ours.get_text_width_height_descent(s, prop, False)
                        == theirs.get_text_width_height_descent(s, prop, False))
            text = Text(10, 20, s, fontproperties=prop, figure=fig)
            assert (text.get_window_extent(ours).bounds
                    == text.get_window_extent(theirs).bounds), (font, s)


def test_a_generic_family_is_measured_anew_when_it_stands_for_other_fonts():
    prop = FontProperties(family="sans-serif", size=9)
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        first = measure.font_key(prop)
    with matplotlib.rc_context({"font.sans-serif": ["Noto Sans", "DejaVu Sans"]}):
        assert measure.font_key(prop) != first


@pytest.fixture(scope="module")
def edition():
    return load_edition(DEFAULT_EDITION)


@pytest.mark.parametrize("name", ["map-central-asia", "gcc-ca-trade-balance"])
def test_a_frozen_figure_is_saved_as_savefig_saves_it(name, edition):
    """save_pdf leaves out savefig's extra draw of a figure whose layout the label placing
    froze: the file is the same, byte for byte; and the label placing's draws share one
    renderer."""
    spec = read_chart_spec(DEFAULT_EDITION / "figures" / f"{name}.yaml")
    style = load_chart_style(STYLES / "chart.yaml")
    fig = build_figure(spec, edition.data, style, lang="ar")
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    assert fig.canvas.get_renderer() is renderer and isinstance(renderer, measure.RendererAgg)
    from briefing.charts.outline_pdf import BACKEND, METADATA
    from briefing.charts.shaping import quiet_line_metrics

    assert fig.get_layout_engine() is not None  # frozen: matplotlib's place-holder engine
    theirs = io.BytesIO()
    with matplotlib.rc_context({"path.simplify": True}), quiet_line_metrics():
        fig.savefig(theirs, format="pdf", backend=BACKEND, metadata=METADATA)
    ours = io.BytesIO()
    save_pdf(fig, ours)
    assert fig.get_layout_engine() is None
    assert ours.getvalue() == theirs.getvalue()
