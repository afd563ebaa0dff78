"""The data loader: reading, validation errors that point at file and line, computed groups."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from briefing.data.store import load_data
from briefing.errors import SourceError
from briefing.numerals import format_number
from paths import ROOT

EDITION = ROOT / "sources" / "gcc-central-asia-2023"

ENTITIES = """\
AAA: {ar: ألف, en: Aaa}
BBB: {ar: باء, en: Bbb}
CCC: {ar: جيم, en: Ccc}
exports: {ar: الصادرات, en: Exports}
imports: {ar: الواردات, en: Imports}
balance: {ar: الميزان التجاري, en: Balance}
total: {ar: الإجمالي, en: Total}
groups:
  G2: {ar: مجموعة, en: Group, members: [AAA, BBB]}
"""

DATASETS = """\
population:
  file: pop.csv
  title: السكان
  unit: people
  scale: million
  source: Test source
  source_ar: مصدر
  aggregate: sum
gdp:
  file: gdp.csv
  title: الناتج
  unit: USD
  scale: billion
  source: Test source
  source_ar: مصدر
  aggregate: sum
gdppc:
  file: gdppc.csv
  title: الدخل الفردي
  unit: USD
  scale: one
  decimals: 0
  source: Test source
  source_ar: مصدر
  aggregate: {ratio: [gdp, population], factor: 1000}
inflation:
  file: infl.csv
  title: التضخم
  unit: percent
  scale: one
  source: Test source
  source_ar: مصدر
  aggregate: mean
inflation_w:
  file: infl.csv
  title: التضخم
  unit: percent
  scale: one
  source: Test source
  source_ar: مصدر
  aggregate: {weighted_mean: population}
trade:
  file: trade.csv
  title: التجارة
  unit: USD
  scale: billion
  decimals: 2
  source: Test source
  source_ar: مصدر
  derived: {balance: {difference: [exports, imports]}, total: {sum: [exports, imports]}}
