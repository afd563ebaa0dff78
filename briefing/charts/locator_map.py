"""The locator map: Central Asia and the GCC from the edition's ``data/map.geojson``."""

from __future__ import annotations

import math
from pathlib import Path

from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MPath

from ..data.geography import clip_ring, ring_area
from .checks import expand_codes, map_countries
from .collisions import ink_box, label_box, renderer_of
from .shaping import quiet_line_metrics


def _label_point(country, extent) -> tuple[float, float, float]:
    """Centroid and area of the largest visible piece of a country."""
    best = (0.0, 0.0, 0.0)
    for poly in country.polygons:
        ring = clip_ring([tuple(p) for p in poly[0][:-1]], extent)
        if len(ring) < 3:
            continue
        a = ring_area(ring)
        if abs(a) <= abs(best[2]):
            continue
        cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
            f = x0 * y1 - x1 * y0
            cx += (x0 + x1) * f
            cy += (y0 + y1) * f
        best = (cx / (6 * a), cy / (6 * a), a)
    return best[0], best[1], abs(best[2])


def draw_map(ax, fig, spec, store, style, L, rtl: bool, geography: Path) -> None:
    countries, highlight, context = map_countries(spec, store, geography)
    cfg = style.get("map")
    hi_group = expand_codes(store, spec.highlight, spec, "highlight")[1]
    ctx_group = expand_codes(store, spec.context, spec, "context")[1]
    # extent: the configured box, widened to the figure's shape (equirectangular, cos(lat)
    # scaled) and shifted to stay inside the outlines the GeoJSON holds
    x0, y0, x1, y1 = cfg["extent"]
    lat0 = math.radians((y0 + y1) / 2)
    xs = [x for c in countries.values() for poly in c.polygons for ring in poly for x, _ in ring]
    ys = [y for c in countries.values() for poly in c.polygons for ring in poly for _, y in ring]
    bx0, by0, bx1, by1 = min(xs), min(ys), max(xs), max(ys)
    fw, fh = style.size_mm("map")
    want = fw / fh
    have = (x1 - x0) * math.cos(lat0) / (y1 - y0)
    if have < want:
        w = (y1 - y0) * want / math.cos(lat0)
        x0 = (x0 + x1) / 2 - w / 2
        x0 = max(bx0, min(x0, bx1 - w))
        x1 = x0 + w
    else:
        h = (x1 - x0) * math.cos(lat0) / want
        y0 = (y0 + y1) / 2 - h / 2
        y0 = max(by0, min(y0, by1 - h))
        y1 = y0 + h
    extent = (x0, y0, x1, y1)
    sizes = style.get("sizes")
    outlines = {}  # code → its drawn outline (a PathPatch)
    for code in sorted(countries):
        c = countries[code]
        color = cfg["highlight"] if code in highlight else cfg["context"] if code in context else cfg["other"]
        verts, codes = [], []
        for poly in c.polygons:
            for ring in poly:
                verts += list(ring)
                codes += [MPath.MOVETO] + [MPath.LINETO] * (len(ring) - 2) + [MPath.CLOSEPOLY]
        # added as an artist, not by add_patch, which widens the data limits by the outline,
        # curve by curve (a fifth of a second for the map); the limits are set below
        outlines[code] = ax.add_artist(PathPatch(
            MPath(verts, codes), facecolor=color, edgecolor=cfg["border"], lw=cfg["border_width"],
            joinstyle="round", zorder=2 if code in highlight or code in context else 1))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / math.cos(lat0))
    ax.set_facecolor(cfg["sea"])
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_color(style.get("colors", "axis"))
        sp.set_linewidth(0.5)
    # labels
    label_at = cfg.get("label_at", {})
    inside = cfg.get("label_inside", {})
    names = {}
    # (label, the country it must stay in or None for a label on a leader, whether it may be left
    # out: a neighbour's name, there for orientation only)
    placed = []
    for code in highlight + context:
        ent = store.entities.get(code)
        names[code] = (ent.en if L.lang == "en" else ent.ar) if ent else (
            countries[code].name_en if L.lang == "en" else countries[code].name_ar)
    for code, name in names.items():
        dark = code in highlight
        fg = cfg["label_on_dark"] if dark else cfg["label"]
        text = L(name, "highlight" if dark else "context")
        if code in label_at:
            lx, ly = label_at[code]
            cx, cy, _ = _label_point(countries[code], extent)
            placed.append((ax.annotate(
                text, (cx, cy), xytext=(lx, ly), ha="center", va="center",
                fontproperties=L.prop(sizes["map_label_small"]), color=cfg["label"], zorder=6,
                arrowprops={"arrowstyle": "-", "lw": 0.5, "color": style.get("colors", "text"),
                            "shrinkA": 1, "shrinkB": 0}), None, False))
        else:
            lx, ly = inside.get(code) or _label_point(countries[code], extent)[:2]
            placed.append((ax.text(lx, ly, text, ha="center", va="center", color=fg, zorder=6,
                                   fontproperties=L.prop(sizes["map_label"], bold=dark)), code,
                           False))
    # neighbours large enough to carry a name, in grey, for orientation
    for code in sorted(countries):
        if code in names:
            continue
        cx, cy, area = _label_point(countries[code], extent)
        if area < 40 or not (x0 + 3 < cx < x1 - 3 and y0 + 2 < cy < y1 - 2):
            continue
        name = countries[code].name_en if L.lang == "en" else countries[code].name_ar
        placed.append((ax.text(cx, cy, L(name, "map"), ha="center", va="center", zorder=5,
                               color=cfg["neighbour_label"],
                               fontproperties=L.prop(sizes["map_label_small"])), code, True))
    handles = []
    for codes, group, color in ((highlight, hi_group, cfg["highlight"]), (context, ctx_group, cfg["context"])):
        if codes and group:
            ent = store.entities[group]
            handles.append(Patch(facecolor=color, label=L(ent.en if L.lang == "en" else ent.ar, "legend")))
    if handles:
        ax.legend(handles=handles, loc="lower right" if rtl else "lower left", frameon=True,
                  facecolor="white", edgecolor="none", framealpha=0.9,
                  prop=L.prop(sizes["legend"]), markerfirst=not rtl, handlelength=1.4,
                  alignment="right" if rtl else "left")
    _clear_of_borders(fig, ax, placed, outlines)


