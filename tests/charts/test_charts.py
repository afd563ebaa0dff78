"""The charts stage: specs, every chart kind, determinism and caching, digits, right-to-left
conventions, the map outlines, and the glyph check (matplotlib's glyphs == HarfBuzz's)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import MappingProxyType as MP

import pikepdf
import pytest

from briefing.charts import shaping as at
from briefing.charts.render import build_figure, labels_of, load_chart_style, render_chart
from briefing.sources.figures import read_chart_spec
from briefing.data.store import Dataset, DataStore, Entity
from briefing.errors import SourceError
from briefing.data.geography import read_countries
from paths import RAW, ROOT
import glyphs

STYLE = ROOT / "styles" / "chart.yaml"
MAP = ROOT / "sources" / "gcc-central-asia-2023" / "data" / "map.geojson"
AR_FONT = ROOT / "styles" / "fonts" / "NotoSansArabic-Regular.ttf"
EN_FONT = ROOT / "styles" / "fonts" / "NotoSerif-Regular.ttf"

# --- a small store (seed figures where the seed has them; series shapes otherwise synthetic) -----

CA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
GCC = ("ARE", "BHR", "SAU", "OMN", "QAT", "KWT")
NAMES = {"KAZ": ("كازاخستان", "Kazakhstan"), "KGZ": ("قيرغيزستان", "Kyrgyzstan"),
         "TJK": ("طاجيكستان", "Tajikistan"), "TKM": ("تركمانستان", "Turkmenistan"),
         "UZB": ("أوزبكستان", "Uzbekistan"), "ARE": ("الإمارات", "UAE"), "BHR": ("البحرين", "Bahrain"),
         "SAU": ("السعودية", "Saudi Arabia"), "OMN": ("عُمان", "Oman"), "QAT": ("قطر", "Qatar"),
         "KWT": ("الكويت", "Kuwait"), "exports": ("الصادرات", "Exports"),
         "imports": ("الواردات", "Imports"), "balance": ("الميزان التجاري", "Balance"),
         "machinery": ("الآلات والمعدات الكهربائية", "Electrical machinery"),
         "vehicles": ("المركبات وأجزاؤها", "Vehicles and parts"),
         "mech": ("الآلات الميكانيكية", "Mechanical machinery"), "tobacco": ("التبغ", "Tobacco"),
         "perfume": ("العطور ومستحضرات التجميل", "Perfumes and cosmetics"), "other": ("أخرى", "Other")}


def make_store() -> DataStore:
    ents = {c: Entity(c, ar, en) for c, (ar, en) in NAMES.items()}
    ents["CA"] = Entity("CA", "مجموعة آسيا الوسطى", "Central Asia", CA)
    ents["GCC"] = Entity("GCC", "دول مجلس التعاون", "GCC", GCC)
    def ds(id, unit, scale, dec, values, est=None, title="مؤشر"):
        return Dataset(id, title, id, unit, scale, dec, "src", "مصدر", f"data/{id}.csv",
                       MP(values), MP(est or {}))
    pop = {("KAZ", 2022): 19.7, ("TKM", 2022): 6.2, ("UZB", 2022): 35.3, ("TJK", 2022): 9.8,
           ("KGZ", 2022): 6.8, ("CA", 2022): 77.9, ("GCC", 2022): 58.3}
    cab = {("KAZ", 2022): 2.8, ("TKM", 2022): 5.7, ("UZB", 2022): 1.4, ("TJK", 2022): 6.2,
           ("KGZ", 2022): -26.8}
    gdp = {}
    for i, y in enumerate(range(2015, 2029)):
        gdp[("CA", y)] = round(300 + 9.5 * i + (i % 3) * 4, 1)
        gdp[("GCC", y)] = round(1600 + 60 * i - (250 if y == 2020 else 0), 1)
    infl = {}
    for c, base in zip(CA, (6, 8, 7, 9, 12)):
        for i, y in enumerate(range(2015, 2024)):
            infl[(c, y)] = round(base + 3 * ((i * 7 + len(c)) % 5 - 2) / 2, 1)
    trade = {}
    imp = (0.44, 0.45, 0.17, 0.27, 0.28, 0.64, 0.43, 1.03)
    bal = (1.19, 0.71, 0.82, 0.97, 1.68, 1.21, 1.18, 1.03)
    for i, y in enumerate(range(2014, 2022)):
        trade[("imports", y)] = imp[i]
        trade[("balance", y)] = bal[i]
        trade[("exports", y)] = round(imp[i] + bal[i], 2)
    comp = {("machinery", 2021): 47.6, ("vehicles", 2021): 14.3, ("mech", 2021): 14.3,
            ("tobacco", 2021): 4.8, ("perfume", 2021): 4.8, ("other", 2021): 14.2}
    pc = {("KAZ", 2022): 11440, ("TKM", 2022): 12500, ("UZB", 2022): 2280, ("TJK", 2022): 1064,
          ("KGZ", 2022): 1626, ("CA", 2022): 5208, ("GCC", 2022): 37448}
    datasets = {
        "population": ds("population", "people", "million", 1, pop),
        "current_account": ds("current_account", "percent_of_gdp", "one", 1, cab),
        "gdp": ds("gdp", "USD", "billion", 1, gdp, {"CA": 2022, "GCC": 2022}),
        "inflation": ds("inflation", "percent", "one", 1, infl, {c: 2022 for c in CA}),
        "trade": ds("trade", "USD", "billion", 2, trade),
        "exports_mix": ds("exports_mix", "percent", "one", 1, comp),
        "gdp_pc": ds("gdp_pc", "USD", "one", 0, pc),
    }
    return DataStore(MP(datasets), MP(ents))


SPECS = {
    "population": "caption: عدد السكان، 2022م\nchart: bar\ndata: population\nx: entities\nentities: [CA, GCC]\nyears: [2022]\nvalue_labels: true\n",
    "gdp-per-capita": "caption: معدل الدخل الفردي، 2022م\nchart: bar\ndata: gdp_pc\nentities: [KAZ, TKM, UZB, TJK, KGZ, CA, GCC]\nyears: [2022]\nvalue_labels: true\n",
    "population-share": "caption: توزع سكان مجموعة آسيا الوسطى حسب الدولة، 2022م\nchart: pie\ndata: population\nentities: [UZB, KAZ, TJK, KGZ, TKM]\nyears: [2022]\nvalue_labels: true\n",
    "gdp-groups": "caption: الناتج المحلي الإجمالي حسب المجموعة\nchart: bar\ndata: gdp\nx: years\nentities: [CA, GCC]\nyears: \"2015-2028\"\n",
    "gdp-line": "caption: الناتج المحلي الإجمالي حسب المجموعة\nchart: line\ndata: gdp\nx: years\nentities: [CA, GCC]\nyears: \"2015-2028\"\n",
    "inflation": "caption: معدلات التضخم حسب الدولة، 2015م–2023م\nchart: line\ndata: inflation\nx: years\nentities: [KAZ, KGZ, TJK, TKM, UZB]\nyears: 2015-2023\n",
    "current-account": "caption: الفائض/العجز في الحساب الجاري\nchart: barh\ndata: current_account\nentities: [KAZ, TKM, UZB, TJK, KGZ]\nyears: [2022]\nvalue_labels: true\n",
    "current-account-bar": "caption: الحساب الجاري\nchart: bar\ndata: current_account\nentities: [KAZ, TKM, UZB, TJK, KGZ]\nyears: [2022]\nvalue_labels: true\n",
    "trade-balance": "caption: قيمة الصادرات والواردات السلعية والعجز التجاري، 2014م–2021م\nchart: bar-line\ndata: trade\nx: years\nentities: [exports, imports, balance]\nlines: [balance]\nyears: 2014-2021\nvalue_labels: false\n",
    "trade-stacked": "caption: حجم التبادل التجاري السلعي\nchart: stacked\ndata: trade\nx: years\nentities: [exports, imports]\nyears: 2014-2021\nvalue_labels: true\n",
    "exports-mix": "caption: أهم السلع المصدرة، 2021م\nchart: donut\ndata: exports_mix\nentities: [machinery, vehicles, mech, tobacco, perfume, other]\nyears: [2021]\nvalue_labels: true\n",
    "map": "caption: خارطة موقع دول مجموعة آسيا الوسطى\nnumbering: image\nchart: map\nhighlight: [CA]\ncontext: [GCC]\n",
}


def write_specs(folder: Path) -> dict[str, Path]:
    figs = folder / "figures"
    figs.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, text in SPECS.items():
        p = figs / f"{name}.yaml"
        p.write_text(text, encoding="utf-8")
        out[name] = p
    return out


@pytest.fixture(scope="module")
def store() -> DataStore:
    return make_store()


@pytest.fixture(scope="module")
def style():
    return load_chart_style(STYLE)


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> dict[str, Path]:
    ed = tmp_path_factory.mktemp("edition")
    (ed / "data").mkdir()
    shutil.copy(MAP, ed / "data" / "map.geojson")
    return write_specs(ed)


@pytest.fixture(scope="module")
def rendered(specs, store, style, tmp_path_factory):
    out = tmp_path_factory.mktemp("charts")
    return {name: render_chart(read_chart_spec(p), store, style, out) for name, p in specs.items()}


def spec_file(tmp_path: Path, text: str, name: str = "fig") -> Path:
    (tmp_path / "figures").mkdir(exist_ok=True)
    p = tmp_path / "figures" / f"{name}.yaml"
    p.write_text(text, encoding="utf-8")
    return p


# --- kinds and files ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(SPECS))
def test_every_kind_renders(name, rendered, style):
    images = rendered[name]
    with pikepdf.open(images.pdf) as pdf:
        page = pdf.pages[0]
        # text as outlines: no font, no text object (the PDF writer places the page as it is)
        assert not page.Resources.get("/Font") and not re.search(rb"\bBT\b", page.Contents.read_bytes())
        assert not set(pdf.docinfo.keys()) & {"/CreationDate", "/Creator", "/Producer"}
        assert float(page.mediabox[2]) / 72 * 25.4 == pytest.approx(images.width_mm)
    from PIL import Image
    with Image.open(images.png) as im:
        assert round(im.info["dpi"][0]) == 300
        assert abs(im.width / 300 * 25.4 - images.width_mm) < 1
    assert images.width_mm == 150
    assert images.alt  # the caption when the spec has no alt


def test_render_is_deterministic_and_cached(specs, store, style, tmp_path, monkeypatch):
    spec = read_chart_spec(specs["gdp-groups"])
    a = render_chart(spec, store, style, tmp_path / "a")
    b = render_chart(spec, store, style, tmp_path / "b")
    assert a.pdf.name == b.pdf.name and a.png.name == b.png.name
    assert a.pdf.read_bytes() == b.pdf.read_bytes()
    assert a.png.read_bytes() == b.png.read_bytes()
    assert b"Matplotlib" not in a.png.read_bytes()[:200]
    # unchanged inputs: the files are reused, nothing is drawn
    import briefing.charts.render as charts
    monkeypatch.setattr(charts, "build_figure", lambda *a, **k: pytest.fail("redrawn"))
    assert render_chart(spec, store, style, tmp_path / "a") == a
    # other inputs, other names
    monkeypatch.undo()
    c = render_chart(spec, store, style, tmp_path / "a", digits="arabic-indic")
    assert c.pdf != a.pdf
    changed = make_store()
    ds = changed.datasets["gdp"]
    values = dict(ds.values)
    values[("CA", 2015)] += 1
    changed = DataStore(MP({**changed.datasets, "gdp": Dataset(**{**ds.__dict__, "values": MP(values)})}),
                        changed.entities)
    assert render_chart(spec, changed, style, tmp_path / "a").pdf != a.pdf


# --- specification errors -----------------------------------------------------------------------

def test_unknown_key_names_file_and_key(tmp_path):
    p = spec_file(tmp_path, "caption: x\nchart: bar\ndata: population\nentities: [KAZ]\n"
                            "years: [2022]\nvalue_lables: true\n")
    with pytest.raises(SourceError) as e:
        read_chart_spec(p)
    assert e.value.file == str(p) and e.value.key == "value_lables"
    assert "value_lables" in str(e.value) and str(p) in str(e.value)


@pytest.mark.parametrize("text, key", [
    ("caption: x\nchart: column\ndata: population\nentities: [KAZ]\nyears: [2022]\n", "chart"),
    ("caption: x\nchart: bar\nentities: [KAZ]\nyears: [2022]\n", "data"),
    ("caption: x\nchart: bar\ndata: population\nentities: [KAZ]\nyears: 2022-2015\n", "years"),
    ("caption: x\nchart: pie\ndata: population\nentities: [KAZ]\nyears: [2021, 2022]\n", "years"),
    ("caption: x\nchart: bar-line\ndata: trade\nx: years\nentities: [exports]\nlines: [balance]\n"
     "years: [2021]\n", "lines"),
    ("caption: x\nchart: map\nhighlight: [KAZ]\ndata: population\n", "data"),
])
def test_bad_specs(tmp_path, text, key):
    with pytest.raises(SourceError) as e:
        read_chart_spec(spec_file(tmp_path, text))
    assert e.value.key == key and e.value.file.endswith("fig.yaml")


@pytest.mark.parametrize("text, key", [
    ("caption: x\nchart: bar\ndata: populaton\nentities: [KAZ]\nyears: [2022]\n", "data"),
    ("caption: x\nchart: bar\ndata: population\nentities: [KAZ, XYZ]\nyears: [2022]\n", "entities"),
    ("caption: x\nchart: bar\ndata: population\nentities: [KAZ]\nyears: [2019]\n", "years"),
    ("caption: x\nchart: map\nhighlight: [KAZ, ATL]\n", "highlight"),
])
def test_missing_data_names_the_spec(tmp_path, store, style, text, key):
    (tmp_path / "data").mkdir()
    shutil.copy(MAP, tmp_path / "data" / "map.geojson")
    p = spec_file(tmp_path, text)
    with pytest.raises(SourceError) as e:
        render_chart(read_chart_spec(p), store, style, tmp_path / "out")
    assert e.value.file == str(p) and e.value.key == key


def test_unknown_style_setting(tmp_path):
    p = tmp_path / "chart.yaml"
    p.write_text(STYLE.read_text(encoding="utf-8") + "colours: {}\n", encoding="utf-8")
    with pytest.raises(SourceError) as e:
        load_chart_style(p, fonts_dir=ROOT / "styles" / "fonts")
    assert e.value.key == "colours"


def test_a_system_font_of_the_fallback_family_does_not_turn_the_fallback_off(tmp_path):
    """A system font named like the bundled fallback (Debian's fonts-noto-core has Noto Sans),
    known to matplotlib before the bundled files (a fresh process): Latin letters and brackets in
    an Arabic label are still drawn, from the bundled file."""
    system = tmp_path / "system-fonts"
    system.mkdir()
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        shutil.copy(ROOT / "styles" / "fonts" / name, system / name)
    spec = spec_file(tmp_path, SPECS["current-account-bar"] + "axis_title: مليون نسمة (WEO)\n")
    script = f"""
import sys
from pathlib import Path
from matplotlib.font_manager import FontProperties, fontManager
for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
    fontManager.addfont({str(system)!r} + "/" + name)
sys.path[:0] = [{str(ROOT / "tests")!r}, {str(Path(__file__).parent)!r}]
from test_charts import make_store, STYLE
from briefing.charts import draw
from briefing.charts.render import build_figure, load_chart_style
from briefing.sources.figures import read_chart_spec
fig = build_figure(read_chart_spec(Path({str(spec)!r})), make_store(), load_chart_style(STYLE))
print(fontManager.findfont(FontProperties(family=draw._register(
    Path({str(ROOT / "styles" / "fonts" / "NotoSans-Regular.ttf")!r})))))
"""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == ROOT / "styles" / "fonts" / "NotoSans-Regular.ttf"


def test_label_the_font_cannot_draw_fails_loudly(tmp_path, store, style):
    # neither Noto Sans Arabic nor its fallback Noto Sans has Chinese (Latin letters and brackets,
    # which the Arabic font lacks, are drawn from the fallback: test_bounds.py)
    p = spec_file(tmp_path, "caption: x\nchart: bar\ndata: population\nentities: [KAZ]\n"
                            "years: [2022]\naxis_title: مليون نسمة (GDP) 中文\n")
    with pytest.raises(SourceError) as e:
        render_chart(read_chart_spec(p), store, style, tmp_path / "out")
    assert e.value.file == str(p) and e.value.key == "axis_title"
    assert "U+4E2D" in str(e.value) and "U+0028" not in str(e.value) and "'G'" not in str(e.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --- numbers and digits -------------------------------------------------------------------------

def test_format_number():
    f = at.format_number
    assert f(1234.56, 1) == "1,234.6"
    assert f(1234.56, 1, digits="arabic-indic") == "١٬٢٣٤٫٦"
    assert f(-26.8, 1) == "\u200e-26.8"  # LRM: the sign stays on the left in Arabic text
    assert f(-26.8, 1, lang="en", minus="\u2212") == "\u221226.8"
    assert f(-0.04, 1) == "0.0"
    # the percent sign follows the digits, as the prose prints it (briefing/directions.py)
    assert f(47.6, 1, percent=True) == "47.6%"
    assert f(47.6, 1, digits="arabic-indic", percent=True) == "٤٧٫٦٪"
    assert f(47.6, 1, lang="en", percent=True) == "47.6%"
    assert f(47.6, 1, lang="en", digits="arabic-indic", percent=True) == "47.6%"
    assert f(2.25, 1) == "2.3" and f(0.125, 2) == "0.13"  # half-up, as the tables round
    assert f(1234.5, 1, lang="en", digits="arabic-indic") == "1,234.5"  # English charts: Western


@pytest.mark.parametrize("digits, sign, other", [("western", "%", "٪"), ("arabic-indic", "٪", "%")])
def test_the_percent_sign_of_arabic_charts_follows_their_digits(specs, store, style, tmp_path,
                                                               digits, sign, other):
    """«%» with Western digits, drawn from the fallback font (the Arabic chart font has none);
    ٪ with Arabic-Indic digits: in the slices' shares and in the unit line."""
    spec = read_chart_spec(specs["population-share"])
    labels = "".join(t for t, _ in labels_of(build_figure(spec, store, style, digits=digits)))
    assert sign in labels and other not in labels
    unit = read_chart_spec(spec_file(tmp_path, SPECS["current-account-bar"]
                                     + "axis_title: '% من الناتج المحلي'\n"))
    labels = "".join(t for t, _ in labels_of(build_figure(unit, store, style, digits=digits)))
    assert f"{sign} من الناتج المحلي" in labels and other not in labels
    if digits == "western":
        with glyphs.glyph_fonts() as drawn:
            render_chart(spec, store, style, tmp_path / "out")
        # the «%» glyphs (Noto Sans Arabic has no «%»)
        assert any("%" in text and font == "NotoSans-Regular.ttf" for text, font in drawn)


@pytest.mark.parametrize("digits, wanted, unwanted", [
    ("western", set("0123456789"), set("٠١٢٣٤٥٦٧٨٩")),
    ("arabic-indic", set("٠١٢٣٤٥٦٧٨٩"), set("0123456789")),
])
def test_digits_in_ticks_and_value_labels(specs, store, style, digits, wanted, unwanted):
    fig = build_figure(read_chart_spec(specs["current-account-bar"]), store, style, digits=digits)
    text = "".join(t for t, _ in labels_of(fig))
    assert wanted & set(text) and not unwanted & set(text)
    if digits == "arabic-indic":
        # a right-to-left run (docs/conventions.md): the sign before the digits in reading order,
        # so drawn on their right, as the prose's isolated Arabic-Indic numbers; the true minus
        # sign (U+2212, from the style's last fallback font), never a hyphen
        assert "\u2212٢٦٫٨" in text and "\u200e\u2212٢٦٫٨" not in text and "٠" in text
    assert "-" not in text and "\u2212" in text


def test_english_charts_are_left_to_right_with_western_digits(specs, store, style):
    spec = read_chart_spec(specs["current-account-bar"])
    ar = build_figure(spec, store, style, lang="ar").axes[0]
    en = build_figure(spec, store, style, lang="en", digits="arabic-indic").axes[0]
    assert ar.yaxis.get_ticks_position() == "right" and en.yaxis.get_ticks_position() == "left"
    def first_x(ax, name):
        return next(t.get_position()[0] for t in ax.get_xticklabels() if t.get_text() == name)
    # the first entity (KAZ) is the rightmost bar in Arabic, the leftmost in English
    assert first_x(ar, "كازاخستان") > first_x(ar, "قيرغيزستان")
    assert first_x(en, "Kazakhstan") < first_x(en, "Kyrgyzstan")
    assert "0" in "".join(t for t, _ in labels_of(en.figure))
    assert all(f.name.startswith("NotoSerif") for _, f in labels_of(en.figure))


def test_time_runs_left_to_right_in_arabic(specs, store, style):
    ax = build_figure(read_chart_spec(specs["gdp-line"]), store, style).axes[0]
    xs = {t.get_text(): t.get_position()[0] for t in ax.get_xticklabels()}
    assert xs["2015"] < xs["2028"]


def test_estimates_are_drawn_differently(specs, store, style):
    fig = build_figure(read_chart_spec(specs["gdp-groups"]), store, style)
    ax = fig.axes[0]
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 2 * 6  # 2023-2028 for both groups
    assert "تقديرات" in [t.get_text() for t in fig.legends[0].get_texts()]
    line = build_figure(read_chart_spec(specs["gdp-line"]), store, style).axes[0]
    assert any(l.get_linestyle() == "--" for l in line.lines)


# --- shaping: detection, both paths, and the glyph check ----------------------------------------

GLYPH_LABELS = [
    ("مجموعة آسيا الوسطى", AR_FONT),
    ("الإمارات العربية المتحدة", AR_FONT),
    ("نمو 3.5٪ في 2022", AR_FONT),
    ("٪ من الناتج المحلي الإجمالي", AR_FONT),
    (at.format_number(-26.8, 1), AR_FONT),
    ("قيرغيزستان " + at.format_number(-26.8, 1), AR_FONT),
    (at.format_number(-1234.5, 1, digits="arabic-indic"), AR_FONT),
    ("Central Asia: -26.8% (2022)", EN_FONT),
]


def test_matplotlib_shapes_here():
    # matplotlib 3.11 lays text out with libraqm: it must get logical text
    assert at.detected_shaping_mode(str(AR_FONT)) == "matplotlib"


@pytest.mark.parametrize("text, font", GLYPH_LABELS)
def test_glyphs_match_harfbuzz(text, font):
    glyphs.assert_glyphs_match(text, font)


def test_an_arabic_indic_negative_reads_right_to_left_with_its_sign_first():
    """As the prose prints it (docs/conventions.md): the sign on the right of the digits, even in
    a tick label that has no Arabic letter to set its direction."""
    label = at.format_number(-26.8, 1, digits="arabic-indic")
    drawn = glyphs.matplotlib_glyphs(label, AR_FONT)
    from matplotlib.ft2font import FT2Font
    cmap = FT2Font(str(AR_FONT)).get_charmap()
    digits = [drawn.index(cmap[ord(c)]) for c in "٢٦٫٨"]
    assert digits == sorted(digits) and drawn.index(cmap[ord("-")]) > max(digits)


def test_negative_number_keeps_its_sign_on_the_left():
    label = "قيرغيزستان " + at.format_number(-26.8, 1)
    drawn = glyphs.matplotlib_glyphs(label, AR_FONT)
    from matplotlib.ft2font import FT2Font
    cmap = FT2Font(str(AR_FONT)).get_charmap()
    number = [cmap[ord(c)] for c in "-26.8"]
    i = drawn.index(number[0])
    assert drawn[i:i + 5] == number  # "-26.8" left to right, not "26.8-"
    assert drawn.index(number[0]) < len(drawn) // 2  # and the number is left of the name


def test_glyph_check_catches_wrong_text():
    # on a shaping matplotlib, the old reshape+get_display recipe reverses Arabic twice
    with at.forced_shaping_mode("reshape"), pytest.raises(AssertionError):
        glyphs.assert_glyphs_match("السكان", AR_FONT)


def test_reshape_path_for_matplotlib_without_shaping():
    from arabic_reshaper import reshape
    from bidi import get_display
    from matplotlib.ft2font import FT2Font

    cmap = FT2Font(str(AR_FONT)).get_charmap()
    for word in ("السكان", "مجموعة آسيا الوسطى", "الإمارات"):
        visual = at.prepare(word, "reshape")
        assert visual == get_display(reshape(word))
        # presentation forms in visual order, all in the font: a non-shaping matplotlib draws
        # them one glyph per character, left to right
        assert visual == reshape(word)[::-1]
        assert all(0xFE70 <= ord(c) <= 0xFEFF or c == " " for c in visual)
        assert all(ord(c) in cmap for c in visual)
    assert at.prepare("2022", "reshape") == "2022"
    assert at.prepare("السكان", "matplotlib") == "السكان"


def test_reshape_mode_reaches_the_figure(specs, store, style):
    with at.forced_shaping_mode("reshape"):
        fig = build_figure(read_chart_spec(specs["population"]), store, style)
        drawn = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert at.prepare("مجموعة آسيا الوسطى", "reshape") in drawn
        assert ("مجموعة آسيا الوسطى", AR_FONT) in labels_of(fig)


def fallbacks_of(style, font: Path) -> tuple[Path, ...]:
    """The style's fallback fonts for the chart font ``font``, in turn."""
    for lang in ("ar", "en"):
        for weight in ("regular", "bold"):
            chain = style.fonts(lang, weight)
            if chain[0].resolve() == Path(font).resolve():
                return chain[1:]
    return ()


@pytest.mark.parametrize("name", list(SPECS))
def test_every_label_of_every_chart_matches_harfbuzz(name, specs, store, style):
    """The reusable check: every text of a chart, glyph for glyph."""
    langs = ("ar", "en") if name in ("current-account", "population-share", "map") else ("ar",)
    for lang in langs:
        fig = build_figure(read_chart_spec(specs[name]), store, style, lang=lang,
                           digits="arabic-indic" if name == "inflation" else "western")
        labels = labels_of(fig)
        assert labels
        for text, font in sorted(set(labels)):
            glyphs.assert_glyphs_match(text, font, fallbacks_of(style, font))


EDITION = ROOT / "sources" / "gcc-central-asia-2023"


@pytest.mark.skipif(not (EDITION / "figures").is_dir(), reason="default edition has no figures")
def test_default_edition_labels_match_harfbuzz():
    """Every label of every chart of the default edition, in the book's digits."""
    from briefing.sources.loading import load_edition

    edition = load_edition(EDITION)
    style = load_chart_style(STYLE)
    checked = set()
    for spec in edition.charts.values():
        fig = build_figure(spec, edition.data, style, digits=edition.book.meta.digits)
        for text, font in labels_of(fig):
            if (text, font) not in checked:
                glyphs.assert_glyphs_match(text, font, fallbacks_of(style, font))
                checked.add((text, font))
    assert len(checked) > 100


# --- the map outlines ---------------------------------------------------------------------------

def test_map_geojson():
    assert MAP.stat().st_size < 400_000
    doc = json.loads(MAP.read_text(encoding="utf-8"))
    assert "public domain" in doc["provenance"]["licence"] and doc["provenance"]["version"] == "5.1.1"
    countries = read_countries(MAP)
    for code in ("KAZ", "KGZ", "TJK", "TKM", "UZB", "BHR", "KWT", "OMN", "QAT", "SAU", "ARE"):
        assert code in countries and countries[code].name_ar
    assert "-99" not in countries  # NE's -99 ISO codes replaced by ADM0_A3
    assert countries["BHR"].name_ar == "البحرين"




@pytest.mark.skipif(not (RAW / "natural_earth_v5.1.1").exists(), reason="raw Natural Earth zip absent")
def test_map_import_reproduces_the_committed_file(tmp_path):
    from briefing.data.geography import main
    out = tmp_path / "map.geojson"
    assert main(["--raw", str(RAW), "--out", str(out)]) == 0
    assert out.read_bytes() == MAP.read_bytes()
