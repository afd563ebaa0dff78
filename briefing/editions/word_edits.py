"""Word edits flow back into the sources (issue 19): ``briefing --import-docx EDITED.docx``.

In: an edited copy of the Word book and the edition folder. Out: edits of the Markdown lines of
the text parts (a unified diff, or the files rewritten all at once with ``apply``) and a report of
what could not be carried back, each with its file:line.

Paragraphs are matched with the document the sources produce now by the hidden ``_Src_<part>_<line>``
bookmarks the Word writer puts around every paragraph written from a block
(:func:`briefing.writers.docx.source_bookmark`; they survive Word and LibreOffice saves), then by
their text. Within a changed paragraph the printed text is aligned with its Markdown: literal
text is edited in place, bold and italic runs become ``**``/``*``, and a number printed from a
``{{ … }}`` expression stays an expression: typed over, it is reported as a conflict (both values
and the line) and kept. A paragraph keeps its Markdown lines (a three-line paragraph edited on
its second line changes that line), its container (list item, quote, footnote: a paragraph added
after it goes in it) and is cut in two where Enter was typed in it; a deleted footnote call takes
its definition with it. Table cells are matched by their place: a text table's cell is its YAML
scalar (rewritten in place, the rest of ``tables/<id>.yaml`` untouched), a Markdown table's its
cell of the row's line. Bidi isolates (U+2066–U+2069), the title breaks' joiners, spaces at a
paragraph's end and the contents are ignored when texts are compared.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
import yaml
from lxml import etree

from .. import model as m
from ..errors import SourceError

NOTE = "\ufffc"  # a footnote call, as one character of a paragraph's text
# invisible marks the build adds (directions: bidi isolates; sources/title_breaks: a word
# joiner in a range, a no-break space before a title's last word) are not the editor's text
_ISOLATES = str.maketrans({**dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u2060\u200f")),
                           0x00A0: " "})
# a source bookmark; LibreOffice may add "_Copy_1" to those in footnotes when it saves
_SOURCE = re.compile(r"(_Src_\d+_\d+)(?:_|$)")
_BOLD_STYLES = {"Strong", "StrongEmphasis"}
# the contents' paragraphs (Word's TOC1…TOC9 and heading, LibreOffice's Contents1… when it saves),
# which Word and the build make from the headings
_CONTENTS = re.compile(r"^(?:TOC|Contents)(?:\d|Heading)")
_ITALIC_STYLES = {"Emphasis", "StrongEmphasis"}


@dataclass(frozen=True)
class DocxParagraph:
    """One paragraph of a .docx as the importer compares it: its source bookmark (or None), its
    text (isolates removed, a footnote call as :data:`NOTE`) and per character (bold, italic)."""

    key: str | None
    text: str
    marks: tuple[tuple[bool, bool], ...]
    numbered: bool
    in_table: bool
    style: str = ""  # the paragraph style's id (w:pStyle)
    note: str | None = None  # in the footnotes: the w:id of its footnote
    cell: tuple[int, int, int] | None = None  # in a table: (table, row, column), from 0


def read_paragraphs(path: Path) -> dict[str, list[DocxParagraph]]:
    """The paragraphs of the body and of the footnotes (``{"body": […], "notes": […]}``), in
    document order (table cells included). Raises SourceError if the file is not a .docx."""
    try:
        doc = Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        raise SourceError(f"cannot read it as a Word document ({exc})", file=path) from None
    notes_root = None
    for rel in doc.part.rels.values():
        if rel.reltype == RT.FOOTNOTES:
            notes_root = etree.fromstring(rel.target_part.blob)
    body = doc.element.body
    cells = {p: (t, r, c) for t, tbl in enumerate(body.iter(qn("w:tbl")))
             for r, tr in enumerate(tbl.iterchildren(qn("w:tr")))
             for c, tc in enumerate(tr.iterchildren(qn("w:tc"))) for p in tc.iter(qn("w:p"))}
    return {"body": [_paragraph(p, cell=cells.get(p)) for p in body.iter(qn("w:p"))
                     if not _CONTENTS.match(_style(p))],
            "notes": [] if notes_root is None else
            [_paragraph(p, note=fn.get(qn("w:id"))) for fn in notes_root.iter(qn("w:footnote"))
             if fn.get(qn("w:type")) is None for p in fn.iter(qn("w:p"))]}  # not separators


def _paragraph(p, note: str | None = None, cell=None) -> DocxParagraph:
    key, chars, marks = None, [], []
    for el in p.iter(qn("w:bookmarkStart"), qn("w:r")):
        if el.tag == qn("w:bookmarkStart"):
            source = _SOURCE.match(el.get(qn("w:name"), ""))
            if key is None and source:
                key = source.group(1)
            continue
        mark = _run_marks(el)
        style = el.find(f"{qn('w:rPr')}/{qn('w:rStyle')}")
        # a note called a second time is printed as its number in the call's style, no footnote
        # (LibreOffice saves that style as «FootnoteCharacters» or «FootnoteAnchor»)
        repeat = style is not None and style.get(qn("w:val")) in (
            "FootnoteReference", "FootnoteCharacters", "FootnoteAnchor")
        for child in el:
            text = ""
            if child.tag == qn("w:t") and repeat:
                # a repeated call's number; the separator between calls is the book's, not typed
                text = NOTE if any(c.isdigit() for c in child.text or "") else ""
            elif child.tag == qn("w:t"):
                text = (child.text or "").translate(_ISOLATES)
            elif child.tag == qn("w:tab"):
                text = "\t"
            elif child.tag == qn("w:br"):
                text = "\n"
            elif child.tag == qn("w:footnoteReference"):
                text = NOTE
            chars.append(text)
            marks += [mark] * len(text)
    # spaces at a paragraph's end print nothing, and Markdown cannot keep them (Enter typed
    # after a space leaves one)
    text = "".join(chars).rstrip(" ")
    marks = marks[:len(text)]
    numbered = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None
    in_table = any(a.tag == qn("w:tc") for a in p.iterancestors())
    return DocxParagraph(key, text, tuple(marks), numbered, in_table, _style(p), note, cell)


def _style(p) -> str:
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return "" if style is None else style.get(qn("w:val"), "")


def _run_marks(r) -> tuple[bool, bool]:
    rpr = r.find(qn("w:rPr"))
    if rpr is None:
        return False, False
    style = rpr.find(qn("w:rStyle"))
    style = style.get(qn("w:val")) if style is not None else ""

    def on(tags) -> bool:
        for tag in tags:
            el = rpr.find(qn(tag))
            if el is not None:
                return el.get(qn("w:val"), "true") not in ("0", "false", "off")
        return False
    return (on(("w:b", "w:bCs")) or style in _BOLD_STYLES,
            on(("w:i", "w:iCs")) or style in _ITALIC_STYLES)


# ---------------------------------------------------------------- the sources of a paragraph


@dataclass(frozen=True)
class Span:
    """The lines of a block in its Markdown file: ``first``..``last`` (1-based, inclusive), the
    text before (``#``, list marker, quote markers, footnote label) and after (``{#id}``) the
    content, and the text before the content on each continuation line (``leads``: its indent
    and quote markers). ``content`` joins the lines' contents with newlines."""

    file: Path
    first: int
    last: int
    prefix: str
    content: str
    suffix: str
    leads: tuple[str, ...] = ()

    def lines(self, body: str) -> list[str]:
        """The block's lines with a new content ``body``: a newline of ``body`` (one the
        paragraph kept) starts a line with the lead the old line there had."""
        out = (self.prefix + body + self.suffix).split("\n")
        leads = self.leads or (self.container(),)
        return out[:1] + [leads[min(k, len(leads) - 1)] + line for k, line in enumerate(out[1:])]

    def container(self) -> str:
        """What a new paragraph of the same container (list item, quote, footnote) starts
        with: the prefix with its list marker or footnote label as spaces, its quote markers
        kept, and no heading marker."""
        out, pos = [], 0
        while (marker := _CONTAINER.match(self.prefix, pos)) and marker.end() > pos:
            out.append(marker.group() if ">" in marker.group() else " " * len(marker.group()))
            pos = marker.end()
        return "".join(out) + ("    " if _NOTE_LABEL.match(self.prefix, pos) else "")


# CommonMark's container markers (a quote's «>», a list item's «-», «1.») and the markers of a
# leaf (a heading's «#», a footnote definition's label)
_CONTAINER = re.compile(r"\s*(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)")
_NOTE_LABEL = re.compile(r"\s*\[\^[^\]]+\]:[ \t]*")
_BLOCK_PREFIX = re.compile(r"^((?:\s*(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+))*\s*"
                           r"(?:#{1,6}[ \t]+|\[\^[^\]]+\]:[ \t]*)?)")
_QUOTE_LEAD = re.compile(r"^\s*(?:>[ \t]?\s*)*")
_STARTS_BLOCK = re.compile(r"^\s*(?:>|#{1,6}\s|[-*+]\s|\d+[.)]\s|\[\^[^\]]+\]:|:::|\|)")
_HEADING_SUFFIX = re.compile(r"\s*\{[^{}]*\}\s*$")


def block_span(lines: list[str], file: Path, line: int) -> Span:
    """The span of the block starting at ``line``: its first line and the continuation lines up
    to an empty line or the start of another block (a quote's continuation lines repeat its
    «>» markers: CommonMark §5.1)."""
    first = lines[line - 1]
    prefix = _BLOCK_PREFIX.match(first).group(1)
    body, suffix = first[len(prefix):], ""
    if prefix.lstrip().startswith("#"):
        match = _HEADING_SUFFIX.search(body)
        if match:
            body, suffix = body[:match.start()], body[match.start():]
        return Span(file, line, line, prefix, body, suffix)
    depth = prefix.count(">")
    last, leads = line, []
    while last < len(lines) and lines[last].strip():
        lead = _QUOTE_LEAD.match(lines[last]).group(0)
        rest = lines[last][len(lead):]
        if lead.count(">") not in (0, depth) or not rest.strip() or _STARTS_BLOCK.match(rest):
            break
        last += 1
        leads.append(lead)
        body += "\n" + rest.strip()
    return Span(file, line, last, prefix, body, suffix, tuple(leads))


# a paragraph's Markdown, cut into pieces that print as themselves (literal text), as a whole
# (expressions, references, footnote calls, links, code) or not at all (emphasis markers, Jinja
# statements and comments)
_PIECES = re.compile(r"(?P<expr>\{\{.*?\}\})|(?P<stmt>\{%.*?%\}|\{#.*?#\})"
                     r"|(?P<ref>\[\[ref:[^\]]+\]\])|(?P<note>\[\^[^\]]+\])"
                     r"|(?P<link>\[(?P<linktext>[^\]]*)\]\([^)]*\))|(?P<code>`[^`]*`)"
                     r"|(?P<mark>\*+|__+)|(?P<escape>\\.)", re.S)
# a specification's caption is plain text with expressions (briefing.sources.expressions)
_FIELD_PIECES = re.compile(r"(?P<expr>\{\{.*?\}\})|(?P<stmt>\{%.*?%\}|\{#.*?#\})", re.S)
# what the book may print for a typed character (directions.part_text: the part's digits and
# separators, U+2212 for a minus; sources.quotes: the language's quotation marks), one for one so
# that places in a text stay the same
_PRINTED = str.maketrans("٠١٢٣٤٥٦٧٨٩٫٬٪\u2212\n«»\u201c\u201d\u201e\u2018\u2019",
                         "0123456789.,%- \"\"\"\"\"''")
_PRINTED_FORMS = "٠١٢٣٤٥٦٧٨٩٫٬٪\u2212\"«»\u201c\u201d\u201e'\u2018\u2019"


@dataclass
class Piece:
    kind: str  # text, expr, stmt, ref, note, link, code, mark
    source: str
    printed: str = ""
    start: int = 0  # its place in the printed text
    end: int = 0


def _typed(piece: Piece) -> str:
    """The text a literal piece prints, before the book's conventions: escapes resolved."""
    return re.sub(r"\\(.)", r"\1", piece.source).replace("\n", " ")


def _literal_pattern(text: str) -> str:
    """A pattern for typed text as the book prints it: in the part's digits, a minus sign for a
    hyphen-minus, no space before a percent sign (:mod:`briefing.directions`), the language's
    quotation marks for any typed (:mod:`briefing.sources.quotes`)."""
    out = []
    for i, ch in enumerate(text):
        if ch == " " and text[i + 1:i + 2] in ("%", "\u066a"):
            out.append(" ?")
            continue
        forms = {ch, *(c for c in _PRINTED_FORMS
                       if c.translate(_PRINTED) == ch.translate(_PRINTED))}
        out.append(re.escape(ch) if len(forms) == 1 else
                   "[" + "".join(re.escape(c) for c in sorted(forms)) + "]")
    return "".join(out)


def pieces(content: str, printed: str, syntax: re.Pattern = _PIECES) -> list[Piece] | None:
    """The Markdown ``content`` (or, with ``syntax`` :data:`_FIELD_PIECES`, a caption) cut into
    pieces, each placed in the ``printed`` text (isolates removed); None when the two cannot be
    matched."""
    out: list[Piece] = []

    def literal(text: str) -> None:
        if out and out[-1].kind == "text":
            out[-1].source += text
        else:
            out.append(Piece("text", text))

    pos = 0
    for match in syntax.finditer(content):
        literal(content[pos:match.start()]) if match.start() > pos else None
        kind = match.lastgroup  # the outermost group: "link" around "linktext"
        if kind == "escape":
            literal(match.group(0))
        else:
            out.append(Piece(kind, match.group(0)))
        pos = match.end()
    if pos < len(content):
        literal(content[pos:])
    pattern = []
    for piece in out:
        if piece.kind == "text":
            pattern.append(f"({_literal_pattern(_typed(piece))})")
        elif piece.kind in ("expr", "ref"):
            pattern.append("(.*?)")
        elif piece.kind == "note":
            pattern.append(f"({NOTE})")
        elif piece.kind == "link":
            pattern.append(f"({re.escape(_PIECES.match(piece.source).group('linktext'))})")
        elif piece.kind == "code":
            pattern.append(f"({re.escape(piece.source.strip('`'))})")
        else:
            pattern.append("()")
    match = re.fullmatch("".join(pattern), printed, re.S)
    if match is None:
        return None
    for i, piece in enumerate(out):
        piece.start, piece.end = match.span(i + 1)
        piece.printed = printed[piece.start:piece.end]
    return out


def _chunks(piece: Piece) -> list[str]:
    """For each printed character of a literal piece, the Markdown it comes from: the character,
    with the typed characters the book does not print (an escape's backslash, a space before a
    percent sign) that precede it."""
    printed, source = piece.printed.translate(_PRINTED), piece.source.translate(_PRINTED)
    chunks = [""] * len(printed)
    done = 0
    matcher = difflib.SequenceMatcher(None, printed, source, autojunk=False)
    for i1, s1, size in matcher.get_matching_blocks():
        for k in range(size):
            chunks[i1 + k] = piece.source[done:s1 + k + 1]
            done = s1 + k + 1
    if chunks and done < len(source):
        chunks[-1] += piece.source[done:]
    return chunks


# ---------------------------------------------------------------- the import


@dataclass
class Import:
    """What an import found: per file the new lines, the conflicts and what cannot be carried
    back (each a line of text naming its file:line)."""

    old: dict[Path, list[str]] = field(default_factory=dict)
    new: dict[Path, list[str]] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    dropped_notes: set[tuple[str, str]] = field(default_factory=set)  # (file, «[^label]») deleted

    def diff(self) -> str:
        out = []
        for path, old in self.old.items():
            out += difflib.unified_diff(old, self.new[path], str(path), str(path), lineterm="")
        return "\n".join(out)

    def report(self) -> str:
        lines = [f"conflict: {c}" for c in self.conflicts]
        lines += [f"not carried back: {n}" for n in self.not_carried]
        changed = sum(1 for p in self.old if self.old[p] != self.new[p])
        lines.append(f"{changed} source file(s) change, {len(self.conflicts)} conflict(s), "
                     f"{len(self.not_carried)} edit(s) not carried back")
        return "\n".join(lines)

    def apply(self) -> list[Path]:
        """Write every changed file, all or nothing: each is written beside itself first, then
        all are renamed into place."""
        changed = [p for p in self.old if self.old[p] != self.new[p]]
        temps = []
        try:
            for path in changed:
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
                temps.append((Path(tmp), path))
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                    f.write("\n".join(self.new[path]) + "\n")
                os.chmod(tmp, path.stat().st_mode)
        except BaseException:
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)
            raise
        for tmp, path in temps:
            os.replace(tmp, path)
        return changed


