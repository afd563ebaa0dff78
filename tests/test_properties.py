"""Property-based tests: random Markdown and random data tables, through loading and both writers.

Whatever the text or the numbers, the only exception that may come out is the tool's own
:class:`SourceError` (a clear message for the editor); anything else is a bug. Examples are few and
small (the whole file runs in well under half a minute); charts are drawn into one cache shared by
all examples, so an unchanged chart is drawn once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from briefing.build import STYLES, check, draw_figures
from briefing.writers.docx import write_docx
from briefing.errors import SourceError
from briefing.writers.pdf import book_to_html, write_pdf
from paths import MINI

# derandomized: the same examples every run (a failure is never a fluke of the day); no
# shrinking: each example builds a book, so shrinking a failure takes minutes - the failing
# example is printed as found, and the ones found so far are kept below as @example
FAST = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A copy of the tiny edition that each example rewrites, and a shared chart cache."""
    root = tmp_path_factory.mktemp("properties")
    edition = root / "mini"
    shutil.copytree(MINI, edition)
    return edition, root / "charts", root / "out"


def build_everything(edition: Path, cache: Path, out: Path, pdf: bool = False) -> None:
    """Load, draw, and write: SourceError is an answer, any other exception a failure."""
    try:
        loaded = check(edition)
        book = draw_figures(loaded, cache)
    except SourceError as error:
        assert str(error).strip()
        event(f"source error: {error.message[:30]}")
        return
    event("built")
    out.mkdir(exist_ok=True)
    html = book_to_html(book, STYLES)
    assert "<script" not in html
    write_docx(book, out / "book.docx", STYLES)
    assert (out / "book.docx").stat().st_size > 0
    if pdf:
        write_pdf(book, out / "book.pdf", STYLES, cache)
        assert (out / "book.pdf").read_bytes().startswith(b"%PDF")


# ---------------------------------------------------------------- random Markdown

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى٠١٢٣"
words = st.text(alphabet=ARABIC + "abcxyz0123 .,،؛:()-–\"'", min_size=1, max_size=20)
ids = st.sampled_from(["population", "largest", "population-chart", "indicators", "x", "y"])

safe_inline = st.one_of(
    words, words, words,
    words.map(lambda w: f"**{w}**"), words.map(lambda w: f"*{w}*"), words.map(lambda w: f"`{w}`"),
    words.map(lambda w: f"[{w}](https://example.org/{len(w)})"),
    st.sampled_from(["[[ref:population]]", "[[ref:population-chart]]", "[[ref:indicators]]",
                     "[^a]", "{{ year(2022) }}", '{{ value("gdp", "KAZ", 2022) }}',
                     '{{ name("UZB") }}', "<b>", "&amp;", "\\", "*", "_", "[", "]", "  \n",
                     "<https://example.org>", "<script>alert(1)</script>"]),
)
risky_inline = st.one_of(
    safe_inline,
    ids.map(lambda i: f"[[ref:{i}]]"),
    st.sampled_from(["[^b]", "{{ 1 / 0 }}", "{{", "}}", "{%", "{#x}", "![a](b.png)"]),
    st.text(max_size=6),  # anything at all, including characters no font has
)


def blocks(inline):
    line = st.lists(inline, min_size=1, max_size=6).map(" ".join)
    return line, st.one_of(
        line, line,
        st.tuples(st.sampled_from(["## ", "### "]), line,
                  st.sampled_from(["", "", " {#new}", " {-}"])).map("".join),
        st.lists(line, min_size=1, max_size=3).map(lambda ls: "\n".join(f"- {x}" for x in ls)),
        st.lists(line, min_size=1, max_size=3).map(lambda ls: "\n".join(f"1. {x}" for x in ls)),
        line.map(lambda x: f"> {x}"),
        st.tuples(st.sampled_from(["aside", "note", "signature"]), line).map(
            lambda t: f"::: {t[0]}\n{t[1]}\n:::"),
        st.lists(st.lists(words, min_size=2, max_size=2), min_size=1, max_size=3).map(
            lambda rows: "| a | b |\n|---|--:|\n" + "\n".join(f"| {r[0]} | {r[1]} |"
                                                               for r in rows)),
        st.sampled_from(["[^a]: a note.", "<div>html</div>"]),
    )


safe_line, safe_block = blocks(safe_inline)
risky_line, risky_block = blocks(risky_inline)
risky_block = st.one_of(
    risky_block, risky_block, risky_block,
    st.tuples(st.sampled_from(["#### ", "# "]), risky_line,
              st.sampled_from(["", " {#population}", " {.x}"])).map("".join),
    st.sampled_from(["[[figure:population-chart]]", "[[table:indicators]]", "[[figure:nope]]",
                     "[^b]: another note.", "```", "---", "    indented", ":::",
                     "{% if true %}", "{% endif %}"]),
)


