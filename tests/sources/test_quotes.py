"""Quotation marks per language, decided in the model (briefing.sources.quotes): «…» in Arabic,
“…” ‘…’ and ’ in English; the PDF and the Word book print the same marks."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from briefing import model as m
from briefing.build import DEFAULT_EDITION, STYLES, check, draw_figures
from briefing.sources.quotes import quote_text
from briefing.writers.docx import write_docx
from briefing.writers.pdf import write_pdf
from docxview import read_docx
from paths import MINI


def test_arabic_text_takes_guillemets_whatever_the_editor_typed():
    assert quote_text('محور "Termez Cargo" للنقل', "ar") == "محور «Termez Cargo» للنقل"
    # English marks typed the wrong way round (as the issue saw them printed)
    assert quote_text("محور ”Termez Cargo“، و", "ar") == "محور «Termez Cargo»، و"
    assert quote_text('"بداية" النص', "ar") == "«بداية» النص"
    assert quote_text("و\"الممر\"", "ar") == "و«الممر»"  # after a joined conjunction
    assert quote_text("Xi'an", "ar") == "Xi\u2019an"  # an apostrophe between letters


def test_english_text_takes_curly_quotes_the_right_way_round():
    assert quote_text('the "Team Europe" response', "en") == "the \u201cTeam Europe\u201d response"
    assert quote_text("he said 'no' to the EU's plan", "en") == (
        "he said \u2018no\u2019 to the EU\u2019s plan")
    assert quote_text('("a")', "en") == "(\u201ca\u201d)"
    assert quote_text('"', "en", before="e") == "\u201d"  # after a word in the run before


def test_the_default_editions_quotes_are_the_parts_own():
    book = check(DEFAULT_EDITION).book
    for part in book.parts:
        text = "".join(n.text for n in m.walk(part) if isinstance(n, m.Text))
        assert '"' not in text and "\u201e" not in text
        if part.lang == "ar":
            assert "\u201c" not in text and "\u201d" not in text, part.id
        else:
            assert "\u00ab" not in text and "'" not in text, part.id
    arabic = "".join(n.text for n in m.walk(book) if isinstance(n, m.Text))
    assert "«\u2066Termez Cargo\u2069»" in arabic


ARABIC = 'ومحور النقل "Termez Cargo" و”الممر الأوسط“ في المنطقة.'
ENGLISH = "The \"Team Europe\" response and the region's 'middle corridor'."


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The tiny edition with quotes typed in its Arabic and English parts, as PDF and Word."""
    tmp = tmp_path_factory.mktemp("quotes")
    root = tmp / "mini"
    shutil.copytree(MINI, root)
    for name, line in (("01-report.md", ARABIC), ("02-annex.md", ENGLISH)):
        text = root / "text" / name
        text.write_text(text.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    book = draw_figures(check(root), tmp / "charts")
    write_pdf(book, tmp / "book.pdf", STYLES, tmp / "charts")
    write_docx(book, tmp / "book.docx", STYLES)
    return tmp / "book.pdf", tmp / "book.docx"


def test_the_pdf_and_the_word_book_print_the_same_marks(books):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    pdf, docx = books
    word = read_docx(docx).text().splitlines()
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    for lines in (word, printed):
        (arabic,) = [line for line in lines if "الممر" in line]
        (english,) = [line for line in lines if "Team Europe" in line]
        assert "\u201cTeam Europe\u201d" in english
        assert "region\u2019s \u2018middle corridor\u2019" in english
        assert not re.search("[\u201c\u201d\u201e\"]", arabic)
    # «Termez Cargo»: the isolates round the Latin words stand between the marks and the words
    assert "«\u2066Termez Cargo\u2069» و«الممر الأوسط»" in "\n".join(word)
    # the PDF draws four guillemets; poppler reads the glyphs drawn (mirrored in right-to-left
    # text, Unicode BidiMirroring) in its own order of runs (issue 16's text layer), so only
    # their number and the quoted words are asserted here
    (arabic,) = [line for line in printed if "الممر" in line]
    assert sum(arabic.count(mark) for mark in "«»") == 4
    assert re.search("و[«»]الممر الأوسط[«»]", arabic)
