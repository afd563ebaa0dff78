"""Chart labels that never collide: found on the drawn figure, resolved by the drawing code.

Every text of a chart (tick labels, the unit line, legend entries, value labels, map names) has a
box in display space, which matplotlib's renderer gives (``Text.get_window_extent``; a rotated
text's box is the rectangle turned with it, not its upright hull). :func:`collisions` reports
every pair of texts whose boxes overlap and every value label over a bar or a line marker that is
not its own (it would hide that mark) - the check the tests run over every figure.

The drawing code does not place value labels itself: it hands each one to :func:`add_label` (an
anchor, its own mark, the candidate places in order of preference), and :func:`place_labels`
puts each, in the order given, at its first candidate place that is clear of every text and mark
already there (a place crossed by fewer lines of the chart wins among clear ones). A far place is
joined to its anchor by a leader line; a label with no clear place is dropped, and
:func:`place_labels` returns the dropped labels, for the drawing code to note them under the chart
(the practice of the Chicago Manual of Style, 3.47: values left out of a crowded chart are given
in a note). The figure's layout is then frozen, so the saved image is the one checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

from matplotlib.patches import Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from .measure import ink_extents
from .shaping import quiet_line_metrics

LEADER_FROM = 7.0  # points: a label placed this far from its anchor gets a leader line


@dataclass(frozen=True)
class Place:
    """A candidate place of a label: its offset from the anchor in points, its alignment, and
    ``inside``: the label must then lie within its own bar (and takes ``color``)."""

    dx: float
    dy: float
    ha: str
    va: str
    inside: bool = False
    color: str | None = None

    @property
    def far(self) -> bool:
        return not self.inside and (self.dx ** 2 + self.dy ** 2) ** 0.5 >= LEADER_FROM


@dataclass
class Label:
    """A value label to place: ``text`` (drawn form) at ``xy`` (data coordinates) of ``ax``;
    ``own`` the bar (a Rectangle) or marker (a (Line2D, index) pair) it belongs to, which it may
    touch; ``places`` its candidates in order of preference; ``props`` the Text's properties."""

    ax: object
    xy: tuple[float, float]
    text: str
    places: Sequence[Place]
    props: dict
    own: object = None
    name: str = ""  # what it says in words, for the note of dropped labels (logical text)
    leader_color: str = "#7f7f7f"
    artist: Annotation | None = field(default=None, repr=False)


def add_label(fig, label: Label) -> None:
    """Register ``label`` to be placed by :func:`place_labels` (nothing is drawn yet)."""
    fig.__dict__.setdefault("_briefing_labels", []).append(label)


# --- boxes --------------------------------------------------------------------------------------

def renderer_of(fig):
    """The renderer of the figure's last draw (matplotlib's own, as ``get_window_extent``
    uses when given none)."""
    return fig._get_renderer()


def label_box(t: Text, renderer) -> Bbox:
    """The box of an upright text ``t`` in display space, where it is now (an annotation's text
    at its offset, without its leader)."""
    if isinstance(t, Annotation):
        t.update_positions(renderer)
    return Text.get_window_extent(t, renderer)


def ink_box(t: Text, renderer) -> Bbox:
    """The box of the ink of text ``t`` (one upright line, aligned on its baseline) in display
    space: its glyphs' outlines (matplotlib's TextPath, in points from the origin on the
    baseline) put at the text's origin - narrower than :func:`label_box`, which holds the font's
    whole line height."""
    if t.get_va() != "baseline" or "\n" in t.get_text():
        raise ValueError("ink_box measures one line of text aligned on its baseline")
    box = label_box(t, renderer)
    baseline = t.get_transform().transform(t.get_unitless_position())[1]
    x0, y0, x1, y1 = ink_extents(t.get_text(), t.get_fontproperties())
    scale = renderer.points_to_pixels(1.0)
    return Bbox.from_extents(box.x0 + x0 * scale, baseline + y0 * scale,
                             box.x0 + x1 * scale, baseline + y1 * scale)


def text_corners(t: Text, renderer) -> list[tuple[float, float]]:
    """The four corners, in display space, of the box of text ``t`` (turned with the text)."""
    box = Text.get_window_extent(t, renderer)  # the text's own box, not an annotation's arrow
    angle = t.get_rotation() % 180
    if angle == 0:
        return [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
    upright = Text(0, 0, t.get_text(), fontproperties=t.get_fontproperties(),
                   linespacing=t.get_linespacing())
    upright.set_figure(t.get_figure(root=True))
    size = Text.get_window_extent(upright, renderer)
    w, h = size.width / 2, size.height / 2
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return [(cx + x * c - y * s, cy + x * s + y * c) for x, y in ((-w, -h), (w, -h), (w, h), (-w, h))]


def _polygons_overlap(a, b, tolerance: float) -> bool:
    """Two convex polygons (lists of corners) overlap by more than ``tolerance`` pixels
    (separating axis theorem)."""
    for poly in (a, b):
        for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1]):
            nx, ny = y0 - y1, x1 - x0
            norm = (nx * nx + ny * ny) ** 0.5 or 1.0
            pa = [(x * nx + y * ny) / norm for x, y in a]
            pb = [(x * nx + y * ny) / norm for x, y in b]
            if min(max(pa), max(pb)) - max(min(pa), min(pb)) <= tolerance:
                return False
    return True


def _box(corners) -> Bbox:
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return Bbox.from_extents(min(xs), min(ys), max(xs), max(ys))


def drawn_texts(fig) -> list[Text]:
    """Every text the figure draws: visible, not blank, with some extent."""
    out = []
    for t in fig.findobj(lambda a: isinstance(a, Text)):
        if not t.get_visible() or not t.get_text().strip():
            continue
        out.append(t)
    return out


