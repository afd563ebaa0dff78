"""Annual editions: next year's edition from this year's, the numbers check, the comparison report.

Three tools for the editors' yearly cycle (README, "Annual editions"):

- :func:`new_edition` copies an edition folder to a new one, moves ``reference_year`` and the date,
  shifts the years of the figure, table and import specifications by as many years, and points
  ``data/import.yaml`` at the new IMF / World Bank downloads. The old edition is not touched.
- :func:`check_numbers` lists digits typed by hand in the text that equal a value of the edition's
  data (at the precision they are printed with): each should be an expression, so that next year's
  data changes it. ``typed-numbers.yaml`` in the edition lists the numbers kept typed on purpose,
  each with its reason.
- :func:`compare` reports what changes from one edition to another: data values (old → new),
  sentences whose numbers changed, figures and tables whose data changed, and, as errors, every
  value the new edition's text cites that its data does not have (file:line).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import re
import shutil
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Iterable

from .. import model as m
from ..data.store import DataStore, load_data
from ..errors import SourceError
from ..numerals import format_number
from ..sources.expressions import ProseContext, render_prose
from ..sources.files import read_text, read_yaml
from ..sources.loading import MANIFEST, Edition, load_edition, read_manifest
from . import nextyear

ALLOW_LIST = "typed-numbers.yaml"

# ------------------------------------------------------------------------------- new edition


def new_edition(source: Path, target: Path, year: int | None = None,
                date: dt.date | None = None, files: dict[str, str] | None = None,
                raw: Path | None = None, shift_typed: bool = False) -> list[str]:
    """Create ``target`` from ``source``; returns notes for the editor, ending with the steps
    left to do (briefing/editions/nextyear.py: the downloads are checked before anything is written, the
    years the new edition asks for against the downloads' year columns after).

    ``year`` is the new reference year (default: the old one + 1); every year in the figure and
    table specifications and in ``data/import.yaml`` moves by as many years. ``files`` maps an
    import source (``weo``, ``wdi``) to its new download under ``--raw``: a file (every dataset of
    that source reads it), or a folder ending in ``/`` (each World Bank dataset takes the
    ``API_<series>_DS2_*.csv`` file found there, when ``raw`` is given, else keeps its file name).
    Figures and table columns of hand-typed datasets (not in ``data/import.yaml``) keep their
    years unless ``shift_typed``.
    """
    source, target = Path(source), Path(target)
    _meta, _entries, old_year = read_manifest(source)  # the source must be a valid edition
    if target.exists():
        raise SourceError("the new edition's folder already exists; choose another name or "
                          "delete it", file=target)
    if old_year is None and year is None:
        raise SourceError("the edition has no reference_year: give --year", file=source / MANIFEST)
    year = int(year if year is not None else old_year + 1)
    delta = year - old_year if old_year is not None else 0
    notes: list[str] = []
    nextyear.check_downloads(source, files or {}, raw)
    typed = set() if shift_typed else nextyear.hand_typed(source)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    try:
        manifest = target / MANIFEST
        text = read_text(manifest)
        text, n = re.subn(r"(?m)^(reference_year:\s*)\d{4}", rf"\g<1>{year}", text)
        if not n:
            text = re.sub(r"(?m)^(date:.*)$", rf"\1\nreference_year: {year}", text, count=1)
        old_date = read_yaml(source / MANIFEST)["date"]
        new_date = date or _shift_date(old_date, delta)
        text = re.sub(r"(?m)^(date:\s*)\d{4}-\d{2}-\d{2}", rf"\g<1>{new_date.isoformat()}", text)
        manifest.write_text(text, encoding="utf-8")
        if delta:
            for spec in sorted((target / "figures").glob("*.yaml")):
                if _yaml_key(spec, "data") not in typed:
                    _shift_years_in(spec, delta, r"^\s*years\s*:.*$")
            keep = "|".join(re.escape(t) for t in sorted(typed)) or "(?!)"
            for spec in sorted((target / "tables").glob("*.yaml")):  # one column per line
                _shift_years_in(spec, delta, r"^(?!.*\bdata\s*:\s*(?:" + keep
                                + r")\b).*\byear\s*:\s*\d{4}.*$")
        import_yaml = target / "data" / "import.yaml"
        if import_yaml.is_file():
            _rewrite_import(import_yaml, delta, files or {}, raw, notes)
        elif files:
            raise SourceError("the edition has no data/import.yaml to point at new files",
                              file=import_yaml)
        for spec in sorted((target / "figures").glob("*.yaml")) + sorted(
                (target / "tables").glob("*.yaml")):
            in_caption = re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)",
                                    _without_expressions(_yaml_caption(spec)))
            if in_caption and delta:
                notes.append(f"{spec.relative_to(target)}: the caption types the year(s) "
                             f"{', '.join(in_caption)}; write {{{{ year(first_year) }}}} … so that "
                             "it follows the data")
        problems = nextyear.year_problems(target, raw)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # no half-made edition left behind
        raise
    notes.append(f"reference year {old_year} → {year}; date {old_date} → {new_date}")
    typed_years = {}
    for ds_id in sorted(typed):
        shown = sorted({y for spec in nextyear.shown(target) if spec.dataset == ds_id
                        for y in spec.years})
        typed_years[ds_id] = nextyear.span(shown) if shown else "no figure or table"
    notes += [f"to fix: {p}" for p in problems]
    return notes + nextyear.steps_left(source, target, raw, typed, typed_years, problems)


def _yaml_key(path: Path, key: str):
    try:
        doc = read_yaml(path)
    except SourceError:
        return None
    return doc.get(key) if isinstance(doc, dict) else None


def _shift_date(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def _shift_years_in(path: Path, delta: int, pattern: str) -> None:
    """Every four-digit year inside the matches of ``pattern`` (one line each) moves by delta."""
    text = read_text(path)

    def shift(match: re.Match) -> str:
        return re.sub(r"(?<!\d)((?:19|20)\d\d)(?!\d)", lambda y: str(int(y.group(1)) + delta),
                      match.group(0))
    path.write_text(re.sub(pattern, shift, text, flags=re.M), encoding="utf-8")


def _rewrite_import(path: Path, delta: int, files: dict[str, str], raw: Path | None,
                    notes: list[str]) -> None:
    doc = read_yaml(path)
    datasets = doc.get("datasets") or {}
    known = {spec.get("from") for spec in datasets.values() if isinstance(spec, dict)}
    for name in files:
        if name not in known:
            raise SourceError(f"no dataset of data/import.yaml comes from '{name}' (sources: "
                              f"{', '.join(sorted(str(k) for k in known))})", file=path)
    lines = read_text(path).split("\n")
    for ds_id, spec in datasets.items():
        line = datasets.line_of(ds_id)
        if line is None or not isinstance(spec, dict):
            continue
        end = line  # the dataset's entry runs until the next line at its indentation or less
        indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
        while end < len(lines) and (not lines[end].strip()
                                    or len(lines[end]) - len(lines[end].lstrip()) > indent):
            end += 1
        block = "\n".join(lines[line - 1:end])
        if delta:
            block = re.sub(r"(\byears\s*:\s*)(\[[^\]]*\]|[^,}\n]+)",
                           lambda m: m.group(1) + re.sub(
                               r"(?<!\d)((?:19|20)\d\d)(?!\d)",
                               lambda y: str(int(y.group(1)) + delta), m.group(2)), block)
        new = files.get(spec.get("from"))
        if new:
            chosen = _new_file(new, str(spec.get("series", "")), str(spec.get("file", "")), raw)
            block = re.sub(r"(\bfile\s*:\s*)([^,}\n]+)", lambda m: m.group(1) + chosen, block,
                           count=1)
            notes.append(f"data/import.yaml: {ds_id} now reads {chosen}")
        lines[line - 1:end] = block.split("\n")
    path.write_text("\n".join(lines), encoding="utf-8")


def _new_file(new: str, series: str, old: str, raw: Path | None) -> str:
    if not new.endswith("/"):
        return new
    if raw is not None:
        found = nextyear.wdi_file(Path(raw) / new, series)
        if found:
            return f"{new}{found.name}"
    return f"{new}{Path(old).name}"


def _yaml_caption(path: Path) -> str:
    try:
        doc = read_yaml(path)
    except SourceError:
        return ""
    return str(doc.get("caption", "")) if isinstance(doc, dict) else ""


# ------------------------------------------------------------------------------- the numbers check

#: a number as an editor types it: 5,210 · 405.7 · 0.37 · ٥٬٢١٠ · ٤٠٥٫٧
_NUMBER = re.compile(r"(?<![0-9٠-٩A-Za-z.,٫٬_/-])"
                     r"((?:[0-9٠-٩]{1,3}(?:[,٬][0-9٠-٩]{3})+|[0-9٠-٩]+)(?:[.٫][0-9٠-٩]+)?)"
                     r"(?![0-9٠-٩A-Za-z]|[.,٫٬][0-9٠-٩])")
_TO_WESTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩٫٬", "0123456789.,")
#: what the check does not read: expressions, ids, references, footnote marks, links, list numbers
_NOT_PROSE = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{##.*?##\}|\{#[^}\n]*\}|\[\[[^\]\n]*\]\]|\[\^[^\]\n]*\]"
    r"|\]\([^)\n]*\)|<https?://[^>\s]*>|https?://\S+|(?m:^[ \t]*\d+[.)](?=[ \t]))", re.S)
_SCALE_WORDS = {"مليار": "billion", "مليون": "million", "ألف": "thousand",
                "billion": "billion", "million": "million", "thousand": "thousand"}


@dataclass(frozen=True)
class TypedNumber:
    """A number typed in the text that equals a data value."""

    file: str
    line: int
    text: str  # as typed
    matches: tuple[tuple[str, str, int], ...]  # (dataset, entity, year), best first
    suggestion: str

    def __str__(self) -> str:
        dataset, entity, year = self.matches[0]
        more = f" (and {len(self.matches) - 1} other values)" if len(self.matches) > 1 else ""
        return (f"{self.file}:{self.line}: «{self.text}» is typed but equals {dataset} {entity} "
                f"{year}{more}: write {self.suggestion}, or list it in {ALLOW_LIST} with a reason")


@dataclass(frozen=True)
class NumbersCheck:
    found: tuple[TypedNumber, ...]
    allowed: tuple[str, ...]  # allow-list entries that were used
    stale: tuple[str, ...]    # allow-list entries that no longer match anything typed
    # typed numbers the book prints otherwise than typed (docs/conventions.md), as notes
    corrected: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.found

    def text(self) -> str:
        lines = [str(f) for f in self.found]
        lines += [f"note: {ALLOW_LIST}: «{s}» no longer appears typed; remove the entry"
                  for s in self.stale]
        lines += [f"note: {c}" for c in self.corrected]
        lines.append(f"{len(self.found)} hand-typed number(s) equal a data value"
                     + (f"; {len(self.allowed)} kept typed on purpose ({ALLOW_LIST})"
                        if self.allowed else ""))
        return "\n".join(lines)


def _without_expressions(text: str) -> str:
    """The text with everything that is not typed prose blanked out (lines and columns kept)."""
    return _NOT_PROSE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def typed_numbers(text: str) -> Iterable[tuple[int, str, str | None, bool]]:
    """(line, number as typed, context, is_year) for each number typed in a text.

    Context is "percent" (followed by %), a scale (followed by مليار, مليون …) or None."""
    plain = _without_expressions(text)
    for match in _NUMBER.finditer(plain):
        typed = match.group(1)
        if plain[max(0, match.start() - 1):match.start()] in ("€", "£"):
            continue  # euros and pounds: no dataset of the book is in them
        after = plain[match.end():match.end() + 12].lstrip(" \u00a0")
        western = typed.translate(_TO_WESTERN)
        is_year = (re.fullmatch(r"(19|20)\d\d", western) is not None
                   or after.startswith(("م", "هـ")) and re.fullmatch(r"\d{4}", western) is not None)
        context = None
        if after[:1] in ("%", "٪") or after.startswith(("في المائة", "percent", "per cent")):
            context = "percent"
        else:
            for word, scale in _SCALE_WORDS.items():
                if after.startswith(word):
                    context = scale
                    break
        yield plain.count("\n", 0, match.start()) + 1, typed, context, is_year


def check_numbers(edition_dir: Path) -> NumbersCheck:
    """Every number typed in the edition's text that equals a value of its data."""
    root = Path(edition_dir)
    _meta, entries, reference_year = read_manifest(root)
    data = load_data(root)
    allow = _allow_list(root)
    used: set[tuple[str, str]] = set()
    found: list[TypedNumber] = []
    index = _ValueIndex(data, reference_year)
    for entry in entries:
        rel = entry.file.relative_to(root).as_posix()
        for line, typed, context, is_year in typed_numbers(read_text(entry.file)):
            if is_year:
                continue
            matches = index.matches(typed, context)
            if not matches:
                continue
            if (rel, typed) in allow:
                used.add((rel, typed))
                continue
            found.append(TypedNumber(rel, line, typed, tuple(matches),
                                     index.suggest(typed, matches[0])))
    stale = tuple(f"{f}: {n}" for f, n in sorted(set(allow) - used)
                  if not _still_typed(root / f, n))
    corrected = tuple(f"{entry.file.relative_to(root).as_posix()}:{note}"
                      for entry in entries for note in convention_notes(read_text(entry.file)))
    return NumbersCheck(tuple(found), tuple(f"{f}: {n}" for f, n in sorted(used)), stale,
                        corrected)


#: a typed sign the book prints otherwise (docs/conventions.md): a hyphen-minus before a number,
#: a space before the percent sign
_OFF_CONVENTION = re.compile(r"(?<![\w.,٫٬/-])-[0-9٠-٩][0-9٠-٩.,٫٬]*(?: ?[%٪])?"
                             r"|[0-9٠-٩][0-9٠-٩.,٫٬]* [%٪]")


def convention_notes(text: str) -> Iterable[str]:
    """«line: what is typed, what the book prints, and the fix» for each number of a text typed
    against the book's sign convention: the book corrects it (U+2212 for a hyphen-minus sign, no
    space before %), so these are notes for editors who want the sources as printed."""
    plain = _without_expressions(text)
    for match in _OFF_CONVENTION.finditer(plain):
        typed = match.group(0)
        printed = re.sub("^-", "\u2212", typed).replace(" %", "%").replace(" ٪", "٪")
        line = plain.count("\n", 0, match.start()) + 1
        why = " and ".join(reason for reason, applies in (
            ("the minus sign U+2212", typed.startswith("-")),
            ("no space before the percent sign", " " in typed)) if applies)
        yield (f"{line}: «{typed}» is printed «{printed}» ({why}, docs/conventions.md); type "
               f"«{printed}» to keep the text as printed")


def _still_typed(path: Path, number: str) -> bool:
    try:
        return any(t == number for _, t, _, _ in typed_numbers(read_text(path)))
    except SourceError:
        return False


def _allow_list(root: Path) -> dict[tuple[str, str], str]:
    """``typed-numbers.yaml``: ``[{file: text/…md, number: "1,146.5", reason: …}, …]``."""
    path = root / ALLOW_LIST
    if not path.is_file():
        return {}
    doc = read_yaml(path)
    entries = doc.get("numbers") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise SourceError("expected 'numbers:' and a list of {file, number, reason}", file=path)
    allow = {}
    for item in entries:
        if (not isinstance(item, dict) or set(item) != {"file", "number", "reason"}
                or not str(item.get("reason") or "").strip()):
            raise SourceError("each entry needs exactly file, number and a non-empty reason",
                              file=path, line=getattr(item, "line", None))
        allow[(str(item["file"]), str(item["number"]))] = str(item["reason"])
    return allow


class _ValueIndex:
    """The data values a typed number may duplicate, by the unit its words give it."""

    def __init__(self, data: DataStore, reference_year: int | None):
        self.data = data
        self.reference_year = reference_year

    def _candidates(self, context: str | None):
        for ds in self.data.datasets.values():
            if context == "percent" and ds.unit not in ("percent", "percent_of_gdp"):
                continue
            if context in ("billion", "million", "thousand") and ds.scale != context:
                continue
            groups = [c for c in ds.codes if self.data.entities.get(c) is not None
                      and self.data.entities[c].is_group]
            for (entity, year), value in sorted(
                    ds.values.items(), key=lambda kv: (kv[0][0] not in groups,
                                                       abs(kv[0][1] - (self.reference_year or 0)))):
                yield ds, entity, year, value

    def matches(self, typed: str, context: str | None) -> list[tuple[str, str, int]]:
        western = typed.translate(_TO_WESTERN).replace(",", "")
        decimals = len(western.split(".")[1]) if "." in western else 0
        digits = len(western.replace(".", "").lstrip("0"))
        # a whole number of one or two digits (5, 19, 45) equals some value of almost any
        # dataset: it counts only with a scale word (10 مليار) and for the book's own years
        if decimals == 0 and digits < 3 and context not in ("billion", "million", "thousand"):
            return []
        years = None
        if decimals == 0 and digits < 3 and self.reference_year is not None:
            years = {self.reference_year, self.reference_year - 1}
        target = Decimal(western)
        quantum = Decimal(1).scaleb(-decimals)
        found = []
        for ds, entity, year, value in self._candidates(context):
            if years is not None and year not in years:
                continue
            if value == 0 or math.isnan(value):
                continue
            if abs(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)) == target:
                found.append((ds.decimals != decimals, ds.id, entity, year))
        # best first: a dataset printed with as many decimals as typed (stable otherwise)
        return [m[1:] for m in sorted(found, key=lambda m: m[0])]

    def suggest(self, typed: str, match: tuple[str, str, int]) -> str:
        dataset, entity, year = match
        ds = self.data.dataset(dataset)
        western = typed.translate(_TO_WESTERN)
        decimals = len(western.split(".")[1]) if "." in western else 0
        when = str(year)
        if self.reference_year is not None and abs(year - self.reference_year) <= 5:
            offset = year - self.reference_year
            when = "reference_year" + (f" {'+' if offset > 0 else '-'} {abs(offset)}"
                                       if offset else "")
        extra = f", decimals={decimals}" if decimals != ds.decimals else ""
        return f'{{{{ value("{dataset}", "{entity}", {when}{extra}) }}}}'


