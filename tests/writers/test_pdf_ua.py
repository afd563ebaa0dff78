"""The checks a PDF/UA-1 validator makes, asserted on the structure with pypdf (veraPDF cannot be
installed here: it is not in the package registries this project reaches). Rule numbers are
veraPDF's for ISO 14289-1 (and the Matterhorn Protocol's failure conditions); the file is the
default edition written as PDF/UA-1 once (module fixture ``ua_pdf``): Arabic and English parts,
17 charts, notes, tables and the contents' links. The ``pdf-defects`` case's PDF/UA-1 file is
checked for /Lang per part, artifacts and notes in tests/writers/test_pdf_text_layer.py and
test_pdf_print.py.
"""

from __future__ import annotations

import re

import pypdf
from pypdf.generic import ContentStream, DictionaryObject

import pytest

from briefing import model as m
from briefing.build import DEFAULT_EDITION, STYLES, check, draw_figures
from briefing.writers.pdf import write_pdf
from pdftext import structure_elements

# ISO 32000-1 §14.8.4, Tables 333-340: the standard structure types
STANDARD = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT",
    "WP", "Figure", "Formula", "Form"}
# what draws on a page: text, paths, images and forms, shadings (ISO 32000-1, Table 51 and 9.4)
PAINTING = {b"Tj", b"TJ", b"'", b'"', b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*",
            b"Do", b"sh"}


@pytest.fixture(scope="module")
def ua_pdf(tmp_path_factory):
    """(book, path) of the default edition written as PDF/UA-1."""
    tmp = tmp_path_factory.mktemp("default-ua")
    book = draw_figures(check(DEFAULT_EDITION), tmp / "charts")
    write_pdf(book, tmp / "book.pdf", STYLES, tmp / "charts", variant="pdf/ua-1")
    return book, tmp / "book.pdf"


def test_every_structure_type_is_standard_or_role_mapped(ua_pdf):
    """7.1-5 (Matterhorn 02-001): a non-standard type must be mapped to a standard one."""
    _, pdf = ua_pdf
    root = pypdf.PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"]
    role_map = {str(k)[1:]: str(v)[1:] for k, v in root.get("/RoleMap", {}).items()}
    types = {str(e["/S"])[1:] for e in structure_elements(pdf)}
    assert {"Document", "Sect", "P", "H1", "Note", "Figure", "Table", "Link"} <= types
    unmapped = {t for t in types if t not in STANDARD and role_map.get(t) not in STANDARD}
    assert unmapped == set()


def test_everything_drawn_is_tagged_or_an_artifact(ua_pdf):
    """7.1-3 (Matterhorn 01-005): no content outside a marked-content sequence with an /MCID or
    an /Artifact."""
    _, pdf = ua_pdf
    reader = pypdf.PdfReader(pdf)
    painted, stray = 0, []
    for number, page in enumerate(reader.pages, 1):
        stack: list[bool] = []
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op in (b"BDC", b"BMC"):
                props = operands[1] if op == b"BDC" else None
                marked = operands[0] == "/Artifact" or (
                    isinstance(props, DictionaryObject) and "/MCID" in props)
                stack.append(marked or bool(stack and stack[-1]))
            elif op == b"EMC":
                stack.pop()
            elif op in PAINTING:
                painted += 1
                if not (stack and stack[-1]):
                    stray.append((number, op))
    assert painted > 2000  # the book is drawn (each leader is one text run: leaders.py)
    assert stray == []


def test_the_catalogue_declares_pdf_ua_its_title_and_tagging(ua_pdf):
    """5-1, 7.1-8, 7.1-10, 7.2-3: pdfuaid in the XMP, dc:title shown as the window's title,
    /MarkInfo /Marked, the document's /Lang."""
    book, pdf = ua_pdf
    root = pypdf.PdfReader(pdf).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part(>|=\")1", xmp)
    assert "dc:title" in xmp and book.meta.title in xmp
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == book.meta.lang


def test_links_are_tagged_described_and_in_structure_order(ua_pdf):
    """7.18.1-2, 7.18.3-1, 7.18.5-2 (Matterhorn 28-008, 28-011, 28-012): each link annotation is
    reached from the structure (/StructParent) with a description (/Contents), and every page
    with annotations has /Tabs /S."""
    _, pdf = ua_pdf
    reader = pypdf.PdfReader(pdf)
    annotations = 0
    for page in reader.pages:
        annots = [a.get_object() for a in page.get("/Annots", []) or []]
        if annots:
            assert page["/Tabs"] == "/S"
        for annot in annots:
            annotations += 1
            assert "/StructParent" in annot and str(annot.get("/Contents", "")).strip()
    links = [e for e in structure_elements(pdf) if e["/S"] == "/Link"]
    assert annotations >= 100 and len(links) == annotations


def test_headings_start_at_one_and_skip_no_level(ua_pdf):
    """7.4.2-1 (Matterhorn 14-002, 14-003)."""
    _, pdf = ua_pdf
    levels = [int(str(e["/S"])[2:]) for e in structure_elements(pdf)
              if re.fullmatch(r"/H\d", str(e["/S"]))]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def test_notes_have_distinct_ids_and_figures_their_alt_text(ua_pdf):
    """7.9-1 (Matterhorn 19-003) and 7.3-1 (13-004): every note an /ID of its own, every figure
    the model's alternative text; table cells reach their headers (7.5-1)."""
    book, pdf = ua_pdf
    elements = structure_elements(pdf)
    ids = [str(e["/ID"]) for e in elements if e["/S"] == "/Note"]
    notes = [n for n in m.walk(book) if isinstance(n, m.Footnote) and not n.repeat]
    assert len(ids) >= len(notes) > 0 and len(set(ids)) == len(ids)
    figures = [str(e.get("/Alt", "")) for e in elements if e["/S"] == "/Figure"]
    assert figures == [f.alt for f in m.walk(book) if isinstance(f, m.Figure)]
    cells = [e for e in elements if e["/S"] == "/TD"]
    headers = {str(e["/ID"]) for e in elements if e["/S"] == "/TH"}
    assert cells and all({str(h) for h in e["/A"]["/Headers"]} <= headers for e in cells)


def test_every_chart_of_the_default_edition_says_its_numbers(ua_pdf):
    """The 17 figures' alternative text (made in the model, briefing.charts.alt_text, printed as
    /Alt above): each chart's states values, the map its countries."""
    book, _ = ua_pdf
    figures = [n for n in m.walk(book) if isinstance(n, m.Figure)]
    assert len(figures) == 17
    for figure in figures:
        if figure.counter == "image":  # the locator map
            assert "أوزبكستان" in figure.alt
        else:
            assert len(re.findall(r"\d+(?:[.,٫]\d+)?", figure.alt)) >= 3, figure.alt
