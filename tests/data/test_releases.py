"""The publishers' files in every layout of recent releases (synthetic files written by tests/releases.py),
and an import that is all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing.errors import SourceError
from briefing.data.importing import run_import
from briefing.data.releases import number_text, read_wdi_table, read_weo_table

from test_importing import DATASETS_YAML, ENTITIES_YAML

WEO_LAYOUTS = {  # fixture: (release stated, years, Scale word of the percent rows)
    "weo-apr2023-tab-utf16/WEOApr2023all.xls": ("April 2023", (2020, 2028), ""),
    "weo-apr2024-xlsx/WEOApr2024all.xlsx": ("April 2024", (2020, 2029), "Units"),
    "weo-oct2024-tab-cp1252/WEOOct2024all.xls": ("October 2024", (2020, 2030), "Units"),
    "weo-apr2025-csv/WEOApr2025all.csv": ("April 2025", (2020, 2030), "Units"),
}


@pytest.mark.parametrize("name", sorted(WEO_LAYOUTS))
def test_every_weo_layout_reads_the_same_numbers(name, releases):
    release, (first, last), percent_scale = WEO_LAYOUTS[name]
    table = read_weo_table(releases / name)
    assert table.release == release
    assert (table.years[0], table.years[-1]) == (first, last)
    kaz = table.rows[("KAZ", "NGDPDPC")][0].cells
    assert number_text(kaz["2021"]) == "10500"
    pcpi = table.rows[("UZB", "PCPIPCH")][0].cells
    assert (pcpi["Scale"] or "") == percent_scale


@pytest.mark.parametrize("name", sorted(WEO_LAYOUTS))
def test_every_weo_layout_imports(tmp_path, name, releases):
    """The A1 case and its kin: Scale 'Units' or empty on percent rows, n/a and --, any year span,
    footer or not: the same CSV comes out."""
    edition = _edition(tmp_path, name, "2020-2028")
    run_import(releases, edition)
    data = edition / "data"
    assert (data / "inflation.csv").read_text(encoding="utf-8").splitlines()[:3] == [
        "code,estimates_after," + ",".join(str(y) for y in range(2020, 2029)),
        "KAZ,2022,8,7.5,7,6.5,6,5.5,5,4.5,4",
        "UZB,,11,10.75,10.5,10.25,10,9.75,9.5,9.25,9"]
    gdp = (data / "weo_gdp.csv").read_text(encoding="utf-8").splitlines()
    assert gdp[2] == "UZB,2021,60,,70,75,80,85,90,95,"  # "--" and "n/a" are no value
    specs = (data / "datasets.yaml").read_text(encoding="utf-8")
    assert f"release: {WEO_LAYOUTS[name][0]}" in specs
    assert "unit: percent\n  scale: one" in specs
    assert "source_ar: البنك الدولي، آخر تحديث 28 يونيو 2024" in specs  # WDI's day, in Arabic


def _edition(tmp_path: Path, weo: str, years: str) -> Path:
    data = tmp_path / "edition" / "data"
    data.mkdir(parents=True)
    (data / "import.yaml").write_text(f"""\
countries: [KAZ, UZB]
sources:
  weo:
    format: weo
    source: "International Monetary Fund, World Economic Outlook Database, {{release}}"
    source_ar: "صندوق النقد الدولي، قاعدة بيانات آفاق الاقتصاد العالمي، {{release_ar}}"
  wdi:
    format: wdi
    source: "World Bank, WDI ({{indicator}}), last updated {{release}}"
    source_ar: "البنك الدولي، آخر تحديث {{release_ar}}"
datasets:
  gdp: {{from: weo, file: {weo}, series: NGDPD, years: {years}}}
  inflation: {{from: weo, file: {weo}, series: PCPIPCH, years: {years}}}
  exports: {{from: wdi, file: wdi-2024/API_NE.EXP.GNFS.CD_DS2_en_csv_v2_9.csv,
             series: NE.EXP.GNFS.CD, years: [2021, 2022], scale: billion}}
