"""Markdown text of a part → model blocks.

In: one part file's text. Out: blocks with every figure, table, section and footnote number resolved
through a :class:`Numbering` computed beforehand for the whole book (so forward references work).
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

from . import model as m
from .errors import SourceError
from .sourcefiles import check_invisible

CONTAINERS = ("aside", "signature", "note")
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
        if node.type == "paragraph" and not placement(node):
            misplaced = [c.content for c in node.children[0].children
                         if c.type == "bracket" and c.meta["kind"] != "ref"]
            if misplaced:
                message = f"{misplaced[0]} must stand alone on its own line"
        if node.type == "footnote_ref" and _in_title(node):
            label = node.meta["label"]
            message = (f"the part's title cannot call a footnote ([^{label}]): it is repeated on "
                       "the contents page; call it from the text below the title")
        if message:
            raise SourceError(message, file=part.file, line=line_of(node))


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
    """Turns one parsed part into model blocks, asking the book-wide context for numbers."""

    part: ParsedPart
    heading_number: Callable[[SyntaxTreeNode], str]
    place: Callable[[str, str, m.Where], m.Block]
    reference: Callable[[str, m.Where], m.CrossRef]
    footnote_number: Callable[[Path, str], int]

    def where(self, node: SyntaxTreeNode) -> m.Where:
        return m.Where(str(self.part.file), line_of(node))

    def fail(self, node: SyntaxTreeNode, message: str) -> SourceError:
        return SourceError(message, file=self.part.file, line=line_of(node))

    # -- blocks
    def blocks(self, nodes) -> tuple[m.Block, ...]:
        out = []
        for node in nodes:
            if node.type == "footnote_block":
                continue
            out.append(self.block(node))
        return tuple(out)

    def block(self, node: SyntaxTreeNode) -> m.Block:
        kind = node.type
        if kind == "heading":
            level = int(node.tag[1])
            if level == 1:
                raise self.fail(node, "only the first line of a part may be a '# ' title heading")
            if level > 3:
                raise self.fail(node, "headings go down to '###' only")
            content = self.inlines(node.children[0], strip_id=True)
            return m.Heading(level, content, heading_attrs(node, self.part.file)[0],
                             self.heading_number(node),
                             self.where(node))
        if kind == "paragraph":
            placed = placement(node)
            if placed:
                return self.place(placed[0], placed[1], self.where(node))
            return m.Paragraph(self.inlines(node.children[0]), self.where(node))
        if kind in ("bullet_list", "ordered_list"):
            start = None
            if kind == "ordered_list":
                start = int(node.attrs.get("start", 1))
            items = tuple(self.blocks(item.children) for item in node.children)
            return m.ListBlock(items, start, self.where(node))
        if kind == "blockquote":
            return m.Quote(self.blocks(node.children), self.where(node))
        if kind.startswith("container_"):
            return m.Div(kind.removeprefix("container_"), self.blocks(node.children),
                         self.where(node))
        if kind == "table":
            return self.table(node)
        raise self.fail(node, f"unsupported Markdown construct '{kind}'")

    def table(self, node: SyntaxTreeNode) -> m.Table:
        rows = [tr for section in node.children for tr in section.children]
        cells = [tuple(self.inlines(cell.children[0]) if cell.children else ()
                       for cell in tr.children) for tr in rows]
        aligns = [cell.attrs.get("style", "") for cell in rows[0].children]
        numeric = tuple("right" in a or "left" in a for a in aligns)
        has_head = node.children[0].type == "thead"
        header = cells[0] if has_head else ()
        body = tuple(cells[1:] if has_head else cells)
        return m.Table("", None, (), header, body, numeric, "", self.where(node))

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
                yield self.reference(child.meta["id"], self.where(node))
            elif kind == "footnote_anchor":
                continue  # the back-link markdown-it adds inside a footnote's text
            elif kind == "footnote_ref":
                yield self.note(child, node)
            elif kind == "image":
                raise self.fail(node, "images are placed as figures: [[figure:id]] with a "
                                      "figures/<id>.yaml specification")
            else:
                raise self.fail(node, f"unsupported inline Markdown '{kind}'")

    def note(self, ref: SyntaxTreeNode, context: SyntaxTreeNode) -> m.Note:
        label = ref.meta["label"]
        body = self.part.footnotes.get(label)
        if body is None:
            raise self.fail(context, f"footnote [^{label}] has no text")
        return m.Note(self.footnote_number(self.part.file, label), self.blocks(body.children))


def _merge_text(runs: list) -> tuple[m.Inline, ...]:
    """Adjacent text runs become one, so writers do not split words across runs."""
    out: list = []
    for run in runs:
        if isinstance(run, m.Text) and out and isinstance(out[-1], m.Text):
            out[-1] = m.Text(out[-1].text + run.text)
        else:
            out.append(run)
    return tuple(out)
