"""Markdown text of a part → model blocks.

In: one part file's text (expressions already rendered). Out: model blocks whose headings, figures,
tables, footnotes and cross-references are not numbered yet: :mod:`briefing.sources.numbering`
numbers the whole book afterwards, so references may point forward.
Parsing is markdown-it-py's CommonMark (HTML off: tags print as text), plus pipe tables, footnotes,
``::: aside|signature|note`` containers, and one inline rule for ``[[figure:id]]``,
``[[table:id]]`` and ``[[ref:id]]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .. import model as m
from ..errors import SourceError
from .files import check_invisible

CONTAINERS = ("aside", "signature", "note")
# how deep blocks may nest (quotes in quotes, lists in lists, boxes): deeper is refused with the
# line, rather than left to markdown-it, which silently drops what lies past its own limit
MAX_DEPTH = 8
_BRACKET = re.compile(r"\[\[(figure|table|ref):([A-Za-z0-9_.-]+)\]\]")
_HEADING_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
_ATTR = re.compile(r"#([A-Za-z0-9_.-]+)|\.unnumbered|-")
_NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\]")
_REFUSED = {
    "fence": "code blocks are not part of a briefing book (an unclosed ``` fence?)",
    "code_block": "text indented by four spaces reads as a code block: remove the indent",
    "hr": "horizontal rules ('---') are not used: start a new section instead",
    "html_block": "raw HTML is not allowed in the text",
}


def _bracket_rule(state: StateInline, silent: bool) -> bool:
    """``[[kind:id]]`` becomes one ``bracket`` token instead of literal brackets."""
    if not state.src.startswith("[[", state.pos):
        return False
    match = _BRACKET.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("bracket", "", 0)
        token.meta = {"kind": match.group(1), "id": match.group(2)}
        token.content = match.group(0)
    state.pos = match.end()
    return True


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").use(footnote_plugin)
    for name in CONTAINERS:
        md.use(container_plugin, name)
    md.inline.ruler.before("link", "bracket", _bracket_rule)
    return md


PARSER = _parser()


@dataclass(frozen=True)
class ParsedPart:
    """A part's syntax tree, kept between the numbering pre-pass and the conversion."""

    file: Path
    root: SyntaxTreeNode
    footnotes: dict = field(default_factory=dict)  # footnote label → its syntax node


def parse(text: str, file: Path) -> ParsedPart:
    root = SyntaxTreeNode(PARSER.parse(text))
    footnotes = {}
    for child in root.children:
        if child.type == "footnote_block":
            for note in child.children:
                footnotes[note.meta["label"]] = note
    return ParsedPart(file, root, footnotes)


def check_structure(part: ParsedPart) -> None:
    """Refuse what a book cannot print, before anything is numbered: code blocks, rules, HTML,
    and figure or table placements that do not stand alone on their line."""
    for node in part.root.walk():
        message = _REFUSED.get(node.type)
        line = line_of(node)
        if node.type == "paragraph" and not placement(node):
            message, line = _misplaced(node) or (None, line)
        if node.type == "footnote_ref" and _in_title(node):
            label = node.meta["label"]
            message = (f"the part's title cannot call a footnote ([^{label}]): it is repeated on "
                       "the contents page; call it from the text below the title")
        if message:
            raise SourceError(message, file=part.file, line=line)


def _misplaced(paragraph: SyntaxTreeNode) -> tuple[str, int | None] | None:
    """Why a ``[[figure:…]]``/``[[table:…]]`` inside a paragraph is not placed, the fix, and the
    line it is on."""
    runs = paragraph.children[0].children
    for i, run in enumerate(runs):
        if run.type != "bracket" or run.meta["kind"] == "ref":
            continue
        before = runs[:i]
        line = line_of(paragraph) + sum(1 for r in before if r.type in ("softbreak", "hardbreak"))
        after = [r for r in runs[i + 1:] if not (r.type == "text" and not r.content.strip())]
        if before and before[-1].type == "softbreak" and (not after or after[0].type == "softbreak"):
            return (f"{run.content} is on its own line but right after the text above, so it is "
                    "read as part of that paragraph: leave an empty line before it (and after "
                    "it)"), line
        return (f"{run.content} must stand alone on its own line, with an empty line before and "
                "after it; to mention the figure or table in a sentence write "
                f"[[ref:{run.meta['id']}]]"), line
    return None


def _in_title(node: SyntaxTreeNode) -> bool:
    while node is not None and not node.is_root:
        if node.type == "heading" and node.tag == "h1":
            return True
        node = node.parent
    return False


