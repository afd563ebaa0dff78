"""Loading: manifest and Markdown → model, with numbering, references and located errors."""

from __future__ import annotations

import pytest

from briefing import model as m
from briefing.errors import SourceError
from briefing.sources.loading import load_edition


def blocks_of(book, part_index=0, kind=None):
    blocks = book.parts[part_index].blocks
    return [b for b in blocks if kind is None or isinstance(b, kind)]


def test_parts_keep_their_language_and_direction(mini_edition):
    book = mini_edition.book
    assert [(p.lang, p.dir) for p in book.parts] == [("ar", "rtl"), ("en", "ltr")]
    assert m.plain_text(book.parts[0].title) == "تقرير تجريبي عن آسيا الوسطى"
    assert book.meta.title == "كتيب تجريبي صغير" and book.meta.paper == "A4"


def test_headings_get_ordinals_and_decimal_subsections(mini_edition):
    headings = blocks_of(mini_edition.book, 0, m.Heading)
    assert [(h.level, h.number, h.prefix) for h in headings] == [
        (2, "أولاً", "أولاً: "), (3, "1.1", "1.1 "), (2, "ثانياً", "ثانياً: ")]
    assert headings[0].id == "population"
    assert m.plain_text(headings[0].content) == "السكان"  # the {#id} is not part of the title


def test_every_block_kind_is_read(mini_edition):
    kinds = {type(b) for b in blocks_of(mini_edition.book, 0)}
    assert kinds == {m.Heading, m.Paragraph, m.Figure, m.ListBlock, m.Table, m.Quote, m.Div}
    divs = blocks_of(mini_edition.book, 0, m.Div)
    assert [d.kind for d in divs] == ["aside", "signature"]


def test_cross_references_resolve_in_the_referring_parts_language(mini_edition):
    book = mini_edition.book
    refs_ar = [r for r in blocks_of(book, 0, m.Paragraph)[0].content if isinstance(r, m.CrossRef)]
    assert [(r.target, r.label) for r in refs_ar] == [("population-chart", "شكل 1"),
                                                     ("indicators", "جدول 1")]
    refs_en = [r for r in blocks_of(book, 1, m.Paragraph)[0].content if isinstance(r, m.CrossRef)]
    assert [r.label for r in refs_en] == ["Figure 1"]
    section_ref = [r for b in blocks_of(book, 0, m.Paragraph) for r in b.content
                   if isinstance(r, m.CrossRef) and r.kind == "section"]
    assert section_ref[0].label == "أولاً"


def test_data_table_is_built_from_data_with_group_total(mini_edition):
    table = next(t for t in blocks_of(mini_edition.book, 0, m.Table) if t.id == "indicators")
    assert table.number == 1 and table.number_columns == (False, True, True)
    assert str(table.label) == "جدول 1"
    rows = [[m.plain_text(c) for c in row] for row in table.rows]
    assert rows[0] == ["كازاخستان", "19.7", "225.8"]
    # the group row is the sum of its members, computed, not typed: 19.737+6.795+35.271
    assert rows[-1] == ["الدول الثلاث", "61.8", "317.3"]
    assert "صندوق النقد الدولي" in table.source


def test_footnotes_are_numbered_through_the_book(mini_edition):
    notes = [r for b in blocks_of(mini_edition.book, 0, m.Paragraph) for r in b.content
             if isinstance(r, m.Footnote)]
    assert [(n.number, n.marker) for n in notes] == [(1, "1")]
    assert m.plain_text(notes[0].blocks[0].content).startswith("الناتج المحلي")


def test_html_in_markdown_is_text_not_markup(edition_copy):
    text = edition_copy / "text" / "02-annex.md"
    text.write_text(text.read_text() + "\nA <script>alert(1)</script> tag.\n")
    book = load_edition(edition_copy).book
    assert "<script>alert(1)</script>" in m.plain_text(book.parts[1].blocks[-1].content)


def test_blocks_remember_file_and_line(mini_edition):
    figure = blocks_of(mini_edition.book, 0, m.Figure)[0]
    assert figure.where.file.endswith("01-report.md") and figure.where.line == 7


