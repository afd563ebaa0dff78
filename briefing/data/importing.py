"""Import an edition's numbers from the publishers' own files: next year's edition is re-run, not retyped.

In: a folder of raw downloads (``--raw``) and the edition's ``data/import.yaml``, which says which
dataset comes from which file and series, for which countries and years.
Out: the edition's ``data/<dataset>.csv`` files (wide layout, see docs/sources.md) and the
provenance fields of ``data/datasets.yaml`` (source, source_ar, unit, scale, indicator, release).

Two layouts are read:

- IMF World Economic Outlook, "by countries" file: the tab-delimited text the IMF publishes with an
  ``.xls`` name (UTF-16, UTF-8 or Windows-1252), or the same sheet re-saved as ``.xlsx``. "n/a" and
  "--" mean no value; numbers may carry thousands commas ("1,092.118").
- World Bank WDI per-indicator CSV (``API_<code>_DS2_en_csv_v2_<n>.csv``): four preamble lines with
  the "Last Updated Date", then "Country Name","Country Code","Indicator Name","Indicator Code"
  and the years.

Numbers are copied as the source writes them (commas and trailing zeros dropped), or shifted by a
whole power of 1000 when ``scale`` asks for it; nothing is rounded or estimated. The output has no
timestamps and a fixed order, so re-importing the same files gives identical bytes.

Run (from the repository root)::

    python -m briefing.data.importing --raw ../shared/data/raw --edition sources/gcc-central-asia-2023
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

import yaml

from .store import SCALES
from ..errors import SourceError
from ..sources.files import check_keys, read_yaml

MISSING = ("", "n/a", "--", "..")

#: WEO "Units" (and "Scale") → the edition's unit and scale. An unknown pair is an error: the
#: importer must not guess what a number counts.
WEO_UNITS = {
    ("Persons", "Millions"): ("people", "million"),
    ("U.S. dollars", "Billions"): ("USD", "billion"),
    ("U.S. dollars", "Units"): ("USD", "one"),
    ("U.S. dollars", ""): ("USD", "one"),
    ("Percent change", ""): ("percent", "one"),
    ("Percent of GDP", ""): ("percent_of_gdp", "one"),
}
#: WDI "Indicator Name" endings → unit and scale.
WDI_UNITS = {
    "(current US$)": ("USD", "one"),
    "(% of GDP)": ("percent_of_gdp", "one"),
    "(% of total)": ("percent", "one"),
}

#: Month names for ``{release_ar}`` in source_ar templates ("April 2023" → "أبريل 2023").
MONTHS_AR = {
    "January": "يناير", "February": "فبراير", "March": "مارس", "April": "أبريل", "May": "مايو",
    "June": "يونيو", "July": "يوليو", "August": "أغسطس", "September": "سبتمبر",
    "October": "أكتوبر", "November": "نوفمبر", "December": "ديسمبر",
}

_WEO_COLUMNS = ("ISO", "WEO Subject Code", "Units", "Scale", "Estimates Start After")
_DATASET_FIELDS = ("file", "title", "title_en", "unit", "scale", "decimals", "source", "source_ar",
                   "indicator", "release", "aggregate", "derived")
DATASETS_HEADER = (
    "# What each data file holds. The importer (python -m briefing.data.importing, see\n"
    "# docs/sources.md) rewrites file, unit, scale, source, source_ar, indicator and release of\n"
    "# the datasets listed in import.yaml and keeps every other field; comments are not kept.\n"
)


@dataclass(frozen=True)
class Series:
    """One imported series: text values by (country, year), as the source wrote them."""

    values: dict[tuple[str, int], str]
    estimates_after: dict[str, int] | None  # WEO only
    unit: str
    scale: str
    release: str  # WEO: the edition ("April 2023"); WDI: the Last Updated Date
    name: str  # the source's own (English) name of the series: a placeholder title


# ----------------------------------------------------------------------------- number text


def number_text(cell: Any, shift: int = 0) -> str:
    """The value as plain decimal text ("" for no value): no thousands commas, no exponent.

    ``shift`` moves the decimal point (−9 turns US dollars into billions) without rounding.
    A float from an .xlsx is taken by its shortest repr, which is the number the sheet shows.
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


