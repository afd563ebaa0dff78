"""The bundled fonts, and the promise that follows from them: no tofu boxes, ever.

In: ``styles/fonts/*.ttf`` and a book. Out: nothing, or a SourceError naming the first character
that none of a part's fonts can draw, with the file and line where it was typed.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

from . import model as m
from .errors import SourceError

ARABIC_PROBE = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
# fonts the stylesheet falls back to after the manifest's ones (see styles/book.css)
FALLBACKS = ("Noto Sans",)


@functools.cache
def families(fonts_dir: Path) -> dict[str, frozenset[int]]:
    """Family name → the code points its files cover (all weights and styles together)."""
    covered: dict[str, set[int]] = {}
    for path in sorted(fonts_dir.glob("*.tt[fc]")) + sorted(fonts_dir.glob("*.otf")):
        font = TTFont(path, lazy=True)
        name = font["name"].getBestFamilyName()
        covered.setdefault(name, set()).update(font.getBestCmap())
        font.close()
    return {name: frozenset(points) for name, points in covered.items()}


def check_fonts(book: m.Book, fonts_dir: Path, manifest: str = "edition.yaml") -> None:
    """Every family the manifest names is bundled, Arabic body fonts have Arabic, and every
    character the book prints is covered by the fonts of its part."""
    available = families(fonts_dir)
    fonts = book.meta.fonts
    for role in ("body", "heading", "latin"):
        family = getattr(fonts, role)
        if family not in available:
            raise SourceError(f"font '{family}' is not in {fonts_dir} (bundled: "
                              f"{', '.join(sorted(available))})", file=manifest,
                              key=f"fonts.{role}")
    if book.meta.lang == "ar" and not set(map(ord, ARABIC_PROBE)) <= available[fonts.body]:
        raise SourceError(f"font '{fonts.body}' has no Arabic letters; choose an Arabic font",
                          file=manifest, key="fonts.body")
    for part in book.parts:
        order = (fonts.body, fonts.heading, fonts.latin) if part.lang == "ar" else (
            fonts.latin, fonts.body, fonts.heading)
        covered = frozenset().union(*(available[f] for f in order + FALLBACKS if f in available))
        _check_blocks(part.blocks, covered, part.where)
        _check_text(m.plain_text(part.title), covered, part.where)


def _check_blocks(blocks, covered: frozenset[int], where: m.Where) -> None:
    for block in blocks:
        here = getattr(block, "where", where)
        for text in _texts(block):
            _check_text(text, covered, here)
        for child in getattr(block, "blocks", ()):
            _check_blocks((child,), covered, here)
        for item in getattr(block, "items", ()):
            _check_blocks(item, covered, here)


def _texts(block) -> list[str]:
    if isinstance(block, (m.Paragraph, m.Heading)):
        notes = [b for run in block.content if isinstance(run, m.Note) for b in run.blocks]
        return [m.plain_text(block.content)] + [t for b in notes for t in _texts(b)]
    if isinstance(block, m.Table):
        cells = [cell for row in (block.header, *block.rows) for cell in row]
        return [m.plain_text(block.caption), block.source] + [m.plain_text(c) for c in cells]
    if isinstance(block, m.Figure):
        return [m.plain_text(block.caption), block.source]
    return []


def _check_text(text: str, covered: frozenset[int], where: m.Where) -> None:
    for char in text:
        if ord(char) not in covered and unicodedata.category(char) not in ("Cc", "Cf", "Zs"):
            raise SourceError(f"the character {char!r} (U+{ord(char):04X} "
                              f"{unicodedata.name(char, 'unnamed')}) is in none of the bundled "
                              "fonts and would print as an empty box: replace it",
                              file=where.file, line=where.line)