"""

CSVS = {
    "pop.csv": "code,estimates_after,2021,2022\nAAA,2021,10,20\nBBB,2020,30,60\nCCC,,5,5\n",
    "gdp.csv": "code,2021,2022\nAAA,100,300\nBBB,50,\nCCC,1,1\n",
    "gdppc.csv": "code,2021,2022\nAAA,10000,15000\nBBB,1666.7,\n",
    "infl.csv": "code,2021,2022\nAAA,1.5,4\nBBB,3.5,1\n",
    "trade.csv": "code,2014,2015\nexports,1.61,2.06\nimports,0.43,1.03\n",
}


def make_edition(tmp_path: Path, **overrides: str | bytes) -> Path:
    """A tiny edition; an override replaces one file (by name) with the given text or bytes."""
    data = tmp_path / "edition" / "data"
    data.mkdir(parents=True)
    files = {"entities.yaml": ENTITIES, "datasets.yaml": DATASETS, **CSVS, **overrides}
    for name, content in files.items():
        if isinstance(content, bytes):
            (data / name).write_bytes(content)
        else:
            (data / name).write_text(content, encoding="utf-8")
    return tmp_path / "edition"


def load_error(tmp_path: Path, **overrides: str | bytes) -> SourceError:
    with pytest.raises(SourceError) as info:
        load_data(make_edition(tmp_path, **overrides))
    return info.value


# ------------------------------------------------------------------------------ loading


def test_values_and_provenance(tmp_path):
    store = load_data(make_edition(tmp_path))
    assert store.value("population", "AAA", 2022) == 20
    gdp = store.dataset("gdp")
    assert gdp.unit == "USD" and gdp.scale == "billion" and gdp.decimals == 1
    assert gdp.source_ar == "مصدر"
    assert gdp.get("BBB", 2022) is None  # an empty cell is no value, not zero
    assert store.get("gdp", "BBB", 2022) is None
    with pytest.raises(SourceError, match="no value for BBB in 2022"):
        store.value("gdp", "BBB", 2022)
    assert store.entity("G2").members == ("AAA", "BBB")
    assert store.dataset("population").codes == ("AAA", "BBB", "CCC", "G2")


def test_group_sum_only_when_every_member_has_a_value(tmp_path):
    store = load_data(make_edition(tmp_path))
    assert store.value("population", "G2", 2021) == 40
    assert store.value("gdp", "G2", 2021) == 150
    assert store.get("gdp", "G2", 2022) is None  # BBB is missing: no partial total


def test_group_mean_weighted_mean_and_ratio(tmp_path):
    store = load_data(make_edition(tmp_path))
    assert store.value("inflation", "G2", 2021) == pytest.approx(2.5)
    # weighted by population: (1.5*10 + 3.5*30) / 40 = 3.0; 2022: (4*20 + 1*60) / 80 = 1.75
    assert store.value("inflation_w", "G2", 2021) == pytest.approx(3.0)
    assert store.value("inflation_w", "G2", 2022) == pytest.approx(1.75)
    # group GDP / group population * 1000, not the mean of the members' per-capita values
    assert store.value("gdppc", "G2", 2021) == pytest.approx(150 / 40 * 1000)
    assert store.get("gdppc", "G2", 2022) is None  # BBB has no 2022 GDP


def test_derived_rows_are_exact(tmp_path):
    store = load_data(make_edition(tmp_path))
    assert store.value("trade", "balance", 2014) == 1.18  # not 1.1800000000000002
    assert store.value("trade", "total", 2015) == 3.09
    assert store.dataset("trade").codes == ("exports", "imports", "balance", "total")
    assert store.get("trade", "G2", 2014) is None  # categories are not grouped


def test_status_and_group_estimates(tmp_path):
    pop = load_data(make_edition(tmp_path)).dataset("population")
    assert pop.status("AAA", 2021) == "actual" and pop.status("AAA", 2022) == "estimate"
    assert pop.status("CCC", 2022) == "actual"  # no estimates_after: all actual
    assert pop.status("G2", 2021) == "estimate"  # BBB is an estimate after 2020


def test_results_are_immutable(tmp_path):
    store = load_data(make_edition(tmp_path))
    with pytest.raises(TypeError):
        store.datasets["x"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        store.dataset("gdp").values[("AAA", 2021)] = 0  # type: ignore[index]
    with pytest.raises(AttributeError):
        store.dataset("gdp").unit = "EUR"  # type: ignore[misc]


def test_bom_and_crlf_accepted(tmp_path):
    text = "\ufeffcode,2021,2022\r\nAAA,100,300\r\nBBB,50,60\r\nCCC,1,1\r\n"
    store = load_data(make_edition(tmp_path, **{"gdp.csv": text}))
    assert store.value("gdp", "G2", 2022) == 360


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize("cell", ["abc", "1,234", "n/a", "12%"])
def test_non_numeric_cell_names_file_line_and_column(tmp_path, cell):
    err = load_error(tmp_path, **{"gdp.csv": f'code,2021,2022\nAAA,100,300\nBBB,50,"{cell}"\n'})
    assert err.file.endswith("gdp.csv") and err.line == 3
    assert "column 2022" in str(err) and "not a number" in str(err)
    assert str(err).startswith(err.file + ":3")


def test_duplicate_code(tmp_path):
    err = load_error(tmp_path, **{"gdp.csv": "code,2021\nAAA,1\nBBB,2\nAAA,3\n"})
    assert err.line == 4 and "appears twice (also on line 2)" in str(err)


def test_code_missing_from_entities(tmp_path):
    err = load_error(tmp_path, **{"gdp.csv": "code,2021\nAAA,1\nXYZ,2\n"})
    assert err.line == 3 and "add it to data/entities.yaml" in str(err)


def test_group_rows_are_not_typed(tmp_path):
    err = load_error(tmp_path, **{"gdp.csv": "code,2021\nAAA,1\nG2,2\n"})
    assert err.line == 3 and "computed from its members" in str(err)


def test_unknown_key_in_datasets_yaml(tmp_path):
    bad = DATASETS.replace("  decimals: 0", "  decimal: 0")
    err = load_error(tmp_path, **{"datasets.yaml": bad})
    assert err.file.endswith("datasets.yaml") and err.line == 22
    assert "unknown key 'decimal'" in str(err)


def test_unknown_key_in_entities_yaml(tmp_path):
    err = load_error(tmp_path, **{"entities.yaml": ENTITIES.replace("en: Bbb", "eng: Bbb")})
    assert err.file.endswith("entities.yaml") and err.line == 2


@pytest.mark.parametrize("old,new,message", [
    ("unit: people", "unit: persons", "unknown unit 'persons'"),
    ("scale: million", "scale: millions", "unknown scale 'millions'"),
    ("  aggregate: mean", "  aggregate: sum", "adds up percent values"),
    ("[gdp, population]", "[gdp, people]", "unknown dataset 'people'"),
    ("[exports, imports]}, total", "[exports, exprts]}, total", "'exprts' is not a row"),
    ("total: {sum:", "grand_total: {sum:", "'grand_total' needs a name"),
    ("aggregate: {weighted_mean: population}", "aggregate: median", "aggregate must be"),
])
def test_bad_dataset_entries(tmp_path, old, new, message):
    assert old in DATASETS
    err = load_error(tmp_path, **{"datasets.yaml": DATASETS.replace(old, new, 1)})
    assert err.file.endswith("datasets.yaml") and err.line is not None
    assert message in str(err)


def test_group_member_must_be_an_entity(tmp_path):
    err = load_error(tmp_path, **{"entities.yaml": ENTITIES.replace("[AAA, BBB]", "[AAA, BBX]")})
    assert err.line == 9 and "member 'BBX'" in str(err)


def test_empty_file(tmp_path):
    err = load_error(tmp_path, **{"gdp.csv": ""})
    assert err.file.endswith("gdp.csv") and "empty" in str(err)


def test_header_only(tmp_path):
    err = load_error(tmp_path, **{"gdp.csv": "code,2021\n"})
    assert "no data rows" in str(err)


def test_not_utf8(tmp_path):
    raw = "code,2021\nAAA,1\nBBB,2\n# تعليق\n".encode("cp1256")
    err = load_error(tmp_path, **{"gdp.csv": raw})
    assert err.file.endswith("gdp.csv") and err.line == 4 and "UTF-8" in str(err)


def test_missing_csv_names_the_datasets_entry(tmp_path):
    err = load_error(tmp_path, **{"datasets.yaml": DATASETS.replace("gdp.csv", "gpd.csv", 1)})
    assert err.file.endswith("datasets.yaml") and err.line == 10 and "gpd.csv" in str(err)


@pytest.mark.parametrize("text,message", [
    ("country,2021\nAAA,1\n", "first column must be 'code'"),
    ("code,21\nAAA,1\n", "not a four-digit year"),
    ("code,2021,2021\nAAA,1,1\n", "appears twice"),
    ("code,2021\nAAA,1,2\n", "3 cells but the header has 2"),
    ("code,estimates_after,2021\nAAA,last,1\n", "estimates_after 'last'"),
])
def test_bad_csv_layout(tmp_path, text, message):
    err = load_error(tmp_path, **{"gdp.csv": text})
    assert err.file.endswith("gdp.csv") and err.line is not None and message in str(err)


# ------------------------------------------------------------------------------ the 2023 edition


def printed(value: float, decimals: int) -> str:
    """Rounded half-up, as the booklet's tables print."""
    q = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{q:,}"


