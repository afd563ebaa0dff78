"""The document model: the only thing the PDF and DOCX writers read.

Book → parts → blocks → inline runs, as frozen dataclasses (about the node kinds of Pandoc's AST).
Every block carries ``where`` (source file and line) so later stages can still point an editor at
the text that caused a problem.

The model carries every decision a writer needs, made once when the sources are loaded
(:mod:`briefing.sources.numbering`): each part's language, direction and digits; every printed
number already formatted (section numbers, figure, table and footnote numbers and labels); an id for
every heading, figure and table; the contents (:attr:`Book.outline`); the page geometry
(:attr:`Book.page`). Writers format nothing the model could have decided.

:func:`walk` visits every node at every depth in reading order and :func:`transform` rebuilds a tree
(like Pandoc's ``walk``), so that no stage can see one kind of content and miss another.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Literal, Union

Direction = Literal["rtl", "ltr"]
Lang = Literal["ar", "en"]
Digits = Literal["western", "arabic-indic"]


@dataclass(frozen=True)
class Where:
    """A place in the sources."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


# ---------------------------------------------------------------- inline runs


@dataclass(frozen=True)
class Text:
    """Plain text, in logical (reading) order."""

    text: str


@dataclass(frozen=True)
class Strong:
    content: tuple["Inline", ...]


