"""Word edits flow back into the sources (issue 19): edit the built .docx as an editor would (with
python-docx, and again after a LibreOffice save), import it, check the source lines that change,
the conflicts, and that a rebuild prints the edited text."""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from briefing.editions.word_edits import import_edition, read_paragraphs
from paths import MINI, ROOT
from word_editor import apply_and_rebuild, build_docx

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
REPORT = "text/01-report.md"
ANNEX = "text/02-annex.md"


def _keyed(doc, key: str):
    for p in doc.element.body.iter(qn("w:p")):
        if any(b.get(qn("w:name")) == key for b in p.iter(qn("w:bookmarkStart"))):
            return p
    raise KeyError(key)


def _retype(p, old: str, new: str) -> None:
    for t in p.iter(qn("w:t")):
        if old in (t.text or ""):
            t.text = t.text.replace(old, new)
            return
    raise KeyError(old)


def edit_like_an_editor(src: Path, dst: Path) -> None:
    """The edits of the issue, on the tiny edition's Word book (bookmarks name part 0 = the
    Arabic report, part 1 = the English annex, and the Markdown line)."""
    doc = Document(str(src))
    _retype(_keyed(doc, "_Src_0_5"), "ثلاث دول", "ثلاث جمهوريات")  # a word changed
    _retype(_keyed(doc, "_Src_0_11"), "35.3", "36")  # a bound number typed over; 57% left alone
    _retype(_keyed(doc, "_Src_1_5"), "shown in", "drawn in")  # a word in the English part
    _retype(_keyed(doc, "_Src_0_7"), "عدد السكان", "سكان الدول")  # a caption (figures/…yaml)
    # a paragraph added after the one in the aside, partly bold, with no bookmark of its own
    aside = Paragraph(_keyed(doc, "_Src_0_29"), doc._body)
    added = aside.insert_paragraph_before("فقرة جديدة أضافها المحرر ", style=aside.style)
    added.add_run("بخط عريض").bold = True
    added.add_run(".")
    aside._p.addnext(added._p)  # after it, as Enter at its end makes it
    item = _keyed(doc, "_Src_0_14")  # a list item deleted (أوزبكستان)
    item.getparent().remove(item)
    notes = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/footnotes"))
    root = etree.fromstring(notes.blob)
    for t in root.iter(qn("w:t")):
        if "مقسوماً على" in (t.text or ""):
            t.text = t.text.replace("مقسوماً على", "مقسوماً بالتساوي على")  # a footnote edited
    notes._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    doc.save(str(dst))


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> dict:
    """The tiny edition (a copy), its Word book, the book edited with python-docx, and that file
    saved again by LibreOffice (when installed)."""
    tmp = tmp_path_factory.mktemp("word-edits")
    edition = tmp / "mini"
    shutil.copytree(MINI, edition)
    built = build_docx(edition, tmp / "out")
    files = {"edition": edition, "built": built, "python-docx": tmp / "edited.docx"}
    edit_like_an_editor(built, files["python-docx"])
    if OFFICE:
        lo = tmp / "lo"
        subprocess.run([OFFICE, "--headless", f"-env:UserInstallation=file://{tmp}/lo-profile",
                        "--convert-to", "docx", "--outdir", str(lo), str(files["python-docx"])],
                       check=True, capture_output=True, timeout=240)
        files["libreoffice"] = lo / "edited.docx"
    return files


def _changes(result, name: str) -> list[tuple[str, str]]:
    """(removed, added) lines of one source file, from the import's unified diff."""
    path = next(p for p in result.old if p.as_posix().endswith(name))
    diff = list(difflib.ndiff(result.old[path], result.new[path]))
    return [(line[0], line[2:]) for line in diff if line[:1] in "+-"]


