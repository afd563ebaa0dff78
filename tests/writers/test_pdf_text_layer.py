"""The print PDF's text layer as poppler and pypdf read it, and the PDF-only print faults.

Built once each (session fixture ``built_pdf``): the default edition, and two small editions from
../shared/cases (``tests/fixtures/pdf-defects``: the words WeasyPrint's ToUnicode maps got wrong,
three note calls in a row, a list broken by boxes; ``tests/fixtures/bidi-19``).
"""

from __future__ import annotations

import re
import subprocess

import pypdf
import pytest

from briefing import model as m
from briefing.build import DEFAULT_EDITION, STYLES
from briefing.writers.pdf import book_to_html
from briefing.writers.pdf.text_layer import RELIED_ON, glyph_texts, weasyprint_fingerprints
from pdftext import pdftotext, structure_elements
from textlayer import (alias_codes, arabic_words, check_words, fold, html_text, key,
                       printed_text, pypdf_pages)

from paths import FIXTURES
EDITIONS = [DEFAULT_EDITION, FIXTURES / "pdf-defects", FIXTURES / "bidi-19"]
AMIRI = STYLES / "fonts" / "Amiri-Regular.ttf"


def test_the_weasyprint_code_the_text_layer_relies_on_is_unchanged():
    """If this fails, WeasyPrint changed where it makes or writes ToUnicode maps: check
    briefing/writers/pdf/text_layer.py against the new code (perhaps #2841 is fixed), then update
    RELIED_ON."""
    assert weasyprint_fingerprints() == RELIED_ON


def test_amiris_own_map_gives_a_lam_its_letter_and_an_inserted_kashida_nothing():
    from fontTools.ttLib import TTFont

    ids = TTFont(AMIRI).getReverseGlyphMap()
    texts = glyph_texts(AMIRI.read_bytes())
    # Amiri's rule «uni0644.init» → «uni0644.init uni0640.1» (a lam before some letters)
    assert texts[ids["uni0644.init"]] == "\u0644"
    assert texts[ids["uni0640.1"]] == "" and texts[ids["uni0640"]] == ""
    assert texts[ids["uni0627.fina_Tatweel"]] == "\u0627"


def _book_words(book) -> list[str]:
    return arabic_words(html_text(book_to_html(book, STYLES)))


def _furniture(book) -> set[str]:
    return {m.plain_text(part.title) for part in book.parts}


@pytest.mark.parametrize("edition_dir", EDITIONS, ids=lambda path: path.name)
def test_no_arabic_word_has_a_wrong_letter_in_either_reader(built_pdf, edition_dir):
    """Every Arabic word poppler and pypdf read is a word of the book, or a book word poppler
    split at a gap in the ink, or book words a reader ran together: never a wrong, doubled or
    missing letter («الممللكة», «الاشية»). poppler's splits are counted and bounded: it took
    for a space the 0.085–0.16 em the font sets ر ز و … away from the next letter (183 of the
    default edition's 9,087 words, 2.0 %; the pdf-defects case is made of such words), until
    briefing/writers/pdf/word_gaps.py closed those gaps: 1 left, «ويقَدّر», whose vowel marks
    poppler files as words of their own."""
    book, pdf = built_pdf(edition_dir)
    words = _book_words(book)
    poppler = check_words(arabic_words(pdftotext(pdf)), words)
    reader = check_words(arabic_words("\n".join(pypdf_pages(pdf, _furniture(book)))), words)
    assert not poppler.wrong and not reader.wrong, (poppler.wrong, reader.wrong)
    assert not reader.splits
    assert len(poppler.splits) <= 1, poppler.splits
    print(f"{edition_dir.name}: poppler {poppler.words} words, {len(poppler.splits)} split; "
          f"pypdf {reader.words} words, {len(reader.merges)} run together")


@pytest.mark.parametrize("edition_dir", EDITIONS, ids=lambda path: path.name)
def test_every_arabic_word_of_the_book_is_found_by_pypdf(built_pdf, edition_dir):
    book, pdf = built_pdf(edition_dir)
    read = arabic_words("\n".join(pypdf_pages(pdf, _furniture(book))))
    found = {key(word) for word in read}
    merged = check_words(read, _book_words(book)).merges
    missing = {word for word in _book_words(book) if key(word) not in found
               and not any(key(word) in key(run) for run in merged)}
    assert not missing


def _sentences(book):
    """(language, sentence) of each paragraph of the book, as printed (footnote calls in)."""
    def walk(blocks):
        for block in blocks:
            yield block
            for child in getattr(block, "blocks", ()):
                yield from walk((child,))
            for item in getattr(block, "items", ()):
                yield from walk(item)

    for part in book.parts:
        for paragraph in (b for b in walk(part.blocks) if isinstance(b, m.Paragraph)):
            for sentence in re.split(r"[.،؛:!?]\s", printed_text(paragraph.content)):
                if sentence.strip():
                    yield part.lang, sentence


