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
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.parts.story import StoryPart
from docx.section import Section
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph as DocxParagraph

from ...model import (BULLETS, Book, Code, CrossRef, Div, Emph, Figure, Footnote, Heading,
                      LineBreak, Link, ListBlock, Paragraph, Part, Quote, Strong, Table, Text,
                      Where, label, plain_text, walk)
from ...fonts import FALLBACKS, families
from ...numerals import localize_digits
from . import heading_numbering, oxml, oxml_fonts

log = logging.getLogger(__name__)

# w:pgNumType/@w:fmt and w:numFmt values (§17.18.59) for the edition's digits:
# "hindiNumbers" is Word's name for Arabic-Indic digits (١٢٣); "arabicAbjad" would be letters.
NUMBER_FORMAT = {"western": "decimal", "arabic-indic": "hindiNumbers"}
# the general formatting switch of a numeric field result (ECMA-376 Part 1, §17.16.4.3): a
# caption's SEQ field keeps the part's digits when Word or LibreOffice updates it
FIELD_FORMAT = {"western": "ARABIC", "arabic-indic": "HindiArabic"}

TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'

DIV_STYLES = {"aside": "Aside", "signature": "Signature", "note": "Note"}
HEADING_STYLES = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
TOC_STYLES = {1: "toc 1", 2: "toc 2", 3: "toc 3"}
# An Arabic-Indic number is a right-to-left isolate in the model (RLI … PDI, briefing.directions).
# LibreOffice (7.4 and 25.2) breaks lines inside such an isolate, even between two digits
# («٣» / «٢٪»); right-to-left marks around the number give the same order (its minus on the
# right, ٪ on the left: the digits are AN, the signs between R neighbours resolve to R, UAX #9
# N1) and keep it whole.
RLM = "\u200f"
_RTL_NUMBER = re.compile("\u2067([\u0660-\u0669\u066a-\u066c\u2212\u2013/:.,-]+)\u2069")


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
    digits: str
    para_style: str = "Normal"
    list_level: int = -1
    in_note: bool = False


# ---------------------------------------------------------------- style ids


class _StyleIds:
    """The ``w:styleId`` a style name stands for, as python-docx's ``Styles.get_style_id`` gives
    it (None for the default style of its type; KeyError for an unknown name, ValueError for a
    style of another type), looked up once per name and type: python-docx scans every style of
    the template for the type's default on each lookup. The writer changes no style's name, id,
    type or default flag."""

    def __init__(self, styles):
        self._styles = styles
        self._ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}

    def __call__(self, name: str, style_type=WD_STYLE_TYPE.PARAGRAPH) -> str | None:
        key = (name, style_type)
        if key not in self._ids:
            self._ids[key] = self._styles.get_style_id(name, style_type)
        return self._ids[key]


# ---------------------------------------------------------------- flows: where blocks go


class _BodyFlow:
    """The main story: paragraphs and tables are appended before the final ``w:sectPr``."""

    def __init__(self, document, style_ids: _StyleIds):
        self._doc = document
        self._style_ids = style_ids

    def paragraph(self, style: str) -> DocxParagraph:
        p = self._doc.add_paragraph()
        p._p.style = self._style_ids(style)
        return p

    def table(self, rows: int, cols: int):
        return self._doc.add_table(rows=rows, cols=cols)


class _CellFlow:
    """A table cell, which starts with one empty paragraph that the first block reuses."""

    def __init__(self, cell, style_ids: _StyleIds):
        self._cell = cell
        self._style_ids = style_ids
        self._fresh = True

    def paragraph(self, style: str) -> DocxParagraph:
        if self._fresh:
            self._fresh = False
            p = self._cell.paragraphs[0]
        else:
            p = self._cell.add_paragraph()
        p._p.style = self._style_ids(style)
        return p

    def table(self, rows: int, cols: int):
        raise ValueError("a table inside a table cell cannot be written")