@pytest.mark.parametrize("saved_by", ["python-docx", "libreoffice"])
def test_the_edits_become_edits_of_the_right_source_lines(edited, saved_by):
    if saved_by not in edited:
        pytest.skip("LibreOffice is not installed")
    result = import_edition(edited[saved_by], edited["edition"])
    assert _changes(result, REPORT) == [
        ("-", "يبين [[ref:population-chart]] عدد سكان ثلاث دول من آسيا الوسطى، ويعرض "
              "[[ref:indicators]] القيم نفسها مع **الناتج المحلي الإجمالي** بالأسعار "
              "*الجارية*.[^gdp]"),
        ("+", "يبين [[ref:population-chart]] عدد سكان ثلاث جمهوريات من آسيا الوسطى، ويعرض "
              "[[ref:indicators]] القيم نفسها مع **الناتج المحلي الإجمالي** بالأسعار "
              "*الجارية*.[^gdp]"),
        ("-", "2. أوزبكستان"),
        ("+", ""),
        ("+", "فقرة جديدة أضافها المحرر **بخط عريض**."),
        ("-", "[^gdp]: الناتج المحلي الإجمالي مقسوماً على عدد السكان."),
        ("+", "[^gdp]: الناتج المحلي الإجمالي مقسوماً بالتساوي على عدد السكان."),
    ]
    assert _changes(result, "figures/population-chart.yaml") == [
        ("-", "caption: عدد السكان، 2021م–2022م"), ("+", "caption: سكان الدول، 2021م–2022م")]
    assert _changes(result, ANNEX) == [
        ("-", "The five Central Asian republics are shown in [[ref:population-chart]]. This "
              "paragraph stays *left to right*."),
        ("+", "The five Central Asian republics are drawn in [[ref:population-chart]]. This "
              "paragraph stays *left to right*."),
    ]
    # the overtyped number: a conflict with both values and the line; its expression is kept
    [conflict] = result.conflicts
    assert conflict.startswith(f"{edited['edition'] / REPORT}:11: ")
    assert "«35.3 مليون نسمة»" in conflict and "«36 مليون نسمة»" in conflict
    assert '{{ value("population", "UZB", 2022, unit=True) }}' in conflict
    assert result.not_carried == []
    assert "+فقرة جديدة أضافها المحرر **بخط عريض**." in result.diff()


def test_applied_edits_rebuild_the_edited_text(edited, tmp_path):
    """--apply writes the sources; the next build prints what the editor typed (but the
    conflicting number, which stays bound to the data); a second import finds only the conflict."""
    edition, run, source, rebuilt, wanted = apply_and_rebuild(edited, tmp_path)
    assert run.returncode == 1, run.stderr  # 1: a conflict is left for the editor
    assert f"wrote {edition / REPORT}" in run.stdout
    assert [p.text for p in rebuilt["notes"]] == [p.text for p in wanted["notes"]]
    expected = [p.text.replace("بنحو 36 مليون", "بنحو 35.3 مليون") for p in wanted["body"]]
    assert [p.text for p in rebuilt["body"]] == expected
    bold = next(p for p in rebuilt["body"] if p.text.startswith("فقرة جديدة"))
    assert "".join(ch for ch, (b, _) in zip(bold.text, bold.marks) if b) == "بخط عريض"
    again = import_edition(source, edition)
    assert again.diff() == "" and len(again.conflicts) == 1


