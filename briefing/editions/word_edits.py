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
and the line) and kept. Bidi isolates (U+2066–U+2069) and the title breaks' joiners are ignored
when texts are compared.
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
from lxml import etree

from .. import model as m
from ..errors import SourceError

NOTE = "\ufffc"  # a footnote call, as one character of a paragraph's text
# invisible marks the build adds (directions: bidi isolates; sources/title_breaks: a word
# joiner in a range, a no-break space before a title's last word) are not the editor's text
_ISOLATES = str.maketrans({**dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u2060")),
                           0x00A0: " "})
# a source bookmark; LibreOffice may add "_Copy_1" to those in footnotes when it saves
_SOURCE = re.compile(r"(_Src_\d+_\d+)(?:_|$)")
_BOLD_STYLES = {"Strong", "StrongEmphasis"}
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
    return {"body": [_paragraph(p) for p in doc.element.body.iter(qn("w:p"))],
            "notes": [] if notes_root is None else
            [_paragraph(p) for fn in notes_root.iter(qn("w:footnote"))
             if fn.get(qn("w:type")) is None for p in fn.iter(qn("w:p"))]}  # not separators


def _paragraph(p) -> DocxParagraph:
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
    text = "".join(chars)
    numbered = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None
    in_table = any(a.tag == qn("w:tc") for a in p.iterancestors())
    return DocxParagraph(key, text, tuple(marks), numbered, in_table)


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
    text before (``#``, list marker, footnote label) and after (``{#id}``) the content."""

    file: Path
    first: int
    last: int
    prefix: str
    content: str
    suffix: str


_BLOCK_PREFIX = re.compile(r"^(\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|\[\^[^\]]+\]:\s*)?)")
_STARTS_BLOCK = re.compile(r"^\s*(?:>|#{1,6}\s|[-*+]\s|\d+[.)]\s|\[\^[^\]]+\]:|:::|\|)")
_HEADING_SUFFIX = re.compile(r"\s*\{[^{}]*\}\s*$")


def block_span(lines: list[str], file: Path, line: int) -> Span:
    """The span of the block starting at ``line``: its first line and the continuation lines up
    to an empty line or the start of another block."""
    first = lines[line - 1]
    prefix = _BLOCK_PREFIX.match(first).group(1)
    body, suffix = first[len(prefix):], ""
    if prefix.lstrip().startswith("#"):
        match = _HEADING_SUFFIX.search(body)
        if match:
            body, suffix = body[:match.start()], body[match.start():]
        return Span(file, line, line, prefix, body, suffix)
    last = line
    while last < len(lines) and lines[last].strip() and not _STARTS_BLOCK.match(lines[last]):
        last += 1
        body += "\n" + lines[last - 1].strip()
    return Span(file, line, last, prefix, body, suffix)


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


def import_docx(edited: Path, current: Path, book: m.Book, root: Path) -> Import:
    """Compare ``edited`` with ``current`` (the .docx the sources make now, whose model is
    ``book``, of the edition folder ``root``) and turn the differences into edits of the text
    parts' lines and of the specifications' captions."""
    blocks = _keyed_blocks(book, root)
    result = Import()
    for part in book.parts:
        path = Path(part.where.file)
        result.old[path] = path.read_text(encoding="utf-8").splitlines()
    edits: list[tuple[Path, int, int, list[str]]] = []  # file, first, last line, new lines
    inserts: list[tuple[Path, int, list[str]]] = []  # after line
    old_docs, new_docs = read_paragraphs(current), read_paragraphs(edited)
    for story in ("body", "notes"):
        _compare(old_docs[story], new_docs[story], blocks, result, edits, inserts,
                 in_notes=story == "notes")
    for path in result.old:
        lines = list(result.old[path])
        changes = [(first, last, new) for p, first, last, new in edits if p == path]
        changes += [(after + 1, after, new) for p, after, new in inserts if p == path]
        for first, last, new in sorted(changes, key=lambda c: (c[0], c[1]), reverse=True):
            lines[first - 1:last] = new
        result.new[path] = lines
    return result


def _compare(old: list[DocxParagraph], new: list[DocxParagraph], blocks, result: Import,
             edits, inserts, in_notes: bool) -> None:
    """Align by content first (unchanged paragraphs, even when the sources' lines moved), then,
    among the paragraphs that differ, by source bookmark. In the footnotes (``in_notes``) only
    text edits are carried back: a footnote's paragraphs are removed or added with its call."""
    repeated = {t for t, n in Counter(p.text for p in old).items() if n > 1}

    def token(p: DocxParagraph):
        # a text printed twice (a footnote called twice, a name in the text and in a table):
        # a paragraph from a text line is told apart from one that is not (a table cell, the
        # second copy of a footnote)
        return (p.text, p.key is not None) if p.text in repeated else p.text

    matcher = difflib.SequenceMatcher(None, [token(p) for p in old], [token(p) for p in new],
                                      autojunk=False)
    anchor = None  # the last kept paragraph with a source, after which new ones are inserted
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        gone, added = old[i1:i2], new[j1:j2]
        pairs = list(zip(gone, added)) if op == "equal" else []
        if op != "equal":
            keyed = {p.key: p for p in gone if p.key}
            pairs = [(keyed.pop(p.key), p) for p in added if p.key in keyed]
        outside = _outside_edits(gone, added, pairs)
        paired_old = {id(a) for a, _ in pairs} | {id(a) for a, _ in outside}
        paired_new = {id(b): a for a, b in pairs}
        for before, after in outside:
            block = blocks.get(before.key) if before.key else None
            place = block.where if block else (anchor.where if anchor else "the document")
            result.not_carried.append(f"{place}: «{_short(before.text)}» was changed to "
                                      f"«{_short(after.text)}» outside the text (a table cell, "
                                      "a source line or a chart)")
        for p in gone:
            if id(p) in paired_old:
                continue
            block = blocks.get(p.key) if p.key else None
            if block is not None and block.kind in ("paragraph", "heading") and not in_notes:
                edits.append(_deletion(block, result))
            elif p.text.strip():
                place = block.where if block else (anchor.where if anchor else "the document")
                result.not_carried.append(f"{place}: «{_short(p.text)}» was removed where the "
                                          "text has no line of its own (a caption, table cell, "
                                          "chart or footnote): remove it in the source")
        for p in added:
            if id(p) in paired_new:
                before = paired_new[id(p)]
                block = blocks.get(before.key) if before.key else None
                if block is not None:
                    anchor = block
                    if (before.text, before.marks) != (p.text, p.marks):
                        _changed(block, before, p, result, edits)
                continue
            if not p.text.strip() or any(p is b for _, b in outside):
                continue
            if anchor is None or p.in_table or in_notes:
                place = f"after {anchor.where}" if anchor else "at the start of the document"
                result.not_carried.append(f"{place}: «{_short(p.text)}» was added where the "
                                          "text has no line for it (a table cell, a footnote, "
                                          "before the first part): type it in the source")
                continue
            inserts.append(_insertion(anchor, p, result))


def _outside_edits(gone, added, pairs) -> list[tuple[DocxParagraph, DocxParagraph]]:
    """Among paragraphs with no source bookmark, those changed in place: in the same order, both
    in a table or with similar text (a table cell, a source line)."""
    paired = {id(x) for pair in pairs for x in pair}
    before = [p for p in gone if not p.key and id(p) not in paired and p.text.strip()]
    after = [p for p in added if not p.key and id(p) not in paired and p.text.strip()]
    return [(a, b) for a, b in zip(before, after)
            if a.in_table and b.in_table
            or difflib.SequenceMatcher(None, a.text, b.text).ratio() > 0.6]


def _short(text: str) -> str:
    text = text.replace(NOTE, "").strip()
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


def _insertion(anchor: _Block, p: DocxParagraph, result: Import):
    span = _span(anchor, result)
    text = markdown(p.text, p.marks)
    if p.numbered and span.prefix.strip() and span.prefix.strip()[0] in "-*+0123456789":
        marker = re.sub(r"\d+", lambda d: str(int(d.group()) + 1), span.prefix)
        return span.file, span.last, [marker + text]
    return span.file, span.last, ["", text]


def _changed(block: _Block, old: DocxParagraph, new: DocxParagraph, result: Import,
             edits) -> None:
    where = block.where
    old_text, old_marks, new_text, new_marks = old.text, old.marks, new.text, new.marks
    lead = block.prefix
    if not lead and old_text.startswith(" ") and new_text.startswith(" "):
        lead = " "  # the space after a footnote's own number
    if lead and old_text.startswith(lead):
        if not new_text.startswith(lead):
            result.not_carried.append(f"{where}: the computed number «{lead.strip()}» was "
                                      "changed; the book numbers its headings, figures and tables")
            return
        n = len(lead)
        old_text, old_marks, new_text, new_marks = (old_text[n:], old_marks[n:], new_text[n:],
                                                    new_marks[n:])
    if block.kind == "caption":
        _caption_changed(block, old_text, new_text, result, edits)
        return
    span = _span(block, result)
    cut = pieces(span.content, old_text)
    if cut is None:
        result.not_carried.append(f"{where}: the Markdown of this paragraph could not be matched "
                                  f"with its printed text; type the edit there: «{new_text}»")
        return
    body = _edited_markdown(cut, old_text, new_text, new_marks, where, result)
    edits.append((span.file, span.first, span.last, [span.prefix + body + span.suffix]))


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
