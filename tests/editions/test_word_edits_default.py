"""Word edits on the default edition's Word book (issue 19, «Done when»): the edits an editor makes
(a word changed, a bound number left alone and one typed over, a paragraph added, a list item
deleted, a footnote, a caption and a text table's cell edited, bold added, a heading of the English
annex and an aside edited, two edits in one paragraph, text typed next to a footnote call, a call
deleted, a paragraph split by Enter) made with python-docx, and again after a LibreOffice save;
the import changes exactly the source lines expected, reports the conflict with both values and
its file:line, and ``--apply`` then a rebuild prints the edited text (but the conflict).

The edition is built once, edited once and saved by LibreOffice once per session."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from briefing.editions.word_edits import import_edition
from paths import ROOT
from word_editor import WordEditor, apply_and_rebuild, build_docx

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
DEFAULT = ROOT / "sources" / "gcc-central-asia-2023"
STRATEGIC, ECONOMIC = "text/01-strategic-importance.md", "text/03-economic-report.md"
US, UN = "text/a1-us-strategy.md", "text/a3-un-resolution.md"
# parts: 0 foreword, 1 strategic importance, 2 annexes list, 3 US, 4 EU, 5 UN, 6 economic report


def edit(src: Path, dst: Path) -> Path:
    e = WordEditor(src)
    e.retype(e.keyed("_Src_1_5"), "بشكل وثيق", "بشكل متين")  # a word changed
    # a word changed next to a bound number left alone (77.9), and a bound number typed over
    e.retype(e.keyed("_Src_6_63"), "يبلغ عدد سكان", "يقدر عدد سكان")
    e.retype(e.keyed("_Src_6_15"), "58.3", "58.5")
    e.add_after(e.keyed("_Src_1_7"), "فقرة أضافها المحرر بعد الفقرة الثانية، ", "وفيها خط عريض")
    e.delete(e.keyed("_Src_1_23"))  # a list item deleted (3. تركمانستان)
    e.retype(e.keyed("_Src_6_139"), "مصدر البيانات", "مصدر هذه البيانات")  # a footnote
    e.retype(e.keyed("_Src_6_65"), "عدد السكان", "سكان المجموعتين")  # a caption
    e.retype(e.containing("في مرحلة المفاوضات", in_table=True), "المفاوضات", "التفاوض")  # a cell
    e.bold(e.keyed("_Src_1_9"), "اللغة السائدة")  # bold added to words
    e.retype(e.keyed("_Src_3_3"), "Foreword", "Foreword and Summary")  # an English heading
    e.retype(e.containing("The U.S. has funded over 70 projects"), "unique", "rich")  # an aside
    p = e.keyed("_Src_1_11")  # two edits in one paragraph
    e.retype(p, "وعلي الرغم", "وعلى الرغم")
    e.retype(p, "علاقات قوية", "علاقات وثيقة")
    e.retype(e.keyed("_Src_5_21"), "المستدامة»", "المستدامة» كما ورد")  # typed before a call
    e.delete_note_call(e.keyed("_Src_5_19"))  # a footnote call deleted ([^r4])
    e.split(e.keyed("_Src_1_13"), "ومع تطور وسائل")  # Enter typed inside a paragraph
    return e.save(dst)


@pytest.fixture(scope="session")
def default_edits(tmp_path_factory) -> dict:
    """The default edition (a copy), its Word book, the edited book, and the edited book saved
    again by LibreOffice (when installed)."""
    tmp = tmp_path_factory.mktemp("default-word-edits")
    edition = tmp / "edition"
    shutil.copytree(DEFAULT, edition)
    files = {"edition": edition, "built": build_docx(edition, tmp / "out")}
    files["python-docx"] = edit(files["built"], tmp / "edited.docx")
    if OFFICE:
        subprocess.run([OFFICE, "--headless", f"-env:UserInstallation=file://{tmp}/lo-19",
                        "--convert-to", "docx", "--outdir", str(tmp / "lo"),
                        str(files["python-docx"])], check=True, capture_output=True, timeout=300)
        files["libreoffice"] = tmp / "lo" / "edited.docx"
    return files


def new_lines(result, name: str) -> list[str]:
    return result.new[next(p for p in result.old if p.as_posix().endswith(name))]


def expected(name: str, changes: dict[int, list[str]]) -> list[str]:
    """The default edition's file ``name`` with line n replaced by ``changes[n]`` (an empty
    list deletes it; the line itself first in the list keeps it, before inserted lines)."""
    lines = (DEFAULT / name).read_text(encoding="utf-8").splitlines()
    for number in sorted(changes, reverse=True):
        lines[number - 1:number] = changes[number]
    return lines


def line(name: str, number: int) -> str:
    return (DEFAULT / name).read_text(encoding="utf-8").splitlines()[number - 1]


@pytest.mark.parametrize("saved_by", ["python-docx", "libreoffice"])
def test_the_edits_reach_their_source_lines(default_edits, saved_by):
    if saved_by not in default_edits:
        pytest.skip("LibreOffice is not installed")
    result = import_edition(default_edits[saved_by], default_edits["edition"])
    s13 = line(STRATEGIC, 13)
    cut = s13.index("ومع تطور وسائل")
    assert new_lines(result, STRATEGIC) == expected(STRATEGIC, {
        5: [line(STRATEGIC, 5).replace("بشكل وثيق", "بشكل متين")],
        7: [line(STRATEGIC, 7), "", "فقرة أضافها المحرر بعد الفقرة الثانية، **وفيها خط عريض**"],
        9: [line(STRATEGIC, 9).replace("اللغة السائدة", "**اللغة السائدة**")],
        11: [line(STRATEGIC, 11).replace("وعلي الرغم", "وعلى الرغم")
             .replace("علاقات قوية", "علاقات وثيقة")],
        13: [s13[:cut].rstrip(), "", s13[cut:]],  # split by Enter: two paragraphs
        23: [],  # the list item deleted
    })
    # the number left alone stays an expression; the one typed over is kept, as a conflict
    assert '{{ value("population", "CA", reference_year) }}' in line(ECONOMIC, 63)
    assert new_lines(result, ECONOMIC) == expected(ECONOMIC, {
        63: [line(ECONOMIC, 63).replace("يبلغ عدد سكان", "يقدر عدد سكان")],
        139: [line(ECONOMIC, 139).replace("مصدر البيانات", "مصدر هذه البيانات")],
    })
    assert new_lines(result, US) == expected(US, {
        3: ["## Foreword and Summary {#us-foreword}"],
        12: [line(US, 12).replace("unique", "rich")],  # in the aside
    })
    assert new_lines(result, UN) == expected(UN, {
        19: [line(UN, 19).replace("[^r4]", "")],
        21: [line(UN, 21).replace("المستدامة»[^r5]", "المستدامة» كما ورد[^r5]")],
        74: [],  # the deleted call's note, called nowhere else
    })
    assert new_lines(result, "figures/population-groups.yaml") == expected(
        "figures/population-groups.yaml", {1: ["caption: سكان المجموعتين، {{ year(first_year) }}"]})
    assert new_lines(result, "tables/membership.yaml") == expected("tables/membership.yaml", {
        4: [line("tables/membership.yaml", 4).replace("المفاوضات", "التفاوض")]})
    assert sum(result.old[p] != result.new[p] for p in result.old) == 6
    [conflict] = result.conflicts
    assert conflict.startswith(f"{default_edits['edition'] / ECONOMIC}:15: ")
    assert "«58.3»" in conflict and "«58.5»" in conflict
    assert '{{ value("population", "GCC", reference_year) }}' in conflict
    assert result.not_carried == []


def test_applied_edits_rebuild_the_edited_text(default_edits, tmp_path):
    """--apply, then a rebuild: the book prints what the editor typed, but the number typed over
    a bound one (the data's 58.3 stays), and a second import finds only that conflict."""
    edition, run, source, rebuilt, wanted = apply_and_rebuild(default_edits, tmp_path)
    assert run.returncode == 1, run.stderr  # 1: the conflict is left for the editor
    assert f"wrote {edition / STRATEGIC}" in run.stdout

    def texts(paragraphs):  # the contents (Word and the build update it) aside
        return [p.text for p in paragraphs if not p.text.endswith("\t")]

    assert texts(rebuilt["notes"]) == texts(wanted["notes"])
    expected = [t.replace("مع 58.5 مليون", "مع 58.3 مليون") for t in texts(wanted["body"])]
    assert texts(rebuilt["body"]) == expected
    bold = next(p for p in rebuilt["body"] if p.text.startswith("فقرة أضافها المحرر"))
    assert "".join(ch for ch, (b, _) in zip(bold.text, bold.marks) if b) == "وفيها خط عريض"
    again = import_edition(source, edition)
    assert again.diff() == "" and len(again.conflicts) == 1 and again.not_carried == []
