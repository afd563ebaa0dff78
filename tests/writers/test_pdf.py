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
    image_dir = mini_book.parts[0].blocks[2].image.pdf.parent
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
    write_pdf(mini_book, again, STYLES, mini_book.parts[0].blocks[2].image.pdf.parent)
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
    write_pdf(mini_book, path, STYLES, mini_book.parts[0].blocks[2].image.pdf.parent, bleed=True,
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


def _footnote_rules(pdf, page_count: int, folder) -> dict[int, tuple[int, int, int]]:
    """Per page, (left, right, page width) in pixels at 100 dpi of the footnote rule: a run,
    in one row of the page's lower half, of pixels of the rule's colour (styles/footnote-rule.svg)
    blended with white by anti-aliasing (a 0.6 pt line is less than a pixel high), about as long
    as the rule (50 mm, 197 px)."""
    from PIL import Image

    fill = re.search(r'fill="#(\w{6})"', (STYLES / "footnote-rule.svg").read_text()).group(1)
    colour = [int(fill[i:i + 2], 16) for i in (0, 2, 4)]

    def of_the_rule(pixel) -> bool:
        alphas = [(255 - p) / (255 - c) for p, c in zip(pixel, colour)]
        return min(alphas) > 0.15 and max(alphas) - min(alphas) < 0.12

    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(folder / "p")], check=True)
    rules = {}
    for number in range(1, page_count + 1):
        image = Image.open(next(folder.glob(f"p-*{number}.png"))).convert("RGB")
        width, height = image.size
        pixels = image.load()
        for y in range(height // 2, height):
            row = [of_the_rule(pixels[x, y]) for x in range(width)]
            found = [(left, right) for left, right in _runs(row) if 180 <= right - left <= 215]
            if found:
                rules[number] = (*found[0], width)
                break
    return rules


def _runs(flags: list[bool]):
    """(start, end) of each run of True in ``flags``."""
    start = None
    for x, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = x
        elif not flag and start is not None:
            yield start, x
            start = None


@pytest.mark.parametrize("edition", ["nested", "english"])
def test_the_footnote_rule_starts_where_the_parts_lines_start(built_pdf, edition, tmp_path):
    """The rule above the notes sits at the start of the lines of the part that holds the page:
    on the left of an English part's pages, on the right of an Arabic part's, whatever the book's
    own direction (an English annex of an Arabic book; an Arabic annex of an English book)."""
    from paths import FIXTURES

    _, pdf = built_pdf(FIXTURES / edition)
    pages = len(pypdf.PdfReader(pdf).pages)
    seen = set()
    for number, (left, right, width) in _footnote_rules(pdf, pages, tmp_path).items():
        text = pdftotext(pdf, number)
        lang = "en" if len(re.findall("[A-Za-z]", text)) > len(re.findall("[ء-ي]", text)) else "ar"
        seen.add(lang)
        middle = (left + right) / 2
        assert (middle < width / 2) == (lang == "en"), (number, lang, left, right, width)
    assert seen == {"ar", "en"}, seen
