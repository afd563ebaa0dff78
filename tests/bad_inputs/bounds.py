"""Bad inputs of issue 14: duplicate YAML keys, invisible characters, impossible dates and numbers,
charts the build could not draw, expressions and ranges past their limits, tables too wide for
the page. Each is refused by the build *and* by ``--check`` (tests/test_bounds.py) with one located
error; the cases join the corpus (``CASES``) through ``bad_inputs/__init__.py``.
"""

from __future__ import annotations

from . import (ANNEX, CHART, DATASETS, ENTITIES, MANIFEST, POPULATION, REPORT, TABLE, Case, append,
               replace)

GEOJSON = "data/map.geojson"
LOCATOR = "figures/locator.yaml"
MAP_FIGURE = {LOCATOR: "caption: موقع الدول\nchart: map\nhighlight: [KAZ, KGZ]\n",
              ANNEX: append("\n[[figure:locator]]\n")}
ONE_COUNTRY = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
               '{"code": "KAZ"}, "geometry": {"type": "Polygon", "coordinates": '
               '[[[50, 40], [60, 40], [60, 50], [50, 40]]]}}]}')
YEARS_15 = "".join(f"  - {{data: gdp, year: {y}, header: '{y}'}}\n" for y in range(2014, 2029))
YEARS_40 = "".join(f"  - {{data: gdp, year: {y}, header: '{y}'}}\n" for y in range(1990, 2030))
ALIAS_BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x]"] + [
    f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]"
    for i in range(1, 9)]) + "\n"


def _gdp_years(header_years: range) -> str:
    """gdp.csv with a value for every country in every year of ``header_years``."""
    years = list(header_years)
    rows = [f"{code},{years[-1]}," + ",".join(f"{10 + i + k:.1f}" for k in range(len(years)))
            for i, code in enumerate(("KAZ", "KGZ", "UZB"))]
    return "code,estimates_after," + ",".join(map(str, years)) + "\n" + "\n".join(rows) + "\n"


