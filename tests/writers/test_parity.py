"""Writer parity: one model through both writers, compared as a reader sees each output.

The PDF is read by poppler (``pdftotext``) and pypdf (its bookmarks); the Word document from its
XML (:mod:`docxview`), with the numbers Word generates (list numbers, footnote marks) put in.
Compared: the headings with their numbers, the caption labels, the footnote numbers, the list
numbers and every number printed, as a multiset of digit strings in their own digits (so a writer
printing one number in another digit style, or one more or one fewer, fails). Editions: the
fixture with every block kind at every depth (tests/fixtures/nested) in Western and Arabic-Indic
digits, the small fixture edition, and an English book.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pypdf
import pytest
from docxview import DocxView, read_docx
from paths import FIXTURES, MINI
from pdftext import pdftotext

from briefing.build import build

NUMBER = re.compile("[0-9\u0660-\u0669]+(?:[.,\u066b\u066c][0-9\u0660-\u0669]+)*")
# a caption label or reference; poppler's bidi pass may move the punctuation that follows a
# number in right-to-left text before it («شكل .1» for «شكل 1.»), which is forgiven here
LABEL = re.compile("(شكل|جدول|صورة|Figure|Table|Image)\\s+[.,:،؛]?\\s*([0-9\u0660-\u0669]+)")


def labels(text: str) -> Counter:
    return Counter(f"{word} {number}" for word, number in LABEL.findall(_clean(text)))
_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _arabic_indic(edition: Path) -> None:
    manifest = edition / "edition.yaml"
    manifest.write_text(manifest.read_text().replace("digits: western", "digits: arabic-indic"))


EDITIONS = {
    "nested-western": (FIXTURES / "nested", None),
    "nested-arabic-indic": (FIXTURES / "nested", _arabic_indic),
    "mini-arabic-indic": (MINI, _arabic_indic),
    "english-book": (FIXTURES / "english", None),
}


@pytest.fixture(scope="module", params=sorted(EDITIONS))
def outputs(request, tmp_path_factory):
    """(PDF, DOCX) of one edition, built once through the whole pipeline."""
    source, patch = EDITIONS[request.param]
    root = tmp_path_factory.mktemp(request.param)
    edition = root / source.name
    shutil.copytree(source, edition)
    if patch:
        patch(edition)
    pdf, docx = build(edition, root / "out")
    return pdf, docx


def _pdf_body(pdf: Path) -> str:
    """The text of the pages from the first part on, without running headers and page numbers."""
    reader = pypdf.PdfReader(pdf)
    first = reader.get_destination_page_number(reader.outline[0]) + 1
    return pdftotext(pdf, first, len(reader.pages), body_only=True)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", _CONTROLS.sub("", text))


def _docx_body(view: DocxView) -> str:
    return view.text()


def _headings_pdf(pdf: Path) -> list[str]:
    def flat(items):
        for item in items:
            if isinstance(item, list):
                yield from flat(item)
            else:
                yield " ".join(item.title.split())
    return list(flat(pypdf.PdfReader(pdf).outline))


def _headings_docx(view: DocxView) -> list[str]:
    return [" ".join(text.split()) for style, text in view.body
            if style in ("Heading1", "Heading2", "Heading3")]


def test_headings_and_their_numbers_agree(outputs):
    pdf, docx = outputs
    view = read_docx(docx)
    # footnote calls are no part of a heading in either reader (Word: the mark, PDF: the call)
    docx_headings = [re.sub(r"[0-9\u0660-\u0669]+$", "", h).strip() for h in _headings_docx(view)]
    pdf_headings = [re.sub(r"[0-9\u0660-\u0669]+$", "", h).strip() for h in _headings_pdf(pdf)]
    assert pdf_headings == docx_headings


def test_caption_labels_agree(outputs):
    pdf, docx = outputs
    pdf_labels = labels(_pdf_body(pdf))
    assert pdf_labels and pdf_labels == labels(_docx_body(read_docx(docx)))


def test_every_number_printed_agrees(outputs):
    """Numbers in text, tables, captions, sources, cross-references, list and footnote numbers,
    each in its digits: the same multiset in both outputs."""
    pdf, docx = outputs
    pdf_numbers = Counter(NUMBER.findall(_clean(_pdf_body(pdf))))
    docx_numbers = Counter(NUMBER.findall(_clean(_docx_body(read_docx(docx)))))
    assert pdf_numbers == docx_numbers, (
        f"only in the PDF: {pdf_numbers - docx_numbers}; only in Word: {docx_numbers - pdf_numbers}")


SIGNED = re.compile(f"[\u2212-]?[%\u066a]?{NUMBER.pattern}[%\u066a]?[\u2212-]?")


def _signed(text: str) -> Counter:
    """Each number with the signs printed beside it (minus, hyphen, %, ٪), whichever side:
    a reader's reordering moves a sign, never adds or drops one."""
    return Counter((re.sub("[^0-9\u0660-\u0669.,\u066b\u066c]", "", token),
                    "".join(sorted(set(token) & set("\u2212-%\u066a"))))
                   for token in SIGNED.findall(text))


def test_every_sign_printed_agrees(outputs):
    """Each number carries the same signs in both outputs: the true minus sign (never a hyphen
    in one of them), the percent sign of its digits (% or ٪)."""
    pdf, docx = outputs
    pdf_signed = _signed(_clean(_pdf_body(pdf)))
    docx_signed = _signed(_clean(_docx_body(read_docx(docx))))
    assert pdf_signed == docx_signed, (
        f"only in the PDF: {pdf_signed - docx_signed}; only in Word: {docx_signed - pdf_signed}")
    assert any(signs for _, signs in pdf_signed), "the edition prints no sign to compare"


def test_footnotes_agree(outputs):
    """Each footnote's mark in Word (its section's number format) begins a line of the PDF's
    footnote area («3.», which poppler may give as «.3» in right-to-left text), and Word numbers
    them 1, 2, 3… through the book."""
    pdf, docx = outputs
    marks = [NUMBER.match(_clean(note).strip()).group(0) for note in read_docx(docx).footnotes]
    western = [m.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")) for m in marks]
    assert western == [str(n) for n in range(1, len(marks) + 1)]
    body = _clean(_pdf_body(pdf))
    for mark in marks:
        assert re.search(rf"(^|\n)\s*(?:{mark}\s*\.|\.\s*{mark})", body), mark


def test_the_parity_check_sees_a_number_printed_differently(outputs, tmp_path):
    """The comparison can fail: the Word document with one footnote number's digits changed (as
    a writer printing marks in another digit style would) no longer matches the PDF."""
    pdf, docx = outputs
    view = read_docx(docx)
    changed = DocxView(view.body, [note.translate(str.maketrans("0123456789٠١٢٣٤٥٦٧٨٩",
                                                               "٠١٢٣٤٥٦٧٨٩0123456789"), )
                                   for note in view.footnotes])
    pdf_numbers = Counter(NUMBER.findall(_clean(_pdf_body(pdf))))
    assert Counter(NUMBER.findall(_clean(_docx_body(changed)))) != pdf_numbers
