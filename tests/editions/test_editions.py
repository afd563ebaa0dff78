"""Annual editions: one text against two data sets, next year's edition, the numbers check and the
comparison report."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefing import model as m
from briefing.build import DEFAULT_EDITION, STYLES
from briefing.charts.render import load_chart_style, render_chart
from briefing.editions import check_numbers, compare, new_edition, typed_numbers
from briefing.errors import SourceError
from briefing.sources.loading import load_edition
from paths import MINI, ROOT


# A paragraph of the fixture's text, every number bound to the data, and a caption that is too.
PROSE = ('في {{ year() }} بلغ عدد سكان {{ largest("population", "CA3", reference_year) }} '
         '{{ value("population", "UZB", reference_year, unit=True) }}، أي '
         '{{ share("population", "UZB", "CA3", reference_year) }} من سكان الدول الثلاث.\n')
CAPTION = "caption: عدد السكان، {{ year(first_year) }}–{{ year(last_year) }}"


def make_edition(target: Path, population_uzb_2022: str = "35.271") -> Path:
    """The tiny edition with bound prose and caption; UZB's 2022 population as given."""
    shutil.copytree(MINI, target)
    manifest = target / "edition.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "digits: western", "digits: western\nreference_year: 2022"), encoding="utf-8")
    report = target / "text" / "01-report.md"
    report.write_text(report.read_text(encoding="utf-8") + "\n" + PROSE, encoding="utf-8")
    figure = target / "figures" / "population-chart.yaml"
    figure.write_text(figure.read_text(encoding="utf-8").replace(
        "caption: عدد السكان، 2021م–2022م", CAPTION), encoding="utf-8")
    csv = target / "data" / "population.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(
        "UZB,2021,34.559,35.271", f"UZB,2021,34.559,{population_uzb_2022}"), encoding="utf-8")
    return target


def prose_line(path: Path) -> int:
    lines = (path / "text" / "01-report.md").read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if line.startswith("في {{ year() }}"))


def last_paragraph(edition) -> str:
    paragraphs = [b for b in edition.book.parts[0].blocks if isinstance(b, m.Paragraph)]
    return m.plain_text(paragraphs[-1].content)


def table_rows(edition):
    table = next(b for b in edition.book.parts[0].blocks if isinstance(b, m.Table))
    return [[m.plain_text(cell) for cell in row] for row in table.rows]


@pytest.fixture
def two_editions(tmp_path):
    return make_edition(tmp_path / "a"), make_edition(tmp_path / "b", population_uzb_2022="40.05")


# ----------------------------------------------------------------------- one text, two data sets

def test_prose_captions_tables_and_charts_follow_the_data(two_editions, tmp_path):
    old, new = (load_edition(path) for path in two_editions)
    assert last_paragraph(old) == ("في 2022م بلغ عدد سكان أوزبكستان 35.3 مليون نسمة، أي 57% من "
                                   "سكان الدول الثلاث.")
    assert last_paragraph(new) == ("في 2022م بلغ عدد سكان أوزبكستان 40.1 مليون نسمة، أي 60% من "
                                   "سكان الدول الثلاث.")
    # the table is built from the same data
    assert table_rows(old)[2][:2] == ["أوزبكستان", "35.3"]
    assert table_rows(new)[2][:2] == ["أوزبكستان", "40.1"]
    assert table_rows(new)[3][:2] == ["الدول الثلاث", "66.6"]
    # the caption is computed from the figure's years
    for edition in (old, new):
        figure = next(b for b in edition.book.parts[0].blocks if isinstance(b, m.Figure))
        assert m.plain_text(figure.caption) == "عدد السكان، 2021م–2022م"
    # the chart is drawn again: its cached image is named by the data it shows
    style = load_chart_style(STYLES / "chart.yaml")
    images = [render_chart(e.charts["population-chart"], e.data, style, tmp_path / "cache")
              for e in (old, new)]
    assert images[0].pdf != images[1].pdf and images[0].pdf.is_file() and images[1].pdf.is_file()


def test_arabic_indic_digits_reach_the_prose(tmp_path):
    path = make_edition(tmp_path / "a")
    manifest = path / "edition.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "digits: western", "digits: arabic-indic"), encoding="utf-8")
    assert last_paragraph(load_edition(path)) == (
        "في ٢٠٢٢م بلغ عدد سكان أوزبكستان ٣٥٫٣ مليون نسمة، أي ٥٧٪ من سكان الدول الثلاث.")


def test_a_missing_value_is_an_error_naming_the_text_file_and_line(tmp_path):
    path = make_edition(tmp_path / "a", population_uzb_2022="")
    with pytest.raises(SourceError) as err:
        load_edition(path)
    assert err.value.file.endswith("text/01-report.md")
    assert err.value.line == 11  # the fixture's own sentence is the first to cite it
    assert "no value for UZB in 2022" in err.value.message
    assert "population.csv" in err.value.message


