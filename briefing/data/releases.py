"""The publishers' own files, read as they publish them: IMF WEO "by countries" and World Bank WDI.

In: one raw download. Out: a :class:`Table` — its year columns, its rows by (country, series) and
the release it states — from which :meth:`Table.series` takes one series for some countries and
years. The importer (briefing/data/importing.py) decides what to take and where errors point in
``data/import.yaml``; this module only knows the layouts.

Layouts read (each has a synthetic file written by tests/releases.py):

- **IMF World Economic Outlook, "by countries"** (``WEO<Mon><YYYY>all.xls``): tab-delimited text
  with an ``.xls`` name, in UTF-16, UTF-8 or Windows-1252; the same sheet re-saved as ``.xlsx``
  (any sheet name, e.g. ``WEOApr2024all (1)``: the sheet with the WEO header is used) or as
  comma-separated text. The header row (ISO, WEO Subject Code, Units, Scale, the years, Estimates
  Start After) may follow title rows. "n/a", "--" and empty cells are no value; numbers may carry
  thousands commas. Scale is "Billions", "Millions", "Thousands", or "Units" / empty (one) — newer
  releases write "Units" on percent and index rows, older ones leave it empty. The release is taken
  from the footer ("International Monetary Fund, World Economic Outlook Database, April 2024"),
  else from the file name (``WEOApr2024all`` → "April 2024").
- **World Bank WDI per-indicator CSV** (``API_<code>_DS2_en_csv_v2_<n>.csv``, or the ``.zip`` it
  comes in): metadata rows ("Data Source", "Last Updated Date") before the header "Country Name",
  "Country Code", "Indicator Name", "Indicator Code", years.

Units are recognised from the publisher's words (:data:`WEO_UNITS`, :data:`WDI_UNITS`); a unit this
module does not know is returned as ``None``, and the importer asks the editor to name it in
``data/import.yaml`` (``unit:``), never to edit code.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from ..errors import SourceError

MISSING = ("", "n/a", "na", "--", "..", "…")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

#: WEO "Units" words → the edition's unit (docs/sources.md, "Data"); matched case-insensitively,
#: the longest prefix first ("Percent of GDP" before "Percent").
WEO_UNITS = {
    "persons": "people",
    "u.s. dollars": "USD",
    "us dollars": "USD",
    "percent of gdp": "percent_of_gdp",
    "percent change": "percent",
    "percent": "percent",
}
#: WEO "Scale" words → the edition's scale. "Units" (newer releases) and empty (older) mean one.
WEO_SCALES = {"": "one", "units": "one", "unit": "one", "none": "one", "n/a": "one",
              "thousands": "thousand", "millions": "million", "billions": "billion"}
#: WDI "Indicator Name" endings → (unit, scale).
WDI_UNITS = {
    "(current US$)": ("USD", "one"),
    "(constant 2015 US$)": ("USD", "one"),
    "(% of GDP)": ("percent_of_gdp", "one"),
    "(% of total)": ("percent", "one"),
    "(annual %)": ("percent", "one"),
}

_WEO_REQUIRED = ("ISO", "WEO Subject Code", "Units", "Scale")
_WEO_FOOTER = re.compile(r"World Economic Outlook Database,?\s+(" + "|".join(MONTHS)
                         + r")\s+(\d{4})", re.I)
_WEO_FILE_NAME = re.compile(r"WEO(Jan|Apr|Jul|Oct)[a-z]*[ _-]?(\d{4})", re.I)
_WDI_HEADER = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
WEO_HELP = ("download the IMF's 'World Economic Outlook database: by countries' file (all "
            "countries, all subjects) from https://www.imf.org/en/Publications/WEO/weo-database")
WDI_HELP = ("download the indicator's CSV from https://data.worldbank.org/indicator/<code> "
            "(the API_<code>_DS2_… file)")


@dataclass(frozen=True)
class Row:
    """One country × series row: its line in the file (1-based) and its cells by column name."""

    line: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class Table:
    """A publisher's file as read: what it is, its years, its rows and its stated release."""

    path: Path
    kind: str  # "weo" or "wdi"
    years: tuple[int, ...]  # the year columns, ascending
    rows: dict[tuple[str, str], list[Row]]  # (ISO code, series code) → rows (more than 1: error)
    release: str  # "April 2024" (WEO) or "2026-02-24" (WDI "Last Updated Date"); "" if unstated
    header_line: int

    def year_span(self) -> str:
        return f"{self.years[0]}–{self.years[-1]}" if self.years else "none"

    def series_codes(self) -> set[str]:
        return {code for _, code in self.rows}


