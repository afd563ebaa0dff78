"""Edition data: the numbers behind tables, charts and prose.

In: an edition's ``data/`` folder (``datasets.yaml``, ``entities.yaml``, wide CSV files).
Out: an immutable :class:`DataStore` in which group values (GCC, Central Asia) are computed from
their members by each dataset's stated method, never typed in.

Every problem an editor can make in these files (a typo in a key, "1,234" in a cell, a country code
that is not in ``entities.yaml``, a file saved as Windows-1256) is a :class:`SourceError` naming the
file, the line or key, and what to fix: the book must never be built from numbers that were silently
dropped or guessed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping

from ..errors import SourceError
from ..sources.files import check_keys, inside, read_text, read_yaml

Status = Literal["actual", "estimate"]

#: Units a dataset may declare; what the number counts. Charts and tables label axes from these.
UNITS = ("USD", "people", "percent", "percent_of_gdp")
#: Scales and their factors: the CSV holds value / factor (e.g. GDP in billions of USD).
SCALES = MappingProxyType({"one": 1, "thousand": 10**3, "million": 10**6, "billion": 10**9})
#: Units whose values cannot be added up across countries (a sum of percentages means nothing).
NON_ADDITIVE_UNITS = ("percent", "percent_of_gdp")

_DATASET_KEYS = ("file", "title", "title_en", "unit", "scale", "decimals", "source", "source_ar",
                 "indicator", "release", "aggregate", "derived")
_DATASET_REQUIRED = ("file", "title", "unit", "scale", "source", "source_ar")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
_YEAR = re.compile(r"^\d{4}$")
# a number with a unit or scale typed after (or before) it: "6.8 million", "12%", "$5", "3 مليار"
_UNIT_TYPED = re.compile(r"^[-$€£]?\s*[\d.,]+\s*(?![eE][-+]?\d)[^\d\s.,-].*$|^[$€£]")
#: Whole-number digits a value may have: a double holds 15 significant digits exactly (IEEE 754),
#: and a 400-digit number is no finite double at all.
MAX_INTEGER_DIGITS = 15
#: Rows per data file: one row per country, group or category, so a few hundred in practice.
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Entity:
    """A country, a group of countries, or a category (e.g. a commodity) that data rows describe."""

    code: str
    ar: str
    en: str
    members: tuple[str, ...] = ()  # non-empty for groups

    @property
    def is_group(self) -> bool:
        return bool(self.members)


@dataclass(frozen=True)
class Dataset:
    """One indicator: values by (entity code, year), with the provenance needed to cite them."""

    id: str
    title: str
    title_en: str
    unit: str
    scale: str
    decimals: int
    source: str
    source_ar: str
    file: str  # the CSV it was read from, for error messages
    values: Mapping[tuple[str, int], float]
    # last year of actual data per entity; later years are estimates/projections
    estimates_after: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    indicator: str = ""
    release: str = ""  # the source's release or "last updated" date, as the source states it
    aggregate: str = "none"  # how group values were computed: sum, mean, weighted_mean, ratio, none
    codes: tuple[str, ...] = ()  # rows in file order, then computed groups, then derived rows

    def years(self) -> tuple[int, ...]:
        return tuple(sorted({year for _, year in self.values}))

    def source_in(self, lang: str) -> str:
        """The source line in a part's language: ``source_ar`` for Arabic, ``source`` for
        English."""
        return self.source_ar if lang == "ar" else self.source

    def status(self, entity: str, year: int) -> Status:
        last = self.estimates_after.get(entity)
        return "estimate" if last is not None and year > last else "actual"

    def get(self, entity: str, year: int) -> float | None:
        """The value, or None when the source has none (an empty cell, or a group not computed)."""
        return self.values.get((entity, year))


@dataclass(frozen=True)
class DataStore:
    """All datasets and entities of an edition."""

    datasets: Mapping[str, Dataset]
    entities: Mapping[str, Entity]

    def dataset(self, dataset_id: str) -> Dataset:
        try:
            return self.datasets[dataset_id]
        except KeyError:
            known = ", ".join(sorted(self.datasets)) or "none"
            raise SourceError(f"unknown dataset '{dataset_id}' (known: {known})") from None

    def sources_of(self, dataset_ids, lang: str) -> str:
        """The distinct sources of several datasets, in the part's language, in order, joined
        by the language's semicolon («؛» in Arabic)."""
        sources = dict.fromkeys(self.dataset(i).source_in(lang) for i in dataset_ids)
        return ("؛ " if lang == "ar" else "; ").join(sources)

    def entity(self, code: str) -> Entity:
        try:
            return self.entities[code]
        except KeyError:
            raise SourceError(f"unknown entity code '{code}': add it to data/entities.yaml") from None

    def value(self, dataset_id: str, entity: str, year: int) -> float:
        """The value, or a SourceError naming dataset, entity and year when it is missing."""
        ds = self.dataset(dataset_id)
        try:
            return ds.values[(entity, year)]
        except KeyError:
            known = self.entities.get(entity)
            if known is None:
                gap = f"'{entity}' is not a code of data/entities.yaml: check its spelling"
            elif known.is_group and entity not in ds.codes:
                gap = ("the group's values are not computed: give the dataset an 'aggregate' in "
                       "data/datasets.yaml, and every member a row")
            else:
                gap = _gap(ds, entity, year) or "its cell is empty: fill it in, or use another year"
            raise SourceError(f"no value for {entity} in {year}: {gap}", file=ds.file,
                              key=dataset_id) from None

    def get(self, dataset_id: str, entity: str, year: int) -> float | None:
        """Like :meth:`value` but None for a missing value (an empty cell, printed as such);
        a row or a year column the file does not have at all is an error, not a blank."""
        ds = self.dataset(dataset_id)
        found = ds.get(entity, year)
        if found is None:
            known = self.entities.get(entity)
            gap = _gap(ds, entity, year, is_group=known is not None and known.is_group)
            if gap:
                raise SourceError(f"no value for {entity} in {year}: {gap}", file=ds.file,
                                  key=dataset_id)
        return found


