"""A title never splits a name across lines, wherever the name stands in it
(briefing.sources.title_breaks.name_pairs): headings whose name falls at every position of the
line's end, printed by WeasyPrint and read back with poppler."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from briefing.build import STYLES, check, draw_figures
from briefing.sources.title_breaks import keep_title_together, name_pairs
from briefing.writers.pdf import write_pdf
from paths import MINI

# «آسيا الوسطى» mid-title after 1 to 14 words, so that some title's line ends in the name
ARABIC = [" ".join(["التعاون"] * k) + " مع دول آسيا الوسطى في مجالات التجارة والطاقة"
          for k in range(1, 15)]
ENGLISH = [" ".join(["Trade"] * k) + " with the Kyrgyz Republic since independence"
           for k in range(1, 15)]


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    root = tmp_path_factory.mktemp("names") / "mini"
    shutil.copytree(MINI, root)
    entities = root / "data" / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").replace(
        "{ar: الدول الثلاث,", "{ar: مجموعة آسيا الوسطى,"), encoding="utf-8")
    for name, titles in (("01-report.md", ARABIC), ("02-annex.md", ENGLISH)):
        text = root / "text" / name
        text.write_text(text.read_text(encoding="utf-8") + "".join(
            f"\n## {title} {{#{name[:2]}-{i}}}\n\n{'نص' if titles is ARABIC else 'Text'}.\n"
            for i, title in enumerate(titles)), encoding="utf-8")
    return root


def test_the_names_of_groups_and_their_countries_give_the_pairs_kept_together(edition):
    from briefing.data.store import load_data

    pairs = name_pairs(load_data(edition))
    assert {("آسيا", "الوسطى"), ("Kyrgyz", "Republic")} <= pairs
    assert keep_title_together("مع دول آسيا الوسطى في مجالات", pairs) == (
        "مع دول آسيا\u00a0الوسطى في\u00a0مجالات")
    # a conjunction or preposition joined to the name's first word
    assert "ولآسيا\u00a0الوسطى" in keep_title_together("التعاون ولآسيا الوسطى اليوم", pairs)
    assert keep_title_together("آسيا وأوروبا الوسطى اليوم", pairs).startswith("آسيا وأوروبا الوسطى")


def _lines(pdf) -> list[str]:
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [" ".join(re.findall(r">([^<]*)</word>", line))
            for line in re.findall(r"<line [^>]*>(.*?)</line>", out, re.S)]


def test_no_printed_title_splits_a_name(edition, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    book = draw_figures(check(edition), tmp_path / "charts")
    pdf = tmp_path / "book.pdf"
    write_pdf(book, pdf, STYLES, tmp_path / "charts")
    lines = _lines(pdf)
    # poppler gives Arabic words in visual order: «الوسطى» reads «ىطسولا»
    arabic = [line for line in lines if "ىطسولا" in line or "ايسآ" in line]
    english = [line for line in lines if "Kyrgyz" in line or "Republic" in line]
    assert len(arabic) >= len(ARABIC) and len(english) >= len(ENGLISH)
    # some titles take two lines, so the name met the end of a line
    assert sum("نواعتلا" in line and "ايسآ" not in line for line in lines) >= 3
    assert [line for line in arabic if not ("ىطسولا" in line and "ايسآ" in line)] == []
    assert [line for line in english if not ("Kyrgyz" in line and "Republic" in line)] == []
