"""The build's caching and parallel work: unchanged charts are reused, changed ones redrawn.

Assertions are on what the charts stage reports and on the cache's files, never on timings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.build import STYLES, DrawStats, build, draw_figures
from briefing.errors import SourceError
from briefing.sources.loading import load_edition

GDP_CHART = """caption: الناتج المحلي الإجمالي، 2021م–2022م
chart: bar
data: gdp
x: entities
entities: [KAZ, KGZ, UZB]
years: [2021, 2022]
"""


@pytest.fixture
def two_charts(edition_copy) -> Path:
    """The tiny edition with a second chart, of another dataset than the first."""
    (edition_copy / "figures" / "gdp-chart.yaml").write_text(GDP_CHART, encoding="utf-8")
    report = edition_copy / "text" / "01-report.md"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "[[figure:population-chart]]\n", "[[figure:population-chart]]\n\n[[figure:gdp-chart]]\n"),
        encoding="utf-8")
    return edition_copy


def draw(edition_dir: Path, cache: Path, workers: int = 2) -> DrawStats:
    stats = DrawStats()
    book = draw_figures(load_edition(edition_dir), cache, STYLES, workers=workers, stats=stats)
    for part in book.parts:
        for block in part.blocks:
            if getattr(block, "image", None) is not None:
                # the PNG only where Word shows a picture (not a native chart)
                assert block.image.pdf.exists()
                assert block.image.png.exists() == (block.image.native is None)
    return stats


def files(cache: Path) -> set[str]:
    return {p.name for p in cache.iterdir()}


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_paragraph_edit_redraws_no_chart(two_charts, tmp_path):
    cache = tmp_path / "cache"
    first = draw(two_charts, cache)
    assert sorted(first.drawn) == [("gdp-chart", "ar"), ("population-chart", "ar")]
    assert first.reused == []
    before = files(cache)
    # the one-page PDF the PDF writer places, per chart (no PNG: Word draws these charts
    # natively), nothing else left behind
    assert sorted(name.rsplit(".", 1)[1] for name in before) == ["pdf", "pdf"]

    replace_in(two_charts / "text" / "01-report.md", "نص داخل الإطار.", "نص آخر داخل الإطار.")
    second = draw(two_charts, cache)
    assert second.drawn == []
    assert sorted(second.reused) == [("gdp-chart", "ar"), ("population-chart", "ar")]
    assert files(cache) == before


def test_a_data_edit_redraws_only_the_chart_that_shows_it(two_charts, tmp_path):
    cache = tmp_path / "cache"
    draw(two_charts, cache)
    before = files(cache)

    replace_in(two_charts / "data" / "gdp.csv", "KGZ,2021,8.747,11.052", "KGZ,2021,8.747,11.5")
    stats = draw(two_charts, cache)
    assert stats.drawn == [("gdp-chart", "ar")]
    assert stats.reused == [("population-chart", "ar")]
    new = files(cache) - before
    assert len(new) == 1 and all(name.startswith("gdp-chart-ar-") for name in new)


def test_parallel_and_serial_drawing_give_the_same_files(two_charts, tmp_path):
    draw(two_charts, tmp_path / "serial", workers=1)
    draw(two_charts, tmp_path / "parallel", workers=2)
    serial, parallel = files(tmp_path / "serial"), files(tmp_path / "parallel")
    assert serial == parallel
    for name in serial:
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "parallel" / name).read_bytes()


def test_a_chart_error_from_a_worker_names_the_spec(two_charts, tmp_path):
    replace_in(two_charts / "figures" / "gdp-chart.yaml", "years: [2021, 2022]", "years: [2021, 2030]")
    with pytest.raises(SourceError) as caught:
        draw(two_charts, tmp_path / "cache")
    assert caught.value.file.endswith("gdp-chart.yaml") and "2030" in caught.value.message


def test_warm_build_reports_reused_charts_and_writes_both_formats(two_charts, tmp_path):
    out = tmp_path / "out"
    lines: list[str] = []
    build(two_charts, out, progress=lines.append)
    assert [line[:5] for line in lines] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    pdf, docx = out / "mini.pdf", out / "mini.docx"
    first = pdf.read_bytes(), docx.read_bytes()

    lines.clear()
    build(two_charts, out, progress=lines.append)
    assert "(0 changed, 2 unchanged from the cache)" in lines[1]
    assert (pdf.read_bytes(), docx.read_bytes()) == first  # same sources, same bytes
    assert sorted(p.name for p in out.iterdir()) == [".cache", "mini.docx", "mini.pdf"]


def test_a_source_error_found_while_the_pdf_waits_leaves_both_outputs_untouched(two_charts, tmp_path):
    out = tmp_path / "out"
    build(two_charts, out)  # both formats: sources loaded in a second process
    pdf, docx = out / "mini.pdf", out / "mini.docx"
    before = pdf.read_bytes(), docx.read_bytes()
    replace_in(two_charts / "text" / "01-report.md", "[[ref:population]]", "[[ref:nowhere]]")
    with pytest.raises(SourceError) as caught:
        build(two_charts, out)
    assert "nowhere" in caught.value.message and caught.value.file.endswith("01-report.md")
    assert (pdf.read_bytes(), docx.read_bytes()) == before
    assert sorted(p.name for p in out.iterdir()) == [".cache", "mini.docx", "mini.pdf"]


def test_a_chart_that_fails_while_the_pdf_is_laid_out_leaves_both_outputs_untouched(
        two_charts, tmp_path, monkeypatch):
    """The PDF is laid out while the charts are drawn (in the forked process): a chart that
    fails only when drawn is still one SourceError, and no output changes."""
    import briefing.build

    out = tmp_path / "out"
    build(two_charts, out, workers=2)
    pdf, docx = out / "mini.pdf", out / "mini.docx"
    before = pdf.read_bytes(), docx.read_bytes()
    replace_in(two_charts / "data" / "gdp.csv", "KGZ,2021,8.747,11.052", "KGZ,2021,8.747,11.5")
    drawn = briefing.build.render_chart

    def failing(spec, *args, **kwargs):
        if spec.id == "gdp-chart":
            raise SourceError("cannot draw this chart", file=str(spec.file), key="chart")
        return drawn(spec, *args, **kwargs)

    monkeypatch.setattr(briefing.build, "render_chart", failing)
    lines: list[str] = []
    with pytest.raises(SourceError) as caught:
        build(two_charts, out, workers=2, progress=lines.append)
    assert caught.value.message == "cannot draw this chart"
    assert caught.value.file.endswith("gdp-chart.yaml")
    assert any(line.startswith("[3/4]") for line in lines)  # the PDF was being written
    assert (pdf.read_bytes(), docx.read_bytes()) == before
    assert sorted(p.name for p in out.iterdir()) == [".cache", "mini.docx", "mini.pdf"]


def test_a_build_leaves_the_garbage_collector_as_it_found_it(two_charts, tmp_path, monkeypatch):
    """The build collects garbage less often while it runs (build._fewer_collections); a
    program that calls it, as these tests do, gets its own settings back, nothing frozen, and
    the outputs are the bytes of a build that collects as usual."""
    import contextlib
    import gc

    import briefing.build

    threshold = gc.get_threshold()
    build(two_charts, tmp_path / "a", workers=1)
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
    monkeypatch.setattr(briefing.build, "_fewer_collections", contextlib.nullcontext)
    build(two_charts, tmp_path / "b", workers=1)
    for name in ("mini.pdf", "mini.docx"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
