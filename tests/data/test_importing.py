"""The importer: IMF WEO (tab text, .xlsx) and World Bank WDI files → the edition's data files."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest

from briefing.data.store import load_data
from briefing.errors import SourceError
from briefing.data.importing import main, number_text, read_weo, read_wdi, run_import
from paths import RAW, ROOT

EDITION = ROOT / "sources" / "gcc-central-asia-2023"

WEO_HEADER = ["WEO Country Code", "ISO", "WEO Subject Code", "Country", "Subject Descriptor",
              "Subject Notes", "Units", "Scale", "Country/Series-specific Notes",
              "2020", "2021", "2022", "2023", "Estimates Start After"]
# the IMF's text writes numbers with thousands commas and "n/a" / "--" for no value
WEO_ROWS = [
    ["916", "KAZ", "NGDPD", "Kazakhstan", "Gross domestic product, current prices", "notes",
     "U.S. dollars", "Billions", "", "171.082", "197.112", "225.784", "245.695", "2021"],
    ["916", "KAZ", "NGDPDPC", "Kazakhstan", "Gross domestic product per capita, current prices",
     "", "U.S. dollars", "Units", "", "9,062.958", "10,106.663", "11,439.506", "12,306.764",
     "2021"],
    ["916", "KAZ", "LP", "Kazakhstan", "Population", "", "Persons", "Millions", "",
     "18.877", "19.503", "19.737", "19.964", "2021"],
    ["927", "UZB", "NGDPD", "Uzbekistan", "Gross domestic product, current prices", "",
     "U.S. dollars", "Billions", "", "59.894", "69.239", "80.418", "n/a", "2021"],
    ["927", "UZB", "NGDPDPC", "Uzbekistan", "Gross domestic product per capita, current prices",
     "", "U.S. dollars", "Units", "", "1,749.000", "--", "2,279.992", "n/a", "2021"],
    ["927", "UZB", "LP", "Uzbekistan", "Population", "", "Persons", "Millions", "",
     "34.247", "34.915", "35.271", "35.983", "n/a"],
    ["922", "RUS", "NGDPD", "Russia", "Gross domestic product, current prices", "",
     "U.S. dollars", "Billions", "", "1,489.362", "1,836.892", "2,215.29", "2,062.649", "2021"],
]
WEO_FOOTER = "International Monetary Fund, World Economic Outlook Database, April 2023"

WDI_TEXT = (
    '\ufeff"Data Source","World Development Indicators",\r\n\r\n'
    '"Last Updated Date","2026-02-24",\r\n\r\n'
    '"Country Name","Country Code","Indicator Name","Indicator Code","2020","2021","2022",\r\n'
    '"Kazakhstan","KAZ","Exports of goods and services (current US$)","NE.EXP.GNFS.CD",'
    '"47500000000","66318146545.9049","",\r\n'
    '"Uzbekistan","UZB","Exports of goods and services (current US$)","NE.EXP.GNFS.CD",'
    '"","16530000000.5","",\r\n'
    '"World","WLD","Exports of goods and services (current US$)","NE.EXP.GNFS.CD",'
    '"1","2","3",\r\n'
)

IMPORT_YAML = """\
countries: [UZB, KAZ]
sources:
  weo:
    format: weo
    source: "International Monetary Fund, World Economic Outlook Database, {release}"
    source_ar: "صندوق النقد الدولي، قاعدة بيانات آفاق الاقتصاد العالمي، {release_ar}"
  wdi:
    format: wdi
    source: "World Bank, World Development Indicators ({indicator}), last updated {release}"
    source_ar: "البنك الدولي، مؤشرات التنمية العالمية، آخر تحديث {release}"
datasets:
  gdp: {from: weo, file: WEO_FILE, series: NGDPD, years: 2020-2023}
  population: {from: weo, file: WEO_FILE, series: LP, years: 2021-2022}
  gdp_per_capita: {from: weo, file: WEO_FILE, series: NGDPDPC, years: 2020-2023}
  exports: {from: wdi, file: wdi.csv, series: NE.EXP.GNFS.CD, years: [2021], scale: billion}
"""

DATASETS_YAML = """\
gdp:
  file: weo_gdp.csv
  title: الناتج المحلي الإجمالي
  decimals: 1
  aggregate: sum
  unit: people
  scale: one
  source: stale
  source_ar: قديم
"""

ENTITIES_YAML = """\
KAZ: {ar: كازاخستان, en: Kazakhstan}
UZB: {ar: أوزبكستان, en: Uzbekistan}
groups:
  CA: {ar: مجموعة آسيا الوسطى, en: Central Asia, members: [KAZ, UZB]}
