"""Numbers in the prose, bound to the data: ``{{ value("gdp", "CA", 2022) }}`` instead of digits.

In: a part's Markdown text and the edition's data. Out: the same text with every expression
replaced by its formatted value, so next year's data changes the sentences with it. Expressions run
in Jinja's sandbox with only the functions below: no attribute access to Python internals, no
files, no network. A missing value is an error naming the text file and line, never a blank.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import difflib
import functools
import hashlib
import inspect
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg

from ..data.store import SCALES, DataStore
from ..errors import SourceError
from ..fonts import USER_CACHE, prune_user_cache
from ..numerals import format_number, format_percent, format_year, localize_digits, unit_words
from . import dates
from .limits import (MAX_MEMORY, LimitExceeded, bounded_evaluation, bounded_output, check_argument,
                     year_range)

_TEMPLATE_NAME = "<prose>"
_CODE_FILES = frozenset({"<template>", _TEMPLATE_NAME})  # the code Jinja compiles templates to


MISSING = "[?]"  # printed for a missing value in lenient rendering (comparison reports only)


@dataclass(frozen=True)
class ProseContext:
    """What an expression may read: the data, the book's language, digit style and year.

    ``cite`` (optional) is called with every value an expression reads, for the editions report;
    with ``lenient`` a missing value is reported to ``cite`` (with ``missing=True``) and printed
    as «[?]» instead of stopping, so that a report can list every missing value at once.
    """

    data: DataStore
    lang: str
    digits: str
    reference_year: int | None = None
    cite: Callable[..., None] | None = None
    lenient: bool = False
    variables: Mapping[str, Any] = field(default_factory=dict)
    edition_date: dt.date | None = None  # ``date:`` of edition.yaml, for the date expressions

    def functions(self) -> dict[str, Any]:
        """The vocabulary editors write with (documented in docs/sources.md and README.md)."""
        return {
            "value": self.value, "total": self.total, "share": self.share, "ratio": self.ratio,
            "growth": self.growth, "largest": self.largest, "smallest": self.smallest,
            "largest_value": self.largest_value, "smallest_value": self.smallest_value,
            "max_year": self.max_year, "min_year": self.min_year,
            "rank": self.rank, "name": self.name, "year": self.year, "number": self.number,
            "percent": self.percent, "raw": self.raw, "reference_year": self.reference_year,
            **dates.functions(self),  # edition_date(), release(…), latest_year(…) …
            **self.variables,
        }

    # -- values
    def raw(self, dataset: str, entity: str, year: int) -> float:
        """The unformatted value, for arithmetic inside an expression."""
        year = _whole(year, "year")
        line = _frame_line()
        try:
            found = self.data.value(dataset, entity, year)
        except SourceError as exc:
            if not self.lenient or "unknown" in exc.message:
                ds = self.data.datasets.get(dataset)
                where = f" (dataset '{dataset}', {ds.file})" if ds is not None else ""
                raise SourceError(f"{exc.message}{where}") from None
            if self.cite is not None:
                self.cite(dataset, entity, year, line, missing=True)
            return math.nan
        if self.cite is not None:
            self.cite(dataset, entity, year, line, missing=False)
        return found

    def number(self, x: float, decimals: int = 0) -> str:
        x = float(x)
        if math.isnan(x):
            return MISSING
        return format_number(x, _whole(decimals, "decimals"), self.digits)

    def percent(self, x: float, decimals: int = 0) -> str:
        """A computed percentage, e.g. ``percent(raw(…) / 1146.5 * 100, 2)`` → «0.27%»."""
        x = float(x)
        return MISSING if math.isnan(x) else format_percent(x, _whole(decimals, "decimals"),
                                                            self.digits)

    def value(self, dataset: str, entity: str, year: int, decimals: int | None = None,
              unit: bool = False, scale: str | None = None) -> str:
        """A value as the book prints it: the dataset's decimals unless told, optionally in
        another scale (``scale="million"`` for a dataset in billions) and with its unit words."""
        return self._format(dataset, self.raw(dataset, entity, year), decimals, unit, scale)

    def total(self, dataset: str, entities: Sequence[str], year: int, decimals: int | None = None,
              unit: bool = False, scale: str | None = None) -> str:
        if isinstance(entities, str):
            entities = [entities]
        return self._format(dataset, math.fsum(self.raw(dataset, e, year) for e in entities),
                            decimals, unit, scale)

    def share(self, dataset: str, part: str | Sequence[str], whole: str, year: int,
              decimals: int = 0) -> str:
        """``part`` (one code or a list, added up) as a percentage of ``whole``."""
        parts = [part] if isinstance(part, str) else list(part)
        top = math.fsum(self.raw(dataset, p, year) for p in parts)
        return self.percent(_divide(top, self.raw(dataset, whole, year)) * 100, decimals)

    def ratio(self, dataset: str, a: str, b: str, year: int, decimals: int = 0) -> str:
        """``a`` as a percentage of ``b`` (Central Asia's GDP is 19 % of the GCC's)."""
        return self.share(dataset, a, b, year, decimals)

    def growth(self, dataset: str, entity: str, start: int, end: int, decimals: int = 1) -> str:
        """Percentage change from ``start`` to ``end``."""
        first, last = self.raw(dataset, entity, start), self.raw(dataset, entity, end)
        return self.percent((_divide(last, first) - 1) * 100, decimals)

    # -- members of a group
    def _ranked(self, dataset: str, group: str, year: int) -> list[str]:
        members = self.data.entity(group).members
        if not members:
            raise SourceError(f"'{group}' is not a group of data/entities.yaml")
        values = {code: self.raw(dataset, code, year) for code in members}
        known = [code for code in members if not math.isnan(values[code])]
        return sorted(known, key=lambda code: values[code], reverse=True) or [members[0]]

    def largest(self, dataset: str, group: str, year: int) -> str:
        """The name of the group's member with the largest value."""
        return self.name(self._ranked(dataset, group, year)[0])

    def smallest(self, dataset: str, group: str, year: int) -> str:
        return self.name(self._ranked(dataset, group, year)[-1])

    def largest_value(self, dataset: str, group: str, year: int, decimals: int | None = None,
                      unit: bool = False, scale: str | None = None) -> str:
        """The value of the member that :meth:`largest` names."""
        code = self._ranked(dataset, group, year)[0]
        return self.value(dataset, code, year, decimals, unit, scale)

    def smallest_value(self, dataset: str, group: str, year: int, decimals: int | None = None,
                       unit: bool = False, scale: str | None = None) -> str:
        code = self._ranked(dataset, group, year)[-1]
        return self.value(dataset, code, year, decimals, unit, scale)

    def rank(self, dataset: str, entity: str, group: str, year: int) -> str:
        """1 for the group's largest value."""
        return localize_digits(str(self._ranked(dataset, group, year).index(entity) + 1),
                               self.digits)

    # -- years
    def max_year(self, dataset: str, entity: str, first: int, last: int) -> int:
        """The year from ``first`` to ``last`` in which ``entity`` had its highest value (the
        earliest if tied); a number, for ``value(…, max_year(…))`` and ``year(max_year(…))``."""
        return self._extreme_year(dataset, entity, first, last, max)

    def min_year(self, dataset: str, entity: str, first: int, last: int) -> int:
        return self._extreme_year(dataset, entity, first, last, min)

    def _extreme_year(self, dataset, entity, first, last, pick) -> int:
        years = year_range(_whole(first, "first"), _whole(last, "last"))
        if not years:
            raise SourceError(f"no years from {first} to {last}")
        values = {y: self.raw(dataset, entity, y) for y in years}
        known = [y for y in years if not math.isnan(values[y])] or list(years)
        return pick(known, key=lambda y: values[y])

    # -- words
    def name(self, entity: str) -> str:
        found = self.data.entity(entity)
        return found.ar if self.lang == "ar" else found.en

    def year(self, year: int | None = None) -> str:
        """A year as the book writes it: «2022م» in Arabic."""
        year = self.reference_year if year is None else year
        if year is None:
            raise SourceError("year() needs a year, or reference_year in edition.yaml")
        return format_year(_whole(year, "year"), self.lang, self.digits)

    def _format(self, dataset: str, x: float, decimals: int | None, unit: bool,
                scale: str | None) -> str:
        ds = self.data.dataset(dataset)
        if scale is not None and scale != ds.scale:
            if scale not in SCALES:
                raise SourceError(f"unknown scale '{scale}' (use one of: {', '.join(SCALES)})")
            x = x * SCALES[ds.scale] / SCALES[scale]
        scale = scale or ds.scale
        text = self.number(x, ds.decimals if decimals is None else decimals)
        if not unit or text == MISSING:
            return text
        words = unit_words(ds.unit, scale, self.lang)
        if words == "%":
            return self.percent(x, ds.decimals if decimals is None else decimals)
        return f"{text} {words}" if words else text


