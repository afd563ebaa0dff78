"""Loading an edition: sources → validated, immutable model.

In: an edition folder (``edition.yaml``, ``text/``, ``data/``, ``figures/``, ``tables/``).
Out: an :class:`Edition` holding the :class:`~briefing.model.Book` (what the writers read), the data
and the chart specifications (what the charts stage draws). Steps:

1. read the manifest and check every key;
2. parse every part's Markdown;
3. number the book: sections, figures, tables (a pre-pass, so forward references resolve);
4. convert each part into model blocks, building tables from data and captioning figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from . import model as m
from .charts import ChartSpec, read_chart_spec
from .data import DataStore, load_data
from .errors import SourceError
from .markdown import (Converter, ParsedPart, check_structure, heading_attrs, line_of, parse,
                       placement)
from .numbers import format_number, localize_digits, ordinal_ar, part_digits
from .prose import ProseContext, render_field, render_prose
from .sourcefiles import check_keys, inside, read_text, read_yaml
from .table_fit import fit_table

MANIFEST = "edition.yaml"
PAPERS = ("A4", "A5", "Letter")
#: The dates an edition may carry: a ZIP file (the Word document) stores 1980 to 2107 (APPNOTE.TXT
#: 4.4.6, MS-DOS date format).
FIRST_DATE, LAST_DATE = dt.date(1980, 1, 1), dt.date(2107, 12, 31)
DEFAULT_FONTS = {"body": "Amiri", "heading": "Noto Sans Arabic", "latin": "Noto Serif"}


@dataclass(frozen=True)
class PartEntry:
    """One line of the manifest's ``parts``."""

    file: Path
    id: str
    lang: m.Lang
    dir: m.Direction
    numbering: str
    subnumbering: str
    where: m.Where


@dataclass(frozen=True)
class Edition:
    root: Path
    book: m.Book
    data: DataStore
    charts: Mapping[str, ChartSpec]  # figure id → its specification, for the charts stage


def load_edition(root: Path) -> Edition:
    """Read and validate a whole edition; raises SourceError on the first problem found."""
    root = Path(root)
    meta, entries, reference_year = read_manifest(root)
    data = load_data(root)
    parsed = [(entry, _parse_part(entry, ProseContext(data, entry.lang, part_digits(meta.digits, entry.lang),
                                                      reference_year)))
              for entry in entries]
    numbering = _Numbering.of_book(root, parsed, data, meta.digits, reference_year, meta)
    parts = tuple(numbering.convert(entry, part) for entry, part in parsed)
    return Edition(root, m.Book(meta, parts), data, MappingProxyType(numbering.charts))


# ---------------------------------------------------------------- step 1: the manifest

_META_KEYS = {"title", "subtitle", "organisation", "date", "lang", "dir", "paper", "digits",
              "reference_year", "fonts", "parts"}
_PART_KEYS = {"file", "id", "lang", "dir", "numbering", "subnumbering"}


def read_manifest(root: Path) -> tuple[m.Meta, tuple[PartEntry, ...], int | None]:
    path = root / MANIFEST
    if not root.is_dir():
        raise SourceError("edition folder not found", file=root)
    doc = read_yaml(inside(path, root))
    check_keys(doc, path, _META_KEYS, required=("title", "organisation", "date", "parts"),
               what="the manifest")
    lang = _choice(doc, "lang", ("ar", "en"), path, default="ar")
    direction = _choice(doc, "dir", ("rtl", "ltr"), path, default="rtl" if lang == "ar" else "ltr")
    date = doc["date"]
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        raise SourceError("date must be written YYYY-MM-DD", file=path, line=doc.line_of("date"),
                          key="date")
    if not FIRST_DATE <= date <= LAST_DATE:  # the Word file is a ZIP, whose dates are 1980-2107
        raise SourceError(f"date {date.isoformat()} is outside {FIRST_DATE.year}-"
                          f"{LAST_DATE.year}: check the year", file=path,
                          line=doc.line_of("date"), key="date")
    fonts = doc.get("fonts") or {}
    check_keys(fonts, path, DEFAULT_FONTS, what="fonts")
    meta = m.Meta(
        title=_text(doc, "title", path), subtitle=_text(doc, "subtitle", path, ""),
        organisation=_text(doc, "organisation", path), date=date, lang=lang, dir=direction,
        paper=_choice(doc, "paper", PAPERS, path, default="A4"),
        digits=_choice(doc, "digits", ("western", "arabic-indic"), path, default="western"),
        fonts=m.Fonts(**{**DEFAULT_FONTS, **fonts}))
    parts = doc["parts"]
    if not isinstance(parts, list) or not parts:
        raise SourceError("the edition has no parts: list at least one under 'parts'",
                          file=path, line=doc.line_of("parts"), key="parts")
    entries = tuple(_part_entry(item, root, path, meta) for item in parts)
    seen: dict[str, PartEntry] = {}
    for entry in entries:
        if entry.id in seen:
            raise SourceError(f"two parts have the id '{entry.id}'", file=path,
                              line=entry.where.line, key="parts")
        seen[entry.id] = entry
    reference_year = doc.get("reference_year")
    if reference_year is not None and not isinstance(reference_year, int):
        raise SourceError("reference_year must be a year such as 2022", file=path,
                          line=doc.line_of("reference_year"), key="reference_year")
    return meta, entries, reference_year


