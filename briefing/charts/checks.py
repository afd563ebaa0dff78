"""What the charts stage would refuse, found without drawing: ``--check`` and the build's first
step run :func:`check_chart` on every figure, so a chart the build cannot draw fails in
``--check`` too, before any drawing (and before matplotlib warns about missing glyphs).

The drawing code calls the same functions (:func:`drawn_text`, :func:`check_drawable`,
:func:`check_pie_values`), so the two can not drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..data.geography import read_countries
from ..errors import SourceError
from ..numerals import localize_typed_digits, part_digits
from . import shaping as at
from .render import chart_data, map_file


def drawn_text(text: str, lang: str, digits: str) -> str:
    """The logical string a chart draws for ``text``: in an Arabic chart with Arabic-Indic digits,
    those digits and the Arabic percent sign ٪; with Western digits «%», as the prose prints them
    (briefing/directions.py; the chart style's fallback font draws «%», which the Arabic chart
    font lacks)."""
    text = localize_typed_digits(str(text), part_digits(digits, lang))
    if lang == "ar" and digits == "arabic-indic":
        text = text.replace("%", "\u066a")
    return text


def check_drawable(text: str, fonts: tuple[Path, ...], spec, where: str) -> None:
    """A SourceError naming the figure's spec file and ``where`` (the key the text comes from)
    if none of the chart fonts ``fonts`` (a font and its fallback) has a character of ``text``."""
    missing = at.missing_chars(text, fonts[0])
    for fallback in fonts[1:]:
        missing = [c for c in missing if at.missing_chars(c, fallback)]
    if missing:
        names = [font.name for font in fonts]
        names = " or ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
        raise SourceError(f"the chart font {names} cannot draw {at.describe_chars(missing)} "
                          f"in {where} «{text}»; rephrase without these characters",
                          file=spec.file, key=where)


def check_pie_values(spec, values: Sequence[float]) -> None:
    """Slices are shares of a positive whole: no negative value, and a total above zero."""
    if any(v < 0 for v in values):
        raise SourceError(f"a {spec.chart} chart cannot show negative values: choose a dataset or "
                          "year without them, or another chart kind", file=spec.file, key="data")
    if sum(values) <= 0:
        raise SourceError(f"a {spec.chart} chart needs values above zero", file=spec.file,
                          key="data")


def expand_codes(store, codes: tuple[str, ...], spec, key: str) -> tuple[list[str], str | None]:
    """Country codes for a highlight/context list (group codes expand to their members), and the
    name of the group when the list is exactly one group."""
    out: list[str] = []
    group_name = None
    for code in codes:
        ent = store.entities.get(code)
        if ent is not None and ent.is_group:
            out += list(ent.members)
            if len(codes) == 1:
                group_name = code
        else:
            out.append(code)
    if group_name is None:
        for gcode, ent in sorted(store.entities.items()):
            if ent.is_group and set(ent.members) == set(out):
                group_name = gcode
                break
    return out, group_name


def map_countries(spec, store, geography: Path) -> tuple[dict, list[str], list[str]]:
    """The outlines (code → Country) and the highlighted and context codes (groups expanded);
    SourceError for a bad outlines file or a code it lacks."""
    countries = read_countries(geography)
    highlight, _ = expand_codes(store, spec.highlight, spec, "highlight")
    context, _ = expand_codes(store, spec.context, spec, "context")
    for key, codes in (("highlight", highlight), ("context", context)):
        for code in codes:
            if code not in countries:
                raise SourceError(f"country '{code}' is not in the map outlines {geography.name}",
                                  file=spec.file, key=key)
    return countries, highlight, context


def check_chart(spec, store, style, lang: str, digits: str) -> None:
    """Raise the SourceError drawing ``spec`` in a part of language ``lang`` would raise for its
    data, its labels (every name, year, legend and unit line, against the chart fonts) or, for a
    map, its outlines file - without drawing."""
    if lang == "en":
        digits = "western"  # as build_figure: English parts print Western digits
    regular, bold = style.fonts(lang), style.fonts(lang, "bold")
    labels = [(style.get("estimate", "label", lang, default="Projections"), "legend")]
    if spec.chart == "map":
        countries, highlight, context = map_countries(spec, store, map_file(spec))
        entities = [store.entities[c] for c in highlight + context if c in store.entities]
        labels += [(e.en if lang == "en" else e.ar, "map") for e in entities]
    else:
        data = chart_data(spec, store, style, lang)
        if spec.chart in ("pie", "donut"):
            check_pie_values(spec, data.series[0].values)
        labels += [(c, "years" if data.x_is_time else "entities") for c in data.categories]
        labels += [(s.name, "legend") for s in data.series] + [(data.unit, "axis_title")]
    for text, where in labels:
        text = drawn_text(text, lang, digits)
        for font in (regular, bold):
            check_drawable(text, font, spec, where)
