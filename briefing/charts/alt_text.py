"""A chart's alternative text: what it shows, with its numbers, for a reader who cannot see it.

Charts are drawn as paths, so a screen reader has nothing of them but this text (PDF/UA-1,
ISO 14289-1 §7.3: a figure's ``/Alt``; WCAG 2.1 SC 1.1.1). Decided once, when an edition is loaded
(:func:`describe_figures`), in the language and digits of the part that places the figure; the PDF
writes it as the ``<img alt>`` WeasyPrint tags as the figure's ``/Alt``, Word as ``wp:docPr descr``.

The text is the label, the editor's ``alt:`` (or the caption) as its lead sentence, the unit, then
the values as the chart prints them, series by series:
«شكل 3: الناتج المحلي الإجمالي، 2022م (مليار دولار أميركي). كازاخستان 225.8، أوزبكستان 80.4، …»;
a locator map names the countries it highlights and those it shows for context.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

from .. import model as m
from ..errors import SourceError
from ..numerals import format_number, localize_digits
from ..sources.figures import ChartSpec
from .checks import expand_codes
from .render import ChartData, ChartStyle, chart_data

# «، » between values and «؛ » between series in Arabic; «, » and «; » in English
_SEPARATORS = {"ar": ("، ", "؛ "), "en": (", ", "; ")}
_ESTIMATES = {"ar": "تقديرات أو توقعات: ", "en": "Estimates or projections: "}
# a map's two sets of countries: the highlighted ones (dark) and those shown for context (light)
_MAP_SETS = {"ar": ("الدول المميزة باللون الداكن: ", "وباللون الفاتح: "),
             "en": ("Highlighted: ", "shown for context: ")}
_ALL_ESTIMATES = {"ar": "كل القيم تقديرات أو توقعات.", "en": "All values are estimates or projections."}


def localized(data: ChartData, digits: str) -> ChartData:
    """The chart data with its years (categories, or series names) in ``digits``, as the chart
    prints them; names of countries and groups are left as they are."""
    if digits == "western":
        return data
    if data.x_is_time:
        return dataclasses.replace(
            data, categories=tuple(localize_digits(c, digits) for c in data.categories))
    return dataclasses.replace(data, series=tuple(
        dataclasses.replace(s, name=localize_digits(s.name, digits)) for s in data.series))


def data_sentence(data: ChartData, lang: str, digits: str) -> str:
    """The values of ``data`` as one sentence: «كازاخستان 225.8، أوزبكستان 80.4»; several series,
    or a series over years, each led by its name («2021: …؛ 2022: …»); then the categories (years
    or names, or a whole series) whose values are estimates or projections, when some are."""
    data = localized(data, digits)
    sep, listing = _SEPARATORS[lang]
    parts = []
    for s in data.series:
        values = sep.join(f"{c} {format_number(v, data.decimals, digits)}"
                          for c, v in zip(data.categories, s.values))
        parts.append(f"{s.name}: {values}" if len(data.series) > 1 or data.x_is_time else values)
    sentence = listing.join(parts) + "."
    flags = [e for s in data.series for e in s.estimate]
    if all(flags):
        sentence += " " + _ALL_ESTIMATES[lang]
    elif any(flags):
        estimated = []  # a series all of whose values are estimates by its name («2023»)
        for s in data.series:
            if all(s.estimate):
                estimated.append(s.name)
            else:
                named = len(data.series) > 1 and not data.x_is_time
                estimated += [f"{s.name} {c}" if named else c
                              for c, e in zip(data.categories, s.estimate) if e]
        sentence += " " + _ESTIMATES[lang] + sep.join(dict.fromkeys(estimated)) + "."
    return sentence


def map_sentence(spec: ChartSpec, store, lang: str) -> str:
    """The countries a locator map highlights and those it shows for context, by name (groups
    are expanded to their members, as the map colours them)."""
    sep, listing = _SEPARATORS[lang]
    sets = []
    for words, codes in zip(_MAP_SETS[lang], (spec.highlight, spec.context)):
        codes = expand_codes(store, codes, spec, "")[0]
        names = [(e.en if lang == "en" else e.ar) if (e := store.entities.get(c)) else c
                 for c in codes]
        if names:
            sets.append(words + sep.join(names))
    return listing.join(sets) + "." if sets else ""


def figure_alt(figure: m.Figure, lead: str, data: ChartData | str | None, part: m.Part) -> str:
    """The whole alternative text of ``figure`` as ``part`` prints it; ``data`` is a chart's data,
    a map's sentence (:func:`map_sentence`) or None (label and lead only)."""
    label = f"{figure.label}: " if figure.label else ""
    lead = lead.strip().rstrip(".")
    if not isinstance(data, ChartData):
        return f"{label}{lead}." + (f" {data}" if data else "")
    unit = f" ({data.unit})" if data.unit else ""
    return f"{label}{lead}{unit}. {data_sentence(data, part.lang, part.digits)}"


def describe_figures(book: m.Book, charts: Mapping[str, ChartSpec], store,
                     style: ChartStyle, lenient: bool = False) -> m.Book:
    """The book with every figure's ``alt`` made by :func:`figure_alt` from its chart's data.
    Raises :class:`SourceError` (naming the specification) for data the chart lacks, unless
    ``lenient`` (the comparison of two editions), where such a figure keeps its lead only."""
    def parts():
        for part in book.parts:
            def describe(node):
                if not isinstance(node, m.Figure) or node.id not in charts:
                    return node
                spec = charts[node.id]
                data = map_sentence(spec, store, part.lang) if spec.chart == "map" else None
                if spec.chart != "map":
                    try:
                        data = chart_data(spec, store, style, part.lang)
                    except SourceError:
                        if not lenient:
                            raise
                return dataclasses.replace(node, alt=figure_alt(node, node.alt, data, part))
            yield m.transform(part, describe)

    return dataclasses.replace(book, parts=tuple(parts()))