def test_without_apply_nothing_is_written(edited):
    before = {p: p.read_bytes() for p in (edited["edition"] / "text").iterdir()}
    run = subprocess.run([sys.executable, str(ROOT / "make_book.py"), "--edition",
                          str(edited["edition"]), "--import-docx", str(edited["python-docx"])],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert "+فقرة جديدة أضافها المحرر **بخط عريض**." in run.stdout
    assert "conflict: " in run.stdout and "1 conflict(s)" in run.stdout
    assert {p: p.read_bytes() for p in (edited["edition"] / "text").iterdir()} == before


def test_an_unchanged_book_imports_to_nothing(edited):
    result = import_edition(edited["built"], edited["edition"])
    assert result.diff() == "" and result.conflicts == [] and result.not_carried == []


def test_what_cannot_be_carried_back_is_listed_with_its_place(edited, tmp_path):
    doc = Document(str(edited["built"]))
    _retype(_keyed(doc, "_Src_0_7"), "شكل ", "صورة ")  # a caption's computed label
    cells = [p for p in doc.element.body.iter(qn("w:p"))
             if any(a.tag == qn("w:tc") for a in p.iterancestors())]
    _retype(next(c for c in cells if "225.8" in "".join(t.text for t in c.iter(qn("w:t")))),
            "225.8", "226")  # a number in a data table
    _retype(_keyed(doc, "_Src_0_5"), "شكل 1", "شكل 2")  # a computed reference
    notes = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/footnotes"))
    root = etree.fromstring(notes.blob)
    for p in root.iter(qn("w:p")):  # a footnote's text deleted, its call left
        if "مقسوماً" in "".join(t.text for t in p.iter(qn("w:t"))):
            p.getparent().remove(p)
    notes._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    path = tmp_path / "other.docx"
    doc.save(str(path))
    result = import_edition(path, edited["edition"])
    report = result.report()
    place = edited["edition"] / REPORT
    assert f"{place}:7: the computed number «شكل 1:» was changed" in report
    assert f"{place}:19: «225.8» was changed to «226» outside the text" in report
    assert f"{place}:5: «شكل 1» ([[ref:population-chart]]) was edited to «شكل 2»" in report
    assert f"{place}:42: the footnote text «الناتج المحلي الإجمالي مقسوماً" in report  # [^gdp]:
    assert len(result.not_carried) == 4 and result.diff() == ""  # nothing else changes


def test_a_file_that_is_not_word_is_one_error(edited, tmp_path):
    bad = tmp_path / "notes.docx"
    bad.write_text("not a Word file", encoding="utf-8")
    run = subprocess.run([sys.executable, str(ROOT / "make_book.py"), "--edition",
                          str(edited["edition"]), "--import-docx", str(bad)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and run.stderr.startswith(f"error: {bad}: cannot read it")
    assert "Traceback" not in run.stderr


def _append_to_every_paragraph(src: Path, dst: Path, word: str) -> int:
    """Append ``word`` to every paragraph written from a text line (captions aside), in the body
    and the footnotes; returns how many source lines that edits."""
    doc = Document(str(src))
    keys = set()

    def append(root) -> None:
        for p in root.iter(qn("w:p")):
            style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if style is not None and style.get(qn("w:val")) == "Caption":
                continue
            texts = [t for t in p.iter(qn("w:t")) if (t.text or "").strip()]
            names = [b.get(qn("w:name")) for b in p.iter(qn("w:bookmarkStart"))
                     if b.get(qn("w:name")).startswith("_Src_")]
            if texts and names:
                texts[-1].text += word
                keys.add(names[0])

    append(doc.element.body)
    notes = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/footnotes"))
    root = etree.fromstring(notes.blob)
    append(root)
    notes._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    doc.save(str(dst))
    return len(keys)


@pytest.mark.skipif(not OFFICE, reason="LibreOffice is not installed")
def test_every_paragraph_of_the_default_edition_comes_back(tmp_path):
    """The default edition, every text paragraph, heading, list item and footnote edited, saved
    by LibreOffice (which renames the footnotes' bookmarks «…_Copy_1»): each edit reaches its
    line and the rebuilt book prints the edited text (the contents, which Word and the build
    update from the headings, aside)."""
    edition = tmp_path / "edition"
    shutil.copytree(ROOT / "sources" / "gcc-central-asia-2023", edition)
    edited = tmp_path / "edited.docx"
    count = _append_to_every_paragraph(build_docx(edition, tmp_path / "out"), edited, " وكذلك")
    assert count > 300
    subprocess.run([OFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "docx", "--outdir", str(tmp_path / "lo"), str(edited)],
                   check=True, capture_output=True, timeout=240)
    result = import_edition(tmp_path / "lo" / "edited.docx", edition)
    assert result.conflicts == [] and result.not_carried == []
    added = [line for line in result.diff().splitlines() if line.startswith("+") and
             not line.startswith("+++")]
    assert len(added) == count
    assert all("وكذلك" in line for line in added)
    result.apply()
    rebuilt = read_paragraphs(build_docx(edition, tmp_path / "again"))
    wanted = read_paragraphs(edited)
    assert ([p.text for p in rebuilt["body"] if not p.text.endswith("\t")]
            == [p.text for p in wanted["body"] if not p.text.endswith("\t")])
    assert [p.text for p in rebuilt["notes"] if p.key] == [p.text for p in wanted["notes"] if p.key]
    # a footnote called twice is one note (its second call prints its number only)
    assert not [p.text for p in rebuilt["notes"] if not p.key]


MORE = """
## بنى أخرى {#more}

- > اقتباس هو أول البند.

1. بند مرقم.

   > اقتباس في بند مرقم
   > على سطرين.

سطر أول من فقرة طويلة
وسطر ثان منها فيه {{ value("population", "UZB", 2022) }} مليون
وسطر ثالث.

نص فيه حاشية طويلة.[^long]

[^long]: الفقرة الأولى من الحاشية.
"""


def test_quotes_in_list_items_long_paragraphs_notes_and_cells(tmp_path):
    """Structures the default edition lacks: quotes inside list items (one on the item's line,
    one on two «>» lines), a paragraph on three lines (only the edited line changes), a
    paragraph added to a footnote (an indented paragraph of its definition), a paragraph added
    in a quote, a Markdown table's cell and a text table's header cell."""
    from word_editor import WordEditor
    edition = tmp_path / "mini"
    shutil.copytree(MINI, edition)
    report = edition / REPORT
    report.write_text(report.read_text(encoding="utf-8") + MORE, encoding="utf-8")
    (edition / "tables" / "words.yaml").write_text(
        "caption: كلمات\nheader: [الكلمة, معناها]\nrows:\n  - [قمة, لقاء]\n", encoding="utf-8")
    report.write_text(report.read_text(encoding="utf-8") + "\n[[table:words]]\n",
                      encoding="utf-8")
    lines = report.read_text(encoding="utf-8").splitlines()
    at = {text: n for n, text in enumerate(lines, 1)}
    e = WordEditor(build_docx(edition, tmp_path / "out"))
    e.retype(e.keyed(f"_Src_0_{at['- > اقتباس هو أول البند.']}"), "أول", "بداية")
    quote = e.keyed(f"_Src_0_{at['   > اقتباس في بند مرقم']}")
    e.retype(quote, "على سطرين", "على سطرين معدلين")
    e.add_after(quote, "اقتباس مضاف.")
    e.retype(e.keyed(f"_Src_0_{at['سطر أول من فقرة طويلة']}"), "ثان منها", "ثان منها معدل")
    e.add_after(e.keyed(f"_Src_0_{at['[^long]: الفقرة الأولى من الحاشية.']}"),
                "فقرة ثانية في الحاشية.")
    e.retype(e.containing("البند", in_table=True), "البند", "البند المعدل")  # Markdown table
    e.retype(e.containing("الكلمة", in_table=True), "الكلمة", "الكلمة: المفردة")  # needs quotes
    e.bold(e.containing("لقاء", in_table=True), "لقاء")  # bold has no place in a YAML cell
    result = import_edition(e.save(tmp_path / "edited.docx"), edition)
    assert result.conflicts == []
    assert result.not_carried == [f"{edition / 'tables' / 'words.yaml'}:4: bold or italic in a "
                                  "table cell «لقاء» has no place in the table's specification; "
                                  "the text is carried back"]
    new = result.new[report]
    assert new[at["- > اقتباس هو أول البند."] - 1] == "- > اقتباس هو بداية البند."
    n = at["   > اقتباس في بند مرقم"]
    assert new[n - 1:n + 3] == ["   > اقتباس في بند مرقم", "   > على سطرين معدلين.", "   >",
                                "   > اقتباس مضاف."]
    n = at["سطر أول من فقرة طويلة"] + 2  # after the two lines the quote gained
    assert new[n - 1:n + 2] == [
        "سطر أول من فقرة طويلة",
        'وسطر ثان منها معدل فيه {{ value("population", "UZB", 2022) }} مليون', "وسطر ثالث."]
    assert new[-5:-2] == ["[^long]: الفقرة الأولى من الحاشية.", "", "    فقرة ثانية في الحاشية."]
    assert "| البند المعدل | القيمة |" in new
    assert result.new[edition / "tables" / "words.yaml"][1] == \
        'header: ["الكلمة: المفردة", معناها]'
    result.apply()
    rebuilt = read_paragraphs(build_docx(edition, tmp_path / "again"))
    wanted = read_paragraphs(tmp_path / "edited.docx")
    assert [p.text for p in rebuilt["body"]] == [p.text for p in wanted["body"]]
    assert [p.text for p in rebuilt["notes"]] == [p.text for p in wanted["notes"]]
