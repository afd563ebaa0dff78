"""The default edition's text files are clean: no extraction artifacts of the seed survive.

These tests read the Markdown sources directly (no build), so they pin the text itself: what the
extraction of the 2023 booklet left behind (tatweel, presentation forms, mirrored parentheses,
doubled letters, typed figure numbers) must not come back when the text is edited.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from paths import ROOT

SOURCES = ROOT / "sources"
EDITION = SOURCES / "gcc-central-asia-2023"

FIGURES = {
    "map-central-asia", "population-groups", "population-shares", "gdp-countries", "gdp-groups",
    "gdp-per-capita", "inflation", "trade-openness", "exports", "imports", "public-debt",
    "current-account", "gcc-ca-trade", "gcc-ca-trade-balance", "gcc-ca-trade-shares",
    "gcc-exports-composition", "gcc-imports-composition",
}
TABLES = {"membership", "indicators"}

TEXT_SUFFIXES = {".md", ".yaml", ".yml", ".csv", ".txt", ".json", ".geojson"}

BRACKET = re.compile(r"\[\[(figure|table|ref):([^\]]*)\]\]")
HEADING_ID = re.compile(r"\{#([A-Za-z0-9_.-]+)[^{}]*\}\s*$")
NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
NOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:", re.M)
ARABIC_LETTER = "\u0621-\u064A"


def _manifest() -> dict:
    return yaml.safe_load((EDITION / "edition.yaml").read_text(encoding="utf-8"))


def _part_files() -> list[Path]:
    return [EDITION / entry["file"] for entry in _manifest()["parts"]]


def _source_files() -> list[Path]:
    return sorted(p for p in SOURCES.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)


def _text_files() -> list[Path]:
    return sorted((EDITION / "text").glob("*.md"))


def _read(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[1:] if text.startswith("\ufeff") else text  # a leading BOM is harmless


def _hits(pattern: re.Pattern, files) -> list[str]:
    found = []
    for path in files:
        for number, line in enumerate(_read(path).splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    return found


# -- the manifest -----------------------------------------------------------------------------

def test_manifest_describes_the_2023_edition():
    manifest = _manifest()
    assert manifest["lang"] == "ar" and manifest["dir"] == "rtl"
    assert str(manifest["date"]).startswith("2023-07")
    assert manifest["digits"] == "western" and manifest["paper"] == "A4"
    assert manifest["reference_year"] == 2022
    by_file = {entry["file"]: entry for entry in manifest["parts"]}
    assert by_file["text/01-strategic-importance.md"].get("numbering") == "ordinal"
    assert by_file["text/03-economic-report.md"].get("numbering") == "ordinal"
    assert by_file["text/a1-us-strategy.md"].get("lang") == "en"
    assert by_file["text/a2-eu-strategy.md"].get("lang") == "en"


def test_every_text_file_is_a_part():
    listed = {path.resolve() for path in _part_files()}
    assert {path.resolve() for path in _text_files()} == listed


@pytest.mark.parametrize("path", _part_files(), ids=lambda p: p.name)
def test_part_exists_and_starts_with_one_title(path):
    assert path.is_file(), f"{path} is listed in edition.yaml but missing"
    lines = _read(path).splitlines()
    first = next(line for line in lines if line.strip())
    assert first.startswith("# ") and first[2:].strip(), f"{path.name} must start with '# Title'"
    titles = [line for line in lines if re.match(r"#(\s|$)", line)]
    assert len(titles) == 1, f"{path.name} has {len(titles)} level-1 headings"


# -- extraction artifacts ---------------------------------------------------------------------

def test_no_tatweel_anywhere_in_sources():
    assert _source_files(), "no source files found"
    assert not _hits(re.compile("\u0640"), _source_files())


def test_no_presentation_forms_or_replacement_characters():
    pattern = re.compile("[\uFB50-\uFDFF\uFE70-\uFEFF\uFFFD]")
    assert not _hits(pattern, _source_files())


def test_parentheses_are_not_mirrored():
    """")15 مليون(" is the extraction's mirror of "(15 مليون)": no line closes before it opens."""
    bad = []
    for path in _text_files():
        for number, line in enumerate(_read(path).splitlines(), 1):
            for opening, closing in ("()", "«»"):
                depth = 0
                for char in line:
                    depth += (char == opening) - (char == closing)
                    if depth < 0:
                        break
                if depth != 0:
                    bad.append(f"{path.name}:{number}: {line.strip()[:80]}")
                    break
    assert not bad, bad