# ----------------------------------------------------------------------------- number text


def number_text(cell: Any, shift: int = 0) -> str:
    """The value as plain decimal text ("" for no value): no thousands commas, no exponent.

    ``shift`` moves the decimal point (−9 turns US dollars into billions) without rounding.
    A float from an .xlsx is taken by its shortest repr, which is the number the sheet shows.
    Raises ValueError for a cell that is not a number.
    """
    if cell is None:
        return ""
    if isinstance(cell, bool):
        raise ValueError(repr(cell))
    if isinstance(cell, (int, float)):
        text = repr(float(cell))
    else:
        text = str(cell).strip().replace(",", "")
        if text.lower() in MISSING:
            return ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(repr(cell)) from None
    if not value.is_finite():
        raise ValueError(repr(cell))
    value = value.scaleb(shift).normalize()
    out = format(value, "f")
    return "0" if out in ("-0", "0") else out


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _year(cell: Any) -> int | None:
    text = _cell_text(cell)
    return int(text) if re.fullmatch(r"(19|20|21)\d\d", text) else None


# ----------------------------------------------------------------------------- raw rows


def _decode(raw: bytes, path: Path) -> str:
    """IMF text files have been UTF-16 (with or without BOM), UTF-8 and Windows-1252."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    if len(raw) > 1 and raw[1:2] == b"\x00":
        return raw.decode("utf-16-le")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise SourceError("cannot read this file's text (neither UTF-16, UTF-8 nor "
                          "Windows-1252): is it the IMF's own download?", file=path) from None


def _xlsx_sheets(path: Path) -> Iterable[tuple[str, list[list[Any]]]]:
    """(sheet name, rows) of every sheet of an .xlsx; the sheet is read lazily, row by row."""
    import openpyxl  # only the importer needs it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or password-protected workbook: openpyxl's own types
        raise SourceError(f"cannot open this workbook ({type(exc).__name__}); open it in "
                          "Excel and save it again as .xlsx", file=path) from None
    try:
        for sheet in book.worksheets:
            yield sheet.title, sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _text_rows(text: str) -> list[list[str]]:
    lines = text.splitlines()
    head = next((line for line in lines if line.strip()), "")
    if "\t" in head or "\t" in text[:20000]:
        return [line.split("\t") for line in lines]
    return list(csv.reader(lines))  # a comma-separated re-save


def _read_bytes(path: Path, kind: str) -> bytes:
    if not path.is_file():
        where = "folder" if path.is_dir() else "file"
        raise SourceError(f"raw {kind} {where} not found" if where == "file" else
                          f"this is a folder, not a {kind} file", file=path)
    return path.read_bytes()


# ----------------------------------------------------------------------------- WEO


def read_weo_table(path: Path) -> Table:
    """A WEO "by countries" file in any of the layouts above; raises SourceError (naming the file
    and what it is instead) for anything else."""
    path = Path(path)
    raw = _read_bytes(path, "WEO")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError("this is a binary Excel 97 workbook; open it in Excel and save it as "
                          ".xlsx, or use the tab-delimited file the IMF publishes", file=path)
    if raw.startswith(b"PK\x03\x04"):  # an .xlsx (zip), whatever its name
        seen = []
        for name, rows in _xlsx_sheets(path):
            table = _weo_from_rows(path, rows)
            if table is not None:
                return table
            seen.append(name)
        raise SourceError(f"no sheet of this workbook has the WEO header (ISO, WEO Subject Code, "
                          f"Units, Scale, years); its sheets: {', '.join(seen)}. Is it the 'by "
                          f"countries' file? ({WEO_HELP})", file=path)
    table = _weo_from_rows(path, iter(_text_rows(_decode(raw, path))))
    if table is None:
        raise SourceError("no WEO header row (ISO, WEO Subject Code, Units, Scale, years) in the "
                          "first 30 lines: this is not a WEO 'by countries' file (the country "
                          f"groups file 'alla' has no ISO codes; {WEO_HELP})", file=path)
    return table


def _weo_from_rows(path: Path, rows) -> Table | None:
    header: list[str] | None = None
    header_line = 0
    for header_line, row in enumerate(rows, start=1):
        cells = [_cell_text(c) for c in row]
        if "WEO Subject Code" in cells and "ISO" in cells:
            header = cells
            break
        if header_line >= 30:
            return None
    if header is None:
        return None
    missing = [name for name in _WEO_REQUIRED if name not in header]
    if missing:
        raise SourceError(f"the WEO header has no column {', '.join(missing)} (line "
                          f"{header_line}); {WEO_HELP}", file=path, line=header_line)
    col = {name: i for i, name in reversed(list(enumerate(header))) if name}
    years = {y: i for i, c in enumerate(header) if (y := _year(c)) is not None}
    if not years:
        raise SourceError("the WEO header has no year columns", file=path, line=header_line)
    iso_i, code_i = col["ISO"], col["WEO Subject Code"]
    keep = {name: i for name, i in col.items() if _year(name) is None}
    found: dict[tuple[str, str], list[Row]] = {}
    release = ""
    for line, row in enumerate(rows, start=header_line + 1):
        row = list(row)
        if len(row) <= code_i:
            match = _WEO_FOOTER.search(" ".join(_cell_text(c) for c in row))
            if match:
                release = f"{match[1].capitalize()} {match[2]}"
            continue
        iso, code = _cell_text(row[iso_i]), _cell_text(row[code_i])
        if not iso or not code:
            match = _WEO_FOOTER.search(" ".join(_cell_text(c) for c in row))
            if match:
                release = f"{match[1].capitalize()} {match[2]}"
            continue
        cells = {name: row[i] if i < len(row) else None for name, i in keep.items()}
        cells.update({str(y): row[i] if i < len(row) else None for y, i in years.items()})
        found.setdefault((iso, code), []).append(Row(line, cells))
    if not release:
        match = _WEO_FILE_NAME.search(path.name)
        if match:
            month = next(m for m in MONTHS if m.lower().startswith(match[1].lower()))
            release = f"{month} {match[2]}"
    return Table(path, "weo", tuple(sorted(years)), found, release, header_line)


def weo_unit(units: str, scale: str) -> tuple[str | None, str | None]:
    """(unit, scale) of the edition for a WEO row's Units and Scale words; None where unknown."""
    words = units.strip().lower()
    unit = next((WEO_UNITS[k] for k in sorted(WEO_UNITS, key=len, reverse=True)
                 if words.startswith(k)), None)
    return unit, WEO_SCALES.get(scale.strip().lower())


