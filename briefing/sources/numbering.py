"""Numbering the book: one pass over the converted model that decides every printed number.

In: the parts as converted from the sources, whose headings, figures, tables, footnotes and
cross-references are not numbered yet (numbers 0, labels empty), and each part's numbering styles.
Out: the parts with every number and label decided, and the book's contents (outline).

Two walks over the model (:func:`briefing.model.walk`, :func:`briefing.model.transform`), in
reading order at every depth (list items, quotes, asides, footnotes, table cells): the first
collects the targets of cross-references, so a reference may point forward; the second writes the
numbers. Both writers only print what is decided here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .. import model as m
from ..errors import SourceError
from ..numerals import localize_digits, ordinal

SECTION_STYLES = ("none", "ordinal", "decimal")
SUBSECTION_STYLES = ("none", "decimal", "parenthesized")


@dataclass(frozen=True)
class PartNumbering:
    """How a part numbers its headings (the manifest's ``numbering`` and ``subnumbering``)."""

    sections: str = "none"
    subsections: str = "none"


@dataclass(frozen=True)
class _Target:
    kind: str        # "section", "figure" or "table"
    counter: str     # "section", "figure", "image" or "table"
    number: int
    text: str        # a section's printed number
    what: str        # for messages: «the heading at text/01.md:5»
    where: m.Where


class _Counters:
    """What a reader counts while reading one part (sections, subsections, headings); a new
    instance for each part and each walk, so both walks count the same nodes in the same order."""

    def __init__(self) -> None:
        self.sections = self.subsections = self.headings = 0


def _book_counters() -> dict[str, int]:
    """What is counted through the whole book: figures, images, tables, footnotes."""
    return {"figure": 0, "image": 0, "table": 0, "footnote": 0}


def number_book(parts: tuple[m.Part, ...], styles: dict[str, PartNumbering]
                ) -> tuple[tuple[m.Part, ...], tuple[m.OutlineEntry, ...]]:
    """The parts with every heading, figure, table, footnote and cross-reference numbered, and the
    contents. Raises SourceError for an id used twice (headings, figures and tables share ids), a
    reference to no target, and a reference to a section without a number."""
    targets = _collect_targets(parts, styles)
    book = _book_counters()
    numbered = tuple(_number_part(part, styles[part.id], targets, book) for part in parts)
    return numbered, _outline(numbered)


def _heading_number(heading: m.Heading, style: PartNumbering, counters: _Counters,
                    part: m.Part) -> str:
    """A heading's printed number: «أولاً» / «First», «3.1» or «(1)», in the part's digits."""
    lang, digits = part.lang, part.digits
    if not heading.numbered:
        return ""
    if heading.level == 2:
        counters.sections, counters.subsections = counters.sections + 1, 0
        try:
            text = (ordinal(counters.sections, lang) if style.sections == "ordinal" else
                    str(counters.sections) if style.sections == "decimal" else "")
        except ValueError as exc:
            raise SourceError(f"{exc}: write 'numbering: decimal' for this part in edition.yaml",
                              file=heading.where.file, line=heading.where.line) from None
    else:
        counters.subsections += 1
        text = {"decimal": f"{counters.sections}.{counters.subsections}",
                "parenthesized": f"({counters.subsections})"}.get(style.subsections, "")
    return localize_digits(text, digits)


def _heading_id(part: m.Part, heading: m.Heading, counters: _Counters) -> str:
    """The editor's ``{#id}``, or one named after the part and the heading's order in it."""
    counters.headings += 1
    return heading.id or f"{part.id}-s{counters.headings}"


def _what(kind: str, where: m.Where) -> str:
    return {"part": f"the part starting at {where}", "section": f"the heading at {where}",
            "figure": f"the figure placed at {where}", "table": f"the table placed at {where}"}[kind]


def _collect_targets(parts, styles) -> dict[str, _Target]:
    targets: dict[str, _Target] = {}
    book = _book_counters()

    def add(ident: str, kind: str, counter: str, number: int, text: str, where: m.Where) -> None:
        if ident in targets:
            first = targets[ident]
            raise SourceError(
                f"the id '{ident}' is used twice: by {first.what} and by {_what(kind, where)}; "
                "headings, figures and tables share one set of ids, so give one of them another "
                f"id (e.g. {{#{ident}-section}} for a heading)", file=where.file, line=where.line)
        targets[ident] = _Target(kind, counter, number, text, _what(kind, where), where)

    for part in parts:
        add(part.id, "part", "section", 0, "", part.where)  # a part's id names its first page
        counters = _Counters()
        for node in m.walk(part):
            if isinstance(node, m.Heading):
                ident = _heading_id(part, node, counters)
                number = _heading_number(node, styles[part.id], counters, part)
                add(ident, "section", "section", counters.sections, number, node.where)
            elif isinstance(node, m.Figure):
                book[node.counter] += 1
                add(node.id, "figure", node.counter, book[node.counter], "", node.where)
            elif isinstance(node, m.Table) and node.id:
                book["table"] += 1
                add(node.id, "table", "table", book["table"], "", node.where)
    return targets


def caption_label(counter: str, number: int, part: m.Part) -> m.CaptionLabel:
    """«شكل ٣», «Table 2»: a caption's label as ``part`` prints it."""
    return m.CaptionLabel(m.label(counter, part.lang), localize_digits(str(number), part.digits))


def _number_part(part: m.Part, style: PartNumbering, targets: dict[str, _Target],
                 book: dict[str, int]) -> m.Part:
    counters = _Counters()
    notes: dict[str, int] = {}  # a part's footnote labels → their numbers

    def number(node):
        if hasattr(node, "content"):
            node = _separate_calls(node, part)
        if isinstance(node, m.Heading):
            return dataclasses.replace(node, id=_heading_id(part, node, counters),
                                       number=_heading_number(node, style, counters, part))
        if isinstance(node, m.Figure):
            target = targets[node.id]
            return dataclasses.replace(node, number=target.number,
                                       label=caption_label(node.counter, target.number, part))
        if isinstance(node, m.Table) and node.id:
            target = targets[node.id]
            return dataclasses.replace(node, number=target.number,
                                       label=caption_label("table", target.number, part))
        if isinstance(node, m.Footnote):
            if node.label and node.label in notes:  # called again: its number, not a new note
                n = notes[node.label]
                return dataclasses.replace(node, number=n, blocks=(), repeat=True,
                                           marker=localize_digits(str(n), part.digits))
            book["footnote"] += 1
            n = notes[node.label] = book["footnote"]
            return dataclasses.replace(node, number=n, marker=localize_digits(str(n), part.digits))
        if isinstance(node, m.CrossRef):
            return _resolve(node, part, targets)
        return node

    return m.transform(part, number)


# between two footnote calls in a row, set as the calls are: «2،3،4» reads as three numbers
NOTE_SEPARATORS = {"ar": "،", "en": ","}


def _separate_calls(node, part: m.Part):
    """``node`` with a separator on each footnote call that directly follows another one."""
    content = node.content
    if not any(isinstance(a, m.Footnote) and isinstance(b, m.Footnote)
               for a, b in zip(content, content[1:])):
        return node
    runs = [content[0]] + [dataclasses.replace(b, separator=NOTE_SEPARATORS[part.lang])
                           if isinstance(a, m.Footnote) and isinstance(b, m.Footnote) else b
                           for a, b in zip(content, content[1:])]
    return dataclasses.replace(node, content=tuple(runs))


def _resolve(ref: m.CrossRef, part: m.Part, targets: dict[str, _Target]) -> m.CrossRef:
    """A reference prints in the referring part's language and digits: «شكل 3» or «Figure 3»."""
    target = targets.get(ref.target)
    if target is None:
        raise SourceError(f"[[ref:{ref.target}]] points at no figure, table or section with that "
                          "id", file=ref.where.file, line=ref.where.line)
    if target.kind == "part":
        raise SourceError(f"[[ref:{ref.target}]] points at a whole part, which has no number: "
                          "refer to one of its numbered sections, figures or tables",
                          file=ref.where.file, line=ref.where.line)
    if target.kind == "section":
        if not target.text:
            raise SourceError(f"[[ref:{ref.target}]] points at a section without a number",
                              file=ref.where.file, line=ref.where.line)
        return dataclasses.replace(ref, kind="section", label=target.text)
    return dataclasses.replace(ref, kind=target.kind,
                               label=str(caption_label(target.counter, target.number, part)))


def _outline(parts: tuple[m.Part, ...]) -> tuple[m.OutlineEntry, ...]:
    entries = []
    for part in parts:
        entries.append(m.OutlineEntry(1, part.id, m.printed_text(part.title), part.lang,
                                      part.dir, part.digits))
        for node in m.walk(part):
            if isinstance(node, m.Heading):
                entries.append(m.OutlineEntry(node.level, node.id,
                                              node.prefix + m.printed_text(node.content),
                                              part.lang, part.dir, part.digits))
    return tuple(entries)