def _years(spec: Any, path: Path, line: int | None) -> list[int]:
    if isinstance(spec, int):
        return [spec]
    if isinstance(spec, list) and spec and all(isinstance(y, int) for y in spec):
        return sorted(set(spec))
    match = re.fullmatch(r"\s*(\d{4})\s*[-–]\s*(\d{4})\s*", str(spec))
    if match and int(match[1]) <= int(match[2]):
        return list(range(int(match[1]), int(match[2]) + 1))
    raise SourceError(f"years must be a year, a list of years or a range like 2014-2028 "
                      f"(got {spec!r})", file=path, line=line)


# ----------------------------------------------------------------------------- WEO


def _decode(raw: bytes, path: Path) -> str:
    """IMF text files have been UTF-16 (the groups file), UTF-8 and Windows-1252 over the years."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and raw[1:2] == b"\x00"):
        return raw.decode("utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-16-le")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict")


def _weo_rows(path: Path) -> Iterator[list[Any]]:
    """The sheet's rows, header first, from either the .xlsx re-save or the IMF's tab text."""
    if not path.is_file():
        raise SourceError("raw file not found", file=path)
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):  # an .xlsx (zip), whatever its name
        import openpyxl  # only the importer needs it: pip install briefing[import]

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        finally:
            book.close()
        return
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError("this is a binary Excel 97 workbook; open it in Excel and save it as "
                          ".xlsx, or use the tab-delimited file the IMF publishes", file=path)
    for line in _decode(raw, path).splitlines():
        yield line.split("\t")


def read_weo(path: Path, subject: str, countries: list[str], years: list[int]) -> Series:
    rows = _weo_rows(path)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    col = {name: i for i, name in enumerate(header)}
    for name in _WEO_COLUMNS:
        if name not in col:
            raise SourceError(f"column '{name}' not found in the header: is this a WEO "
                              "'by countries' file?", file=path, line=1)
    for year in years:
        if str(year) not in col:
            raise SourceError(f"no column for year {year}", file=path, line=1)
    found: dict[str, tuple[int, list[Any]]] = {}
    release = ""
    for line, row in enumerate(rows, start=2):
        first = str(row[0]).strip() if row and row[0] is not None else ""
        if first.startswith("International Monetary Fund"):
            release = first.rsplit(",", 1)[-1].strip()  # "…Database, April 2023" → "April 2023"
            continue
        if len(row) <= col["WEO Subject Code"]:
            continue
        iso, code = (str(row[col[k]] or "").strip() for k in ("ISO", "WEO Subject Code"))
        if code == subject and iso in countries:
            if iso in found:
                raise SourceError(f"two rows for {iso} {subject} (also line {found[iso][0]})",
                                  file=path, line=line)
            found[iso] = (line, row)
    missing = [c for c in countries if c not in found]
    if missing:
        raise SourceError(f"no {subject} row for {', '.join(missing)}", file=path, key=subject)

    units = set()
    values: dict[tuple[str, int], str] = {}
    estimates_after: dict[str, int] = {}
    for iso, (line, row) in found.items():
        cell = lambda name: row[col[name]] if col[name] < len(row) else None  # noqa: E731
        units.add((str(cell("Units") or "").strip(), str(cell("Scale") or "").strip()))
        esa = number_text(cell("Estimates Start After")) if cell("Estimates Start After") else ""
        if esa:
            estimates_after[iso] = int(Decimal(esa))
        for year in years:
            try:
                text = number_text(cell(str(year)))
            except ValueError as exc:
                raise SourceError(f"{iso} {subject} {year}: {exc} is not a number", file=path,
                                  line=line) from None
            if text:
                values[(iso, year)] = text
    if len(units) != 1:
        raise SourceError(f"{subject} rows have different units/scales {sorted(units)}; import "
                          "them as separate datasets", file=path, key=subject)
    pair = units.pop()
    if pair not in WEO_UNITS:
        raise SourceError(f"unknown unit {pair[0]!r} (scale {pair[1]!r}) for {subject}: add it to "
                          "WEO_UNITS in briefing/importing.py", file=path, key=subject)
    unit, scale = WEO_UNITS[pair]
    line, row = found[countries[0]]
    i = col.get("Subject Descriptor")
    name = str(row[i]).strip() if i is not None and i < len(row) and row[i] else subject
    return Series(values, estimates_after, unit, scale, release, name)


# ----------------------------------------------------------------------------- WDI


def read_wdi(path: Path, indicator: str, countries: list[str], years: list[int]) -> Series:
    if not path.is_file():
        raise SourceError("raw file not found", file=path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError("not UTF-8: is this a World Bank API_…_csv_v2 file?", file=path) from None
    rows = list(csv.reader(io.StringIO(text)))
    updated = ""
    header_at = None
    for i, row in enumerate(rows[:10]):
        if row[:1] == ["Last Updated Date"] and len(row) > 1:
            updated = row[1].strip()
        if row[:4] == ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]:
            header_at = i
            break
    if header_at is None:
        raise SourceError("no header row \"Country Name\",\"Country Code\",\"Indicator Name\","
                          "\"Indicator Code\",years in the first lines: not a WDI bulk CSV",
                          file=path)
    header = rows[header_at]
    col = {name.strip(): i for i, name in enumerate(header)}
    for year in years:
        if str(year) not in col:
            raise SourceError(f"no column for year {year}", file=path, line=header_at + 1)
    found: dict[str, tuple[int, list[str]]] = {}
    for line, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if len(row) > 3 and row[1] in countries:
            if row[3] != indicator:
                raise SourceError(f"indicator code is {row[3]!r}, expected {indicator!r}",
                                  file=path, line=line)
            if row[1] in found:
                raise SourceError(f"two rows for {row[1]}", file=path, line=line)
            found[row[1]] = (line, row)
    missing = [c for c in countries if c not in found]
    if missing:
        raise SourceError(f"no row for {', '.join(missing)}", file=path, key=indicator)
    names = {row[2] for _, row in found.values()}
    name = names.pop()
    unit = next((u for end, u in WDI_UNITS.items() if name.endswith(end)), None)
    if names or unit is None:
        raise SourceError(f"unknown unit in indicator name {name!r}: add its ending to WDI_UNITS "
                          "in briefing/importing.py", file=path, key=indicator)
    values = {}
    for iso, (line, row) in found.items():
        for year in years:
            i = col[str(year)]
            try:
                text = number_text(row[i] if i < len(row) else "")
            except ValueError as exc:
                raise SourceError(f"{iso} {year}: {exc} is not a number", file=path,
                                  line=line) from None
            if text:
                values[(iso, year)] = text
    return Series(values, None, unit[0], unit[1], updated, name)


# ----------------------------------------------------------------------------- the edition


def run_import(raw_dir: Path, edition_dir: Path) -> list[Path]:
    """Import every dataset listed in ``data/import.yaml``; returns the files written."""
    data_dir = Path(edition_dir) / "data"
    config_path = data_dir / "import.yaml"
    config = read_yaml(config_path)
    check_keys(config, config_path, ("countries", "sources", "datasets"),
               ("countries", "sources", "datasets"), what="import.yaml")
    countries = config["countries"]
    if not isinstance(countries, list) or not countries:
        raise SourceError("'countries' must be a list of ISO codes", file=config_path,
                          line=config.line_of("countries"))
    for name, source in config["sources"].items():
        check_keys(source, config_path, ("format", "source", "source_ar"),
                   ("format", "source", "source_ar"), what=f"source '{name}'")
        if source["format"] not in ("weo", "wdi"):
            raise SourceError("format must be weo or wdi", file=config_path,
                              line=source.line_of("format"), key=name)

    specs_path = data_dir / "datasets.yaml"
    specs = _plain(read_yaml(specs_path)) if specs_path.exists() else {}
    written = []
    for ds_id, entry in config["datasets"].items():
        check_keys(entry, config_path, ("from", "file", "series", "years", "scale"),
                   ("from", "file", "series", "years"), what=f"dataset '{ds_id}'")
        source = config["sources"].get(entry["from"])
        if source is None:
            raise SourceError(f"unknown source '{entry['from']}' (see 'sources')",
                              file=config_path, line=entry.line_of("from"), key=ds_id)
        years = _years(entry["years"], config_path, entry.line_of("years"))
        reader = read_weo if source["format"] == "weo" else read_wdi
        series = reader(Path(raw_dir) / entry["file"], str(entry["series"]), countries, years)
        shift, scale = 0, series.scale
        if "scale" in entry:
            target = entry["scale"]
            if target not in SCALES:
                raise SourceError(f"unknown scale '{target}' (use one of: {', '.join(SCALES)})",
                                  file=config_path, line=entry.line_of("scale"), key=ds_id)
            # scales are powers of 1000: one → billion moves the decimal point 9 places left
            shift = len(str(SCALES[series.scale])) - len(str(SCALES[target]))
            series = Series({k: number_text(v, shift) for k, v in series.values.items()},
                            series.estimates_after, series.unit, target, series.release,
                            series.name)
            scale = target
        if not series.release:
            raise SourceError("the file does not state its release or last update date",
                              file=Path(raw_dir) / entry["file"])
        spec = dict(specs.get(ds_id) or {})
        out_name = spec.get("file") or f"{ds_id}.csv"
        out = data_dir / out_name
        out.write_text(_wide_csv(series, countries, years), encoding="utf-8", newline="")
        written.append(out)
        release_ar = " ".join(MONTHS_AR.get(word, word) for word in series.release.split(" "))
        fill = {"release": series.release, "release_ar": release_ar,
                "indicator": str(entry["series"])}
        spec.update(file=out_name, unit=series.unit, scale=scale,
                    source=source["source"].format(**fill),
                    source_ar=source["source_ar"].format(**fill),
                    indicator=str(entry["series"]), release=series.release)
        spec.setdefault("title", series.name)  # a placeholder the editor replaces with Arabic
        specs[ds_id] = spec
    specs_path.write_text(_datasets_yaml(specs), encoding="utf-8", newline="")
    written.append(specs_path)
    return written


def _wide_csv(series: Series, countries: list[str], years: list[int]) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    with_esa = series.estimates_after is not None
    out.writerow(["code"] + (["estimates_after"] if with_esa else []) + [str(y) for y in years])
    for iso in sorted(countries):
        esa = [str(series.estimates_after.get(iso, ""))] if with_esa else []
        out.writerow([iso] + esa + [series.values.get((iso, y), "") for y in years])
    return buf.getvalue()


def _plain(node: Any) -> Any:
    """The YAML tree as plain dicts and lists, so it can be written back."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _datasets_yaml(specs: dict) -> str:
    """datasets.yaml in a fixed key order: one key per line, lists and mappings in flow style."""
    lines = [DATASETS_HEADER]
    for ds_id, spec in specs.items():
        lines.append(f"\n{_flow(ds_id)}:\n")
        ordered = [k for k in _DATASET_FIELDS if k in spec] + [k for k in spec
                                                               if k not in _DATASET_FIELDS]
        lines.extend(f"  {_flow(key)}: {_flow(spec[key])}\n" for key in ordered)
    return "".join(lines)


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6,
                          sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m briefing.data.importing",
        description="Import an edition's data files from raw IMF WEO and World Bank WDI files, "
                    "as listed in the edition's data/import.yaml.")
    parser.add_argument("--raw", type=Path, required=True, help="folder of raw downloads")
    parser.add_argument("--edition", type=Path, required=True, help="the edition folder")
    args = parser.parse_args(argv)
    try:
        written = run_import(args.raw, args.edition)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