def markdown(line, block, title=st.just(True)):
    return st.tuples(title, line, st.lists(block, max_size=8)).map(
        lambda t: ("# " if t[0] else "") + t[1] + "\n\n" + "\n\n".join(t[2])
        + "\n\n[^a]: The note every example may call.\n")


@FAST
@given(text=markdown(safe_line, st.one_of(safe_block, safe_block, safe_block, risky_block),
                     st.sampled_from([True, True, True, True, True, False])))
@example(text="# [^a]\n\n[^a]\n\n[^a]: The note.\n")  # a footnote in the title broke Word's order
@example(text="# 0\n\n> \x08\n")  # a control character is not allowed in Word's XML
def test_random_markdown_gives_a_book_or_a_source_error(workspace, text):
    edition, cache, out = workspace
    (edition / "text" / "02-annex.md").write_text(text, encoding="utf-8")
    build_everything(edition, cache, out)


@settings(FAST, max_examples=4)
@given(text=markdown(safe_line, safe_block))
def test_random_markdown_through_the_pdf_writer(workspace, text):
    edition, cache, out = workspace
    (edition / "text" / "02-annex.md").write_text(text, encoding="utf-8")
    build_everything(edition, cache, out, pdf=True)


# ---------------------------------------------------------------- random data tables

number = st.one_of(
    st.integers(-10**6, 10**9).map(str),
    st.floats(-1e6, 1e9, allow_nan=False).map(lambda x: f"{x:.3f}"),
    st.sampled_from(["0", "0.0", "-0", ".5", "5.", "1" + "0" * 25, "0.000001"]),
)
bad_cell = st.sampled_from(["n/a", "1,5", "12%", "-", "1e5", " 7 ", "٣", "NaN", "inf"])
# mostly numbers, some empty cells, rarely a bad one: two whole files must be valid to build
cell = st.integers(0, 39).flatmap(
    lambda i: bad_cell if i == 0 else st.just("") if i < 4 else number)
codes = st.one_of(st.just(["KAZ", "KGZ", "UZB"]), st.just(["UZB", "KAZ", "KGZ"]),
                  st.just(["KAZ", "KGZ", "UZB"]),
                  st.lists(st.sampled_from(["KAZ", "KGZ", "UZB", "CA3", "TKM", ""]), max_size=4))
years = st.one_of(st.just(["2021", "2022"]), st.just(["2022", "2021", "2023"]),
                  st.just(["2020", "2021", "2022"]), st.just(["2021", "2022"]),
                  st.lists(st.sampled_from(["2021", "2022", "2020", "20x1", ""]), min_size=1,
                           max_size=3))


@st.composite
def csv_table(draw) -> str:
    header_years = draw(years)
    with_estimates = draw(st.booleans())
    header = ["code"] + (["estimates_after"] if with_estimates else []) + header_years
    rows = [",".join(header)]
    for code in draw(codes):
        width = len(header) - 1 + draw(st.sampled_from([0] * 40 + [-1, 1]))
        values = [draw(cell) for _ in range(max(width, 0))]
        if with_estimates and values:
            values[0] = draw(st.sampled_from(["", "2021", "2022"] * 6 + ["x"]))
        rows.append(",".join([code] + values))
    return "\n".join(rows) + "\n"


@settings(FAST, max_examples=20)
@given(population=csv_table(), gdp=csv_table())
def test_random_data_gives_a_book_or_a_source_error(workspace, population, gdp):
    edition, cache, out = workspace
    shutil.copy(MINI / "text" / "02-annex.md", edition / "text" / "02-annex.md")
    (edition / "data" / "population.csv").write_text(population, encoding="utf-8")
    (edition / "data" / "gdp.csv").write_text(gdp, encoding="utf-8")
    build_everything(edition, cache, out)


@settings(FAST, max_examples=10)
@given(values=st.lists(st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.just(0.0)),
                       min_size=6, max_size=6))
def test_random_numbers_in_a_valid_table_give_a_book(workspace, values):
    """Well-formed files with any numbers: negative, zero, tiny or huge all print."""
    edition, cache, out = workspace
    shutil.copy(MINI / "text" / "02-annex.md", edition / "text" / "02-annex.md")
    shutil.copy(MINI / "data" / "gdp.csv", edition / "data" / "gdp.csv")
    rows = [f"{code},2021,{values[2 * i]:.3f},{values[2 * i + 1]:.3f}"
            for i, code in enumerate(("KAZ", "KGZ", "UZB"))]
    text = "code,estimates_after,2021,2022\n" + "\n".join(rows) + "\n"
    (edition / "data" / "population.csv").write_text(text, encoding="utf-8")
    build_everything(edition, cache, out)
