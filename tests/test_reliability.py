"""Whatever editors feed the tool, it answers with a clear error or a correct book.

Every case of the corpus in ``tests/bad_inputs`` is built through the command line's ``main`` (in a
few worker processes, see ``bad_inputs/run_cli.py``, instead of one ``make_book.py`` process per
case: half a second each): the answer must be exit status 1, one ``error:`` line naming the file
and the line or key and saying what to fix, no traceback, and nothing written. The other tests run
``make_book.py`` itself: large inputs (built or refused with a clear limit, in bounded time and
memory), valid oddities (BOM, CRLF), damaged fonts, a build killed in the middle, and the sources
left untouched.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bad_inputs import CASES, apply, run_cli_many
from briefing.build import STYLES, build, remove_stale_parts
from briefing.errors import SourceError
from paths import MINI, ROOT



def make_book(edition: Path, out: Path, *args: str, timeout: float = 120,
              env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "make_book.py", "--edition", str(edition),
                           "--out", str(out), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def assert_clear_error(result: subprocess.CompletedProcess, place: str, *says: str) -> str:
    """A failure status and one error line that names the place and says what to fix."""
    err = result.stderr
    assert result.returncode == 1, (result.returncode, err)
    assert "Traceback" not in err and "Traceback" not in result.stdout
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    assert re.search(place, err), (place, err)
    for words in says:
        assert words in err, (words, err)
    return err


# ---------------------------------------------------------------- the corpus, through the CLI


@pytest.fixture(scope="module")
def corpus_results(tmp_path_factory):
    """Every case built once through the CLI's ``main`` (see bad_inputs/run_cli.py), in as many
    processes as there are CPUs."""
    base = tmp_path_factory.mktemp("corpus")
    arguments = []
    for case in CASES:
        edition = base / case.id / "mini"
        shutil.copytree(MINI, edition)
        apply(case, edition)
        arguments.append(["--edition", str(edition), "--out", str(base / case.id / "out")])
    results = run_cli_many(arguments, workers=max(2, os.cpu_count() or 2))
    return {case.id: (result, Path(args[-1]))
            for case, args, result in zip(CASES, arguments, results)}


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_bad_input_gets_a_clear_error(case, corpus_results):
    result, out = corpus_results[case.id]
    assert_clear_error(result, case.place, *case.says)
    written = [p.name for p in out.iterdir()] if out.exists() else []
    assert not [name for name in written if name.endswith((".pdf", ".docx", ".part"))], written


def test_the_corpus_covers_the_issue_list():
    covered = " ".join(case.why for case in CASES)
    for item in ("malformed YAML", "misspelt manifest key", "unknown manifest key",
                 "part file that does not exist", "unclosed fence", "figure reference",
                 "table reference", "footnote reference", "duplicate ids", "non-numeric",
                 "year a sentence", "country a sentence", "chart naming a missing",
                 "mixed units", "empty CSV", "empty text", "UTF-16", "Windows-1256", "zero parts",
                 "missing column", "font that is missing", "without Arabic glyphs",
                 "no bundled font covers"):
        assert item in covered, item
    assert len({case.id for case in CASES}) == len(CASES)


def test_unusual_but_valid_encodings_build(edition_copy, tmp_path):
    """A BOM and Windows line ends (what Notepad and Excel write) are accepted, not errors."""
    for relative in ("edition.yaml", "text/01-report.md", "data/population.csv",
                     "figures/population-chart.yaml", "tables/indicators.yaml"):
        path = edition_copy / relative
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    result = make_book(edition_copy, tmp_path / "out", "--check")
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- very large inputs


def _peak_rss_mb_of_children() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def test_a_10_mb_text_is_refused_with_a_clear_limit(edition_copy, tmp_path):
    report = edition_copy / "text" / "02-annex.md"
    paragraph = "This sentence is repeated to make a very long part of the book. " * 20 + "\n\n"
    with report.open("a", encoding="utf-8") as f:
        f.write(paragraph * (10 * 2**20 // len(paragraph) + 1))
    assert report.stat().st_size > 10 * 2**20
    result = make_book(edition_copy, tmp_path / "out", timeout=60)
    assert_clear_error(result, r"02-annex\.md", "MB", "split it")
    assert _peak_rss_mb_of_children() < 1024


def test_a_100000_row_csv_is_refused_with_a_clear_limit(edition_copy, tmp_path):
    csv = edition_copy / "data" / "population.csv"
    rows = "".join(f"X{i},2021,{i}.5,{i}.25\n" for i in range(100_000))
    csv.write_text(csv.read_text() + rows, encoding="utf-8")
    result = make_book(edition_copy, tmp_path / "out", timeout=60)
    assert_clear_error(result, r"population\.csv:10002", "100003 rows", "at most 10000")
    assert _peak_rss_mb_of_children() < 1024


def test_a_huge_source_file_is_refused_without_reading_it(edition_copy, tmp_path):
    """A 4 GB file (sparse: no disk used) is refused from its size, before a byte is read."""
    big = edition_copy / "data" / "gdp.csv"
    with big.open("r+b") as f:
        f.truncate(4 * 2**30)
    result = make_book(edition_copy, tmp_path / "out", "--check", timeout=60)
    assert_clear_error(result, r"gdp\.csv", "4096.0 MB", "more than the 20 MB")


def test_a_large_but_reasonable_data_file_builds(edition_copy, tmp_path):
    """5,000 rows (more than there are countries) load and check (timeouts only guard against a
    hang: speed is the benchmark's business, not the tests')."""
    n = 5_000
    entities = edition_copy / "data" / "entities.yaml"
    entities.write_text("".join(f"E{i}: {{ar: بلد {i}, en: Country {i}}}\n" for i in range(n))
                        + entities.read_text(), encoding="utf-8")
    csv = edition_copy / "data" / "gdp.csv"
    csv.write_text(csv.read_text() + "".join(f"E{i},2021,{i}.5,{i}.25\n" for i in range(n)),
                   encoding="utf-8")
    result = make_book(edition_copy, tmp_path / "out", "--check", timeout=120)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- fonts the styles bundle


@pytest.fixture
def styles_copy(tmp_path) -> Path:
    target = tmp_path / "styles"
    shutil.copytree(STYLES, target)
    return target


def test_a_missing_bundled_font_file_is_named(styles_copy, tmp_path):
    for path in (styles_copy / "fonts").glob("Amiri-*.ttf"):
        path.unlink()
    # the chart style names Amiri too (the minus sign's font): the first reader to miss it names it
    with pytest.raises(SourceError, match=r"chart\.yaml \[fonts\.fallback\[1\]\.regular\]: font "
                                          r"file Amiri-Regular\.ttf not found"):
        build(MINI, tmp_path / "out", ("docx",), styles_dir=styles_copy)
    (styles_copy / "chart.yaml").write_text(
        (styles_copy / "chart.yaml").read_text().replace("Amiri-Regular.ttf", "NotoSans-Regular.ttf")
        .replace("Amiri-Bold.ttf", "NotoSans-Bold.ttf"))
    with pytest.raises(SourceError, match=r"\[fonts.body\].*font 'Amiri' is not in .*bundled:"):
        build(MINI, tmp_path / "out", ("docx",), styles_dir=styles_copy)
    assert not list((tmp_path / "out").glob("*.docx")) + list((tmp_path / "out").glob(".*.part"))


def test_a_damaged_font_file_is_named(styles_copy, tmp_path):
    damaged = styles_copy / "fonts" / "Amiri-Regular.ttf"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    with pytest.raises(SourceError, match=r"Amiri-Regular\.ttf: not a usable font file.*replace it"):
        build(MINI, tmp_path / "out", ("docx",), styles_dir=styles_copy)


def test_a_chart_font_file_that_is_missing_is_named(styles_copy, tmp_path):
    chart_fonts = (styles_copy / "chart.yaml").read_text()
    name = re.search(r"([\w-]+\.ttf)", chart_fonts).group(1)
    (styles_copy / "fonts" / name).unlink()
    with pytest.raises(SourceError, match=rf"chart\.yaml \[fonts\]: font file {name} not found"):
        build(MINI, tmp_path / "out", ("docx",), styles_dir=styles_copy)


# ---------------------------------------------------------------- nothing lost


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_killed_while_writing_leaves_the_previous_book_and_the_next_cleans_up(
        edition_copy, tmp_path):
    out = tmp_path / "out"
    first = make_book(edition_copy, out)
    assert first.returncode == 0, first.stderr
    pdf, docx = out / "mini.pdf", out / "mini.docx"
    before = {pdf: pdf.read_bytes(), docx: docx.read_bytes()}

    # change the text so that the interrupted build would have written a different book
    report = edition_copy / "text" / "02-annex.md"
    report.write_text(report.read_text() + "\nA sentence added after the first build.\n")
    sources = _snapshot(edition_copy)
    process = subprocess.Popen([sys.executable, "make_book.py", "--edition", str(edition_copy),
                                "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:  # wait for the PDF step …
            if line.startswith("[3/"):
                break
        deadline = time.monotonic() + 30
        while not list(out.glob(".mini.pdf.*.part")):  # … and its temporary file
            assert time.monotonic() < deadline and process.poll() is None, "build ended too soon"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert {pdf: pdf.read_bytes(), docx: docx.read_bytes()} == before  # untouched
    stale = list(out.glob(".mini.pdf.*.part"))
    assert stale, "the killed build's temporary file (the next build must remove it)"

    second = make_book(edition_copy, out)
    assert second.returncode == 0, second.stderr
    assert not list(out.glob(".*.part"))
    assert pdf.read_bytes() != before[pdf]
    assert _snapshot(edition_copy) == sources  # neither build touched the sources


def test_the_temporary_file_of_a_running_build_is_not_removed(tmp_path):
    target = tmp_path / "book.pdf"
    mine = tmp_path / f".book.pdf.{os.getpid()}.abc123.part"
    gone = tmp_path / ".book.pdf.999999999.abc123.part"  # no such process
    other = tmp_path / ".other.pdf.999999999.abc123.part"
    for path in (mine, gone, other):
        path.write_bytes(b"")
    assert remove_stale_parts(target) == [gone]
    assert mine.exists() and other.exists()


def test_a_build_never_changes_the_sources(edition_copy, tmp_path):
    """(Full builds with the PDF are checked the same way in the killed-build test above.)"""
    before = _snapshot(edition_copy)
    assert make_book(edition_copy, tmp_path / "out", "--format", "docx").returncode == 0
    report = edition_copy / "text" / "02-annex.md"
    report.write_text(report.read_text().replace("[[ref:population-chart]]", "[[ref:nothing]]"))
    broken = _snapshot(edition_copy)
    assert make_book(edition_copy, tmp_path / "out").returncode == 1
    assert _snapshot(edition_copy) == broken
    del broken["text/02-annex.md"], before["text/02-annex.md"]
    assert broken == before
