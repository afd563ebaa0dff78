"""Blocks inside blocks: every kind at every depth is numbered, drawn and printed, or refused with
the file and line (tests/fixtures/nested holds the book that the writer-parity tests build)."""

from __future__ import annotations

import shutil

import pytest
from paths import FIXTURES, MINI

from briefing import model as m
from briefing.build import check
from briefing.errors import SourceError
from briefing.sources.loading import load_edition

NESTED = FIXTURES / "nested"


@pytest.fixture(scope="module")
def nested():
    return load_edition(NESTED)


def of_kind(book, kind):
    return [(part, node) for part, node in m.walk_with_part(book) if isinstance(node, kind)]


def test_figures_in_a_list_item_and_a_quote_are_numbered_in_reading_order(nested):
    figures = of_kind(nested.book, m.Figure)
    assert [(f.id, f.number, str(f.label)) for _, f in figures] == [
        ("population-chart", 1, "شكل 1"), ("gdp-chart", 2, "شكل 2")]
    item = next(n for n in m.walk(nested.book.parts[0]) if isinstance(n, m.ListBlock))
    assert isinstance(item.items[0][1], m.Figure)  # placed inside the first list item
    quote = next(n for n in m.walk(nested.book.parts[0]) if isinstance(n, m.Quote))
    assert isinstance(quote.blocks[1], m.Figure)
    assert set(nested.charts) == {"population-chart", "gdp-chart"}


def test_tables_in_a_box_and_in_an_english_list_item(nested):
    tables = [(part.lang, t.id, str(t.label)) for part, t in of_kind(nested.book, m.Table) if t.id]
    assert tables == [("ar", "indicators", "جدول 1"), ("en", "small-table", "Table 2")]
    # the English reference to the Arabic-placed table prints the English label
    refs = {(part.lang, r.target): r.label for part, r in of_kind(nested.book, m.CrossRef)}
    assert refs[("en", "small-table")] == "Table 2" and refs[("ar", "small-table")] == "جدول 2"
    assert refs[("ar", "details")] == "1.1"


def test_footnotes_are_numbered_in_reading_order_at_any_depth(nested):
    notes = of_kind(nested.book, m.Footnote)
    assert [(part.lang, n.number) for part, n in notes] == [
        ("ar", 1), ("ar", 2), ("ar", 3), ("en", 4), ("en", 5)]
    # the second note holds a list; the third and fifth are called from table cells
    assert isinstance(notes[1][1].blocks[1], m.ListBlock)


def test_markers_follow_the_calling_parts_digits(tmp_path):
    edition = tmp_path / "nested"
    shutil.copytree(NESTED, edition)
    manifest = edition / "edition.yaml"
    manifest.write_text(manifest.read_text().replace("digits: western", "digits: arabic-indic"))
    book = load_edition(edition).book
    notes = [(part.lang, n.marker) for part, n in of_kind(book, m.Footnote)]
    assert notes == [("ar", "١"), ("ar", "٢"), ("ar", "٣"), ("en", "4"), ("en", "5")]
    figures = [str(f.label) for _, f in of_kind(book, m.Figure)]
    assert figures == ["شكل ١", "شكل ٢"]
    headings = [(h.number, h.id) for _, h in of_kind(book, m.Heading)]
    assert headings == [("أولاً", "population"), ("١٫١", "details"), ("First", "overview")]
    assert [p.digits for p in book.parts] == ["arabic-indic", "western"]


def test_the_outline_holds_every_heading_with_its_number(nested):
    assert [(e.level, e.target, e.text, e.dir) for e in nested.book.outline] == [
        (1, "01-report", "تقرير متداخل", "rtl"),
        (2, "population", "أولاً: السكان", "rtl"),
        (3, "details", "1.1 تفاصيل", "rtl"),
        (1, "02-annex", "Annex", "ltr"),
        (2, "overview", "First: Overview", "ltr")]


