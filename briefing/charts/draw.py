"""Drawing the chart kinds with matplotlib (called by :mod:`briefing.charts`).

Every string reaches matplotlib through :class:`Labeller`, which checks that the chart font can
draw it (a SourceError naming the figure otherwise), localises digits and, only for matplotlib
builds that do not shape text, converts it to shaped visual order. Right-to-left conventions come
from the ``rtl`` section of ``styles/chart.yaml``; English charts are always left to right.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import matplotlib
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager, ttfFontProperty
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import shaping as at
from . import collisions
from .checks import check_drawable, drawn_text
from .collisions import Label, Place, add_label, marks_bar
from .measure import ChartCanvas
from .pie import _luminance

MM = 1 / 25.4
_registered: dict[str, str] = {}  # bundled font file → the family name matplotlib finds it by


class Labeller:
    """Checks, localises and prepares the chart's strings; remembers logical forms."""

    def __init__(self, fig, spec, style, lang: str, digits: str):
        self.fig, self.spec, self.lang, self.digits = fig, spec, lang, digits
        chains = {False: style.fonts(lang), True: style.fonts(lang, "bold")}
        for path in (*chains[False], *chains[True]):
            _register(path)
        self.regular, self.bold = chains[False][0], chains[True][0]
        # a fallback font draws what the first lacks (matplotlib's font fallback, by family
        # names); used only if those names find exactly the bundled files, not system fonts
        self.families = _bundled_families(chains) if len(chains[False]) > 1 else None
        self.fonts = chains if self.families else {b: chain[:1] for b, chain in chains.items()}
        self.mode = at.shaping_mode(self.regular)
        # the true minus (U+2212) where a font of the chain draws it, as the prose prints it
        self.minus = ("\u2212" if any(0x2212 in at.charmap(str(path)) for path in self.fonts[False])
                      else "-")
        fig._briefing_logical = {}

    def prop(self, size: float, bold: bool = False) -> FontProperties:
        return _font_properties(self.families, str(self.bold if bold else self.regular), size,
                                bold)

    def __call__(self, text: str, where: str = "label", bold: bool = False) -> str:
        text = drawn_text(text, self.lang, self.digits)
        check_drawable(text, self.fonts[bold], self.spec, where)
        drawn = at.prepare(text, self.mode)
        self.fig._briefing_logical[drawn] = text
        return drawn

    def number(self, value: float, decimals: int, percent: bool = False) -> str:
        s = at.format_number(value, decimals, lang=self.lang, digits=self.digits,
                             minus=self.minus, percent=percent)
        return self(s, "number")


def _rc(style) -> dict:
    return {
        "axes.unicode_minus": False, "hatch.linewidth": 0.45,
        # not the bar's own colour (matplotlib's default), which hides the hatching
        "hatch.color": style.get("estimate", "hatch_color", default="#ffffff"),
        "axes.linewidth": style.get("lines", "axis_width", default=0.6),
        "text.color": style.get("colors", "text"), "axes.labelcolor": style.get("colors", "text"),
        "xtick.color": style.get("colors", "axis"), "ytick.color": style.get("colors", "axis"),
        "xtick.labelcolor": style.get("colors", "text"), "ytick.labelcolor": style.get("colors", "text"),
        "path.simplify": True,
    }


def draw(spec, data, store, style, *, lang: str, digits: str, geography: Path) -> Figure:
    rtl = lang == "ar"
    width, height = style.size_mm(spec.chart)
    with matplotlib.rc_context(_rc(style)):
        fig = Figure(figsize=(width * MM, height * MM))
        ChartCanvas(fig)  # one renderer for the figure's draws, its measures kept
        _layout(fig)
        L = Labeller(fig, spec, style, lang, digits)
        ax = fig.add_subplot()
        if spec.chart == "map":
            from .locator_map import draw_map
            draw_map(ax, fig, spec, store, style, L, rtl, geography)
        elif spec.chart in ("pie", "donut"):
            from .pie import draw_pie
            draw_pie(ax, fig, spec, data, style, L, rtl)
        elif spec.chart == "barh":
            _draw_barh(ax, fig, spec, data, style, L, rtl)
        else:
            _draw_xy(ax, fig, spec, data, style, L, rtl)
        _place_value_labels(fig, style, L, rtl)
    return fig