def _whole(x: Any, what: str) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or x != int(x):
        raise SourceError(f"{what} must be a whole number, not {x!r}")
    return int(x)


def _divide(a: float, b: float) -> float:
    if b == 0:
        raise SourceError("division by zero: the denominator's value is 0")
    return a / b


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (no ``__class__``, ``__globals__`` …, no changing lists in place), also
    refusing arithmetic, text functions and filters that would exhaust memory or time at once
    (``10 ** 10 ** 10``, ``"x" * 10 ** 9``, ``"x"|center(10**9)``); what remains is bounded by
    :func:`briefing.sources.limits.bounded_evaluation`."""

    intercepted_binops = frozenset({"**", "*"})

    def __init__(self, **options):
        super().__init__(**options)
        self.filters = {name: _checked(name, f) for name, f in self.filters.items()}

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 100:
            raise jinja2.exceptions.SecurityError("exponent too large")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, (str, list, tuple)) and isinstance(b, int) and b * len(a) > 10**5:
                    raise jinja2.exceptions.SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        if isinstance(getattr(__obj, "__self__", None), str):  # "x".center(10**9), "x".zfill(…)
            check_argument(__obj.__name__, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _checked(name: str, function):
    """The filter ``function`` with its width/count arguments bounded (:func:`check_argument`);
    the value filtered (and the environment or context Jinja passes first to some) is not."""
    skip = 2 if _PassArg.from_obj(function) else 1

    @functools.wraps(function)  # also keeps Jinja's pass_context/pass_environment mark
    def checked(*args, **kwargs):
        check_argument(name, args[skip:], kwargs)
        return function(*args, **kwargs)
    return checked


# Jinja's "{#" comments would swallow the "{#id}" of headings: comments get their own marks.
_ENV = _Sandbox(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
                comment_start_string="{##", comment_end_string="##}")
del _ENV.globals["lipsum"]  # placeholder text, not for a book; lipsum(10**5) runs for minutes
_HAS_EXPRESSION = re.compile(r"\{[{%]|\{##")
# the code Jinja compiles a text to depends on Jinja and on the sandbox's options (this module)
_CODE_VERSION = hashlib.sha256(Path(__file__).read_bytes()
                               + jinja2.__version__.encode("utf-8")).hexdigest()[:16]


@functools.cache
def _bytecode_cache():
    """Jinja's bytecode cache in the user's cache (its files written whole, then renamed), or
    None where that folder cannot be made."""
    from jinja2.bccache import FileSystemBytecodeCache

    folder = USER_CACHE / "expressions"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        prune_user_cache(folder, COMPILED_KEPT)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


# compiled texts the cache keeps (one per file and line of each edition built, ~6 kB each)
COMPILED_KEPT = 2000


def _template(text: str, where: str) -> jinja2.Template:
    """``_ENV.from_string(text)``, the code Jinja compiles the text to kept in Jinja's bytecode
    cache, in the user's cache as Python keeps its own (compiling an edition's texts and
    captions is a fifth of what ``--check`` takes): one entry per place a text comes from
    (``where``: file and line), compiled again when the text there changes. Raises what
    compiling raises."""
    cache = _bytecode_cache()
    if cache is None:
        return _ENV.from_string(text)
    bucket = cache.get_bucket(_ENV, f"{_CODE_VERSION}|{where}", None, text)  # and its checksum
    if bucket.code is None:
        bucket.code = _ENV.compile(text)
        try:
            cache.set_bucket(bucket)
        except OSError:  # best effort: a read-only home only costs the time saved
            pass
    return _ENV.template_class.from_code(_ENV, bucket.code, _ENV.make_globals(None))


def render_prose(text: str, file: Path, context: ProseContext, first_line: int = 1) -> str:
    """The text with its expressions evaluated; errors name the file and the expression's line.

    ``first_line`` is the file line of the text's first line (a caption inside a YAML file)."""
    if not _HAS_EXPRESSION.search(text):
        return text
    shift = first_line - 1

    def line(n):
        return None if n is None else n + shift

    template = None
    try:
        with bounded_evaluation(_CODE_FILES) as trace:  # compiling folds "x"|center(…) too
            template = _template(text, f"{file}:{first_line}")
            template.name = template.filename = _TEMPLATE_NAME
            token = _RENDERING.set(template)
            try:
                return bounded_output(template.generate(context.functions()))
            finally:
                _RENDERING.reset(token)
    except (LimitExceeded, MemoryError, RecursionError) as exc:
        message = {MemoryError: f"the expressions need more than {MAX_MEMORY // 2**20} MB of "
                                "memory: look for a very long text or list they build",
                   RecursionError: "the expressions nest too deep: look for a macro that calls "
                                   "itself"}.get(type(exc), str(exc))
        at = _template_line()
        if at is None and template is not None and trace.code_line is not None:
            at = template.get_corresponding_lineno(trace.code_line)  # the last line run
        raise SourceError(message, file=file, line=line(at)) from None
    except jinja2.TemplateSyntaxError as exc:
        raise SourceError(f"in a {{{{ … }}}} expression: {exc.message}", file=file,
                          line=line(exc.lineno)) from None
    except SourceError as exc:
        raise SourceError(exc.message, file=file, line=line(_template_line())) from None
    except jinja2.exceptions.SecurityError as exc:
        raise SourceError(f"not allowed in an expression: {exc}", file=file,
                          line=line(_template_line())) from None
    except TypeError as exc:
        raise SourceError(f"in a {{{{ … }}}} expression: {_call_error(exc, context)}", file=file,
                          line=line(_template_line())) from None
    except jinja2.UndefinedError as exc:
        name = re.match(r"'(\w+)' is undefined", str(exc))
        close = difflib.get_close_matches(name[1], list(context.functions()), n=1) if name else []
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SourceError(f"in a {{{{ … }}}} expression: {exc}{hint}", file=file,
                          line=line(_template_line())) from None
    except (ValueError, ZeroDivisionError, OverflowError, ArithmeticError) as exc:
        raise SourceError(f"in a {{{{ … }}}} expression: {exc}", file=file,
                          line=line(_template_line())) from None


