"""Order that follows the data: ``sort: descending|ascending`` in figures and data tables.

A categorical chart (``x: entities``) or a data table listed in value order (GDP per head, trade
openness) must stay in order when next year's data changes the values, so the order is computed,
not typed. Countries are ordered by their value (the last year a chart shows; the table's first
column, or the column named by ``sort_by``); groups (Central Asia, the GCC: the ``groups`` of
data/entities.yaml) keep their place after the countries, in the order written, as a total row
does. Equal values and entities without a value keep the written order, the latter last.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import SourceError

SORTS = ("descending", "ascending")


def check_sort(value: Any, path: Path, line: int | None = None) -> str | None:
    """The ``sort`` value of a specification (None when absent); raises SourceError if unknown."""
    if value is None:
        return None
    if value not in SORTS:
        raise SourceError(f"sort must be {' or '.join(SORTS)} (largest or smallest value first), "
                          f"not {value!r}; leave it out to keep the order written", file=path,
                          line=line, key="sort")
    return value


def order(codes: Sequence[str], value_of: Callable[[str], float | None], sort: str | None,
          is_group: Callable[[str], bool]) -> tuple[str, ...]:
    """``codes`` in the order ``sort`` asks for (unchanged when ``sort`` is None)."""
    if sort is None:
        return tuple(codes)
    members = [c for c in codes if not is_group(c)]
    groups = [c for c in codes if is_group(c)]
    if not members:  # a chart of groups only: the groups are what is ordered
        members, groups = groups, []
    sign = -1 if sort == "descending" else 1

    def key(code: str):
        value = value_of(code)
        return (value is None, 0 if value is None else sign * value)
    return tuple(sorted(members, key=key)) + tuple(groups)
