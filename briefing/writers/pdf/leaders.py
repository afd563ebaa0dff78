"""A dot leader laid out as a few text boxes of many dots, not one box per dot.

WeasyPrint 70 fills a ``leader(".")`` (the contents' entries: ``styles/book.html``) with a copy
of the one-dot text box per dot, each placed on a grid of the dot's width from the line's right
edge leftwards (``weasyprint/layout/leader.py``, ``handle_leader``): the default edition's contents were
~6,000 text boxes, each drawn as a text object of its own, and their drawing (and the text
layer's work on each, :mod:`.reading_order`) took a third of the book's PDF writing; laying
them out, a tenth of the layout. Here, after WeasyPrint has placed them, each run of
:data:`RUN` boxes (taken in WeasyPrint's order) is replaced by one box holding the same dots,
laid out by Pango as one line at the run's leftmost place: the same glyphs, ~16 times fewer text
objects (the PDF's writing 1.2 s faster, its layout 0.3 s).

Runs rather than one box per leader, drawn from right to left as the dots were: poppler
makes a word of glyphs drawn one after the other with no gap wider than a tenth of the font
size, so one box drawn left to right after the title joined title and dots into one word and
lost the space between them («Foreword.....21»); each run drawn left of the one before starts
a word of its own, as each dot did, and both readers keep the spaces around the leader
(«Foreword ..... 21»).

Pango advances each dot by the width the grid steps by; the PDF places them by the font's widths
in whole thousandths of an em (WeasyPrint drops the remainder), so a dot may stray from its
grid place by that remainder times its rank in its run: under 0.01 CSS px.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

# SHA-256 (first 16 hex digits, :func:`.text_layer.weasyprint_fingerprints`) of the WeasyPrint
# code relied on: how a leader's boxes are made and placed, where that is called, and how a
# text box is laid out and copied.
RELIED_ON = {
    "weasyprint.layout.leader.handle_leader": "e4bf5941eb946d0b",
    "weasyprint.layout.inline.iter_line_boxes": "04aec48abfcad809",
    "weasyprint.text.line_break.split_first_line": "39ad1016863ca34d",
    "weasyprint.formatting_structure.boxes.TextBox.copy_with_text": "e8ea28f3b7812142",
}

# how far (CSS px) a merged box's dots may be from the grid's: a float's rounding error; past
# it, the boxes are left as WeasyPrint made them
_TOLERANCE = 1e-6
# dots per merged box
RUN = 16


def merge_leader(context, line) -> None:
    """Replace the text boxes of ``line``'s leader (if it has one, of two dots or more) by
    boxes of :data:`RUN` dots each (the last of fewer), in WeasyPrint's order (from right to
    left), each at its leftmost dot's place, laid out with ``context`` (WeasyPrint's layout
    context). Left unchanged when the boxes do not hold the same text on one grid of their
    width, or when Pango's line of them would not fall on it."""
    from weasyprint.layout.leader import leader_index
    from weasyprint.text.line_break import split_first_line

    index, leader = leader_index(line)
    if index is None or len(leader.children) < 2:
        return
    boxes = leader.children
    first = min(boxes, key=lambda box: box.position_x)
    step = first.width
    if any(box.text != first.text or box.position_y != first.position_y
           or abs(box.position_x - first.position_x - n * step) > _TOLERANCE
           for n, box in enumerate(sorted(boxes, key=lambda box: box.position_x))):
        return
    layouts: dict[int, tuple] = {}  # dots → (text, Pango layout, width), shared as copies share
    merged = []
    for start in range(0, len(boxes), RUN):
        run = boxes[start:start + RUN]
        if len(run) not in layouts:
            text = first.text * len(run)
            layout, length, _, width, _, _ = split_first_line(
                text, first.style, context, float("inf"), first.justification_spacing,
                is_line_start=False)
            if length != len(text.encode()) or abs(width - step * len(run)) > _TOLERANCE:
                return
            layouts[len(run)] = text, layout, width
        text, layout, width = layouts[len(run)]
        box = min(run, key=lambda box: box.position_x).copy_with_text(text)
        box.pango_layout, box.width = layout, width
        merged.append(box)
    leader.children = tuple(merged)


@contextmanager
def merged_leaders() -> Iterator[None]:
    """While active, WeasyPrint lays each leader out as runs of dots (:func:`merge_leader`).
    Raises ``RuntimeError`` if the installed WeasyPrint's code differs from :data:`RELIED_ON`."""
    import weasyprint.layout.inline as inline

    from .text_layer import weasyprint_fingerprints

    if weasyprint_fingerprints(RELIED_ON) != RELIED_ON:
        raise RuntimeError("the installed WeasyPrint is not the one briefing.writers.pdf.leaders "
                           "was written for (see RELIED_ON there)")
    original = inline.handle_leader

    def handle_leader(context, line, containing_block):
        original(context, line, containing_block)
        merge_leader(context, line)

    inline.handle_leader = handle_leader
    try:
        yield
    finally:
        inline.handle_leader = original
