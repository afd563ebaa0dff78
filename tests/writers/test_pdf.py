"""The PDF writer, checked on real output: text layer, fonts, pages, metadata, confinement."""

from __future__ import annotations

import re
import subprocess

import pypdf
import pytest

from briefing import model as m
from briefing.build import STYLES
from briefing.writers.pdf import book_to_html, confined_fetcher, write_pdf
from pdftext import comparable, numbers, pdftotext, words

BUNDLED = {"Amiri", "Noto-Sans-Arabic", "Noto-Sans", "Noto-Serif"}


@pytest.fixture(scope="module")
def mini_pdf(mini_book, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "mini.pdf"
    image_dir = mini_book.parts[0].blocks[2].image.svg.parent
    write_pdf(mini_book, path, STYLES, image_dir)
    return path


def test_text_layer_holds_the_source_text_in_reading_order(mini_pdf, mini_book):
    raw = pdftotext(mini_pdf)
    text, printed_numbers = words(raw), set(numbers(raw))
    for part in mini_book.parts:
        assert words(m.plain_text(part.title)) in text
        for block in part.blocks:
            if isinstance(block, (m.Paragraph, m.Heading)):
                source = m.plain_text(block.content)
                assert words(source) in text, block.where
                assert set(numbers(source)) <= printed_numbers, block.where


def test_tables_captions_footnotes_and_signature_are_printed(mini_pdf):
    text = comparable(pdftotext(mini_pdf))
    for expected in ("جدول", "مؤشراتعامة", "شكل", "عددالسكان", "317.3", "الدولالثلاث",
                     "الناتجالمحليالإجماليمقسوماًعلىعددالسكان", "الأمانةالعامة",
                     "المصدر:صندوقالنقدالدولي"):
        assert comparable(expected) in text, expected


def test_only_bundled_fonts_are_embedded_and_all_are_subset(mini_pdf):
    fonts = subprocess.run(["pdffonts", str(mini_pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    names = {re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in fonts}
    families = {re.sub(r"-(Bold|Italic|Regular|BoldItalic)$", "", n) for n in names}
    assert families <= BUNDLED, families
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts)  # emb sub uni


def test_page_size_count_and_metadata(mini_pdf):
    reader = pypdf.PdfReader(mini_pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert 6 <= len(reader.pages) <= 12  # cover, title page, contents, two parts, blank versos
    assert reader.metadata["/Title"] == "كتيب تجريبي صغير"
    assert reader.metadata["/Author"].startswith("الأمانة العامة")


def test_parts_set_language_and_direction(mini_book):
    html = book_to_html(mini_book, STYLES)
    assert '<html lang="ar" dir="rtl">' in html
    assert 'lang="en" dir="ltr"' in html
    assert "<script" not in html


def test_same_book_same_bytes(mini_book, mini_pdf, tmp_path):
    again = tmp_path / "again.pdf"
    write_pdf(mini_book, again, STYLES, mini_book.parts[0].blocks[2].image.svg.parent)
    assert again.read_bytes() == mini_pdf.read_bytes()


def test_fetcher_refuses_network_and_files_outside_styles(tmp_path):
    fetcher = confined_fetcher((STYLES,))
    assert fetcher.fetch((STYLES / "book.css").as_uri()).read()
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd",
                (STYLES / ".." / "pyproject.toml").resolve().as_uri()):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    (tmp_path / "escape.css").symlink_to("/etc/passwd")
    with pytest.raises(ValueError, match="refused"):
        confined_fetcher((tmp_path,)).fetch((tmp_path / "escape.css").as_uri())


def _page_of(reader: pypdf.PdfReader, text: str, start: int | None = None) -> int:
    """1-based number of the first page (after the contents, by default) holding ``text``."""
    if start is None:
        start = _page_of(reader, "المحتويات", 1) + 1
    for index, page in enumerate(reader.pages[start - 1:], start=start):
        if comparable(text) in comparable(page.extract_text() or ""):
            return index
    raise AssertionError(f"{text!r} is on no page")


def test_bookmarks_follow_parts_and_sections(mini_pdf):
    reader = pypdf.PdfReader(mini_pdf)
    titles = []

    def walk(items, depth=0):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                titles.append((depth, item.title))
    walk(reader.outline)
    assert titles[0] == (0, "تقرير تجريبي عن آسيا الوسطى")
    assert (1, "أولاً: السكان") in titles and (2, "1.1 أكبر الدول سكاناً") in titles
    assert (0, "Annex: A Short English Part") in titles
    assert all("المحتويات" not in t for _, t in titles)  # the cover and contents are not chapters


def test_contents_page_numbers_are_where_the_headings_are(mini_pdf):
    reader = pypdf.PdfReader(mini_pdf)
    contents = pdftotext(mini_pdf, _page_of(reader, "المحتويات", 1)).splitlines()
    entries = {"Background": None, "Annex: A Short English Part": None}
    for line in contents:
        for title in entries:
            if title in line:
                # the page number stands at the dots' end, which the bidi order may put first
                found = re.search(r"(\d+)\s*\.{3,}|\.{3,}\s*(\d+)", line)
                entries[title] = int(found.group(1) or found.group(2))
    for title, page in entries.items():
        assert page == _page_of(reader, title), title


def test_parts_start_on_a_recto_page(mini_pdf):
    # in a right-to-left book WeasyPrint's first page is a left page, and recto pages are odd
    reader = pypdf.PdfReader(mini_pdf)
    assert _page_of(reader, "Annex: A Short English Part") % 2 == 1


def test_print_option_adds_bleed_and_crop_marks(mini_book, tmp_path):
    path = tmp_path / "print.pdf"
    write_pdf(mini_book, path, STYLES, mini_book.parts[0].blocks[2].image.svg.parent, bleed=True,
              variant="pdf/a-3b")
    reader = pypdf.PdfReader(path)
    page = reader.pages[0]
    bleed = float(page.bleedbox.width) - float(page.trimbox.width)
    assert round(bleed / 72 * 25.4) == 6  # 3 mm on each side
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp  # PDF/A identification in the XMP metadata


def test_footnotes_print_at_the_foot_of_the_page_that_calls_them(mini_pdf):
    reader = pypdf.PdfReader(mini_pdf)
    call_page = _page_of(reader, "يبين")
    assert _page_of(reader, "مقسوماً على عدد السكان") == call_page


def test_an_arabic_indic_edition_prints_arabic_indic_digits(edition_copy, tmp_path):
    from briefing.build import check, draw_figures

    manifest = edition_copy / "edition.yaml"
    manifest.write_text(manifest.read_text().replace("digits: western", "digits: arabic-indic"))
    edition = check(edition_copy)
    book = draw_figures(edition, tmp_path / "charts")
    path = tmp_path / "book.pdf"
    write_pdf(book, path, STYLES, tmp_path / "charts")
    text = pdftotext(path)
    assert "٦١٫٨" in text and "61.8" not in text  # the group's population, in a table cell
    assert "shown in Figure 1." in text  # an English part keeps Western digits
    pages = len(pypdf.PdfReader(path).pages)

    def page_number(page: int) -> str:
        """The last word of a page is its number, centred in the bottom margin."""
        return pdftotext(path, page).split()[-1].strip("\u202a\u202b\u202c")

    # the English annex (the last page) is numbered in Western digits, an Arabic page in ٠١٢…
    assert page_number(pages) == str(pages)
    assert page_number(pages - 2) == str(pages - 2).translate(str.maketrans("0123456789",
                                                                            "٠١٢٣٤٥٦٧٨٩"))
