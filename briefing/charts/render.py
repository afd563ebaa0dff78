"""Charts: figure specifications drawn by matplotlib, cached by content.

In: a :class:`~briefing.sources.figures.ChartSpec` (read from the edition's figures folder), the
edition's :class:`~briefing.data.store.DataStore`, a :class:`ChartStyle` (``styles/chart.yaml``), the language of the
part that shows the chart and the book's digits.
Out: :class:`ChartImages` - a one-page vector PDF with text as outlines (which the PDF writer
places into the laid-out book: :mod:`briefing.writers.pdf.placed_charts`) and, where Word shows the
chart as a picture, a 300 dpi PNG, named by a content hash so unchanged charts are reused, plus the
printed size and the alternative text; and, for Word's
native charts (:mod:`briefing.writers.docx.native_charts`), the :class:`ChartData` itself in a
:class:`NativeChart`.

The drawing of each chart kind is in :mod:`briefing.charts.draw` (bars and lines),
:mod:`~briefing.charts.pie` and :mod:`~briefing.charts.locator_map`; Arabic text handling (shaping
detection, digits, font coverage) in :mod:`briefing.charts.shaping`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ..data.ordering import order
from ..data.store import DataStore
from ..errors import SourceError
from ..sources.figures import ChartSpec
from ..sources.files import check_keys, read_yaml
from ..identity import load_identity

STYLE_KEYS = {"figure", "fonts", "sizes", "colors", "lines", "estimate", "grid", "rtl", "units",
              "map", "word", "value_labels"}
FONTS_DIR = Path(__file__).resolve().parents[2] / "styles" / "fonts"
# The drawing code itself is part of every chart's cache key: an edited drawing module must not
# leave charts drawn by its old version in the cache (nobody has to remember to bump a number).
_DRAWING_MODULES = sorted(Path(__file__).parent.glob("*.py")) + [
    Path(__file__).parents[1] / "data" / "geography.py"]
DRAW_VERSION = hashlib.sha256(b"".join(
    path.read_bytes() for path in _DRAWING_MODULES)).hexdigest()[:16]


@dataclass(frozen=True)
class ChartImages:
    pdf: Path
    png: Path
    width_mm: float
    height_mm: float
    alt: str


@dataclass(frozen=True)
class ChartStyle:
    """``styles/chart.yaml``, with font files resolved in ``fonts_dir``."""

    file: Path
    raw: Mapping[str, Any]
    fonts_dir: Path = FONTS_DIR

    def get(self, *keys: str, default: Any = None) -> Any:
        node: Any = self.raw
        for k in keys:
            if not isinstance(node, Mapping) or k not in node:
                return default
            node = node[k]
        return node

    def font(self, lang: str, weight: str = "regular") -> Path:
        name = self.get("fonts", "en" if lang == "en" else "ar", weight)
        if not name:
            raise SourceError(f"no {weight} font for charts in '{lang}'", file=self.file, key="fonts")
        path = self.fonts_dir / name
        if not path.exists():
            raise SourceError(f"font file {name} not found in {self.fonts_dir}", file=self.file,
                              key="fonts")
        return path

    def palette(self, n: int) -> list[str]:
        """``n`` series colours from ``colors.palette``, repeated when there are more series."""
        pal = list(self.get("colors", "palette"))
        return [pal[i % len(pal)] for i in range(n)]

    def fonts(self, lang: str, weight: str = "regular") -> tuple[Path, ...]:
        """The font of ``lang``, then the ``fallback`` fonts that draw, in turn, what it lacks
        (Latin letters, brackets and «%» for Arabic charts; the minus sign U+2212, which neither
        Noto face has). ``fallback`` is one ``{regular, bold}`` mapping or a list of them."""
        fallback = self.get("fonts", "fallback", default=[])
        chain = [self.font(lang, weight)]
        for number, entry in enumerate(fallback if isinstance(fallback, (list, tuple)) else [fallback]):
            name = entry.get(weight) if isinstance(entry, Mapping) else None
            path = self.fonts_dir / str(name)
            if not name or not path.exists():
                raise SourceError(f"font file {name} not found in {self.fonts_dir}",
                                  file=self.file, key=f"fonts.fallback[{number}].{weight}")
            if path not in chain:
                chain.append(path)
        return tuple(chain)

    def size_mm(self, kind: str) -> tuple[float, float]:
        fig = self.get("figure", default={})
        height = {"barh": "barh_height_mm", "pie": "pie_height_mm", "donut": "pie_height_mm",
                  "map": "map_height_mm"}.get(kind, "height_mm")
        return float(fig.get("width_mm", 150)), float(fig.get(height, fig.get("height_mm", 80)))

    def fingerprint(self) -> str:
        return json.dumps(_plain(self.raw), sort_keys=True, ensure_ascii=False)


def _plain(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def _freeze(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in obj.items()})
    if isinstance(obj, list):
        return tuple(_freeze(v) for v in obj)
    return obj


def load_chart_style(path: Path, fonts_dir: Path | None = None) -> ChartStyle:
    """``styles/chart.yaml`` with the publication's colours (``identity.yaml`` beside it); read
    once per process while the two files are unchanged (a build asks for it at each stage)."""
    path = Path(path)
    return _load_chart_style(path, Path(fonts_dir) if fonts_dir else None, _stamp(path),
                             _stamp(path.parent / "identity.yaml"))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:  # reading it will say what is wrong
        return None
    return stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=16)
def _load_chart_style(path: Path, fonts_dir: Path | None, *stamps) -> ChartStyle:
    raw = read_yaml(path)
    check_keys(raw, path, STYLE_KEYS, what="the chart style")
    # the text colour and the series colours are the publication's (styles/identity.yaml)
    identity = load_identity(path.parent)
    raw = {**raw, "colors": {"text": identity.colors["ink"],
                             "palette": list(identity.chart_palette), **(raw.get("colors") or {})}}
    style = ChartStyle(path, _freeze(raw), fonts_dir or path.parent / "fonts")
    for lang in ("ar", "en"):
        style.fonts(lang), style.fonts(lang, "bold")
    return style


# --- the data a chart shows ---------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    key: str                        # entity code or year
    name: str                       # legend text (logical)
    values: tuple[float, ...]       # one per category
    estimate: tuple[bool, ...]
    as_line: bool = False


@dataclass(frozen=True)
class ChartData:
    categories: tuple[str, ...]     # category axis labels (logical), in spec order
    category_keys: tuple[str, ...]
    series: tuple[Series, ...]
    decimals: int
    unit: str                       # the unit line ('' for none)
    x_is_time: bool


@dataclass(frozen=True)
class NativeChart:
    """A chart as the Word writer draws it natively (``model.Image.native``, built by
    :mod:`briefing.writers.docx.native_charts`): its kind, whether values are labelled, and its data."""

    kind: str              # bar, barh, stacked, line, bar-line, pie, donut
    value_labels: bool
    data: ChartData


def chart_data(spec: ChartSpec, store: DataStore, style: ChartStyle, lang: str) -> ChartData:
    """The numbers and names a (non-map) chart shows; SourceErrors name the spec file."""
    try:
        ds = store.dataset(spec.data)
    except SourceError as e:
        raise SourceError(e.message, file=spec.file, key="data") from None

    def name(code: str) -> str:
        try:
            ent = store.entity(code)
        except SourceError as e:
            raise SourceError(e.message, file=spec.file, key="entities") from None
        return ent.en if lang == "en" else ent.ar

    def value(code: str, year: int) -> float:
        try:
            return float(ds.values[(code, year)])
        except KeyError:
            raise SourceError(f"dataset '{ds.id}' ({ds.file}) has no value for {code} in {year}",
                              file=spec.file, key="years") from None

    names = {code: name(code) for code in spec.entities}
    if spec.x == "entities":
        last = max(spec.years)
        codes = order(spec.entities, lambda c: ds.values.get((c, last)), spec.sort,
                      lambda c: store.entity(c).is_group)
        cats, cat_keys = tuple(names[c] for c in codes), codes
        series = tuple(Series(str(y), str(y), tuple(value(c, y) for c in codes),
                              tuple(ds.status(c, y) == "estimate" for c in codes))
                       for y in spec.years)
    else:
        cats = cat_keys = tuple(str(y) for y in spec.years)
        series = tuple(Series(c, names[c], tuple(value(c, y) for y in spec.years),
                              tuple(ds.status(c, y) == "estimate" for y in spec.years),
                              as_line=c in spec.lines)
                       for c in spec.entities)
    from .shaping import has_arabic

    # axis_title is written in the book's language; an English part's chart of the same spec
    # falls back to the English unit line of the style
    if spec.axis_title is not None and not (lang == "en" and has_arabic(spec.axis_title)):
        unit = spec.axis_title
    else:
        unit = style.get("units", lang, f"{ds.unit}/{ds.scale}", default="") or ""
    return ChartData(cats, tuple(cat_keys), series, ds.decimals, unit, spec.x == "years")


# --- rendering ----------------------------------------------------------------------------------

def _digest(spec: ChartSpec, store: DataStore, style: ChartStyle, lang: str, digits: str,
            geography: Path | None) -> str:
    from .shaping import shaping_mode
    import matplotlib

    payload: dict[str, Any] = {
        "spec": spec.fingerprint(), "style": style.fingerprint(), "lang": lang, "digits": digits,
        "draw": DRAW_VERSION, "matplotlib": matplotlib.__version__,
        "shaping": shaping_mode(style.font(lang)),
        "fonts": [_file_hash(f) for w in ("regular", "bold") for f in style.fonts(lang, w)],
    }
    if spec.chart == "map":
        codes = spec.highlight + spec.context
        payload["names"] = {c: [e.ar, e.en, list(e.members)] for c in codes
                            if (e := store.entities.get(c)) is not None}
        payload["groups"] = {c: [e.ar, e.en, list(e.members)] for c, e in sorted(store.entities.items())
                             if e.is_group}
        payload["geography"] = _file_hash(geography) if geography and geography.exists() else None
    else:
        payload["data"] = _plain(asdict(chart_data(spec, store, style, lang)))
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _file_hash(path: Path) -> str:
    stat = Path(path).stat()
    return _hash_of(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _hash_of(path: str, mtime_ns: int, size: int) -> str:
    """sha256 of a file, computed once per process while the file is unchanged."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def map_file(spec: ChartSpec) -> Path:
    """An edition's map outlines: ``data/map.geojson`` next to the ``figures`` folder."""
    return spec.file.resolve().parent.parent / "data" / "map.geojson"


