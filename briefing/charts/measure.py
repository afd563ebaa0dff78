"""Text measured once per process, whichever renderer asks: the charts' measuring caches.

matplotlib measures every text again for each renderer it makes (its cache,
``matplotlib.text._get_text_metrics_function``, lives as long as one renderer), and a chart
meets many renderers: each ``draw_without_rendering`` of the label placing (:mod:`.collisions`,
:mod:`.locator_map`, :mod:`.pie`) makes a new Agg renderer, and each ``savefig`` of the PDF
two or three of the outline renderer (:mod:`.outline_pdf`). It also finds the font files of a
text's font properties again (a nearest-match search per family) at each layout of each text,
for the font's line metrics. A measure depends only on the string, the font properties, the
resolution and the hinting settings, so the caches here keep each measure for the process, and
return exactly the numbers matplotlib computes (the same code, run once):

- :func:`text_size`: a renderer's ``get_text_width_height_descent``;
- :func:`font_files`: the font files of font properties (matplotlib's lookup);
- :func:`line_metrics`: the ascent, descent and line gap ``Text._get_layout`` reads from the
  font's ``OS/2`` or ``hhea`` table, given to it through the renderers'
  ``_get_font_height_metrics`` hook;
- :func:`ink_extents`: the extents of a text's glyph outlines (the map's labels, measured twice
  each as they are moved);
- :class:`ChartCanvas`: an Agg canvas, set on each chart's figure, that keeps its renderer
  (:class:`RendererAgg`, with the two caches) across the figure's draws.

Each cache is keyed by everything the measure depends on, and by the font manager's list of
fonts (the charts register their bundled fonts in it: :func:`briefing.charts.draw._register`),
so that a font added later is never answered from a cache filled before.
"""

from __future__ import annotations

from typing import Callable

import matplotlib as mpl
from matplotlib.backends import backend_agg
from matplotlib.font_manager import FontProperties, font_family_aliases, fontManager, get_font

_GENERIC = ("serif", "sans-serif", "cursive", "fantasy", "monospace")
_SIZES: dict[tuple, tuple[float, float, float]] = {}
_INKS: dict[tuple, tuple[float, float, float, float]] = {}
_LINES: dict[tuple, tuple[float, float, float] | tuple[None, None, None]] = {}
_FILES: dict[tuple, list] = {}


def font_key(prop: FontProperties) -> tuple:
    """Everything a font lookup and a measure of ``prop`` depend on: its own properties (what
    matplotlib hashes it by), the font manager's list of fonts as it is now, the settings
    ``get_font`` reads (kerning, the last-resort font) and, for a generic family
    («sans-serif»), the families it stands for."""
    key = (*prop.__dict__.values(), id(fontManager.ttflist), len(fontManager.ttflist),
           mpl.rcParams["text.kerning_factor"], mpl.rcParams["font.enable_last_resort"])
    if prop.get_file() is None and any(f in font_family_aliases for f in prop.get_family()):
        key += tuple(tuple(mpl.rcParams[f"font.{generic}"]) for generic in _GENERIC)
    return key


def text_size(kind: str, s: str, prop: FontProperties, ismath, measure: Callable[[], tuple],
              ) -> tuple[float, float, float]:
    """(width, height, descent) of ``s`` in ``prop`` as ``measure()`` gives it, kept per
    ``kind`` (the renderer's kind, its resolution and whatever else its measure depends on)."""
    key = (kind, s, ismath, font_key(prop))
    if (size := _SIZES.get(key)) is None:
        size = _SIZES[key] = measure()
    return size


def font_files(prop: FontProperties) -> list:
    """The font files matplotlib draws ``prop`` with, the first first (its
    ``FontManager._find_fonts_by_props``), for ``get_font``."""
    key = font_key(prop)
    if (found := _FILES.get(key)) is None:
        found = _FILES[key] = fontManager._find_fonts_by_props(prop)
    return found


def line_metrics(prop: FontProperties, dpi: float):
    """(ascent, descent, line gap) of the font ``prop`` finds, in pixels at ``dpi``: what
    ``matplotlib.text.Text._get_layout`` computes itself without the renderer hook (the same
    steps, in the same order of operations), or (None, None, None) if the font has neither
    table (matplotlib then measures "lp")."""
    key = (dpi, font_key(prop))
    if (found := _LINES.get(key)) is None:
        found = _LINES[key] = (None, None, None)
        font = get_font(font_files(prop))
        for table_name, linegap_key, ascent_key, descent_key in (
                ('OS/2', 'sTypoLineGap', 'sTypoAscender', 'sTypoDescender'),
                ('hhea', 'lineGap', 'ascent', 'descent')):
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            fontsize = prop.get_size_in_points()
            units_per_em = font.get_sfnt_table('head')['unitsPerEm']
            scale = 1 / units_per_em * fontsize * dpi / 72
            found = _LINES[key] = (table[ascent_key] * scale, -table[descent_key] * scale,
                                   table[linegap_key] * scale)
            break
    return found