def line_of(node: SyntaxTreeNode) -> int | None:
    while node is not None and not node.is_root:
        if node.map:
            return node.map[0] + 1
        node = node.parent
    return None


def heading_attrs(node: SyntaxTreeNode, file: Path) -> tuple[str, bool]:
    """(id, numbered) from the ``{#id}`` or ``{#id .unnumbered}`` (``{-}``) ending a heading."""
    text = node.children[0].content if node.children else ""
    match = _HEADING_ATTRS.search(text)
    if not match:
        return "", True
    ident, numbered = "", True
    for word in match.group(1).split():
        attr = _ATTR.fullmatch(word)
        if not attr:
            raise SourceError(f"unknown heading attribute '{word}' (use {{#an-id}} and/or "
                              "{.unnumbered})", file=file, line=line_of(node))
        if attr.group(1):
            ident = attr.group(1)
        else:
            numbered = False
    return ident, numbered


def placement(node: SyntaxTreeNode) -> tuple[str, str] | None:
    """(kind, id) when a paragraph is only ``[[figure:id]]`` or ``[[table:id]]``."""
    if node.type != "paragraph":
        return None
    runs = [c for c in node.children[0].children if not (c.type == "text" and not c.content.strip())]
    if len(runs) == 1 and runs[0].type == "bracket" and runs[0].meta["kind"] in ("figure", "table"):
        return runs[0].meta["kind"], runs[0].meta["id"]
    return None


@dataclass
class Converter:
    """Turns one parsed part into model blocks. ``place`` makes the block a ``[[figure:id]]`` or
    ``[[table:id]]`` line stands for (from its specification). Numbers are left at 0 and labels
    empty, for the numbering pass."""

    part: ParsedPart
    place: Callable[[str, str, m.Where], m.Block]
    depth: int = 0
    in_footnote: bool = False

    def where(self, node: SyntaxTreeNode) -> m.Where:
        return m.Where(str(self.part.file), line_of(node))

    def fail(self, node: SyntaxTreeNode, message: str) -> SourceError:
        return SourceError(message, file=self.part.file, line=line_of(node))

    # -- blocks
    def blocks(self, nodes) -> tuple[m.Block, ...]:
        out = []
        for node in nodes:
            if node.type in ("footnote_block", "footnote_anchor"):
                continue  # definitions are read where called; the anchor is markdown-it's back-link
            out.append(self.block(node))
        return tuple(out)

    def nested(self, node: SyntaxTreeNode, children) -> tuple[m.Block, ...]:
        """The blocks inside a quote, list item or box, one level deeper."""
        if self.depth >= MAX_DEPTH:
            raise self.fail(node, f"quotes, lists and boxes are nested more than {MAX_DEPTH} deep "
                                  "here; a briefing book needs far fewer levels: flatten them")
        self.depth += 1
        try:
            return self.blocks(children)
        finally:
            self.depth -= 1

    def block(self, node: SyntaxTreeNode) -> m.Block:
        kind = node.type
        if kind == "heading":
            level = int(node.tag[1])
            if level == 1:
                raise self.fail(node, "only the first line of a part may be a '# ' title heading")
            if level > 3:
                raise self.fail(node, "headings go down to '###' only")
            if self.in_footnote:
                raise self.fail(node, "a footnote cannot hold a heading: write it as a sentence")
            content = self.inlines(node.children[0], strip_id=True)
            ident, numbered = heading_attrs(node, self.part.file)
            return m.Heading(level, content, ident, numbered, "", self.where(node))
        if kind == "paragraph":
            placed = placement(node)
            if placed:
                if self.in_footnote:
                    raise self.fail(node, f"a footnote cannot hold a {placed[0]}: place "
                                          f"[[{placed[0]}:{placed[1]}]] in the text and refer to "
                                          f"it from the footnote with [[ref:{placed[1]}]]")
                return self.place(placed[0], placed[1], self.where(node))
            return m.Paragraph(self.inlines(node.children[0]), self.where(node))
        if kind in ("bullet_list", "ordered_list"):
            start = None
            if kind == "ordered_list":
                start = int(node.attrs.get("start", 1))
            items = tuple(self.nested(node, item.children) for item in node.children)
            return m.ListBlock(items, start, self.where(node))
        if kind == "blockquote":
            return m.Quote(self.nested(node, node.children), self.where(node))
        if kind.startswith("container_"):
            return m.Div(kind.removeprefix("container_"), self.nested(node, node.children),
                         self.where(node))
        if kind == "table":
            if self.in_footnote:
                raise self.fail(node, "a footnote cannot hold a table: place the table in the "
                                      "text and refer to it from the footnote")
            return self.table(node)
        raise self.fail(node, f"unsupported Markdown construct '{kind}'")

    def table(self, node: SyntaxTreeNode) -> m.Table:
        """A pipe table (markdown-it pads short rows and cuts long ones to the header's width)."""
        rows = [tr for section in node.children for tr in section.children]
        cells = [tuple(self.inlines(cell.children[0]) if cell.children else ()
                       for cell in tr.children) for tr in rows]
        has_head = node.children[0].type == "thead"
        header = cells[0] if has_head else ()
        body = tuple(cells[1:] if has_head else cells)
        return m.Table("", None, None, (), header, body,
                       number_columns(tuple(tuple(m.plain_text(c) for c in row) for row in body)),
                       "", self.where(node))

    # -- inlines
    def inlines(self, node: SyntaxTreeNode, strip_id: bool = False) -> tuple[m.Inline, ...]:
        runs = list(self._inline_children(node))
        if strip_id and runs and isinstance(runs[-1], m.Text):
            runs[-1] = m.Text(_HEADING_ATTRS.sub("", runs[-1].text))
        return _merge_text(runs)

    def _inline_children(self, node: SyntaxTreeNode):
        for child in node.children:
            kind = child.type
            if kind == "text":
                if _NOTE_CALL.search(child.content):
                    label = _NOTE_CALL.search(child.content).group(1)
                    raise self.fail(node, f"footnote [^{label}] has no text: add a line "
                                          f"'[^{label}]: …' to the file")
                if child.content:
                    # an HTML entity (&#x202E;) can make what read_text refuses when typed
                    check_invisible(child.content, self.part.file, line_of(node))
                    yield m.Text(child.content)
            elif kind == "softbreak":
                yield m.Text(" ")
            elif kind == "hardbreak":
                yield m.LineBreak()
            elif kind == "strong":
                yield m.Strong(self.inlines(child))
            elif kind == "em":
                yield m.Emph(self.inlines(child))
            elif kind == "code_inline":
                yield m.Code(child.content)
            elif kind == "link":
                yield m.Link(child.attrs.get("href", ""), self.inlines(child))
            elif kind == "bracket":
                yield m.CrossRef(child.meta["id"], "section", "", self.where(node))
            elif kind == "footnote_anchor":
                continue  # the back-link markdown-it adds inside a footnote's text
            elif kind == "footnote_ref":
                yield self.note(child, node)
            elif kind == "image":
                raise self.fail(node, "images are placed as figures: [[figure:id]] with a "
                                      "figures/<id>.yaml specification")
            else:
                raise self.fail(node, f"unsupported inline Markdown '{kind}'")

    def note(self, ref: SyntaxTreeNode, context: SyntaxTreeNode) -> m.Footnote:
        label = ref.meta["label"]
        body = self.part.footnotes.get(label)
        if body is None:
            raise self.fail(context, f"footnote [^{label}] has no text")
        if self.in_footnote:
            raise self.fail(context, f"footnote [^{label}] is called from inside another footnote; "
                                     "a footnote cannot have footnotes: write its text into the "
                                     "calling footnote")
        self.in_footnote = True
        try:
            return m.Footnote(0, "", self.blocks(body.children), label)
        finally:
            self.in_footnote = False