# ------------------------------------------------------------------------------- comparison


@dataclass
class Comparison:
    old: Path
    new: Path
    values: list[str] = field(default_factory=list)
    unchanged_when_printed: int = 0
    sentences: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        out = [f"# Comparing {self.old} → {self.new}", ""]
        sections = [("Data values changed (old → new)", self.values),
                    ("Sentences whose numbers changed", self.sentences),
                    ("Figures whose data or caption changed", self.figures),
                    ("Tables whose cells or caption changed", self.tables),
                    ("Notes", self.notes),
                    ("Errors: the new edition cannot be built as it stands", self.errors)]
        for title, items in sections:
            out.append(f"## {title} ({len(items)})")
            out.extend(f"- {item}" for item in items)
            if title.startswith("Data") and self.unchanged_when_printed:
                out.append(f"- ({self.unchanged_when_printed} other values changed only beyond "
                           "the printed decimals)")
            out.append("")
        return "\n".join(out).rstrip() + "\n"


@dataclass(frozen=True)
class _Side:
    root: Path
    entries: tuple
    reference_year: int | None
    digits: str
    data: DataStore
    date: dt.date | None = None
    edition: Edition | None = None  # the loaded book (None: it cannot be loaded, see errors)


def _side(root: Path, errors: list[str]) -> _Side:
    """One edition, read as the build reads it (leniently: a missing value prints «[?]» and is
    listed in ``errors``), for the comparison of its figures and tables."""
    root = Path(root)
    meta, entries, reference_year = read_manifest(root)

    parts = {entry.file for entry in entries}  # their cites are reported line by line apart

    def missing(dataset, entity, year, file, line):
        message = (f"{file}:{line}: cites {dataset} {entity} {year}, which the data does not "
                   "have")
        if file not in parts and message not in errors:
            errors.append(message)
    try:
        edition = load_edition(root, missing=missing)
    except SourceError as exc:
        errors.append(f"the edition cannot be loaded: {exc}")
        edition = None
    return _Side(root, entries, reference_year, meta.digits, load_data(root), meta.date,
                 edition)


