"""Native Word charts (briefing.writers.docx.native_charts, .oxml_chart): the parts in the
.docx, the values cached in each chart and held by its embedded workbook against the model's
data, the direction conventions in the chart XML, and LibreOffice's rendering of every chart."""

from __future__ import annotations

import html
import io
import os
import posixpath
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from briefing import model as m
from briefing.build import DEFAULT_EDITION, check, draw_figures
from briefing.cli import parse_args
from briefing.numerals import localize_digits
from briefing.writers.docx import write_docx
from briefing.writers.docx.native_charts import excel_number
from paths import FIXTURES, STYLES

openpyxl = pytest.importorskip("openpyxl")

FIXTURE = FIXTURES / "word-charts"
NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
PROJECTIONS = {"ar": "تقديرات", "en": "Projections"}


@dataclass
class Built:
    book: m.Book
    docx: Path

    def figures(self) -> list[tuple[m.Figure, str, str]]:
        """(figure, language, digits of its part) in reading order."""
        return [(node, part.lang, part.digits) for part, node in m.walk_with_part(self.book)
                if isinstance(node, m.Figure)]

    def native(self):
        return [f for f in self.figures() if f[0].image.native is not None]


def _build(edition_dir: Path, out: Path, word_charts: str = "native") -> Built:
    book = draw_figures(check(edition_dir), out / "charts", STYLES, word_charts=word_charts)
    write_docx(book, out / "book.docx", STYLES)
    return Built(book, out / "book.docx")


@pytest.fixture(scope="session")
def default_built(tmp_path_factory):
    return _build(DEFAULT_EDITION, tmp_path_factory.mktemp("native-default"))


@pytest.fixture(scope="session")
def fixture_built(tmp_path_factory):
    return _build(FIXTURE, tmp_path_factory.mktemp("native-fixture"))


@pytest.fixture(params=["default", "fixture"])
def built(request):
    return request.getfixturevalue(f"{request.param}_built")


# ---------------------------------------------------------------- reading the package


@dataclass
class ChartInPackage:
    xml: etree._Element
    workbook: bytes
    inline: etree._Element     # the wp:inline that shows it
    paragraph: etree._Element  # the w:p that holds it


def charts_in(docx: Path) -> list[ChartInPackage]:
    """Every native chart of the document, in document order."""
    with zipfile.ZipFile(docx) as z:
        document = etree.fromstring(z.read("word/document.xml"))
        doc_rels = _rels_of(z, "word/document.xml")
        out = []
        for chart in document.iter(f"{{{NS['c']}}}chart"):
            part = doc_rels[chart.get(f"{{{NS['r']}}}id")]
            xml = etree.fromstring(z.read(part))
            ext = xml.find("c:externalData", NS)
            workbook = _rels_of(z, part)[ext.get(f"{{{NS['r']}}}id")]
            inline = next(a for a in chart.iterancestors() if a.tag == f"{{{NS['wp']}}}inline")
            paragraph = next(a for a in chart.iterancestors() if a.tag == f"{{{NS['w']}}}p")
            out.append(ChartInPackage(xml, z.read(workbook), inline, paragraph))
        return out