def _call_error(exc: TypeError, context: ProseContext) -> str:
    """A wrong call in the editor's words: the function's name as written in the text, the
    keyword meant, and the keywords it takes ("value() has no keyword 'decimal' (did you mean
    decimals?); it takes: dataset, entity, year, decimals, unit, scale")."""
    message = str(exc)
    match = re.search(r"(\w+)\(\) (.*)", message)
    function = context.functions().get(match[1]) if match else None
    if function is None or not callable(function):
        return re.sub(r"\b[A-Z]\w*\.(?=\w+\(\))", "", message)  # no internal class names
    params = [p for p in inspect.signature(function).parameters]
    wrong = re.search(r"unexpected keyword argument '(\w+)'", message)
    if wrong:
        close = difflib.get_close_matches(wrong[1], params, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return (f"{match[1]}() has no keyword '{wrong[1]}'{hint}; it takes: "
                f"{', '.join(params)}")
    return f"{match[1]}() {match[2]}; it takes: {', '.join(params)}"


def render_field(text: str, file: Path, context: ProseContext, key: str = "caption") -> str:
    """A YAML specification's text field (a caption) rendered like prose; errors name the line of
    ``key:`` in ``file``."""
    if not _HAS_EXPRESSION.search(text):
        return text
    first = 1
    try:
        for n, row in enumerate(Path(file).read_text(encoding="utf-8").splitlines(), start=1):
            if re.match(rf"\s*{re.escape(key)}\s*:", row):
                first = n
                break
    except OSError:
        pass
    return render_prose(text, file, context, first_line=first)


_RENDERING: contextvars.ContextVar[jinja2.Template | None] = contextvars.ContextVar(
    "rendering", default=None)


def _frame_line() -> int | None:
    """The template line being rendered now (for citations), from the call stack."""
    template = _RENDERING.get()
    frame = sys._getframe(1)
    while frame is not None and template is not None:
        if frame.f_code.co_filename in ("<template>", _TEMPLATE_NAME):
            return template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return None


def _template_line() -> int | None:
    """The template line being rendered when the current exception was raised."""
    tb = sys.exc_info()[2]
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_NAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
