"""The corpus of bad inputs: each case is a small patch applied to a copy of tests/fixtures/mini.

A case names the files it changes and what the error must say. ``tests/test_reliability.py`` builds
each patched edition through the command line and checks the answer: a non-zero exit, one error line
naming the file and the line or key, a hint saying what to fix, no traceback and no output written.

An edit is one of:

* ``replace(old, new)``: replace the first ``old`` by ``new`` (``old`` must be there, so a change to
  the fixture that would make the case test nothing fails loudly);
* ``append(text)``: add text at the end;
* ``str`` or ``bytes``: the file's whole new content (``bytes`` for wrong encodings);
* ``encode(codec)``: the file's own text saved in another encoding;
* ``DELETE``: remove the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Union

Edit = Union[str, bytes, Callable[[bytes], bytes], None]
DELETE = None


def replace(old: str, new: str) -> Callable[[bytes], bytes]:
    def edit(content: bytes) -> bytes:
        text = content.decode("utf-8")
        assert old in text, f"the fixture no longer contains {old!r}"
        return text.replace(old, new, 1).encode("utf-8")
    return edit


def append(extra: str) -> Callable[[bytes], bytes]:
    return lambda content: content + extra.encode("utf-8")


def encode(codec: str) -> Callable[[bytes], bytes]:
    return lambda content: content.decode("utf-8").encode(codec)


@dataclass(frozen=True)
class Case:
    id: str
    edits: dict[str, Edit]
    place: str                    # where the error points: "file:line" or "file… [key]" (a regex)
    says: tuple[str, ...]         # what it says, including what to fix (substrings)
    why: str = ""                 # which item of the list this case covers
    extra: dict = field(default_factory=dict)


def apply(case: Case, edition: Path) -> None:
    for relative, edit in case.edits.items():
        path = edition / relative
        if edit is DELETE:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(edit, str):
            path.write_bytes(edit.encode("utf-8"))
        elif isinstance(edit, bytes):
            path.write_bytes(edit)
        else:
            path.write_bytes(edit(path.read_bytes()))


def run_cli_many(argument_lists: list[list[str]], workers: int = 2) -> list:
    """``make_book.py ARGS`` for each argument list, as CompletedProcess objects, run through the
    CLI's ``main`` in ``workers`` processes (see run_cli.py)."""
    import json
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    script = Path(__file__).with_name("run_cli.py")
    chunks = [list(range(i, len(argument_lists), workers)) for i in range(workers)]

    def run(chunk):
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              input=json.dumps([argument_lists[i] for i in chunk]), timeout=300,
                              cwd=script.parents[2])
        assert done.returncode == 0, done.stderr
        return [(i, subprocess.CompletedProcess(argument_lists[i], r["status"], r["stdout"],
                                                r["stderr"]))
                for i, r in zip(chunk, json.loads(done.stdout))]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(pair for chunk in pool.map(run, chunks) for pair in chunk)
    return [results[i] for i in range(len(argument_lists))]


REPORT = "text/01-report.md"
ANNEX = "text/02-annex.md"
MANIFEST = "edition.yaml"
CHART = "figures/population-chart.yaml"
TABLE = "tables/indicators.yaml"
POPULATION = "data/population.csv"
DATASETS = "data/datasets.yaml"
ENTITIES = "data/entities.yaml"