# جدول 2 of the 2023 booklet: population, GDP, GDP per capita, public debt, current account
SEED_TABLE_2 = {
    "KAZ": ("19.7", "225.8", "11,440", "23.5", "2.8"),
    "TKM": ("6.2", "78.0", "12,500", "5.2", "5.7"),
    "UZB": ("35.3", "80.4", "2,280", "34.3", "1.4"),
    "TJK": ("9.8", "10.5", "1,064", "34.6", "6.2"),
    "KGZ": ("6.8", "11.1", "1,626", "53.5", "-26.8"),
}
COLUMNS = (("population", 1), ("gdp", 1), ("gdp_per_capita", 0), ("public_debt", 1),
           ("current_account", 1))


@pytest.fixture(scope="module")
def edition():
    return load_data(EDITION)


@pytest.mark.parametrize("code", sorted(SEED_TABLE_2))
def test_seed_table_2_countries(edition, code):
    got = tuple(printed(edition.value(ds, code, 2022), d) for ds, d in COLUMNS)
    assert got == SEED_TABLE_2[code]


def test_seed_group_values(edition):
    assert printed(edition.value("population", "CA", 2022), 1) == "77.9"
    assert printed(edition.value("gdp", "CA", 2022), 1) == "405.7"
    assert printed(edition.value("population", "GCC", 2022), 1) == "58.3"
    assert printed(edition.value("gdp_per_capita", "GCC", 2022), 0) == "37,448"
    # the booklet's prose says 5,210 (its table's 5,110 contradicts 405.7 / 77.9)
    assert printed(edition.value("gdp_per_capita", "CA", 2022), 0) == "5,210"
    assert printed(edition.value("inflation", "GCC", 2022), 1) == "3.2"
    assert printed(edition.value("exports_gs", "CA", 2021), 1) == "96.6"
    assert edition.get("public_debt", "CA", 2022) is None  # not aggregated: an empty cell