def _gap(ds: Dataset, entity: str, year: int, is_group: bool = False) -> str | None:
    """Why a value is missing when the file lacks its whole row or column (else None). A group
    without values (no aggregate, or a member without a row) is a gap of the source, not an error."""
    name = Path(ds.file).name
    if entity not in ds.codes and not is_group:
        return f"{name} has no row '{entity}': add the row, or use one of {', '.join(ds.codes)}"
    years = ds.years()
    if year not in years:
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"{name} has no column {year} (its years: {span}): add the column, or use another year"
    return None


# ------------------------------------------------------------------------------------ loading


def load_data(edition_dir: Path) -> DataStore:
    """Read and check ``data/``; compute group values and derived rows; freeze the result.

    Order matters only once: ratio aggregates read other datasets' *member* rows, which all come
    straight from the CSV files, so every file is read before any group is computed.
    """
    data_dir = Path(edition_dir) / "data"
    for path in sorted(data_dir.glob("*")):  # no data may come from outside the edition
        inside(path, edition_dir)
    entities = _load_entities(data_dir / "entities.yaml")
    specs_path = data_dir / "datasets.yaml"
    specs = read_yaml(specs_path)
    if not isinstance(specs, dict) or not specs:
        raise SourceError("expected one entry per dataset (id: {file: …, title: …})",
                          file=specs_path)

    raw: dict[str, _Table] = {}
    for ds_id, spec in specs.items():
        _check_spec(ds_id, spec, specs_path)
        raw[ds_id] = _read_csv(data_dir / spec["file"], entities, specs_path, spec.line_of("file"))

    datasets = {}
    for ds_id, spec in specs.items():
        datasets[ds_id] = _build(ds_id, spec, raw, specs, entities, specs_path)
    return DataStore(datasets=MappingProxyType(datasets), entities=entities)


@dataclass
class _Table:
    """One CSV as read: values, estimates_after and row order, before groups are added."""

    path: Path
    values: dict[tuple[str, int], float]
    estimates_after: dict[str, int]
    codes: list[str]


def _load_entities(path: Path) -> Mapping[str, Entity]:
    doc = read_yaml(path)
    if not isinstance(doc, dict) or not doc:
        raise SourceError("expected entries like 'KAZ: {ar: كازاخستان, en: Kazakhstan}'", file=path)
    entities: dict[str, Entity] = {}
    for code, entry in doc.items():
        if code == "groups":
            continue
        _check_code(code, path, doc.line_of(code))
        check_keys(entry, path, ("ar", "en"), ("ar", "en"), what=f"entity '{code}'")
        entities[code] = Entity(code, _text(entry, "ar", path), _text(entry, "en", path))
    groups = doc.get("groups") or {}
    if not isinstance(groups, dict):
        raise SourceError("'groups' must map group codes to {ar, en, members}", file=path,
                          line=doc.line_of("groups"))
    for code, entry in groups.items():
        _check_code(code, path, groups.line_of(code))
        if code in entities:
            raise SourceError(f"group code '{code}' is also an entity code; rename one", file=path,
                              line=groups.line_of(code), key=code)
        check_keys(entry, path, ("ar", "en", "members"), ("ar", "en", "members"),
                   what=f"group '{code}'")
        members = entry["members"]
        if not isinstance(members, list) or not members:
            raise SourceError(f"group '{code}': members must be a list of entity codes", file=path,
                              line=entry.line_of("members"), key=code)
        for member in members:
            if member not in entities:
                raise SourceError(f"group '{code}': member '{member}' is not an entity defined "
                                  "above in this file", file=path, line=entry.line_of("members"),
                                  key=code)
        if len(set(members)) != len(members):
            raise SourceError(f"group '{code}' lists a member twice", file=path,
                              line=entry.line_of("members"), key=code)
        entities[code] = Entity(code, _text(entry, "ar", path), _text(entry, "en", path),
                                tuple(members))
    return MappingProxyType(entities)


