"""Issue 14: every input ends in a correct book or in one located error, in bounded time and memory.

The bad inputs of ``bad_inputs/bounds.py`` (also run through the build by test_reliability's
corpus) are run here through ``--check`` and through the build with a previous book in the output
folder: both refuse them with one located error, leave the previous book byte-identical, and
``--check`` writes nothing. Then what the corpus cannot express: links to files outside the
edition, output folders that cannot be written, the map file's size limit, interruptions while
charts are drawn, and a wide table that is printed in smaller type instead of cut off.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from bad_inputs import apply, run_cli_many
from bad_inputs.bounds import BOUND_CASES, LOCATOR, MAP_FIGURE, YEARS_15, _gdp_years
from charts.glyphs import glyph_fonts
from briefing import cli
from briefing.build import check, draw_figures
from briefing.model import page_geometry
from paths import MINI, ROOT
from test_reliability import assert_clear_error, make_book

PREVIOUS = {"mini.pdf": b"%PDF- the previous book", "mini.docx": b"PK the previous document"}


def _with_previous_book(out: Path) -> None:
    out.mkdir(parents=True)
    for name, content in PREVIOUS.items():
        (out / name).write_bytes(content)


@pytest.fixture(scope="module")
def bound_results(tmp_path_factory):
    """Each case through ``--check`` and through the build, each with a previous book:
    (case id, mode) → (result, output folder)."""
    base = tmp_path_factory.mktemp("bounds")
    runs, arguments = [], []
    for case in BOUND_CASES:
        edition = base / case.id / "mini"
        shutil.copytree(MINI, edition)
        apply(case, edition)
        for mode in ("check", "build"):
            out = base / case.id / mode
            _with_previous_book(out)
            runs.append((case.id, mode, out))
            arguments.append(["--edition", str(edition), "--out", str(out)]
                             + (["--check"] if mode == "check" else []))
    results = run_cli_many(arguments, workers=max(2, os.cpu_count() or 2))
    return {(ident, mode): (result, out) for (ident, mode, out), result in zip(runs, results)}


@pytest.mark.parametrize("mode", ["check", "build"])
@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in BOUND_CASES])
def test_refused_by_check_and_build_with_the_previous_book_kept(case, mode, bound_results):
    result, out = bound_results[(case.id, mode)]
    assert_clear_error(result, case.place, *case.says)
    if mode == "check":  # --check writes nothing at all
        assert sorted(p.name for p in out.iterdir()) == sorted(PREVIOUS)
    for name, content in PREVIOUS.items():
        assert (out / name).read_bytes() == content


def test_check_writes_no_crash_log_into_the_output_folder(tmp_path, monkeypatch, capsys):
    """A fault of the tool during --check is reported (exit 3) with its log outside --out."""
    def broken(edition_dir):
        raise RuntimeError("a fault in the tool")

    monkeypatch.setattr(cli, "check", broken)
    out = tmp_path / "out"
    assert cli.main(["--edition", str(MINI), "--out", str(out), "--check"]) == 3
    assert not out.exists()
    err = capsys.readouterr().err
    log = Path(re.search(r"report it with (\S+)", err).group(1))
    assert "a fault in the tool" in log.read_text() and out not in log.parents
    log.unlink()


# ---------------------------------------------------------------- links out of the edition


@pytest.mark.parametrize("what", ["figure spec", "table spec", "tables folder", "manifest"])
def test_sources_linked_from_outside_the_edition_are_refused(what, edition_copy, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = "SECRET-LINE-FROM-OUTSIDE"
    if what == "figure spec":
        link = edition_copy / "figures" / "population-chart.yaml"
        (outside / "x.yaml").write_text(link.read_text().replace("عدد السكان", secret))
        target = outside / "x.yaml"
    elif what == "table spec":
        link = edition_copy / "tables" / "indicators.yaml"
        (outside / "x.yaml").write_text(link.read_text().replace("مؤشرات عامة", secret))
        target = outside / "x.yaml"
    elif what == "tables folder":
        link = edition_copy / "tables"
        shutil.copytree(link, outside / "tables")
        target = outside / "tables"
    else:
        link = edition_copy / "edition.yaml"
        (outside / "edition.yaml").write_text(link.read_text().replace("كتيب تجريبي", secret))
        target = outside / "edition.yaml"
    shutil.rmtree(link) if link.is_dir() else link.unlink()
    link.symlink_to(target)
    for mode in ((), ("--check",)):
        result = make_book(edition_copy, tmp_path / "out", *mode)
        assert_clear_error(result, re.escape(link.name), "outside", "copy the file into")
        assert secret not in result.stdout + result.stderr


# ---------------------------------------------------------------- output folders


def _build_docx(out: Path, capsys) -> tuple[int, str]:
    status = cli.main(["--edition", str(MINI), "--out", str(out), "--format", "docx"])
    return status, capsys.readouterr().err


def _one_error_line(err: str, *says: str) -> None:
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for words in says:
        assert words in err, (words, err)


def test_out_naming_a_file_is_a_user_error(tmp_path, capsys):
    out = tmp_path / "book.pdf"
    out.write_bytes(b"not a folder")
    status, err = _build_docx(out, capsys)
    assert status == 1
    _one_error_line(err, str(out), "names a file, not a folder")
    status, err = _build_docx(out / "inside", capsys)
    assert status == 1
    _one_error_line(err, str(out / "inside"), "choose another --out folder")
    assert out.read_bytes() == b"not a folder"


@pytest.mark.parametrize("code, says", [
    (errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only"),
    (errno.EACCES, "you may not write there")])
def test_writing_problems_are_user_errors_and_keep_the_previous_book(code, says, tmp_path,
                                                                     capsys, monkeypatch):
    """(Simulated where they happen, in the writer: the tests run as a user who may write
    anywhere, on a disk with room.)"""
    out = tmp_path / "out"
    _with_previous_book(out)
    import briefing.writers.docx

    def fail(book, path, styles_dir, pages=None):
        Path(path).write_bytes(b"half a document")
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(briefing.writers.docx, "write_docx", fail)
    status, err = _build_docx(out, capsys)
    assert status == 1
    _one_error_line(err, str(out), says, "cannot write the book")
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == sorted(PREVIOUS)
    for name, content in PREVIOUS.items():
        assert (out / name).read_bytes() == content


def test_an_unwritable_output_folder_is_named_before_building(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != out)
    status, err = _build_docx(out, capsys)
    assert status == 1
    _one_error_line(err, str(out), "you may not write there")


# ---------------------------------------------------------------- the map file's size


def test_a_map_file_over_the_size_limit_is_refused_without_reading_it(edition_copy, tmp_path):
    (edition_copy / LOCATOR).write_text(MAP_FIGURE[LOCATOR])
    annex = edition_copy / "text" / "02-annex.md"
    annex.write_text(annex.read_text() + "\n[[figure:locator]]\n")
    with (edition_copy / "data" / "map.geojson").open("wb") as f:
        f.truncate(30 * 2**20)  # sparse: no disk used
    result = make_book(edition_copy, tmp_path / "out", "--check")
    assert_clear_error(result, r"map\.geojson", "30.0 MB", "more than the 20 MB")


# ---------------------------------------------------------------- interruptions


def _processes_marked(mark: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if f"BRIEFING_TEST_MARK={mark}".encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                pass
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig, formats", [(signal.SIGINT, ()), (signal.SIGTERM, ()),
                                          (signal.SIGINT, ("--format", "docx"))])
def test_an_interrupted_build_ends_every_worker_and_keeps_the_previous_book(sig, formats,
                                                                            tmp_path):
    """Interrupted while its charts are drawn (by the forked preparer, itself while this process
    lays out the PDF on a 2-core machine, or by its pool), the build leaves no process behind
    once it has exited."""
    edition = tmp_path / "edition"
    shutil.copytree(ROOT / "sources" / (ROOT / "sources" / "default-edition.txt").read_text()
                    .strip(), edition)
    out = tmp_path / "out"
    out.mkdir()
    previous = {out / "edition.pdf": b"%PDF- the previous book",
                out / "edition.docx": b"PK the previous document"}
    for path, content in previous.items():
        path.write_bytes(content)
    mark = uuid.uuid4().hex
    process = subprocess.Popen([sys.executable, "make_book.py", "--edition", str(edition),
                                "--out", str(out), *formats], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "BRIEFING_TEST_MARK": mark},
                               # Ctrl-C reaches it even when these tests run as a background job
                               # (which a shell starts with SIGINT ignored, and children inherit)
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for line in process.stdout:  # the charts are being drawn …
            if line.startswith("[2/"):
                break
        deadline = time.monotonic() + 60
        while len(_processes_marked(mark)) < 2:  # … by the preparer (and its workers)
            assert time.monotonic() < deadline and process.poll() is None, "no workers seen"
            time.sleep(0.01)
        process.send_signal(sig)
        assert process.wait(timeout=30) == 130, process.stderr.read()
        # a guard against a hang, not a speed test: the workers are gone once the build is
        deadline = time.monotonic() + 5
        while _processes_marked(mark) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _processes_marked(mark) == []
        err = process.stderr.read()
        assert "interrupted: previous outputs left unchanged" in err and "Traceback" not in err
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()
    assert {path: path.read_bytes() for path in previous} == previous


# ---------------------------------------------------------------- wide tables


def test_a_15_year_table_is_printed_whole_in_smaller_type_in_both_outputs(edition_copy, tmp_path):
    (edition_copy / "data" / "gdp.csv").write_text(_gdp_years(range(2014, 2029)))
    (edition_copy / "tables" / "series.yaml").write_text(
        "caption: سلسلة\nstub_header: الدولة\nrows: [KAZ, KGZ, UZB, CA3]\ncolumns:\n" + YEARS_15)
    annex = edition_copy / "text" / "02-annex.md"
    annex.write_text(annex.read_text() + "\n[[table:series]]\n")
    out = tmp_path / "out"
    result = make_book(edition_copy, out)
    assert result.returncode == 0, result.stderr

    # PDF: every year's header and value lies inside the page's text block
    bbox = subprocess.run(["pdftotext", "-bbox", str(out / "mini.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<',
                       bbox)
    seen = {text for _, _, text in words}
    assert {str(y) for y in range(2014, 2029)} <= seen
    margin = 15 * 72 / 25.4  # the narrowest page margin is 18 mm
    for x_min, x_max, text in words:
        assert float(x_min) >= margin and float(x_max) <= page_width - margin, (text, x_min, x_max)

    # Word: the table's columns share the text width, its type is smaller than the style's
    xml = zipfile.ZipFile(out / "mini.docx").read("word/document.xml").decode()
    table = max(re.findall(r"<w:tbl>.*?</w:tbl>", xml), key=len)
    assert all(f">{y}<" in table for y in range(2014, 2029))
    grid = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', table)]
    text_width = page_geometry("A4").text_width  # both outputs' text block (the model's page)
    assert len(grid) == 16 and abs(sum(grid) - text_width / 25.4 * 1440) < 16
    sizes = {int(v) for v in re.findall(r'<w:sz w:val="(\d+)"', table)}
    assert sizes and max(sizes) < 19  # the style's 9.5 pt is w:sz 19


# ---------------------------------------------------------------- chart labels


def test_latin_letters_and_brackets_in_an_arabic_chart_label_are_drawn(edition_copy, tmp_path):
    """«قيرغيزستان (Kyrgyz)»: the Arabic chart font lacks Latin letters and brackets; the style's
    fallback font draws them, with no warning printed."""
    entities = edition_copy / "data" / "entities.yaml"
    entities.write_text(entities.read_text().replace("قيرغيزستان,", "قيرغيزستان (Kyrgyz),"))
    out = tmp_path / "out"
    result = make_book(edition_copy, out)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "missing from font" not in result.stderr
    with glyph_fonts() as drawn:  # the chart drawn again, here, where its glyphs can be seen
        draw_figures(check(edition_copy), tmp_path / "charts", workers=1)
    fonts = {font for text, font in drawn if "(Kyrgyz)" in text}
    assert {"NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf"} <= fonts
