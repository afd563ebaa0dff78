"""A dot leader laid out as one text box, not one box per dot.

WeasyPrint 70 fills a ``leader(".")`` (the contents' entries: ``styles/book.html``) with a copy
of the one-dot text box per dot, each placed on a grid of the dot's width from the line's end
(``weasyprint/layout/leader.py``, ``handle_leader``): the default edition's contents are ~6,000
text boxes, each drawn as a text object of its own, and their drawing (and the text layer's
work on each, :mod:`.reading_order`) took a third of the book's PDF writing; laying them out, a
tenth of the layout. Here, after WeasyPrint has placed them, a leader's boxes are replaced by
one box holding the same dots, laid out by Pango as one line at the leftmost box's place: the
same glyphs, one text object, ~6,000 boxes fewer (the PDF's writing 1.3 s faster, its layout
0.3 s). Pango advances each dot by the width the grid steps by; the PDF places them by the
font's widths in whole thousandths of an em (WeasyPrint drops the remainder), so a dot may stray
from its grid place by that remainder times its rank: at most 0.08 CSS px (0.02 mm), at the far
end of the default edition's longest leader (167 dots).
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


def merge_leader(context, line) -> None:
    """Replace the text boxes of ``line``'s leader (if it has one, of two dots or more) by one
    text box of the same text repeated, at the leftmost box's place, laid out with
    ``context`` (WeasyPrint's layout context). Left unchanged when the boxes do not hold the
    same text on one grid of their width, or when Pango's line of them would not fall on it."""
    from weasyprint.layout.leader import leader_index
    from weasyprint.text.line_break import split_first_line

    index, leader = leader_index(line)
    if index is None or len(leader.children) < 2:
        return
    boxes = sorted(leader.children, key=lambda box: box.position_x)
    first = boxes[0]
    step = first.width
    if any(box.text != first.text or box.position_y != first.position_y
           or abs(box.position_x - first.position_x - n * step) > _TOLERANCE
           for n, box in enumerate(boxes)):
        return
    text = first.text * len(boxes)
    layout, length, _, width, _, _ = split_first_line(
        text, first.style, context, float("inf"), first.justification_spacing,
        is_line_start=False)
    if length != len(text.encode()) or abs(width - step * len(boxes)) > _TOLERANCE:
        return
    merged = first.copy_with_text(text)
    merged.pango_layout = layout
    merged.width = width
    leader.children = (merged,)


@contextmanager
def merged_leaders() -> Iterator[None]:
    """While active, WeasyPrint lays each leader out as one text box (:func:`merge_leader`).
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
