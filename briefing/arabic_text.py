"""Arabic text for charts: shaping detection, numbers, font coverage and the glyph check.

In: logical (typed-order) strings, a font file.
Out: the string to hand to matplotlib, localised numbers, and - for tests - the glyph ids matplotlib
draws compared with the ones HarfBuzz gives for the same string and font.

matplotlib >= 3.11 lays text out with libraqm (FriBidi + HarfBuzz): it shapes Arabic and reorders
bidi runs itself, so it must get the *logical* string. Older builds (or a build without libraqm)
draw one glyph per character left to right; only then is the old recipe
``get_display(arabic_reshaper.reshape(s))`` (presentation forms, visual order) needed.
:func:`shaping_mode` decides by drawing a probe string, not by looking at version numbers.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import unicodedata
from pathlib import Path
from typing import Iterator, Literal

from . import numbers

ShapingMode = Literal["matplotlib", "reshape"]

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
LRM = "\u200e"
_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_PROBE = "بيت"  # three joining letters: initial, medial and final forms differ from the nominal glyphs
_PROBE_ORDER = "دا"  # two letters that do not join: drawn right to left when bidi is applied
_forced_mode: ShapingMode | None = None


def has_arabic(text: str) -> bool:
    return bool(_ARABIC_RE.search(text))


# --- shaping detection --------------------------------------------------------------------------

def _probe_glyphs(font_path: Path, text: str) -> list[tuple[int, float]]:
    """(glyph id, x) of each glyph matplotlib's text-to-path engine draws for *text*."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    t2p = TextToPath()
    font = t2p._get_font(FontProperties(fname=str(font_path)))
    with record_glyphs() as rec:
        info, glyph_map, _ = t2p.get_glyphs_with_font(font, text)
    if rec:
        return [(g, x) for g, x in rec[-1][2]]
    # very old matplotlib: no layout hook; recover ids from the glyph representations
    ids = []
    for repr_, x, _y, _s in info:
        ids.append((int(str(repr_).rsplit("-", 1)[-1], 16), x))
    return ids


@functools.cache
def detected_shaping_mode(font_path: str) -> ShapingMode:
    """'matplotlib' if matplotlib shapes and reorders Arabic itself, else 'reshape'.

    Two probes are drawn through the text-to-path engine the SVG output uses: "بيت" must come
    out in contextual forms (none of the cmap's nominal glyphs), and "دا", two letters that
    do not join, must come out as alef then dal from left to right (bidi reordering).
    """
    from matplotlib.ft2font import FT2Font

    cmap = FT2Font(font_path).get_charmap()
    try:
        joined = [g for g, _ in _probe_glyphs(Path(font_path), _PROBE)]
        pair = [g for g, _ in _probe_glyphs(Path(font_path), _PROBE_ORDER)]
    except Exception:  # pragma: no cover - any failure means we cannot rely on shaping
        return "reshape"
    nominal = [cmap.get(ord(c), 0) for c in _PROBE]
    shaped = len(joined) == len(nominal) and all(a != b for a, b in zip(joined, nominal[::-1]))
    reordered = pair == [cmap.get(ord(c), 0) for c in reversed(_PROBE_ORDER)]
    return "matplotlib" if shaped and reordered else "reshape"


def shaping_mode(font_path: str | Path) -> ShapingMode:
    return _forced_mode or detected_shaping_mode(str(font_path))


@contextlib.contextmanager
def forced_shaping_mode(mode: ShapingMode | None) -> Iterator[None]:
    """Tests: pretend matplotlib does (not) shape."""
    global _forced_mode
    old, _forced_mode = _forced_mode, mode
    try:
        yield
    finally:
        _forced_mode = old


def prepare(text: str, mode: ShapingMode) -> str:
    """The string to give matplotlib: logical text, or shaped visual-order text for old builds."""
    if mode == "matplotlib" or not has_arabic(text):
        return text
    import arabic_reshaper
    from bidi import get_display

    return "\n".join(get_display(arabic_reshaper.reshape(line)) for line in text.split("\n"))


# --- numbers ------------------------------------------------------------------------------------

def format_number(value: float, decimals: int, *, lang: str = "ar", digits: str = "western",
                  minus: str = "-", thousands: bool = True, percent: bool = False) -> str:
    """The book's rule for numbers (:func:`briefing.numbers.format_number`: half-up rounding,
    separators, digits; Western digits in English charts), with the chart font's minus sign and
    percent sign. In Arabic the LEFT-TO-RIGHT MARK before a negative number stays, so its sign is
    drawn on the left ("-26.8", not "26.8-") whatever text the label is joined to."""
    text = numbers.format_number(value, decimals, numbers.part_digits(digits, lang), thousands)
    text = text.replace(numbers.NEGATIVE, (LRM if lang == "ar" else "") + minus)
    if percent:
        text += "\u066a" if lang == "ar" else "%"
    return text


def localise_digits(text: str, lang: str, digits: str) -> str:
    if lang == "ar" and digits == "arabic-indic":
        return text.translate(ARABIC_INDIC)
    return text


# --- fonts --------------------------------------------------------------------------------------

@functools.cache
def charmap(font_path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(font_path).get_charmap())


def missing_chars(text: str, font_path: str | Path) -> list[str]:
    """Characters of *text* the font cannot draw (line breaks ignored)."""
    cmap = charmap(str(font_path))
    out = []
    for ch in text:
        if ch in "\n" or ord(ch) in cmap or ch in out:
            continue
        out.append(ch)
    return out