def _check_code(code: Any, path: Path, line: int | None) -> None:
    if not isinstance(code, str) or not _CODE.match(code):
        raise SourceError(f"'{code}' is not a valid code: use letters, digits, '_' or '-', "
                          "starting with a letter", file=path, line=line)


def _text(entry: Any, key: str, path: Path) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise SourceError(f"'{key}' must be a non-empty text", file=path, line=entry.line_of(key),
                          key=key)
    return value.strip()


def _check_spec(ds_id: Any, spec: Any, path: Path) -> None:
    """The dataset entry's own keys and values; references to other datasets are checked later."""
    check_keys(spec, path, _DATASET_KEYS, _DATASET_REQUIRED, what=f"dataset '{ds_id}'")
    if not isinstance(ds_id, str) or not _CODE.match(ds_id):
        raise SourceError(f"'{ds_id}' is not a valid dataset id", file=path, line=spec.line)
    for key in ("file", "title", "source", "source_ar"):
        _text(spec, key, path)
    if not str(spec["file"]).endswith(".csv") or "/" in spec["file"] or "\\" in spec["file"]:
        raise SourceError(f"'file' must name a .csv file in data/ (got '{spec['file']}')",
                          file=path, line=spec.line_of("file"), key=ds_id)
    if spec["unit"] not in UNITS:
        raise SourceError(f"unknown unit '{spec['unit']}' (use one of: {', '.join(UNITS)})",
                          file=path, line=spec.line_of("unit"), key=ds_id)
    if spec["scale"] not in SCALES:
        raise SourceError(f"unknown scale '{spec['scale']}' (use one of: {', '.join(SCALES)})",
                          file=path, line=spec.line_of("scale"), key=ds_id)
    if not isinstance(spec.get("derived", {}), dict):
        raise SourceError("'derived' must map row codes to {difference: [a, b]} or {sum: [a, b]}",
                          file=path, line=spec.line_of("derived"), key=ds_id)
    decimals = spec.get("decimals", 1)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 6:
        raise SourceError("'decimals' must be a whole number from 0 to 6", file=path,
                          line=spec.line_of("decimals"), key=ds_id)


def _read_csv(path: Path, entities: Mapping[str, Entity], specs_path: Path,
              spec_line: int | None) -> _Table:
    if not path.is_file():
        raise SourceError(f"data file '{path.name}' not found in data/", file=specs_path,
                          line=spec_line)
    rows = list(csv.reader(io.StringIO(read_text(path))))
    if len(rows) > MAX_ROWS + 1:
        raise SourceError(f"{len(rows) - 1} rows: a data file holds at most {MAX_ROWS} (one row per "
                          "country, group or category); keep only the rows the book uses",
                          file=path, line=MAX_ROWS + 2)
    header = [cell.strip() for cell in rows[0]]
    if not header or header[0] != "code":
        raise SourceError("the first column must be 'code' (then optionally 'estimates_after', "
                          "then years)", file=path, line=1)
    first_year = 2 if len(header) > 1 and header[1] == "estimates_after" else 1
    years = []
    for col, name in enumerate(header[first_year:], start=first_year):
        if not _YEAR.match(name):
            raise SourceError(f"column {col + 1} header '{name}' is not a four-digit year",
                              file=path, line=1)
        if int(name) in years:
            raise SourceError(f"year {name} appears twice in the header", file=path, line=1)
        years.append(int(name))
    if not years:
        raise SourceError("no year columns in the header", file=path, line=1)

    table = _Table(path, {}, {}, [])
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            raise SourceError(f"{len(row)} cells but the header has {len(header)}; every row needs "
                              "one cell per column (leave a cell empty for no value)",
                              file=path, line=line)
        code = row[0].strip()
        if code in seen:
            raise SourceError(f"code '{code}' appears twice (also on line {seen[code]})",
                              file=path, line=line, key=code)
        if code not in entities:
            raise SourceError(f"unknown code '{code}': add it to data/entities.yaml",
                              file=path, line=line, key=code)
        if entities[code].is_group:
            raise SourceError(f"'{code}' is a group: its values are computed from its members, "
                              "remove this row", file=path, line=line, key=code)
        seen[code] = line
        table.codes.append(code)
        if first_year == 2 and row[1].strip():
            last = row[1].strip()
            if not _YEAR.match(last):
                raise SourceError(f"estimates_after '{last}' is not a year (or leave it empty)",
                                  file=path, line=line, key=code)
            table.estimates_after[code] = int(last)
        for year, cell in zip(years, row[first_year:]):
            text = cell.strip()
            if not text:
                continue
            if not _NUMBER.match(text):
                unit = ("; write the number alone: the unit and scale belong in "
                        "data/datasets.yaml" if _UNIT_TYPED.search(text) else "")
                raise SourceError(f"column {year}: '{text}' is not a number (use a dot for "
                                  "decimals, no thousands separator; leave the cell empty for "
                                  f"no value{unit})",
                                  file=path, line=line, key=code)
            if len(text.lstrip("+-").split(".")[0]) > MAX_INTEGER_DIGITS:
                raise SourceError(f"column {year}: '{text[:20]}…' has more than "
                                  f"{MAX_INTEGER_DIGITS} digits before the dot, more than a "
                                  "number can hold exactly: give the dataset a larger scale "
                                  "(e.g. billion) in data/datasets.yaml", file=path, line=line,
                                  key=code)
            table.values[(code, year)] = float(text)
    if not table.codes:
        raise SourceError("no data rows under the header", file=path)
    return table