def _layout(fig) -> None:
    fig.set_layout_engine("constrained")
    fig.get_layout_engine().set(w_pad=1.5 * MM, h_pad=1.5 * MM, wspace=0, hspace=0)


def _place_value_labels(fig, style, L, rtl) -> None:
    """Value labels placed clear of each other, of the other texts and of the marks
    (:mod:`briefing.charts.collisions`); those left without room are named in a note under the
    chart (``fig._briefing_note``), the chart laid out again with it and the labels placed again,
    until no more are left out than the note names (it is then rewritten to name exactly those:
    shorter, it fits the room kept for it)."""
    fig._briefing_note = None
    noted: list[str] = []
    dropped = [label.name for label in collisions.place_labels(fig)]
    while not set(dropped) <= set(noted):
        _layout(fig)
        _note(fig, style, L, rtl, dropped)
        noted = dropped
        dropped = [label.name for label in collisions.place_labels(fig)]
    if dropped != noted:
        fig._briefing_note.set_text(_note_text(fig, style, L, dropped))


def _note_text(fig, style, L, names: list[str]) -> str:
    """«<dropped>: name value; …» wrapped to the chart's width between entries (drawn form)."""
    size = style.get("sizes", "legend") - 1
    sep = ";" if L.lang == "en" else "؛"
    items = [style.get("value_labels", "dropped", L.lang) + ":"] + [
        name + (sep if i < len(names) - 1 else "") for i, name in enumerate(names)]
    width = fig.get_figwidth() * 25.4 - 6
    lines = [items[0]]
    for item in items[1:]:
        if _text_width_mm(L, f"{lines[-1]} {item}", size) <= width:
            lines[-1] += f" {item}"
        else:
            lines.append(item)
    return L("\n".join(lines), "note")


def _note(fig, style, L, rtl, names: list[str]) -> None:
    """The note of the values left out (:func:`_note_text`) under the chart: the title of the
    legend there, above its entries, or else the figure's foot line (both kept clear by the
    layout)."""
    text, prop = _note_text(fig, style, L, names), L.prop(style.get("sizes", "legend") - 1)
    if fig.legends:
        fig.legends[0].set_title(text, prop=prop)
        note = fig.legends[0].get_title()
    else:
        note = fig.supxlabel(text, x=1 if rtl else 0, ha="right" if rtl else "left",
                             fontproperties=prop)
    note.set_multialignment("right" if rtl else "left")
    note.set_linespacing(1.1)
    fig._briefing_note = note


# --- helpers ------------------------------------------------------------------------------------

def _estimate_handle(style, L, line: bool):
    label = L(style.get("estimate", "label", L.lang, default="Projections"), "legend")
    grey = style.get("colors", "axis")
    if line:
        return Line2D([], [], color=grey, lw=style.get("lines", "line_width"),
                      linestyle=_dash(style), label=label)
    return Patch(facecolor=grey, alpha=style.get("estimate", "alpha"), hatch=style.get("estimate", "hatch"),
                 edgecolor=grey, linewidth=0, label=label)


def _dash(style):
    ls = style.get("estimate", "linestyle")
    return (ls[0], tuple(ls[1])) if isinstance(ls, (list, tuple)) else ls