@dataclass
class _Block:
    """A model block the Word book prints as a keyed paragraph."""

    kind: str  # paragraph, heading, caption
    where: m.Where
    prefix: str = ""  # a heading's number or a caption's label, as printed before its text
    spec: Path | None = None  # a caption's specification (figures/<id>.yaml, tables/<id>.yaml)


def _keyed_blocks(book: m.Book, root: Path) -> dict[str, _Block]:
    from ..writers.docx import source_bookmark
    out = {}
    for i, part in enumerate(book.parts):
        for node in m.walk(part):
            kind = {m.Paragraph: "paragraph", m.Heading: "heading", m.Figure: "caption",
                    m.Table: "caption"}.get(type(node))
            if not kind or not node.where.line:
                continue
            block = _Block(kind, node.where)
            if kind == "heading":
                block.prefix = node.prefix.translate(_ISOLATES)
            elif kind == "caption" and node.label is not None:
                block.prefix = f"{node.label}: ".translate(_ISOLATES)
                block.spec = root / ("tables" if isinstance(node, m.Table) else "figures") / \
                    f"{node.id}.yaml"
            out.setdefault(source_bookmark(i, node.where.line), block)
    return out


def _tables(book: m.Book, root: Path) -> list[tuple[m.Table, Path | None]]:
    """The book's tables in the order the Word writer writes them (one ``w:tbl`` each), with
    the specification of those placed by ``[[table:id]]`` (None for a Markdown table)."""
    return [(node, root / "tables" / f"{node.id}.yaml" if node.label is not None else None)
            for part in book.parts for node in m.walk(part) if isinstance(node, m.Table)]


