"""Alias character codes: one glyph, several texts, so that each use of it reads as it should.

A PDF maps text to Unicode per character code (the font's ``/ToUnicode`` CMap), and WeasyPrint 70
writes its Type0 fonts with ``/Identity-H`` and ``/CIDToGIDMap /Identity``: one code per glyph,
so a glyph reads the same wherever it is drawn. Some uses need another text than the glyph's own
(ISO 32000-1, 9.10.2 and 14.9.4 show the same need for hyphenation):

- a word hyphenated at a line's end: the hyphen should read as the rest of the word, and the
  rest, drawn at the start of the next line, as nothing, so that readers which take each
  line's text as it comes (pypdf, poppler) read the word whole;
- a right-to-left word holding a number or a Latin word («(66%)», «2023م»), drawn left to
  right (:mod:`briefing.writers.pdf.reading_order` explains why): its left-to-right part
  reads as one string from one glyph, and the other glyphs of that part as nothing.

This module gives a glyph of a WeasyPrint ``Font`` an *alias code* per text it must read as
(:func:`alias`): a CID past the font's glyphs, from 0xFFFE down, which the descendant font's
``/CIDToGIDMap`` (a stream, ISO 32000-1 9.7.4.2) maps to the same glyph, with the glyph's
``/W`` width and a ``/ToUnicode`` entry of its own. The content stream draws the alias code
in the glyph's place: the ink, a glyph at the same point, is the same. :func:`write_aliases`
completes the font dictionaries after WeasyPrint has written them.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

TOP = 0xFFFE  # 0xFFFF is WeasyPrint's last code for characters a font lacks
_first = [TOP]  # the first code given now (see codes_from)


@dataclass
class _Aliases:
    """A font's alias codes: ``codes`` {(glyph, text): code}, ``glyphs`` {code: [glyph, text]}
    (a list: a hyphen's text is known only when the next line is drawn)."""

    codes: dict = field(default_factory=dict)
    glyphs: dict = field(default_factory=dict)


def _aliases(font) -> _Aliases:
    found = font.__dict__.get("briefing_aliases")
    if found is None:
        found = font.briefing_aliases = _Aliases()
    return found


def alias(font, glyph: int, text: str | None, shared: bool = True) -> int:
    """The code that draws ``glyph`` of a WeasyPrint ``Font`` and reads as ``text``; a new code
    each call if not ``shared`` (its text may then be set later with :func:`set_text`; None
    until then, written as the glyph's own text)."""
    aliases = _aliases(font)
    if shared and (glyph, text) in aliases.codes:
        return aliases.codes[(glyph, text)]
    code = _first[-1] - len(aliases.glyphs)
    if code < font.glyph_count + len(font.missing) + 256:
        raise RuntimeError(f"no free character codes left in font {font.family!r}")
    aliases.glyphs[code] = [glyph, text]
    if shared:
        aliases.codes[(glyph, text)] = code
    return code


@contextmanager
def codes_from(first: int) -> Iterator[None]:
    """While active, fonts met anew give alias codes from ``first`` down instead of from
    :data:`TOP`: documents whose fonts are later joined into one (:mod:`.parts`) each take codes
    of their own range."""
    _first.append(first)
    try:
        yield
    finally:
        _first.pop()


def codes(font) -> dict[int, tuple[int, str | None]]:
    """A font's alias codes as drawn: {code: (glyph, text)}, text None where the glyph's own
    (what :func:`give_codes` takes back, for a font joined from several documents)."""
    found = font.__dict__.get("briefing_aliases")
    return {code: (glyph, text) for code, (glyph, text) in found.glyphs.items()} if found else {}


def give_codes(font, found: dict[int, tuple[int, str | None]]) -> None:
    """Give a WeasyPrint ``Font`` the alias codes ``found`` (as :func:`codes` gives them)."""
    aliases = _aliases(font)
    for code, (glyph, text) in sorted(found.items()):
        aliases.glyphs[code] = [glyph, text]


def set_text(font, code: int, text: str) -> None:
    """Give an alias code made with ``shared=False`` its text."""
    _aliases(font).glyphs[code][1] = text


def glyph_of(font, code: int) -> int:
    """The glyph an alias code draws; other codes are glyph ids already."""
    found = font.__dict__.get("briefing_aliases")
    return found.glyphs[code][0] if found and code in found.glyphs else code


def alias_texts(font) -> dict[int, str]:
    """{alias code: text} of a font (the glyph's own text where none was set)."""
    found = font.__dict__.get("briefing_aliases")
    if not found:
        return {}
    return {code: font.to_unicode.get(glyph, "") if text is None else text
            for code, (glyph, text) in found.glyphs.items()}


def _unicode_hex(text: str) -> str:
    return text.encode("utf-16-be").hex()


def write_aliases(pdf, fonts, pdf_fonts, compress: bool) -> None:
    """Add each font's alias codes to the dictionaries ``weasyprint.pdf.fonts.
    build_fonts_dictionary`` wrote (``pdf_fonts``: {font hash: reference}): ``/ToUnicode``
    entries, ``/W`` widths, a ``/CIDToGIDMap`` stream in place of ``/Identity``, and, where
    WeasyPrint wrote an encoding CMap (a font lacking characters), the codes' CIDs."""
    import pydyf

    by_hash: dict = {}
    for font in fonts.values():
        texts = alias_texts(font)
        if texts and not font.bitmap:
            by_hash.setdefault(font.hash, (font, {}))[1].update(texts)
    for font_hash, (font, texts) in sorted(by_hash.items()):
        aliases = _aliases(font).glyphs
        dictionary = _object(pdf, pdf_fonts[font_hash])
        subfont = _object(pdf, dictionary["DescendantFonts"][0])
        codes = sorted(texts)

        to_unicode = _object(pdf, dictionary["ToUnicode"]).stream
        end = to_unicode.index(b"endcmap")
        to_unicode[end:end] = cmap_blocks(
            "bfchar", [f"<{code:04x}> <{_unicode_hex(texts[code])}>" for code in codes])

        widths = subfont["W"]
        for code in codes:
            widths.extend([code, pydyf.Array([font.widths[aliases[code][0]]])])

        # the glyphs drawn map to themselves (the CIDs WeasyPrint wrote: code = CID = glyph,
        # missing characters going to CID 0 through its encoding CMap), the others to .notdef
        gids = bytearray(2 * (codes[-1] + 1))
        for gid in range(font.glyph_count) if font.used_in_forms else font.widths:
            if gid < codes[0]:
                gids[2 * gid:2 * gid + 2] = gid.to_bytes(2, "big")
        for code in codes:
            gids[2 * code:2 * code + 2] = aliases[code][0].to_bytes(2, "big")
        gid_map = pydyf.Stream([bytes(gids)], compress=compress)
        pdf.add_object(gid_map)
        subfont["CIDToGIDMap"] = gid_map.reference

        encoding = dictionary.get("Encoding")
        if not isinstance(encoding, str):  # WeasyPrint's CMap for missing glyphs: code = CID
            stream = _object(pdf, encoding).stream
            end = stream.index(b"endcmap")
            stream[end:end] = cmap_blocks("cidchar", [f"<{code:04x}> {code}" for code in codes])


def cmap_blocks(kind: str, entries: list[str]) -> list[bytes]:
    """CMap lines for ``entries`` (each ``<code> …``): ``N begin<kind>`` … ``end<kind>``
    blocks of at most 100 entries, the limit of Adobe Technical Note #5099 (CMap and CIDFont
    files), §6.4; ``kind`` "bfchar" (ToUnicode) or "cidchar"."""
    lines = []
    for start in range(0, len(entries), 100):
        batch = entries[start:start + 100]
        lines += [f"{len(batch)} begin{kind}".encode(), *(e.encode() for e in batch),
                  f"end{kind}".encode()]
    return lines


def _object(pdf, reference):
    """The object a pydyf reference (``b"12 0 R"``) names."""
    return pdf.objects[int(reference.split()[0])]
