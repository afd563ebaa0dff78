"""The Word writer: the document model → a .docx built on ``styles/reference.docx``.

In: a :class:`~briefing.model.Book` whose figures carry rendered images, and the styles folder.
Out: one .docx; the same model gives the same bytes.

The writer only *names* styles (``Heading 2``, ``Aside``, ``Caption`` …); how they look lives in
the reference template, which editors restyle in Word (see ``styles/make_reference_docx.py``).
The only properties written on paragraphs and runs are those OOXML puts there and a style cannot
carry: direction (``w:bidi``/``w:rtl``), list membership (``w:numPr``), section breaks.

Like Pandoc's docx writer, it keeps two kinds of state apart:

* :class:`_Scope`, read-only and inherited down the tree: right-to-left?, language, paragraph
  style of the enclosing container, list level, inside a footnote? Direction is decided once per
  part (:meth:`_Writer.part`) and applied to every paragraph and run from the scope.
* :class:`_Writer` fields that accumulate: footnotes, bookmarks, list instances.

Raw OOXML (fields, bookmarks, footnotes, numbering, sections) is built by :mod:`briefing.oxml`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.ns import qn
from docx.parts.story import StoryPart
from docx.section import Section
from docx.shared import Mm
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun

from . import oxml
from .numbers import format_month, localize_digits, part_digits
from .model import (Book, CrossRef, Code, Div, Emph, Figure, Heading, LineBreak, Link,
                    ListBlock, Note, Paragraph, Part, Quote, Strong, Table, Text, label,
                    plain_text)

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- page geometry

# paper: (width, height) in mm
PAPER = {"A4": (210, 297), "A5": (148, 210), "Letter": (215.9, 279.4)}
# paper: top, bottom, inside, outside, gutter, header, footer distances in mm
MARGINS = {
    "A4": (25, 22, 20, 18, 6, 12, 10),
    "A5": (18, 16, 15, 12, 5, 9, 8),
    "Letter": (25, 22, 20, 18, 6, 12, 10),
}

# w:pgNumType/@w:fmt and w:numFmt values (§17.18.59) for the edition's digits:
# "hindiNumbers" is Word's name for Arabic-Indic digits (١٢٣); "arabicAbjad" would be letters.
NUMBER_FORMAT = {"western": "decimal", "arabic-indic": "hindiNumbers"}

TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'

DIV_STYLES = {"aside": "Aside", "signature": "Signature", "note": "Note"}
HEADING_STYLES = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
TOC_STYLES = {1: "toc 1", 2: "toc 2", 3: "toc 3"}


def write_docx(book: Book, out_path: Path, styles_dir: Path,
               contents_pages: Sequence[str] = ()) -> None:
    """Write ``book`` as a Word document at ``out_path``, styled by ``styles_dir/reference.docx``.

    ``contents_pages``, when known (see :mod:`briefing.pagination`), are the page numbers shown by
    the contents' entries until Word updates its fields. Raises ValueError for a model the writer
    cannot express: a figure without its rendered image, footnotes whose numbers do not follow
    document order, a footnote inside a footnote.
    """
    writer = _Writer(book, Path(styles_dir) / "reference.docx", tuple(contents_pages))
    writer.write()
    writer.save(Path(out_path))


# ---------------------------------------------------------------- scoped context


@dataclass(frozen=True)
class _Scope:
    """What a block inherits from where it sits (read-only; change it with ``replace``)."""

    rtl: bool
    lang: str
    para_style: str = "Normal"
    list_level: int = -1
    in_note: bool = False


# ---------------------------------------------------------------- flows: where blocks go


class _BodyFlow:
    """The main story: paragraphs and tables are appended before the final ``w:sectPr``."""

    def __init__(self, document):
        self._doc = document

    def paragraph(self, style: str) -> DocxParagraph:
        return self._doc.add_paragraph(style=style)

    def table(self, rows: int, cols: int):
        return self._doc.add_table(rows=rows, cols=cols)


class _CellFlow:
    """A table cell, which starts with one empty paragraph that the first block reuses."""

    def __init__(self, cell):
        self._cell = cell
        self._fresh = True

    def paragraph(self, style: str) -> DocxParagraph:
        if self._fresh:
            self._fresh = False
            p = self._cell.paragraphs[0]
            p.style = style
            return p
        return self._cell.add_paragraph(style=style)

    def table(self, rows: int, cols: int):
        raise ValueError("a table inside a table cell cannot be written")


class _FootnoteFlow:
    """One ``w:footnote``: its first paragraph opens with the footnote's own number mark."""

    def __init__(self, footnote, story, on_first: Callable[[DocxParagraph], None]):
        self._footnote = footnote
        self.part = story  # python-docx proxies find styles and relationships through .part
        self._on_first = on_first

    def paragraph(self, style: str) -> DocxParagraph:
        p = DocxParagraph(oxml.new_paragraph(self._footnote), self)
        p.style = style
        if self._on_first is not None:
            first, self._on_first = self._on_first, None
            first(p)
        return p

    def table(self, rows: int, cols: int):
        raise ValueError("a table inside a footnote cannot be written")