def _build(ds_id: str, spec: Any, raw: dict[str, _Table], specs: Any,
           entities: Mapping[str, Entity], specs_path: Path) -> Dataset:
    table = raw[ds_id]
    values = dict(table.values)
    estimates_after = dict(table.estimates_after)
    codes = list(table.codes)
    method = _aggregate(ds_id, spec, raw, specs, specs_path)
    groups = [e for e in entities.values() if e.is_group]
    for group in groups:
        if method == "none" or not all(m in table.codes for m in group.members):
            continue  # a group is computed only when every member has a row in this file
        # where the group's values (and so its estimate status) come from
        sources = [raw[d] for d in spec["aggregate"]["ratio"]] if method == "ratio" else [table]
        for year in sorted(_years(sources)):
            value = _group_value(method, spec, group, year, table, raw)
            if value is not None:
                values[(group.code, year)] = value
        lasts = [t.estimates_after[m] for t in sources for m in group.members
                 if m in t.estimates_after]
        if lasts:  # a group value is an estimate as soon as one member's is
            estimates_after[group.code] = min(lasts)
        codes.append(group.code)

    for code, rule in (spec.get("derived") or {}).items():
        op, operands = _derived_rule(ds_id, code, rule, spec, codes, entities, specs_path)
        for year in sorted({y for _, y in values}):
            parts = [values.get((c, year)) for c in operands]
            if None in parts:
                continue
            values[(code, year)] = (_exact_sum([parts[0]] + [-p for p in parts[1:]])
                                    if op == "difference" else _exact_sum(parts))
        codes.append(code)

    return Dataset(
        id=ds_id, title=spec["title"].strip(), title_en=str(spec.get("title_en", "")).strip(),
        unit=spec["unit"], scale=spec["scale"], decimals=spec.get("decimals", 1),
        source=spec["source"].strip(), source_ar=spec["source_ar"].strip(),
        file=str(table.path), values=MappingProxyType(values),
        estimates_after=MappingProxyType(estimates_after),
        indicator=str(spec.get("indicator", "")), release=str(spec.get("release", "")),
        aggregate=method, codes=tuple(codes))


def _years(tables: list[_Table]) -> set[int]:
    return {y for t in tables for _, y in t.values}


