"""Dates bound to the edition and to its data, and the check of dates typed by hand.

Expressions (added to the prose vocabulary of briefing/sources/expressions.py by :func:`functions`):

=============================  ================================================================
``edition_date()``             the edition's ``date:`` in words: «1 يوليو 2024م» / «1 July 2024»
``edition_month()``            its month and year: «يوليو 2024م» (a foreword's signature)
``edition_year``               its year, a number: ``year(edition_year)`` → «2024م»
``release("exports_gs")``      the release or last-updated date that the dataset's source states
                               (``release:`` in data/datasets.yaml, written by the importer):
                               «يونيو 2024م»; ``day=True`` → «28 يونيو 2024م»; a list of datasets
                               gives the latest of their dates
``latest_year("gcc_ca_trade")``  the last year the dataset has a value (for an entity, if given):
                               a number, for text on hand-typed series that are not updated yearly
=============================  ================================================================

:func:`check_dates` lists every year, month name and date typed by hand in the text and in the
captions that no expression binds, with the expression to write instead; ``typed-dates.yaml``
at the edition's root lists the ones kept typed on purpose (dates of history, quoted documents),
each with its reason — like ``typed-numbers.yaml`` for numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..errors import SourceError
from ..numerals import MONTHS, format_year, localize_digits

ALLOW_LIST = "typed-dates.yaml"
#: Month names as editors type them: the Egyptian/Gulf names the book prints, the Levantine
#: names, and English.
_LEVANT = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
           "تشرين الأول", "تشرين الثاني", "كانون الأول")
_MONTH_NUMBER = {name: i + 1 for names in (MONTHS["ar"], MONTHS["en"], _LEVANT)
                 for i, name in enumerate(names)}
_DIGIT = "[0-9٠-٩]"
_DATE = re.compile(
    rf"(?<![0-9٠-٩])(?:({_DIGIT}{{1,2}})\s+)?("
    + "|".join(sorted(map(re.escape, _MONTH_NUMBER), key=len, reverse=True))
    + rf")(?:\s+|،\s*|,\s*)({_DIGIT}{{4}})(?!{_DIGIT})\s?(?:م(?![\u0621-\u064A]))?")
_YEAR = re.compile(rf"(?<![0-9٠-٩.,٫٬])((?:19|20|١٩|٢٠){_DIGIT}{{2}})(?!{_DIGIT}|[.,٫٬]{_DIGIT})"
                   r"(?:م(?![\u0621-\u064A]))?")
_TO_WESTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


# ----------------------------------------------------------------------------- release dates


def release_date(text: str) -> tuple[dt.date, bool] | None:
    """("2026-02-24" → (date, True)), ("April 2023" → (2023-04-01, False)); None if unreadable.
    The flag says whether the source states the day."""
    text = str(text).strip()
    try:
        return dt.date.fromisoformat(text[:10]), True
    except ValueError:
        pass
    match = re.fullmatch(r"([A-Za-z]+)\s+(\d{4})", text)
    if match and match[1].capitalize() in MONTHS["en"]:
        return dt.date(int(match[2]), MONTHS["en"].index(match[1].capitalize()) + 1, 1), False
    return None


def format_date(date: dt.date, lang: str, digits: str, day: bool = True) -> str:
    """«28 يونيو 2024م» (or without the day: «يونيو 2024م»); «28 June 2024» in English."""
    month = f"{MONTHS[lang][date.month - 1]} {format_year(date.year, lang, digits)}"
    return f"{localize_digits(str(date.day), digits)} {month}" if day else month


def functions(context: Any) -> dict[str, Any]:
    """The date expressions for a :class:`briefing.prose.ProseContext` (its data, language,
    digits and ``edition_date``)."""

    def edition() -> dt.date:
        if context.edition_date is None:
            raise SourceError("this text has no edition date (date: in edition.yaml)")
        return context.edition_date

    def edition_date() -> str:
        """The edition's date: «1 يوليو 2024م»."""
        return format_date(edition(), context.lang, context.digits)

    def edition_month() -> str:
        """The edition's month and year: «يوليو 2024م»."""
        return format_date(edition(), context.lang, context.digits, day=False)

    def release(dataset: str | Sequence[str], day: bool = False) -> str:
        """The date the dataset's source states for its release or last update (the latest of
        several datasets): «يونيو 2024م», with ``day=True`` «28 يونيو 2024م»."""
        ids = [dataset] if isinstance(dataset, str) else list(dataset)
        if not ids:
            raise SourceError("release() needs a dataset id or a list of them")
        found = []
        for ds_id in ids:
            ds = context.data.dataset(ds_id)
            parsed = release_date(ds.release)
            if parsed is None:
                raise SourceError(f"dataset '{ds_id}' states no release date ({ds.file}: "
                                  f"release: {ds.release!r}); import it (python -m "
                                  "briefing.data.importing) or write release: April 2024 in "
                                  "data/datasets.yaml")
            found.append(parsed)
        date, has_day = max(found)
        if day and not has_day:
            raise SourceError(f"the source of {', '.join(ids)} states only a month "
                              f"({date:%B %Y}): drop day=True")
        return format_date(date, context.lang, context.digits, day=day)

    def latest_year(dataset: str, entity: str | None = None) -> int:
        """The last year the dataset (or one entity of it) has a value."""
        ds = context.data.dataset(dataset)
        years = [y for (e, y) in ds.values if entity is None or e == entity]
        if not years:
            raise SourceError(f"dataset '{dataset}' has no value"
                              + (f" for {entity}" if entity else ""))
        return max(years)

    date = context.edition_date
    return {"edition_date": edition_date, "edition_month": edition_month,
            "edition_year": date.year if date is not None else None,
            "release": release, "latest_year": latest_year}