# ----------------------------------------------------------------------------- WDI


def read_wdi_table(path: Path) -> Table:
    """A World Bank WDI per-indicator CSV (or the .zip holding it); raises SourceError for
    anything else, naming what the file is instead when it can tell."""
    path = Path(path)
    raw = _read_bytes(path, "World Bank")
    if raw.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = [n for n in archive.namelist() if Path(n).name.startswith("API_")
                     and n.lower().endswith(".csv")]
            if len(names) != 1:
                raise SourceError(f"expected one API_…csv file in this zip, found {len(names)}",
                                  file=path)
            raw = archive.read(names[0])
    if Path(path).name.startswith("Metadata_"):
        raise SourceError("this is the metadata file of a World Bank download; point 'file' at "
                          "the API_<code>_DS2_… file beside it", file=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"not UTF-8 text: is this a World Bank API_…csv file? ({WDI_HELP})",
                          file=path) from None
    rows = list(csv.reader(io.StringIO(text)))
    updated = ""
    header_at = None
    for i, row in enumerate(rows[:20]):
        cells = [c.strip() for c in row]
        if cells[:1] == ["Last Updated Date"] and len(cells) > 1:
            updated = cells[1]
        if cells[:4] == _WDI_HEADER:
            header_at = i
            break
    if header_at is None:
        raise SourceError("no header row \"Country Name\",\"Country Code\",\"Indicator Name\","
                          f"\"Indicator Code\",years in the first lines: not a WDI bulk CSV "
                          f"({WDI_HELP})", file=path)
    header = [c.strip() for c in rows[header_at]]
    years = {y: i for i, c in enumerate(header) if (y := _year(c)) is not None}
    found: dict[tuple[str, str], list[Row]] = {}
    for line, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if len(row) < 4 or not row[1].strip():
            continue
        cells = {"Indicator Name": row[2].strip()}
        cells.update({str(y): row[i] if i < len(row) else "" for y, i in years.items()})
        found.setdefault((row[1].strip(), row[3].strip()), []).append(Row(line, cells))
    return Table(path, "wdi", tuple(sorted(years)), found, updated, header_at + 1)


def wdi_unit(name: str) -> tuple[str | None, str | None]:
    """(unit, scale) from the ending of a WDI indicator name; (None, None) when unknown."""
    return next((u for end, u in WDI_UNITS.items() if name.endswith(end)), (None, None))


def read_table(path: Path, kind: str) -> Table:
    """The file read as ``kind`` ("weo" or "wdi")."""
    return read_weo_table(path) if kind == "weo" else read_wdi_table(path)
