"""The command line: numbered steps, exit status, errors without tracebacks, nothing lost."""

from __future__ import annotations

import subprocess
import sys

import pytest
from paths import ROOT



def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "make_book.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_check_validates_without_writing(edition_copy, tmp_path):
    result = run("--check", "--edition", str(edition_copy), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "[1/1] Checking" in result.stdout and "2 parts, 1 figures" in result.stdout
    assert not (tmp_path / "out").exists()


def test_bad_input_is_one_clear_line_and_a_failure_status(edition_copy):
    manifest = edition_copy / "edition.yaml"
    manifest.write_text(manifest.read_text().replace("paper: A4", "papr: A4"))
    result = run("--check", "--edition", str(edition_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and "edition.yaml:7" in result.stderr
    assert "unknown key 'papr'" in result.stderr


def test_build_reports_numbered_steps_and_a_failed_build_keeps_the_previous_output(
        edition_copy, tmp_path):
    out = tmp_path / "out"
    first = run("--edition", str(edition_copy), "--out", str(out), "--format", "pdf")
    assert first.returncode == 0, first.stderr
    assert [line[:5] for line in first.stdout.splitlines()[:3]] == ["[1/3]", "[2/3]", "[3/3]"]
    pdf = out / "mini.pdf"
    before = pdf.read_bytes()
    assert before.startswith(b"%PDF")

    report = edition_copy / "text" / "01-report.md"
    report.write_text(report.read_text().replace("[[ref:population]]", "[[ref:nowhere]]"))
    second = run("--edition", str(edition_copy), "--out", str(out), "--format", "pdf")
    assert second.returncode == 1 and "nowhere" in second.stderr
    assert pdf.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [".cache", "mini.pdf"]  # no half-written file


@pytest.mark.parametrize("args", [["--format", "odt"], ["--bogus"]])
def test_wrong_options_are_refused(args):
    assert run(*args).returncode == 2


def test_check_finds_a_chart_whose_data_is_missing_without_drawing_it(edition_copy, tmp_path):
    chart = edition_copy / "figures" / "population-chart.yaml"
    chart.write_text(chart.read_text().replace("years: [2021, 2022]", "years: [2021, 2023]"))
    result = run("--check", "--edition", str(edition_copy), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "population-chart.yaml [years]" in result.stderr and "in 2023" in result.stderr
    assert not (tmp_path / "out").exists()