def _legend(fig, handles, style, L, rtl, loc: str | None = None):
    """A legend under the plot, in reading order: row by row, from the right for Arabic."""
    if not handles:
        return None
    n = len(handles)
    ncols = n if n <= 4 else math.ceil(n / 2) if n <= 8 else 4
    rows = math.ceil(n / ncols)
    blank = Patch(facecolor="none", edgecolor="none", label=" ")
    grid = [[blank] * ncols for _ in range(rows)]
    for i, h in enumerate(handles):
        r, c = divmod(i, ncols)
        grid[r][ncols - 1 - c if rtl else c] = h
    ordered = [grid[r][c] for c in range(ncols) for r in range(rows)]  # matplotlib fills by column
    return fig.legend(handles=ordered, loc=loc or ("outside lower right" if rtl else "outside lower left"),
                      ncols=ncols, frameon=False, prop=L.prop(style.get("sizes", "legend")),
                      markerfirst=not rtl, handlelength=1.6, handleheight=0.9, columnspacing=1.6,
                      handletextpad=0.5, borderaxespad=0.2, alignment="right" if rtl else "left")


def _unit(ax, data, style, L, rtl, side_right: bool):
    if data.unit:
        ax.set_title(L(data.unit, "axis_title"), loc="right" if side_right else "left",
                     fontproperties=L.prop(style.get("sizes", "unit")),
                     color=style.get("colors", "text"), pad=9)


def _clean_axes(ax, style, value_axis: str):
    for side in ("top", "left", "right", "bottom"):
        ax.spines[side].set_visible(False)
    axis_color = style.get("colors", "axis")
    if value_axis in ("left", "right"):
        ax.spines["bottom"].set_visible(True)
        ax.spines["bottom"].set_color(axis_color)
        if style.get("grid", "show", default=True):
            ax.yaxis.grid(True, color=style.get("colors", "grid"), lw=style.get("lines", "grid_width"))
    else:
        side = "right" if value_axis == "bottom-rtl" else "left"
        ax.spines[side].set_visible(True)
        ax.spines[side].set_color(axis_color)
        if style.get("grid", "show", default=True):
            ax.xaxis.grid(True, color=style.get("colors", "grid"), lw=style.get("lines", "grid_width"))
    ax.set_axisbelow(True)
    ax.tick_params(length=0, pad=3)


def _value_formatter(ax_axis, data, L):
    decimals = _tick_decimals(ax_axis)

    def fmt(v, _pos):
        return L.number(v, decimals)
    ax_axis.set_major_formatter(FuncFormatter(fmt))


def _tick_decimals(ax_axis) -> int:
    locs = [v for v in ax_axis.get_majorticklocs()]
    for d in range(0, 4):
        if all(abs(round(v, d) - v) < 1e-9 for v in locs):
            return d
    return 3


def _text_width_mm(L, text: str, size: float) -> float:
    return max(_line_width_mm(L.families, str(L.regular), line, size)
               for line in text.split("\n"))


@functools.lru_cache(maxsize=4096)
def _line_width_mm(families: tuple[str, ...] | None, font: str, line: str, size: float) -> float:
    from matplotlib.textpath import TextToPath

    with at.quiet_line_metrics():
        w, _h, _d = TextToPath().get_text_width_height_descent(
            line, _font_properties(families, font, size), ismath=False)
    return w * 25.4 / 72


def _font_properties(families: tuple[str, ...] | None, font: str, size: float,
                     bold: bool = False) -> FontProperties:
    """The font file ``font``, or, with ``families``, those families in turn (font fallback)."""
    if families is None:
        return FontProperties(fname=font, size=size)
    return FontProperties(family=list(families), weight="bold" if bold else "normal", size=size)


def _register(path: Path) -> str:
    """The family name matplotlib finds the bundled font file ``path`` by: its own, prefixed
    «briefing », so that a system font of the same family (Debian's fonts-noto-core has Noto Sans)
    is never drawn instead."""
    key = str(path)
    if key not in _registered:
        entry = ttfFontProperty(FT2Font(key))
        _registered[key] = f"briefing {entry.name}"
        fontManager.ttflist.append(dataclasses.replace(entry, name=_registered[key]))
        fontManager.addfont(key)  # (under its own name too:) empties matplotlib's lookup cache
    return _registered[key]