def build_figure(spec: ChartSpec, store: DataStore, style: ChartStyle, *, lang: str = "ar",
                 digits: str = "western", geography: Path | None = None):
    """The matplotlib Figure of a chart (not saved). Raises SourceError for bad specs or text
    the chart font cannot draw."""
    from .draw import draw

    if lang not in ("ar", "en"):
        raise SourceError(f"unknown language '{lang}'", file=spec.file)
    if digits not in ("western", "arabic-indic"):
        raise SourceError(f"digits must be 'western' or 'arabic-indic', not '{digits}'", file=spec.file)
    if lang == "en":
        digits = "western"  # English parts print Western digits
    data = None if spec.chart == "map" else chart_data(spec, store, style, lang)
    return draw(spec, data, store, style, lang=lang, digits=digits,
                geography=geography or map_file(spec))


def planned_images(spec: ChartSpec, store: DataStore, style: ChartStyle, out_dir: Path, *,
                   lang: str = "ar", digits: str = "western",
                   geography: Path | None = None, raster: bool = True) -> tuple[ChartImages, bool]:
    """Where the chart's files go (named by the hash of everything that decides how it looks),
    and whether they are already there from an earlier build - without drawing anything; without
    ``raster``, the PNG is not asked for."""
    geography = geography or (map_file(spec) if spec.chart == "map" else None)
    if lang == "en":
        digits = "western"
    digest = _digest(spec, store, style, lang, digits, geography)
    out_dir = Path(out_dir)
    stem = f"{spec.id}-{lang}-{digest[:16]}"
    pdf, png = out_dir / f"{stem}.pdf", out_dir / f"{stem}.png"
    width, height = style.size_mm(spec.chart)
    images = ChartImages(pdf, png, width, height, (spec.alt or spec.caption).strip())
    return images, pdf.exists() and (png.exists() or not raster)


