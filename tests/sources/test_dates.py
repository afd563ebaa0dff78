"""Dates bound to the edition and its data (briefing/sources/dates.py), the dates check, and the message
for a misspelt keyword (case B4)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.data.store import load_data
from briefing.sources.dates import check_dates, release_date, typed_dates
from briefing.errors import SourceError
from briefing.sources.expressions import ProseContext, render_prose
from paths import MINI



@pytest.fixture
def mini(tmp_path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    specs = root / "data" / "datasets.yaml"
    text = specs.read_text(encoding="utf-8")  # two releases: a WEO month, a WDI day
    text = text.replace("  indicator: LP\n", "  indicator: LP\n  release: April 2023\n")
    text = text.replace("  title_en: Gross domestic product, current prices\n",
                        "  title_en: Gross domestic product, current prices\n"
                        "  release: '2026-02-24'\n")
    specs.write_text(text, encoding="utf-8")
    return root


def render(text: str, root: Path, digits: str = "western", lang: str = "ar",
           date: dt.date | None = dt.date(2024, 7, 1)) -> str:
    context = ProseContext(load_data(root), lang, digits, 2023, edition_date=date)
    return render_prose(text, Path("text/x.md"), context)


@pytest.mark.parametrize("text,expected", [
    ("{{ edition_month() }}", "يوليو 2024م"),
    ("{{ edition_date() }}", "1 يوليو 2024م"),
    ("{{ year(edition_year) }}، {{ year(edition_year - 1) }}", "2024م، 2023م"),
    ('{{ release("population") }}', "أبريل 2023م"),
    ('{{ release("gdp", day=True) }}', "24 فبراير 2026م"),
    ('{{ release(["population", "gdp"]) }}', "فبراير 2026م"),  # the latest of the two
    ('{{ latest_year("population") }}', "2022"),
    ('{{ year(latest_year("population", "KAZ")) }}', "2022م"),
])
def test_date_expressions(mini, text, expected):
    assert render(text, mini) == expected


def test_date_expressions_in_english_and_arabic_indic_digits(mini):
    assert render("{{ edition_date() }}", mini, lang="en") == "1 July 2024"
    assert render("{{ edition_month() }}", mini, digits="arabic-indic") == "يوليو ٢٠٢٤م"


@pytest.mark.parametrize("text,message", [
    ('{{ release("population", day=True) }}', "states only a month (April 2023): drop day=True"),
    ('{{ release("nope") }}', "nope"),
])
def test_date_expression_errors_are_located(mini, text, message):
    with pytest.raises(SourceError) as info:
        render(text, mini)
    assert message in info.value.message and info.value.file == "text/x.md"


def test_release_dates_as_the_sources_state_them():
    assert release_date("April 2024") == (dt.date(2024, 4, 1), False)
    assert release_date("2026-02-24") == (dt.date(2026, 2, 24), True)
    assert release_date("soon") is None


def test_typed_dates_outside_expressions():
    text = ("وقع في 7 سبتمبر 2022، وفي تموز 2021 و«1991م»؛ June 2019.\n"
            "{{ year(reference_year) }} [[figure:x-2020]] ثم ٢٠١٨م\n")
    assert [(line, typed, month, year) for line, typed, month, year in typed_dates(text)] == [
        (1, "7 سبتمبر 2022", 9, 2022), (1, "تموز 2021", 7, 2021), (1, "1991م", None, 1991),
        (1, "June 2019", 6, 2019), (2, "٢٠١٨م", None, 2018)]


def test_check_dates_suggests_the_expression(mini):
    report = mini / "text" / "01-report.md"
    report.write_text(report.read_text(encoding="utf-8")
                      + "\nيوليو 2023\n\nآخر تحديث أبريل 2023م، في عام 2022م، منذ 1991م.\n",
                      encoding="utf-8")
    result = check_dates(mini)
    found = {f.text: f.suggestion for f in result.found}
    assert "{{ edition_month() }}" in found["يوليو 2023"]  # date: 2023-07-19
    assert '{{ release("population") }}' in found["أبريل 2023م"]
    assert "{{ year(reference_year) }}" not in found["2022م"]  # the mini edition has none
    assert "typed-dates.yaml" in found["1991م"]
    assert not result.ok
    (mini / "typed-dates.yaml").write_text(
        "dates:\n  - {file: text/01-report.md, text: 1991م, reason: independence}\n"
        "  - {file: text/02-annex.md, reason: a quoted document}\n", encoding="utf-8")
    after = check_dates(mini)
    assert "1991م" not in {f.text for f in after.found}
    assert after.kept >= 1


def test_bad_typed_dates_entry_is_located(mini):
    (mini / "typed-dates.yaml").write_text("dates:\n  - {file: text/01-report.md}\n",
                                           encoding="utf-8")
    with pytest.raises(SourceError, match="non-empty reason"):
        check_dates(mini)


def test_cli_check_dates_exit_status(mini, capsys):
    assert main(["--edition", str(mini), "--check-dates"]) == 1
    out = capsys.readouterr().out
    assert "text/01-report.md:39: «يوليو 2023» is typed: write {{ edition_month() }}" in out
    assert ("figures/population-chart.yaml:1: «2021م» is typed: write {{ year(first_year) }}"
            in out)
    report = mini / "text" / "01-report.md"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "يوليو 2023", "{{ edition_month() }}"), encoding="utf-8")
    for spec in ("figures/population-chart.yaml", "tables/indicators.yaml"):
        (mini / spec).write_text((mini / spec).read_text(encoding="utf-8").replace(
            "2021م–2022م", "{{ year(first_year) }}–{{ year(last_year) }}").replace(
            "، 2022م", "، {{ year(last_year) }}"), encoding="utf-8")
    assert main(["--edition", str(mini), "--check-dates"]) == 0, capsys.readouterr().out


# ------------------------------------------------------------------------------ B4


def test_misspelt_keyword_names_the_function_and_its_keywords(mini):
    with pytest.raises(SourceError) as info:
        render('\n{{ value("population", "KAZ", 2022, decimal=0) }}', mini)
    error = info.value
    assert error.line == 2 and "ProseContext" not in error.message
    assert ("value() has no keyword 'decimal' (did you mean decimals?); it takes: dataset, "
            "entity, year, decimals, unit, scale") in error.message


def test_wrong_number_of_arguments_lists_the_parameters(mini):
    with pytest.raises(SourceError) as info:
        render('{{ share("population", "KAZ") }}', mini)
    assert "share()" in info.value.message and "ProseContext" not in info.value.message
    assert "it takes: dataset, part, whole, year, decimals" in info.value.message


def test_misspelt_function_suggests_the_right_name(mini):
    with pytest.raises(SourceError) as info:
        render("{{ edition_moth() }}", mini)
    assert "'edition_moth' is undefined (did you mean edition_month?)" in info.value.message
