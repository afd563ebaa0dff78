"""A faithful PDF text layer: each glyph's Unicode text derived from the font itself.

The fault it corrects (Kozea/WeasyPrint#2841, open; reduced in ``docs/weasyprint-tounicode.md``):
WeasyPrint 70 writes one ToUnicode entry per glyph id, the text of the *first* cluster it met the
glyph in (``weasyprint/draw/text.py``, the ``font.to_unicode[glyph_id] = …`` assignment). When a
font's rules turn one letter into several glyphs (Amiri inserts a kashida glyph after a lam or a
haa, in the same cluster), the whole cluster's text goes to one glyph and "" to the other; for
right-to-left text the kashida gets the letter and the letter nothing, so every later lam of the
book reads as nothing and every kashida as «ل»: «المملكة» is read «الممللكة». Search, copy and
screen readers then get other words.

The fix: before WeasyPrint writes its font dictionaries, each font's map is replaced, glyph by
glyph, by what the font says the glyph stands for (:func:`glyph_texts`): the ``cmap`` reversed,
then the GSUB substitutions followed to a fixed point. Where a rule turns one glyph into several,
the output standing for the input letter gets its text and inserted kashidas (the tatweel glyph
and every glyph the rules make of it or into it) get ""; where the font makes a glyph of two
different texts, WeasyPrint's text is kept. No glyph, position or byte of ink changes; only the
``/ToUnicode`` CMaps do.

WeasyPrint is patched only while :func:`faithful_text_layer` is active, at the narrowest hook: the
module-level name ``weasyprint.pdf.build_fonts_dictionary``, which ``generate_pdf`` calls once per
document after every page is drawn (so every font's ``to_unicode`` is complete) and before fonts
are subset (so ``Font.file_content`` is still the whole font). :data:`RELIED_ON` fingerprints the
WeasyPrint code this depends on; ``tests/test_pdf_text_layer.py`` fails when it changes.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
from collections import defaultdict
from contextlib import contextmanager
from typing import Iterator

TATWEEL = "\u0640"  # ARABIC TATWEEL: the character Arabic fonts' kashida glyphs are made from

# SHA-256 (first 16 hex digits) of the source of each WeasyPrint function this module relies on,
# as in the pinned weasyprint==70.0: where the wrong map is made, where it is written, and the
# caller whose module-level name is replaced. See :func:`weasyprint_fingerprints`.
RELIED_ON = {
    "weasyprint.draw.text.draw_first_line": "1bb8eae6d88e71b1",
    "weasyprint.pdf.fonts.build_fonts_dictionary": "fc551bef35d0d6c3",
    "weasyprint.pdf.generate_pdf": "626343ef25c396e8",
}


def weasyprint_fingerprints() -> dict[str, str]:
    """The current fingerprints of the functions named in :data:`RELIED_ON`, same shape."""
    import importlib

    found = {}
    for dotted in RELIED_ON:
        module, name = dotted.rsplit(".", 1)
        source = inspect.getsource(getattr(importlib.import_module(module), name))
        found[dotted] = hashlib.sha256(source.encode()).hexdigest()[:16]
    return found


# ---------------------------------------------------------------- the font's own map


def _lookups(ttfont):
    """GSUB lookups as (type, subtables), extension lookups (type 7) unwrapped."""
    if "GSUB" not in ttfont or not ttfont["GSUB"].table.LookupList:
        return
    for lookup in ttfont["GSUB"].table.LookupList.Lookup:
        kind, subtables = lookup.LookupType, lookup.SubTable
        if kind == 7:
            kind = subtables[0].ExtensionLookupType
            subtables = [table.ExtSubTable for table in subtables]
        yield kind, subtables


def _rules(ttfont) -> tuple[list[tuple[str, str]], list[tuple[str, list[str]]],
                            list[tuple[list[str], str]]]:
    """The font's substitutions by shape: one for one (GSUB types 1, 3 and 8), one into several
    (type 2) and several into one (type 4), as glyph names. Contextual lookups (5, 6) only apply
    lookups of these types, which are in the list themselves."""
    single, multiple, ligature = [], [], []
    for kind, subtables in _lookups(ttfont):
        for table in subtables:
            if kind == 1:
                single.extend(table.mapping.items())
            elif kind == 3:
                single.extend((glyph, alt) for glyph, alts in table.alternates.items()
                              for alt in alts)
            elif kind == 8:
                single.extend(zip(table.Coverage.glyphs, table.Substitute))
            elif kind == 2:
                multiple.extend(table.mapping.items())
            elif kind == 4:
                ligature.extend(([first, *lig.Component], lig.LigGlyph)
                                for first, ligs in table.ligatures.items() for lig in ligs)
    return single, multiple, ligature


def _kashidas(cmap: dict[int, str], single, multiple) -> set[str]:
    """The tatweel glyph and every glyph one-for-one rules make of it or into it, and every glyph
    made only of those (Amiri's «uni0640.2» → «uni0640 uni0640»)."""
    found = {cmap[ord(TATWEEL)]} if ord(TATWEEL) in cmap else set()
    while True:
        more = {b if a in found else a for a, b in single if (a in found) != (b in found)}
        more |= {glyph for glyph, out in multiple
                 if glyph not in found and out and set(out) <= found}
        if not more:
            return found
        found |= more


def glyph_texts(font_bytes: bytes, index: int = 0) -> dict[int, str]:
    """What each glyph of a font stands for, by glyph id: {gid: text}; "" for inserted kashidas.

    Glyphs the font reaches from two different texts are left out (the caller keeps its own
    text for them), as are glyphs no character reaches. Rules: the ``cmap`` reversed; a one-for-
    one substitution passes its input's text on; one glyph made into several gives its text to
    the first output that is not a kashida and "" to the others; a ligature gets its components'
    texts joined, in the order of the rule. Followed to a fixed point (at most 20 rounds).
    Raises ``fontTools.ttLib.TTLibError`` for bytes that are not an OpenType font."""
    from fontTools.ttLib import TTFont

    ttfont = TTFont(io.BytesIO(font_bytes), fontNumber=index, lazy=True)
    cmap = ttfont.getBestCmap() or {}
    single, multiple, ligature = _rules(ttfont)
    kashidas = _kashidas(cmap, single, multiple)
    texts: dict[str, set[str]] = defaultdict(set)
    for codepoint, glyph in cmap.items():
        if glyph not in kashidas:
            texts[glyph].add(chr(codepoint))

    def known(glyph):
        return texts[glyph] if glyph in texts else set()

    for _ in range(20):
        before = sum(map(len, texts.values()))
        for source, target in single:
            if target not in kashidas:
                texts[target] |= known(source)
        for source, outputs in multiple:
            letters = [glyph for glyph in outputs if glyph not in kashidas]
            if letters and known(source):
                texts[letters[0]] |= known(source)
                for other in letters[1:]:
                    texts[other].add("")
        for components, target in ligature:
            parts = [known(glyph) if glyph not in kashidas else {""} for glyph in components]
            if target not in kashidas and all(len(part) == 1 for part in parts):
                texts[target].add("".join(next(iter(part)) for part in parts))
        if sum(map(len, texts.values())) == before:
            break
    ids = ttfont.getReverseGlyphMap()
    result = {ids[glyph]: "" for glyph in kashidas}
    result.update((ids[glyph], next(iter(found))) for glyph, found in texts.items()
                  if len(found) == 1)
    return result


@functools.lru_cache(maxsize=32)
def _cached_glyph_texts(digest: bytes, font_bytes: bytes, index: int) -> dict[int, str]:
    return glyph_texts(font_bytes, index)


def correct_to_unicode(font) -> int:
    """Replace a WeasyPrint ``Font``'s ``to_unicode`` entries by the font's own text where they
    differ; returns how many changed. Only glyphs WeasyPrint drew are touched, so the subset and
    the widths stay the same. Glyph ids past the font's end (WeasyPrint's stand-ins for missing
    characters) keep their text."""
    if font.bitmap or not font.to_unicode:
        return 0
    digest = hashlib.sha256(font.file_content).digest()
    derived = _cached_glyph_texts(digest, font.file_content, font.index or 0)
    changed = 0
    for glyph_id, text in font.to_unicode.items():
        if glyph_id in derived and derived[glyph_id] != text:
            font.to_unicode[glyph_id] = derived[glyph_id]
            changed += 1
    return changed


@contextmanager
def faithful_text_layer() -> Iterator[None]:
    """While active, PDFs WeasyPrint writes get ToUnicode maps from :func:`correct_to_unicode`.

    Patches the name ``weasyprint.pdf.build_fonts_dictionary`` and restores it on exit. Raises
    ``RuntimeError`` if the installed WeasyPrint's code differs from :data:`RELIED_ON`, rather
    than writing a PDF whose text layer nobody checked."""
    import weasyprint.pdf as weasyprint_pdf

    if weasyprint_fingerprints() != RELIED_ON:
        raise RuntimeError("the installed WeasyPrint is not the one briefing.pdf_text_layer was "
                           "written for (see RELIED_ON there): check its text layer again")
    original = weasyprint_pdf.build_fonts_dictionary

    def build_fonts_dictionary(pdf, fonts, *args, **kwargs):
        for font in fonts.values():
            correct_to_unicode(font)
        return original(pdf, fonts, *args, **kwargs)

    weasyprint_pdf.build_fonts_dictionary = build_fonts_dictionary
    try:
        yield
    finally:
        weasyprint_pdf.build_fonts_dictionary = original