def _rels_of(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id → part name inside the package (targets resolved against the part)."""
    folder, name = posixpath.split(part)
    rels = etree.fromstring(z.read(f"{folder}/_rels/{name}.rels"))
    return {rel.get("Id"): posixpath.normpath(posixpath.join(folder, rel.get("Target")))
            for rel in rels.findall("rel:Relationship", NS)}


def cached_table(xml) -> tuple[list[str], dict[str, list[float | None]]]:
    """The categories and, by series name, the values cached in a chart part."""
    categories, series = None, {}
    sers = sorted(xml.iterfind(".//c:ser", NS), key=lambda s: int(s.find("c:idx", NS).get("val")))
    for ser in sers:
        name = ser.find("c:tx//c:v", NS).text
        cats = ser.find("c:cat//c:strCache", NS)
        n = int(cats.find("c:ptCount", NS).get("val"))
        cat_values = [None] * n
        for pt in cats.findall("c:pt", NS):
            cat_values[int(pt.get("idx"))] = pt.find("c:v", NS).text
        assert categories in (None, cat_values)
        categories = cat_values
        cache = ser.find("c:val//c:numCache", NS)
        values = [None] * int(cache.find("c:ptCount", NS).get("val"))
        for pt in cache.findall("c:pt", NS):
            values[int(pt.get("idx"))] = float(pt.find("c:v", NS).text)
        series[name] = values
    return categories, series


def workbook_table(blob: bytes) -> tuple[list[str], dict[str, list[float | None]]]:
    """The same, read from the embedded workbook with openpyxl (names in row 1, categories in
    column A)."""
    sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
    rows = list(sheet.iter_rows(values_only=True))
    names = rows[0][1:]
    categories = [r[0] for r in rows[1:]]
    return categories, {name: [r[k + 1] for r in rows[1:]] for k, name in enumerate(names)}


# ---------------------------------------------------------------- the package


def test_default_edition_holds_16_native_charts_and_the_map_picture(default_built):
    charts = charts_in(default_built.docx)
    assert len(charts) == 16 == len(default_built.native())
    with zipfile.ZipFile(default_built.docx) as z:
        names = z.namelist()
        document = etree.fromstring(z.read("word/document.xml"))
        types = z.read("[Content_Types].xml").decode()
    assert sorted(n for n in names if re.fullmatch(r"word/charts/chart\d+\.xml", n)) == sorted(
        f"word/charts/chart{i}.xml" for i in range(1, 17))
    assert len([n for n in names if re.fullmatch(r"word/embeddings/.+\.xlsx", n)]) == 16
    pictures = document.findall(".//pic:pic", NS)
    assert len(pictures) == 1  # the locator map
    for i in range(1, 17):
        assert (f'<Override PartName="/word/charts/chart{i}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.drawingml.chart+xml"/>') in types
    assert ('Extension="xlsx" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet"') in types


def test_cached_values_and_workbook_equal_the_model_data(built):
    charts = charts_in(built.docx)
    figures = built.native()
    assert len(charts) == len(figures)
    for chart, (fig, lang, digits) in zip(charts, figures):
        data = fig.image.native.data
        cats, cached = cached_table(chart.xml)
        wb_cats, held = workbook_table(chart.workbook)
        assert cached == held, fig.id          # the same names, values and empty cells
        assert cats == wb_cats, fig.id
        expected_cats = [localize_digits(c, digits) if data.x_is_time else c
                         for c in data.categories]
        assert cats == expected_cats, fig.id
        used = set()
        for s in data.series:
            name = s.name if data.x_is_time else localize_digits(s.name, digits)
            column = held[name]
            used.add(name)
            projected = held.get(f"{name} – {PROJECTIONS[lang]}")
            if projected is not None:
                used.add(f"{name} – {PROJECTIONS[lang]}")
            for k, value in enumerate(s.values):
                value = excel_number(value)  # Excel's 15 significant digits
                if column[k] is not None:
                    assert column[k] == value, (fig.id, name, k)
                    assert not s.estimate[k] or projected is None, (fig.id, name, k)
                else:  # a line's projected year: in its dashed series
                    assert s.estimate[k] and projected[k] == value, (fig.id, name, k)
        for name in set(held) - used:  # the projections key: a name, no values
            assert name == PROJECTIONS[lang] and not any(v is not None for v in held[name])


def test_a_workbook_is_dated_by_the_edition_and_right_to_left_in_arabic(fixture_built):
    date = fixture_built.book.meta.date.isoformat()
    for chart, (fig, lang, _) in zip(charts_in(fixture_built.docx), fixture_built.native()):
        with zipfile.ZipFile(io.BytesIO(chart.workbook)) as z:
            assert f"<dcterms:created xsi:type=\"dcterms:W3CDTF\">{date}T00:00:00Z" in z.read(
                "docProps/core.xml").decode()
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert ('rightToLeft="1"' in sheet) == (lang == "ar"), fig.id


def test_two_builds_give_the_same_bytes(fixture_built, tmp_path):
    write_docx(fixture_built.book, tmp_path / "again.docx", STYLES)
    assert (tmp_path / "again.docx").read_bytes() == fixture_built.docx.read_bytes()


def test_word_charts_picture_writes_pictures(tmp_path):
    built = _build(FIXTURE, tmp_path, word_charts="picture")
    assert not built.native()
    assert charts_in(built.docx) == []
    with zipfile.ZipFile(built.docx) as z:
        assert len(etree.fromstring(z.read("word/document.xml")).findall(".//pic:pic", NS)) == 8
    assert parse_args(["--word-charts", "picture"]).word_charts == "picture"
    assert parse_args([]).word_charts == "native"


# ---------------------------------------------------------------- looks and directions


def _axis(xml, tag: str):
    return xml.find(f".//c:plotArea/c:{tag}", NS)


def _by_id(built: Built):
    return {fig.id: (chart, fig, lang, digits)
            for chart, (fig, lang, digits) in zip(charts_in(built.docx), built.native())}


def test_direction_conventions_follow_the_chart_style(fixture_built):
    charts = _by_id(fixture_built)

    def orientation(fig_id, axis):
        return _axis(charts[fig_id][0].xml, axis).find("c:scaling/c:orientation", NS).get("val")

    def label_position(fig_id, axis):
        return _axis(charts[fig_id][0].xml, axis).find("c:tickLblPos", NS).get("val")

    # Arabic categories from the right (the value axis crosses at the first: on the right)
    assert orientation("gdp-bar", "catAx") == "maxMin"
    # Arabic time runs left to right, the value axis's labels on the right
    assert orientation("gdp-line", "catAx") == "minMax"
    assert label_position("gdp-line", "valAx") == "high"
    assert orientation("trade-bar-line", "catAx") == "minMax"
    # horizontal bars: the first at the top; Arabic bars grow leftwards from the right
    assert orientation("gdp-barh", "catAx") == "maxMin"
    assert orientation("gdp-barh", "valAx") == "maxMin"
    # English: left to right, value axis on the left, legend under the plot
    assert orientation("gdp-line-en", "catAx") == "minMax"
    assert label_position("gdp-line-en", "valAx") == "nextTo"
    # ST_LegendPos's default is "r" (python-pptx leaves it out)
    legend = lambda i: charts[i][0].xml.find(".//c:legend/c:legendPos", NS).get("val", "r")  # noqa
    assert legend("gdp-line-en") == "b" and legend("gdp-line") == "r"
    assert legend("population-donut") == "l" and legend("population-pie") == "r"
    # the chart's paragraph is left to right (LibreOffice prints numbers backwards in a w:bidi
    # paragraph), against the right-to-left styles of an Arabic book, in the centred Figure style
    for chart, *_ in charts.values():
        ppr = chart.paragraph.find("w:pPr", NS)
        assert ppr.find("w:bidi", NS).get(f"{{{NS['w']}}}val") == "0"
        assert ppr.find("w:pStyle", NS).get(f"{{{NS['w']}}}val") == "Figure"


def test_digits_fonts_and_number_formats_are_the_parts(fixture_built):
    for chart, fig, lang, digits in _by_id(fixture_built).values():
        xml = chart.xml
        codes = [e.get("formatCode") for e in xml.iter(f"{{{NS['c']}}}numFmt")]
        codes += [e.text for e in xml.iter(f"{{{NS['c']}}}formatCode")]
        assert codes, fig.id
        assert all(c.startswith("[$-2000401]") == (digits == "arabic-indic") for c in codes), fig.id
        assert all("\u2212" in c for c in codes), fig.id  # negatives take a true minus sign
        if digits == "arabic-indic":
            # a right-to-left run, as in the prose: the minus drawn on the right, ٪ on the left
            assert all(section.startswith('[$-2000401]"\u200f') and section.endswith('"\u200f"')
                       for c in codes for section in c.split(";")), fig.id
        faces = {e.get("typeface") for e in xml.iter(f"{{{NS['a']}}}cs")}
        assert faces == {"Amiri" if lang == "ar" else "Noto Serif"}, fig.id
    assert any(c.startswith("[$-2000401]") for chart, *_ in _by_id(fixture_built).values()
               for c in [e.get("formatCode") for e in chart.xml.iter(f"{{{NS['c']}}}numFmt")])


def test_projections_are_dashed_series_without_their_own_legend_entry(fixture_built):
    chart, fig, lang, _ = _by_id(fixture_built)["gdp-line"]
    xml = chart.xml
    series = {s.find("c:tx//c:v", NS).text: s for s in xml.iterfind(".//c:ser", NS)}
    dashed = [name for name, s in series.items()
              if s.find("c:spPr/a:ln/a:prstDash", NS) is not None]
    assert sorted(dashed) == sorted(["كازاخستان – تقديرات", "أوزبكستان – تقديرات", "تقديرات"])
    hidden = {int(e.find("c:idx", NS).get("val")) for e in xml.iterfind(".//c:legendEntry", NS)
              if e.find("c:delete", NS).get("val") == "1"}
    names = {int(s.find("c:idx", NS).get("val")): n for n, s in series.items()}
    assert {names[i] for i in hidden} == {"كازاخستان – تقديرات", "أوزبكستان – تقديرات"}
    # projected bars: hatched over a lighter tint
    bar, *_ = _by_id(fixture_built)["gdp-bar"]
    assert bar.xml.findall(".//c:dPt/c:spPr/a:pattFill", NS)


def test_alt_text_gives_the_data(fixture_built):
    chart, fig, *_ = _by_id(fixture_built)["gdp-barh"]
    descr = chart.inline.find("wp:docPr", NS).get("descr")
    assert descr == fig.alt  # made with the model (briefing/charts/alt_text.py)
    assert descr.startswith(f"{fig.label}: {m.plain_text(fig.caption)}")
    assert "كازاخستان ٢٢٥٫٨" in descr and "قيرغيزستان ١١٫١" in descr


# ---------------------------------------------------------------- rendered by LibreOffice

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
CHART_TEXT_HEIGHT = 11.0  # points: a word box of chart text (6.5-8 pt) is under 11 pt high
LINE_HEIGHT = 13.0        # … of a caption, source line or body text (10.5 pt and more) over 13


@dataclass
class Word:
    text: str
    x: float
    y: float
    height: float
    width: float
    page: int


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, request):
    """Each native-chart docx laid out by LibreOffice with the bundled fonts: words with boxes."""

    if not OFFICE or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice or pdftotext (poppler-utils) is not installed")
    out = {}
    work = tmp_path_factory.mktemp("lo-charts")
    fonts_conf = work / "fonts.conf"
    fonts_conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f'<dir>{STYLES / "fonts"}</dir><cachedir>{work / "fc-cache"}</cachedir></fontconfig>')
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf)}

    def render(name: str, built: Built):
        folder = work / name
        folder.mkdir()
        docx = shutil.copyfile(built.docx, folder / f"{name}.docx")
        subprocess.run([OFFICE, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                        "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(docx)],
                       check=True, timeout=300, capture_output=True, env=env)
        boxes = subprocess.run(["pdftotext", "-bbox", str(folder / f"{name}.pdf"), "-"],
                              check=True, capture_output=True, text=True, timeout=60).stdout
        words, page = [], 0
        for line in boxes.splitlines():
            if "<page " in line:
                page += 1
            hit = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                            r'yMax="([\d.]+)">(.*)</word>', line)
            if hit:
                x0, y0, x1, y1 = map(float, hit.groups()[:4])
                words.append(Word(html.unescape(hit.group(5)), (x0 + x1) / 2, (y0 + y1) / 2,
                                  y1 - y0, x1 - x0, page))
        return folder / f"{name}.pdf", words

    def get(name: str):
        if name not in out:
            out[name] = render(name, request.getfixturevalue(f"{name}_built"))
        return out[name]
    return get


def _norm(word: str) -> str:
    """A word as pdftotext gives it, or its logical form: Arabic comes out in visual order (and
    a lam-alef ligature as lam then alef), so compare reversed with lam-alef pairs put first;
    short vowels (عُمان) are left out, as pdftotext places them anywhere."""
    return re.sub(r"([اأإآ])ل", r"ل\1", re.sub("[\u064b-\u065f\u0670]", "", word))


def _arabic(word: str) -> bool:
    return any("\u0621" <= ch <= "\u064a" for ch in word)


def _matches(extracted: str, label_word: str) -> bool:
    """Numbers (years) must come out as written: printed backwards («5102») they do not match."""
    if not _arabic(label_word):
        return extracted == label_word
    return _norm(extracted) == _norm(label_word) or _norm(extracted[::-1]) == _norm(label_word)


def _piece_of(extracted: str, label_word: str) -> bool:
    if not _arabic(label_word):
        return False
    piece = _norm(extracted[::-1])
    return len(piece) >= 3 and piece in _norm(label_word)


def chart_clusters(words: list[Word]) -> list[list[Word]]:
    """The words of each chart, in reading order of the charts: runs of small (chart) text on a
    page, cut wherever a line of larger text (a caption, a source line) lies between them.
    Turned text (an axis title) has boxes taller than wide: it is neither."""
    clusters = []
    for page in sorted({w.page for w in words}):
        on_page = sorted((w for w in words if w.page == page), key=lambda w: w.y)
        current: list[Word] = []
        for w in on_page:
            if w.height < CHART_TEXT_HEIGHT:
                current.append(w)
            elif w.height >= LINE_HEIGHT and w.width > w.height and current:
                clusters.append(current)
                current = []
        if current:
            clusters.append(current)
    # not a lone superscript or page number, nor calls of notes in a row («7،8،9»): a chart has
    # words (its categories or its legend)
    return [c for c in clusters if len(c) >= 4 and any(ch.isalpha() for w in c for ch in w.text)]


@pytest.mark.parametrize("name", ["default", "fixture"])
def test_libreoffice_draws_every_chart_with_its_categories_in_order(name, request, rendered):
    built = request.getfixturevalue(f"{name}_built")
    pdf, words = rendered(name)
    clusters = chart_clusters(words)
    native = built.native()
    assert len(clusters) == len(native), [(c[0].page, len(c)) for c in clusters]
    for cluster, (fig, lang, digits) in zip(clusters, native):
        native_chart = fig.image.native
        data = native_chart.data
        labels = [localize_digits(c, digits) if data.x_is_time else c for c in data.categories]
        found = []
        for label in labels:
            others = {w for other in labels if other != label for w in other.split()}
            key = max((w for w in label.split() if w not in others), key=len)
            # a whole word, else the longest piece of one (pdftotext cuts «عُمان» at its vowel)
            hits = [w for w in cluster if _matches(w.text, key)] or sorted(
                (w for w in cluster if _piece_of(w.text, key)), key=lambda w: -len(w.text))
            assert hits, (fig.id, label, sorted({w.text for w in cluster}))
            found.append(hits[0])
        if native_chart.kind in ("barh", "pie", "donut"):
            along = [w.y for w in found]            # from the top (legend rows, bar rows)
        elif lang == "ar" and not data.x_is_time:
            along = [-w.x for w in found]           # from the right
        else:
            along = [w.x for w in found]            # from the left
        assert along == sorted(along) and len(set(along)) == len(along), (fig.id, labels)


def test_a_chart_style_without_word_fonts_is_a_located_error(fixture_built, tmp_path):
    import datetime as dt

    from briefing.charts.render import load_chart_style
    from briefing.writers.docx.native_charts import chart_parts
    from briefing.errors import SourceError

    text = (STYLES / "chart.yaml").read_text(encoding="utf-8")
    (tmp_path / "chart.yaml").write_text(text.replace("fonts: {ar: Amiri, en: Noto Serif}",
                                                      "fonts: {en: Noto Serif}"), encoding="utf-8")
    shutil.copyfile(STYLES / "identity.yaml", tmp_path / "identity.yaml")
    style = load_chart_style(tmp_path / "chart.yaml", STYLES / "fonts")
    fig = fixture_built.native()[0][0]
    with pytest.raises(SourceError) as error:
        chart_parts(fig.image.native, style, "ar", "western", dt.date(2023, 7, 19))
    assert str(error.value.file) == str(tmp_path / "chart.yaml") and error.value.key == "word"
    assert chart_parts(fig.image.native, style, "en", "western", dt.date(2023, 7, 19)).workbook