def ink_extents(s: str, prop: FontProperties) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the outlines of ``s`` in ``prop`` (matplotlib's ``TextPath`` from
    the origin on the baseline, its ``get_extents``), in points."""
    key = (s, font_key(prop))
    if (found := _INKS.get(key)) is None:
        from matplotlib.textpath import TextPath

        found = _INKS[key] = outline_extents(TextPath((0, 0), s, prop=prop))
    return found


def outline_extents(path) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of ``path``: the numbers of matplotlib's ``Path.get_extents``, which
    takes the least and greatest of every curve's ends and of its points where the derivative
    is zero (found and evaluated curve by curve: slow for text, whose glyphs are hundreds of
    curves). Here only the curves whose control points do not lie well inside the box of all
    ends are evaluated, by the same code: the others' points lie inside that box, so they
    decide nothing (``well``: by far more than the evaluation's rounding). Paths of another
    make than a glyph outline's (no codes, points not finite, simplified, a line drawn on
    from a closed shape) are left to ``get_extents``."""
    import numpy as np
    from matplotlib.bezier import BezierSegment
    from matplotlib.path import Path

    verts, codes = path.vertices, path.codes
    if codes is None or path.should_simplify or not np.isfinite(verts).all():
        return tuple(path.get_extents().extents)
    ends, curves = [], {3: [], 4: []}  # vertex indices: the ends; each curve's control points
    codes, i, prev = codes.tolist(), 0, None
    while i < len(codes):
        code = codes[i]
        if code == Path.MOVETO or (code == Path.LINETO and prev is not None):
            ends.append(i)
            prev, i = i, i + 1
        elif code in (Path.CURVE3, Path.CURVE4) and prev is not None:
            n = 2 if code == Path.CURVE3 else 3
            curves[n + 1].append([prev, *range(i, i + n)])
            ends.append(i + n - 1)
            prev, i = i + n - 1, i + n
        elif code == Path.CLOSEPOLY:  # a closing line joins two ends already counted
            prev, i = None, i + 1  # (a line drawn on from there: left to get_extents)
        elif code == Path.STOP:
            break
        else:
            return tuple(path.get_extents().extents)
    if not ends:
        return tuple(path.get_extents().extents)
    points = [verts[ends]]
    lo, hi = points[0].min(axis=0), points[0].max(axis=0)
    margin = 1e-6 * max(1.0, float(np.abs(points[0]).max()))
    for controls in curves.values():
        if not controls:
            continue
        each = verts[np.array(controls)]  # (curves, control points, 2)
        inside = ((each.min(axis=1) > lo + margin).all(axis=1)
                  & (each.max(axis=1) < hi - margin).all(axis=1))
        for control in each[~inside]:
            curve = BezierSegment(control)
            _, zeros = curve.axis_aligned_extrema()
            points.append(curve([0, *zeros, 1]))
    xys = np.concatenate(points)
    return (*xys.min(axis=0), *xys.max(axis=0))


class RendererAgg(backend_agg.RendererAgg):
    """matplotlib's Agg renderer, its measures kept for the process (:func:`text_size`,
    :func:`line_metrics`)."""

    def get_text_width_height_descent(self, s, prop, ismath):
        kind = ("agg", self.dpi, mpl.rcParams["text.hinting"],
                mpl.rcParams["text.hinting_factor"])
        return text_size(kind, s, prop, ismath,
                         lambda: super(RendererAgg, self).get_text_width_height_descent(
                             s, prop, ismath))

    def _get_font_height_metrics(self, prop):
        return line_metrics(prop, self.dpi)


class ChartCanvas(backend_agg.FigureCanvasAgg):
    """The Agg canvas of a chart's figure: its renderer (:class:`RendererAgg`) is kept while the
    figure's size and resolution stay (as ``FigureCanvasAgg`` keeps its own), so that the label
    placing's draws (``Figure.draw_without_rendering``) and text boxes
    (``Text.get_window_extent``) reuse one renderer instead of making one each; it draws the same
    pixels."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = RendererAgg(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
