"""The default edition against the seed's inventory: every part, section, table and figure of the
2023 booklet is in the built model and in the Word document, with the seed's printed values."""

from __future__ import annotations

import html
import re
import zipfile

import pytest

from briefing import model as m
from briefing.build import DEFAULT_EDITION, STYLES, check, draw_figures
from briefing.writers.docx import write_docx

# The seed inventory (../shared/seed/README.md): parts in book order, as (language, title words).
PARTS = [
    ("ar", "مقدمة"),
    ("ar", "الأهمية الاستراتيجية لدول آسيا الوسطى"),
    ("ar", "المرفقات"),
    ("en", "United States Strategy for Central Asia"),
    ("en", "EU Strategy on Central Asia"),
    ("ar", "72/283"),
    ("ar", "تقرير عن اقتصاديات مجموعة آسيا الوسطى"),
]
# Sections أولاً … تاسعاً of the strategic report, and the economic report's four and 3.1–3.7.
STRATEGIC_SECTIONS = ["أولاً", "ثانياً", "ثالثاً", "رابعاً", "خامساً", "سادساً", "سابعاً", "ثامناً",
                      "تاسعاً"]
ECONOMIC_SECTIONS = ["أولاً", "ثانياً", "ثالثاً", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7",
                     "رابعاً"]
# Captions as the seed prints them, by counter and number.
CAPTIONS = {
    ("image", 1): "خارطة موقع دول مجموعة آسيا الوسطى",
    ("table", 1): "عضوية مجموعة آسيا الوسطى",
    ("figure", 1): "عدد السكان، 2022م",
    ("figure", 2): "توزع سكان مجموعة آسيا الوسطى حسب الدولة، 2022م",
    ("figure", 3): "الناتج المحلي الإجمالي، 2022م",
    ("figure", 4): "الناتج المحلي الإجمالي حسب المجموعة، 2015م–2028م",
    ("figure", 5): "معدل الدخل الفردي، 2022م",
    ("figure", 6): "معدلات التضخم حسب الدولة، 2015م–2023م",
    ("figure", 7): "الانفتاح التجاري",
    ("figure", 8): "قيمة صادرات السلع والخدمات، 2021م",
    ("figure", 9): "قيمة واردات السلع والخدمات، 2021م",
    ("figure", 10): "الدين العام (نسبة من الناتج المحلي)، 2015م–2023م",
    ("figure", 11): "الفائض/العجز في الحساب الجاري",
    ("figure", 12): "حجم التبادل التجاري السلعي بين دول مجلس التعاون ودول المجموعة",
    ("figure", 13): "قيمة الصادرات والواردات السلعية والعجز التجاري",
    ("figure", 14): "الصادرات والواردات السلعية بين دول مجلس التعاون ودول المجموعة",
    ("figure", 15): "أهم السلع المصدرة",
    ("figure", 16): "أهم السلع المستوردة",
    ("table", 2): "مؤشرات عامة عن مجموعة آسيا الوسطى، 2022م",
}
# جدول 2 as the seed prints it; the group's GDP per capita is computed (405.7 bn / 77.9 m), where
# the seed's table typed 5,110 against its own prose's 5,210.
TABLE_2 = [
    ["كازاخستان", "19.7", "225.8", "11,440", "23.5", "2.8"],
    ["تركمانستان", "6.2", "78.0", "12,500", "5.2", "5.7"],
    ["أوزبكستان", "35.3", "80.4", "2,280", "34.3", "1.4"],
    ["طاجيكستان", "9.8", "10.5", "1,064", "34.6", "6.2"],
    ["قيرغيزستان", "6.8", "11.1", "1,626", "53.5", "\u221226.8"],
]


@pytest.fixture(scope="module")
def edition():
    return check(DEFAULT_EDITION)


def of_kind(part, kind):
    """Every node of a kind in a part, at any depth (the model's one walk)."""
    return [node for node in m.walk(part) if isinstance(node, kind)]