def import_docx(edited: Path, current: Path, book: m.Book, root: Path) -> Import:
    """Compare ``edited`` with ``current`` (the .docx the sources make now, whose model is
    ``book``, of the edition folder ``root``) and turn the differences into edits of the text
    parts' lines, of the specifications' captions and of text tables' cells."""
    result = Import()
    for part in book.parts:
        path = Path(part.where.file)
        result.old[path] = path.read_text(encoding="utf-8").splitlines()
    work = _Work(_keyed_blocks(book, root), _tables(book, root), result)
    old_docs, new_docs = read_paragraphs(current), read_paragraphs(edited)
    for story in ("body", "notes"):
        work.compare(old_docs[story], new_docs[story], in_notes=story == "notes")
    for path in result.old:
        lines = list(result.old[path])
        changes = [(first, last, new) for p, first, last, new in work.edits if p == path]
        changes += [(after + 1, after, new) for p, after, new in work.inserts if p == path]
        for first, last, new in sorted(changes, key=lambda c: (c[0], c[1]), reverse=True):
            lines[first - 1:last] = new
        result.new[path] = lines
    return result


SPLIT = "\u2029"  # where the editor pressed Enter inside a paragraph (Unicode's paragraph separator)


@dataclass
class _Work:
    """One import under way: the keyed blocks and tables of the current book, the result, and
    the line edits found so far."""

    blocks: dict[str, _Block]
    tables: list[tuple[m.Table, Path | None]]
    result: Import
    edits: list[tuple[Path, int, int, list[str]]] = field(default_factory=list)  # first, last
    inserts: list[tuple[Path, int, list[str]]] = field(default_factory=list)  # after line

    def compare(self, old: list[DocxParagraph], new: list[DocxParagraph], in_notes: bool) -> None:
        """Align by content first (unchanged paragraphs, even when the sources' lines moved),
        then, among the paragraphs that differ, by source bookmark, and table cells by their
        place in their table. In the footnotes (``in_notes``) paragraphs are edited or added
        to a note; a footnote is removed or added with its call."""
        result = self.result
        repeated = {t for t, n in Counter(p.text for p in old).items() if n > 1}

        def token(p: DocxParagraph):
            # a text printed twice (a footnote called twice, a name in the text and in a table):
            # a paragraph from a text line is told apart from one that is not (a table cell,
            # the second copy of a footnote)
            return (p.text, p.key is not None) if p.text in repeated else p.text

        matcher = difflib.SequenceMatcher(None, [token(p) for p in old],
                                          [token(p) for p in new], autojunk=False)
        anchor = None  # the last kept paragraph with a source (block, its new paragraph)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            gone, added = old[i1:i2], new[j1:j2]
            pairs = list(zip(gone, added)) if op == "equal" else []
            if op != "equal":
                keyed = {p.key: p for p in gone if p.key}
                pairs = [(keyed.pop(p.key), p) for p in added if p.key in keyed]
            outside = _outside_edits(gone, added, pairs)
            paired_old = {id(a) for a, _ in pairs} | {id(a) for a, _ in outside}
            paired_new = {id(b): a for a, b in pairs} | {id(b): None for _, b in outside}
            for before, after in outside:
                self.outside(before, after, anchor)
            for p in gone:
                if id(p) in paired_old:
                    continue
                block = self.blocks.get(p.key) if p.key else None
                place = block.where if block else (anchor[0].where if anchor else
                                                   "the document")
                if block is not None and block.kind in ("paragraph", "heading") \
                        and not in_notes:
                    self.edits.append(_deletion(block, result))
                elif in_notes and block is not None and self.note_dropped(block):
                    self.edits.append(_deletion(block, result))
                elif in_notes and p.text.strip():
                    result.not_carried.append(
                        f"{place}: the footnote text «{_short(p.text)}» was removed: a footnote "
                        "goes with its call; to remove it, delete its call [^…] in the text and "
                        "its line [^…]: in the source")
                elif p.text.strip():
                    result.not_carried.append(
                        f"{place}: «{_short(p.text)}» was removed where the text has no line "
                        "of its own (a caption, table cell or chart): remove it in the source")
            skip = set()
            for n, p in enumerate(added):
                if id(p) in skip:
                    continue
                if id(p) in paired_new:
                    before = paired_new[id(p)]
                    block = self.blocks.get(before.key) if before and before.key else None
                    if block is None:
                        if before is not None and before.marks != p.marks:
                            self.outside(before, p, anchor)  # bold or italic only
                        continue
                    anchor = block, p
                    after = added[n + 1] if n + 1 < len(added) else None
                    if after is not None and id(after) not in paired_new \
                            and _split(before, p, after):
                        # Enter pressed inside the paragraph: its two halves, one edit
                        skip.add(id(after))
                        p = DocxParagraph(p.key, p.text + SPLIT + after.text,
                                          p.marks + ((False, False),) + after.marks,
                                          after.numbered, p.in_table, p.style)
                    if (before.text, before.marks) != (p.text, p.marks):
                        self.changed(block, before, p)
                    continue
                if p.text.strip():
                    self.added(p, anchor, in_notes)

    def note_dropped(self, block: _Block) -> bool:
        """Whether ``block`` is a paragraph of a footnote whose only call the editor deleted."""
        lines = self.result.old[Path(block.where.file)]
        line = block.where.line
        while line > 1 and not _NOTE_LABEL.match(lines[line - 1]) and (
                lines[line - 1].startswith("    ") or not lines[line - 1].strip()):
            line -= 1  # a later paragraph of the note: up to its [^label]: line
        label = _NOTE_LABEL.match(lines[line - 1])
        if not label or (block.where.file, label.group().split(":")[0].strip()) \
                not in self.result.dropped_notes:
            return False
        call = re.compile(re.escape(label.group().split(":")[0].strip()) + r"(?!:)")
        return sum(len(call.findall(text)) for text in lines) == 1

    def outside(self, before: DocxParagraph, after: DocxParagraph, anchor) -> None:
        """A paragraph with no source line changed in place: a table cell (carried to a text
        table's cell) or something the sources compute."""
        if before.cell is not None and after.cell == before.cell \
                and self.cell_changed(before, after):
            return
        block = self.blocks.get(before.key) if before.key else None
        place = block.where if block else (anchor[0].where if anchor else "the document")
        change = (f"was changed to «{_short(after.text)}»" if before.text != after.text else
                  "was made bold or italic (or no longer)")
        self.result.not_carried.append(f"{place}: «{_short(before.text)}» {change} outside the "
                                       "text (a cell of a data table, a source line or a chart)")

    def added(self, p: DocxParagraph, anchor, in_notes: bool) -> None:
        """A new paragraph, inserted after the last kept one: in its list, quote or box, or
        (in the footnotes) its footnote; listed where the sources have no line for it."""
        result = self.result
        place = f"after {anchor[0].where}" if anchor else "at the start of the document"
        why = None
        if anchor is None or p.in_table:
            why = "where the text has no line for it (a table cell, before the first part)"
        elif in_notes and p.note != anchor[1].note:
            why = "as a new footnote: add its call [^…] in the text and its line [^…]: instead"
        elif NOTE in p.text:
            why = "with a footnote call: a new paragraph cannot take a footnote from Word"
        if why:
            result.not_carried.append(f"{place}: «{_short(p.text)}» was added {why}; type it "
                                      "in the source")
            return
        span = _span(anchor[0], result)
        self.inserts.append((span.file, span.last,
                             _new_block(span, markdown(p.text, p.marks), p, anchor[1])))

    def changed(self, block: _Block, old: DocxParagraph, new: DocxParagraph) -> None:
        """An edited paragraph: its Markdown lines (a heading's, list item's, quote's,
        footnote's) rewritten where the text changed; a paragraph split by Enter (``SPLIT`` in
        ``new``) becomes two blocks."""
        result, where = self.result, block.where
        old_text, old_marks, new_text, new_marks = old.text, old.marks, new.text, new.marks
        lead = block.prefix
        if not lead and old_text.startswith(" ") and new_text.startswith(" "):
            lead = " "  # the space after a footnote's own number
        if lead and old_text.startswith(lead):
            if not new_text.startswith(lead):
                result.not_carried.append(f"{where}: the computed number «{lead.strip()}» was "
                                          "changed; the book numbers its headings, figures and "
                                          "tables")
                return
            n = len(lead)
            old_text, old_marks, new_text, new_marks = (old_text[n:], old_marks[n:],
                                                        new_text[n:], new_marks[n:])
        if block.kind == "caption":
            _caption_changed(block, old_text, new_text.replace(SPLIT, " "), result, self.edits)
            return
        span = _span(block, result)
        cut = pieces(span.content, old_text)
        if cut is None:
            result.not_carried.append(f"{where}: the Markdown of this paragraph could not be "
                                      f"matched with its printed text; type the edit there: "
                                      f"«{new_text}»")
            return
        body = _edited_markdown(cut, old_text, new_text, new_marks, where, result)
        first, _, second = body.partition(SPLIT)
        lines = span.lines(first.rstrip(" ") if second else first)
        if second.strip():
            lines += _new_block(span, second.lstrip(" "), new, new)
        self.edits.append((span.file, span.first, span.last, lines))

    def cell_changed(self, old: DocxParagraph, new: DocxParagraph) -> bool:
        """A cell of a text table (``tables/<id>.yaml``) or of a Markdown table edited: its
        YAML scalar or its Markdown cell rewritten, the rest of the file as it was. False when
        the cell has no such source (a data table's number)."""
        index, row, column = old.cell
        if index >= len(self.tables):
            return False
        table, spec = self.tables[index]
        if spec is None:
            return self.markdown_cell_changed(table, row, column, old, new)
        if not spec.is_file():
            return False
        lines = self.result.old.setdefault(spec, spec.read_text(encoding="utf-8").splitlines())
        node = _cell_node(lines, bool(table.header), row, column)
        return node is not None and self.scalar_edit(spec, lines, node, old, new)

    def markdown_cell_changed(self, table: m.Table, row: int, column: int, old: DocxParagraph,
                              new: DocxParagraph) -> bool:
        """A Markdown pipe table's cell: its row is the table's line plus the row (and the
        delimiter row after the header)."""
        path = Path(table.where.file)
        lines = self.result.old.get(path)
        number = table.where.line + row + (1 if row else 0)  # the delimiter row after the header
        if lines is None or not table.where.line or number > len(lines):
            return False
        cells = _pipe_cells(lines[number - 1])
        if cells is None or column >= len(cells):
            return False
        start, end = cells[column]
        content = lines[number - 1][start:end].strip()
        cut = pieces(content, old.text)
        if cut is None:
            return False
        where = f"{path}:{number}"
        value = _edited_markdown(cut, old.text, new.text, new.marks, where, self.result)
        line = lines[number - 1]
        text = line[:start] + " " + value.replace("|", "\\|") + " " + line[end:]
        self.edits.append((path, number, number, [text]))
        return True

    def scalar_edit(self, spec: Path, lines: list[str], node, old: DocxParagraph,
                    new: DocxParagraph) -> bool:
        """Replace one YAML scalar ``node`` (a composed node, on one line) by the cell's new
        text, keeping the rest of the line; double-quoted when a plain scalar would read
        otherwise (YAML 1.2 §7.3). False when the scalar spans lines or does not print as the
        cell did."""
        if node.start_mark.line != node.end_mark.line:
            return False
        number = node.start_mark.line + 1
        where = f"{spec}:{number}"
        cut = pieces(str(node.value), old.text, _NO_PIECES)
        if cut is None:
            return False
        value = _edited_markdown(cut, old.text, new.text, [(False, False)] * len(new.text),
                                 where, self.result, escape=lambda ch: ch)
        if any(b or i for b, i in new.marks) and not any(b or i for b, i in old.marks):
            self.result.not_carried.append(f"{where}: bold or italic in a table cell «"
                                           f"{_short(new.text)}» has no place in the "
                                           "table's specification; the text is carried back")
        line = lines[number - 1]
        for scalar in (value, json.dumps(value, ensure_ascii=False)):
            text = line[:node.start_mark.column] + scalar + line[node.end_mark.column:]
            if _reads_as(lines, number, text, node, value):
                self.edits.append((spec, number, number, [text]))
                return True
        return False