"""

EXPECTED_GDP = (
    "code,estimates_after,2020,2021,2022,2023\n"
    "KAZ,2021,171.082,197.112,225.784,245.695\n"
    "UZB,2021,59.894,69.239,80.418,\n"
)
EXPECTED_GDPPC = (
    "code,estimates_after,2020,2021,2022,2023\n"
    "KAZ,2021,9062.958,10106.663,11439.506,12306.764\n"
    "UZB,2021,1749,,2279.992,\n"
)


def weo_text() -> str:
    lines = ["\t".join(WEO_HEADER)] + ["\t".join(r) for r in WEO_ROWS] + ["", WEO_FOOTER]
    return "\r\n".join(lines) + "\r\n"


def write_weo_xlsx(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([int(h) if h.isdigit() else h for h in WEO_HEADER])
    for row in WEO_ROWS:
        cells = []
        for i, cell in enumerate(row):
            if WEO_HEADER[i].isdigit() and cell not in ("n/a", "--"):
                cells.append(float(cell.replace(",", "")))  # Excel stores numbers, not text
            elif WEO_HEADER[i] in ("WEO Country Code", "Estimates Start After") and cell.isdigit():
                cells.append(int(cell))
            elif WEO_HEADER[i] == "Scale" and not cell:
                cells.append(None)
            else:
                cells.append(cell)
        sheet.append(cells)
    sheet.append([WEO_FOOTER])
    book.save(path)


def make_raw(tmp_path: Path, weo_kind: str) -> tuple[Path, str]:
    raw = tmp_path / "raw"
    raw.mkdir()
    if weo_kind == "xlsx":
        name = "WEOApr2023all.xlsx"
        write_weo_xlsx(raw / name)
    else:
        name = "WEOApr2023all.xls"
        encoding = {"utf16": "utf-16", "cp1252": "cp1252", "utf8": "utf-8"}[weo_kind]
        (raw / name).write_bytes(weo_text().encode(encoding))
    (raw / "wdi.csv").write_bytes(WDI_TEXT.encode("utf-8"))
    return raw, name


def make_edition(tmp_path: Path, weo_name: str) -> Path:
    data = tmp_path / "edition" / "data"
    data.mkdir(parents=True)
    (data / "import.yaml").write_text(IMPORT_YAML.replace("WEO_FILE", weo_name), encoding="utf-8")
    (data / "datasets.yaml").write_text(DATASETS_YAML, encoding="utf-8")
    (data / "entities.yaml").write_text(ENTITIES_YAML, encoding="utf-8")
    return tmp_path / "edition"


# ------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize("cell,text", [
    ("1,092.118", "1092.118"), ("n/a", ""), ("--", ""), ("", ""), (None, ""), ("10.000", "10"),
    (12500.0, "12500"), (225.784, "225.784"), (-26.793, "-26.793"), (10, "10"), ("-0.000", "0"),
    ("425155888359.428", "425155888359.428"),
])
def test_number_text(cell, text):
    assert number_text(cell) == text


def test_number_text_scale_shift_is_exact():
    assert number_text("425155888359.428", -9) == "425.155888359428"
    assert number_text("47500000000", -9) == "47.5"


def test_number_text_rejects_words():
    with pytest.raises(ValueError):
        number_text("twelve")


# ------------------------------------------------------------------------------ readers


@pytest.mark.parametrize("kind", ["utf16", "cp1252", "utf8", "xlsx"])
def test_read_weo_any_layout(tmp_path, kind):
    raw, name = make_raw(tmp_path, kind)
    series = read_weo(raw / name, "NGDPDPC", ["KAZ", "UZB"], [2020, 2021, 2022, 2023])
    assert series.values[("KAZ", 2022)] == "11439.506"
    assert series.values[("UZB", 2020)] == "1749"
    assert ("UZB", 2021) not in series.values and ("UZB", 2023) not in series.values
    assert series.estimates_after == {"KAZ": 2021, "UZB": 2021}
    assert (series.unit, series.scale, series.release) == ("USD", "one", "April 2023")


def test_read_weo_missing_country(tmp_path):
    raw, name = make_raw(tmp_path, "utf8")
    with pytest.raises(SourceError, match="no LP row for TJK"):
        read_weo(raw / name, "LP", ["KAZ", "TJK"], [2021])


def test_read_weo_unknown_unit(tmp_path):
    raw = tmp_path / "weo.xls"
    rows = [WEO_HEADER, ["1", "KAZ", "X", "K", "", "", "Kazakhstani tenge", "Billions", "",
                         "1", "2", "3", "4", "2021"]]
    raw.write_text("\n".join("\t".join(r) for r in rows), encoding="utf-8")
    with pytest.raises(SourceError, match="unknown unit 'Kazakhstani tenge'"):
        read_weo(raw, "X", ["KAZ"], [2021])


def test_read_weo_mixed_units(tmp_path):
    raw = tmp_path / "weo.xls"
    rows = [WEO_HEADER,
            ["1", "KAZ", "X", "K", "", "", "Persons", "Millions", "", "1", "2", "3", "4", "2021"],
            ["2", "UZB", "X", "U", "", "", "Persons", "Thousands", "", "1", "2", "3", "4", "2021"]]
    raw.write_text("\n".join("\t".join(r) for r in rows), encoding="utf-8")
    with pytest.raises(SourceError, match="different units/scales"):
        read_weo(raw, "X", ["KAZ", "UZB"], [2021])


def test_read_weo_bad_number_names_line(tmp_path):
    raw = tmp_path / "weo.xls"
    rows = [WEO_HEADER,
            ["1", "KAZ", "X", "K", "", "", "Persons", "Millions", "", "1", "two", "3", "4", "2021"]]
    raw.write_text("\n".join("\t".join(r) for r in rows), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_weo(raw, "X", ["KAZ"], [2021])
    assert info.value.line == 2 and "not a number" in str(info.value)


def test_read_wdi(tmp_path):
    raw, _ = make_raw(tmp_path, "utf8")
    series = read_wdi(raw / "wdi.csv", "NE.EXP.GNFS.CD", ["KAZ", "UZB"], [2020, 2021])
    assert series.values == {("KAZ", 2020): "47500000000", ("KAZ", 2021): "66318146545.9049",
                             ("UZB", 2021): "16530000000.5"}
    assert (series.unit, series.scale, series.release) == ("USD", "one", "2026-02-24")
    assert series.estimates_after is None


def test_read_wdi_wrong_layout(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("iso,2021\nKAZ,1\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not a WDI bulk CSV"):
        read_wdi(path, "NE.EXP.GNFS.CD", ["KAZ"], [2021])


# ------------------------------------------------------------------------------ the edition


@pytest.mark.parametrize("kind", ["utf16", "cp1252", "xlsx"])
def test_run_import_writes_wide_csv_and_provenance(tmp_path, kind):
    raw, name = make_raw(tmp_path, kind)
    edition = make_edition(tmp_path, name)
    run_import(raw, edition)
    data = edition / "data"
    assert (data / "weo_gdp.csv").read_text(encoding="utf-8") == EXPECTED_GDP
    assert (data / "gdp_per_capita.csv").read_text(encoding="utf-8") == EXPECTED_GDPPC
    assert (data / "exports.csv").read_text(encoding="utf-8") == (
        "code,2021\nKAZ,66.3181465459049\nUZB,16.5300000005\n")
    text = (data / "datasets.yaml").read_text(encoding="utf-8")
    assert "title: الناتج المحلي الإجمالي" in text  # the editor's fields are kept
    assert "aggregate: sum" in text
    # a dataset new to datasets.yaml gets the source's name as a placeholder title
    assert ("gdp_per_capita:\n  file: gdp_per_capita.csv\n"
            "  title: Gross domestic product per capita") in text
    assert "unit: USD\n  scale: billion" in text  # provenance rewritten from the source
    assert "source: International Monetary Fund, World Economic Outlook Database, April 2023" \
        in text
    assert "source_ar: صندوق النقد الدولي، قاعدة بيانات آفاق الاقتصاد العالمي، أبريل 2023" in text
    assert "release: '2026-02-24'" in text and "indicator: NE.EXP.GNFS.CD" in text


def test_import_is_deterministic_and_loadable(tmp_path):
    raw, name = make_raw(tmp_path, "xlsx")
    edition = make_edition(tmp_path, name)
    run_import(raw, edition)
    first = {p.name: p.read_bytes() for p in (edition / "data").iterdir()}
    run_import(raw, edition)
    assert {p.name: p.read_bytes() for p in (edition / "data").iterdir()} == first
    store = load_data(edition)
    assert store.value("gdp", "CA", 2022) == pytest.approx(225.784 + 80.418)
    assert store.dataset("gdp").status("KAZ", 2022) == "estimate"


def test_cli_reports_errors_without_traceback(tmp_path, capsys):
    raw, name = make_raw(tmp_path, "utf8")
    edition = make_edition(tmp_path, "missing.xlsx")
    assert main(["--raw", str(raw), "--edition", str(edition)]) == 1
    assert "raw file not found" in capsys.readouterr().err


def test_unknown_key_in_import_yaml(tmp_path):
    raw, name = make_raw(tmp_path, "utf8")
    edition = make_edition(tmp_path, name)
    path = edition / "data" / "import.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("years: [2021]", "yeras: [2021]"),
                    encoding="utf-8")
    with pytest.raises(SourceError) as info:
        run_import(raw, edition)
    assert info.value.line == 15 and "unknown key 'yeras'" in str(info.value)


def test_reimport_of_the_real_raw_files_matches_the_edition(tmp_path):
    """The committed data/ must be exactly what the importer makes from the raw downloads."""
    if not (RAW / "imf_weo_apr2023").is_dir() or not (RAW / "wb_wdi").is_dir():
        pytest.skip(f"raw data folder not found at {RAW} (expected ../shared/data/raw beside the "
                    "repository); cannot check the import")
    pytest.importorskip("openpyxl")
    copy = tmp_path / "edition"
    shutil.copytree(EDITION / "data", copy / "data")
    run_import(RAW, copy)
    names = sorted(p.name for p in (EDITION / "data").iterdir())
    assert names == sorted(p.name for p in (copy / "data").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(EDITION / "data", copy / "data", names,
                                               shallow=False)
    assert not mismatch and not errors, f"re-import differs: {mismatch or errors}"