class _FootnoteFlow:
    """One ``w:footnote``: its first paragraph opens with the footnote's own number mark."""

    def __init__(self, footnote, story, on_first: Callable[[DocxParagraph], None],
                 style_ids: _StyleIds):
        self._footnote = footnote
        self.part = story  # python-docx proxies find styles and relationships through .part
        self._on_first = on_first
        self._style_ids = style_ids

    def paragraph(self, style: str) -> DocxParagraph:
        p = DocxParagraph(oxml.new_paragraph(self._footnote), self)
        p._p.style = self._style_ids(style)
        if self._on_first is not None:
            first, self._on_first = self._on_first, None
            first(p)
        return p

    def table(self, rows: int, cols: int):
        raise ValueError("a table inside a footnote cannot be written")


# ---------------------------------------------------------------- the writer


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
    list_abstracts: dict[tuple[bool, str], int] = field(default_factory=dict)
    num_count: int = 0
    # section numbers as Word list numbering (heading_numbering): part id → scheme, the ids of
    # headings whose number Word prints, the current part's (numId, scheme)
    heading_schemes: dict[str, heading_numbering.Scheme | None] = field(default_factory=dict)
    listed_headings: set[str] = field(default_factory=set)
    heading_list: tuple[int, heading_numbering.Scheme] | None = None
    heading_abstracts: dict[tuple, int] = field(default_factory=dict)
    source_marks: set[str] = field(default_factory=set)  # the _Src_ bookmark names written
    run_fonts: dict[tuple, str | None] = field(default_factory=dict)  # (style, char style, rtl)
    char_faces: dict[tuple, str | None] = field(default_factory=dict)  # (char, run font) → face

    def __post_init__(self):
        self.meta = self.book.meta
        self.doc = Document(str(self.template))
        self.style_ids = _StyleIds(self.doc.styles)
        self.body = _BodyFlow(self.doc, self.style_ids)
        self.footnotes = None  # the w:footnotes element, created with the first note
        self.footnotes_part = None
        g = self.book.page  # the model's page geometry, which the PDF lays out too
        self.page = dict(width=_tw(g.width), height=_tw(g.height), top=_tw(g.top),
                         bottom=_tw(g.bottom), inner=_tw(g.inside), outer=_tw(g.outside),
                         gutter=0, header=_tw(g.header), footer=_tw(g.footer))
        self.text_width_mm = g.text_width
        self.book_rtl = self.meta.dir == "rtl"
        self.book_scope = _Scope(rtl=self.book_rtl, lang=self.meta.lang, digits=self.meta.digits)
        self.source_files = {part.where.file: i for i, part in enumerate(self.book.parts)}
        # the bundled faces' characters, and the faces that draw what a run's font lacks
        self.coverage = families(self.template.parent / "fonts")
        fonts = self.meta.fonts
        self.fallback_faces = tuple(dict.fromkeys((fonts.body, fonts.heading, fonts.latin,
                                                   *FALLBACKS)))

    # ------------------------------------------------------------ steps

    def write(self) -> None:
        log.info("Word step 1 - Bookmarks for the targets of cross-references")
        self._targets()
        log.info("Word step 2 - Fitting the reference template to the edition")
        oxml.clear_body(self.doc.element.body)
        oxml.set_body_sect_pr(self.doc.element.body, self._sect_pr(self.book_scope))
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
        # last: the font table lists the fonts the finished parts name
        oxml_fonts.embed_fonts(self.doc, self.template.parent / "fonts")

    def save(self, out_path: Path) -> None:
        members = oxml.package_members(self.doc.part.package)
        d = self.meta.date
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with open(out_path, "wb") as f:
            oxml.write_deterministic_zip(members, f, (d.year, d.month, d.day, 0, 0, 0))

    # ------------------------------------------------------------ targets (first pass)

    def _targets(self) -> None:
        """What the bookmark of each cross-reference target encloses: a caption's label, a
        heading's number (or its title when it has none). A reference printing the same text
        becomes a REF field to it."""
        for part in self.book.parts:
            headings = []
            for node in walk(part):
                if isinstance(node, Heading):
                    headings.append(node)
                    self.ref_texts[node.id] = node.number or plain_text(node.content)
                elif isinstance(node, (Figure, Table)) and node.label is not None:
                    self.ref_texts[node.id] = str(node.label)
            # section numbers Word can print as list numbering (heading_numbering)
            scheme = heading_numbering.scheme(headings, part.digits)
            self.heading_schemes[part.id] = scheme
            self.listed_headings |= {h.id for h in headings if scheme and h.number
                                     and scheme.listed(h.level - 2)}

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
        oxml_fonts.set_theme_fonts(self.doc, heading=(fonts.latin, fonts.heading),
                                   body=(fonts.latin, fonts.body))
        if self.book_rtl:
            # a paragraph or row an editor (or python-docx) adds from a style, and "Clear
            # formatting", come out right-to-left; numbers in tables stay left-to-right
            for el in (styles.element.find(qn("w:docDefaults")), styles["Normal"].element):
                oxml.style_direction(el, rtl=True)
            oxml.style_direction(styles["Table Number"].element, rtl=False)
        for name in TOC_STYLES.values():
            oxml.set_tab_stop_pos(styles[name].element, _tw(self.text_width_mm))

    # ------------------------------------------------------------ sections

    def _sect_pr(self, scope: _Scope, **extra):
        """A section in the scope's direction, its pages and footnotes numbered in its digits
        (an English part of an Arabic-Indic book: Western)."""
        return oxml.sect_pr(**self.page, bidi=scope.rtl, bound_right=self.book_rtl,
                            page_format=NUMBER_FORMAT[scope.digits], **extra)

    def _end_section(self, sect, own_paragraph: bool = False) -> Section:
        """Close the current section at the last paragraph (adding one after a table, or
        always with ``own_paragraph``)."""
        body = self.doc.element.body
        p = None if own_paragraph else oxml.last_paragraph(body)
        if p is None:
            p = self.body.paragraph("Normal")._p
        oxml.attach_sect_pr(p, sect)
        return Section(sect, self.doc.part)

    def _header(self, section: Section, text: str, rtl: bool) -> None:
        header = section.header
        header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p._p.style = self.style_ids("Header")
        self._direction(p, rtl)
        r = p.add_run(text)
        self._run_direction(r._r, rtl)

    def _footer(self, section: Section, rtl: bool) -> None:
        """Page number: a PAGE field, shown in the digits of ``w:pgNumType``."""
        footer = section.footer
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p._p.style = self.style_ids("Footer")
        self._direction(p, rtl)
        self._field(p, "PAGE", "1", replace(self.book_scope, rtl=rtl))

    # ------------------------------------------------------------ cover and contents

    def _cover(self) -> None:
        m = self.meta
        scope = self.book_scope
        for style, text in (("Title", m.cover_title), ("Subtitle", m.cover_subtitle),
                            ("Author", m.organisation), ("Date", m.date_text)):
            if text:
                p = self.body.paragraph(style)
                self._direction(p, scope.rtl)
                self._text(p, text, scope)
        self._end_section(self._sect_pr(self.book_scope, v_align="center"))

    def _contents(self) -> None:
        """A TOC field (Word rebuilds it on opening: ``w:updateFields``) whose cached result is
        the entries, each linked to its heading's bookmark with a PAGEREF field, so a reader that
        does not update fields still shows the entries (page numbers appear once updated)."""
        scope = self.book_scope
        p = self.body.paragraph("TOC Heading")
        self._direction(p, scope.rtl)
        self._text(p, label("contents", self.meta.lang), scope)
        outline = self.book.outline
        if not outline:
            p = self.body.paragraph(TOC_STYLES[1])
            self._direction(p, scope.rtl)
            self._runs(p, oxml.field_begin_runs(TOC_INSTRUCTION) + [oxml.field_end_run()],
                       scope)
        for i, entry in enumerate(outline):
            p = self.body.paragraph(TOC_STYLES[entry.level])
            rtl = entry.dir == "rtl"
            self._direction(p, rtl)
            escope = replace(scope, rtl=rtl)
            if i == 0:
                self._runs(p, oxml.field_begin_runs(TOC_INSTRUCTION), escope)
            runs = self._text(p, entry.text, escope)
            runs += self._runs(p, [oxml.tab_run()], escope)
            page = (localize_digits(self.contents_pages[i], self.meta.digits)
                    if i < len(self.contents_pages) else "")
            bookmark = self._bookmark(entry.target)
            runs += self._runs(p, oxml.field_runs(f"PAGEREF {bookmark} \\h", page), escope)
            oxml.wrap_hyperlink(runs, anchor=bookmark)
            if i == len(outline) - 1:
                self._runs(p, [oxml.field_end_run()], escope)
        # the break in a paragraph of its own: sharing the TOC field's last paragraph, it loses
        # the contents' footer (page numbers) in LibreOffice
        section = self._end_section(self._sect_pr(self.book_scope), own_paragraph=True)
        self._header(section, label("contents", self.meta.lang), self.book_rtl)
        self._footer(section, self.book_rtl)

    # ------------------------------------------------------------ parts

    def part(self, part: Part, last: bool) -> None:
        """A part: its own section (direction, header with its title), Heading 1, its blocks."""
        rtl = part.dir == "rtl"
        scope = _Scope(rtl=rtl, lang=part.lang, digits=part.digits)
        p = self.body.paragraph(HEADING_STYLES[1])
        self._direction(p, rtl)
        self._bookmarked(p, self._bookmark(part.id),
                         lambda: self._inlines(p, _without_notes(part.title), scope))
        self._inlines(p, _only_notes(part.title), scope)
        self.heading_list = self._new_heading_list(self.heading_schemes.get(part.id), rtl)
        for block in part.blocks:
            self.block(self.body, block, scope)
        sect = self._sect_pr(scope)
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
        name = self._bookmark(h.id)
        number = h.number  # already in the part's digits
        title = _without_notes(h.content)
        if number and self.heading_list is not None:
            num_id, scheme = self.heading_list
            oxml.set_num_pr(p._p, num_id, h.level - 2)
            if scheme.listed(h.level - 2):
                number = ""  # Word prints it

        def write():
            if number:
                self._bookmarked(p, name, lambda: self._text(p, number, scope))
                self._text(p, h.prefix[len(number):], scope)
                self._inlines(p, title, scope)
            else:
                self._bookmarked(p, name, lambda: self._inlines(p, title, scope))
            self._inlines(p, _only_notes(h.content), scope)

        self._source_marked(p, h.where, write)

    def paragraph_to_docx(self, flow, para: Paragraph, scope: _Scope) -> DocxParagraph:
        p = flow.paragraph(scope.para_style)
        self._direction(p, scope.rtl)
        self._source_marked(p, para.where, lambda: self._inlines(p, para.content, scope))
        return p

    def list_to_docx(self, flow, lst: ListBlock, scope: _Scope) -> None:
        """A real Word list: one ``w:num`` per list (restarting at ``start``), its items'
        first paragraphs numbered, later paragraphs of an item indented as continuations."""
        num_id = self._new_list(lst.ordered, lst.start, scope.digits)
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

        Arabic tables get ``w:bidiVisual`` (first column on the right), the others
        ``w:bidiVisual w:val="0"``. The header row repeats
        on each page (``w:tblHeader``). Numeric columns are left-to-right paragraphs in the
        "Table Number" style (aligned right), so their digits line up by place value in both
        directions."""
        if t.caption or t.label is not None:
            self._caption(flow, "table", t.label, t.caption, t.id, scope, t.where)
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
        oxml.set_bidi_visual(table._tbl, scope.rtl)
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
                numeric = not is_header and c < len(t.number_columns) and t.number_columns[c]
                style = ("Table Heading" if is_header else
                         "Table Number" if numeric else "Table Text")
                s = replace(cell_scope, rtl=False) if numeric else cell_scope
                p = _CellFlow(tr.cells[c], self.style_ids).paragraph(style)
                self._direction(p, s.rtl)
                runs = self._inlines(p, content, s)
                if numeric and scope.lang == "ar":
                    # a left-to-right number in an Arabic table takes the table text's face and
                    # size (the complex-script ones, Amiri), as the PDF sets it
                    for r in runs:
                        oxml.set_complex_script(r)
                if t.type_scale < 1:  # a wide table in smaller type (table_fit)
                    if c < len(t.number_columns) and t.number_columns[c]:  # a number is one word
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
        """Caption, the chart (sized to ``width_mm``, never wider than the text) with its
        alternative text, the source. The chart is a native Word chart when the image carries its
        data (``Image.native``, :mod:`.native_charts`), else an inline picture."""
        if fig.image is None:
            raise ValueError(f"{fig.where}: figure {fig.id!r} has no rendered image "
                             "(render the charts before writing Word)")
        self._caption(flow, fig.counter, fig.label, fig.caption, fig.id, scope, fig.where)
        width = min(fig.image.width_mm, self.text_width_mm)
        height = fig.image.height_mm * width / fig.image.width_mm
        p = flow.paragraph("Figure")
        if fig.image.native is not None:
            from .native_charts import add_chart_run
            # the chart's paragraph is left to right (centred by its style): LibreOffice prints
            # the numbers of a chart inside a w:bidi paragraph backwards
            self._direction(p, False)
            add_chart_run(p, fig.image.native, styles_dir=self.template.parent, lang=scope.lang,
                          digits=scope.digits, created=self.meta.date,
                          width_mm=width, height_mm=height,
                          description=fig.alt or plain_text(fig.caption))
            if fig.source:
                self._source(flow, fig.source, scope)
            return
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

    def _caption(self, flow, kind: str, caption_label, caption, target: str,
                 scope: _Scope, where: Where) -> None:
        """``شكل 3: …`` in the Caption style: the word and a ``SEQ شكل`` field (cached number)
        inside a bookmark, so REF fields to it print the same label; the whole caption inside
        the source bookmark of the ``[[figure:…]]``/``[[table:…]]`` line."""
        p = flow.paragraph("Caption")
        self._direction(p, scope.rtl)
        self._source_marked(p, where, lambda: self._caption_text(p, kind, caption_label, caption,
                                                                 target, scope))

    def _caption_text(self, p, kind: str, caption_label, caption, target: str,
                      scope: _Scope) -> None:
        if caption_label is not None:
            seq = label(kind, self.meta.lang)  # one sequence per kind through the whole book

            def labelled():
                self._text(p, f"{caption_label.word} ", scope)
                self._field(p, f"SEQ {seq} \\* {FIELD_FORMAT[scope.digits]}",
                            caption_label.number, scope)

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
        self._run_direction(r._r, scope.rtl)
        return [r._r]

    def _note(self, p, note: Footnote, scope, marks):
        """A real footnote: the reference mark here, the text in the footnotes part."""
        if scope.in_note:
            raise ValueError(f"footnote {note.number} is inside another footnote")
        # a call right after another: the model's separator first, set as the calls are
        runs = self._text(p, note.separator, scope, marks | {"note"})
        if note.repeat:  # the same note called again: its number as a superscript mark only
            return runs + self._text(p, note.marker, scope, marks | {"note"})
        footnote_id = self._footnote(note, scope)
        return runs + self._runs(p, [oxml.footnote_reference_run(footnote_id)], scope,
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
        # \n: the heading's list number as Word prints it (no context, §17.16.5.58)
        switches = "\\n \\h" if ref.target in self.listed_headings else "\\h"
        return self._runs(p, oxml.field_runs(f"REF {name} {switches}", ref.label), scope,
                          style=_char_style(marks))

    _INLINES = {Text: _text_run, Strong: _strong, Emph: _emph, Code: _code, Link: _link,
                LineBreak: _line_break, Footnote: _note, CrossRef: _cross_ref}

    # ------------------------------------------------------------ runs, fields, bookmarks

    def _text(self, p: DocxParagraph, text: str, scope: _Scope, marks=frozenset()) -> list:
        if not text:
            return []
        style = _char_style(marks)
        runs = []
        text = _RTL_NUMBER.sub(f"{RLM}\\1{RLM}", text)
        for piece, family in self._font_pieces(text, self._run_font(p._p.style, style,
                                                                    scope.rtl)):
            r = oxml.add_text_run(p._p, piece)
            if style:
                r.style = self.style_ids(style, WD_STYLE_TYPE.CHARACTER)
            if family:
                oxml.set_run_font(r, family)
            if "link" in marks and marks & {"strong", "emph"}:
                # one character style per run: a link keeps its bold and italic as direct
                # formatting
                oxml.set_bold_italic(r, bold="strong" in marks, italic="emph" in marks)
            self._run_direction(r, scope.rtl)
            runs.append(r)
        return runs

    def _font_pieces(self, text: str, font: str | None) -> list[tuple[str, str | None]]:
        """``text`` cut where ``font`` (a run's: see :meth:`_run_font`) lacks a character: those
        pieces name the face that draws them (:meth:`_face_for`), the others None. A heading in
        Noto Sans Arabic has no «(», «)», «/», «–» or «−», which Word and LibreOffice would draw
        in a system font."""
        cover = self.coverage.get(font)
        if cover is None or cover.issuperset(map(ord, text)):  # the common case: all drawn
            return [(text, None)] if text else []
        pieces: list[tuple[str, str | None]] = []
        for char in text:
            if (char, font) not in self.char_faces:
                self.char_faces[char, font] = self._face_for(char, font)
            family = self.char_faces[char, font]
            if pieces and pieces[-1][1] == family:
                pieces[-1] = (pieces[-1][0] + char, family)
            else:
                pieces.append((char, family))
        return pieces

    def _face_for(self, text: str, font: str | None) -> str | None:
        """None when ``font`` draws every visible character of ``text`` (or is not bundled, so
        its characters are unknown), else the first of the book's faces that draws them all
        (body, heading, Latin, Noto Sans: the PDF's font chain, and :func:`briefing.fonts.
        check_fonts`'s)."""
        shown = {ord(c) for c in text if not c.isspace() and unicodedata.category(c) != "Cf"}
        if font not in self.coverage or shown <= self.coverage[font]:
            return None
        return next((face for face in self.fallback_faces
                     if shown <= self.coverage.get(face, frozenset())), None)

    def _run_font(self, style_id: str | None, char_style: str | None,
                  rtl: bool) -> str | None:
        """The font a run in the paragraph style of id ``style_id`` (None: the default) and
        ``char_style`` is drawn in (its complex-script font when right to left, else its Latin
        one): the character style's, else the paragraph style's, through their ``basedOn``
        chains, else the document defaults'."""
        key = (style_id, char_style, rtl)
        if key not in self.run_fonts:
            style = self.doc.part.get_style(style_id, WD_STYLE_TYPE.PARAGRAPH)
            slots = [None, None]
            chain = [self.doc.styles[char_style]] if char_style else []
            chain.append(style)
            for style in chain:
                while style is not None:
                    for i, font in enumerate(oxml.style_fonts(style.element)):
                        slots[i] = slots[i] or font
                    style = style.base_style
            for i, font in enumerate(oxml.default_fonts(self.doc.styles.element)):
                slots[i] = slots[i] or font
            self.run_fonts[key] = slots[1] if rtl else slots[0]
        return self.run_fonts[key]

    def _runs(self, p: DocxParagraph, elements: list, scope: _Scope,
              style: str | None = None) -> list:
        """Append bare runs built by :mod:`oxml`, styled and marked right-to-left like text."""
        for r in oxml.append_runs(p._p, elements):
            if style:
                r.style = self.style_ids(style, WD_STYLE_TYPE.CHARACTER)
            self._run_direction(r, scope.rtl)
        return elements

    def _field(self, p, instr: str, cached: str, scope: _Scope) -> list:
        return self._runs(p, oxml.field_runs(instr, cached), scope)

    def _bookmarked(self, p: DocxParagraph, name: str, write: Callable) -> None:
        self.bookmark_count += 1
        bid = self.bookmark_count
        p._p.append(oxml.bookmark_start(bid, name))
        write()
        p._p.append(oxml.bookmark_end(bid))

    def _source_marked(self, p: DocxParagraph, where: Where, write: Callable) -> None:
        """Write a paragraph's content inside a hidden bookmark naming its source
        (:func:`source_bookmark`), which Word and LibreOffice keep through their saves, so that
        an edited copy can be matched with the sources (:mod:`briefing.editions.word_edits`).
        A second paragraph from the same line (a table's cells) gets none."""
        index = self.source_files.get(where.file)
        name = source_bookmark(index, where.line) if index is not None and where.line else None
        if name is None or name in self.source_marks:
            write()
            return
        self.source_marks.add(name)
        self._bookmarked(p, name, write)

    def _direction(self, p: DocxParagraph, rtl: bool) -> None:
        """The one place paragraph direction is written: ``w:bidi`` on paragraphs of
        right-to-left text, ``w:bidi="0"`` on the others of a right-to-left book (whose styles
        are right-to-left)."""
        if rtl:
            oxml.set_bidi(p._p)
        elif self.book_rtl:
            oxml.set_ltr(p._p)

    def _run_direction(self, r, rtl: bool) -> None:
        """Run direction, likewise: ``w:rtl``, or ``w:rtl="0"`` in a right-to-left book."""
        if rtl:
            oxml.set_rtl(r)
        elif self.book_rtl:
            oxml.set_ltr_run(r)

    # ------------------------------------------------------------ footnotes

    def _footnote(self, note: Footnote, scope: _Scope) -> int:
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

        flow = _FootnoteFlow(fn, self.footnotes_part, number_mark, self.style_ids)
        for block in note.blocks:
            self.block(flow, block, inner)
        if not note.blocks:
            flow.paragraph(inner.para_style)
        return self.footnote_count

    # ------------------------------------------------------------ lists

    def _new_heading_list(self, scheme: heading_numbering.Scheme | None, rtl: bool):
        """A part's section numbering: a ``w:num`` counting from 1, of an abstract definition
        per scheme; None for a part whose numbers stay typed text. A level whose number holds a
        character the heading font lacks («(1)» in Noto Sans Arabic) is set in a bundled face
        that has them all."""
        if scheme is None:
            return None
        numbering = self.doc.part.numbering_part.element
        # each level's number as shown (a digit for each %N) against its heading style's font
        fonts = [self._face_for(
            re.sub("%[0-9]", "0" if scheme.num_fmt == "decimal" else "\u0660", text),
            self._run_font(self.style_ids(HEADING_STYLES[level + 2]), None, rtl))
            for level, text in enumerate(scheme.level_texts)]
        key = (scheme.level_texts, scheme.num_fmt, tuple(fonts))
        if key not in self.heading_abstracts:
            self.heading_abstracts[key] = len(numbering.findall(qn("w:abstractNum"))) + 1
            oxml.add_numbering(numbering, oxml.heading_abstract_num(
                self.heading_abstracts[key], scheme.level_texts, scheme.num_fmt,
                fonts=tuple(fonts)))
        self.num_count += 1
        oxml.add_numbering(numbering, oxml.num(self.num_count, self.heading_abstracts[key],
                                               restart_levels=2))
        return self.num_count, scheme

    def _new_list(self, ordered: bool, start: int | None, digits: str) -> int:
        """A ``w:num`` for one list, on an abstract numbering per kind and digits (the part's)."""
        numbering = self.doc.part.numbering_part.element
        key = (ordered, digits)
        if key not in self.list_abstracts:
            abstract_id = len(numbering.findall(qn("w:abstractNum"))) + 1
            oxml.add_numbering(numbering, oxml.abstract_num(
                abstract_id, ordered, NUMBER_FORMAT[digits], BULLETS))
            self.list_abstracts[key] = abstract_id
        self.num_count += 1
        oxml.add_numbering(numbering, oxml.num(self.num_count, self.list_abstracts[key],
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

# ---------------------------------------------------------------- small helpers


def source_bookmark(part_index: int, line: int) -> str:
    """The hidden bookmark naming a paragraph's source: ``_Src_<part>_<line>``, the part's place
    in edition.yaml (from 0) and the 1-based line of the block in its file. Word hides bookmarks
    whose name starts with ``_`` and keeps names of up to 40 letters, digits and underscores."""
    return f"_Src_{part_index}_{line}"


def _tw(mm: float) -> int:
    """Millimetres → twips (the unit of ``w:pgSz``, ``w:pgMar``, tab stops)."""
    return round(mm * 1440 / 25.4)


def _char_style(marks) -> str | None:
    """The character style for a combination of inline marks."""
    if "note" in marks:
        return "footnote reference"
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


def _without_notes(runs):
    return tuple(r for r in runs if not isinstance(r, Footnote))


def _only_notes(runs):
    return tuple(r for r in runs if isinstance(r, Footnote))