def compare(old_dir: Path, new_dir: Path) -> Comparison:
    """What changes in the book from ``old_dir`` to ``new_dir`` (each an edition folder). Both
    are loaded into the model; figures and tables are compared as each book prints them, in the
    language of the part that places them."""
    report = Comparison(Path(old_dir), Path(new_dir))
    old, new = _side(old_dir, []), _side(new_dir, report.errors)
    _compare_values(old, new, report)
    _compare_text(old, new, report)
    _compare_figures(old, new, report)
    _compare_tables(old, new, report)
    return report


def _fmt(data: DataStore, ds_id: str, value: float | None) -> str:
    if value is None:
        return "(none)"
    return format_number(value, data.dataset(ds_id).decimals)


def _compare_values(old: _Side, new: _Side, report: Comparison) -> None:
    for ds_id in sorted(set(old.data.datasets) | set(new.data.datasets)):
        a, b = old.data.datasets.get(ds_id), new.data.datasets.get(ds_id)
        if a is None or b is None:
            report.values.append(f"{ds_id}: dataset {'added' if a is None else 'removed'}")
            continue
        if a.release != b.release or a.source != b.source:
            report.notes.append(f"{ds_id}: source {a.release or a.source} → "
                                f"{b.release or b.source}")
        for key in sorted(set(a.values) | set(b.values)):
            va, vb = a.values.get(key), b.values.get(key)
            if va == vb:
                continue
            fa, fb = _fmt(old.data, ds_id, va), _fmt(new.data, ds_id, vb)
            if fa == fb:
                report.unchanged_when_printed += 1
                continue
            report.values.append(f"{ds_id} {key[0]} {key[1]}: {fa} → {fb}")


