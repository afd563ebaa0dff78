"""Import an edition's numbers from the publishers' own files: next year's edition is re-run, not retyped.

In: a folder of raw downloads (``--raw``) and the edition's ``data/import.yaml``, which says which
dataset comes from which file and series, for which countries and years.
Out: the edition's ``data/<dataset>.csv`` files (wide layout, see docs/sources.md) and the
provenance fields of ``data/datasets.yaml`` (source, source_ar, unit, scale, indicator, release).

The publishers' files are read by briefing/data/releases.py (IMF WEO "by countries" in its tab-text,
.xlsx and .csv layouts; World Bank WDI per-indicator CSVs). What import.yaml asks for is checked
against what each file holds; a mismatch is an error naming the import.yaml key to change. Import
is all or nothing (:func:`replace_all`).

Numbers are copied as the source writes them (commas and trailing zeros dropped), or shifted by a
whole power of 1000 when ``scale`` asks for it; nothing is rounded or estimated. The output has no
timestamps and a fixed order, so re-importing the same files gives identical bytes.

Run (from the repository root)::

    python -m briefing.data.importing --raw ../shared/data/raw --edition sources/gcc-central-asia-2023
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import yaml

from ..editions.nextyear import shown, span as _span
from ..errors import SourceError
from ..numerals import MONTHS
from ..sources.dates import release_date
from ..sources.files import check_keys, read_yaml
from .releases import Table, number_text, read_table, read_wdi_table, read_weo_table, wdi_unit, \
    weo_unit
from .store import SCALES, UNITS


_DATASET_FIELDS = ("file", "title", "title_en", "unit", "scale", "decimals", "source", "source_ar",
                   "indicator", "release", "aggregate", "derived")
DATASETS_HEADER = (
    "# What each data file holds. The importer (python -m briefing.data.importing, see\n"
    "# docs/sources.md) rewrites file, unit, scale, source, source_ar, indicator and release of\n"
    "# the datasets listed in import.yaml and keeps every other field; comments are not kept.\n"
)
_IMPORT_KEYS = ("from", "file", "series", "years", "scale", "unit")


@dataclass(frozen=True)
class Series:
    """One imported series: text values by (country, year), as the source wrote them."""

    values: dict[tuple[str, int], str]
    estimates_after: dict[str, int] | None  # WEO only
    unit: str
    scale: str
    release: str  # WEO: the edition ("April 2023"); WDI: the Last Updated Date
    name: str  # the source's own (English) name of the series: a placeholder title


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


# ----------------------------------------------------------------------------- one series


def take_series(table: Table, code: str, countries: list[str], years: list[int],
                unit: str | None = None, at: Callable[..., SourceError] | None = None) -> Series:
    """One series of a publisher's table for ``countries`` × ``years``.

    ``unit`` overrides the unit the file's words give (``unit:`` in import.yaml).
    ``at(message, field, missing_years)`` makes the error for a fix that belongs in import.yaml
    (the dataset's ``field``); without it, errors point at the raw file. Raises SourceError.
    """
    def fix_here(message: str, field: str, missing: list[int] = ()) -> SourceError:
        return at(message, field, missing) if at else SourceError(message, file=table.path)

    missing_years = [y for y in years if y not in table.years]
    if missing_years:
        have = [y for y in years if y in table.years]
        fix = (f"change 'years' to {_span(have)}" if have else
               f"give 'years' within {table.year_span()}")
        raise fix_here(f"{table.path.name} has no column for {_span(missing_years)} (its years: "
                       f"{table.year_span()}): {fix}", "years", missing_years)
    rows = {}
    for iso in countries:
        found = table.rows.get((iso, code), [])
        if len(found) > 1:
            raise SourceError(f"two rows for {iso} {code} (lines {found[0].line} and "
                              f"{found[1].line}): keep one", file=table.path, line=found[1].line)
        if found:
            rows[iso] = found[0]
    if not rows:
        close = difflib.get_close_matches(code, sorted(table.series_codes()), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise fix_here(f"{table.path.name} has no series '{code}' for these countries{hint}: "
                       "check 'series' (the WEO subject code or the WDI indicator code)", "series")
    missing = [c for c in countries if c not in rows]
    if missing:
        raise SourceError(f"no {code} row for {', '.join(missing)}: is it the whole file "
                          "(all countries)?", file=table.path, key=code)

    if table.kind == "weo":
        words = {(str(r.cells.get("Units") or "").strip(), str(r.cells.get("Scale") or "").strip())
                 for r in rows.values()}
        pairs = {weo_unit(*w) for w in words}
        if len(pairs) != 1:
            raise SourceError(f"{code} rows have different units/scales {sorted(words)}; import "
                              "them as separate datasets", file=table.path, key=code)
        said = "{!r} (scale {!r})".format(*sorted(words)[0])
        name_i = "Subject Descriptor"
    else:
        words = {r.cells.get("Indicator Name", "") for r in rows.values()}
        pairs = {wdi_unit(w) for w in words}
        if len(pairs) != 1:
            raise SourceError(f"{code} rows have different indicator names {sorted(words)}",
                              file=table.path, key=code)
        said = repr(sorted(words)[0])
        name_i = "Indicator Name"
    found_unit, scale = pairs.pop()
    if scale is None:
        raise SourceError(f"unknown scale in {said} for {code}: the scale must be Units, "
                          "Thousands, Millions or Billions", file=table.path, key=code)
    if unit is None and found_unit is None:
        raise fix_here(f"unknown unit {said} for {code}: if its numbers are in one of "
                       f"{', '.join(UNITS)}, say which with 'unit:' on this dataset (e.g. "
                       f"unit: percent)", "series")
    values: dict[tuple[str, int], str] = {}
    estimates_after: dict[str, int] = {}
    for iso, row in rows.items():
        esa = row.cells.get("Estimates Start After")
        try:
            esa_text = number_text(esa)
        except ValueError:
            esa_text = ""
        if esa_text:
            estimates_after[iso] = int(Decimal(esa_text))
        for year in years:
            try:
                text = number_text(row.cells.get(str(year)))
            except ValueError as exc:
                raise SourceError(f"{iso} {code} {year}: {exc} is not a number", file=table.path,
                                  line=row.line) from None
            if text:
                values[(iso, year)] = text
    first = rows[countries[0]]
    name = str(first.cells.get(name_i) or code).strip()
    return Series(values, estimates_after if table.kind == "weo" else None,
                  unit or found_unit, scale, table.release, name)


def read_weo(path: Path, subject: str, countries: list[str], years: list[int]) -> Series:
    """One WEO series (see :func:`take_series`); errors point at the file."""
    return take_series(read_weo_table(path), subject, countries, years)


def read_wdi(path: Path, indicator: str, countries: list[str], years: list[int]) -> Series:
    """One WDI series (see :func:`take_series`); errors point at the file."""
    return take_series(read_wdi_table(path), indicator, countries, years)


# ----------------------------------------------------------------------------- the edition


def run_import(raw_dir: Path, edition_dir: Path) -> list[Path]:
    """Import every dataset listed in ``data/import.yaml``; returns the files written.

    All or nothing: every file is read and every series checked first; only then are the CSV
    files and ``datasets.yaml`` written, each to a temporary file beside it and moved into place
    (``os.replace``), so an error leaves the edition exactly as it was. Raises SourceError.
    """
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
        check_keys(source, config_path, ("format", "source", "source_ar", "release"),
                   ("format", "source", "source_ar"), what=f"source '{name}'")
        if source["format"] not in ("weo", "wdi"):
            raise SourceError("format must be weo or wdi", file=config_path,
                              line=source.line_of("format"), key=name)

    specs_path = data_dir / "datasets.yaml"
    specs = _plain(read_yaml(specs_path)) if specs_path.exists() else {}
    tables: dict[tuple[Path, str], Table] = {}  # each raw file is read once
    outputs: dict[Path, str] = {}
    for ds_id, entry in config["datasets"].items():
        check_keys(entry, config_path, _IMPORT_KEYS, ("from", "file", "series", "years"),
                   what=f"dataset '{ds_id}'")
        source = config["sources"].get(entry["from"])
        if source is None:
            raise SourceError(f"unknown source '{entry['from']}' (sources: "
                              f"{', '.join(config['sources'])})", file=config_path,
                              line=entry.line_of("from"), key=ds_id)
        years = _years(entry["years"], config_path, entry.line_of("years"))
        if entry.get("unit") is not None and entry["unit"] not in UNITS:
            raise SourceError(f"unknown unit '{entry['unit']}' (use one of: {', '.join(UNITS)})",
                              file=config_path, line=entry.line_of("unit"), key=ds_id)

        def at(message: str, field: str, missing: list[int] = (), entry=entry,
               ds_id=ds_id) -> SourceError:
            more = _specs_showing(Path(edition_dir), ds_id, list(missing)) if missing else ""
            return SourceError(f"{message}{more}", file=config_path,
                               line=entry.line_of(field) or entry.line_of("from"), key=ds_id)

        raw_path = Path(raw_dir) / str(entry["file"])
        if not raw_path.is_file():
            raise SourceError(f"raw file not found: {raw_path} (check 'file', relative to the "
                              f"raw data folder {raw_dir})", file=config_path,
                              line=entry.line_of("file"), key=ds_id)
        key = (raw_path, source["format"])
        if key not in tables:
            tables[key] = read_table(raw_path, source["format"])
        series = take_series(tables[key], str(entry["series"]), countries, years,
                             entry.get("unit"), at)
        scale = series.scale
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
        release = series.release or str(source.get("release") or "")
        if not release:
            raise SourceError(f"{raw_path.name} does not state its release or last update date: "
                              f"add it to source '{entry['from']}' (e.g. release: April 2024)",
                              file=config_path, line=config["sources"].line_of(entry["from"]),
                              key=entry["from"])
        spec = dict(specs.get(ds_id) or {})
        out_name = spec.get("file") or f"{ds_id}.csv"
        outputs[data_dir / out_name] = _wide_csv(series, countries, years)
        parsed = release_date(release)  # "April 2023" → أبريل 2023, "2026-02-24" → 24 فبراير 2026
        release_ar = (release if parsed is None else
                      f"{str(parsed[0].day) + ' ' if parsed[1] else ''}"
                      f"{MONTHS['ar'][parsed[0].month - 1]} {parsed[0].year}")
        fill = {"release": release, "release_ar": release_ar,
                "indicator": str(entry["series"])}
        spec.update(file=out_name, unit=series.unit, scale=scale,
                    source=source["source"].format(**fill),
                    source_ar=source["source_ar"].format(**fill),
                    indicator=str(entry["series"]), release=release)
        spec.setdefault("title", series.name)  # a placeholder the editor replaces with Arabic
        specs[ds_id] = spec
    outputs[specs_path] = _datasets_yaml(specs)
    replace_all(outputs)
    return list(outputs)


def replace_all(outputs: dict[Path, str]) -> None:
    """Write every file, or none: each goes to a hidden temporary file in its own folder first
    (where a full disk or a permission error would show), then all are moved into place."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, text in outputs.items():
            fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            temps.append((Path(temp), path))
    except OSError as exc:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        raise SourceError(f"cannot write the imported files ({exc.strerror}); nothing was "
                          "changed", file=exc.filename) from None
    for temp, path in temps:
        os.replace(temp, path)


def _specs_showing(edition: Path, ds_id: str, missing: list[int]) -> str:
    """"; figures/x.yaml …" for the figures and tables that show these missing years of the
    dataset, so that the editor changes them together with import.yaml."""
    asking = sorted({s.file for s in shown(edition)
                     if s.dataset == ds_id and set(s.years) & set(missing)})
    return (f"; these figures and tables show those years of '{ds_id}' and need the same "
            f"change: {', '.join(asking)}") if asking else ""


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