def test_every_part_is_there_in_book_order(edition):
    parts = edition.book.parts
    assert len(parts) == len(PARTS)
    for part, (lang, title) in zip(parts, PARTS):
        assert part.lang == lang and title in m.plain_text(part.title)
        assert part.dir == ("rtl" if lang == "ar" else "ltr")


def test_sections_carry_their_computed_numbers(edition):
    parts = edition.book.parts
    assert [h.number for h in of_kind(parts[1], m.Heading) if h.level == 2 and h.number] == \
        STRATEGIC_SECTIONS
    assert [h.number for h in of_kind(parts[6], m.Heading) if h.number] == ECONOMIC_SECTIONS


def test_every_figure_and_table_with_its_caption_and_source(edition):
    found = {}
    for part in edition.book.parts:
        for block in of_kind(part, (m.Figure, m.Table)):
            if block.number:
                counter = block.counter if isinstance(block, m.Figure) else "table"
                found[(counter, block.number)] = block
    assert set(found) == set(CAPTIONS)
    for key, caption in CAPTIONS.items():
        assert caption in m.plain_text(found[key].caption), key
    for key, block in found.items():
        if key != ("table", 1):  # the membership table: the seed prints no source
            assert block.source, f"{key} has no source line"


def test_table_2_shows_the_seeds_values_and_one_group_gdp_per_capita(edition):
    table = next(b for b in of_kind(edition.book.parts[6], m.Table) if b.id == "indicators")
    rows = [[m.plain_text(cell) for cell in row] for row in table.rows]
    assert rows[:5] == TABLE_2
    assert rows[5][:4] == ["مجموعة آسيا الوسطى", "77.9", "405.7", "5,210"]
    report = " ".join(m.plain_text(b.content) for b in of_kind(edition.book.parts[6], m.Paragraph))
    assert "5,110" not in report


def test_gcc_gdp_per_capita_is_the_seeds(edition):
    assert round(edition.data.value("gdp_per_capita", "GCC", 2022)) == 37448


def test_the_economic_report_has_its_four_footnotes(edition):
    assert len(of_kind(edition.book.parts[6], m.Footnote)) == 4


def test_the_word_document_holds_the_whole_inventory(edition, tmp_path_factory):
    book = draw_figures(edition, tmp_path_factory.mktemp("charts"))
    path = tmp_path_factory.mktemp("docx") / "book.docx"
    write_docx(book, path, STYLES)
    with zipfile.ZipFile(path) as docx:
        document = docx.read("word/document.xml").decode()
        footnotes = docx.read("word/footnotes.xml").decode()
    text = m.plain_text((m.Text(html.unescape(re.sub(r"<[^>]+>", "", document))),))
    for part in book.parts:
        assert m.plain_text(part.title) in text
        for heading in of_kind(part, m.Heading):
            assert m.plain_text(heading.content) in text, heading.where
    for caption in CAPTIONS.values():
        assert caption in text
    assert len(re.findall(r"SEQ شكل", document)) == 16
    assert len(re.findall(r"SEQ صورة", document)) == 1
    assert len(re.findall(r"SEQ جدول", document)) == 2
    assert document.count("<w:drawing>") == 17
    # a note called twice (the UN annex calls note 11 again) is one Word footnote
    notes = sum(1 for part in book.parts for n in of_kind(part, m.Footnote) if not n.repeat)
    assert len(re.findall(r'<w:footnote w:id="[1-9]\d*"', footnotes)) == notes


# ---------------------------------------------------------------- the print PDF


@pytest.fixture(scope="module")
def default_pdf(built_pdf):
    return built_pdf(DEFAULT_EDITION)[1]


def test_nothing_overflows_into_the_side_margins(default_pdf, tmp_path):
    """Pages rendered to images: the outer 12 mm of each side stay blank on every inner page."""
    import subprocess

    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", str(default_pdf), str(tmp_path / "p")],
                   check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) > 30
    strip = round(12 / 25.4 * 40)
    for page in pages[1:]:  # the cover is a full-page colour block
        image = Image.open(page).convert("L")
        width, height = image.size
        for box in ((0, 0, strip, height), (width - strip, 0, width, height)):
            darkest = image.crop(box).getextrema()[0]
            assert darkest > 200, f"ink in the side margin of {page.name}"