def _clear_of_borders(fig, ax, placed, outlines) -> None:
    """Move each label, in order, to the nearest place (on a grid of 1.5 points, up to 30 points
    away) where no border crosses its ink and its box overlaps no label placed before it; a
    country's own name stays inside the country, and none goes under the legend. A name with no
    such place is left out if it may be (a neighbour's), else kept where it was. Labels are aligned on
    their baseline (the ink is measured from it) and the layout is frozen, so the saved map is
    the one measured."""
    with quiet_line_metrics():
        fig.draw_without_rendering()
    fig.set_layout_engine("none")
    renderer = renderer_of(fig)
    paths = {code: patch.get_path().transformed(patch.get_transform())
             for code, patch in outlines.items()}
    # each outline's box: a label's ink apart from it meets none of its borders, so only the
    # outlines whose box it meets are tested border by border
    boxes = [(path, path.get_extents()) for path in paths.values()]
    to_data = ax.transData.inverted()
    step = renderer.points_to_pixels(1.5)
    offsets = sorted(((dx * step, dy * step) for dx in range(-20, 21) for dy in range(-20, 21)),
                     key=lambda d: (d[0] ** 2 + d[1] ** 2, d))
    legend = ax.get_legend()
    taken = [legend.get_window_extent(renderer)] if legend is not None else []
    for text, code, optional in placed:
        # aligned on the baseline, with the ink's middle where the middle of the line was
        box = label_box(text, renderer)
        text.set_va("baseline")
        ink = ink_box(text, renderer)
        home = ax.transData.transform(_where(text, code))
        home = (home[0], home[1] + (box.y0 + box.y1) / 2 - (ink.y0 + ink.y1) / 2)
        _move(text, code, to_data.transform(home))
        ink, box = ink_box(text, renderer), label_box(text, renderer)
        for dx, dy in offsets:
            ink_at, box_at = ink.translated(dx, dy), box.translated(dx, dy)
            if (not any(box_at.overlaps(other) for other in taken)
                    and (code is None or paths[code].contains_point(
                        ((ink_at.x0 + ink_at.x1) / 2, (ink_at.y0 + ink_at.y1) / 2)))
                    and not any(path.intersects_bbox(ink_at, filled=False)
                                for path, extent in boxes if _meet(extent, ink_at))):
                _move(text, code, to_data.transform((home[0] + dx, home[1] + dy)))
                taken.append(box_at)
                break
        else:
            if optional:
                text.set_visible(False)
            else:
                taken.append(box)


def _meet(a, b) -> bool:
    """Whether boxes ``a`` and ``b`` meet (share a point, their edges included)."""
    return a.x0 <= b.x1 and b.x0 <= a.x1 and a.y0 <= b.y1 and b.y0 <= a.y1


def _where(text, code):
    return text.xyann if code is None else text.get_position()


def _move(text, code, at) -> None:
    if code is None:
        text.xyann = tuple(at)
    else:
        text.set_position(tuple(at))
