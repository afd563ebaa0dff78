"""Same sources, same bytes: the PDF, the DOCX and the chart files of two builds are identical.

Decision: the one date in the outputs is the edition's ``date`` (edition.yaml), which fixes the
PDF's and the DOCX's timestamps and the DOCX zip entries' times. ``SOURCE_DATE_EPOCH`` is
deliberately *not* read: the book is dated by its edition, not by when or where it was built, so a
different ``SOURCE_DATE_EPOCH``, time zone, hash seed, edition path or file modification times must
not change a byte - the second build below checks exactly that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from paths import MINI, ROOT



def _build(edition: Path, out: Path, env: dict[str, str]) -> Path:
    result = subprocess.run([sys.executable, "make_book.py", "--edition", str(edition),
                             "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The same sources built twice, in parallel: the second from a copy elsewhere, with other
    file times, hash seed, time zone, locale and SOURCE_DATE_EPOCH, each into an empty folder."""
    base = tmp_path_factory.mktemp("reproducible")
    here = base / "a" / "mini"
    shutil.copytree(MINI, here)
    elsewhere = base / "somewhere" / "else" / "mini"  # same folder name: it names the outputs
    shutil.copytree(MINI, elsewhere)
    for path in elsewhere.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    jobs = [
        (here, base / "out1", {"PYTHONHASHSEED": "1"}),
        (elsewhere, base / "out2", {"PYTHONHASHSEED": "2", "SOURCE_DATE_EPOCH": "86400",
                                    "TZ": "Asia/Riyadh", "LC_ALL": "C.UTF-8"}),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda job: _build(*job), jobs))


def _charts(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / ".cache" / "charts").iterdir())}


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_two_builds_give_identical_bytes(two_builds, suffix):
    first, second = two_builds
    assert (first / f"mini.{suffix}").read_bytes() == (second / f"mini.{suffix}").read_bytes()


def test_charts_are_drawn_identically(two_builds):
    first, second = two_builds  # each build drew its charts into its own empty cache
    assert _charts(first) and _charts(first) == _charts(second)


def test_the_docx_zip_is_sorted_and_dated_by_the_edition(two_builds):
    with zipfile.ZipFile(two_builds[0] / "mini.docx") as docx:
        infos = docx.infolist()
    names = [i.filename for i in infos]
    assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
    assert {i.date_time for i in infos} == {(2023, 7, 19, 0, 0, 0)}


def test_the_pdf_is_dated_by_the_edition(two_builds):
    import pypdf

    info = pypdf.PdfReader(two_builds[0] / "mini.pdf").metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20230719"