CASES: list[Case] = [
    # ---------------------------------------------------------------- YAML and the manifest
    Case("yaml-unclosed-bracket", {MANIFEST: replace("title: كتيب", "title: [كتيب")},
         r"edition\.yaml:\d+", ("YAML syntax",), "malformed YAML"),
    Case("yaml-tab-indent", {DATASETS: replace("  unit: people", "\tunit: people")},
         r"datasets\.yaml:5", ("YAML syntax", "'\\t'"), "malformed YAML (a tab)"),
    Case("yaml-figure-syntax", {CHART: replace("chart: bar", "chart: [bar")},
         r"population-chart\.yaml:\d+", ("YAML syntax",), "malformed YAML in a chart spec"),
    Case("manifest-misspelt-part-key", {MANIFEST: replace("    numbering: ordinal",
                                                          "    numbring: ordinal")},
         r"edition\.yaml:11 \[numbring\]", ("unknown key 'numbring'", "allowed:"),
         "misspelt manifest key"),
    Case("manifest-unknown-top-key", {MANIFEST: append("colour: blue\n")},
         r"edition\.yaml:14 \[colour\]", ("unknown key 'colour'", "allowed:"),
         "unknown manifest key"),
    Case("manifest-missing-title", {MANIFEST: replace("title: كتيب تجريبي صغير\n", "")},
         r"edition\.yaml:\d+ \[title\]", ("missing key 'title'",), "missing manifest key"),
    Case("manifest-part-file-missing", {MANIFEST: replace("text/02-annex.md", "text/03-annex.md")},
         r"edition\.yaml:12 \[file\]", ("'text/03-annex.md' does not exist",),
         "a part file that does not exist"),
    Case("manifest-zero-parts", {MANIFEST: replace(
        "parts:\n  - file: text/01-report.md\n    numbering: ordinal\n"
        "  - file: text/02-annex.md\n    lang: en\n", "parts:\n")},
         r"edition\.yaml:9 \[parts\]", ("no parts", "list at least one"),
         "an edition with zero parts"),
    Case("manifest-bad-date", {MANIFEST: replace("date: 2023-07-19", "date: 19/07/2023")},
         r"edition\.yaml:5 \[date\]", ("YYYY-MM-DD",), "a wrong value in the manifest"),
    Case("manifest-not-a-mapping", {MANIFEST: "- just\n- a list\n"},
         r"edition\.yaml:", ("must be a mapping",), "a manifest that is not key: value"),
    Case("edition-folder-missing", {MANIFEST: DELETE, REPORT: DELETE, ANNEX: DELETE},
         r"edition\.yaml", ("file not found",), "an edition without its manifest"),

    # ---------------------------------------------------------------- Markdown
    Case("md-unclosed-fence", {REPORT: replace("## المؤشرات", "```\nالمؤشرات")},
         r"01-report\.md:17", ("code blocks", "unclosed"), "an unclosed fence"),
    Case("md-figure-unknown-id", {REPORT: replace("[[figure:population-chart]]",
                                                  "[[figure:population-chrt]]")},
         r"01-report\.md:7", ("no specification figures/population-chrt.yaml",),
         "a figure reference to an unknown id"),
    Case("md-table-unknown-id", {REPORT: replace("[[table:indicators]]", "[[table:indicator]]")},
         r"01-report\.md:19", ("no specification tables/indicator.yaml",),
         "a table reference to an unknown id"),
    Case("md-ref-unknown-id", {ANNEX: replace("[[ref:population-chart]]",
                                              "[[ref:population-graph]]")},
         r"02-annex\.md:5", ("[[ref:population-graph]] points at no figure, table or section",),
         "a cross-reference to an unknown id"),
    Case("md-footnote-unknown-id", {ANNEX: replace("*left to right*.", "*left to right*.[^gone]")},
         r"02-annex\.md:5", ("footnote [^gone] has no text", "add a line '[^gone]: …'"),
         "a footnote reference to an unknown id"),
    Case("md-duplicate-section-id", {ANNEX: replace("{#background}", "{#population}")},
         r"02-annex\.md:3", ("the id 'population' is used twice",), "duplicate ids across parts"),
    Case("md-figure-placed-twice", {ANNEX: append("\n[[figure:population-chart]]\n")},
         r"02-annex\.md:10", ("is placed twice", "01-report.md:", "[[ref:population-chart]]"),
         "the same figure placed twice"),
    Case("md-duplicate-part-id", {MANIFEST: replace("    lang: en", "    lang: en\n    id: 01-report")},
         r"edition\.yaml:12 \[parts\]", ("two parts have the id '01-report'",), "duplicate part ids"),
    Case("md-no-title", {ANNEX: replace("# Annex: ", "Annex: ")},
         r"02-annex\.md:1", ("must start with its title as a '# ' heading",),
         "a part without its title"),
    Case("md-image", {ANNEX: append("\n![map](map.png)\n")},
         r"02-annex\.md:10", ("images are placed as figures", "[[figure:id]]"),
         "a Markdown image"),
    Case("md-bad-heading-attribute", {ANNEX: replace("{#background}", "{#background .big}")},
         r"02-annex\.md:3", ("unknown heading attribute '.big'",), "a broken heading id"),
    Case("md-footnote-in-title", {ANNEX: replace("# Annex: A Short English Part",
                                                 "# Annex: A Short English Part[^t]\n\n[^t]: A note.")},
         r"02-annex\.md:1", ("title cannot call a footnote ([^t])", "call it from the text"),
         "a footnote reference in a part's title (found by the property tests)"),
    Case("md-control-character", {ANNEX: replace("Second point.", "Second\x08 point.")},
         r"02-annex\.md:8", ("control character U+0008", "delete it"),
         "an invisible control character (found by the property tests)"),
    Case("md-empty", {ANNEX: "\n \n"}, r"02-annex\.md", ("file is empty",), "an empty text file"),

    # ---------------------------------------------------------------- data
    Case("csv-non-numeric", {POPULATION: replace("19.737", "n/a")},
         r"population\.csv:2 \[KAZ\]", ("'n/a' is not a number", "leave the cell empty"),
         "a CSV with a non-numeric value"),
    Case("csv-thousands-separator", {POPULATION: replace("34.559", '"34,559"')},
         r"population\.csv:4 \[UZB\]", ("not a number", "no thousands separator"),
         "a CSV with a thousands separator"),
    Case("csv-unit-in-cell", {POPULATION: replace("6.795", "6.795 million")},
         r"population\.csv:3 \[KGZ\]", ("not a number", "unit", "datasets.yaml"),
         "mixed units: a unit typed into a cell"),
    Case("csv-percent-in-cell", {POPULATION: replace("6.795", "6.795%")},
         r"population\.csv:3 \[KGZ\]", ("not a number", "unit", "datasets.yaml"),
         "mixed units: a percent sign in a count"),
    Case("data-sum-of-percentages", {DATASETS: replace("  unit: people", "  unit: percent")},
         r"datasets\.yaml:11 \[population\]", ("adds up percent values", "use mean"),
         "mixed units: adding up percentages for a group"),
    Case("csv-empty", {POPULATION: ""}, r"population\.csv", ("file is empty",), "an empty CSV"),
    Case("csv-header-only", {POPULATION: "code,estimates_after,2021,2022\n"},
         r"population\.csv", ("no data rows",), "a CSV without rows"),
    Case("csv-ragged-row", {POPULATION: replace("KGZ,2019,6.654,6.795", "KGZ,2019,6.654")},
         r"population\.csv:3", ("3 cells but the header has 4",), "a row with a missing cell"),
    Case("csv-unknown-country", {POPULATION: replace("UZB,", "TKM,")},
         r"population\.csv:4 \[TKM\]", ("unknown code 'TKM'", "add it to data/entities.yaml"),
         "a country the entities do not know"),
    Case("datasets-empty", {DATASETS: "# nothing yet\n"}, r"datasets\.yaml",
         ("expected one entry per dataset",), "an empty datasets.yaml"),
    Case("prose-missing-year", {REPORT: replace('growth("gdp", "UZB", 2021, 2022)',
                                                'growth("gdp", "UZB", 2019, 2022)')},
         r"01-report\.md:11", ("no value for UZB in 2019", "no column 2019", "add the column"),
         "a year a sentence needs"),
    Case("prose-missing-country", {REPORT: replace('value("population", "UZB", 2022, unit=True)',
                                                   'value("population", "TKM", 2022, unit=True)')},
         r"01-report\.md:11", ("no value for TKM in 2022", "'TKM' is not a code of data/entities.yaml", "check its spelling"),
         "a country a sentence needs"),
    Case("prose-unknown-function", {ANNEX: append("\nIn {{ yeer(2022) }}.\n")},
         r"02-annex\.md:10", ("'yeer' is undefined",), "a misspelt function in a sentence"),
    Case("prose-syntax", {ANNEX: append("\nIn {{ year(2022) }.\n")},
         r"02-annex\.md:10", ("expression",), "a broken {{ … }} expression"),
    Case("chart-missing-year-column", {CHART: replace("years: [2021, 2022]", "years: [2021, 2023]")},
         r"population-chart\.yaml \[years\]", ("has no value for KAZ in 2023",),
         "a chart naming a missing column (year)"),
    Case("chart-missing-country-row", {CHART: replace("entities: [KAZ, KGZ, UZB]",
                                                      "entities: [KAZ, KGZ, TKM]")},
         r"population-chart\.yaml \[entities\]", ("unknown entity code 'TKM'",),
         "a chart naming a missing row (country)"),
    Case("chart-unknown-dataset", {CHART: replace("data: population", "data: populaton")},
         r"population-chart\.yaml \[data\]", ("unknown dataset 'populaton'", "known: gdp, population"),
         "a chart naming a missing data file"),
    Case("chart-misspelt-key", {CHART: replace("value_labels: true", "value_label: true")},
         r"population-chart\.yaml:\d+ \[value_label\]", ("unknown key 'value_label'", "allowed:"),
         "a misspelt key in a chart spec"),
    Case("chart-empty", {CHART: ""}, r"population-chart\.yaml",
         ("file is empty",), "an empty chart spec"),
    Case("table-missing-year-column", {TABLE: replace("year: 2022, header: عدد", "year: 2030, header: عدد")},
         r"indicators\.yaml(:\d+)? \[rows\]", ("no value for KAZ in 2030", "population.csv has no column 2030", "add the column"),
         "a table naming a missing column (year): an error, not a column of dashes"),
    Case("table-missing-country", {TABLE: replace("rows: [KAZ, KGZ, UZB, CA3]",
                                                  "rows: [KAZ, KGZ, UZB, CA5]")},
         r"indicators\.yaml:3 \[rows\]", ("unknown entity code 'CA5'",),
         "a table naming a missing row (country)"),

    # ---------------------------------------------------------------- encodings
    Case("utf16-text", {REPORT: encode("utf-16")}, r"01-report\.md", ("UTF-16", "save it as UTF-8"),
         "a UTF-16 text file"),
    Case("cp1256-csv", {ENTITIES: encode("cp1256")}, r"entities\.yaml:1",
         ("not UTF-8", "Windows-1256", "save it as UTF-8"), "a Windows-1256 file"),
    Case("cp1256-chart", {CHART: encode("cp1256")}, r"population-chart\.yaml",
         ("not UTF-8", "save it as UTF-8"), "a Windows-1256 chart spec"),
    Case("utf16-table", {TABLE: encode("utf-16")}, r"indicators\.yaml", ("UTF-16", "save it as UTF-8"),
         "a UTF-16 table spec"),

    # ---------------------------------------------------------------- fonts
    Case("font-not-bundled", {MANIFEST: append("fonts:\n  heading: Arial\n")},
         r"edition\.yaml \[fonts\.heading\]", ("font 'Arial' is not in", "bundled:"),
         "a font that is missing"),
    Case("font-without-arabic", {MANIFEST: append("fonts:\n  body: Noto Sans\n")},
         r"edition\.yaml \[fonts\.body\]", ("has no Arabic letters", "choose an Arabic font"),
         "a font without Arabic glyphs"),
    Case("chars-no-font-covers", {ANNEX: replace("First point.", "First 中文 point \u2603.")},
         r"02-annex\.md:7", ("U+4E2D", "U+2603", "empty box", "replace"),
         "characters no bundled font covers (all of them are reported)"),
    Case("chars-in-a-table-cell", {ENTITIES: replace("كازاخستان", "كازاخستان \U0001F1F0\U0001F1FF")},
         r"01-report\.md:19", ("U+1F1F0", "U+1F1FF", "empty boxes"), "an uncovered character in table data"),
]

from .bounds import BOUND_CASES  # noqa: E402  (they use the helpers above)

CASES += BOUND_CASES