def render_chart(spec: ChartSpec, store: DataStore, style: ChartStyle, out_dir: Path, *,
                 lang: str = "ar", digits: str = "western",
                 geography: Path | None = None, raster: bool = True) -> ChartImages:
    """Draw the chart to ``out_dir`` (or reuse the files drawn earlier from the same inputs);
    without ``raster``, the PDF only (the 300 dpi PNG is for Word's pictures)."""
    images, cached = planned_images(spec, store, style, out_dir, lang=lang, digits=digits,
                                    geography=geography, raster=raster)
    if cached:
        return images
    geography = geography or (map_file(spec) if spec.chart == "map" else None)
    if lang == "en":
        digits = "western"
    pdf, png = images.pdf, images.png
    fig = build_figure(spec, store, style, lang=lang, digits=digits, geography=geography)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    dpi = int(style.get("figure", "dpi", default=300))
    # a process's own temporary names: two builds (or two workers) never write the same file
    tmp_pdf = pdf.with_name(f".{pdf.name}.{os.getpid()}.tmp")
    tmp_png = png.with_name(f".{png.name}.{os.getpid()}.tmp")
    try:
        save_pdf(fig, tmp_pdf)
        if raster:
            import matplotlib

            from .shaping import quiet_line_metrics

            # the layout the PDF was saved with, kept for the PNG: with a layout engine set,
            # each savefig lays the figure out and draws it twice; frozen, the PNG costs one draw
            fig.set_layout_engine(None)
            with matplotlib.rc_context({"path.simplify": True}), quiet_line_metrics():
                fig.savefig(tmp_png, format="png", dpi=dpi,
                            metadata={"Software": None, "Creator": None})
        tmp_pdf.replace(pdf)
        if raster:
            tmp_png.replace(png)
    finally:
        for tmp in (tmp_pdf, tmp_png):
            if tmp.exists():
                tmp.unlink()
    return images


