"""Numbers in the prose: formatting rules, the expressions, the sandbox, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import model as m
from briefing.data.store import load_data
from briefing.errors import SourceError
from briefing.sources.loading import load_edition
from briefing.numerals import (NEGATIVE, format_month, format_number, format_percent, format_year,
                              unit_words)
from briefing.sources.expressions import ProseContext, render_prose
from paths import MINI



@pytest.fixture(scope="module")
def data():
    return load_data(MINI)


def render(text, data, digits="western", lang="ar", reference_year=2022):
    return render_prose(text, Path("text/x.md"), ProseContext(data, lang, digits, reference_year))


# ------------------------------------------------------------------------------ formatting rules

@pytest.mark.parametrize("value, decimals, digits, expected", [
    (5209.6, 0, "western", "5,210"),                # thousands separator, rounding
    (5209.6, 0, "arabic-indic", "٥٬٢١٠"),           # Arabic-Indic digits and separator ٬
    (405.724, 1, "western", "405.7"),
    (405.724, 1, "arabic-indic", "٤٠٥٫٧"),          # Arabic decimal separator ٫
    (1146.5, 1, "arabic-indic", "١٬١٤٦٫٥"),
    (2.25, 1, "western", "2.3"),                    # half-up, not banker's rounding (2.2)
    (0.125, 2, "western", "0.13"),
    (2.5, 0, "western", "3"),
    (-26.793, 1, "western", NEGATIVE + "26.8"),        # U+2212 minus, not a hyphen
    (-0.04, 1, "western", "0.0"),                   # no "−0.0"
    (1234567.0, 0, "western", "1,234,567"),
])
def test_format_number(value, decimals, digits, expected):
    assert format_number(value, decimals, digits) == expected


def test_percent_year_month_and_units():
    assert format_percent(45.29, 0) == "45%"
    assert format_percent(45.29, 0, "arabic-indic") == "٤٥٪"
    assert format_percent(-2.34, 1) == NEGATIVE + "2.3%"
    assert format_year(2022) == "2022م" and format_year(2022, "en") == "2022"
    assert format_year(2022, "ar", "arabic-indic") == "٢٠٢٢م"
    import datetime as dt
    assert format_month(dt.date(2023, 7, 1), "ar") == "يوليو 2023م"
    assert unit_words("USD", "billion", "ar") == "مليار دولار"
    assert unit_words("people", "million", "ar") == "مليون نسمة"


# ------------------------------------------------------------------------------ the vocabulary

def test_values_with_units_scales_and_digit_styles(data):
    assert render('{{ value("population", "UZB", 2022) }}', data) == "35.3"
    assert render('{{ value("population", "UZB", 2022, unit=True) }}', data) == "35.3 مليون نسمة"
    assert render('{{ value("gdp", "CA3", 2022, unit=True) }}', data) == "317.3 مليار دولار"
    assert (render('{{ value("gdp", "CA3", 2022, decimals=0, scale="million", unit=True) }}',
                   data) == "317,254 مليون دولار")
    assert render('{{ value("gdp", "CA3", 2022) }}', data, "arabic-indic") == "٣١٧٫٣"
    assert render('{{ year() }}', data, "arabic-indic") == "٢٠٢٢م"


def test_computed_values(data):
    assert render('{{ total("gdp", ["KAZ", "UZB"], 2022) }}', data) == "306.2"
    assert render('{{ share("population", "UZB", "CA3", 2022) }}', data) == "57%"
    assert render('{{ share("population", ["UZB", "KAZ"], "CA3", 2022) }}', data) == "89%"
    assert render('{{ share("population", "UZB", "CA3", 2022) }}', data, "arabic-indic") == "٥٧٪"
    assert render('{{ ratio("gdp", "KGZ", "KAZ", 2022, 1) }}', data) == "4.9%"
    assert render('{{ growth("gdp", "UZB", 2021, 2022) }}', data) == "15.5%"
    assert render('{{ largest("gdp", "CA3", 2022) }}', data) == "كازاخستان"
    assert render('{{ smallest("gdp", "CA3", 2022) }}', data) == "قيرغيزستان"
    assert render('{{ largest_value("gdp", "CA3", 2022, decimals=0) }}', data) == "226"
    assert render('{{ smallest_value("gdp", "CA3", 2022) }}', data) == "11.1"
    assert render('{{ rank("population", "KAZ", "CA3", 2022) }}', data) == "2"
    assert render('{{ max_year("gdp", "KGZ", 2021, 2022) }}', data) == "2022"
    assert render('{{ year(min_year("gdp", "KGZ", 2021, 2022)) }}', data) == "2021م"
    assert render('{{ percent(raw("gdp", "KGZ", 2022) / 1146.5 * 100, 2) }}', data) == "0.96%"
    assert render('{{ name("KGZ") }}', data, lang="en") == "Kyrgyz Republic"
    assert render('{{ year(reference_year - 1) }}', data) == "2021م"
    assert render('{{ number(-3.14159, 2) }}', data) == NEGATIVE + "3.14"


def test_text_without_expressions_is_unchanged(data):
    text = "## عنوان {#id}\n\nنص فيه 5,210 دولار.\n"
    assert render(text, data) == text


def test_set_and_comments_keep_lines(data):
    text = '{% set y = reference_year %}{## a note ##}أ {{ year(y) }}\nب\n'
    assert render(text, data) == "أ 2022م\nب\n"


# ------------------------------------------------------------------------------ errors and sandbox

def test_a_missing_value_names_the_text_file_and_line(data):
    with pytest.raises(SourceError) as err:
        render('سطر أول\n\nالقيمة {{ value("gdp", "KAZ", 2030) }}.\n', data)
    assert err.value.file == "text/x.md" and err.value.line == 3
    assert "no value for KAZ in 2030" in err.value.message and "gdp" in err.value.message


@pytest.mark.parametrize("expression", [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ value.__globals__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ raw.__self__.data }}",
    "{{ 9 ** 999999999 }}",
    "{{ 'x' * 100000000 }}",
    "{% for x in range(10 ** 9) %}{% endfor %}",
])
def test_the_sandbox_refuses_python_internals(data, expression):
    with pytest.raises(SourceError) as err:
        render("أ\n" + expression + "\n", data)
    assert err.value.file == "text/x.md"


@pytest.mark.parametrize("expression, message", [
    ('{{ value("gpd", "KAZ", 2022) }}', "unknown dataset 'gpd'"),
    ('{{ value("gdp", "XXX", 2022) }}', "no value for XXX"),
    ('{{ largest("gdp", "KAZ", 2022) }}', "not a group"),
    ('{{ valeu("gdp", "KAZ", 2022) }}', "valeu"),
    ('{{ value("gdp", "KAZ", 2022.5) }}', "whole number"),
    ('{{ value("gdp", "KAZ" }}', "expression"),
])
def test_editor_mistakes_are_located_errors(data, expression, message):
    with pytest.raises(SourceError) as err:
        render("\n" + expression, data)
    assert message in str(err.value) and err.value.line == 2


# ------------------------------------------------------------------------------ captions

def test_figure_and_table_captions_follow_the_data(edition_copy):
    figure = edition_copy / "figures" / "population-chart.yaml"
    figure.write_text(figure.read_text(encoding="utf-8").replace(
        "caption: عدد السكان، 2021م–2022م",
        "caption: عدد السكان، {{ year(first_year) }}–{{ year(last_year) }}"), encoding="utf-8")
    table = edition_copy / "tables" / "indicators.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace(
        "caption: مؤشرات عامة، 2022م",
        "caption: مؤشرات عامة، {{ year(last_year) }} (أكبرها {{ largest('gdp', 'CA3', 2022) }})"),
        encoding="utf-8")
    book = load_edition(edition_copy).book
    blocks = book.parts[0].blocks
    fig = next(b for b in blocks if isinstance(b, m.Figure))
    tab = next(b for b in blocks if isinstance(b, m.Table))
    assert m.plain_text(fig.caption) == "عدد السكان، 2021م–2022م"
    assert m.plain_text(tab.caption) == "مؤشرات عامة، 2022م (أكبرها كازاخستان)"


def test_a_bad_caption_expression_names_the_spec_file_and_line(edition_copy):
    figure = edition_copy / "figures" / "population-chart.yaml"
    figure.write_text(figure.read_text(encoding="utf-8").replace(
        "caption: عدد السكان، 2021م–2022م",
        "caption: عدد السكان، {{ year(2030) }} {{ value('gdp', 'KAZ', 2030) }}"), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_edition(edition_copy)
    assert err.value.file.endswith("population-chart.yaml") and err.value.line == 1


def test_the_cache_of_compiled_texts_is_bounded(tmp_path):
    """One entry per file and line of every edition built (tests' temporary ones too) would
    fill the user's cache: past the bound, the least recently written half goes."""
    import os

    from briefing.fonts import prune_user_cache

    for n in range(12):
        path = tmp_path / f"entry-{n}.cache"
        path.write_bytes(b"compiled")
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    prune_user_cache(tmp_path, kept=12)
    assert len(list(tmp_path.iterdir())) == 12  # not past the bound: nothing removed
    (tmp_path / "entry-12.cache").write_bytes(b"compiled")
    prune_user_cache(tmp_path, kept=12)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"entry-{n}.cache" for n in range(7, 13))