def _aggregate(ds_id: str, spec: Any, raw: dict[str, _Table], specs: Any,
               specs_path: Path) -> str:
    """The aggregate method's name, after checking that it fits the dataset's unit."""
    agg = spec.get("aggregate", "none")
    line = spec.line_of("aggregate")
    if agg in ("sum", "mean", "none"):
        if agg == "sum" and spec["unit"] in NON_ADDITIVE_UNITS:
            raise SourceError(f"'aggregate: sum' adds up {spec['unit']} values, which means "
                              "nothing; use mean, weighted_mean or ratio", file=specs_path, line=line,
                              key=ds_id)
        return agg
    if isinstance(agg, dict) and set(agg) == {"weighted_mean"}:
        _check_ref(agg["weighted_mean"], ds_id, raw, specs_path, line)
        return "weighted_mean"
    if isinstance(agg, dict) and "ratio" in agg and set(agg) <= {"ratio", "factor"}:
        pair = agg["ratio"]
        if not isinstance(pair, list) or len(pair) != 2:
            raise SourceError("'ratio' needs two dataset ids: [numerator, denominator]",
                              file=specs_path, line=line, key=ds_id)
        for ref in pair:
            _check_ref(ref, ds_id, raw, specs_path, line)
            if specs[ref]["unit"] in NON_ADDITIVE_UNITS:
                raise SourceError(f"ratio: '{ref}' is in {specs[ref]['unit']}, which cannot be "
                                  "summed over a group", file=specs_path, line=line, key=ds_id)
        factor = agg.get("factor", 1)
        if not isinstance(factor, (int, float)) or isinstance(factor, bool) or factor == 0:
            raise SourceError("'factor' must be a non-zero number", file=specs_path, line=line,
                              key=ds_id)
        return "ratio"
    raise SourceError("aggregate must be sum, mean, none, {weighted_mean: <dataset>} or "
                      "{ratio: [<dataset>, <dataset>], factor: <number>}", file=specs_path,
                      line=line, key=ds_id)


def _check_ref(ref: Any, ds_id: str, raw: dict[str, _Table], specs_path: Path,
               line: int | None) -> None:
    if ref not in raw:
        raise SourceError(f"unknown dataset '{ref}' (known: {', '.join(sorted(raw))})",
                          file=specs_path, line=line, key=ds_id)


def _group_value(method: str, spec: Any, group: Entity, year: int, table: _Table,
                 raw: dict[str, _Table]) -> float | None:
    """One group value, or None when a member lacks a value (a partial sum would mislead)."""
    def member_values(t: _Table) -> list[float] | None:
        found = [t.values.get((m, year)) for m in group.members]
        return None if None in found else found

    if method == "ratio":
        num_id, den_id = spec["aggregate"]["ratio"]
        num, den = member_values(raw[num_id]), member_values(raw[den_id])
        if num is None or den is None or math.fsum(den) == 0:
            return None
        return math.fsum(num) / math.fsum(den) * spec["aggregate"].get("factor", 1)
    own = member_values(table)
    if own is None:
        return None
    if method == "sum":
        return _exact_sum(own)
    if method == "mean":
        return math.fsum(own) / len(own)
    weights = member_values(raw[spec["aggregate"]["weighted_mean"]])
    if weights is None or math.fsum(weights) == 0:
        return None
    return math.fsum(v * w for v, w in zip(own, weights)) / math.fsum(weights)


def _exact_sum(values: list[float]) -> float:
    """The sum as the files' decimal numbers add up: 1.61 − 0.43 is 1.18, not 1.1800000000000002."""
    return float(sum((Decimal(repr(v)) for v in values), Decimal(0)))


def _derived_rule(ds_id: str, code: Any, rule: Any, spec: Any, codes: list[str],
                  entities: Mapping[str, Entity], specs_path: Path) -> tuple[str, list[str]]:
    line = spec["derived"].line_of(code) if hasattr(spec["derived"], "line_of") else None
    if code not in entities:
        raise SourceError(f"derived row '{code}' needs a name: add it to data/entities.yaml",
                          file=specs_path, line=line, key=ds_id)
    if code in codes:
        raise SourceError(f"derived row '{code}' is also a row of the data file; remove one",
                          file=specs_path, line=line, key=ds_id)
    if (not isinstance(rule, dict) or len(rule) != 1
            or next(iter(rule)) not in ("difference", "sum")):
        raise SourceError(f"derived row '{code}' must be {{difference: [a, b]}} or "
                          "{sum: [a, b, …]}", file=specs_path, line=line, key=ds_id)
    op, operands = next(iter(rule.items()))
    if op == "sum" and spec["unit"] in NON_ADDITIVE_UNITS:
        raise SourceError(f"derived row '{code}' adds up {spec['unit']} values",
                          file=specs_path, line=line, key=ds_id)
    if (not isinstance(operands, list) or len(operands) < 2
            or (op == "difference" and len(operands) != 2)):
        needs = "two rows [a, b] (a − b)" if op == "difference" else "two or more rows"
        raise SourceError(f"derived row '{code}': {op} needs {needs}",
                          file=specs_path, line=line, key=ds_id)
    for operand in operands:
        if operand not in codes:
            raise SourceError(f"derived row '{code}': '{operand}' is not a row of this dataset",
                              file=specs_path, line=line, key=ds_id)
    return op, operands
