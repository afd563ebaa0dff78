"""Pie and donut charts: shares of one year, percentage labels, the legend beside the pie."""

from __future__ import annotations

import math

from matplotlib.patches import Patch

from . import shaping as at
from .checks import check_pie_values

def _luminance(hex_color: str) -> float:
    """The luma of a #rrggbb colour (0 black - 1 white), to choose white or dark text on it."""
    r, g, b = (int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


LABEL_RADIUS = 1.18  # where an outside label sits, in radii of the pie


def _label_gap(ax, fig, prop) -> float:
    """The height of a value label's box (the font's line, as matplotlib lays it out: the Arabic
    chart font's is about twice its size), in the pie's data units (its radius is 1), measured on
    a probe label in the axes as laid out now."""
    probe = ax.text(0, 0, "0%", fontproperties=prop)
    with at.quiet_line_metrics():
        height = probe.get_window_extent().height
    probe.remove()
    lo, hi = ax.get_ylim()
    return 1.05 * height * (hi - lo) / ax.get_window_extent().height


def spread_labels(angles: list[float], gap: float) -> list[tuple[float, float]]:
    """Where the labels of small slices go, around the pie at :data:`LABEL_RADIUS`, moved so that
    no two on one side are nearer than ``gap`` vertically (the lower one goes down) and none is
    over the pie (a moved label goes out to the circle of that radius at its new height). Angles
    in radians; positions in the pie's data units, in the order of ``angles``."""
    placed: dict[int, tuple[float, float]] = {}
    for side in (1, -1):
        mine = sorted((i for i, a in enumerate(angles) if (math.cos(a) >= 0) == (side == 1)),
                      key=lambda i: -math.sin(angles[i]))
        previous = None
        for i in mine:
            y = LABEL_RADIUS * math.sin(angles[i])
            if previous is not None:
                y = min(y, previous - gap)
            previous = y
            x = max(abs(LABEL_RADIUS * math.cos(angles[i])),
                    math.sqrt(max(LABEL_RADIUS ** 2 - y ** 2, 0)))
            placed[i] = (side * x, y)
    return [placed[i] for i in range(len(angles))]


def draw_pie(ax, fig, spec, data, style, L, rtl):
    s = data.series[0]
    values = list(s.values)
    check_pie_values(spec, values)
    total = sum(values)
    colors = style.palette(len(values))
    sizes = style.get("sizes")
    donut = spec.chart == "donut"
    ccw = rtl and style.get("rtl", "pie_counterclockwise", default=True)
    width = 0.42 if donut else 1
    wedges, _ = ax.pie(values, colors=colors, startangle=90, counterclock=ccw,
                       wedgeprops={"linewidth": 0.8, "edgecolor": "white", "width": width})
    ax.set_aspect("equal")
    r_in = 1 - width / 2 if donut else 0.64
    outside = []  # (angle, text) of the slices too small to hold their label
    for wdg, v, c in zip(wedges, values, colors):
        share = 100 * v / total
        ang = math.radians((wdg.theta1 + wdg.theta2) / 2)
        txt = L.number(share, 1, percent=True)
        if share >= (5 if donut else 4):
            ax.text(r_in * math.cos(ang), r_in * math.sin(ang), txt, ha="center", va="center",
                    fontproperties=L.prop(sizes["value"]),
                    color="white" if _luminance(c) < 0.55 else style.get("colors", "text"))
        else:
            outside.append((ang, txt))
    ax.set_ylim(-1.2, 1.2)
    line_gap = _label_gap(ax, fig, L.prop(sizes["value"]))
    for (ang, txt), (x, y) in zip(outside, spread_labels([a for a, _ in outside], line_gap)):
        ax.annotate(txt, (math.cos(ang), math.sin(ang)), xytext=(x, y),
                    ha="left" if x >= 0 else "right", va="center",
                    fontproperties=L.prop(sizes["value"]), color=style.get("colors", "text"),
                    arrowprops={"arrowstyle": "-", "lw": 0.5, "color": style.get("colors", "axis"),
                                "shrinkA": 0, "shrinkB": 0})
    ax.set_xlim(-1.35, 1.35)
    handles = [Patch(facecolor=c, label=L(name, "entities")) for c, name in zip(colors, data.categories)]
    # the legend sits beside the pie (right of it in Arabic), and the pair is centred
    side = (1 if rtl else -1) * (1.75 if outside else 1.45)
    leg = ax.legend(handles=handles, loc="center left" if rtl else "center right",
                    bbox_to_anchor=(side * 1.45, 0), bbox_transform=ax.transData,
                    ncols=1, frameon=False, prop=L.prop(sizes["legend"]), markerfirst=not rtl,
                    handlelength=1.2, handleheight=1.0, labelspacing=0.7, handletextpad=0.6,
                    alignment="right" if rtl else "left", borderaxespad=0)
    with at.quiet_line_metrics():
        fig.draw_without_rendering()
        box = leg.get_window_extent().transformed(ax.transData.inverted())
    lo, hi = (-1.35, box.x1 + 0.1) if rtl else (box.x0 - 0.1, 1.35)
    ax_box = ax.get_position()
    fw, fh = fig.get_size_inches()
    units_wide = (ax_box.height * fh) and 2.4 * (ax_box.width * fw) / (ax_box.height * fh)
    extra = max(units_wide - (hi - lo), 0) / 2
    ax.set_xlim(lo - extra, hi + extra)
    ax.set_anchor("C")