@pytest.mark.parametrize("edition_dir", EDITIONS, ids=lambda path: path.name)
def test_pypdf_reads_the_books_sentences_intact(built_pdf, edition_dir):
    """pypdf, NFKC and whitespace folding only, every sentence of the book's paragraphs as
    printed. pypdf reads glyphs in drawing order and reverses runs of Arabic letters; WeasyPrint
    draws a line left to right, so a right-to-left line holding a number, a Latin word or «» or
    a second text box came out with its pieces swapped, and a word hyphenated at a line's end
    as two («hyphen‐ ated»): 697 of the default edition's 872 sentences intact (523 of the 524
    Arabic ones without digits, Latin, «» or brackets; 58 of the 171 with; 116 of the 177
    English ones). briefing/writers/pdf/reading_order.py draws each box's glyphs in the order
    pypdf reads as logical, and where a word mixes directions inside («(66%)», «2023م», which
    poppler needs drawn left to right) or is hyphenated, alias character codes
    (glyph_aliases.py) make each glyph read as what pypdf must read there: 869 (99.7 %: 523 of
    524, 169 of 171, 177 of 177). Left: a sentence a footnote cuts at a page's foot, a line
    broken after «/» and a «» beside a note call that pypdf reads with a space before it."""
    book, pdf = built_pdf(edition_dir)
    text = fold(" ".join(pypdf_pages(pdf, _furniture(book))))
    sentences = list(_sentences(book))
    mixed = re.compile(r"[0-9A-Za-z«»()\[\]“”]")
    classes = {"plain": [s for lang, s in sentences if lang == "ar" and not mixed.search(s)],
               "mixed": [s for lang, s in sentences if lang == "ar" and mixed.search(s)],
               "english": [s for lang, s in sentences if lang != "ar"]}
    intact = {name: [s for s in found if fold(s) in text] for name, found in classes.items()}
    for name, bound in (("plain", 0.99), ("mixed", 0.98), ("english", 0.99)):
        assert len(intact[name]) >= bound * len(classes[name]), (
            name, [s for s in classes[name] if s not in intact[name]])
    assert sum(map(len, intact.values())) >= 0.99 * len(sentences)


# ---------------------------------------------------------------- print faults


def test_a_list_broken_by_boxes_keeps_its_numbers(built_pdf):
    _, pdf = built_pdf(FIXTURES / "pdf-defects")
    text = pdftotext(pdf)
    numbers = re.findall(r"^(\d)\. \w+ objective", text, re.M)
    assert numbers == ["1", "2", "3", "5"]


def test_note_calls_in_a_row_are_separated(built_pdf):
    """Three calls in a row (notes 2, 3, 4 of the case) print «2،3،4», never «234»."""
    _, pdf = built_pdf(FIXTURES / "pdf-defects")
    words = re.findall(r">([^<]*)</word>", subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    line = next(line for line in pdftotext(pdf).splitlines() if "متتالية" in line)
    assert re.search(r"\d\u060c\d\u060c\d", line) and not re.search(r"\d{3}", line)
    assert "234" not in words and "432" not in words


@pytest.mark.parametrize("edition_dir", [DEFAULT_EDITION, FIXTURES / "pdf-defects"],
                         ids=lambda path: path.name)
def test_bookmarks_hold_no_note_calls(built_pdf, edition_dir):
    book, pdf = built_pdf(edition_dir)

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else (item.title,)

    bookmarks = list(titles(pypdf.PdfReader(pdf).outline))
    assert bookmarks and not [t for t in bookmarks if re.search(r"[\u0600-\u06ff]\d+$", t)]
    assert "عنوان فيه حاشية" in bookmarks or edition_dir == DEFAULT_EDITION


def test_english_is_hyphenated_and_arabic_is_not(built_pdf):
    """hyphens: auto on the English parts: lines end in WeasyPrint's hyphen (U+2010) in the ink,
    which reads as the rest of its word (briefing/writers/pdf/glyph_aliases.py), so that both
    readers read the word whole; no Arabic line ends in a hyphen."""
    _, pdf = built_pdf(DEFAULT_EDITION)
    hyphens = [text for glyph_text, text in alias_codes(pdf) if glyph_text == "\u2010"]
    # the rest of the word: «ous», «gion’s», «ID-19,» (of «COV‐ID-19,»)
    assert len(hyphens) >= 10 and all(re.fullmatch(r"\w[^\s\u2010]*", text) for text in hyphens), \
        hyphens
    lines = pdftotext(pdf).splitlines()
    assert not [line for line in lines if line.endswith("\u2010")]
    for reader in (fold(pdftotext(pdf)), fold(" ".join(pypdf_pages(pdf, set())))):
        assert "more stable and prosperous Central Asia" in reader
        assert "hu\u2010" not in reader and "humanitarian needs" in reader
    assert not [line for line in lines if re.search("[\u0600-\u06ff]", line)
                and re.search("[\u2010-]\\W*$", line) and not re.search(r"\d[\u2010-]\W*$", line)]


def test_estimate_hatching_is_drawn_in_another_colour_than_its_bar(built_pdf):
    """The charts' hatch patterns (estimates) stroke their lines in a colour other than the
    pattern's fill, so the hatching shows in the PDF and in grey-scale print."""
    import pikepdf

    book, _ = built_pdf(DEFAULT_EDITION)
    charts = {block.image.pdf for part in book.parts for block in part.blocks
              if isinstance(block, m.Figure) and block.image}
    patterns = []
    for chart in charts:
        with pikepdf.open(chart) as pdf:
            patterns += [pattern.read_bytes()
                         for pattern in pdf.pages[0].Resources.get("/Pattern", {}).values()]
    assert patterns
    colour = rb"([\d.]+ [\d.]+ [\d.]+)"
    for pattern in patterns:  # the tile: its fill (rg, a rectangle), then its lines' stroke (RG)
        fill = re.search(colour + rb" rg [\d. ]+ re f", pattern).group(1)
        assert fill not in re.findall(colour + rb" RG", pattern)


def test_the_cover_band_runs_into_the_bleed(tmp_path):
    """--print: the cover's band is ink up to the bleed edge (top and sides), 18 mm below the
    trim edge as without bleed. Page 1 rendered at 72 dpi (a pixel a point)."""
    from PIL import Image

    from briefing.build import check, draw_figures
    from briefing.writers.pdf import write_pdf

    book = draw_figures(check(FIXTURES / "pdf-defects"), tmp_path)
    pdf = tmp_path / "print.pdf"
    write_pdf(book, pdf, STYLES, tmp_path, bleed=True)
    subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", str(pdf),
                    str(tmp_path / "cover")], check=True)
    image = Image.open(next(tmp_path.glob("cover*.png"))).convert("RGB")
    bleed = 3 / 25.4 * 72
    band, paper = (0x7a, 0x5c, 0x1e), (0xf4, 0xef, 0xe4)

    def near(pixel, colour):
        return max(abs(a - b) for a, b in zip(pixel, colour)) < 12

    middle = image.width // 2
    assert near(image.getpixel((middle, 1)), band)                            # top bleed
    assert near(image.getpixel((1, round(bleed + 30))), band)                 # side bleed
    assert near(image.getpixel((middle, round(bleed + 17 / 25.4 * 72))), band)
    assert near(image.getpixel((middle, round(bleed + 19 / 25.4 * 72))), paper)