def save_pdf(fig, target) -> None:
    """Save a chart figure as a one-page PDF (a path or a binary file) with its text as outlines
    and no font (:mod:`briefing.charts.outline_pdf`), byte-reproducible."""
    import matplotlib

    from .outline_pdf import BACKEND, METADATA
    from .shaping import quiet_line_metrics

    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine):
        # a layout frozen by the label placing: without a layout engine, savefig does not
        # draw the figure once more before drawing it into the file (that draw lays nothing out)
        fig.set_layout_engine(None)
    with matplotlib.rc_context({"path.simplify": True}), quiet_line_metrics():
        fig.savefig(target, format="pdf", backend=BACKEND, metadata=METADATA)


def labels_of(fig) -> list[tuple[str, Path]]:
    """Every text drawn in a chart figure: (logical text, font file) - for the glyph check
    (:func:`briefing.arabic_text.assert_glyphs_match`)."""
    from matplotlib.font_manager import fontManager

    from .shaping import quiet_line_metrics

    with quiet_line_metrics():
        fig.draw_without_rendering()  # tick labels get their text only when the figure is drawn
    logical = getattr(fig, "_briefing_logical", {})
    out = []
    for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_fontproperties")):
        s = t.get_text()
        if not s or not t.get_visible() or not s.strip():
            continue
        if t.axes is not None and not t.get_window_extent().width:
            continue
        prop = t.get_fontproperties()  # a file, or families with a fallback: the first's file
        out.append((logical.get(s, s), Path(prop.get_file() or fontManager.findfont(prop))))
    return out