def test_no_doubled_letter_or_stretched_artifacts():
    """"تتققررييرر" (bold by overprint) and "تستتتتتر" (stretched with letters) are not words."""
    doubled = re.compile(rf"(?:([{ARABIC_LETTER}])\1){{3,}}")
    tripled = re.compile(rf"([{ARABIC_LETTER}])\1\1")
    assert not _hits(doubled, _text_files())
    assert not _hits(tripled, _text_files())


def test_no_floating_list_numbers():
    """List numbers that floated to the line end ("… . 1") or bullets typed as "1 …" are gone."""
    floating = re.compile(r"(\.\s*\d{1,2}\s*$)|(^\s*\d\s+[" + ARABIC_LETTER + r"])|(^\s*\(\s*\d+\s*\))")
    assert not _hits(floating, _text_files())


def test_no_page_furniture():
    """Page numbers, document symbols and blank-looking lines of the extraction are dropped."""
    lone_number = re.compile(r"^\s*\d+\s*$")
    footer = re.compile(r"\b\d+/\d+\s+\d{2}-\d{5}\b")
    assert not _hits(lone_number, _text_files())
    assert not _hits(footer, _text_files())


def test_no_typed_figure_numbers_or_reversed_numbers():
    """Figures, tables and sections are referred to by id, never by a typed (or reversed) number."""
    typed = re.compile(r"(شكل|جدول|صورة)\s*(رقم\s*)?\(?\s*\d|\d+\s*(شكل|جدول)")
    assert not _hits(typed, _text_files())
    assert not _hits(re.compile(r"012,5|5,110"), _text_files())


def test_headings_do_not_type_their_numbers():
    typed = re.compile(r"^#{2,3}\s+(\d|(أولا|ثانيا|ثالثا|رابعا|خامسا|سادسا|سابعا|ثامنا|تاسعا)ً?\s*[:.])")
    assert not _hits(typed, _text_files())


def test_no_raw_html():
    assert not _hits(re.compile(r"<[A-Za-z/!][^>]*>"), _text_files())


# -- figures, tables, cross-references, footnotes ---------------------------------------------

def _brackets() -> list[tuple[str, str, str, str]]:
    found = []
    for path in _text_files():
        for line in _read(path).splitlines():
            for kind, ident in BRACKET.findall(line):
                found.append((path.name, kind, ident, line.strip()))
    return found


def _heading_ids() -> set[str]:
    ids = set()
    for path in _text_files():
        for line in _read(path).splitlines():
            if line.startswith("##"):
                match = HEADING_ID.search(line)
                if match:
                    ids.add(match.group(1))
    return ids


def test_figure_and_table_ids_are_known_and_placed_on_their_own_line():
    for name, kind, ident, line in _brackets():
        if kind == "figure":
            assert ident in FIGURES, f"{name}: unknown figure id {ident!r}"
        elif kind == "table":
            assert ident in TABLES, f"{name}: unknown table id {ident!r}"
        if kind != "ref":
            assert line == f"[[{kind}:{ident}]]", f"{name}: {line!r} must stand alone"


def test_every_figure_and_table_is_placed_exactly_once():
    placed = [(kind, ident) for _, kind, ident, _ in _brackets() if kind != "ref"]
    expected = sorted([("figure", f) for f in FIGURES] + [("table", t) for t in TABLES])
    assert sorted(placed) == expected


def test_references_point_at_something():
    targets = FIGURES | TABLES | _heading_ids()
    for name, kind, ident, _ in _brackets():
        if kind == "ref":
            assert ident in targets, f"{name}: [[ref:{ident}]] points at nothing"


def test_heading_ids_are_unique_and_distinct_from_figure_ids():
    seen = []
    for path in _text_files():
        for line in _read(path).splitlines():
            if line.startswith("##"):
                match = HEADING_ID.search(line)
                assert match, f"{path.name}: heading without an id: {line!r}"
                seen.append(match.group(1))
    assert len(seen) == len(set(seen)), "a heading id is used twice"
    assert not set(seen) & (FIGURES | TABLES)


@pytest.mark.parametrize("path", _text_files(), ids=lambda p: p.name)
def test_footnotes_are_called_and_defined(path):
    text = _read(path)
    called = set(NOTE_CALL.findall(text))
    defined = set(NOTE_DEF.findall(text))
    assert called == defined, (called - defined, defined - called)


def test_economic_report_has_its_four_footnotes_and_a_computed_group_income():
    text = _read(EDITION / "text" / "03-economic-report.md")
    assert len(set(NOTE_DEF.findall(text))) == 4
    assert '{{ value("gdp_per_capita", "CA", reference_year) }} دولار' in text