def _merge_text(runs: list) -> tuple[m.Inline, ...]:
    """Adjacent text runs become one, so writers do not split words across runs."""
    out: list = []
    for run in runs:
        if isinstance(run, m.Text) and out and isinstance(out[-1], m.Text):
            out[-1] = m.Text(out[-1].text + run.text)
        else:
            out.append(run)
    return tuple(out)


# a cell that holds one number as tables print it: sign, digits (Western or Arabic-Indic) with
# their separators, a percent sign; or the dash of an empty cell
_NUMBER_CELL = re.compile("^[\u200e\u200f\u2066-\u2069]*[-\u2212+]?[\u200e]*"
                          "[0-9\u0660-\u0669]+([.,\u066b\u066c][0-9\u0660-\u0669]+)*"
                          "[%\u066a]?$|^[\u2013\u2014-]$")


def number_columns(rows: tuple[tuple[str, ...], ...]) -> tuple[bool, ...]:
    """Per column: are all body cells numbers (at least one, the rest empty dashes)? Such columns
    are aligned as numbers, whatever alignment the editor typed."""
    width = max((len(row) for row in rows), default=0)
    out = []
    for c in range(width):
        cells = [row[c].strip() for row in rows if c < len(row) and row[c].strip()]
        out.append(bool(cells) and all(_NUMBER_CELL.match(cell) for cell in cells)
                   and any(ch.isdigit() for cell in cells for ch in cell))
    return tuple(out)