def _cell_node(lines: list[str], has_header: bool, row: int, column: int):
    """The composed YAML scalar node (with its place: ``start_mark``, ``end_mark``) of a table
    specification's cell at ``row`` (0: the header, when there is one), ``column``: in a text
    table ``header:`` and ``rows:``; in a data table (``columns:``) only the header's,
    ``stub_header`` and ``columns[n].header`` (its other cells come from the data). None when
    there is no such scalar."""
    try:
        root = yaml.compose("\n".join(lines) + "\n", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    doc = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}

    def item(node, n):
        return node.value[n] if isinstance(node, yaml.SequenceNode) and n < len(node.value) \
            else None

    if "columns" in doc:
        if row:
            return None
        if column == 0:
            node = doc.get("stub_header")
        else:
            spec = item(doc["columns"], column - 1)
            node = dict((k.value, v) for k, v in spec.value).get("header") \
                if isinstance(spec, yaml.MappingNode) else None
    elif has_header and row == 0:
        node = item(doc.get("header"), column)
    else:
        node = item(item(doc.get("rows"), row - has_header), column)
    return node if isinstance(node, yaml.ScalarNode) else None


def _reads_as(lines: list[str], number: int, text: str, node, value: str) -> bool:
    """Whether the specification with line ``number`` replaced by ``text`` reads the same but
    ``value`` where ``node`` was: the same YAML, one scalar changed."""
    new = lines[:number - 1] + [text] + lines[number:]
    try:
        root = yaml.compose("\n".join(new) + "\n", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    for found in _scalars(root):
        if (found.start_mark.line, found.start_mark.column) == (node.start_mark.line,
                                                                 node.start_mark.column):
            return found.value == value
    return False


def _scalars(node):
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _scalars(child)
    elif isinstance(node, yaml.MappingNode):
        for key, child in node.value:
            yield from _scalars(key)
            yield from _scalars(child)


_NO_PIECES = re.compile(r"(?!)")  # a table cell's text is printed as typed


def _pipe_cells(line: str) -> list[tuple[int, int]] | None:
    """The (start, end) of each cell's text in a pipe table's row (GFM tables: an escaped
    «\\|» is part of a cell)."""
    bars = [i for i, ch in enumerate(line) if ch == "|" and (i == 0 or line[i - 1] != "\\")]
    if not bars:
        return None
    if line.strip().startswith("|"):
        edges = bars
    else:
        edges = [-1] + bars
    if not line.rstrip().endswith("|") or line.rstrip().endswith("\\|"):
        edges = edges + [len(line)]
    return [(a + 1, b) for a, b in zip(edges, edges[1:])]


def _split(before: DocxParagraph, first: DocxParagraph, second: DocxParagraph) -> bool:
    """Whether ``first`` and ``second`` are ``before`` cut in two by Enter (with edits, maybe):
    together they are closer to it than ``first`` alone."""
    if not second.text.strip() or second.key or first.text == before.text:
        return False
    joined = difflib.SequenceMatcher(None, before.text, first.text + " " + second.text,
                                     autojunk=False).ratio()
    alone = difflib.SequenceMatcher(None, before.text, first.text, autojunk=False).ratio()
    return joined > max(alone, 0.8)


def _new_block(span: Span, body: str, p: DocxParagraph, anchor: DocxParagraph) -> list[str]:
    """The lines of a new paragraph ``body`` after the block of ``span``: a list item when it is
    numbered after a list item, else a paragraph of the same container (a list item's, a
    quote's or a footnote's continuation) when it has the anchor paragraph's style, else a
    paragraph of the text."""
    lines = body.split("\n")
    item = re.match(r"^((?:\s*>[ \t]?)*)(\s*(?:[-*+]|\d{1,9}[.)])[ \t]+)", span.prefix)
    if p.numbered and item:
        number = re.sub(r"\d+", lambda d: str(int(d.group()) + 1), item.group(2))
        lead = item.group(1) + number
        return [lead + lines[0]] + [" " * len(lead) + line for line in lines[1:]]
    container = span.container() if p.style == anchor.style else ""
    return [container.rstrip()] + [container + line for line in lines]


def _outside_edits(gone, added, pairs) -> list[tuple[DocxParagraph, DocxParagraph]]:
    """Among paragraphs with no source bookmark, those changed in place: table cells at the
    same place of the same table, then others in the same order in a table or with similar
    text (a source line)."""
    paired = {id(x) for pair in pairs for x in pair}
    before = [p for p in gone if not p.key and id(p) not in paired and p.text.strip()]
    after = [p for p in added if not p.key and id(p) not in paired and p.text.strip()]
    cells = {p.cell: p for p in after if p.cell is not None}
    out = [(a, cells.pop(a.cell)) for a in before if a.cell is not None and a.cell in cells]
    done = {id(x) for pair in out for x in pair}
    before = [p for p in before if id(p) not in done]
    after = [p for p in after if id(p) not in done]
    return out + [(a, b) for a, b in zip(before, after)
                  if a.in_table and b.in_table
                  or difflib.SequenceMatcher(None, a.text, b.text).ratio() > 0.6]


def _short(text: str) -> str:
    text = text.replace(NOTE, "").replace(SPLIT, " ").strip()
    return text if len(text) <= 60 else text[:57] + "…"


def _span(block: _Block, result: Import) -> Span:
    path = Path(block.where.file)
    return block_span(result.old[path], path, block.where.line)


def _deletion(block: _Block, result: Import):
    span = _span(block, result)
    lines = result.old[span.file]
    first, last = span.first, span.last
    list_item = span.prefix.strip()[:1] in ("-", "*", "+") or span.prefix.strip()[:1].isdigit()
    if not list_item and last < len(lines) and not lines[last].strip():
        last += 1  # the empty line after a paragraph goes with it
    return span.file, first, last, []


_CAPTION = re.compile(r"^caption:[ \t]*(?P<value>[^\s\"'|>].*?)\s*$")
# what a YAML plain scalar may not hold (YAML 1.2 §7.3.3): it is then written double-quoted
_NOT_PLAIN = re.compile(r"^[-?:,\[\]{}#&*!|>'\"%@`]|: | #|:$|^\s|\s$")


def _caption_changed(block: _Block, old: str, new: str, result: Import, edits) -> None:
    """A caption edit, carried to the ``caption:`` line of the figure's or table's
    specification when it is one plain line; otherwise listed."""
    spec = block.spec
    lines = None
    if spec is not None and spec.is_file():
        lines = result.old.setdefault(spec, spec.read_text(encoding="utf-8").splitlines())
    found = [(n, _CAPTION.match(line)) for n, line in enumerate(lines or [], 1)
             if _CAPTION.match(line)]
    cut = pieces(found[0][1].group("value"), old, _FIELD_PIECES) if found else None
    if cut is None:
        result.not_carried.append(f"{spec or block.where}: the caption was edited («{_short(new)}»)"
                                  "; its specification could not be matched: edit it there")
        return
    value = _edited_markdown(cut, old, new, [(False, False)] * len(new), f"{spec}:{found[0][0]}",
                             result, escape=lambda ch: ch)
    if _NOT_PLAIN.search(value):
        value = json.dumps(value, ensure_ascii=False)  # a YAML double-quoted scalar
    edits.append((spec, found[0][0], found[0][0], [f"caption: {value}"]))


def _edited_markdown(cut: list[Piece], old: str, new: str, marks, where, result: Import,
                     escape: Callable[[str], str] = None) -> str:
    """The paragraph's new Markdown: old pieces where the printed text is unchanged, the typed
    text (through ``escape``, by default Markdown's) where it changed, numbers from expressions
    kept (and a conflict when typed over)."""
    escape = escape or _escape
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    ops = matcher.get_opcodes()

    def to_new(i: int, end: bool) -> int:
        """Where old place ``i`` is in the new text: a start before the character it keeps, an
        end after the one it follows (text typed at a boundary stays outside the piece)."""
        for op, i1, i2, j1, j2 in ops:
            if op == "equal" and (i1 < i <= i2 if end else i1 <= i < i2):
                return j1 + (i - i1)
        for op, i1, i2, j1, j2 in ops:
            if i1 <= i <= i2:
                return j2 if end else j1
        return len(new)

    def touched(piece: Piece) -> bool:
        return any(op != "equal" and i1 < piece.end and i2 > piece.start
                   or op == "insert" and piece.start < i1 < piece.end for op, i1, i2, _, _ in ops)

    # each new character: the old character it keeps, or None where typed
    kept = [None] * len(new)
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            for k in range(i2 - i1):
                kept[j1 + k] = i1 + k
    atoms: dict[int, list[tuple[str, int]]] = {}  # new place → (source, end) of atoms kept
    for piece in cut:
        if piece.kind in ("text", "mark"):
            continue
        start, end = to_new(piece.start, False), to_new(piece.end, True)
        if piece.kind == "note" and touched(piece) and NOTE not in new[start:end] \
                and isinstance(where, m.Where):
            # the call deleted (Word deletes its footnote with it): the call goes, and its
            # definition with it when nothing else calls it (see _Work.compare)
            result.dropped_notes.add((where.file, piece.source))
            continue
        if piece.start < piece.end and touched(piece):
            if piece.kind == "expr":
                result.conflicts.append(f"{where}: a number from the data, «{piece.printed}», was "
                                        f"typed over as «{new[start:end]}»; the expression "
                                        f"{piece.source} is kept (change the data, or replace "
                                        "the expression by the typed number in the source)")
            else:
                result.not_carried.append(f"{where}: «{_short(piece.printed)}» ({piece.source}) "
                                          f"was edited to «{_short(new[start:end])}»; it is kept")
        atoms.setdefault(start, []).append((piece.source, end if piece.start < piece.end
                                            else start))
    source_of = {}  # old printed place → its Markdown, for literal text
    for piece in cut:
        if piece.kind == "text":
            for k, chunk in enumerate(_chunks(piece)):
                source_of[piece.start + k] = chunk
    plain = (False, False)
    out: list[tuple[str, tuple[bool, bool]]] = []  # (Markdown, marks) per unit
    j = 0
    while j <= len(new):
        mark = marks[j] if j < len(marks) and new[j] != NOTE else plain
        skip = j
        for src, end in atoms.pop(j, []):
            out.append((src, mark if end > j else plain))
            skip = max(skip, end)
        if skip > j:
            j = skip
            continue
        if j < len(new):
            i = kept[j]
            out.append((source_of[i] if i in source_of else escape(new[j]), mark))
        j += 1
    return _emphasis(out)


def _escape(ch: str) -> str:
    return "\\" + ch if ch in "*_`[]\\{}" else ch


def _emphasis(units: list[tuple[str, tuple[bool, bool]]]) -> str:
    """Units of Markdown with their (bold, italic) → one string, runs wrapped in ``**``/``*``
    with their outer spaces left outside (CommonMark's flanking rule)."""
    out, i = [], 0
    while i < len(units):
        mark = units[i][1]
        j = i
        while j < len(units) and units[j][1] == mark:
            j += 1
        text = "".join(u[0] for u in units[i:j])
        wrap = ("**" if mark[0] else "") + ("*" if mark[1] else "")
        if wrap and text.strip():
            core = text.strip(" ")
            lead, trail = text[:len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")):]
            text = f"{lead}{wrap}{core}{wrap[::-1]}{trail}"
        out.append(text)
        i = j
    return "".join(out)


def markdown(text: str, marks) -> str:
    """A new paragraph's Markdown from its text and (bold, italic) marks."""
    return _emphasis([(_escape(ch), mk) for ch, mk in zip(text, marks)]
                     + [(_escape(ch), (False, False)) for ch in text[len(marks):]])


def import_edition(edited: Path, edition_dir: Path, styles_dir: Path | None = None) -> Import:
    """Build the Word book the sources of ``edition_dir`` make now (in a temporary folder, with
    pictures for charts) and compare ``edited`` with it (:func:`import_docx`). Raises SourceError
    for bad sources or an unreadable ``edited``."""
    from ..build import STYLES, check, draw_figures, write_word
    styles_dir = styles_dir or STYLES
    edited = Path(edited)
    if not edited.is_file():
        raise SourceError("no such Word file", file=edited)
    edition = check(Path(edition_dir), styles_dir)
    with tempfile.TemporaryDirectory(prefix="briefing-import-") as tmp:
        book = draw_figures(edition, Path(tmp) / "charts", styles_dir, workers=1,
                            word_charts="picture")
        current = Path(tmp) / "current.docx"
        write_word(book, current, styles_dir, False)
        return import_docx(edited, current, book, Path(edition_dir))