@dataclass(frozen=True)
class Emph:
    content: tuple["Inline", ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    url: str
    content: tuple["Inline", ...]


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph."""


@dataclass(frozen=True)
class Footnote:
    """A footnote, placed where it is called: its number in the book (in reading order, as Word
    and the PDF's footnote counter number them), ``marker`` that number as the calling part prints
    it («٣» in an Arabic-Indic part), and its content (paragraphs and lists). ``label`` is the
    editor's ``[^label]``; a second call of the same note in a part is a ``repeat``: it prints the
    first call's number and no second note (its ``blocks`` are empty)."""

    number: int
    marker: str
    blocks: tuple["Block", ...]
    label: str = ""
    repeat: bool = False
    separator: str = ""  # printed before the call when it follows another call («2،3،4», not «234»)


@dataclass(frozen=True)
class CrossRef:
    """A reference to a figure, table or section by id; ``label`` is its resolved text as the
    referring part prints it («شكل 3», «Figure 3», a section's number); ``where`` is the line of
    the reference, for errors."""

    target: str
    kind: Literal["figure", "table", "section"]
    label: str
    where: Where


Inline = Union[Text, Strong, Emph, Code, Link, LineBreak, Footnote, CrossRef]


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class CaptionLabel:
    """A caption's label as printed: the counter's word in the part's language and the number in
    the part's digits («شكل» «٣»). Word keeps the number in a SEQ field, so the two stay apart."""

    word: str
    number: str

    def __str__(self) -> str:
        return f"{self.word} {self.number}"


@dataclass(frozen=True)
class Heading:
    """A section heading; ``id`` is never empty (the editor's ``{#id}`` or one made from the part's
    id and the heading's order); ``number`` is its printed label (أولاً, ٣٫١, (2)) or empty."""

    level: int
    content: tuple[Inline, ...]
    id: str
    numbered: bool  # False for ``{.unnumbered}``/``{-}``
    number: str
    where: Where

    @property
    def prefix(self) -> str:
        """How the number precedes the title: «أولاً: » for ordinals, «3.1 » for digits."""
        if not self.number:
            return ""
        return self.number + (" " if any(c.isdigit() for c in self.number) else ": ")


@dataclass(frozen=True)
class Paragraph:
    content: tuple[Inline, ...]
    where: Where


@dataclass(frozen=True)
class ListBlock:
    """A bulleted (``start`` None) or numbered list; each item is a sequence of blocks."""

    items: tuple[tuple["Block", ...], ...]
    start: int | None
    where: Where

    @property
    def ordered(self) -> bool:
        return self.start is not None


@dataclass(frozen=True)
class Quote:
    blocks: tuple["Block", ...]
    where: Where


@dataclass(frozen=True)
class Div:
    """A generic container (``::: kind``): ``aside`` (boxed), ``signature`` (end-aligned lines),
    ``note`` (a remark in smaller type; footnotes are :class:`Footnote`)."""

    kind: Literal["aside", "signature", "note"]
    blocks: tuple["Block", ...]
    where: Where


Cell = tuple[Inline, ...]


@dataclass(frozen=True)
class Table:
    """A table. Captioned tables (``[[table:id]]``) are numbered and labelled («جدول 2»); plain
    Markdown tables have no id, number or label. Every row has as many cells as the header.
    ``number_columns`` marks, per column, the columns whose body cells are all numbers: they are set
    left-to-right and aligned on their right edge, so digits line up by place value."""

    id: str
    number: int | None
    label: CaptionLabel | None
    caption: tuple[Inline, ...]
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    number_columns: tuple[bool, ...]
    source: str
    where: Where
    # decided in loading so that the table fits the text width (briefing/sources/table_fit.py): the
    # fraction of the normal table type it is printed at, and each column's share of the width
    # (empty: equal shares)
    type_scale: float = 1.0
    column_widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Image:
    """A rendered chart: ``pdf``, a one-page vector PDF for print (text as outlines, no font),
    ``png``, a 300 dpi raster for Word's pictures (drawn only where Word shows one); ``native``,
    when set (a :class:`briefing.charts.render.NativeChart`: kind and data), makes Word draw it as
    a chart."""

    pdf: Path
    png: Path
    width_mm: float
    height_mm: float
    native: Any = None


@dataclass(frozen=True)
class Figure:
    """A numbered figure (شكل) or image (صورة), ``label`` its printed label («شكل ٣»);
    ``image`` is filled by the charts stage."""

    id: str
    counter: Literal["figure", "image"]
    number: int
    label: CaptionLabel | None
    caption: tuple[Inline, ...]
    source: str
    alt: str
    image: Image | None
    where: Where


Block = Union[Heading, Paragraph, ListBlock, Quote, Div, Table, Figure]


# ---------------------------------------------------------------- the book


@dataclass(frozen=True)
class Part:
    """A part of the book (foreword, report, annex), with its own language, direction and digits
    (the edition's ``digits`` in an Arabic part; Western in an English one)."""

    id: str
    title: tuple[Inline, ...]
    lang: Lang
    dir: Direction
    digits: Digits
    blocks: tuple[Block, ...]
    where: Where


@dataclass(frozen=True)
class Fonts:
    body: str
    heading: str
    latin: str


@dataclass(frozen=True)
class Meta:
    """The manifest's facts about the whole book; ``date_text`` is the date as the cover prints it
    («يوليو 2023م»); ``cover_title`` and ``cover_subtitle`` the title and subtitle as the cover and
    title page set them, with the joins that keep a name or range on one line
    (:mod:`briefing.sources.title_breaks`; the title and subtitle as typed unless given)."""

    title: str
    subtitle: str
    organisation: str
    date: dt.date
    date_text: str
    lang: Lang
    dir: Direction
    paper: str
    digits: Digits
    fonts: Fonts
    cover_title: str = ""
    cover_subtitle: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "cover_title", self.cover_title or self.title)
        object.__setattr__(self, "cover_subtitle", self.cover_subtitle or self.subtitle)


@dataclass(frozen=True)
class PageGeometry:
    """The page both writers lay out, in millimetres: paper size, margins (``inside`` at the spine;
    for a right-to-left book the spine is on the right of odd pages), and the distance of the
    running header and footer from the paper's edge (Word's ``w:header``/``w:footer``; in CSS the
    margin boxes sit in the top and bottom margins)."""

    paper: str
    width: float
    height: float
    top: float
    bottom: float
    inside: float
    outside: float
    header: float
    footer: float

    @property
    def text_width(self) -> float:
        return self.width - self.inside - self.outside


# paper → (width, height) and margins (top, bottom, inside, outside, header, footer), in mm: the
# booklet's A4 page, scaled for A5; Letter keeps A4's margins
PAPERS = {"A4": ((210, 297), (22, 24, 25, 18, 12, 10)),
          "A5": ((148, 210), (16, 17, 18, 13, 9, 8)),
          "Letter": ((215.9, 279.4), (22, 24, 25, 18, 12, 10))}


def page_geometry(paper: str) -> PageGeometry:
    """The geometry of a paper size named in the manifest (one of :data:`PAPERS`)."""
    (width, height), (top, bottom, inside, outside, header, footer) = PAPERS[paper]
    return PageGeometry(paper, width, height, top, bottom, inside, outside, header, footer)


@dataclass(frozen=True)
class OutlineEntry:
    """One line of the contents: level 1 for a part's title, 2 and 3 for its headings; ``target``
    the id of the heading (or part); ``text`` as printed (number and title, without footnotes,
    with the isolates and no-break spaces of :func:`printed_text`)."""

    level: int
    target: str
    text: str
    lang: Lang
    dir: Direction
    digits: Digits  # of the target's part: its page number is printed in these


@dataclass(frozen=True)
class Book:
    meta: Meta
    parts: tuple[Part, ...]
    outline: tuple[OutlineEntry, ...]
    page: PageGeometry


# The bullets of unnumbered lists, by depth (deeper lists repeat the last): both writers print
# these, from the bundled fonts (◦ and ▪ are in none of them).
BULLETS = ("•", "–", "–")

# Caption and reference words, by language: the model's one piece of vocabulary.
LABELS = {
    "ar": {"figure": "شكل", "image": "صورة", "table": "جدول", "source": "المصدر:",
           "contents": "المحتويات"},
    "en": {"figure": "Figure", "image": "Image", "table": "Table", "source": "Source:",
           "contents": "Contents"},
}


def label(kind: str, lang: str) -> str:
    """The caption word for a counter (شكل, جدول …) in a part's language."""
    return LABELS[lang][kind]


# and the joins that keep a title's ranges and last words together (briefing.sources.title_breaks)
_ISOLATES = str.maketrans({**dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u2060")),
                           0xA0: " "})


def plain_text(content: tuple[Inline, ...]) -> str:
    """The visible text of inline runs (footnotes, the invisible isolates of
    :mod:`briefing.directions` and word joiners left out, no-break spaces as spaces), for alt
    text, bookmarks and tests."""
    return visible(_plain(content))


def printed_text(content: tuple[Inline, ...]) -> str:
    """The text of inline runs as a writer prints it on one line (footnotes left out): with the
    isolates that keep a number, an address or a name in its direction and order, and the
    no-break spaces that keep a name whole — for the contents, whose lines are the headings'."""
    return _plain(content)


def visible(text: str) -> str:
    """``text`` without the invisible isolates and word joiners, no-break spaces as spaces."""
    return text.translate(_ISOLATES)


def _plain(content: tuple[Inline, ...]) -> str:
    out = []
    for run in content:
        if isinstance(run, (Text, Code)):
            out.append(run.text)
        elif isinstance(run, (Strong, Emph, Link)):
            out.append(_plain(run.content))
        elif isinstance(run, CrossRef):
            out.append(run.label)
        elif isinstance(run, LineBreak):
            out.append("\n")
    return "".join(out)


# ---------------------------------------------------------------- the one walk

Node = Union[Book, Part, Block, Inline]
_NODE_TYPES = (Book, Part, Heading, Paragraph, ListBlock, Quote, Div, Table, Figure, Text, Strong,
               Emph, Code, Link, LineBreak, Footnote, CrossRef)


def _nodes_in(value) -> Iterator[Node]:
    """The nodes held by one field: a node, or tuples of nodes at any depth (list items, rows)."""
    if isinstance(value, _NODE_TYPES):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _nodes_in(item)


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A node class's fields, in declaration order (``dataclasses.fields``, asked once: the
    walks ask for every node)."""
    return tuple(f.name for f in dataclasses.fields(kind))


def children(node: Node) -> Iterator[Node]:
    """A node's child nodes in reading order: fields are declared in the order they are read
    (a part's title before its blocks, a table's caption before its header and rows), and a
    footnote's blocks are children of its call."""
    for name in _field_names(type(node)):
        yield from _nodes_in(getattr(node, name))


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (itself first), depth first, in reading order."""
    yield node
    for child in children(node):
        yield from walk(child)


def walk_with_where(node: Node, where: Where | None = None) -> Iterator[tuple[Node, Where]]:
    """Every node under ``node``, as :func:`walk`, with the place of the nearest block holding it
    (for errors about an inline run: the line of its paragraph, footnote or cell's table)."""
    if not isinstance(node, CrossRef):  # a reference's place is its paragraph's
        where = getattr(node, "where", where)
    yield node, where
    for child in children(node):
        yield from walk_with_where(child, where)


def walk_with_part(book: Book) -> Iterator[tuple[Part, Node]]:
    """Every node of the book's parts at every depth, with the part it belongs to."""
    for part in book.parts:
        for node in walk(part):
            yield part, node


def transform(node: Node, fn: Callable[[Node], Node]) -> Node:
    """A copy of the tree with ``fn`` applied to every node, in reading order, before its children
    are transformed (so ``fn`` may count nodes as a reader meets them). ``fn`` returns the node
    itself when nothing changes; unchanged subtrees are returned as they are."""
    node = fn(node)
    changes = {}
    for name in _field_names(type(node)):
        value = getattr(node, name)
        new = _transform_value(value, fn)
        if new is not value:
            changes[name] = new
    return dataclasses.replace(node, **changes) if changes else node


def _transform_value(value, fn):
    if isinstance(value, _NODE_TYPES):
        return transform(value, fn)
    if isinstance(value, tuple) and value and not isinstance(value, str):
        new = tuple(_transform_value(item, fn) for item in value)
        return value if all(a is b for a, b in zip(new, value)) else new
    return value