# ----------------------------------------------------------------------------- the check


@dataclass(frozen=True)
class TypedDate:
    """A year, month or date typed in the text that no expression binds."""

    file: str
    line: int
    text: str
    suggestion: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: «{self.text}» is typed: {self.suggestion}"


@dataclass(frozen=True)
class DatesCheck:
    found: tuple[TypedDate, ...]
    kept: int  # typed on purpose (typed-dates.yaml)
    stale: tuple[str, ...]  # allow-list entries that match nothing any more

    @property
    def ok(self) -> bool:
        return not self.found

    def text(self) -> str:
        lines = [str(f) for f in self.found]
        lines += [f"note: {ALLOW_LIST}: {s} no longer appears typed; remove the entry"
                  for s in self.stale]
        lines.append(f"{len(self.found)} typed date(s) not bound to the edition or its data"
                     + (f"; {self.kept} kept typed on purpose ({ALLOW_LIST})" if self.kept
                        else ""))
        return "\n".join(lines)


def typed_dates(text: str) -> list[tuple[int, str, int | None, int]]:
    """(line, as typed, month or None, year) for each date and year typed in a text (outside
    expressions, references and links)."""
    from ..editions import _without_expressions  # the numbers check's notion of typed prose

    plain = _without_expressions(text)
    found = []
    taken: list[tuple[int, int]] = []
    for match in _DATE.finditer(plain):
        year = int(match[3].translate(_TO_WESTERN))
        found.append((match.start(), match.group(0).strip(), _MONTH_NUMBER[match[2]], year))
        taken.append(match.span())
    for match in _YEAR.finditer(plain):
        if any(a <= match.start() < b for a, b in taken):
            continue
        found.append((match.start(), match.group(0), None, int(match[1].translate(_TO_WESTERN))))
    return [(plain.count("\n", 0, start) + 1, typed, month, year)
            for start, typed, month, year in sorted(found)]