_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_ANY_NUMBER = re.compile(r"[0-9٠-٩][0-9٠-٩.,٫٬]*%?")


def _render_lenient(side: _Side, entry, errors: list[str]) -> list[str]:
    """The part's rendered lines (line n of the result is line n of the source)."""
    rel = entry.file.relative_to(side.root).as_posix()
    typed = nextyear.hand_typed(side.root)  # no import will bring their missing years

    def cite(dataset, entity, year, line, missing=False):
        if missing:
            ds = side.data.datasets.get(dataset)
            source = f" ({ds.file})" if ds is not None else ""
            if dataset in typed:
                source += (f": type its {year} column, or write latest_year(\"{dataset}\") for "
                           "the year the text cites (README, step 4)")
            message = (f"{side.root / rel}:{line}: the text cites {dataset} {entity} {year}, "
                       f"which the data does not have{source}")
            if message not in errors:
                errors.append(message)

    context = ProseContext(side.data, entry.lang, side.digits, side.reference_year,
                           cite=cite, lenient=True, edition_date=side.date)
    text = read_text(entry.file)
    try:
        return render_prose(text, entry.file, context).split("\n")
    except SourceError as exc:
        errors.append(str(exc))
        return text.split("\n")


def _compare_text(old: _Side, new: _Side, report: Comparison) -> None:
    old_parts = {e.file.relative_to(old.root).as_posix(): e for e in old.entries}
    discard: list[str] = []
    for entry in new.entries:
        rel = entry.file.relative_to(new.root).as_posix()
        new_lines = _render_lenient(new, entry, report.errors)
        if rel not in old_parts:
            report.notes.append(f"{rel}: a new part")
            continue
        old_entry = old_parts[rel]
        old_lines = _render_lenient(old, old_entry, discard)
        source_a = read_text(old_entry.file).split("\n")
        source_b = read_text(entry.file).split("\n")
        matcher = difflib.SequenceMatcher(None, source_a, source_b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                if tag in ("replace", "insert") and j2 > j1:
                    report.notes.append(f"{rel}:{j1 + 1}: text rewritten by the editors")
                continue
            for k in range(i2 - i1):
                a = old_lines[i1 + k] if i1 + k < len(old_lines) else ""
                b = new_lines[j1 + k] if j1 + k < len(new_lines) else ""
                if a == b:
                    continue
                for sa, sb in zip(_SENTENCE_END.split(a), _SENTENCE_END.split(b)):
                    if _ANY_NUMBER.findall(sa) != _ANY_NUMBER.findall(sb) or (
                            sa != sb and "[?]" in sb):
                        report.sentences.append(f"{rel}:{j1 + k + 1}: «{sa.strip()}» → "
                                                f"«{sb.strip()}»")


def _figure_views(side: _Side, errors: list[str]) -> dict[str, tuple[str, dict | None]]:
    """Each figure of the loaded book: (caption as printed, the data it shows in the language of
    its part; a map's specification); a figure whose data is missing is listed in ``errors``."""
    from ..build import STYLES
    from ..charts.render import chart_data, load_chart_style

    if side.edition is None:
        return {}
    style = load_chart_style(STYLES / "chart.yaml")
    views = {}
    for part, node in m.walk_with_part(side.edition.book):
        if not isinstance(node, m.Figure):
            continue
        spec = side.edition.charts[node.id]
        caption = m.plain_text(node.caption)
        if spec.chart == "map":
            views[node.id] = caption, dataclasses.asdict(
                dataclasses.replace(spec, file=Path(), caption=""))
            continue
        try:
            views[node.id] = caption, dataclasses.asdict(
                chart_data(spec, side.data, style, part.lang))
        except SourceError as exc:
            errors.append(f"figure {node.id}: {exc}")
            views[node.id] = caption, None
    return views


def _table_views(side: _Side) -> dict[str, tuple[str, list[list[str]]]]:
    """Each captioned table of the loaded book: (caption, cells) as printed."""
    if side.edition is None:
        return {}
    return {node.id: (m.plain_text(node.caption),
                      [[m.plain_text(cell) for cell in row] for row in node.rows])
            for node in m.walk(side.edition.book) if isinstance(node, m.Table) and node.id}


def _compare_views(kind: str, old_views: dict, new_views: dict, changes_of) -> list[str]:
    """"id: what changed" for every figure or table of the new book."""
    found = []
    for ident, (caption_b, content_b) in new_views.items():
        if ident not in old_views:
            found.append(f"{ident}: new {kind}")
            continue
        caption_a, content_a = old_views[ident]
        changes = [] if caption_a == caption_b else [f"caption «{caption_a}» → «{caption_b}»"]
        changes += changes_of(ident, content_a, content_b)
        if changes:
            found.append(f"{ident}: " + "; ".join(changes))
    return found


def _compare_figures(old: _Side, new: _Side, report: Comparison) -> None:
    def changes_of(ident, data_a, data_b):
        if data_a == data_b or data_b is None:
            return []
        return ["data" if data_a is None else _data_change(data_a, data_b)]
    report.figures.extend(_compare_views("figure", _figure_views(old, []),
                                         _figure_views(new, report.errors), changes_of))


def _data_change(a: dict, b: dict) -> str:
    if a.get("categories") != b.get("categories"):
        before, after = list(a.get("categories", [])), list(b.get("categories", []))
        if sorted(before) == sorted(after):
            return f"order changed: {', '.join(before)} → {', '.join(after)}"
        return f"categories {before} → {after}"
    values_a = [v for s in a.get("series", ()) for v in s.get("values", ())]
    values_b = [v for s in b.get("series", ()) for v in s.get("values", ())]
    changed = sum(1 for x, y in zip(values_a, values_b) if x != y)
    changed += abs(len(values_a) - len(values_b))
    return f"{changed} plotted value(s) changed" if changed else "labels or series changed"


def _compare_tables(old: _Side, new: _Side, report: Comparison) -> None:
    def changes_of(ident, cells_a, cells_b):
        changes = []
        names_a, names_b = [r[0] for r in cells_a or []], [r[0] for r in cells_b]
        if names_a != names_b and sorted(names_a) == sorted(names_b):
            changes.append(f"row order changed: {', '.join(names_a)} → {', '.join(names_b)}")
            by_name = {r[0]: r for r in cells_a}
            cells_a = [by_name[name] for name in names_b]  # compare each row with itself
        changes += [f"{row_b[0]}, column {k}: {x} → {y}"
                    for row_a, row_b in zip(cells_a or [], cells_b)
                    for k, (x, y) in enumerate(zip(row_a, row_b)) if x != y]
        for row in cells_b:
            if "–" in row[1:]:
                report.notes.append(f"table {ident}: no value for {row[0]} in column "
                                    f"{row.index('–')} (printed –)")
        return changes
    report.tables.extend(_compare_views("table", _table_views(old), _table_views(new), changes_of))
