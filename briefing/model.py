"""The document model: the only thing the PDF and DOCX writers read.

Book → parts → blocks → inline runs, as frozen dataclasses. Every block carries ``where`` (source
file and line) so later stages can still point an editor at the text that caused a problem.
Numbers (section ordinals, figure and table numbers, footnote numbers) are resolved when the model is
built, so both writers print the same ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union

Direction = Literal["rtl", "ltr"]
Lang = Literal["ar", "en"]


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
class Note:
    """A footnote: its number in the book and its content, placed where it is referenced."""

    number: int
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class CrossRef:
    """A reference to a figure, table or section by id; ``label`` is its resolved text (شكل 3)."""

    target: str
    kind: Literal["figure", "table", "section"]
    label: str


Inline = Union[Text, Strong, Emph, Code, Link, LineBreak, Note, CrossRef]


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Heading:
    """A section heading; ``number`` is its computed label (أولاً, 3.1) or empty."""

    level: int
    content: tuple[Inline, ...]
    id: str
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
    """A generic container: ``aside`` (boxed), ``signature`` (end-aligned lines), ``note``."""

    kind: Literal["aside", "signature", "note"]
    blocks: tuple["Block", ...]
    where: Where


Cell = tuple[Inline, ...]


@dataclass(frozen=True)
class Table:
    """A table. Captioned tables (with an id) are numbered; plain Markdown tables are not."""

    id: str
    number: int | None
    caption: tuple[Inline, ...]
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[bool, ...]  # per column: numbers are aligned as numbers
    source: str
    where: Where
    # decided in loading so that the table fits the text width (briefing/table_fit.py): the
    # fraction of the normal table type it is printed at, and each column's share of the width
    # (empty: equal shares)
    type_scale: float = 1.0
    column_widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Image:
    """A rendered chart: vector for print, 300 dpi raster for Word."""

    svg: Path
    png: Path
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class Figure:
    """A numbered figure (شكل) or image (صورة); ``image`` is filled by the charts stage."""

    id: str
    counter: Literal["figure", "image"]
    number: int
    caption: tuple[Inline, ...]
    source: str
    alt: str
    image: Image | None
    where: Where


Block = Union[Heading, Paragraph, ListBlock, Quote, Div, Table, Figure]


# ---------------------------------------------------------------- the book


@dataclass(frozen=True)
class Part:
    """A part of the book (foreword, report, annex), with its own language and direction."""

    id: str
    title: tuple[Inline, ...]
    lang: Lang
    dir: Direction
    blocks: tuple[Block, ...]
    where: Where


@dataclass(frozen=True)
class Fonts:
    body: str
    heading: str
    latin: str


@dataclass(frozen=True)
class Meta:
    title: str
    subtitle: str
    organisation: str
    date: dt.date
    lang: Lang
    dir: Direction
    paper: str
    digits: Literal["western", "arabic-indic"]
    fonts: Fonts


@dataclass(frozen=True)
class Book:
    meta: Meta
    parts: tuple[Part, ...]


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


def plain_text(content: tuple[Inline, ...]) -> str:
    """The visible text of inline runs (footnotes left out), for alt text, bookmarks and tests."""
    out = []
    for run in content:
        if isinstance(run, (Text, Code)):
            out.append(run.text)
        elif isinstance(run, (Strong, Emph, Link)):
            out.append(plain_text(run.content))
        elif isinstance(run, CrossRef):
            out.append(run.label)
        elif isinstance(run, LineBreak):
            out.append("\n")
    return "".join(out)
