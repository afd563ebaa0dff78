"""Reading a .docx back as a reader sees it, from its XML: paragraph texts in document order with
the numbers Word generates itself put in (list numbers from ``numbering.xml``, footnote reference
marks), and the footnotes' texts. Field results are their cached text.

This is no layout engine: it knows the few numbering formats the writer uses and fails loudly
on any other, so a new format cannot slip through unread.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# w:numFmt values (ECMA-376 §17.18.59) the book uses, as digits of a number
FORMATS = {
    "decimal": lambda n: str(n),
    "hindiNumbers": lambda n: str(n).translate(_INDIC),
    "lowerLetter": lambda n: "abcdefghijklmnopqrstuvwxyz"[n - 1],
    "upperLetter": lambda n: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n - 1],
    "arabicAlpha": lambda n: "أبتثجحخدذرزسشصضطظعغفقكلمنهوي"[n - 1],
    "arabicAbjad": lambda n: "أبجدهوزحطيكلمنسعفصقرشتثخذضظغ"[n - 1],
    "lowerRoman": lambda n: ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"][n - 1],
}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass
class DocxView:
    """The reader's view: ``body`` (style, text) per paragraph from the first Heading 1 on (the
    cover and the contents left out), ``footnotes`` the footnotes' texts with their marks."""

    body: list[tuple[str, str]] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join([t for _, t in self.body] + self.footnotes)


class _Lists:
    """Word's list numbering: a counter per (list, level); a level's counter restarts when a
    shallower level of the same list advances."""

    def __init__(self, numbering: etree._Element | None):
        self.abstract = {}
        self.nums = {}
        self.counters: dict[tuple[str, int], int] = {}
        if numbering is None:
            return
        for a in numbering.findall("w:abstractNum", NS):
            self.abstract[a.get(w("abstractNumId"))] = {
                int(lvl.get(w("ilvl"))): lvl for lvl in a.findall("w:lvl", NS)}
        for n in numbering.findall("w:num", NS):
            starts = {int(o.get(w("ilvl"))): int(o.find("w:startOverride", NS).get(w("val")))
                      for o in n.findall("w:lvlOverride", NS)
                      if o.find("w:startOverride", NS) is not None}
            self.nums[n.get(w("numId"))] = (n.find("w:abstractNumId", NS).get(w("val")), starts)

    def marker(self, num_id: str, level: int) -> str:
        abstract_id, starts = self.nums[num_id]
        lvl = self.abstract[abstract_id][level]
        fmt = lvl.find("w:numFmt", NS).get(w("val"))
        text = lvl.find("w:lvlText", NS).get(w("val"))
        if fmt == "bullet":
            return text
        if fmt not in FORMATS:
            raise AssertionError(f"numbering format {fmt!r} is not known to this reader")
        start = starts.get(level, int(lvl.find("w:start", NS).get(w("val"))
                                      if lvl.find("w:start", NS) is not None else 1))
        key = (num_id, level)
        self.counters[key] = self.counters.get(key, start - 1) + 1
        for (other, deeper) in list(self.counters):  # deeper levels of this list restart
            if other == num_id and deeper > level:
                del self.counters[(other, deeper)]
        return re.sub(r"%\d", FORMATS[fmt](self.counters[key]), text)


def _footnote_format(pr: etree._Element | None, default: str = "decimal") -> str:
    """The ``w:numFmt`` of a ``w:footnotePr`` (of the settings, or of a section, §17.11.12)."""
    fmt = pr.find("w:footnotePr/w:numFmt", NS) if pr is not None else None
    return fmt.get(w("val")) if fmt is not None else default


def _sections(document) -> list[tuple[set, etree._Element]]:
    """Each section's paragraphs (as a set of elements) with its ``w:sectPr``."""
    out, current = [], set()
    for p in document.iter(w("p")):
        current.add(p)
        sect = p.find("w:pPr/w:sectPr", NS)
        if sect is not None:
            out.append((current, sect))
            current = set()
    out.append((current, document.find("w:body/w:sectPr", NS)))
    return out


def _paragraph_text(p, note_mark) -> str:
    out = []
    for el in p.iter(w("t"), w("footnoteReference"), w("footnoteRef"), w("tab"), w("br")):
        if el.tag == w("t"):
            out.append(el.text or "")
        elif el.tag in (w("footnoteReference"), w("footnoteRef")):
            out.append((" " if el.tag == w("footnoteReference") else "") + note_mark(el))
        else:
            out.append(" ")
    return "".join(out)


def _with_marker(p, text: str, lists: _Lists) -> str:
    """A list item's paragraph with its generated number or bullet first."""
    num = p.find("w:pPr/w:numPr", NS)
    if num is None:
        return text
    return lists.marker(num.find("w:numId", NS).get(w("val")),
                        int(num.find("w:ilvl", NS).get(w("val")))) + " " + text


def read_docx(path: Path) -> DocxView:
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())

        def xml(name):
            return etree.fromstring(z.read(name)) if name in names else None

        document, numbering = xml("word/document.xml"), xml("word/numbering.xml")
        footnotes, settings = xml("word/footnotes.xml"), xml("word/settings.xml")
    default = _footnote_format(settings)
    sections = _sections(document)
    numbers: dict[str, str] = {}

    def note_mark(el) -> str:
        """A footnote's mark: its number in document order, in its section's footnote format
        (a space before a reference mark: a reader sees the superscript apart)."""
        ident = el.get(w("id"))
        if ident is None:  # the mark inside the footnote itself
            return numbers[current_note[0]]
        paragraph = next(a for a in el.iterancestors(w("p")))
        sect = next(sect for paragraphs, sect in sections if paragraph in paragraphs)
        numbers.setdefault(ident, FORMATS[_footnote_format(sect, default)](len(numbers) + 1))
        return numbers[ident]

    current_note = [""]
    lists = _Lists(numbering)
    view = DocxView()
    started = False
    for p in document.iter(w("p")):
        style_el = p.find("w:pPr/w:pStyle", NS)
        style = style_el.get(w("val")) if style_el is not None else "Normal"
        started = started or style == "Heading1"
        if not started:
            continue
        view.body.append((style, _with_marker(p, _paragraph_text(p, note_mark), lists)))
    if footnotes is not None:
        for note in footnotes.findall("w:footnote", NS):
            if note.get(w("type")) in ("separator", "continuationSeparator"):
                continue
            current_note[0] = note.get(w("id"))
            view.footnotes.append("\n".join(_with_marker(p, _paragraph_text(p, note_mark), lists)
                                            for p in note.iter(w("p"))))
    return view
