"""Table specifications: ``tables/<id>.yaml`` → a model table (without its number).

Two kinds: a *data table* (``columns:`` of dataset values per entity row, formatted by the book's
one number rule in the part's digits, its source taken from the datasets in the part's language)
and a *text table* (``header:`` and ``rows:`` of typed cells). Any fault is a SourceError naming the
file and the key (or the row's line).
"""

from __future__ import annotations

from pathlib import Path

from .. import model as m
from ..data.ordering import check_sort, order
from ..data.store import DataStore
from ..errors import SourceError
from ..numerals import format_number
from .expressions import MISSING
from .files import check_keys, read_yaml
from .text import number_columns

NO_VALUE = "–"  # printed in a table cell the data leaves empty (an en dash, as statistical tables do)
_TABLE_KEYS = {"caption", "rows", "stub_header", "columns", "header", "source", "sort", "sort_by"}
_COLUMN_KEYS = {"data", "year", "header", "decimals"}


def read_table(path: Path, ident: str, data: DataStore, lang: str, digits: str,
               render=lambda text, years: text, missing=None) -> m.Table:
    """A table specification → a model table (numbers formatted in ``digits``, the source in
    ``lang``; not numbered, not placed). ``render(text, years)`` renders the caption's expressions
    with ``first_year``/``last_year`` of the table's year columns. With ``missing`` a value the
    data lacks prints «[?]» and ``missing(dataset, entity, year, line)`` is told (a lenient load,
    see :func:`briefing.sources.loading.load_edition`)."""
    doc = read_yaml(path)
    check_keys(doc, path, _TABLE_KEYS, required=("caption", "rows"), what="a table")
    where = m.Where(str(path), 1)
    years = [c["year"] for c in doc.get("columns") or ()
             if isinstance(c, dict) and isinstance(c.get("year"), int)]
    caption = (m.Text(render(str(doc["caption"]).strip(), years)),)
    if "columns" in doc:
        return _data_table(doc, path, ident, data, lang, digits, caption, where, missing)
    if "sort" in doc or "sort_by" in doc:
        raise SourceError("sort orders a data table (one with columns) by its values; a text "
                          "table keeps the order of its rows", file=path,
                          line=doc.line_of("sort") or doc.line_of("sort_by"), key="sort")
    return _text_table(doc, path, ident, caption, where)


def _text_table(doc, path: Path, ident: str, caption, where: m.Where) -> m.Table:
    """``header:`` (optional) and ``rows:``, each a list of cells; every row as wide as the
    header, or as the first row when there is no header."""
    header = tuple((m.Text(str(h)),) for h in doc.get("header") or ())
    rows = doc["rows"]
    if not isinstance(rows, list) or not rows:
        raise SourceError("a text table needs at least one row under 'rows' (a list of lists of "
                          "cells)", file=path, line=doc.line_of("rows"), key="rows")
    width = len(header) or (len(rows[0]) if isinstance(rows[0], list) else 0)
    cells = []
    for n, row in enumerate(rows, start=1):
        line = (rows.lines[n - 1] if getattr(rows, "lines", None) else None) or doc.line_of("rows")
        if not isinstance(row, list) or not row or len(row) != width:
            size = len(row) if isinstance(row, list) else "no"
            raise SourceError(f"row {n} has {size} cells, but the table has {width} columns "
                              f"({'as its header' if header else 'as its first row'}): give every "
                              "row the same number of cells (an empty cell is \"\")",
                              file=path, line=line, key="rows")
        cells.append(tuple(str(cell) for cell in row))
    return m.Table(ident, None, None, caption, header,
                   tuple(tuple((m.Text(c),) for c in row) for row in cells),
                   number_columns(tuple(cells)), str(doc.get("source", "")), where)


def _sorted_rows(doc, path: Path, data: DataStore, columns) -> tuple:
    """The rows in the order ``sort`` asks for: by the first column, or the column whose
    ``data`` is ``sort_by`` (briefing/data/ordering.py)."""
    sort = check_sort(doc.get("sort"), path, doc.line_of("sort"))
    if sort is None:
        return tuple(doc["rows"])
    by = doc.get("sort_by", columns[0].get("data") if columns else None)
    column = next((c for c in columns if c.get("data") == by), None)
    if column is None:
        raise SourceError(f"sort_by must be the data of one of the columns "
                          f"({', '.join(str(c.get('data')) for c in columns)}), not {by!r}",
                          file=path, line=doc.line_of("sort_by"), key="sort_by")

    def value_of(code):
        try:
            return data.get(column["data"], str(code), int(column["year"]))
        except SourceError:
            return None  # an unknown code: reported with its row below

    def is_group(code):
        found = data.entities.get(str(code))
        return found is not None and found.is_group
    return order([str(c) for c in doc["rows"]], value_of, sort, is_group)


def _data_table(doc, path, ident, data, lang, digits, caption, where, missing=None) -> m.Table:
    columns = doc["columns"]
    if not isinstance(columns, list) or not columns:
        raise SourceError("'columns' must be a list of at least one column (or remove the table "
                          "from the text)", file=path, line=doc.line_of("columns"), key="columns")
    for column in columns:
        check_keys(column, path, _COLUMN_KEYS, required=("data", "year", "header"),
                   what="a table column")
    header = ((m.Text(str(doc.get("stub_header", ""))),),) + tuple(
        (m.Text(str(c["header"])),) for c in columns)
    if not isinstance(doc["rows"], list) or not doc["rows"]:
        raise SourceError("a data table needs at least one entity code under 'rows'", file=path,
                          line=doc.line_of("rows"), key="rows")
    rows = []
    for code in _sorted_rows(doc, path, data, columns):
        try:
            entity = data.entity(str(code))
            name = entity.ar if lang == "ar" else entity.en
            cells = [(m.Text(name),)]
            for column in columns:
                dataset = data.dataset(column["data"])
                try:
                    value = data.get(dataset.id, entity.code, int(column["year"]))
                except SourceError:
                    if missing is None:
                        raise
                    missing(dataset.id, entity.code, int(column["year"]), doc.line_of("rows"))
                    cells.append((m.Text(MISSING),))
                    continue
                decimals = int(column.get("decimals", dataset.decimals))
                text = NO_VALUE if value is None else format_number(value, decimals, digits)
                cells.append((m.Text(text),))
        except SourceError as exc:
            raise SourceError(f"table '{ident}': {exc.message}", file=path,
                              line=doc.line_of("rows"), key="rows") from None
        rows.append(tuple(cells))
    source = str(doc.get("source") or data.sources_of([c["data"] for c in columns], lang))
    return m.Table(ident, None, None, caption, header, tuple(rows),
                   (False,) + (True,) * len(columns), source, where)