def _part_entry(item, root: Path, path: Path, meta: m.Meta) -> PartEntry:
    if isinstance(item, str):  # a bare file name is enough
        item = {"file": item}
    check_keys(item, path, _PART_KEYS, required=("file",), what="a part")
    file = root / str(item["file"])
    line = getattr(item, "line", None)
    if not file.is_file():
        raise SourceError(f"part file '{item['file']}' does not exist", file=path, line=line,
                          key="file")
    inside(file, root)
    lang = _choice(item, "lang", ("ar", "en"), path, default=meta.lang)
    default_dir = meta.dir if lang == meta.lang else ("rtl" if lang == "ar" else "ltr")
    numbering = _choice(item, "numbering", ("none", "ordinal", "decimal"), path, default="none")
    return PartEntry(
        file=file, id=str(item.get("id", file.stem)), lang=lang,
        dir=_choice(item, "dir", ("rtl", "ltr"), path, default=default_dir),
        numbering=numbering,
        subnumbering=_choice(item, "subnumbering", ("none", "decimal", "parenthesized"), path,
                             default="none" if numbering == "none" else "decimal"),
        where=m.Where(str(path), line))


def _choice(doc, key: str, allowed: tuple, path: Path, default):
    value = doc.get(key, default)
    if value not in allowed:
        raise SourceError(f"'{key}' must be one of {', '.join(map(str, allowed))}, not '{value}'",
                          file=path, line=doc.line_of(key), key=key)
    return value


def _text(doc, key: str, path: Path, default: str | None = None) -> str:
    value = doc.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise SourceError(f"'{key}' must be text", file=path, line=doc.line_of(key), key=key)
    return value.strip()


# ---------------------------------------------------------------- step 2: parsing


def _parse_part(entry: PartEntry, prose: ProseContext) -> ParsedPart:
    part = parse(render_prose(read_text(entry.file), entry.file, prose), entry.file)
    children = part.root.children
    if not children or children[0].type != "heading" or children[0].tag != "h1":
        raise SourceError("a part must start with its title as a '# ' heading", file=entry.file,
                          line=1)
    check_structure(part)
    return part


# ---------------------------------------------------------------- steps 3 and 4: numbering, conversion


def _section_number(style: str, n: int) -> str:
    return {"ordinal": ordinal_ar, "decimal": str}.get(style, lambda n: "")(n)


def _subsection_number(style: str, section: int, n: int) -> str:
    return {"decimal": f"{section}.{n}", "parenthesized": f"({n})"}.get(style, "")


