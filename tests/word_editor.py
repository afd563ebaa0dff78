"""Edit a built Word book as an editor does in Word, with python-docx and lxml: retype words, make a
word bold, add, delete and split paragraphs (Enter), delete a footnote call (Word deletes its
note), edit a table cell. Paragraphs are found by the hidden source bookmark ``_Src_<part>_<line>``
the writer puts around them, or by their text."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from lxml import etree


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


class WordEditor:
    def __init__(self, path: Path):
        self.doc = Document(str(path))
        self.notes_part = next(r.target_part for r in self.doc.part.rels.values()
                               if r.reltype.endswith("/footnotes"))
        self.notes = etree.fromstring(self.notes_part.blob)

    # ------------------------------------------------------------ finding
    def paragraphs(self):
        yield from self.doc.element.body.iter(qn("w:p"))
        yield from self.notes.iter(qn("w:p"))

    def keyed(self, key: str):
        """The paragraph whose source bookmark is ``key`` (in the body or the footnotes)."""
        for p in self.paragraphs():
            if any(b.get(qn("w:name")) == key for b in p.iter(qn("w:bookmarkStart"))):
                return p
        raise KeyError(key)

    def containing(self, text: str, in_table: bool | None = None):
        """The first paragraph whose text contains ``text``."""
        for p in self.paragraphs():
            cell = any(a.tag == qn("w:tc") for a in p.iterancestors())
            if text in _text(p) and (in_table is None or cell == in_table):
                return p
        raise KeyError(text)

    @staticmethod
    def _t(p, old: str):
        for t in p.iter(qn("w:t")):
            if old in (t.text or ""):
                return t
        raise KeyError(f"{old!r} is not in one run of «{_text(p)}»")

    # ------------------------------------------------------------ edits
    def retype(self, p, old: str, new: str) -> None:
        """Replace ``old`` (within one run) by ``new``, as typing over a selection does."""
        t = self._t(p, old)
        t.text = t.text.replace(old, new, 1)
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    def _cut(self, p, word: str):
        """Split the run holding ``word`` into before / word / after runs; returns the word's."""
        t = self._t(p, word)
        r = t.getparent()
        before, after = t.text.split(word, 1)
        pieces = []
        for text in (before, word, after):
            new = copy.deepcopy(r)
            new_t = new.find(qn("w:t"))
            new_t.text = text
            new_t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            pieces.append(new)
        for new in pieces:
            r.addprevious(new)
        r.getparent().remove(r)
        return pieces[1]

    def bold(self, p, word: str) -> None:
        """Make ``word`` bold (Ctrl+B on a selection): direct ``w:b``/``w:bCs`` on its run."""
        r = self._cut(p, word)
        rpr = r.find(qn("w:rPr"))
        if rpr is None:
            rpr = etree.SubElement(r, qn("w:rPr"))
            r.insert(0, rpr)
        for tag in ("w:bCs", "w:b"):
            rpr.insert(0, etree.Element(qn(tag)))

    def add_after(self, p, text: str, bold: str = "") -> object:
        """A new paragraph after ``p`` in its style (Enter at its end, then typing), with no
        bookmark: ``text``, then ``bold`` typed in bold."""
        new = etree.Element(qn("w:p"))
        ppr = p.find(qn("w:pPr"))
        if ppr is not None:
            new.append(copy.deepcopy(ppr))
        for part, strong in ((text, False), (bold, True)):
            if not part:
                continue
            r = etree.SubElement(new, qn("w:r"))
            if strong:
                rpr = etree.SubElement(r, qn("w:rPr"))
                etree.SubElement(rpr, qn("w:b"))
                etree.SubElement(rpr, qn("w:bCs"))
            t = etree.SubElement(r, qn("w:t"))
            t.text = part
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        p.addnext(new)
        return new

    def delete(self, p) -> None:
        p.getparent().remove(p)

    def split(self, p, at: str) -> object:
        """Enter typed just before ``at``: the runs from there on move to a new paragraph with
        the same properties (the source bookmark's end goes with them, as in Word)."""
        first = self._cut(p, at) if not _text(p).startswith(at) else self._t(p, at).getparent()
        new = etree.Element(qn("w:p"))
        ppr = p.find(qn("w:pPr"))
        if ppr is not None:
            new.append(copy.deepcopy(ppr))
        moving = [first, *first.itersiblings()]
        for el in moving:
            new.append(el)
        p.addnext(new)
        return new

    def delete_note_call(self, p) -> None:
        """Delete the footnote call of ``p`` (its first): Word removes the note with it."""
        ref = next(p.iter(qn("w:footnoteReference")))
        ident = ref.get(qn("w:id"))
        r = ref.getparent()
        r.getparent().remove(r)
        for fn in self.notes.iter(qn("w:footnote")):
            if fn.get(qn("w:id")) == ident:
                fn.getparent().remove(fn)

    def save(self, path: Path) -> Path:
        self.notes_part._blob = etree.tostring(self.notes, xml_declaration=True,
                                               encoding="UTF-8", standalone=True)
        self.doc.save(str(path))
        return path



def build_docx(edition: Path, out: Path) -> Path:
    """The Word book of ``edition`` (charts as pictures: the edits are in the text)."""
    from briefing.build import build

    return build(edition, out, ("docx",), workers=1, word_charts="picture")[0]


def apply_and_rebuild(files: dict[str, Path], work: Path):
    """``briefing --import-docx EDITED --apply`` as an editor runs it, on a copy of
    ``files["edition"]`` made in ``work`` (the LibreOffice-saved file when there is one), then
    the Word book rebuilt from it: (the copy, the finished import, the edited file, the rebuilt
    book's paragraphs, the edited book's paragraphs; :func:`read_paragraphs`)."""
    from briefing.editions.word_edits import read_paragraphs
    from paths import ROOT

    edited = files.get("libreoffice", files["python-docx"])
    edition = work / files["edition"].name
    shutil.copytree(files["edition"], edition)
    run = subprocess.run([sys.executable, str(ROOT / "make_book.py"), "--edition", str(edition),
                          "--import-docx", str(edited), "--apply"],
                         capture_output=True, text=True, timeout=600)
    return (edition, run, edited, read_paragraphs(build_docx(edition, work / "out")),
            read_paragraphs(files["python-docx"]))
