"""The print PDF, as a screen reader, a printer and a reader meet it: charts' alternative text
with their numbers, footnotes tagged as notes (PDF/UA-1), an sRGB output intent for ``--print``,
each note on its call's page, titles that break neither in a range nor before a lone last word.

Built once each: the ``pdf-defects`` case as PDF/UA-1 and for print (module fixtures), the default
edition (the session's ``built_pdf``, shared with tests/writers/test_pdf_text_layer.py).
"""

from __future__ import annotations

import collections
import re
import subprocess

import pypdf

from briefing import model as m
from briefing.build import DEFAULT_EDITION, STYLES
from briefing.sources.loading import load_edition
from briefing.writers.pdf import write_pdf
from paths import FIXTURES
from pdftext import pdftotext, structure_elements

DEFECTS = FIXTURES / "pdf-defects"


def _figures(book: m.Book) -> list[m.Figure]:
    return [node for node in m.walk(book) if isinstance(node, m.Figure)]


# ---------------------------------------------------------------- 1. charts' alternative text


def test_a_charts_alt_text_states_its_data_in_the_parts_language_and_digits():
    """Made when the edition is loaded: label, caption (or the editor's alt), unit, values."""
    book = load_edition(FIXTURES / "word-charts").book
    alts = {fig.id: fig.alt for fig in _figures(book)}
    assert alts["gdp-barh"].startswith("شكل ٢: ")
    assert "كازاخستان ٢٢٥٫٨" in alts["gdp-barh"] and "قيرغيزستان ١١٫١" in alts["gdp-barh"]
    english = alts["gdp-line-en"]
    assert english.startswith("Figure ") and re.search(r"\b20\d\d \d", english)
    assert not re.search("[\u0660-\u0669]", english)


def test_a_maps_alt_text_names_its_countries(built_pdf):
    book, _ = built_pdf(DEFAULT_EDITION)
    (locator,) = [fig for fig in _figures(book) if fig.counter == "image"]
    assert locator.alt.startswith("صورة 1: ")
    assert all(name in locator.alt for name in ("كازاخستان", "أوزبكستان", "الإمارات"))


def test_the_pdf_figure_carries_the_models_alt_text(defects_book, ua_pdf):
    """WeasyPrint tags the <img> as /Figure with its alt as /Alt (PDF/UA-1 §7.3)."""
    book, _ = defects_book
    alts = [str(e["/Alt"]) for e in structure_elements(ua_pdf[1]) if e["/S"] == "/Figure"]
    assert alts == [fig.alt for fig in _figures(book)]
    assert alts[0].startswith("شكل 1: ") and "البلد الأول 10.0" in alts[0]
    assert "البلد الثاني 22.0" in alts[0]  # every value, not just the caption


# ---------------------------------------------------------------- 2. notes tagged as notes


def test_pdf_ua_tags_every_footnote_as_a_note_with_an_id(defects_book, ua_pdf):
    book, _ = defects_book
    notes = [e for e in structure_elements(ua_pdf[1]) if e["/S"] == "/Note"]
    numbers = {node.number for node in m.walk(book) if isinstance(node, m.Footnote)}
    assert len(notes) == len(numbers) >= 3
    ids = [str(e["/ID"]) for e in notes]
    assert len(set(ids)) == len(ids)
    # a note holds the note's text (tagged content below it), not an empty element
    assert all(len(e["/K"]) for e in notes)


# ---------------------------------------------------------------- 3. --print: output intent


def test_the_print_pdf_declares_srgb_as_its_output_intent(defects_book, tmp_path):
    book, charts = defects_book
    path = tmp_path / "print.pdf"
    write_pdf(book, path, STYLES, charts, bleed=True)
    (intent,) = pypdf.PdfReader(path).trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/Type"] == "/OutputIntent" and intent["/S"] == "/GTS_PDFX"
    profile = intent["/DestOutputProfile"].get_object()
    data = profile.get_data()
    assert profile["/N"] == 3 and data[36:40] == b"acsp" and data[16:20] == b"RGB "
    assert b"sRGB" in data


def test_a_screen_pdf_has_no_output_intent(built_pdf):
    _, pdf = built_pdf(DEFECTS)
    assert "/OutputIntents" not in pypdf.PdfReader(pdf).trailer["/Root"]


# ---------------------------------------------------------------- 4. notes on their call's page


def _page_words(pdf):
    """Per page, poppler's words as (height, text)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    for page in re.findall(r"<page [^>]*>(.*?)</page>", out, re.S):
        yield [(float(y1) - float(y0), word) for y0, y1, word in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            page)]


def test_every_note_is_printed_on_the_page_of_its_call(built_pdf):
    """poppler's words: a call is a number in superscript type (under 0.65 of the page's most
    common word height), a note's marker a number with its full stop («.7» as poppler orders an
    Arabic line) in the notes' smaller type. Before footnote-policy: line, notes 8 and 9 of the
    default edition fell on the page after their calls."""
    book, pdf = built_pdf(DEFAULT_EDITION)
    pdftotext(pdf, 1)  # skips without poppler
    calls, notes = {}, {}
    for page, words in enumerate(_page_words(pdf), 1):
        if not words:
            continue
        body = collections.Counter(round(h) for h, _ in words).most_common(1)[0][0]
        for height, word in words:
            if re.fullmatch(r"\d+", word) and height < 0.65 * body:
                calls.setdefault(int(word), page)
            elif (marker := re.fullmatch(r"\.(\d+)|(\d+)\.", word)) and height < 0.85 * body:
                notes.setdefault(int(marker.group(1) or marker.group(2)), page)
    numbers = {node.number for node in m.walk(book) if isinstance(node, m.Footnote)}
    assert set(notes) == set(calls) == numbers
    assert {n: (calls[n], notes[n]) for n in numbers if calls[n] != notes[n]} == {}


# ---------------------------------------------------------------- 5. titles


def _lines(pdf, page: int) -> list[str]:
    out = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf),
                          "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(re.findall(r">([^<]*)</word>", line))
            for line in re.findall(r"<line [^>]*>(.*?)</line>", out, re.S)]


def test_titles_break_neither_in_a_range_nor_before_a_lone_last_word(built_pdf):
    """The cover (page 1) and the title page keep «آسيا الوسطى» on one line; the US annex's title
    keeps «2019–2025» whole wherever it is printed (poppler's words are in visual order)."""
    book, pdf = built_pdf(DEFAULT_EDITION)
    pdftotext(pdf, 1)
    for page in (1, 3):
        lines = _lines(pdf, page)
        line = next(line for line in lines if "ىطسولا" in line)  # «الوسطى», visually reversed
        assert "ايسآ" in line, lines
    text = pdftotext(pdf)
    assert not re.search(r"2019–\s*\n", text)
    assert text.count("2019–2025") >= 3  # the contents, the part's title, its running headers