def describe_chars(chars: list[str]) -> str:
    return ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, '?')})" for c in chars)


# --- the glyph check ----------------------------------------------------------------------------

@contextlib.contextmanager
def record_glyphs() -> Iterator[list[tuple[str, str, list[tuple[int, float]]]]]:
    """Record every layout matplotlib's text-to-path engine makes (used by the SVG backend with
    ``svg.fonttype: path``): a list of (string, font file, [(glyph id, x), ...] in drawn order)."""
    from matplotlib import _text_helpers

    records: list[tuple[str, str, list[tuple[int, float]]]] = []
    original = _text_helpers.layout

    def layout(string, font, **kwargs):
        glyphs: list[tuple[int, float]] = []
        records.append((string, font.fname, glyphs))
        for item in original(string, font, **kwargs):
            glyphs.append((item.glyph_index, item.x))
            yield item

    _text_helpers.layout = layout
    try:
        yield records
    finally:
        _text_helpers.layout = original


def drawn_glyphs(fig) -> list[tuple[str, str, list[int]]]:
    """Draw *fig* as SVG with text as outlines; (string, font file, glyph ids) per text drawn."""
    with matplotlib_rc_svg(), record_glyphs() as rec:
        fig.savefig(io.BytesIO(), format="svg")
    return [(s, f, [g for g, _ in gl]) for s, f, gl in rec]


def matplotlib_glyphs(text: str, font_path: str | Path) -> list[int]:
    """Glyph ids, left to right, that matplotlib draws for the logical *text* (one line) in that
    font, after :func:`prepare` for the shaping mode in force."""
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    drawn = prepare(text, shaping_mode(font_path))
    fig = Figure(figsize=(4, 1))
    fig.text(0.5, 0.5, drawn, fontproperties=FontProperties(fname=str(font_path), size=10))
    with matplotlib_rc_svg(), record_glyphs() as rec:
        fig.savefig(io.BytesIO(), format="svg")
    found = [gl for s, f, gl in rec
             if s == drawn and Path(f).resolve() == Path(font_path).resolve()]
    if not found:
        raise AssertionError(f"matplotlib drew no text for {text!r}")
    glyphs = found[-1]
    # drawn left to right: x never steps back by more than a mark's offset (0.6 em; the
    # text-to-path engine lays out at 100 units per em)
    xs = [x for _, x in glyphs]
    if any(b < a - 60 for a, b in zip(xs, xs[1:])):
        raise AssertionError(f"matplotlib's glyphs for {text!r} are not in visual order: {glyphs}")
    return [g for g, _ in glyphs]


@contextlib.contextmanager
def matplotlib_rc_svg() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "path"}), quiet_line_metrics():
        yield


@contextlib.contextmanager
def quiet_line_metrics() -> Iterator[None]:
    """matplotlib measures line height with the string "lp", which an Arabic-only font lacks:
    silence exactly that warning (real missing characters are caught before drawing)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"Glyph (108|112) \((l|p)\) missing")
        yield


def _bidi_runs(text: str) -> list[tuple[str, int]]:
    """(run text, level) in visual order, by the Unicode bidi algorithm (python-bidi's
    pure-Python implementation, independent of FriBidi used by libraqm)."""
    from bidi import algorithm as uba

    storage = uba.get_empty_storage()
    base = uba.get_base_level(text)
    storage["base_level"], storage["base_dir"] = base, ("L", "R")[base]
    uba.get_embedding_levels(text, storage)
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    runs: list[list] = []
    for ch in storage["chars"]:
        if runs and runs[-1][1] == ch["level"]:
            runs[-1][0] += ch["ch"]
        else:
            runs.append([ch["ch"], ch["level"]])
    # rule L2: from the highest level down to the lowest odd one, reverse sequences at >= level
    order = list(range(len(runs)))
    levels = [lvl for _, lvl in runs]
    if levels:
        for lvl in range(max(levels), (min(levels) | 1) - 1, -1):
            i = 0
            while i < len(order):
                if levels[order[i]] >= lvl:
                    j = i
                    while j < len(order) and levels[order[j]] >= lvl:
                        j += 1
                    order[i:j] = order[i:j][::-1]
                    i = j
                else:
                    i += 1
    return [(runs[i][0], runs[i][1]) for i in order]


def harfbuzz_glyphs(text: str, font_path: str | Path) -> list[int]:
    """The reference: glyph ids in visual order from HarfBuzz, one shaping call per bidi run
    (direction rtl for odd levels: HarfBuzz then returns the run's glyphs in visual order)."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(font_path)))
    font = hb.Font(face)
    out: list[int] = []
    for run, level in _bidi_runs(text):
        buf = hb.Buffer()
        buf.add_str(run)
        buf.guess_segment_properties()
        buf.direction = "rtl" if level % 2 else "ltr"
        hb.shape(font, buf, {})
        out += [g.codepoint for g in buf.glyph_infos]
    return out


def assert_glyphs_match(text: str, font_path: str | Path) -> None:
    """Fail unless matplotlib draws exactly the glyphs HarfBuzz gives for the logical *text*
    (each line separately), in visual order, with the same font file."""
    for line in text.split("\n"):
        if not line.strip():
            continue
        got = matplotlib_glyphs(line, font_path)
        want = harfbuzz_glyphs(line, font_path)
        if got != want:
            raise AssertionError(
                f"glyph mismatch for {line!r} in {Path(font_path).name}:\n"
                f"  matplotlib: {got}\n  harfbuzz:   {want}")