def _marks(fig, renderer) -> list[tuple[object, Bbox]]:
    """The bars and the line markers of every axes: (the mark, its box in display space)."""
    out = []
    for ax in fig.axes:
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and getattr(patch, "_briefing_bar", False):
                out.append((patch, patch.get_window_extent(renderer)))
        for line in ax.lines:
            if line.get_marker() in (None, "None", "", " ") or not line.get_visible():
                continue
            r = renderer.points_to_pixels(line.get_markersize() + line.get_markeredgewidth()) / 2
            points = line.get_transform().transform(line.get_xydata())
            for i, (x, y) in enumerate(points):
                out.append(((line, i), Bbox.from_extents(x - r, y - r, x + r, y + r)))
    return out


def _segments(fig) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    out = []
    for ax in fig.axes:
        for line in ax.lines:
            if line.get_linestyle() in ("None", "", " ") or not line.get_visible():
                continue
            if getattr(line, "_briefing_leader", False):
                continue
            points = line.get_transform().transform(line.get_xydata())
            out += list(zip(points[:-1], points[1:]))
    return out


def _crosses(box: Bbox, a, b) -> bool:
    """Whether the segment ``a``-``b`` passes through ``box`` (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - box.x0), (dx, box.x1 - x0), (-dy, y0 - box.y0), (dy, box.y1 - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


# --- the check ----------------------------------------------------------------------------------

def collisions(fig, tolerance: float = 0.5) -> list[str]:
    """Every collision in the drawn figure, described: two texts whose boxes overlap by more
    than ``tolerance`` pixels, or a value label over a bar or marker other than its own."""
    with quiet_line_metrics():
        fig.draw_without_rendering()
    renderer = renderer_of(fig)
    texts = drawn_texts(fig)
    corners = [text_corners(t, renderer) for t in texts]
    logical = getattr(fig, "_briefing_logical", {})

    def name(t):
        return logical.get(t.get_text(), t.get_text())

    found = [f"«{name(texts[i])}» over «{name(texts[j])}»"
             for i in range(len(texts)) for j in range(i + 1, len(texts))
             if _polygons_overlap(corners[i], corners[j], tolerance)]
    marks = _marks(fig, renderer)
    for label in getattr(fig, "_briefing_labels", []):
        t = label.artist
        if t is None or not t.get_visible():
            continue
        box = Text.get_window_extent(t, renderer)
        for mark, mbox in marks:
            if mark != label.own and _overlap(box, mbox, tolerance):
                found.append(f"«{name(t)}» over a bar or marker not its own")
    return found


def _overlap(a: Bbox, b: Bbox, tolerance: float) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance
            and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance)


# --- placing ------------------------------------------------------------------------------------

def place_labels(fig) -> list[Label]:
    """Place the labels registered with :func:`add_label`, in their order, each at its first
    clear candidate (least crossed by lines), and freeze the figure's layout; return the labels
    that found no clear place (not drawn)."""
    labels = getattr(fig, "_briefing_labels", [])
    if not labels:
        return []
    with quiet_line_metrics():
        fig.draw_without_rendering()  # the layout the labels are placed in
        # the layout stays as it is now: labels may overhang the axes, the image must not move
        fig.set_layout_engine("none")
        renderer = renderer_of(fig)
        for label in labels:
            if label.artist is not None:
                label.artist.remove()
                label.artist = None
        taken = [_box(text_corners(t, renderer)) for t in drawn_texts(fig)]
        legends = [leg.get_window_extent(renderer) for leg in
                   [*(ax.get_legend() for ax in fig.axes), *fig.legends] if leg is not None]
        marks, segments = _marks(fig, renderer), _segments(fig)
        bounds = fig.bbox
        dropped = []
        for label in labels:
            best = None
            for place in label.places:
                t = _annotate(label, place, leader=False)
                box = label_box(t, renderer)
                t.remove()
                if not _inside(box, bounds) or any(_overlap(box, b, 0.5) for b in taken + legends):
                    continue
                if place.inside:
                    own = label.own.get_window_extent(renderer)
                    if not _inside(box, own.expanded(1.0, 1.0)):
                        continue
                if any(_overlap(box, mbox, 0.5) for mark, mbox in marks if mark != label.own):
                    continue
                crossings = sum(_crosses(box, a, b) for a, b in segments)
                if best is None or crossings < best[0]:
                    best = (crossings, place, box)
                if crossings == 0:
                    break
            if best is None:
                dropped.append(label)
                continue
            label.artist = _annotate(label, best[1], leader=best[1].far)
            taken.append(best[2])
    return dropped


def _inside(box: Bbox, outer: Bbox) -> bool:
    return (box.x0 >= outer.x0 - 0.5 and box.x1 <= outer.x1 + 0.5
            and box.y0 >= outer.y0 - 0.5 and box.y1 <= outer.y1 + 0.5)


def _annotate(label: Label, place: Place, leader: bool) -> Annotation:
    props = dict(label.props)
    if place.color:
        props["color"] = place.color
    if leader:
        props["arrowprops"] = {"arrowstyle": "-", "lw": 0.5, "color": label.leader_color,
                               "shrinkA": 1, "shrinkB": 2}
    return label.ax.annotate(label.text, label.xy, xytext=(place.dx, place.dy),
                             textcoords="offset points", ha=place.ha, va=place.va,
                             annotation_clip=False, **props)


def marks_bar(patches) -> None:
    """Mark the Rectangles ``patches`` (an ``ax.bar`` result) as bars, which value labels other
    than their own must not cover."""
    for patch in patches:
        patch._briefing_bar = True
