"""Arabic text for charts: shaping detection, numbers and font coverage.

In: logical (typed-order) strings, a font file.
Out: the string to hand to matplotlib and localised numbers. (The tests' glyph check, which compares
what matplotlib draws with HarfBuzz, is in ``tests/charts/glyphs.py``.)

matplotlib >= 3.11 lays text out with libraqm (FriBidi + HarfBuzz): it shapes Arabic and reorders
bidi runs itself, so it must get the *logical* string. Older builds (or a build without libraqm)
draw one glyph per character left to right; only then is the old recipe
``get_display(arabic_reshaper.reshape(s))`` (presentation forms, visual order) needed.
:func:`shaping_mode` decides by drawing a probe string, not by looking at version numbers.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from pathlib import Path
from typing import Iterator, Literal

from .. import numerals

ShapingMode = Literal["matplotlib", "reshape"]

LRM, RLM = "\u200e", "\u200f"
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

    Two probes are drawn through the text-to-path engine the charts' PDFs use: "بيت" must come
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
    """The book's rule for numbers (:func:`briefing.numerals.format_number`: half-up rounding,
    separators, digits; Western digits in English charts), with the chart font's minus sign, and
    the convention of docs/conventions.md for signs: in an Arabic chart with Western digits a
    LEFT-TO-RIGHT MARK before a negative number keeps its sign on the left ("−26.8", as the
    prose's isolated run draws it); with Arabic-Indic digits the number reads right to left, its
    sign first (on the right). The percent sign is ٪ with Arabic-Indic digits, «%» with Western
    ones (as the prose prints it; in Arabic charts «%» comes from the style's fallback font)."""
    digits = numerals.part_digits(digits, lang)
    text = numerals.format_number(value, decimals, digits, thousands)
    rtl_run = digits == "arabic-indic"
    text = text.replace(numerals.NEGATIVE, (LRM if lang == "ar" and not rtl_run else "") + minus)
    if rtl_run and text.startswith(minus):
        text = RLM + text  # a right-to-left run on its own (a tick label): the sign on the right
    if percent:
        text += "\u066a" if rtl_run else "%"
    return text


# --- fonts --------------------------------------------------------------------------------------

@functools.cache
def charmap(font_path: str) -> frozenset[int]:
    # the code points kept in the user's font cache (briefing.fonts), so that ``--check`` reads
    # no font and does not import matplotlib
    from ..fonts import _coverage

    return frozenset(_coverage(Path(font_path))[1])


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
    """Record every layout matplotlib's text-to-path engine makes (which draws the charts' text
    as outlines: :mod:`briefing.charts.outline_pdf`): a list of (string, font file, [(glyph id,
    x), ...] in drawn order)."""
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


@contextlib.contextmanager
def quiet_line_metrics() -> Iterator[None]:
    """matplotlib measures line height with the string "lp", which an Arabic-only font lacks:
    silence exactly that warning (real missing characters are caught before drawing)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"Glyph (108|112) \((l|p)\) missing")
        yield