def test_contents_page_numbers_match_the_pages_of_the_parts(default_pdf, edition):
    import pypdf

    from pdftext import comparable, pdftotext

    reader = pypdf.PdfReader(default_pdf)
    texts = [comparable(page.extract_text() or "") for page in reader.pages]
    contents_pages = [i for i, t in enumerate(texts) if comparable("المحتويات") in t]
    contents = pdftotext(default_pdf, contents_pages[0] + 1, contents_pages[0] + 2)
    for part in edition.book.parts[3:5]:  # the English annexes: poppler keeps their lines intact
        title = m.plain_text(part.title)
        line = next(line for line in contents.splitlines() if title in line)
        # the page number ends the line after the leaders (or starts it, before them)
        found = re.search(r"\.{3,}\s*(\d+)\W*$|^\W*(\d+)\s*\.{3,}", line)
        printed = int(found.group(1) or found.group(2))
        first = next(i for i, t in enumerate(texts)
                     if i > contents_pages[-1] and comparable(title) in t) + 1
        assert printed == first, title


def sentences_missing_from_the_text_layer(pdf, edition, normalise=lambda text: text):
    """Sentences of the book's paragraphs whose letters are not found, in order, in the PDF."""
    from pdftext import numbers, pdftotext, words

    raw = pdftotext(pdf, body_only=True)
    text, printed = normalise(words(raw)), set(numbers(raw))
    missing, count = [], 0
    for part in edition.book.parts:
        for paragraph in of_kind(part, m.Paragraph):
            source = m.plain_text(paragraph.content)
            for sentence in re.split(r"[.،؛:!?]\s", source):
                count += 1
                if normalise(words(sentence)) not in text:
                    missing.append((str(paragraph.where), sentence[:60]))
            assert set(numbers(source)) <= printed, paragraph.where
    return missing, count


def test_text_layer_holds_the_sentences_in_reading_order(default_pdf, edition):
    """Letters in reading order and every number intact, with no letter repeated or lost (the
    ToUnicode maps come from the fonts: briefing/writers/pdf/text_layer.py). One known fault of poppler's
    is allowed for, in at most 1 % of the sentences: reading a line's end before a number in
    parentheses at its start."""
    missing, count = sentences_missing_from_the_text_layer(default_pdf, edition)
    assert len(missing) <= count // 100, missing


def test_the_print_pdf_is_a4_with_bundled_fonts_bookmarks_and_metadata(default_pdf, edition):
    import subprocess

    import pypdf

    reader = pypdf.PdfReader(default_pdf)
    assert 40 <= len(reader.pages) <= 70
    box = reader.pages[10].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert reader.metadata["/Title"] == edition.book.meta.title
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    top_level = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top_level == [m.plain_text(part.title) for part in edition.book.parts]
    fonts = subprocess.run(["pdffonts", str(default_pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts)
    assert not [line for line in fonts if not re.match(r"[A-Z]{6}\+(Amiri|Noto)", line)]


def test_tables_start_on_the_page_of_their_caption(default_pdf, edition):
    import pypdf

    from pdftext import pdftotext, words

    count = len(pypdf.PdfReader(default_pdf).pages)
    pages = [words(pdftotext(default_pdf, n)) for n in range(1, count + 1)]
    for table in (t for p in edition.book.parts for t in of_kind(p, m.Table)):
        if table.number is None:
            continue
        caption = words(m.plain_text(table.caption))
        first_cell = words(m.plain_text(table.rows[0][0]))
        on = [i for i, text in enumerate(pages) if caption in text]
        assert on and first_cell in pages[on[-1]], table.id


def test_a_negative_number_keeps_its_sign_before_the_digits(default_pdf):
    """Glyphs in visual order (poppler's -bbox words): «−26.8», never «26.8−», in the RTL table."""
    import subprocess

    words = subprocess.run(["pdftotext", "-bbox", str(default_pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    visual = re.findall(r">([^<]*26\.8[^<]*)</word>", words)
    assert "\u221226.8" in visual and not [w for w in visual if w.endswith(("\u2212", "-"))]