def _bundled_families(chains: dict[bool, tuple[Path, ...]]) -> tuple[str, ...] | None:
    """The family names of the regular fonts in ``chains``, if matplotlib finds by them exactly
    these files in both weights; else None (then only the first font is drawn)."""
    families = tuple(_register(path) for path in chains[False])
    for bold, chain in chains.items():
        for family, path in zip(families, chain):
            try:
                found = fontManager.findfont(FontProperties(
                    family=family, weight="bold" if bold else "normal"), fallback_to_default=False)
            except ValueError:
                return None
            if Path(found).resolve() != Path(path).resolve():
                return None
    return families


def _category_labels(ax, data, style, L, rtl, n):
    """Category names under the bars: wrapped at spaces, made a little smaller, or - when
    still too wide for their slot - set at 45 degrees."""
    size = style.get("sizes", "tick")
    if data.x_is_time:
        ax.set_xticklabels([L(c, "years") for c in data.categories], fontproperties=L.prop(size))
        return
    slot = (style.size_mm("bar")[0] - 22) / max(n, 1) * 0.92
    names = list(data.categories)
    for attempt_size in (size, size - 0.5, size - 1):
        candidates = []
        for c in names:
            words = c.split(" ")
            # one line, else the most balanced break into two lines at a space
            options = [c] + sorted((" ".join(words[:i]) + "\n" + " ".join(words[i:])
                                    for i in range(1, len(words))),
                                   key=lambda t: max(len(x) for x in t.split("\n")))
            best = next((o for o in options if _text_width_mm(L, o, attempt_size) <= slot), c)
            candidates.append(best)
        if all(_text_width_mm(L, c, attempt_size) <= slot for c in candidates):
            ax.set_xticklabels([L(c, "entities") for c in candidates],
                               fontproperties=L.prop(attempt_size), linespacing=0.8)
            return
    ax.set_xticklabels([L(c, "entities") for c in names], fontproperties=L.prop(size - 0.5),
                       rotation=45, rotation_mode="anchor", ha="right", va="center")
    ax.tick_params(axis="x", pad=6)


def _nice_limits(axis, values, labels: bool, include_zero: bool) -> tuple[float, float]:
    """Axis limits on round tick values that hold the data (and room for value labels)."""
    lo, hi = min(values), max(values)
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = (hi - lo) or abs(hi) or 1.0
    if labels:  # a little room for the labels at the bar ends (they may overhang the last tick)
        hi += 0.04 * span if hi > 0 else 0
        lo -= 0.04 * span if lo < 0 else 0
    ticks = [t for t in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)]
    while len(ticks) > 2 and ticks[1] <= lo:
        ticks.pop(0)
    while len(ticks) > 2 and ticks[-2] >= hi:
        ticks.pop()
    axis.set_ticks(ticks)
    if axis.axis_name == "y":
        axis.axes.set_ylim(ticks[0], ticks[-1])
    else:
        axis.axes.set_xlim(ticks[0], ticks[-1])
    return ticks[0], ticks[-1]


def _on(style, fill: str) -> str:
    """The colour of a label written on a bar of colour ``fill``: white on dark bars."""
    return "white" if _luminance(fill) < 0.55 else style.get("colors", "text")


