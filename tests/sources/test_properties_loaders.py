"""Property tests of every loader: random YAML (manifest, figure and table specifications,
datasets, entities), random CSV and random GeoJSON may only give a checked edition or one
located :class:`SourceError` (issue 14) - never another exception, which would reach the editor as
"internal error". Loading and checking only (``--check``): nothing is drawn.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from briefing.build import check
from briefing.charts.checks import map_countries
from briefing.data.geography import read_countries
from briefing.errors import SourceError
from briefing.sources.figures import read_chart_spec
from paths import MINI

FAST = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

KEYS = ["title", "date", "parts", "file", "lang", "caption", "chart", "data", "years", "entities",
        "rows", "columns", "header", "year", "population", "gdp", "KAZ", "ar", "en", "members",
        "groups", "unit", "scale", "decimals", "aggregate", "highlight", "x", "\u202e", "<<"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True), st.text(max_size=12), st.sampled_from(KEYS),
                    st.dates(), st.sampled_from(["2023-02-30", "1-999999999", "[]", "{}", "~"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=20)
yaml_texts = st.one_of(values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
                       st.text(max_size=200))


def _located(error: SourceError, file: Path) -> None:
    assert error.file is not None and str(error).strip()
    assert "Traceback" not in str(error)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return tmp_path_factory.mktemp("loaders") / "mini"


def _fresh(edition: Path) -> Path:
    shutil.rmtree(edition, ignore_errors=True)
    shutil.copytree(MINI, edition)
    return edition


@pytest.mark.parametrize("relative", ["edition.yaml", "figures/population-chart.yaml",
                                      "tables/indicators.yaml", "data/datasets.yaml",
                                      "data/entities.yaml", "data/population.csv"])
@FAST
@given(text=yaml_texts)
@example(text="date: 2023-02-30\n")  # the inputs that were internal errors before issue 14
@example(text='title: "\\x00"\nrows: []\n')
@example(text="a: " + "[" * 5000 + "]" * 5000 + "\n")
def test_any_yaml_or_csv_gives_a_checked_edition_or_a_located_error(edition, relative, text):
    path = _fresh(edition) / relative
    if relative.endswith(".csv"):
        text = "code,estimates_after,2021,2022\n" + text
    path.write_text(text, encoding="utf-8")
    try:
        check(edition)
    except SourceError as error:
        _located(error, path)


features = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.fixed_dictionaries({
    "type": st.sampled_from(["Feature", "Point"]),
    "properties": st.one_of(st.none(), st.fixed_dictionaries(
        {"code": st.sampled_from(["KAZ", "KGZ", 1])})),
    "geometry": st.one_of(st.none(), st.fixed_dictionaries({
        "type": st.sampled_from(["Polygon", "MultiPolygon", "Point"]),
        "coordinates": st.recursive(st.floats(-200, 200) | st.integers(),
                                    lambda inner: st.lists(inner, max_size=4), max_leaves=12)}))}))
geojson = st.one_of(st.fixed_dictionaries({"type": st.just("FeatureCollection"),
                                           "features": st.lists(features, max_size=3)}),
                    values)


@FAST
@given(doc=geojson)
@example(doc=[])
@example(doc={"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
    "code": "KAZ"}, "geometry": {"type": "Polygon", "coordinates": [[[1, 2, 3]]]}}]})
def test_any_geojson_gives_outlines_or_a_located_error(tmp_path_factory, doc):
    folder = tmp_path_factory.mktemp("map")
    path = folder / "map.geojson"
    path.write_text(json.dumps(doc, default=str), encoding="utf-8")
    spec_path = folder / "locator.yaml"
    spec_path.write_text("caption: x\nchart: map\nhighlight: [KAZ]\n", encoding="utf-8")
    try:
        countries = read_countries(path)
    except SourceError as error:
        _located(error, path)
        return
    assert countries and all(c.polygons is not None for c in countries.values())
    from briefing.data.store import load_data

    try:
        map_countries(read_chart_spec(spec_path), load_data(MINI), path)
    except SourceError as error:
        _located(error, spec_path)