BOUND_CASES: list[Case] = [
    # ---------------------------------------------------------------- YAML
    Case("yaml-duplicate-parts-key", {MANIFEST: append("parts:\n  - file: text/01-report.md\n")},
         r"edition\.yaml:14 \[parts\]", ("'parts' is written twice", "lines 9 and 14"),
         "duplicate keys in a YAML file"),
    Case("yaml-duplicate-dataset-block", {DATASETS: replace("gdp:\n  file: gdp.csv",
                                                            "population:\n  file: gdp.csv")},
         r"datasets\.yaml:12 \[population\]", ("'population' is written twice", "lines 1 and 12"),
         "duplicate keys: a copied dataset block"),
    Case("yaml-duplicate-key-in-flow-mapping", {ENTITIES: replace("en: Kazakhstan",
                                                                  "en: Kazakhstan, ar: قازاقستان")},
         r"entities\.yaml:1 \[ar\]", ("'ar' is written twice",), "duplicate keys inside {…}"),
    Case("yaml-escaped-nul", {MANIFEST: replace("title: كتيب تجريبي صغير",
                                                'title: "كتيب\\x00 تجريبي"')},
         r"edition\.yaml:2 \[title\]", ("U+0000", "escape"), "a NUL typed as an escape"),
    Case("yaml-escaped-bidi-override", {CHART: replace("caption: عدد السكان، 2021م–2022م",
                                                       'caption: "عدد \\u202E السكان"')},
         r"population-chart\.yaml:1 \[caption\]", ("direction control U+202E",),
         "a bidi override typed as an escape"),
    Case("yaml-escaped-control-in-list", {TABLE: replace("rows: [KAZ, KGZ, UZB, CA3]",
                                                         'rows: [KAZ, "KGZ\\x07", UZB]')},
         r"indicators\.yaml:3", ("U+0007",), "a control character in a list"),
    Case("yaml-alias-bomb", {DATASETS: ALIAS_BOMB}, r"datasets\.yaml:\d+",
         ("aliases", "100,000 values"), "a YAML alias bomb"),
    Case("yaml-impossible-date", {MANIFEST: replace("date: 2023-07-19", "date: 2023-02-30")},
         r"edition\.yaml:5 \[date\]", ("'2023-02-30' is not a date", "YYYY-MM-DD"),
         "an impossible date"),
    Case("yaml-date-before-1980", {MANIFEST: replace("date: 2023-07-19", "date: 1979-12-31")},
         r"edition\.yaml:5 \[date\]", ("outside 1980-2107",), "a pre-1980 date"),

    # ---------------------------------------------------------------- typed invisible characters
    Case("md-bidi-override", {ANNEX: replace("Second point.", "Second \u202e2023 point.")},
         r"02-annex\.md:8", ("direction control U+202E", "delete it"),
         "a typed bidi override (U+202E)"),
    Case("md-bidi-isolate", {REPORT: replace("## المؤشرات", "## \u2067المؤشرات")},
         r"01-report\.md:17", ("U+2067",), "a typed bidi isolate"),
    Case("md-entity-bidi-override", {ANNEX: replace("Second point.", "Second &#x202E;2023 point.")},
         r"02-annex\.md:8", ("U+202E",), "a bidi override written as an HTML entity"),
    Case("csv-bidi-embedding", {POPULATION: replace("KGZ,2019", "KGZ\u202a,2019")},
         r"population\.csv:3", ("U+202A",), "a bidi embedding in a CSV"),

    # ---------------------------------------------------------------- data and tables
    Case("csv-400-digit-number", {POPULATION: replace("19.737", "9" * 400)},
         r"population\.csv:2 \[KAZ\]", ("more than 15 digits", "larger scale"),
         "a 400-digit number in a CSV"),
    Case("table-no-rows", {TABLE: replace("rows: [KAZ, KGZ, UZB, CA3]", "rows: []")},
         r"indicators\.yaml:3 \[rows\]", ("at least one entity code",), "a table with rows: []"),
    Case("text-table-no-rows", {"tables/t2.yaml": "caption: جدول فارغ\nrows: []\n",
                                ANNEX: append("\n[[table:t2]]\n")},
         r"t2\.yaml:2 \[rows\]", ("at least one row",), "a text table with rows: []"),
    Case("table-40-year-columns", {"data/gdp.csv": _gdp_years(range(1990, 2030)),
                                   "tables/series.yaml": "caption: سلسلة\nrows: [KAZ, KGZ]\n"
                                                         "columns:\n" + YEARS_40,
                                   ANNEX: append("\n[[table:series]]\n")},
         r"series\.yaml \[columns\]", ("41 columns", "fit the width of a A4 page",
                                       "split it into two tables"),
         "a table too wide for the page even in small type"),

    # ---------------------------------------------------------------- charts (in --check too)
    Case("chart-years-huge-range", {CHART: replace("years: [2021, 2022]", 'years: "1-999999999"')},
         r"population-chart\.yaml \[years\]", ("not a year of four digits",),
         "a chart years range of a billion years"),
    Case("chart-years-too-many", {CHART: replace("years: [2021, 2022]", 'years: "2000-2500"')},
         r"population-chart\.yaml \[years\]", ("501 years", "more than the 200"),
         "a chart years range past the limit"),
    Case("chart-pie-negative", {CHART: lambda spec: replace("years: [2021, 2022]", "years: [2022]")(
                                    replace("chart: bar", "chart: pie")(spec)),
                                POPULATION: replace("6.795", "-6.795")},
         r"population-chart\.yaml \[data\]", ("cannot show negative values",),
         "pie chart values"),
    Case("chart-label-no-font-draws", {CHART: append("axis_title: مليون \u4e2d\n")},
         r"population-chart\.yaml \[axis_title\]",
         ("NotoSansArabic-Regular.ttf, NotoSans-Regular.ttf or Amiri-Regular.ttf cannot draw", "U+4E2D", "rephrase"),
         "chart label glyphs no chart font has"),
    Case("map-wrong-shape", {**MAP_FIGURE, GEOJSON: "[]\n"}, r"map\.geojson",
         ("not a GeoJSON FeatureCollection", "python -m briefing.data.geography"),
         "a map file of the wrong shape"),
    Case("map-feature-without-code", {**MAP_FIGURE, GEOJSON: ONE_COUNTRY.replace('"code"', '"iso"')},
         r"map\.geojson", ("'code' is missing",), "a map feature without its code"),
    Case("map-country-missing", {**MAP_FIGURE, GEOJSON: ONE_COUNTRY},
         r"locator\.yaml \[highlight\]", ("'KGZ' is not in the map outlines",),
         "map data: a highlighted country without outlines"),
    Case("map-not-json", {**MAP_FIGURE, GEOJSON: "{not json\n"}, r"map\.geojson:1",
         ("not valid GeoJSON",), "map data that is not JSON"),
]

#: Expressions past a limit, each appended to the annex (whose line 10 it becomes):
#: (case id, the expression, what the error says, which item of the issue it covers)
EXPRESSIONS = [
    ("prose-nested-loops",
     "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x",
     ("1,000,000 steps", "loops inside loops"), "nested {% for %} loops (10^10 steps)"),
    ("prose-center-filter", 'In {{ "x"|center(10**9) }} here.',
     ("center(1000000000)", "smaller number"), "a filter building a 1 GB string"),
    ("prose-string-method", 'In {{ "x".ljust(10**9) }} here.', ("ljust(1000000000)",),
     "a text method building a 1 GB string"),
    ("prose-macro-calls-itself", "{% macro f(n) %}{{ f(n) }}{% endmacro %}\n{{ f(1) }}",
     ("macro that calls itself",), "a macro that calls itself"),
    ("prose-loop-of-long-strings", '{% for i in range(100000) %}{{ "x" * 100000 }}{% endfor %}',
     ("more than 1,024 KB of text",), "a loop of long strings"),
    ("prose-memory", '{{ (["x" * 100000] * 100000)|join }}', ("MB of memory",),
     "a list of long strings joined"),
    ("prose-year-range", '{{ max_year("gdp", "KAZ", 1, 999999999) }}',
     ("not a year of four digits",), "a year range in an expression"),
]
BOUND_CASES += [Case(ident, {ANNEX: append(f"\n{text}\n")}, r"02-annex\.md:10", says, why)
                for ident, text, says, why in EXPRESSIONS]