class _Numbering:
    """Book-wide numbers, computed before conversion so that references may point forward."""

    def __init__(self, root: Path, data: DataStore, digits: str, reference_year: int | None,
                 meta: m.Meta | None = None):
        self.root = root
        self.meta = meta  # the paper and fonts tables must fit (table_fit)
        self.data = data
        self.digits = digits
        self.reference_year = reference_year  # for expressions in captions
        self.headings: dict[int, str] = {}      # id(syntax node) → printed number
        # id → (kind, counter or "section", number, printed section number)
        self.targets: dict[str, tuple[str, str, int, str]] = {}
        self.charts: dict[str, ChartSpec] = {}
        self.tables: dict[str, m.Table] = {}
        self.counters = {"figure": 0, "image": 0, "table": 0}
        self.notes_seen = 0

    @classmethod
    def of_book(cls, root: Path, parsed, data: DataStore, digits: str,
                reference_year: int | None = None, meta: m.Meta | None = None) -> "_Numbering":
        numbering = cls(root, data, digits, reference_year, meta)
        for entry, part in parsed:
            numbering._scan(entry, part)
        return numbering

    def _target(self, ident: str, kind: str, counter: str, number: int, text: str,
                where: m.Where) -> None:
        if ident in self.targets:
            raise SourceError(f"the id '{ident}' is used twice", file=where.file, line=where.line)
        self.targets[ident] = (kind, counter, number, text)

    def _scan(self, entry: PartEntry, part: ParsedPart) -> None:
        sections = subsections = 0
        for node in part.root.children[1:]:
            where = m.Where(str(entry.file), line_of(node))
            if node.type == "heading" and node.tag in ("h2", "h3"):
                ident, numbered = heading_attrs(node, entry.file)
                number = ""
                if numbered and node.tag == "h2":
                    sections, subsections = sections + 1, 0
                    number = _section_number(entry.numbering, sections)
                elif numbered:
                    subsections += 1
                    number = _subsection_number(entry.subnumbering, sections, subsections)
                number = localize_digits(number, part_digits(self.digits, entry.lang))
                self.headings[id(node)] = number
                if ident:
                    self._target(ident, "section", "section", sections, number, where)
            placed = placement(node)
            if placed:
                kind, ident = placed
                counter = self._spec(kind, ident, where, entry)
                self.counters[counter] += 1
                self._target(ident, kind, counter, self.counters[counter], "", where)

    def _spec(self, kind: str, ident: str, where: m.Where, entry: PartEntry) -> str:
        """Read the placed figure's or table's specification; returns its counter name."""
        path = self.root / f"{kind}s" / f"{ident}.yaml"
        if not path.is_file():
            raise SourceError(f"[[{kind}:{ident}]] has no specification {kind}s/{ident}.yaml",
                              file=where.file, line=where.line)
        inside(path, self.root)  # also a whole figures/ or tables/ folder linked from elsewhere
        if kind == "figure":
            spec = read_chart_spec(path)  # captions may be expressions: «… {{ year() }}»
            spec = dataclasses.replace(
                spec, caption=self._field(spec.caption, path, entry, spec.years))
            self.charts[ident] = spec
            return spec.numbering
        table = _read_table(path, ident, self.data, entry.lang,
                            part_digits(self.digits, entry.lang),
                            lambda text, years: self._field(text, path, entry, years))
        self.tables[ident] = table if self.meta is None else fit_table(table, self.meta,
                                                                        entry.lang, path)
        return "table"

    def _field(self, text: str, path: Path, entry: PartEntry, years) -> str:
        years = {"first_year": min(years), "last_year": max(years)} if years else {}
        return render_field(text, path, ProseContext(self.data, entry.lang,
                                                     part_digits(self.digits, entry.lang),
                                                     self.reference_year,
                                                     variables=years))

    def convert(self, entry: PartEntry, part: ParsedPart) -> m.Part:
        title_node = part.root.children[0]
        converter = Converter(part, self._heading_number, self._place(entry),
                              self._reference(entry), self._footnote)
        blocks = converter.blocks(part.root.children[1:])
        return m.Part(entry.id, converter.inlines(title_node.children[0]), entry.lang, entry.dir,
                      blocks, m.Where(str(entry.file), 1))

    def _heading_number(self, node) -> str:
        return self.headings.get(id(node), "")

    def _place(self, entry: PartEntry):
        def place(kind: str, ident: str, where: m.Where) -> m.Block:
            number = self.targets[ident][2]
            if kind == "table":
                return dataclasses.replace(self.tables[ident], number=number, where=where)
            spec = self.charts[ident]
            source = spec.source or ""
            if not source and spec.data:
                try:
                    source = self.data.dataset(spec.data).source_ar
                except SourceError as exc:
                    raise SourceError(exc.message, file=spec.file, key="data") from None
            caption = (m.Text(spec.caption),)
            return m.Figure(ident, spec.numbering, number, caption, source,
                            spec.alt or spec.caption, None, where)
        return place

    def _reference(self, entry: PartEntry):
        """References print in the referring part's language: «شكل 3» or «Figure 3»."""
        def reference(ident: str, where: m.Where) -> m.CrossRef:
            if ident not in self.targets:
                raise SourceError(f"[[ref:{ident}]] points at no figure, table or section with "
                                  "that id", file=where.file, line=where.line)
            kind, counter, number, text = self.targets[ident]
            if kind != "section":
                digits = part_digits(self.digits, entry.lang)
                text = f"{m.label(counter, entry.lang)} {localize_digits(str(number), digits)}"
            elif not text:
                raise SourceError(f"[[ref:{ident}]] points at a section without a number",
                                  file=where.file, line=where.line)
            return m.CrossRef(ident, kind, text)
        return reference

    def _footnote(self, file: Path, label: str) -> int:
        """Each call prints its own footnote, numbered in reading order (as Word and the PDF's
        footnote counter number them), even when two calls share one text."""
        self.notes_seen += 1
        return self.notes_seen