def test_every_string_at_any_depth_is_checked_by_the_fonts(tmp_path):
    """A character no bundled font has, in a footnote called from a table cell of the English
    part: the coverage check names its line (it used to be printed from a system font)."""
    edition = tmp_path / "nested"
    shutil.copytree(NESTED, edition)
    annex = edition / "text" / "02-annex.md"
    annex.write_text(annex.read_text().replace("names كازاخستان.", "names \u2D30 Tifinagh."))
    with pytest.raises(SourceError) as error:
        check(edition)
    assert "U+2D30" in error.value.message and error.value.file.endswith("02-annex.md")


def test_the_cover_title_is_checked_by_the_fonts(edition_copy):
    manifest = edition_copy / "edition.yaml"
    manifest.write_text(manifest.read_text().replace("title: كتيب", "title: \u2D30 كتيب"))
    with pytest.raises(SourceError) as error:
        check(edition_copy)
    assert "U+2D30" in error.value.message and error.value.file.endswith("edition.yaml")


# ---------------------------------------------------------------- refused, with the line


def _report_with(edition_copy, text: str) -> SourceError:
    report = edition_copy / "text" / "01-report.md"
    report.write_text(report.read_text() + text)
    with pytest.raises(SourceError) as error:
        load_edition(edition_copy)
    return error.value


@pytest.mark.parametrize("text, line, words", [
    ("\nنص.[^n1]\n\n[^n1]: حاشية تستدعي أخرى.[^n2]\n\n[^n2]: حاشية ثانية.\n", 46,
     "cannot have footnotes"),
    ("\nنص.[^t]\n\n[^t]: حاشية فيها جدول:\n\n    [[table:indicators]]\n", 48,
     "cannot hold a table"),
    ("\nنص.[^f]\n\n[^f]: حاشية فيها شكل:\n\n    [[figure:population-chart]]\n", 48,
     "cannot hold a figure"),
    ("\nنص.[^h]\n\n[^h]: حاشية:\n\n    ## عنوان\n", 48, "cannot hold a heading"),
])
def test_what_a_footnote_cannot_hold_is_refused_with_its_line(edition_copy, text, line, words):
    error = _report_with(edition_copy, text)
    assert words in error.message and error.line == line, error


@pytest.mark.parametrize("depth, kind", [(9, "> "), (9, "- "), (12, "> ")])
def test_nesting_past_the_limit_is_refused_with_its_line(edition_copy, depth, kind):
    # level i (from 1) is i quote marks, or a list item indented under the one above
    lines = "".join((f"{'  ' * (i - 1)}- " if kind == "- " else kind * i) + f"مستوى {i}\n"
                    for i in range(1, depth + 1))
    error = _report_with(edition_copy, "\n" + lines)
    assert "nested more than 8 deep" in error.message and error.line is not None


def test_nesting_up_to_the_limit_prints_every_level(edition_copy):
    report = edition_copy / "text" / "01-report.md"
    report.write_text(report.read_text() + "\n" + "".join(
        f"{'> ' * (i + 1)}مستوى{i}\n{'> ' * (i + 1)}\n" for i in range(8)))
    book = load_edition(edition_copy).book
    text = " ".join(m.plain_text((n,)) for n in m.walk(book) if isinstance(n, m.Text))
    assert all(f"مستوى{i}" in text for i in range(8))


@pytest.mark.parametrize("rows, words", [
    ("rows: []", "at least one row"),
    ('header: [أ, ب]\nrows:\n  - [x, y]\n  - [x, y, z]', "row 2 has 3 cells"),
    ('rows:\n  - [x, y]\n  - [x]', "row 2 has 1 cells"),
])
def test_text_tables_must_be_rectangular(edition_copy, rows, words):
    (edition_copy / "tables" / "plain.yaml").write_text(f"caption: جدول نصي\n{rows}\n")
    error = _report_with(edition_copy, "\n[[table:plain]]\n")
    assert words in error.message and error.file.endswith("plain.yaml"), error
    # the line of the row at fault (the last one here), or of rows: when it is empty
    assert error.line == len(f"caption: x\n{rows}".splitlines()), error