# ---------------------------------------------------------------- errors name file and line


def break_file(edition, relative, old, new):
    path = edition / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("relative, old, new, expected", [
    ("edition.yaml", "paper: A4", "papr: A4", ("edition.yaml:7", "unknown key 'papr'")),
    ("edition.yaml", "paper: A4", "paper: A3", ("edition.yaml:7", "'paper' must be one of")),
    ("edition.yaml", "text/02-annex.md", "text/missing.md", ("edition.yaml:12", "does not exist")),
    ("edition.yaml", "date: 2023-07-19", "date: July", ("edition.yaml:5", "YYYY-MM-DD")),
    ("edition.yaml", "title: كتيب", "title: [كتيب", ("edition.yaml", "YAML syntax")),
    ("text/01-report.md", "[[ref:population-chart]]", "[[ref:no-such-id]]",
     ("01-report.md:5", "no-such-id")),
    ("text/01-report.md", "[[figure:population-chart]]", "[[figure:nothing]]",
     ("01-report.md:7", "figures/nothing.yaml")),
    ("text/01-report.md", "[[table:indicators]]", "see [[table:indicators]] here",
     ("01-report.md:19", "must stand alone")),
    ("text/01-report.md", "{#largest}", "{#population}", ("01-report.md:9", "used twice")),
    ("text/01-report.md", "[^gdp]: ", "[^other]: ", ("01-report.md:5", "[^gdp] has no text")),
    ("text/01-report.md", "## المؤشرات", "```\ncode", ("01-report.md:17", "code blocks")),
    ("text/02-annex.md", "# Annex", "Annex", ("02-annex.md:1", "must start with its title")),
    ("tables/indicators.yaml", "data: population,", "data: populaton,",
     ("indicators.yaml", "unknown dataset 'populaton'")),
])
def test_bad_sources_are_reported_with_file_and_line(edition_copy, relative, old, new, expected):
    break_file(edition_copy, relative, old, new)
    with pytest.raises(SourceError) as error:
        load_edition(edition_copy)
    place, what = expected
    assert place in str(error.value) and what in str(error.value)


def test_an_edition_without_parts_is_refused(edition_copy):
    manifest = edition_copy / "edition.yaml"
    manifest.write_text(manifest.read_text().split("parts:")[0] + "parts: []\n")
    with pytest.raises(SourceError, match="no parts"):
        load_edition(edition_copy)


@pytest.mark.parametrize("encoding, message", [("utf-16", "UTF-16"), ("cp1256", "not UTF-8")])
def test_wrong_encodings_get_a_clear_error(edition_copy, encoding, message):
    path = edition_copy / "text" / "01-report.md"
    path.write_bytes(path.read_text().encode(encoding))
    with pytest.raises(SourceError, match=message):
        load_edition(edition_copy)


def test_a_byte_order_mark_is_accepted(edition_copy):
    path = edition_copy / "text" / "01-report.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_edition(edition_copy).book.parts[0].blocks


# ---------------------------------------------------------------- fonts: no tofu, ever


def test_characters_no_bundled_font_has_are_reported_where_typed(edition_copy):
    from briefing.build import check

    report = edition_copy / "text" / "01-report.md"
    report.write_text(report.read_text().replace("اقتباس قصير", "اقتباس \U0001F600 قصير"))
    with pytest.raises(SourceError, match=r"01-report.md:24: .*U\+1F600"):
        check(edition_copy)


def test_a_font_the_manifest_names_must_be_bundled(edition_copy):
    from briefing.build import check

    manifest = edition_copy / "edition.yaml"
    manifest.write_text(manifest.read_text() + "fonts:\n  body: Times New Roman\n")
    with pytest.raises(SourceError, match=r"\[fonts.body\].*'Times New Roman' is not in"):
        check(edition_copy)


def test_an_arabic_book_needs_an_arabic_body_font(edition_copy):
    from briefing.build import check

    manifest = edition_copy / "edition.yaml"
    manifest.write_text(manifest.read_text() + "fonts:\n  body: Noto Serif\n")
    with pytest.raises(SourceError, match="has no Arabic letters"):
        check(edition_copy)