def _bar_places(outward_positive: bool, horizontal: bool, inside_color: str) -> list[Place]:
    """Where a bar's value label may go, best first: just past the bar's end, inside its end,
    farther out (with a leader), then beside that. ``outward_positive``: the bar grows towards
    larger x or y on the page."""
    sign = 1 if outward_positive else -1
    if horizontal:
        out, inward = ("left", "right") if sign > 0 else ("right", "left")
        return [Place(2.5 * sign, 0, out, "center"),
                Place(-2.5 * sign, 0, inward, "center", inside=True, color=inside_color),
                *(Place(d * sign, dy, out, "center") for d in (9, 16) for dy in (0, 6, -6))]
    out, inward = ("bottom", "top") if sign > 0 else ("top", "bottom")
    return [Place(0, 2.5 * sign, "center", out),
            Place(0, -2.5 * sign, "center", inward, inside=True, color=inside_color),
            *(Place(dx, d * sign, ha, out) for d in (9, 16, 24)
              for dx, ha in ((0, "center"), (6, "left"), (-6, "right")))]


def _point_places(below_first: bool) -> list[Place]:
    """Where a line point's value label may go, best first: under or over it (``below_first``:
    under, as when bars rise to the line), beside it, at its corners, then farther (leader)."""
    below, above = Place(0, -4, "center", "top"), Place(0, 4, "center", "bottom")
    near = [below, above] if below_first else [above, below]
    near += [Place(5, 0, "left", "center"), Place(-5, 0, "right", "center"),
             Place(4, 4, "left", "bottom"), Place(-4, 4, "right", "bottom"),
             Place(4, -4, "left", "top"), Place(-4, -4, "right", "top")]
    far = [Place(p.dx * f, p.dy * f, p.ha, p.va) for f in (2.5, 4) for p in near]
    return near + far


def _label_name(fig, series, data, i: int, drawn: str) -> str:
    """What a value label says, in words, for the note of labels left out: «series category:
    value» (logical text)."""
    value = fig._briefing_logical.get(drawn, drawn)
    if len(data.series) == 1:
        return f"{data.categories[i]}: {value}"
    return f"{series.name} {data.categories[i]}: {value}"


def _positions(n: int, reverse: bool) -> list[float]:
    return [float(n - 1 - i) if reverse else float(i) for i in range(n)]


# --- vertical bars, stacked bars, lines, bar-line -----------------------------------------------