def test_an_id_used_twice_names_both_places(edition_copy):
    error = _report_with(edition_copy, "\n## قسم {#population-chart}\n")
    assert "used twice" in error.message and "01-report.md:7" in error.message
    assert "share one set of ids" in error.message


def test_a_placement_right_after_a_paragraph_asks_for_an_empty_line(edition_copy):
    error = _report_with(edition_copy, "\nفقرة قبل الجدول.\n[[table:indicators]]\n")
    assert "empty line before it" in error.message and error.line == 45


def test_markdown_table_columns_of_numbers_are_number_columns(edition_copy):
    book = load_edition(MINI).book
    table = next(n for n in m.walk(book) if isinstance(n, m.Table) and not n.id)
    assert table.number_columns == (False, True)


def test_more_sections_than_ordinal_words_is_a_located_error(edition_copy):
    error = _report_with(edition_copy, "".join(f"\n## قسم {i}\n\nنص.\n" for i in range(20)))
    assert "at most 20 sections" in error.message and "numbering: decimal" in error.message
    assert error.line is not None


def test_a_reference_to_a_whole_part_is_a_located_error(edition_copy):
    error = _report_with(edition_copy, "\nانظر [[ref:02-annex]].\n")
    assert "whole part" in error.message and error.line == 44


def test_a_note_called_twice_keeps_one_number_and_one_note(edition_copy, tmp_path):
    """The second call of [^gdp] prints note 1's number and writes no second note, in the model,
    the PDF and the Word document; the next note is 2."""
    import zipfile

    from briefing.build import build

    report = edition_copy / "text" / "01-report.md"
    report.write_text(report.read_text().replace(
        "\n[^gdp]:", "\nمرة ثانية.[^gdp] ونص آخر.[^new]\n\n[^new]: حاشية جديدة.\n\n[^gdp]:"))
    book = load_edition(edition_copy).book
    notes = [(n.number, n.repeat, bool(n.blocks)) for n in m.walk(book) if isinstance(n, m.Footnote)]
    assert notes == [(1, False, True), (1, True, False), (2, False, True)]
    pdf, docx = build(edition_copy, tmp_path / "out")
    from pdftext import comparable, pdftotext

    text = comparable(pdftotext(pdf))
    assert text.count(comparable("مقسوماً على عدد السكان")) == 1
    assert comparable("حاشية جديدة") in text
    with zipfile.ZipFile(docx) as z:
        footnotes = z.read("word/footnotes.xml").decode()
    assert footnotes.count("<w:footnote ") - 2 == 2  # two notes, besides the two separators


def test_calls_in_a_row_are_separated_in_the_model_and_both_writers(edition_copy, tmp_path):
    """Three calls in a row read «2،3،4», not «234»: the model decides the separator, the PDF
    and Word print it set as the calls are."""
    import zipfile

    from briefing.build import build
    from pdftext import comparable, pdftotext

    report = edition_copy / "text" / "01-report.md"
    report.write_text(report.read_text().replace(
        "\n[^gdp]:", "\nثلاث حواش.[^a][^b][^c]\n\n[^a]: أ.\n\n[^b]: ب.\n\n[^c]: ج.\n\n[^gdp]:"))
    book = load_edition(edition_copy).book
    seps = [(n.number, n.separator) for n in m.walk(book) if isinstance(n, m.Footnote)]
    assert seps == [(1, ""), (2, ""), (3, "،"), (4, "،")]
    pdf, docx = build(edition_copy, tmp_path / "out")
    # poppler reads the superscript calls as their own right-to-left line: «4،3،2» as drawn
    text = comparable(pdftotext(pdf))
    assert "2،3،4" in text or "4،3،2" in text
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode()
    assert xml.count('<w:rStyle w:val="FootnoteReference"/>') >= 6  # 4 calls, 2 separators
    assert xml.count(">،</w:t>") >= 2
