"""Figure specifications: ``figures/<id>.yaml`` → a checked :class:`ChartSpec`.

In: one YAML file per figure, as the editor wrote it (see docs/sources.md, "Figures").
Out: a frozen :class:`ChartSpec`; any fault is a :class:`~briefing.errors.SourceError` naming the
file and the key. What the chart shows (its numbers) is computed later by the charts stage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..data.ordering import check_sort
from ..errors import SourceError
from .files import check_keys, read_yaml
from .limits import LimitExceeded, year_range

CHART_KINDS = ("bar", "barh", "stacked", "line", "bar-line", "pie", "donut", "map")
SPEC_KEYS = {"caption", "numbering", "chart", "data", "x", "entities", "years", "lines",
             "value_labels", "axis_title", "source", "alt", "highlight", "context", "sort"}

@dataclass(frozen=True)
class ChartSpec:
    """One figure, as the editor wrote it in ``figures/<id>.yaml``."""

    id: str
    file: Path
    caption: str
    chart: str
    numbering: str = "figure"
    data: str | None = None
    x: str = "entities"
    entities: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    lines: tuple[str, ...] = ()
    value_labels: bool = False
    axis_title: str | None = None
    source: str | None = None
    alt: str | None = None
    sort: str | None = None  # order of the entities by value (briefing/data/ordering.py)
    highlight: tuple[str, ...] = ()
    context: tuple[str, ...] = ()

    def fingerprint(self) -> dict:
        d = asdict(self)
        d.pop("file")
        return d


def _years(value: Any, file: Path) -> tuple[int, ...]:
    def bad() -> SourceError:
        return SourceError(f"years must be a list of years or a range like \"2015-2028\", not "
                           f"{value!r}", file=file, key="years")

    if isinstance(value, int):
        return (value,)
    if isinstance(value, str):
        parts = value.replace("–", "-").split("-")
        if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
            a, b = int(parts[0]), int(parts[1])
            if a > b:
                raise bad()
            try:
                return tuple(year_range(a, b))
            except LimitExceeded as exc:
                raise SourceError(f"years \"{value}\": {exc}", file=file, key="years") from None
        if value.strip().isdigit():
            return (int(value),)
        raise bad()
    if isinstance(value, list) and value:
        out = []
        for v in value:
            if isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit()):
                out.append(int(v))
            else:
                raise bad()
        return tuple(out)
    raise bad()


def _codes(value: Any, file: Path, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SourceError(f"{key} must be a list of entity codes", file=file, key=key)
    return tuple(value)


def read_chart_spec(path: Path) -> ChartSpec:
    """Read and check ``figures/<id>.yaml``; the figure's id is the file name without .yaml."""
    path = Path(path)
    raw = read_yaml(path)
    check_keys(raw, path, SPEC_KEYS, required=("caption", "chart"),
               what="a figure specification (a list of 'key: value' lines)")
    kind = raw["chart"]
    if kind not in CHART_KINDS:
        raise SourceError(f"unknown chart kind '{kind}' (known: {', '.join(CHART_KINDS)})",
                          file=path, key="chart")
    numbering = raw.get("numbering", "figure")
    if numbering not in ("figure", "image"):
        raise SourceError("numbering must be 'figure' or 'image'", file=path, key="numbering")
    for key in ("caption", "axis_title", "source", "alt"):
        if key in raw and raw[key] is not None and not isinstance(raw[key], str):
            raise SourceError(f"'{key}' must be text", file=path, key=key)
    if not isinstance(raw.get("value_labels", False), bool):
        raise SourceError("value_labels must be true or false", file=path, key="value_labels")
    common = dict(id=path.stem, file=path, caption=raw["caption"].strip(), chart=kind,
                  numbering=numbering, axis_title=raw.get("axis_title"), source=raw.get("source"),
                  alt=raw.get("alt"), value_labels=raw.get("value_labels", False))
    if kind == "map":
        for key in ("data", "x", "entities", "years", "lines"):
            if key in raw:
                raise SourceError(f"a map takes highlight and context, not '{key}'", file=path, key=key)
        if "highlight" not in raw:
            raise SourceError("a map needs 'highlight: [codes]'", file=path, key="highlight")
        return ChartSpec(**common, highlight=_codes(raw["highlight"], path, "highlight"),
                         context=_codes(raw.get("context", []), path, "context") if raw.get("context") else ())
    for key in ("highlight", "context"):
        if key in raw:
            raise SourceError(f"'{key}' is only for maps", file=path, key=key)
    for key in ("data", "entities", "years"):
        if key not in raw:
            raise SourceError(f"'{key}' is required for a {kind} chart", file=path, key=key)
    if not isinstance(raw["data"], str):
        raise SourceError("data must be a dataset id", file=path, key="data")
    x = raw.get("x", "entities")
    if x not in ("entities", "years"):
        raise SourceError("x must be 'entities' or 'years'", file=path, key="x")
    entities = _codes(raw["entities"], path, "entities")
    years = _years(raw["years"], path)
    lines = _codes(raw["lines"], path, "lines") if raw.get("lines") else ()
    if lines and kind != "bar-line":
        raise SourceError("'lines' is only for bar-line charts", file=path, key="lines")
    if kind == "bar-line":
        if not lines:
            raise SourceError("a bar-line chart needs 'lines: [codes]'", file=path, key="lines")
        if x != "years":
            raise SourceError("a bar-line chart needs x: years", file=path, key="x")
        for code in lines:
            if code not in entities:
                raise SourceError(f"line '{code}' is not among the entities", file=path, key="lines")
    if kind in ("pie", "donut"):
        if x != "entities":
            raise SourceError(f"a {kind} chart shows entities as slices: x must be 'entities'",
                              file=path, key="x")
        if len(years) != 1:
            raise SourceError(f"a {kind} chart shows one year", file=path, key="years")
    sort = check_sort(raw.get("sort"), path)
    if sort and x != "entities":
        raise SourceError("sort orders the entities along the axis: it needs x: entities (years "
                          "are always in time order)", file=path, key="sort")
    return ChartSpec(**common, data=raw["data"], x=x, entities=entities, years=years, lines=lines,
                     sort=sort)