def _draw_xy(ax, fig, spec, data, style, L, rtl):
    kind = spec.chart
    n = len(data.categories)
    reverse = rtl and ((data.x_is_time and style.get("rtl", "time_direction") == "rtl")
                       or (not data.x_is_time and style.get("rtl", "categories_from_right", default=True)))
    xs = _positions(n, reverse)
    bars = [s for s in data.series if not (kind == "line" or s.as_line)]
    lines = [s for s in data.series if kind == "line" or s.as_line]
    colors = dict(zip([s.key for s in data.series], style.palette(len(data.series))))
    est = style.get("estimate")
    bw = style.get("lines", "bar_width", default=0.72)
    sizes = style.get("sizes")
    labels_to_draw = []  # (x, y, text, va)
    any_estimate = False
    if kind == "stacked":
        pos_bottom, neg_bottom = [0.0] * n, [0.0] * n
        for s in bars:
            for i, (v, e) in enumerate(zip(s.values, s.estimate)):
                bottom = pos_bottom[i] if v >= 0 else neg_bottom[i]
                bar = ax.bar(xs[i], v, bw * 0.8, bottom=bottom, color=colors[s.key], linewidth=0,
                             alpha=est["alpha"] if e else 1, hatch=est["hatch"] if e else None,
                             edgecolor=colors[s.key])
                marks_bar(bar)
                any_estimate |= e
                if spec.value_labels:
                    labels_to_draw.append((xs[i], bottom + v / 2, s, v, "center", bar[0], i))
                if v >= 0:
                    pos_bottom[i] += v
                else:
                    neg_bottom[i] += v
    else:
        m = len(bars)
        w = min(bw, 0.16 * n * max(m, 1)) / max(m, 1)  # few bars: keep them slim
        for k, s in enumerate(bars):
            off = (k - (m - 1) / 2) * w
            if rtl:
                off = -off  # the first series is the rightmost bar of its group
            for i, (v, e) in enumerate(zip(s.values, s.estimate)):
                bar = ax.bar(xs[i] + off, v, w * 0.92, color=colors[s.key], linewidth=0,
                             alpha=est["alpha"] if e else 1, hatch=est["hatch"] if e else None,
                             edgecolor=colors[s.key])
                marks_bar(bar)
                any_estimate |= e
                if spec.value_labels:
                    labels_to_draw.append((xs[i] + off, v, s, v, "edge", bar[0], i))
    lw = style.get("lines", "line_width")
    ms = style.get("lines", "marker_size")
    for s in lines:
        c = colors[s.key]
        actual = [(x, v) for x, v, e in zip(xs, s.values, s.estimate) if not e]
        estim = [(x, v) for x, v, e in zip(xs, s.values, s.estimate) if e]
        markers = {}  # category index → the marker drawn there: (its Line2D, its index in it)
        if actual:
            (line,) = ax.plot(*zip(*actual), color=c, lw=lw, marker="o", ms=ms,
                              solid_capstyle="round", zorder=3)
            markers.update({i: (line, k) for k, i in enumerate(
                i for i, e in enumerate(s.estimate) if not e)})
        if estim:
            any_estimate = True
            link = actual[-1:] + estim
            ax.plot(*zip(*link), color=c, lw=lw, linestyle=_dash(style), zorder=3)
            (line,) = ax.plot(*zip(*estim), color=c, lw=0, marker="o", ms=ms, mfc="white",
                              mew=lw * 0.7, zorder=4)
            markers.update({i: (line, k) for k, i in enumerate(
                i for i, e in enumerate(s.estimate) if e)})
        if spec.value_labels:
            for i, (x, v) in enumerate(zip(xs, s.values)):
                labels_to_draw.append((x, v, s, v, "line-over-bars" if bars else "line",
                                       markers[i], i))
    # axes
    value_right = rtl and style.get("rtl", "value_axis", default="right") == "right"
    _clean_axes(ax, style, "right" if value_right else "left")
    if value_right:
        ax.yaxis.tick_right()
    values = [v for s in data.series for v in s.values]
    if kind == "stacked":
        values += [sum(v for v in col if v > 0) for col in zip(*(s.values for s in bars))]
        values += [sum(v for v in col if v < 0) for col in zip(*(s.values for s in bars))]
    lo, hi = _nice_limits(ax.yaxis, values, spec.value_labels,
                          include_zero=bool(bars) or min(values) <= 0.5 * max(values))
    if lo < 0 < hi:
        ax.axhline(0, color=style.get("colors", "zero_line"), lw=style.get("lines", "axis_width"), zorder=2)
        ax.spines["bottom"].set_visible(False)
    ax.set_xticks(xs)
    _category_labels(ax, data, style, L, rtl, n)
    for t in ax.get_yticklabels():
        t.set_fontproperties(L.prop(sizes["tick"]))
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    _value_formatter(ax.yaxis, data, L)
    ax.yaxis.set_tick_params(labelsize=sizes["tick"])
    # value labels: placed, clear of each other and of the marks, once the figure is laid out
    text_color = style.get("colors", "text")
    for x, y, s, v, how, own, i in labels_to_draw:
        props = {"fontproperties": L.prop(sizes["value"]), "color": text_color, "zorder": 5}
        if how == "center":
            places = [Place(0, 0, "center", "center", inside=True, color="white")]
        elif how == "edge":
            places = _bar_places(v >= 0, False, _on(style, colors[s.key]))
        else:  # a line's point; over bars, in the line's colour on a white halo
            places = _point_places(below_first=how == "line-over-bars")
            if how == "line-over-bars":
                props.update(fontproperties=L.prop(sizes["value"], bold=True), zorder=6,
                             color=colors[s.key], path_effects=[
                                 patheffects.withStroke(linewidth=2.2, foreground="white")])
        txt = L.number(v, data.decimals)
        add_label(fig, Label(ax, (x, y), txt, places, props, own=own,
                             leader_color=style.get("colors", "axis"),
                             name=_label_name(fig, s, data, i, txt)))
    _unit(ax, data, style, L, rtl, value_right)
    # legend: series only when there is more than one, plus the projections entry
    handles = []
    if len(data.series) > 1:
        for s in data.series:
            name = L(s.name, "legend")
            if kind == "line" or s.as_line:
                handles.append(Line2D([], [], color=colors[s.key], lw=lw, marker="o", ms=ms, label=name))
            else:
                handles.append(Patch(facecolor=colors[s.key], label=name))
    if any_estimate:
        handles.append(_estimate_handle(style, L, line=bool(lines) and not bars))
    _legend(fig, handles, style, L, rtl)