""", encoding="utf-8")
    (data / "datasets.yaml").write_text(DATASETS_YAML, encoding="utf-8")
    (data / "entities.yaml").write_text(ENTITIES_YAML, encoding="utf-8")
    return tmp_path / "edition"


def test_wdi_metadata_rows_and_last_updated_date(releases):
    table = read_wdi_table(releases / "wdi-2024" / "API_NE.EXP.GNFS.CD_DS2_en_csv_v2_9.csv")
    assert table.release == "2024-06-28" and table.years == (2020, 2021, 2022, 2023)
    assert table.rows[("UZB", "NE.EXP.GNFS.CD")][0].cells["2022"] == "17000000000"


def test_wdi_zip_as_downloaded(tmp_path, releases):
    import zipfile
    with zipfile.ZipFile(tmp_path / "API_NE.EXP.GNFS.CD_DS2_en_csv_v2_9.zip", "w") as z:
        z.write(releases / "wdi-2024" / "API_NE.EXP.GNFS.CD_DS2_en_csv_v2_9.csv",
                "API_NE.EXP.GNFS.CD_DS2_en_csv_v2_9.csv")
        z.writestr("Metadata_Country_API_NE.EXP.GNFS.CD_DS2_en_csv_v2_9.csv", "x")
    table = read_wdi_table(tmp_path / "API_NE.EXP.GNFS.CD_DS2_en_csv_v2_9.zip")
    assert table.release == "2024-06-28"


# ------------------------------------------------------------------------------ errors


def test_missing_projection_year_names_the_key_and_the_fix(tmp_path, releases):
    """A release with fewer projection years: the error points at import.yaml's 'years' of the
    dataset, says what the file has, what to write, and which figures show the year."""
    edition = _edition(tmp_path, "weo-apr2023-tab-utf16/WEOApr2023all.xls", "2021-2029")
    (edition / "figures").mkdir()
    (edition / "figures" / "gdp-groups.yaml").write_text(
        "caption: x\nchart: line\ndata: gdp\nx: years\nentities: [KAZ]\nyears: 2021-2029\n",
        encoding="utf-8")
    with pytest.raises(SourceError) as info:
        run_import(releases, edition)
    error = info.value
    assert error.file.endswith("import.yaml") and error.line == 12 and error.key == "gdp"
    assert "WEOApr2023all.xls has no column for [2029] (its years: 2020–2028)" in error.message
    assert "change 'years' to 2021-2028" in error.message
    assert "figures/gdp-groups.yaml" in error.message


def test_unknown_unit_is_fixed_in_import_yaml_not_in_code(tmp_path, releases):
    path = tmp_path / "raw" / "WEOOct2024all.xls"
    path.parent.mkdir()
    original = releases / "weo-oct2024-tab-cp1252" / "WEOOct2024all.xls"
    path.write_bytes(original.read_bytes().replace(b"Percent change", b"Index"))
    edition = _edition(tmp_path, "WEOOct2024all.xls", "2020-2028")
    with pytest.raises(SourceError) as info:
        run_import(tmp_path / "raw", edition)
    assert info.value.key == "inflation" and info.value.file.endswith("import.yaml")
    assert "unknown unit 'Index'" in info.value.message
    assert "'unit:'" in info.value.message and "WEO_UNITS" not in info.value.message
    imports = edition / "data" / "import.yaml"
    imports.write_text(imports.read_text(encoding="utf-8").replace(
        "series: PCPIPCH,", "series: PCPIPCH, unit: percent,"), encoding="utf-8")
    shutil.copy(releases / "wdi-2024" / "API_NE.EXP.GNFS.CD_DS2_en_csv_v2_9.csv",
                tmp_path / "raw")
    imports.write_text(imports.read_text(encoding="utf-8").replace("wdi-2024/", ""),
                       encoding="utf-8")
    run_import(tmp_path / "raw", edition)
    assert "unit: percent" in (edition / "data" / "datasets.yaml").read_text(encoding="utf-8")


def test_a_file_stating_no_release_asks_for_it_in_import_yaml(tmp_path, releases):
    (tmp_path / "raw").mkdir()
    shutil.copy(releases / "weo-oct2024-tab-cp1252" / "WEOOct2024all.xls",
                tmp_path / "raw" / "weo.xls")  # no footer, and a name that says nothing
    edition = _edition(tmp_path, "weo.xls", "2020-2028")
    with pytest.raises(SourceError) as info:
        run_import(tmp_path / "raw", edition)
    assert info.value.key == "weo" and info.value.line == 3
    assert "add it to source 'weo' (e.g. release: April 2024)" in info.value.message
    imports = edition / "data" / "import.yaml"
    imports.write_text(imports.read_text(encoding="utf-8").replace(
        "    format: weo\n", "    format: weo\n    release: October 2024\n"), encoding="utf-8")
    with pytest.raises(SourceError, match="raw file not found"):  # the WDI file is elsewhere
        run_import(tmp_path / "raw", edition)


@pytest.mark.parametrize("name,message", [
    ("weo-groups-alla/WEOApr2024alla.xls", "not a WEO 'by countries' file"),
    ("wdi-2024/API_NE.EXP.GNFS.CD_DS2_en_csv_v2_9.csv", "not a WEO 'by countries' file"),
])
def test_unknown_layout_is_located(name, message, releases):
    with pytest.raises(SourceError) as info:
        read_weo_table(releases / name)
    assert message in info.value.message and info.value.file.endswith(Path(name).name)
    assert "imf.org" in info.value.message  # where to get the right file


def test_wrong_series_code_suggests_close_codes(tmp_path, releases):
    edition = _edition(tmp_path, "weo-apr2024-xlsx/WEOApr2024all.xlsx", "2020-2028")
    imports = edition / "data" / "import.yaml"
    imports.write_text(imports.read_text(encoding="utf-8").replace("series: NGDPD,",
                                                                   "series: NGDP_D,"),
                       encoding="utf-8")
    with pytest.raises(SourceError) as info:
        run_import(releases, edition)
    assert info.value.key == "gdp" and "did you mean NGDPD" in info.value.message


def test_binary_excel_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "WEOApr2024all.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(SourceError, match="save it as .xlsx"):
        read_weo_table(path)


# ------------------------------------------------------------------------------ all or nothing


def test_a_failed_import_changes_nothing(tmp_path, releases):
    """The A1 symptom: a late error must not leave earlier datasets rewritten."""
    edition = _edition(tmp_path, "weo-apr2024-xlsx/WEOApr2024all.xlsx", "2020-2028")
    imports = edition / "data" / "import.yaml"
    # the last dataset asks for a year its file lacks: the first two were read already
    imports.write_text(imports.read_text(encoding="utf-8").replace("[2021, 2022]",
                                                                   "[2021, 2024]"),
                       encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (edition / "data").iterdir()}
    with pytest.raises(SourceError, match="no column for"):
        run_import(releases, edition)
    after = {p.name: p.read_bytes() for p in (edition / "data").iterdir()}
    assert after == before  # no new CSV, datasets.yaml untouched, no temporary file left


def test_a_write_failure_changes_nothing(tmp_path, monkeypatch, releases):
    edition = _edition(tmp_path, "weo-apr2024-xlsx/WEOApr2024all.xlsx", "2020-2028")
    before = {p.name: p.read_bytes() for p in (edition / "data").iterdir()}
    import briefing.data.importing as importing
    real = importing.tempfile.mkstemp
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # the third file cannot be written (a full disk)
            raise OSError(28, "No space left on device", str(edition / "data"))
        return real(*args, **kwargs)
    monkeypatch.setattr(importing.tempfile, "mkstemp", failing)
    with pytest.raises(SourceError, match="nothing was changed"):
        run_import(releases, edition)
    assert {p.name: p.read_bytes() for p in (edition / "data").iterdir()} == before