# ---------------------------------------------------------------- tables from specifications

NO_VALUE = "–"  # printed in a table cell the data leaves empty (an en dash, as statistical tables do)
_TABLE_KEYS = {"caption", "rows", "stub_header", "columns", "header", "source"}
_COLUMN_KEYS = {"data", "year", "header", "decimals"}


def _read_table(path: Path, ident: str, data: DataStore, lang: str, digits: str,
                render=lambda text, years: text) -> m.Table:
    """A table specification → a model table (numbers formatted, no number or placement yet)."""
    doc = read_yaml(path)
    check_keys(doc, path, _TABLE_KEYS, required=("caption", "rows"), what="a table")
    where = m.Where(str(path), 1)
    for key in ("rows", "columns"):
        if key in doc and (not isinstance(doc[key], list) or not doc[key]):
            raise SourceError(f"'{key}' must be a list of at least one {key[:-1]} (or remove the "
                              "table from the text)", file=path, line=doc.line_of(key), key=key)
    years = [c["year"] for c in doc.get("columns") or ()
             if isinstance(c, dict) and isinstance(c.get("year"), int)]
    caption = (m.Text(render(str(doc["caption"]).strip(), years)),)
    if "columns" in doc:
        return _data_table(doc, path, ident, data, lang, digits, caption, where)
    header = tuple((m.Text(str(h)),) for h in doc.get("header", ()))
    rows = []
    for row in doc["rows"]:
        if not isinstance(row, list) or (header and len(row) != len(header)):
            raise SourceError(f"each row must list {len(header)} cells", file=path,
                              line=doc.line_of("rows"), key="rows")
        rows.append(tuple((m.Text(str(cell)),) for cell in row))
    width = len(header) or len(rows[0])
    return m.Table(ident, None, caption, header, tuple(rows), (False,) * width,
                   str(doc.get("source", "")), where)


def _data_table(doc, path, ident, data, lang, digits, caption, where) -> m.Table:
    columns = doc["columns"]
    for column in columns:
        check_keys(column, path, _COLUMN_KEYS, required=("data", "year", "header"),
                   what="a table column")
    header = ((m.Text(str(doc.get("stub_header", ""))),),) + tuple(
        (m.Text(str(c["header"])),) for c in columns)
    rows = []
    for code in doc["rows"]:
        try:
            entity = data.entity(str(code))
            name = entity.ar if lang == "ar" else entity.en
            cells = [(m.Text(name),)]
            for column in columns:
                dataset = data.dataset(column["data"])
                value = data.get(dataset.id, entity.code, int(column["year"]))
                decimals = int(column.get("decimals", dataset.decimals))
                text = NO_VALUE if value is None else format_number(value, decimals, digits)
                cells.append((m.Text(text),))
        except SourceError as exc:
            raise SourceError(f"table '{ident}': {exc.message}", file=path,
                              line=doc.line_of("rows"), key="rows") from None
        rows.append(tuple(cells))
    sources = dict.fromkeys(data.dataset(c["data"]).source_ar for c in columns)
    source = str(doc.get("source") or "؛ ".join(sources))
    return m.Table(ident, None, caption, header, tuple(rows),
                   (False,) + (True,) * len(columns), source, where)
