"""Numbers in the prose, bound to the data: ``{{ value("gdp", "CA", 2022) }}`` instead of digits.

In: a part's Markdown text and the edition's data. Out: the same text with every expression
replaced by its formatted value, so next year's data changes the sentences with it. Expressions run
in Jinja's sandbox with only the functions below: no attribute access to Python internals, no
files, no network. A missing value is an error naming the text file and line, never a blank.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .data import DataStore
from .errors import SourceError
from .numbers import format_number, localize_digits, unit_words

_TEMPLATE_NAME = "<prose>"


@dataclass(frozen=True)
class ProseContext:
    """What an expression may read: the data, the book's language, digit style and year."""

    data: DataStore
    lang: str
    digits: str
    reference_year: int | None = None

    def functions(self) -> dict[str, Callable]:
        """The vocabulary editors write with (documented in docs/sources.md)."""
        return {
            "value": self.value, "total": self.total, "share": self.share, "ratio": self.ratio,
            "growth": self.growth, "largest": self.largest, "smallest": self.smallest,
            "rank": self.rank, "name": self.name, "year": self.year, "number": self.number,
            "raw": self.raw, "reference_year": self.reference_year,
        }

    # -- values
    def raw(self, dataset: str, entity: str, year: int) -> float:
        """The unformatted value, for arithmetic inside an expression."""
        return self.data.value(dataset, entity, int(year))

    def number(self, x: float, decimals: int = 0) -> str:
        return format_number(float(x), int(decimals), self.digits)

    def value(self, dataset: str, entity: str, year: int, decimals: int | None = None,
              unit: bool = False) -> str:
        ds = self.data.dataset(dataset)
        text = self.number(self.raw(dataset, entity, year),
                           ds.decimals if decimals is None else decimals)
        return self._with_unit(text, ds.unit, ds.scale) if unit else text

    def total(self, dataset: str, entities: Sequence[str], year: int, decimals: int | None = None,
              unit: bool = False) -> str:
        ds = self.data.dataset(dataset)
        text = self.number(sum(self.raw(dataset, e, year) for e in entities),
                           ds.decimals if decimals is None else decimals)
        return self._with_unit(text, ds.unit, ds.scale) if unit else text

    def share(self, dataset: str, part: str, whole: str, year: int, decimals: int = 0) -> str:
        """``part`` as a percentage of ``whole`` (e.g. a country's share of its group)."""
        return self._percent(self.raw(dataset, part, year) / self.raw(dataset, whole, year) * 100,
                             decimals)

    def ratio(self, dataset: str, a: str, b: str, year: int, decimals: int = 0) -> str:
        """``a`` as a percentage of ``b`` (Central Asia's GDP is 19 % of the GCC's)."""
        return self.share(dataset, a, b, year, decimals)

    def growth(self, dataset: str, entity: str, start: int, end: int, decimals: int = 1) -> str:
        """Percentage change from ``start`` to ``end``."""
        first, last = self.raw(dataset, entity, start), self.raw(dataset, entity, end)
        return self._percent((last / first - 1) * 100, decimals)

    # -- members of a group
    def _ranked(self, dataset: str, group: str, year: int) -> list[str]:
        members = self.data.entity(group).members
        if not members:
            raise SourceError(f"'{group}' is not a group of data/entities.yaml")
        return sorted(members, key=lambda code: self.raw(dataset, code, year), reverse=True)

    def largest(self, dataset: str, group: str, year: int) -> str:
        return self.name(self._ranked(dataset, group, year)[0])

    def smallest(self, dataset: str, group: str, year: int) -> str:
        return self.name(self._ranked(dataset, group, year)[-1])

    def rank(self, dataset: str, entity: str, group: str, year: int) -> str:
        """1 for the group's largest value."""
        return localize_digits(str(self._ranked(dataset, group, year).index(entity) + 1),
                               self.digits)

    # -- words
    def name(self, entity: str) -> str:
        found = self.data.entity(entity)
        return found.ar if self.lang == "ar" else found.en

    def year(self, year: int | None = None) -> str:
        """A year as the book writes it: «2022م» in Arabic."""
        year = self.reference_year if year is None else year
        if year is None:
            raise SourceError("year() needs a year, or reference_year in edition.yaml")
        return localize_digits(str(int(year)), self.digits) + ("م" if self.lang == "ar" else "")

    def _percent(self, x: float, decimals: int) -> str:
        return self.number(x, decimals) + "%"

    def _with_unit(self, text: str, unit: str, scale: str) -> str:
        words = unit_words(unit, scale, self.lang)
        if words == "%":
            return text + "%"
        return f"{text} {words}" if words else text


# Jinja's "{#" comments would swallow the "{#id}" of headings: comments get their own marks.
_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False,
                            keep_trailing_newline=True, comment_start_string="{##",
                            comment_end_string="##}")
_HAS_EXPRESSION = re.compile(r"\{[{%]|\{##")


def render_prose(text: str, file: Path, context: ProseContext) -> str:
    """The text with its expressions evaluated; errors name the file and the expression's line."""
    if not _HAS_EXPRESSION.search(text):
        return text
    try:
        template = _ENV.from_string(text)
        template.name = template.filename = _TEMPLATE_NAME
        return template.render(context.functions())
    except jinja2.TemplateSyntaxError as exc:
        raise SourceError(f"in a {{{{ … }}}} expression: {exc.message}", file=file,
                          line=exc.lineno) from None
    except SourceError as exc:
        raise SourceError(exc.message, file=file, line=_template_line()) from None
    except jinja2.exceptions.SecurityError as exc:
        raise SourceError(f"not allowed in an expression: {exc}", file=file,
                          line=_template_line()) from None
    except (jinja2.UndefinedError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise SourceError(f"in a {{{{ … }}}} expression: {exc}", file=file,
                          line=_template_line()) from None


def _template_line() -> int | None:
    """The template line being rendered when the current exception was raised."""
    tb = sys.exc_info()[2]
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_NAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
