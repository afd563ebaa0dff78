"""PDF/UA tagging WeasyPrint 70 leaves out: each part's language, page furniture as artifacts,
footnotes as notes.

WeasyPrint 70 (``--pdf-variant pdf/ua-1``) tags the document, but

- gives ``/Lang`` to the catalogue only, so a screen reader reads the English annexes with an
  Arabic voice (PDF/UA-1, ISO 14289-1 §7.2: a change of natural language is declared, on the
  structure element, ISO 32000-1 §14.9.2);
- marks the running header and the page number as ``/Span`` content with an MCID, tagged into
  structure elements no one reaches, where PDF/UA wants page furniture marked ``/Artifact``
  (ISO 14289-1 §7.8; ISO 32000-1 §14.8.2.2: ``/Type /Pagination``);
- tags a footnote (``span.footnote``, floated to the foot of the page) as a ``/Span``, where PDF/UA
  wants ``/Note`` with an ``/ID`` unique in the document (ISO 14289-1 §7.9; ISO 32000-1 §14.8.4.5,
  Table 335; Matterhorn Protocol 19-001 and 19-003).

:func:`tagging` corrects these while WeasyPrint writes, by wrapping two module-level names:
``weasyprint.pdf.tags._build_box_tree`` (each element made for a box whose HTML element has a
``lang`` attribute gets that ``/Lang``; the element of a footnote's box becomes ``/Note``, with
``/ID`` «note-N», N counting the notes' boxes in the order they are tagged, so a note split over
two pages gets two) and ``weasyprint.draw.draw_stacking_context`` (content of a margin box is
marked ``/Artifact <</Type /Pagination /Subtype /Header|/Footer>>``). Untagged
PDFs are unaffected: both wrappers act only when WeasyPrint tags. :data:`RELIED_ON` fingerprints
the WeasyPrint code this depends on (see ``briefing.writers.pdf.text_layer.weasyprint_fingerprints``).
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from typing import Iterator

from .text_layer import weasyprint_fingerprints

# Fingerprints (SHA-256 of the source, first 16 hex digits) in the pinned weasyprint==70.0.
RELIED_ON = {
    "weasyprint.pdf.tags._build_box_tree": "f716251a83e7096e",
    "weasyprint.draw.draw_stacking_context": "c5811b178bdff82e",
    "weasyprint.pdf.stream.Stream.marked": "3fa3acacbbf66422",
}


@contextmanager
def tagging() -> Iterator[None]:
    """While active, tagged PDFs WeasyPrint writes get ``/Lang`` per element and artifacts for
    page furniture. Raises ``RuntimeError`` if the installed WeasyPrint differs from
    :data:`RELIED_ON`."""
    import pydyf
    import weasyprint.draw as draw
    import weasyprint.pdf.tags as tags
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.pdf.stream import Stream

    if weasyprint_fingerprints(RELIED_ON) != RELIED_ON:
        raise RuntimeError("the installed WeasyPrint is not the one briefing.writers.pdf.tagging was "
                           "written for (see RELIED_ON there): check its tagging again")
    build_box_tree, draw_stacking_context = tags._build_box_tree, draw.draw_stacking_context
    marked = Stream.marked

    notes = itertools.count(1)

    def build_box_tree_with_lang(box, *args, **kwargs):
        lang = box.element.get("lang") if box.element is not None else None
        # the footnote's own box, not its call's or marker's (tagged "span::footnote-call" …)
        note = (getattr(box, "element_tag", None) == "span"
                and "footnote" in box.element.get("class", "").split())
        for element in build_box_tree(box, *args, **kwargs):
            if lang and "Lang" not in element:
                element["Lang"] = pydyf.String(lang)
            if note and element["S"] == "/Span":
                element["S"] = "/Note"
                element["ID"] = pydyf.String(f"note-{next(notes)}")
            yield element

    def draw_furniture_as_artifact(stream, stacking_context):
        box = stacking_context.box
        if not isinstance(box, MarginBox) or stream._tags is None:
            return draw_stacking_context(stream, stacking_context)
        stream.furniture = "Header" if box.at_keyword.startswith("@top") else "Footer"
        try:
            return draw_stacking_context(stream, stacking_context)
        finally:
            stream.furniture = None

    @contextmanager
    def marked_or_artifact(stream, box, tag):
        furniture = getattr(stream, "furniture", None)
        if not furniture:
            with marked(stream, box, tag):
                yield
            return
        # registered as WeasyPrint expects (its unreached element is still built), but the
        # content is an artifact with no MCID
        stream._tags[box] = {"tag": tag, "mcid": len(stream._tags)}
        pydyf.Stream.begin_marked_content(stream, "Artifact", pydyf.Dictionary(
            {"Type": "/Pagination", "Subtype": f"/{furniture}"}))
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(stream)

    tags._build_box_tree = build_box_tree_with_lang
    draw.draw_stacking_context = draw_furniture_as_artifact
    Stream.marked = marked_or_artifact
    try:
        yield
    finally:
        tags._build_box_tree, draw.draw_stacking_context = build_box_tree, draw_stacking_context
        Stream.marked = marked
