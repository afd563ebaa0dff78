"""Loading an edition: sources → validated, immutable model.

In: an edition folder (``edition.yaml``, ``text/``, ``data/``, ``figures/``, ``tables/``).
Out: an :class:`Edition` holding the :class:`~briefing.model.Book` (what the writers read), the data
and the chart specifications (what the charts stage draws). Steps:

1. read the manifest and check every key;
2. read the data;
3. render each part's expressions and parse its Markdown;
4. convert each part into model blocks, reading the specification of every figure and table it
   places (at any depth: in a list item, a quote, a box);
5. number the book (:mod:`briefing.sources.numbering`) and make its contents;
6. describe every figure with its data, in its part's language and digits
   (:mod:`briefing.charts.alt_text`), and keep titles from breaking in a range or before their
   last word (:mod:`briefing.sources.title_breaks`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from .. import model as m
from ..charts.alt_text import describe_figures
from ..charts.render import FONTS_DIR, load_chart_style
from ..data.store import DataStore, load_data
from ..directions import part_text, percent_before_number
from ..errors import SourceError
from ..numerals import format_month, part_digits
from .expressions import ProseContext, render_field, render_prose
from .figures import ChartSpec, read_chart_spec
from .files import check_keys, inside, read_text, read_yaml
from .numbering import SECTION_STYLES, SUBSECTION_STYLES, PartNumbering, number_book
from .table_fit import fit_table
from .tables import read_table
from .text import Converter, ParsedPart, check_structure, parse
from .quotes import typographic_quotes
from .title_breaks import keep_titles_together, name_pairs

MANIFEST = "edition.yaml"
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


def load_edition(root: Path, missing: Callable[..., None] | None = None,
                 styles_dir: Path | None = None) -> Edition:
    """Read and validate a whole edition; raises SourceError on the first problem found. The
    chart style (units of the figures' alternative text) is ``styles_dir/chart.yaml``, by default
    the project's ``styles/``.

    With ``missing`` (for the comparison of two editions), a value the text, a caption or a data
    table asks for and the data lacks is not an error: it prints «[?]» and ``missing(dataset,
    entity, year, file, line)`` is told, so that every missing value can be listed at once."""
    root = Path(root)
    meta, entries, reference_year = read_manifest(root)
    data = load_data(root)

    def prose(data: DataStore, lang: str, digits: str, file: Path, **more) -> ProseContext:
        """The expressions' context for a text part or a specification's caption."""
        return ProseContext(data, lang, digits, reference_year, edition_date=meta.date,
                            **_lenient(missing, file), **more)

    placed = _Placements(root, data, prose, missing, meta)
    parts = tuple(typographic_quotes(_convert(entry, meta, data, prose, placed))
                  for entry in entries)
    parts, outline = number_book(parts, {e.id: PartNumbering(e.numbering, e.subnumbering)
                                         for e in entries})
    book = m.Book(meta, parts, outline, m.page_geometry(meta.paper))
    style = load_chart_style((styles_dir or FONTS_DIR.parent) / "chart.yaml")
    book = describe_figures(book, placed.charts, data, style, lenient=missing is not None)
    book = keep_titles_together(book, name_pairs(data))
    return Edition(root, book, data, MappingProxyType(placed.charts))


def _lenient(on_missing: Callable[..., None] | None, file: Path) -> dict:
    """ProseContext's arguments for a lenient load: missing values are told, not raised."""
    if on_missing is None:
        return {}

    def cite(dataset, entity, year, line, missing=False):
        if missing:
            on_missing(dataset, entity, year, file, line)
    return {"lenient": True, "cite": cite}


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
    digits = _choice(doc, "digits", ("western", "arabic-indic"), path, default="western")
    meta = m.Meta(
        title=_text(doc, "title", path), subtitle=_text(doc, "subtitle", path, ""),
        organisation=_text(doc, "organisation", path), date=date,
        date_text=format_month(date, lang, part_digits(digits, lang)), lang=lang, dir=direction,
        paper=_choice(doc, "paper", tuple(m.PAPERS), path, default="A4"), digits=digits,
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
    numbering = _choice(item, "numbering", SECTION_STYLES, path, default="none")
    return PartEntry(
        file=file, id=str(item.get("id", file.stem)), lang=lang,
        dir=_choice(item, "dir", ("rtl", "ltr"), path, default=default_dir),
        numbering=numbering,
        subnumbering=_choice(item, "subnumbering", SUBSECTION_STYLES, path,
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


# ---------------------------------------------------------------- step 4: conversion


def _convert(entry: PartEntry, meta: m.Meta, data: DataStore, prose: Callable[..., ProseContext],
             placed: "_Placements") -> m.Part:
    digits = part_digits(meta.digits, entry.lang)
    parsed = _parse_part(entry, prose(data, entry.lang, digits, entry.file))
    part = m.Part(entry.id, (), entry.lang, entry.dir, digits, (), m.Where(str(entry.file), 1))
    converter = Converter(parsed, lambda kind, ident, where: placed.block(kind, ident, where, part))
    title_node = parsed.root.children[0]
    title = converter.inlines(title_node.children[0])
    blocks = converter.blocks(parsed.root.children[1:])
    return _with_directions(dataclasses.replace(part, title=title, blocks=blocks))


def _with_directions(part: m.Part) -> m.Part:
    """Every string the part prints, with its numbers, Latin and Arabic runs isolated and typed
    digits in the part's digits (:mod:`briefing.directions`); a percent sign typed before its
    number is refused with its line."""
    for node, where in m.walk_with_where(part):
        if isinstance(node, m.Text) and part.lang == "ar":
            typed = percent_before_number(node.text)
            if typed:
                raise SourceError(f"«{typed}»: the percent sign follows its number in this book "
                                  f"(«{typed[1:].strip()}%»); write it so", file=where.file,
                                  line=where.line)

    def runs(node):
        if isinstance(node, m.Text):
            return m.Text(part_text(node.text, part.lang, part.digits))
        if isinstance(node, (m.Figure, m.Table)) and node.source:
            return dataclasses.replace(node, source=part_text(node.source, part.lang,
                                                              part.digits))
        return node

    return m.transform(part, runs)


class _Placements:
    """The figures and tables the text places, read from their specifications as they are met
    (each one once: a second placement of the same id is an error naming both lines)."""

    def __init__(self, root: Path, data: DataStore, prose: Callable[..., ProseContext],
                 missing: Callable[..., None] | None, meta: m.Meta):
        self.root, self.data, self.prose, self.missing = root, data, prose, missing
        # tables are fitted to the text width (table_fit), in the book's fonts
        self.page, self.fonts = m.page_geometry(meta.paper), meta.fonts
        self.charts: dict[str, ChartSpec] = {}   # figure id → its specification
        self.where: dict[str, m.Where] = {}

    def block(self, kind: str, ident: str, where: m.Where, part: m.Part) -> m.Block:
        path = self.root / f"{kind}s" / f"{ident}.yaml"
        if not path.is_file():
            raise SourceError(f"[[{kind}:{ident}]] has no specification {kind}s/{ident}.yaml",
                              file=where.file, line=where.line)
        if ident in self.where:
            raise SourceError(f"[[{kind}:{ident}]] is placed twice: here and at "
                              f"{self.where[ident]}; a {kind} is printed once (refer to it "
                              f"elsewhere with [[ref:{ident}]])", file=where.file, line=where.line)
        self.where[ident] = where
        inside(path, self.root)
        if kind == "table":
            table = read_table(path, ident, self.data, part.lang, part.digits,
                               lambda text, years: self._field(text, path, part, years),
                               missing=self.missing and functools.partial(self._missing, path))
            table = fit_table(table, self.page, self.fonts, part.lang, path)
            return dataclasses.replace(table, where=where)
        spec = read_chart_spec(path)  # captions may be expressions: «… {{ year() }}»
        spec = dataclasses.replace(spec, caption=self._field(spec.caption, path, part, spec.years))
        self.charts[ident] = spec
        source = spec.source or ""
        if not source and spec.data:
            try:
                source = self.data.sources_of([spec.data], part.lang)
            except SourceError as exc:
                raise SourceError(exc.message, file=spec.file, key="data") from None
        return m.Figure(ident, spec.numbering, 0, None, (m.Text(spec.caption),), source,
                        spec.alt or spec.caption, None, where)

    def _missing(self, path: Path, dataset, entity, year, line) -> None:
        self.missing(dataset, entity, year, path, line)

    def _field(self, text: str, path: Path, part: m.Part, years) -> str:
        years = {"first_year": min(years), "last_year": max(years)} if years else {}
        return render_field(text, path, self.prose(self.data, part.lang, part.digits, path,
                                                   variables=years))
