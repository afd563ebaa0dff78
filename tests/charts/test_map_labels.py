"""The locator map's labels are legible in print: at least 7 pt, and at least 4.5:1 against the
fill they sit on (WCAG 2.1 SC 1.4.3's ratio for normal text), measured on the drawn figure."""

from __future__ import annotations

import pytest

from briefing.build import DEFAULT_EDITION, STYLES
from briefing.charts.render import build_figure, load_chart_style
from briefing.sources.figures import read_chart_spec
from briefing.sources.loading import load_edition


def _luminance(colour) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour given as (r, g, b[, a]) in 0-1 or #rrggbb."""
    from matplotlib.colors import to_rgb

    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture(scope="module")
def map_figure():
    edition = load_edition(DEFAULT_EDITION)
    spec = read_chart_spec(DEFAULT_EDITION / "figures" / "map-central-asia.yaml")
    style = load_chart_style(STYLES / "chart.yaml")
    return build_figure(spec, edition.data, style, lang="ar"), style


def test_every_map_label_is_at_least_7_points(map_figure):
    fig, _ = map_figure
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
             if t.get_text().strip() and t.get_visible()]
    assert len(texts) >= 11
    assert min(t.get_fontsize() for t in texts) >= 7


def test_every_map_label_stands_out_from_its_fill(map_figure):
    """Names in the dark countries, in the GCC states, on the neighbours and on the sea."""
    fig, style = map_figure
    cfg = style.get("map")
    texts = fig.findobj(lambda a: hasattr(a, "get_color") and hasattr(a, "get_text"))
    colours = {t.get_color() for t in texts if t.get_text().strip() and t.get_visible()}
    assert cfg["neighbour_label"] in colours
    assert contrast(cfg["label_on_dark"], cfg["highlight"]) >= 4.5
    assert contrast(cfg["label"], cfg["context"]) >= 4.5
    assert contrast(cfg["label"], cfg["sea"]) >= 4.5
    assert contrast(cfg["neighbour_label"], cfg["other"]) >= 4.5


def test_no_border_runs_through_a_map_label(map_figure):
    """Every name's ink (its glyphs' outlines, briefing.charts.collisions.ink_box) is clear of
    every country outline; before, the Turkmen border ran through «أوزبكستان»."""
    from briefing.charts.collisions import ink_box, renderer_of
    from briefing.charts.shaping import quiet_line_metrics

    fig, _ = map_figure
    with quiet_line_metrics():
        fig.draw_without_rendering()
    (ax,) = fig.axes
    renderer = renderer_of(fig)
    outlines = [patch.get_path().transformed(patch.get_transform()) for patch in ax.patches]
    names = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
    logical = {fig._briefing_logical.get(t.get_text()) for t in names}
    assert {"أوزبكستان", "تركمانستان", "الإمارات", "قيرغيزستان"} <= logical
    crossed = [fig._briefing_logical.get(t.get_text()) for t in names
               if any(path.intersects_bbox(ink_box(t, renderer), filled=False) for path in outlines)]
    assert crossed == []
    # a country's own name is inside it: «أوزبكستان» has Uzbekistan's outline round its middle
    uzb = next(t for t in names if fig._briefing_logical.get(t.get_text()) == "أوزبكستان")
    box = ink_box(uzb, renderer)
    inside = [p for p in outlines if p.contains_point(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))]
    assert len(inside) == 1