# ---------------------------------------------------------------- the writer


@dataclass
class _TocEntry:
    level: int
    text: str
    bookmark: str
    rtl: bool


@dataclass
class _Writer:
    book: Book
    template: Path
    contents_pages: tuple[str, ...] = ()
    # accumulated state
    footnote_count: int = 0
    bookmark_count: int = 0
    bookmark_names: dict[str, str] = field(default_factory=dict)
    ref_texts: dict[str, str] = field(default_factory=dict)  # target → its bookmarked text
    heading_bookmarks: dict[int, str] = field(default_factory=dict)
    toc: list[_TocEntry] = field(default_factory=list)
    list_abstracts: dict[bool, int] = field(default_factory=dict)
    num_count: int = 0

    def __post_init__(self):
        self.meta = self.book.meta
        self.doc = Document(str(self.template))
        self.body = _BodyFlow(self.doc)
        self.footnotes = None  # the w:footnotes element, created with the first note
        self.footnotes_part = None
        paper = {k.lower(): k for k in PAPER}.get(str(self.meta.paper).strip().lower())
        if paper is None:
            raise ValueError(f"paper {self.meta.paper!r} is not one of {', '.join(PAPER)}")
        w, h = PAPER[paper]
        top, bottom, inner, outer, gutter, header, footer = MARGINS[paper]
        self.page = dict(width=_tw(w), height=_tw(h), top=_tw(top), bottom=_tw(bottom),
                         inner=_tw(inner), outer=_tw(outer), gutter=_tw(gutter),
                         header=_tw(header), footer=_tw(footer))
        self.text_width_mm = w - inner - outer - gutter
        self.book_rtl = self.meta.dir == "rtl"

    # ------------------------------------------------------------ steps

    def write(self) -> None:
        log.info("Word step 1 - Surveying headings, captions and cross-references")
        self._survey()
        log.info("Word step 2 - Fitting the reference template to the edition")
        oxml.clear_body(self.doc.element.body)
        oxml.set_body_sect_pr(self.doc.element.body, self._sect_pr(self.book_rtl))
        self._fit_styles()
        log.info("Word step 3 - Writing the cover, the contents and %d parts",
                 len(self.book.parts))
        self._cover()
        self._contents()
        for i, part in enumerate(self.book.parts):
            self.part(part, last=i == len(self.book.parts) - 1)
        log.info("Word step 4 - Settings and document properties")
        self._settings()
        self._core_properties()

    def save(self, out_path: Path) -> None:
        buf = io.BytesIO()
        self.doc.save(buf)
        d = self.meta.date
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with open(out_path, "wb") as f:
            oxml.write_deterministic_zip(buf.getvalue(), f, (d.year, d.month, d.day, 0, 0, 0))

    # ------------------------------------------------------------ survey (first pass)

    def _survey(self) -> None:
        """Collect cross-reference targets and labels, and the contents' entries."""
        def blocks(bs, part):
            for b in bs:
                if isinstance(b, Heading) and part is not None:
                    if b.id:
                        self.ref_texts[b.id] = (b.number if b.number else
                                                plain_text(_without_notes(b.content)))
                    if b.level <= 3:
                        self.toc.append(_TocEntry(
                            _section_level(b), _heading_text(b),
                            self._heading_bookmark(b), part.dir == "rtl"))
                    inlines(b.content)
                elif isinstance(b, Paragraph):
                    inlines(b.content)
                elif isinstance(b, (Quote, Div)):
                    blocks(b.blocks, part)
                elif isinstance(b, ListBlock):
                    for item in b.items:
                        blocks(item, part)
                elif isinstance(b, Table):
                    if b.id and b.number is not None and part is not None:
                        self.ref_texts[b.id] = self._label_text("table", b.number, part.lang)
                    inlines(b.caption)
                    for row in (b.header, *b.rows):
                        for cell in row:
                            inlines(cell)
                elif isinstance(b, Figure):
                    if b.id and part is not None:
                        self.ref_texts[b.id] = self._label_text(b.counter, b.number, part.lang)
                    inlines(b.caption)

        def inlines(runs):
            for r in runs:
                if isinstance(r, (Strong, Emph, Link)):
                    inlines(r.content)
                elif isinstance(r, Note):
                    blocks(r.blocks, None)

        for part in self.book.parts:
            self.toc.append(_TocEntry(1, plain_text(part.title),
                                      self._bookmark(f"part:{part.id}"), part.dir == "rtl"))
            blocks(part.blocks, part)

    def _heading_bookmark(self, h: Heading) -> str:
        """Headings without an id get one by their order (remembered per node)."""
        if id(h) not in self.heading_bookmarks:
            key = h.id if h.id else f"heading:{len(self.heading_bookmarks) + 1}"
            self.heading_bookmarks[id(h)] = self._bookmark(key)
        return self.heading_bookmarks[id(h)]

    def _bookmark(self, key: str) -> str:
        """A Word bookmark name for ``key``: hidden (leading ``_``), at most 40 characters of
        letters, digits and underscores, unique."""
        if key not in self.bookmark_names:
            base = "_Ref_" + re.sub(r"\W", "_", key)[:30]
            name, n = base, 1
            while name in self.bookmark_names.values():
                n += 1
                name = f"{base}_{n}"
            self.bookmark_names[key] = name
        return self.bookmark_names[key]

    def _fit_styles(self) -> None:
        """Style-level changes an edition asks for: its fonts, and tab stops at its text width."""
        styles = self.doc.styles
        ascii_, body = oxml.style_fonts(styles["Normal"].element)
        _, heading = oxml.style_fonts(styles["Heading 1"].element)
        fonts = self.meta.fonts
        mapping = {k: v for k, v in ((body, fonts.body), (heading, fonts.heading),
                                     (ascii_, fonts.latin)) if k and v and k != v}
        if mapping:
            oxml.replace_fonts(styles.element, mapping)
        for name in TOC_STYLES.values():
            oxml.set_tab_stop_pos(styles[name].element, _tw(self.text_width_mm))

    # ------------------------------------------------------------ sections

    def _sect_pr(self, rtl: bool, **extra):
        return oxml.sect_pr(**self.page, bidi=rtl, rtl_gutter=self.book_rtl,
                            page_format=NUMBER_FORMAT[self.meta.digits], **extra)

    def _end_section(self, sect) -> Section:
        """Close the current section at the last paragraph (adding one after a table)."""
        body = self.doc.element.body
        p = oxml.last_paragraph(body)
        if p is None:
            p = self.body.paragraph("Normal")._p
        oxml.attach_sect_pr(p, sect)
        return Section(sect, self.doc.part)

    def _header(self, section: Section, text: str, rtl: bool) -> None:
        header = section.header
        header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p.style = "Header"
        self._direction(p, rtl)
        r = p.add_run(text)
        if rtl:
            oxml.set_rtl(r._r)

    def _footer(self, section: Section, rtl: bool) -> None:
        """Page number: a PAGE field, shown in the digits of ``w:pgNumType``."""
        footer = section.footer
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = "Footer"
        self._direction(p, rtl)
        self._field(p, "PAGE", "1", _Scope(rtl=rtl, lang=self.meta.lang))

    # ------------------------------------------------------------ cover and contents

    def _cover(self) -> None:
        m = self.meta
        scope = _Scope(rtl=self.book_rtl, lang=m.lang)
        for style, text in (("Title", m.title), ("Subtitle", m.subtitle),
                            ("Author", m.organisation), ("Date", format_month(m.date, m.lang, m.digits))):
            if text:
                p = self.body.paragraph(style)
                self._direction(p, scope.rtl)
                self._text(p, text, scope)
        self._end_section(self._sect_pr(self.book_rtl, v_align="center"))

    def _contents(self) -> None:
        """A TOC field (Word rebuilds it on opening: ``w:updateFields``) whose cached result is
        the entries, each linked to its heading's bookmark with a PAGEREF field, so a reader that
        does not update fields still shows the entries (page numbers appear once updated)."""
        scope = _Scope(rtl=self.book_rtl, lang=self.meta.lang)
        p = self.body.paragraph("TOC Heading")
        self._direction(p, scope.rtl)
        self._text(p, label("contents", self.meta.lang), scope)
        if not self.toc:
            p = self.body.paragraph(TOC_STYLES[1])
            self._direction(p, scope.rtl)
            self._runs(p, oxml.field_begin_runs(TOC_INSTRUCTION) + [oxml.field_end_run()],
                       scope)
        for i, entry in enumerate(self.toc):
            p = self.body.paragraph(TOC_STYLES[entry.level])
            self._direction(p, entry.rtl)
            escope = _Scope(rtl=entry.rtl, lang=self.meta.lang)
            if i == 0:
                self._runs(p, oxml.field_begin_runs(TOC_INSTRUCTION), escope)
            runs = self._text(p, entry.text, escope)
            runs += self._runs(p, [oxml.tab_run()], escope)
            page = self._digits(self.contents_pages[i]) if i < len(self.contents_pages) else ""
            runs += self._runs(p, oxml.field_runs(f"PAGEREF {entry.bookmark} \\h", page), escope)
            oxml.wrap_hyperlink(runs, anchor=entry.bookmark)
            if i == len(self.toc) - 1:
                self._runs(p, [oxml.field_end_run()], escope)
        section = self._end_section(self._sect_pr(self.book_rtl))
        self._header(section, label("contents", self.meta.lang), self.book_rtl)
        self._footer(section, self.book_rtl)

    # ------------------------------------------------------------ parts

    def part(self, part: Part, last: bool) -> None:
        """A part: its own section (direction, header with its title), Heading 1, its blocks."""
        rtl = part.dir == "rtl"
        scope = _Scope(rtl=rtl, lang=part.lang)
        p = self.body.paragraph(HEADING_STYLES[1])
        self._direction(p, rtl)
        self._bookmarked(p, self._bookmark(f"part:{part.id}"),
                         lambda: self._inlines(p, _without_notes(part.title), scope))
        self._inlines(p, _only_notes(part.title), scope)
        for block in part.blocks:
            self.block(self.body, block, scope)
        sect = self._sect_pr(rtl)
        if last:
            oxml.set_body_sect_pr(self.doc.element.body, sect)
            section = Section(sect, self.doc.part)
        else:
            section = self._end_section(sect)
        self._header(section, plain_text(part.title), rtl)
        # each section names its footer: LibreOffice does not inherit it from the previous one
        self._footer(section, rtl)

    # ------------------------------------------------------------ blocks

    def block(self, flow, block, scope: _Scope) -> None:
        handler = self._BLOCKS.get(type(block))
        if handler is None:
            raise TypeError(f"the Word writer has no rule for {type(block).__name__}")
        handler(self, flow, block, scope)

    def heading_to_docx(self, flow, h: Heading, scope: _Scope) -> None:
        """Heading 2/3 with its computed number first; a bookmark around what cross-references
        to it print (the number, or the title of an unnumbered heading)."""
        p = flow.paragraph(HEADING_STYLES[_section_level(h)])
        self._direction(p, scope.rtl)
        name = self._heading_bookmark(h)
        number = h.number  # already in the edition's digits
        title = _without_notes(h.content)
        if number:
            self._bookmarked(p, name, lambda: self._text(p, number, scope))
            self._text(p, h.prefix[len(number):], scope)
            self._inlines(p, title, scope)
        else:
            self._bookmarked(p, name, lambda: self._inlines(p, title, scope))
        self._inlines(p, _only_notes(h.content), scope)

    def paragraph_to_docx(self, flow, para: Paragraph, scope: _Scope) -> DocxParagraph:
        p = flow.paragraph(scope.para_style)
        self._direction(p, scope.rtl)
        self._inlines(p, para.content, scope)
        return p

    def list_to_docx(self, flow, lst: ListBlock, scope: _Scope) -> None:
        """A real Word list: one ``w:num`` per list (restarting at ``start``), its items'
        first paragraphs numbered, later paragraphs of an item indented as continuations."""
        num_id = self._new_list(lst.ordered, lst.start)
        inner = replace(scope, list_level=min(scope.list_level + 1, 2),
                        para_style="List Paragraph")
        for item in lst.items:
            numbered = False
            for block in item:
                if not numbered:
                    if isinstance(block, Paragraph):
                        p = self.paragraph_to_docx(flow, block, inner)
                    else:
                        p = flow.paragraph(inner.para_style)
                        self._direction(p, inner.rtl)
                    oxml.set_num_pr(p._p, num_id, inner.list_level)
                    numbered = True
                    if isinstance(block, Paragraph):
                        continue
                self.block(flow, block, inner)
            if not numbered:
                p = flow.paragraph(inner.para_style)
                self._direction(p, inner.rtl)
                oxml.set_num_pr(p._p, num_id, inner.list_level)

    def quote_to_docx(self, flow, q: Quote, scope: _Scope) -> None:
        for block in q.blocks:
            self.block(flow, block, replace(scope, para_style="Quote"))

    def div_to_docx(self, flow, div: Div, scope: _Scope) -> None:
        """Aside (a box drawn by the style's borders), signature, note: paragraph styles."""
        for block in div.blocks:
            self.block(flow, block, replace(scope, para_style=DIV_STYLES[div.kind]))

    def table_to_docx(self, flow, t: Table, scope: _Scope) -> None:
        """Caption above, a real table in the "Briefing Table" style, the source below.

        Arabic tables get ``w:bidiVisual`` (first column on the right). The header row repeats
        on each page (``w:tblHeader``). Numeric columns are left-to-right paragraphs in the
        "Table Number" style (aligned right), so their digits line up by place value in both
        directions."""
        if t.caption or t.number is not None:
            self._caption(flow, "table", t.number, t.caption, t.id, scope)
        ncols = max([len(t.header)] + [len(r) for r in t.rows] + [1])
        rows = ([t.header] if t.header else []) + list(t.rows)
        table = flow.table(rows=len(rows), cols=ncols)
        table.style = "Briefing Table"
        oxml.set_table_width_pct(table._tbl)
        # the grid too, or LibreOffice keeps python-docx's narrow default columns
        shares = t.column_widths or (1 / ncols,) * ncols  # decided in loading (table_fit)
        for column, share in zip(table.columns, shares):
            column.width = Mm(self.text_width_mm * share)
            for cell in column.cells:
                cell.width = column.width
        if scope.rtl:
            oxml.set_bidi_visual(table._tbl)
        cell_scope = replace(scope, list_level=-1)
        for r, row in enumerate(rows):
            is_header = bool(t.header) and r == 0
            tr = table.rows[r]
            if is_header:
                oxml.set_tbl_header(tr._tr)
            else:
                oxml.set_cant_split(tr._tr)
            for c in range(ncols):
                content = row[c] if c < len(row) else ()
                numeric = not is_header and c < len(t.numeric) and t.numeric[c]
                style = ("Table Heading" if is_header else
                         "Table Number" if numeric else "Table Text")
                s = replace(cell_scope, rtl=False) if numeric else cell_scope
                p = _CellFlow(tr.cells[c]).paragraph(style)
                self._direction(p, s.rtl)
                self._inlines(p, content, s)
                if t.type_scale < 1:  # a wide table in smaller type (table_fit)
                    if c < len(t.numeric) and t.numeric[c]:  # a number (or year) is one word
                        oxml.set_no_wrap(tr.cells[c]._tc)
                    size, size_cs = self._style_sizes(style)
                    for run in p._p.r_lst:
                        oxml.rpr_props(run.get_or_add_rPr(), size=size * t.type_scale,
                                       size_cs=size_cs * t.type_scale)
        if t.source:
            self._source(flow, t.source, scope)

    def _style_sizes(self, name: str) -> tuple[float, float]:
        """A paragraph style's type size and complex-script size (``w:sz``, ``w:szCs``) in points,
        looked up through the styles it is based on."""
        found: dict[str, float] = {}
        style = self.doc.styles[name]
        while style is not None and len(found) < 2:
            rpr = style.element.rPr
            for tag in ("w:sz", "w:szCs"):
                el = rpr.find(qn(tag)) if rpr is not None else None
                if el is not None and tag not in found:
                    found[tag] = int(el.get(qn("w:val"))) / 2
            style = style.base_style
        return found.get("w:sz", 11.0), found.get("w:szCs", found.get("w:sz", 11.0))

    def figure_to_docx(self, flow, fig: Figure, scope: _Scope) -> None:
        """Caption, the chart as an inline picture (sized to ``width_mm``, never wider than the
        text) with its alternative text, the source."""
        if fig.image is None:
            raise ValueError(f"{fig.where}: figure {fig.id!r} has no rendered image "
                             "(render the charts before writing Word)")
        self._caption(flow, fig.counter, fig.number, fig.caption, fig.id, scope)
        width = min(fig.image.width_mm, self.text_width_mm)
        height = fig.image.height_mm * width / fig.image.width_mm
        p = flow.paragraph("Figure")
        self._direction(p, scope.rtl)
        # from bytes, so the picture's name inside the package does not depend on the path
        image = io.BytesIO(Path(fig.image.png).read_bytes())
        shape = p.add_run().add_picture(image, width=Mm(width), height=Mm(height))
        oxml.set_alt_text(shape._inline, fig.alt or plain_text(fig.caption))
        if fig.source:
            self._source(flow, fig.source, scope)

    _BLOCKS = {Heading: heading_to_docx, Paragraph: paragraph_to_docx, ListBlock: list_to_docx,
               Quote: quote_to_docx, Div: div_to_docx, Table: table_to_docx,
               Figure: figure_to_docx}

    def _caption(self, flow, kind: str, number: int | None, caption, target: str,
                 scope: _Scope) -> None:
        """``شكل 3: …`` in the Caption style: the word and a ``SEQ شكل`` field (cached number)
        inside a bookmark, so REF fields to it print the same label."""
        p = flow.paragraph("Caption")
        self._direction(p, scope.rtl)
        if number is not None:
            seq = label(kind, self.meta.lang)  # one sequence per kind through the whole book
            cached = self._digits(str(number), scope.lang)

            def labelled():
                self._text(p, f"{label(kind, scope.lang)} ", scope)
                self._field(p, f"SEQ {seq} \\* ARABIC", cached, scope)

            if target:
                self._bookmarked(p, self._bookmark(target), labelled)
            else:
                labelled()
            if caption:
                self._text(p, ": ", scope)
        self._inlines(p, caption, scope)

    def _source(self, flow, source: str, scope: _Scope) -> None:
        p = flow.paragraph("Source")
        self._direction(p, scope.rtl)
        self._text(p, f"{label('source', scope.lang)} {source}", scope)

    # ------------------------------------------------------------ inlines

    def _inlines(self, p: DocxParagraph, runs, scope: _Scope, marks=frozenset()) -> list:
        """Write inline runs into paragraph ``p``; returns the ``w:r`` elements written."""
        out = []
        for run in runs:
            handler = self._INLINES.get(type(run))
            if handler is None:
                raise TypeError(f"the Word writer has no rule for {type(run).__name__}")
            out += handler(self, p, run, scope, marks)
        return out

    def _text_run(self, p, run: Text, scope, marks):
        return self._text(p, run.text, scope, marks)

    def _strong(self, p, run: Strong, scope, marks):
        return self._inlines(p, run.content, scope, marks | {"strong"})

    def _emph(self, p, run: Emph, scope, marks):
        return self._inlines(p, run.content, scope, marks | {"emph"})

    def _code(self, p, run: Code, scope, marks):
        return self._text(p, run.text, scope, marks | {"code"})

    def _link(self, p, run: Link, scope, marks):
        runs = self._inlines(p, run.content, scope, marks | {"link"})
        r_id = p.part.relate_to(run.url, RT.HYPERLINK, is_external=True)
        oxml.wrap_hyperlink(runs, r_id=r_id)
        return runs

    def _line_break(self, p, run: LineBreak, scope, marks):
        r = p.add_run()
        r.add_break()
        if scope.rtl:
            oxml.set_rtl(r._r)
        return [r._r]

    def _note(self, p, note: Note, scope, marks):
        """A real footnote: the reference mark here, the text in the footnotes part."""
        if scope.in_note:
            raise ValueError(f"footnote {note.number} is inside another footnote")
        footnote_id = self._footnote(note, scope)
        return self._runs(p, [oxml.footnote_reference_run(footnote_id)], scope,
                          style="footnote reference")

    def _cross_ref(self, p, ref: CrossRef, scope, marks):
        """A REF field to the bookmark around the target's label (cached text = the label).

        When the label differs from the bookmarked text (an English part citing an Arabic
        caption), a REF field would print the other language once updated, so the label is
        written as a link to the bookmark instead; an unknown target is plain text."""
        bookmarked = self.ref_texts.get(ref.target)
        if bookmarked is None:
            return self._text(p, ref.label, scope, marks)
        name = self._bookmark(ref.target)
        if bookmarked != ref.label:
            runs = self._text(p, ref.label, scope, marks)
            oxml.wrap_hyperlink(runs, anchor=name)
            return runs
        return self._runs(p, oxml.field_runs(f"REF {name} \\h", ref.label), scope,
                          style=_char_style(marks))

    _INLINES = {Text: _text_run, Strong: _strong, Emph: _emph, Code: _code, Link: _link,
                LineBreak: _line_break, Note: _note, CrossRef: _cross_ref}

    # ------------------------------------------------------------ runs, fields, bookmarks

    def _text(self, p: DocxParagraph, text: str, scope: _Scope, marks=frozenset()) -> list:
        if not text:
            return []
        r = p.add_run(text, _char_style(marks))
        if scope.rtl:
            oxml.set_rtl(r._r)
        return [r._r]

    def _runs(self, p: DocxParagraph, elements: list, scope: _Scope,
              style: str | None = None) -> list:
        """Append bare runs built by :mod:`oxml`, styled and marked right-to-left like text."""
        for r in oxml.append_runs(p._p, elements):
            if style:
                DocxRun(r, p).style = style
            if scope.rtl:
                oxml.set_rtl(r)
        return elements

    def _field(self, p, instr: str, cached: str, scope: _Scope) -> list:
        return self._runs(p, oxml.field_runs(instr, cached), scope)

    def _bookmarked(self, p: DocxParagraph, name: str, write: Callable) -> None:
        self.bookmark_count += 1
        bid = self.bookmark_count
        p._p.append(oxml.bookmark_start(bid, name))
        write()
        p._p.append(oxml.bookmark_end(bid))

    def _direction(self, p: DocxParagraph, rtl: bool) -> None:
        """The one place direction is written: ``w:bidi`` on paragraphs of right-to-left text."""
        if rtl:
            oxml.set_bidi(p._p)

    # ------------------------------------------------------------ footnotes

    def _footnote(self, note: Note, scope: _Scope) -> int:
        self.footnote_count += 1
        if note.number != self.footnote_count:
            raise ValueError(
                f"footnote numbered {note.number} is number {self.footnote_count} in document "
                "order; Word numbers footnotes in order, so the model's numbers must follow it")
        if self.footnotes is None:
            self.footnotes = oxml.footnotes_element(rtl=self.book_rtl)
            self.footnotes_part = StoryPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                                            self.footnotes, self.doc.part.package)
            self.doc.part.relate_to(self.footnotes_part, RT.FOOTNOTES)
        fn = oxml.add_footnote(self.footnotes, self.footnote_count)
        inner = replace(scope, in_note=True, para_style="footnote text", list_level=-1)

        def number_mark(p: DocxParagraph) -> None:
            self._runs(p, [oxml.footnote_ref_mark_run()], inner, style="footnote reference")
            self._text(p, " ", inner)

        flow = _FootnoteFlow(fn, self.footnotes_part, number_mark)
        for block in note.blocks:
            self.block(flow, block, inner)
        if not note.blocks:
            flow.paragraph(inner.para_style)
        return self.footnote_count

    # ------------------------------------------------------------ lists

    def _new_list(self, ordered: bool, start: int | None) -> int:
        numbering = self.doc.part.numbering_part.element
        if ordered not in self.list_abstracts:
            abstract_id = len(self.list_abstracts) + 1
            oxml.add_numbering(numbering, oxml.abstract_num(
                abstract_id, ordered, NUMBER_FORMAT[self.meta.digits]))
            self.list_abstracts[ordered] = abstract_id
        self.num_count += 1
        oxml.add_numbering(numbering, oxml.num(self.num_count, self.list_abstracts[ordered],
                                               start if ordered else None))
        return self.num_count

    # ------------------------------------------------------------ document-level

    def _settings(self) -> None:
        settings = self.doc.settings.element
        oxml.set_mirror_margins(settings)
        oxml.set_update_fields(settings)
        if self.footnotes is not None:
            oxml.set_footnote_pr(settings, NUMBER_FORMAT[self.meta.digits])

    def _core_properties(self) -> None:
        m = self.meta
        core = self.doc.core_properties
        core.title = m.title
        core.subject = m.subtitle
        core.author = m.organisation
        core.language = {"ar": "ar-SA", "en": "en-GB"}.get(m.lang, m.lang)
        stamp = dt.datetime(m.date.year, m.date.month, m.date.day)
        core.created = stamp
        core.modified = stamp
        oxml.strip_core_properties(core._element)

    # ------------------------------------------------------------ formatting helpers

    def _label_text(self, kind: str, number: int, lang: str) -> str:
        """What a caption's bookmark encloses: ``شكل 3``."""
        return f"{label(kind, lang)} {self._digits(str(number), lang)}"

    def _digits(self, s: str, lang: str | None = None) -> str:
        return localize_digits(s, part_digits(self.meta.digits, lang or self.meta.lang))


# ---------------------------------------------------------------- small helpers


def _tw(mm: float) -> int:
    """Millimetres → twips (the unit of ``w:pgSz``, ``w:pgMar``, tab stops)."""
    return round(mm * 1440 / 25.4)


def _char_style(marks) -> str | None:
    """The character style for a combination of inline marks."""
    if "link" in marks:
        return "Hyperlink"
    if "code" in marks:
        return "Verbatim Char"
    if "strong" in marks and "emph" in marks:
        return "Strong Emphasis"
    if "strong" in marks:
        return "Strong"
    if "emph" in marks:
        return "Emphasis"
    return None


def _section_level(h: Heading) -> int:
    """Headings inside a part are levels 2 and 3 (level 1 is the part's title)."""
    return min(max(h.level, 2), 3)


def _heading_text(h: Heading) -> str:
    return h.prefix + plain_text(h.content)


def _without_notes(runs):
    return tuple(r for r in runs if not isinstance(r, Note))


def _only_notes(runs):
    return tuple(r for r in runs if isinstance(r, Note))