def check_dates(edition_dir: Path) -> DatesCheck:
    """Every date and year typed in the edition's text parts and figure and table captions that
    is not an expression and not listed in ``typed-dates.yaml``; raises SourceError for a bad
    edition or allow-list."""
    from ..data.store import load_data
    from .loading import read_manifest
    from .files import read_text, read_yaml

    root = Path(edition_dir)
    meta, entries, reference_year = read_manifest(root)
    data = load_data(root)
    allow, whole = _allow_list(root)
    used: set[tuple[str, str]] = set()
    sources = [(e.file, read_text(e.file)) for e in entries]
    for kind in ("figures", "tables"):
        for path in sorted((root / kind).glob("*.yaml")):
            doc = read_yaml(path)
            if isinstance(doc, dict) and isinstance(doc.get("caption"), str):
                line = doc.line_of("caption") or 1
                sources.append((path, "\n" * (line - 1) + doc["caption"]))
    releases = {}
    for ds in data.datasets.values():
        parsed = release_date(ds.release)
        if parsed is not None:
            releases.setdefault((parsed[0].year, parsed[0].month), ds.id)
    found = []
    kept = 0
    for path, text in sources:
        rel = path.relative_to(root).as_posix()
        for line, typed, month, year in typed_dates(text):
            if rel in whole or (rel, typed) in allow:
                used.add((rel, typed) if (rel, typed) in allow else (rel, ""))
                kept += 1
                continue
            if month is None and path.suffix == ".yaml":  # a caption: the years shown
                suggestion = ("write {{ year(first_year) }} or {{ year(last_year) }} (the "
                              "years the figure or table shows)")
            else:
                suggestion = _suggest(typed, month, year, meta.date, reference_year, releases)
            found.append(TypedDate(rel, line, typed, suggestion))
    stale = tuple(f"{f}: «{t}»" if t else f for f, t in sorted(
        set(allow) | {(f, "") for f in whole}) if (f, t) not in used)
    return DatesCheck(tuple(found), kept, stale)


def _suggest(typed: str, month: int | None, year: int, date: dt.date,
             reference_year: int | None, releases: dict[tuple[int, int], str]) -> str:
    keep = f"if it is a date of history, list it in {ALLOW_LIST} with the reason"
    if month is not None:
        if (year, month) == (date.year, date.month):
            expr = "edition_date()" if re.match(r"[0-9٠-٩]", typed) else "edition_month()"
            return f"write {{{{ {expr} }}}} (the edition's date: follows date: in edition.yaml)"
        if (year, month) in releases:
            return (f"write {{{{ release(\"{releases[(year, month)]}\") }}}} (the data's release "
                    "date: follows the imported file)")
        return ("write {{ edition_month() }} if it dates this edition, or {{ release(\"<dataset>\")"
                f" }}}} if it dates a data release; {keep}")
    if year == date.year:
        return "write {{ year(edition_year) }} (the edition's year)" + f"; {keep}"
    if reference_year is not None and abs(year - reference_year) <= 2:
        offset = year - reference_year
        when = "reference_year" + (f" {'+' if offset > 0 else '-'} {abs(offset)}" if offset
                                   else "")
        return f"write {{{{ year({when}) }}}} if it is a year of the data; {keep}"
    return keep[0].upper() + keep[1:]


def _allow_list(root: Path) -> tuple[set[tuple[str, str]], set[str]]:
    """``typed-dates.yaml``: ``dates: [{file, text, reason}, …]``; an entry without ``text``
    keeps every date of that file (a quoted document). Returns (entries, whole files)."""
    from .files import read_yaml

    path = root / ALLOW_LIST
    if not path.is_file():
        return set(), set()
    doc = read_yaml(path)
    entries = doc.get("dates") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise SourceError("expected 'dates:' and a list of {file, text, reason} (leave out text "
                          "to keep every date of a file)", file=path)
    allow, whole = set(), set()
    for item in entries:
        keys = set(item) if isinstance(item, dict) else set()
        if keys not in ({"file", "text", "reason"}, {"file", "reason"}) \
                or not str(item.get("reason") or "").strip():
            raise SourceError("each entry needs file, a non-empty reason and (to keep one date "
                              "rather than the whole file) text", file=path,
                              line=getattr(item, "line", None))
        if "text" in item:
            allow.add((str(item["file"]), str(item["text"])))
        else:
            whole.add(str(item["file"]))
    return allow, whole
