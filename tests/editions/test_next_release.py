"""The README's "Step by step: next year's edition", run as written on a synthetic next release.

The commands are read from the README itself (so the README cannot drift from what works) and run
on the synthetic next release of tests/releases.py: a WEO file in the newer layout (Scale "Units" on percent rows, a
sheet named "WEOApr2024all (1)", projections to 2029) and three WDI files, every value changed.
The built book must show the new file's numbers in the general-indicators table, the prose and
the source lines, and no date of the 2023 edition.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from briefing.data.store import load_data
from briefing.numerals import format_number

from pdftext import comparable, pdftotext
from paths import ROOT

OLD = "sources/gcc-central-asia-2023"


def readme_commands() -> list[str]:
    """The shell commands of the README's step-by-step section, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Step by step: next year's edition", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    commands = []
    for block in blocks:
        joined = re.sub(r"\\\n\s*", "", block)
        commands += [line.strip() for line in joined.splitlines() if line.strip()]
    return commands


@pytest.fixture(scope="module")
def next_book(tmp_path_factory, releases):
    """Run every documented command; returns (new edition, output folder, outputs by command)."""
    work = tmp_path_factory.mktemp("next-release")
    new = work / "gcc-central-asia-2024"
    out = work / "out"
    results = {}
    for command in readme_commands():
        args = shlex.split(command)
        if args[:2] == ["./run.sh", "book"]:
            args = [sys.executable, "make_book.py"] + args[2:]
        elif args[0] == ".venv/bin/python":
            args = [sys.executable] + args[1:]
        args = [str(new) if a == "sources/gcc-central-asia-2024" else
                str(releases / "next") if a == "../shared/data/raw" else a for a in args]
        if "make_book.py" in args and args[-2:] == ["--edition", str(new)]:
            args += ["--out", str(out)]  # the build: not into the project's output/
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        results[command] = done.stdout
    return new, out, results


def test_the_readme_documents_each_step():
    commands = readme_commands()
    assert [c.split()[0] for c in commands] == ["./run.sh", ".venv/bin/python", "./run.sh",
                                                "./run.sh", "./run.sh", "./run.sh"]
    assert "--new-edition" in commands[0] and "--raw" in commands[0]
    assert "--check-dates" in commands[4]


# the bidi isolates around numbers are not seen by a reader
INVISIBLE = str.maketrans("", "", "\u2066\u2067\u2068\u2069\u200f")


def _docx_table(path: Path, header: str) -> list[list[str]]:
    """The cells of the Word table whose text holds ``header``, row by row."""
    with zipfile.ZipFile(path) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    for table in re.findall(r"<w:tbl>.*?</w:tbl>", xml, re.S):
        rows = [["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", cell)).translate(INVISIBLE)
                 for cell in re.findall(r"<w:tc>.*?</w:tc>", row, re.S)]
                for row in re.findall(r"<w:tr[ >].*?</w:tr>", table, re.S)]
        if any(header in cell for row in rows for cell in row):
            return rows
    raise AssertionError(f"no table with {header!r}")


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        xml = "".join(docx.read(n).decode("utf-8") for n in docx.namelist()
                      if n.startswith("word/") and n.endswith(".xml"))
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)).translate(INVISIBLE)


def test_new_numbers_reach_table_prose_and_sources(next_book):
    new, out, results = next_book
    data = load_data(new)
    old = load_data(ROOT / OLD)
    pdf = comparable(pdftotext(out / "gcc-central-asia-2024.pdf"))
    docx = _docx_text(out / "gcc-central-asia-2024.docx")
    # the general-indicators table: 2023 values of the new file, each changed from 2023's book
    table = {row[0]: row[1:] for row in _docx_table(out / "gcc-central-asia-2024.docx",
                                                    "عدد السكان (مليون نسمة)")}
    for code in ("KAZ", "KGZ", "TJK", "TKM", "UZB", "CA"):
        row = table[data.entity(code).ar]
        for k, (ds_id, decimals) in enumerate((("population", 1), ("gdp", 1),
                                               ("gdp_per_capita", 0))):
            cell = format_number(data.value(ds_id, code, 2023), decimals)
            assert cell != format_number(old.value(ds_id, code, 2022), decimals)
            assert row[k] == cell and comparable(cell) in pdf, (ds_id, code, cell)
    # the prose: Central Asia's population «نحو 85.1 مليون نسمة في عام 2023م»
    ca = format_number(data.value("population", "CA", 2023), 1)
    assert f"نحو {ca} مليون نسمة في عام 2023م" in docx
    assert "Sentences whose numbers changed" in results[
        f"./run.sh book --edition {OLD} --compare sources/gcc-central-asia-2024"]
    # the source lines: the new WEO release and the new WDI update dates
    assert "قاعدة بيانات آفاق الاقتصاد العالمي، أبريل 2024" in docx
    assert "آخر تحديث 28 يونيو 2024" in docx and "أبريل 2023" not in docx


def test_no_date_of_the_old_edition_survives(next_book):
    new, out, results = next_book
    docx = _docx_text(out / "gcc-central-asia-2024.docx")
    assert "يوليو 2024م" in docx  # cover and the foreword's signature, from date: in edition.yaml
    assert "يوليو 2023" not in docx and "مارس 2023" not in docx
    # the World Bank footnote follows the imported files' last update, not a typed month
    assert "البنك الدولي، آخر تحديث يوليو 2024م" in docx
    check = results["./run.sh book --edition sources/gcc-central-asia-2024 --check-dates"]
    assert check.startswith("0 typed date(s)")
