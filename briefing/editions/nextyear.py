"""The checks of ``--new-edition``: what it is given, against what the new edition will ask for.

:func:`briefing.editions.new_edition` calls these before and after it copies the edition:

- :func:`check_downloads` (before anything is written): the raw folder exists; the ``--weo``
  file and the ``--wdi`` folder are there; every World Bank indicator of ``data/import.yaml``
  has its ``API_<code>_DS2_…`` file in that folder. A missing download stops with the path and
  where to download it.
- :func:`hand_typed` : the datasets of ``data/datasets.yaml`` that ``data/import.yaml`` does not
  import (GCC-Stat series typed by hand). Their figures and table columns keep their years unless
  the editor asks (``--shift-typed``): next year's booklet has no new figures for them until
  someone types them.
- :func:`year_problems` (after the copy, on the new edition): the years that ``data/import.yaml``,
  the figures and the tables ask of the WEO and WDI datasets, against the year columns of the
  new downloads; each problem says which ``years`` to change, in which file, to what.
- :func:`steps_left`: what the editor still has to do, in the README's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..data.releases import WDI_HELP, WEO_HELP, read_table
from ..sources.files import read_yaml

IMPORT_YAML = Path("data") / "import.yaml"


def years_of(spec: Any) -> list[int]:
    """Years of a ``years:``/``year:`` value (a year, a list, or "2015-2028"); [] if unreadable."""
    if isinstance(spec, int):
        return [spec]
    if isinstance(spec, list):
        return sorted(y for y in spec if isinstance(y, int))
    match = re.fullmatch(r"\s*(\d{4})\s*[-–]\s*(\d{4})\s*", str(spec))
    return list(range(int(match[1]), int(match[2]) + 1)) if match else []


def span(years: list[int]) -> str:
    """Years as import.yaml writes them: 2014-2028 for a run, [2021, 2023] otherwise."""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return "[" + ", ".join(map(str, years)) + "]"


def imports(edition: Path) -> dict[str, dict]:
    """``data/import.yaml``'s datasets, each with its source's ``format`` ({} without the file)."""
    path = Path(edition) / IMPORT_YAML
    if not path.is_file():
        return {}
    doc = read_yaml(path)
    sources = doc.get("sources") or {}
    out = {}
    for ds_id, spec in (doc.get("datasets") or {}).items():
        if isinstance(spec, dict):
            source = sources.get(spec.get("from")) or {}
            out[ds_id] = {**spec, "format": source.get("format"),
                          "line": (doc.get("datasets") or {}).line_of(ds_id)}
    return out


def hand_typed(edition: Path) -> set[str]:
    """Datasets of ``data/datasets.yaml`` not imported by ``data/import.yaml`` (empty when the
    edition has no import.yaml: then nothing says which data is typed by hand)."""
    imported = imports(edition)
    if not imported:
        return set()
    specs = read_yaml(Path(edition) / "data" / "datasets.yaml")
    return {ds_id for ds_id in specs if ds_id not in imported}


def check_downloads(edition: Path, files: dict[str, str], raw: Path | None) -> None:
    """Stop (SourceError) unless every download named by ``--weo``/``--wdi`` is under ``raw``
    (nothing to check without ``raw``: the command line requires it with --weo and --wdi)."""
    if not files or raw is None:
        return
    raw = Path(raw)
    if not raw.is_dir():
        raise SourceError("the raw data folder (--raw) does not exist", file=raw)
    if "weo" in files:
        path = raw / files["weo"]
        if not path.is_file():
            raise SourceError(f"the WEO file given with --weo is not there: {WEO_HELP}, save it "
                              f"there, or correct --weo (relative to --raw)", file=path)
    if "wdi" in files:
        folder = raw / files["wdi"]
        if not folder.is_dir():
            raise SourceError("the World Bank folder given with --wdi does not exist: create it, "
                              "download each indicator into it, or correct --wdi (relative to "
                              "--raw)", file=folder)
        missing = [str(spec.get("series")) for spec in imports(edition).values()
                   if spec["format"] == "wdi" and not wdi_file(folder, str(spec.get("series")))]
        if missing:
            raise SourceError(f"no API_<code>_DS2_….csv file for {', '.join(missing)} in this "
                              f"folder: {WDI_HELP.replace('<code>', missing[0])} into it",
                              file=folder)


def wdi_file(folder: Path, series: str) -> Path | None:
    """The newest-named ``API_<series>_DS2_*`` CSV (or its zip) in ``folder``."""
    found = sorted(p for p in Path(folder).glob(f"API_{series}_DS2_*")
                   if p.suffix.lower() in (".csv", ".zip"))
    return found[-1] if found else None


def year_problems(edition: Path, raw: Path | None) -> list[str]:
    """What the new edition asks of each imported file that the file does not have: one line per
    ``years`` to change (file, key, from → to). Reads each raw file once; [] without ``raw``."""
    if raw is None:
        return []
    edition = Path(edition)
    problems = []
    tables = {}
    have: dict[str, set[int]] = {}
    for ds_id, spec in imports(edition).items():
        path = Path(raw) / str(spec.get("file"))
        if spec["format"] not in ("weo", "wdi") or not path.is_file():
            continue
        if path not in tables:
            tables[path] = read_table(path, spec["format"])
        table = tables[path]
        asked = years_of(spec.get("years"))
        have[ds_id] = set(table.years)
        lacking = [y for y in asked if y not in have[ds_id]]
        if lacking:
            kept = [y for y in asked if y in have[ds_id]]
            problems.append(f"{IMPORT_YAML.as_posix()}:{spec['line']} [{ds_id}]: {path.name} has "
                            f"no column for {span(lacking)} (its years: {table.year_span()}): "
                            f"change years: {span(asked)} to {span(kept) if kept else '…'}")
    for spec in shown(edition):
        if spec.dataset not in have:
            continue
        lacking = [y for y in spec.years if y not in have[spec.dataset]]
        if lacking:
            kept = [y for y in spec.years if y in have[spec.dataset]]
            to = (span(kept) if kept and spec.key == "years"
                  else str(max(have[spec.dataset], default="…")))
            where = spec.key if spec.key == "years" else f"year of column {spec.dataset}"
            problems.append(f"{spec.file}: {where} {span(spec.years)} asks '{spec.dataset}' "
                            f"for {span(lacking)}, which the new download does not have: "
                            f"change it to {to}")
    return problems


@dataclass(frozen=True)
class Shown:
    """Years a figure (``years``) or a table column (``year``) shows of one dataset."""

    file: str  # "figures/gdp-groups.yaml"
    dataset: str
    years: list[int]
    key: str  # "years" or "year"


def shown(edition: Path) -> list[Shown]:
    """Every dataset × years that the edition's figures and data tables show (unreadable
    specifications are left to the build to report)."""
    found = []
    for kind in ("figures", "tables"):
        for path in sorted((Path(edition) / kind).glob("*.yaml")):
            try:
                doc = read_yaml(path)
            except SourceError:
                continue
            if not isinstance(doc, dict):
                continue
            rel = f"{kind}/{path.name}"
            if isinstance(doc.get("data"), str) and doc.get("years") is not None:
                found.append(Shown(rel, doc["data"], years_of(doc["years"]), "years"))
            for column in doc.get("columns") or ():
                if isinstance(column, dict) and isinstance(column.get("data"), str):
                    found.append(Shown(rel, column["data"], years_of(column.get("year")),
                                       "year"))
    return found


def steps_left(source: Path, target: Path, raw: Path | None, typed: set[str],
               typed_years: dict[str, str], problems: list[str]) -> list[str]:
    """The README's remaining steps, with this edition's paths filled in."""
    raw_arg = str(raw) if raw is not None else "<raw data folder>"
    steps = []
    if problems:
        steps.append("fix the years the new downloads do not have (above) in " + str(target))
    steps.append(f"import the data: .venv/bin/python -m briefing.data.importing --raw {raw_arg} "
                 f"--edition {target}")
    if typed:
        listed = ", ".join(f"{ds} ({typed_years.get(ds, '?')})" for ds in sorted(typed))
        steps.append(f"hand-typed data kept its years: {listed}; type next year's column into "
                     "its CSV file when the figures exist, then move the years of its figures "
                     "and tables (or keep them: the text cites them with latest_year(…))")
    steps.append(f"compare: ./run.sh book --edition {source} --compare {target}")
    steps.append(f"check typed numbers and dates: ./run.sh book --edition {target} "
                 "--check-numbers, then --check-dates")
    steps.append(f"build: ./run.sh book --edition {target}")
    return [f"step {n}: {s}" for n, s in enumerate(steps, 1)]