def test_poppler_reads_a_lam_and_its_kashida_as_one_letter(built_pdf):
    """Each run of kashidas is wrapped with the glyph beside it in an /ActualText span holding
    that glyph's text: poppler no longer sees a gap, so «الكبيرة» is not read «ال كبيرة». The
    pdf-defects case's words are all read whole but where the font shifts ر ز و before ي."""
    book, pdf = built_pdf(FIXTURES / "pdf-defects")
    split = check_words(arabic_words(pdftotext(pdf)), _book_words(book)).splits
    for word in ("المملكة", "الكبيرة", "الكثير", "تملكه", "الخبراء", "الحين"):
        assert key(word) not in {key(s) for s in split}
    assert all(re.search("[\u0631\u0632\u0648]\u064a", s) for s in split), split  # ر ز و + ي


def test_kashida_spans_keep_every_glyph_and_number():
    from briefing.writers.pdf.text_layer import kashida_spans

    pieces = kashida_spans("<0001>0<>-124.9<00020003>5<0004>", frozenset({2}), {3: "\u0644"}, {})
    assert pieces == [("<0001>0 -124.9", None), ("<0002><0003>", "\u0644"), ("5<0004>", None)]
    assert kashida_spans("<00010004>", frozenset({2}), {}, {}) == [("<00010004>", None)]


# ---------------------------------------------------------------- PDF/UA


def test_pdf_ua_declares_each_parts_language(ua_pdf):
    book, pdf = ua_pdf
    root = pypdf.PdfReader(pdf).trailer["/Root"]
    assert root["/Lang"] == "ar"
    sections = [e for e in structure_elements(pdf) if e["/S"] == "/Sect"]
    langs = [str(e.get("/Lang")) for e in sections]
    assert langs.count("en") == sum(part.lang == "en" for part in book.parts) == 1
    assert all(lang in ("ar", "en") for lang in langs)


def test_pdf_ua_marks_running_headers_and_page_numbers_as_artifacts(ua_pdf):
    """Every text the content streams draw in the top or bottom 20 mm of a page (the running
    header, the page number) is inside /Artifact <</Type /Pagination …>>, none has an MCID."""
    _, pdf = ua_pdf
    furniture = 0
    for page in pypdf.PdfReader(pdf).pages:
        content = page.get_contents().get_data().decode("latin-1")
        # WeasyPrint draws in CSS pixels from the top: 1 0 0 -1 x y Tm
        for mark, body in re.findall(r"(/\w+\s*<<[^>]*>>)\s*BDC(.*?)EMC", content, re.S):
            ys = [float(y) for y in re.findall(r"1 0 0 -1 [\d.]+ ([\d.]+) Tm", body)]
            edge = [y for y in ys if y < 20 / 25.4 * 96 or y > (297 - 20) / 25.4 * 96]
            if edge:
                assert mark.startswith("/Artifact") and "/Pagination" in mark, mark
                furniture += 1
            if "/MCID" in mark:
                assert not edge
    assert furniture >= 6