def test_table_cells_format_like_the_book(edition):
    assert format_number(edition.value("current_account", "KGZ", 2022), 1) == "\u221226.8"
    assert format_number(edition.value("gdp_per_capita", "KAZ", 2022), 0) == "11,440"


def test_gcc_stat_series_as_printed(edition):
    trade = edition.dataset("gcc_ca_trade")
    balance = [1.19, 0.71, 0.82, 0.97, 1.68, 1.21, 1.18, 1.03]  # figure 13's balance labels
    assert [trade.get("balance", y) for y in range(2014, 2022)] == balance
    assert printed(trade.get("total", 2021), 1) == "3.1"
    for ds in ("gcc_exports_composition", "gcc_imports_composition"):
        shares = edition.dataset(ds)
        assert sum(Decimal(repr(v)) for v in shares.values.values()) == Decimal("100.0")
        assert "المركز الإحصائي" in shares.source_ar


def test_estimates_follow_the_imf(edition):
    gdp = edition.dataset("gdp")
    assert gdp.status("KAZ", 2021) == "actual" and gdp.status("KAZ", 2022) == "estimate"
    assert gdp.status("SAU", 2022) == "actual"


def test_figure_and_table_specs_point_at_data(edition):
    """Every spec names datasets, entities and years the edition has values for."""
    for path in sorted((EDITION / "figures").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert spec["caption"] and not spec["caption"][:1].isdigit(), path.name
        if spec["chart"] == "map":
            for code in spec["highlight"] + spec["context"]:
                edition.entity(code)
            continue
        years = spec["years"]
        if isinstance(years, str):
            first, last = (int(y) for y in years.split("-"))
            years = list(range(first, last + 1))
        for code in spec["entities"]:
            edition.entity(code)
            for year in years:
                edition.value(spec["data"], code, year)
    table = yaml.safe_load((EDITION / "tables" / "indicators.yaml").read_text(encoding="utf-8"))
    for code in table["rows"]:
        for column in table["columns"]:
            edition.entity(code)
            edition.dataset(column["data"])