# ------------------------------------------------------------------------------ next year's edition

def test_new_edition_moves_the_year_and_leaves_the_old_one_alone(tmp_path):
    old = make_edition(tmp_path / "2023")
    (old / "data" / "import.yaml").write_text(
        "countries: [KAZ, KGZ, UZB]\n"
        "sources:\n  weo: {format: weo, source: x, source_ar: y}\n"
        "  wdi: {format: wdi, source: x, source_ar: y}\n"
        "datasets:\n"
        "  population: {from: weo, file: imf_weo_apr2023/WEOApr2023all.xlsx, series: LP, "
        "years: 2021-2022}\n"
        "  gdp:\n    from: wdi\n    file: wb_wdi/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv\n"
        "    series: NY.GDP.MKTP.CD\n    years: [2021, 2022]\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in old.rglob("*") if p.is_file()}
    new = tmp_path / "2024"
    notes = new_edition(old, new, files={"weo": "imf_weo_apr2024/WEOApr2024all.xlsx",
                                         "wdi": "wb_wdi_2024/"})
    assert {p: p.read_bytes() for p in old.rglob("*") if p.is_file()} == before
    manifest = (new / "edition.yaml").read_text(encoding="utf-8")
    assert "reference_year: 2023" in manifest and "date: 2024-07-19" in manifest
    assert "years: [2022, 2023]" in (new / "figures" / "population-chart.yaml").read_text()
    assert "year: 2023" in (new / "tables" / "indicators.yaml").read_text()
    imports = (new / "data" / "import.yaml").read_text(encoding="utf-8")
    assert "file: imf_weo_apr2024/WEOApr2024all.xlsx, series: LP, years: 2022-2023" in imports
    assert "file: wb_wdi_2024/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv" in imports
    assert "years: [2022, 2023]" in imports
    assert any("reference year 2022 → 2023" in n for n in notes)
    # the text moved with reference_year: the old data has no 2023, and the error says where
    with pytest.raises(SourceError) as err:
        load_edition(new)
    assert err.value.file.endswith("01-report.md") or err.value.file.endswith(".yaml")
    with pytest.raises(SourceError, match="already exists"):
        new_edition(old, new)


def test_new_edition_with_an_explicit_year_and_an_unknown_source(tmp_path):
    old = make_edition(tmp_path / "a")
    with pytest.raises(SourceError, match="no data/import.yaml"):
        new_edition(old, tmp_path / "b", files={"weo": "x.xlsx"})
    assert not (tmp_path / "b").exists()  # nothing half-made is left behind
    new_edition(old, tmp_path / "c", year=2022)  # same year: a copy to rewrite by hand
    assert "reference_year: 2022" in (tmp_path / "c" / "edition.yaml").read_text()


# ------------------------------------------------------------------------------ comparison report

def test_compare_lists_values_sentences_figures_and_tables(two_editions):
    report = compare(*two_editions)
    assert report.ok, report.errors
    assert report.values == ["population CA3 2022: 61.8 → 66.6", "population UZB 2022: 35.3 → 40.1"]
    line = prose_line(two_editions[1])
    # the fixture's own sentence (line 11) and ours both cite UZB's population
    assert [s.split(": ", 1)[0] for s in report.sentences] == [
        "text/01-report.md:11", f"text/01-report.md:{line}"]
    assert "35.3 مليون نسمة" in report.sentences[1] and "40.1 مليون نسمة" in report.sentences[1]
    assert "57%" in report.sentences[1] and "60%" in report.sentences[1]
    assert report.figures == ["population-chart: 1 plotted value(s) changed"]
    assert report.tables and "35.3 → 40.1" in report.tables[0]
    text = report.text()
    assert "## Sentences whose numbers changed (2)" in text and "## Errors" in text


def test_compare_reports_cited_values_missing_in_the_new_data(tmp_path):
    old = make_edition(tmp_path / "a")
    new = make_edition(tmp_path / "b", population_uzb_2022="")
    report = compare(old, new)
    assert not report.ok
    line = prose_line(new)
    cited = [e.split(str(new) + "/", 1)[1] for e in report.errors if "01-report.md" in e]
    # the group's total needs every member's value, so it is missing too
    assert [e.split(", which")[0] for e in cited] == [
        "text/01-report.md:11: the text cites population UZB 2022",
        "text/01-report.md:11: the text cites population CA3 2022",
        f"text/01-report.md:{line}: the text cites population UZB 2022",
        f"text/01-report.md:{line}: the text cites population CA3 2022"]
    assert any(e.startswith("figure population-chart") for e in report.errors)


# ------------------------------------------------------------------------------ the numbers check

def test_typed_numbers_skip_expressions_ids_references_years_and_list_numbers():
    text = ("## عنوان {#s-2022}\n\n1. بند\n"
            "نحو {{ value('gdp', 'KAZ', 2022) }} و405.7 مليار في 2022م [[ref:fig-12]][^n3] "
            "و٥٬٢١٠ دولار و45%.\n")
    found = [(line, typed, context) for line, typed, context, year in typed_numbers(text)
             if not year]
    assert found == [(4, "405.7", "billion"), (4, "٥٬٢١٠", None), (4, "45", "percent")]


def test_check_numbers_finds_a_typed_data_value_and_honours_the_allow_list(tmp_path):
    path = make_edition(tmp_path / "a")
    report = path / "text" / "01-report.md"
    report.write_text(report.read_text(encoding="utf-8")
                      + "\nبلغ الناتج نحو 317.3 مليار دولار.\n", encoding="utf-8")
    line = len(report.read_text(encoding="utf-8").rstrip("\n").split("\n"))
    result = check_numbers(path)
    assert not result.ok
    # the fixture's pipe table types Kazakhstan's population (19.7) by hand, too
    assert [(f.line, f.text, f.matches[0]) for f in result.found] == [
        (34, "19.7", ("population", "KAZ", 2022)), (line, "317.3", ("gdp", "CA3", 2022))]
    assert 'value("gdp", "CA3", reference_year)' in result.found[1].suggestion
    assert str(result.found[1]).startswith(f"text/01-report.md:{line}: «317.3» is typed")
    (path / "typed-numbers.yaml").write_text(
        "numbers:\n  - {file: text/01-report.md, number: '317.3', reason: a test}\n"
        "  - {file: text/01-report.md, number: '19.7', reason: a test}\n", encoding="utf-8")
    assert check_numbers(path).ok


def test_the_default_edition_has_no_hand_typed_data_number():
    result = check_numbers(DEFAULT_EDITION)
    assert result.ok, result.text()
    assert not result.stale
    assert not result.corrected, result.corrected  # its numbers are typed as printed


def test_check_numbers_notes_a_typed_sign_the_book_prints_otherwise(tmp_path):
    """A hyphen-minus sign and a space before % are printed «−2.5%» and «56%» (the convention,
    docs/conventions.md): --check-numbers says so with the line and the fix, as notes (the
    check still passes on them), and leaves a hyphen in «COVID-19» and «2018-2028» alone."""
    path = make_edition(tmp_path / "a")
    report = path / "text" / "01-report.md"
    report.write_text(report.read_text(encoding="utf-8")
                      + "\nتراجع -2.5% وزاد 56 % ثم COVID-19 خلال 2018-2028.\n",
                      encoding="utf-8")
    line = len(report.read_text(encoding="utf-8").rstrip("\n").split("\n"))
    result = check_numbers(path)
    assert result.corrected == (
        f"text/01-report.md:{line}: «-2.5%» is printed «\u22122.5%» (the minus sign U+2212, "
        f"docs/conventions.md); type «\u22122.5%» to keep the text as printed",
        f"text/01-report.md:{line}: «56 %» is printed «56%» (no space before the percent sign, "
        f"docs/conventions.md); type «56%» to keep the text as printed")
    assert "note: text/01-report.md" in result.text()


def test_the_default_edition_states_one_group_income_everywhere():
    edition = load_edition(DEFAULT_EDITION)
    economic = next(p for p in edition.book.parts if p.id == "03-economic-report")
    text = "\n".join(m.plain_text(b.content) for b in economic.blocks
                     if isinstance(b, m.Paragraph))
    assert text.count("5,210 دولار") == 2 and "5,110" not in text
    table = next(b for b in economic.blocks if isinstance(b, m.Table) and b.id == "indicators")
    assert [m.plain_text(c) for c in table.rows[-1]][3] == "5,210"


def test_cli_check_numbers_and_compare(two_editions):
    def run(*args):
        return subprocess.run([sys.executable, str(ROOT / "make_book.py"), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    result = run("--check-numbers")
    assert result.returncode == 0, result.stdout + result.stderr
    result = run("--edition", str(two_editions[0]), "--compare", str(two_editions[1]))
    assert result.returncode == 0 and "population UZB 2022: 35.3 → 40.1" in result.stdout
    result = run("--year", "2024")
    assert result.returncode == 2 and "only go with --new-edition" in result.stderr


def test_compare_reads_both_books_as_the_build_does(tmp_path):
    """Figures and tables are compared as each loaded book prints them, in the language of the
    part that places them: an English book's table rows are named in English."""
    from paths import FIXTURES

    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURES / "english", old)
    shutil.copytree(FIXTURES / "english", new)
    population = new / "data" / "population.csv"
    population.write_text(population.read_text().replace("19.737", "20.012"))
    report = compare(old, new)
    assert report.ok, report.errors
    assert any(line.startswith("indicators: ") and "Kazakhstan, column 1: 19.7 → 20.0" in line
               for line in report.tables), report.tables
    assert any(line.startswith("population: ") and "plotted value" in line
               for line in report.figures), report.figures
