"""Tables that fit the text width: smaller type down to a floor, then a located error.

In: a model table (its cells' text), the page geometry, the book's fonts. Out: the same table with
``type_scale`` (the fraction of the normal table type both writers print it at) and
``column_widths`` (each column's share of the text width, from its widest cell), or a SourceError
saying how many columns fit.

Widths are measured from the bundled fonts' advance widths (``hmtx``) at each output's table type
and cell padding (``LAYOUTS``), against the text width both outputs share
(:class:`briefing.model.PageGeometry`): the scale is the one that fits both. Arabic is measured in its isolated letter forms, which are at
least as wide as the joined ones, so the estimate errs towards smaller type, never towards a cut.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from .. import model as m
from ..errors import SourceError
from ..fonts import font_facts

FONTS_DIR = Path(__file__).resolve().parents[2] / "styles" / "fonts"
#: Each output's table type (points) and cell padding (mm, both sides): the PDF's
#: (styles/book.css: ``table { font-size: 10.5pt }``, ``td { padding: … 2mm }``) and Word's
#: (styles/reference.docx "Table Text": 9.5 pt, 12 pt for Arabic and digits in right-to-left
#: runs; ``w:tblCellMar`` 85 twips a side).
LAYOUTS = {"PDF": (10.5, 4.0), "Word": (12.0, 3.0)}
#: the smallest type a table may be printed at, as a fraction of the normal (7 pt in the PDF,
#: 8 pt in Word's Arabic: about the smallest a printed statistical table is still read at)
MIN_SCALE = 2 / 3
_PT_MM = 25.4 / 72


def fit_table(table: m.Table, page: m.PageGeometry, fonts: m.Fonts, lang: str,
              spec: Path | None = None, fonts_dir: Path = FONTS_DIR) -> m.Table:
    """``table`` with ``type_scale`` and ``column_widths`` set so that it fits the text width of
    ``page`` in both outputs, set in the book's ``fonts``; SourceError (naming ``spec``, the
    table's specification, or the table's place in the text) when even ``MIN_SCALE`` is too
    wide."""
    text_font = fonts.latin if lang == "en" else fonts.body
    rows = [(row, False) for row in table.rows] + ([(table.header, True)] if table.header else [])
    ncols = max(len(row) for row, _ in rows)
    full = [0.0] * ncols   # each column's widest cell on one line, in em
    word = [0.0] * ncols   # … and its widest word (a cell wraps at spaces, not inside words)
    for row, is_header in rows:
        # the font stack of styles/book.css: th in the heading font, td in the text font, then
        # the fonts it falls back to for characters a font lacks
        families, bold = (((fonts.heading, "Noto Sans"), True) if is_header else
                          ((text_font, fonts.latin, "Noto Sans"), False))
        for c, cell in enumerate(row):
            for line in m.plain_text(cell).split("\n"):
                full[c] = max(full[c], _width_em(line, families, bold, fonts_dir))
                for piece in line.split():
                    word[c] = max(word[c], _width_em(piece, families, bold, fonts_dir))
    available = page.text_width

    def scale_in(layout: str) -> float:
        pt, padding = LAYOUTS[layout]
        return (available - padding * ncols) / (sum(word) * pt * _PT_MM or 1)

    binding = min(LAYOUTS, key=scale_in)
    scale = min(1.0, scale_in(binding))
    if scale < MIN_SCALE:
        pt, padding = LAYOUTS[binding]
        fit, used = 0, 0.0
        for width in word:
            used += width * pt * MIN_SCALE * _PT_MM + padding
            if used > available:
                break
            fit += 1
        where = (dict(file=spec, key="columns") if spec is not None
                 else dict(file=table.where.file, line=table.where.line))
        raise SourceError(
            f"the table has {ncols} columns, but only {fit} fit the width of a {page.paper} page "
            f"in {binding} even in the smallest type ({pt * MIN_SCALE:.0f} pt): split it into two "
            "tables or show fewer columns (e.g. every other year)", **where)
    scale = max(MIN_SCALE, int(scale * 20) / 20)  # in 5 % steps: a book's tables share a few
    # Word's column widths (the PDF lays its columns out itself): each column gets its widest
    # word, and the width left is shared as the columns' longer cells want it (all of it when
    # everything fits on one line)
    pt, padding = LAYOUTS["Word"]
    mm = pt * scale * _PT_MM
    base = [w * mm + padding for w in word]
    want = [(f - w) * mm for f, w in zip(full, word)]
    extra = available - sum(base)
    part = min(1.0, extra / sum(want)) if sum(want) > 0 else 0.0
    shares = [b + x * part for b, x in zip(base, want)]
    total = sum(shares)
    return dataclasses.replace(table, type_scale=scale,
                               column_widths=tuple(s / total for s in shares))


def _width_em(text: str, families: tuple[str, ...], bold: bool, fonts_dir: Path) -> float:
    """The advance of ``text`` in em: each character from the first family that has it (an
    em for one none has: the coverage check, after loading, refuses those anyway)."""
    fonts = [_advances(path) for family in families
             if (path := _font_file(fonts_dir, family, bold)) is not None]
    return sum(next((font[ord(ch)] for font in fonts if ord(ch) in font), 1.0) for ch in text)


@functools.cache
def _font_file(fonts_dir: Path, family: str, bold: bool) -> Path | None:
    """The bundled file of a family (named as styles/fonts names them: NotoSansArabic-Bold.ttf),
    the regular one when there is no bold; None for a family not bundled (the font check, after
    loading, names it)."""
    stem = family.replace(" ", "")
    for weight in (("Bold", "Regular") if bold else ("Regular",)):
        path = fonts_dir / f"{stem}-{weight}.ttf"
        if path.is_file():
            return path
    return None


@functools.cache
def _advances(path: Path) -> dict[int, float]:
    """Code point → advance width in em (nothing for a damaged file: the font check, after
    loading, names it); kept in the user's cache (:func:`briefing.fonts.font_facts`)."""
    def advances(font) -> dict[int, float]:
        per_em = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        return {cp: metrics[glyph][0] / per_em for cp, glyph in font.getBestCmap().items()
                if glyph in metrics}

    try:
        return {int(cp): em for cp, em in font_facts(path, "advances", advances).items()}
    except Exception:  # fontTools raises many kinds for a damaged or truncated file
        return {}