# --- horizontal bars ----------------------------------------------------------------------------

def _draw_barh(ax, fig, spec, data, style, L, rtl):
    n = len(data.categories)
    ys = [float(n - 1 - i) for i in range(n)]  # first category at the top
    colors = style.palette(len(data.series))
    est = style.get("estimate")
    sizes = style.get("sizes")
    m = len(data.series)
    h = min(style.get("lines", "bar_width", default=0.72), 0.2 * n * m) / m
    any_estimate = False
    from_right = rtl and style.get("rtl", "barh_from_right", default=True)
    own = {}  # (series, category) → its bar
    for k, s in enumerate(data.series):
        off = ((m - 1) / 2 - k) * h
        for i, (v, e) in enumerate(zip(s.values, s.estimate)):
            bar = ax.barh(ys[i] + off, v, h * 0.9, color=colors[k], linewidth=0,
                          edgecolor=colors[k], alpha=est["alpha"] if e else 1,
                          hatch=est["hatch"] if e else None)
            marks_bar(bar)
            own[k, i] = bar[0]
            any_estimate |= e
    _clean_axes(ax, style, "bottom-rtl" if from_right else "bottom")
    _nice_limits(ax.xaxis, [v for s in data.series for v in s.values], spec.value_labels,
                 include_zero=True)
    if from_right:
        ax.invert_xaxis()
        ax.yaxis.tick_right()
    lo, hi = sorted(ax.get_xlim())
    if lo < 0 < hi:
        ax.axvline(0, color=style.get("colors", "zero_line"), lw=style.get("lines", "axis_width"), zorder=2)
        ax.spines["right" if from_right else "left"].set_visible(False)
    ax.set_yticks(ys)
    ax.set_yticklabels([L(c, "entities") if not data.x_is_time else L(c, "years")
                        for c in data.categories], fontproperties=L.prop(sizes["tick"]))
    ax.set_ylim(-0.6, n - 0.4)
    _value_formatter(ax.xaxis, data, L)
    for t in ax.get_xticklabels():
        t.set_fontproperties(L.prop(sizes["tick"]))
    if spec.value_labels:
        for k, s in enumerate(data.series):
            off = ((m - 1) / 2 - k) * h
            for i, v in enumerate(s.values):
                txt = L.number(v, data.decimals)
                add_label(fig, Label(
                    ax, (v, ys[i] + off), txt,
                    _bar_places((v >= 0) != from_right, True, _on(style, colors[k])),
                    {"fontproperties": L.prop(sizes["value"]), "color": style.get("colors", "text"),
                     "zorder": 5},
                    own=own[k, i], leader_color=style.get("colors", "axis"),
                    name=_label_name(fig, s, data, i, txt)))
    if data.unit:
        ax.set_xlabel(L(data.unit, "axis_title"), fontproperties=L.prop(sizes["unit"]),
                      loc="right" if rtl else "left")
    handles = [Patch(facecolor=colors[k], label=L(s.name, "legend")) for k, s in enumerate(data.series)] \
        if m > 1 else []
    if any_estimate:
        handles.append(_estimate_handle(style, L, line=False))
    _legend(fig, handles, style, L, rtl)
