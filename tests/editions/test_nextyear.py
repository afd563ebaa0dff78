"""--new-edition checks what it is given: downloads under --raw, the years the new edition asks
of them, hand-typed data's years; and it lists the steps left."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.editions import new_edition
from briefing.errors import SourceError
from paths import ROOT

EDITION = ROOT / "sources" / "gcc-central-asia-2023"
FILES = {"weo": "imf_weo_apr2024/WEOApr2024all.xlsx", "wdi": "wb_wdi_2024/"}


@pytest.fixture
def raw(tmp_path, releases) -> Path:
    copy = tmp_path / "raw"
    shutil.copytree(releases / "next", copy)
    return copy


@pytest.mark.parametrize("remove,message", [
    ("wb_wdi_2024", "the World Bank folder given with --wdi does not exist"),
    ("imf_weo_apr2024/WEOApr2024all.xlsx", "the WEO file given with --weo is not there"),
    ("wb_wdi_2024/API_NE.IMP.GNFS.CD_DS2_en_csv_v2_702.csv",
     "no API_<code>_DS2_….csv file for NE.IMP.GNFS.CD"),
])
def test_missing_downloads_stop_before_anything_is_written(tmp_path, raw, remove, message):
    target = raw / remove
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    with pytest.raises(SourceError) as info:
        new_edition(EDITION, tmp_path / "new", files=FILES, raw=raw)
    assert message in info.value.message
    assert info.value.file.startswith(str(raw))
    assert not (tmp_path / "new").exists()


def test_cli_wants_raw_with_the_downloads(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--edition", str(EDITION), "--new-edition", str(tmp_path / "new"),
              "--wdi", "wb_wdi_2024/"])
    assert info.value.code == 2 and "need --raw" in capsys.readouterr().err


def test_hand_typed_data_keeps_its_years_and_steps_are_listed(tmp_path, raw):
    notes = new_edition(EDITION, tmp_path / "new", files=FILES, raw=raw)
    figures = tmp_path / "new" / "figures"
    assert "years: 2014-2021" in (figures / "gcc-ca-trade.yaml").read_text(encoding="utf-8")
    assert "years: [2021]" in (figures / "gcc-exports-composition.yaml").read_text(
        encoding="utf-8")
    assert "years: 2016-2029" in (figures / "gdp-groups.yaml").read_text(encoding="utf-8")
    assert "years: [2022]" in (figures / "trade-openness.yaml").read_text(encoding="utf-8")
    steps = [n for n in notes if n.startswith("step ")]
    assert steps[0].startswith("step 1: import the data: ") and str(raw) in steps[0]
    assert "gcc_ca_trade (2014-2021)" in steps[1]
    assert steps[-1] == f"step {len(steps)}: build: ./run.sh book --edition {tmp_path / 'new'}"
    assert not [n for n in notes if n.startswith("to fix")]
    shifted = tmp_path / "shifted"
    new_edition(EDITION, shifted, files=FILES, raw=raw, shift_typed=True)
    assert "years: 2015-2022" in (shifted / "figures" / "gcc-ca-trade.yaml").read_text(
        encoding="utf-8")


def test_a_release_with_fewer_years_says_which_years_to_change(tmp_path, raw):
    openpyxl = pytest.importorskip("openpyxl")
    path = raw / FILES["weo"]
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    sheet.delete_cols(header.index(2029) + 1)  # a release whose projections end in 2028
    book.save(path)
    notes = new_edition(EDITION, tmp_path / "new", files=FILES, raw=raw)
    fixes = [n for n in notes if n.startswith("to fix: ")]
    assert ("to fix: data/import.yaml:21 [gdp]: WEOApr2024all.xlsx has no column for [2029] "
            "(its years: 2015–2028): change years: 2015-2029 to 2015-2028") in fixes
    assert ("to fix: figures/gdp-groups.yaml: years 2016-2029 asks 'gdp' for [2029], which the "
            "new download does not have: change it to 2016-2028") in fixes
    assert any(n.startswith("step 1: fix the years") for n in notes)


def test_compare_tells_how_to_cite_hand_typed_data_without_a_new_column(tmp_path, raw):
    from briefing.editions import compare
    from briefing.data.importing import run_import
    new = tmp_path / "new"
    new_edition(EDITION, new, files=FILES, raw=raw)
    run_import(raw, new)
    report = new / "text" / "03-economic-report.md"
    report.write_text(report.read_text(encoding="utf-8") + '\n{{ value("gcc_ca_trade", "total", '
                      'reference_year - 1) }}\n', encoding="utf-8")
    errors = compare(EDITION, new).errors
    assert len(errors) == 1 and "the text cites gcc_ca_trade total 2022" in errors[0]
    assert 'type its 2022 column, or write latest_year("gcc_ca_trade")' in errors[0]
