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
different texts, WeasyPrint's text is kept. And each run of kashidas is wrapped, with the glyph
drawn after it, in an ``/ActualText`` span holding that glyph's text (:func:`kashida_spans`), so
that poppler does not read the kashida's width as a space. No glyph, position or byte of ink
changes; only the ``/ToUnicode`` CMaps and marked-content operators do.

WeasyPrint is patched only while :func:`faithful_text_layer` is active, at the narrowest hook: the
module-level name ``weasyprint.pdf.build_fonts_dictionary``, which ``generate_pdf`` calls once per
document after every page is drawn (so every font's ``to_unicode`` is complete) and before fonts
are subset (so ``Font.file_content`` is still the whole font). :data:`RELIED_ON` fingerprints the
WeasyPrint code this depends on; ``tests/test_pdf_text_layer.py`` fails when it changes.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import re
from collections import defaultdict
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

TATWEEL = "\u0640"  # ARABIC TATWEEL: the character Arabic fonts' kashida glyphs are made from

# SHA-256 (first 16 hex digits) of the source of each WeasyPrint function this module relies on,
# as in the pinned weasyprint==70.0: where the wrong map is made, where it is written, and the
# caller whose module-level name is replaced. See :func:`weasyprint_fingerprints`.
RELIED_ON = {
    "weasyprint.draw.text.draw_first_line": "1bb8eae6d88e71b1",
    "weasyprint.pdf.fonts.build_fonts_dictionary": "fc551bef35d0d6c3",
    # what glyph_aliases.write_aliases completes: /W, /CIDToGIDMap /Identity, the encoding CMap
    "weasyprint.pdf.fonts._build_vector_font_dictionary": "aa6eea312c6e3375",
    "weasyprint.pdf.generate_pdf": "626343ef25c396e8",
    "weasyprint.pdf.stream.Stream.set_font_size": "34b9096d1555895d",
    "pydyf.Stream.show_text": "3e008af86f62f42c",
}


def weasyprint_fingerprints(relied_on: dict[str, str] = RELIED_ON) -> dict[str, str]:
    """The current fingerprints of the functions named (dotted paths) in ``relied_on``, same
    shape."""
    import importlib

    found = {}
    for dotted in relied_on:
        names = dotted.split(".")
        for split in range(len(names) - 1, 0, -1):  # the longest importable module prefix
            try:
                target = importlib.import_module(".".join(names[:split]))
            except ImportError:
                continue
            for name in names[split:]:
                target = getattr(target, name)
            break
        source = inspect.getsource(target)
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
    (:func:`font_texts` gives the kashidas' ids too.)

    Glyphs the font reaches from two different texts are left out (the caller keeps its own
    text for them), as are glyphs no character reaches. Rules: the ``cmap`` reversed; a one-for-
    one substitution passes its input's text on; one glyph made into several gives its text to
    the first output that is not a kashida and "" to the others; a ligature gets its components'
    texts joined, in the order of the rule. Followed to a fixed point (at most 20 rounds).
    Raises ``fontTools.ttLib.TTLibError`` for bytes that are not an OpenType font."""
    return font_texts(font_bytes, index)[0]


def font_texts(font_bytes: bytes, index: int = 0) -> tuple[dict[int, str], frozenset[int]]:
    """:func:`glyph_texts`, and the ids of the font's kashida glyphs."""
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
    return result, frozenset(ids[glyph] for glyph in kashidas)


# font_texts by (SHA-256 of the font file, face index): keyed by the digest alone, not by the
# bytes (a key holding the bytes is compared byte for byte on every hit when another Font object
# of the same file brings its own copy: 4 s of a build); the bundled fonts are a dozen files
_TEXTS: dict[tuple[bytes, int], tuple[dict[int, str], frozenset[int]]] = {}


def _font_texts(font) -> tuple[dict[int, str], frozenset[int]]:
    """:func:`font_texts` of a WeasyPrint ``Font``, computed once per font file."""
    # called for every glyph drawn: the digest of the font's bytes (hundreds of kB) is kept
    # with the font object, for as long as those bytes are its file (subsetting replaces them)
    content = font.file_content
    digest = getattr(font, "_briefing_digest", None)
    if digest is None or digest[0] is not content:
        digest = font._briefing_digest = (content, hashlib.sha256(content).digest())
    key = (digest[1], font.index or 0)
    found = _TEXTS.get(key)
    if found is None:
        if len(_TEXTS) >= 64:  # fonts outside the bundled ones: bounded all the same
            _TEXTS.clear()
        found = _TEXTS[key] = font_texts(content, key[1])
    return found


def correct_to_unicode(font) -> int:
    """Replace a WeasyPrint ``Font``'s ``to_unicode`` entries by the font's own text where they
    differ; returns how many changed. Only glyphs WeasyPrint drew are touched, so the subset and
    the widths stay the same. Glyph ids past the font's end (WeasyPrint's stand-ins for missing
    characters) keep their text. A glyph of a mirrored character («)», «»») that the book drew
    for one text only gets that text: in right-to-left lines HarfBuzz draws «(» with the glyph
    of «)» (``reading_order._record_mirrored`` notes each use)."""
    if font.bitmap or not font.to_unicode:
        return 0
    derived = dict(_font_texts(font)[0])
    # a glyph of a mirrored character drawn for one text only (reading_order._record_mirrored)
    derived.update((glyph, next(iter(uses))) for glyph, uses in
                   getattr(font, "briefing_mirrored_uses", {}).items() if len(uses) == 1)
    changed = 0
    for glyph_id, text in font.to_unicode.items():
        if glyph_id in derived and derived[glyph_id] != text:
            font.to_unicode[glyph_id] = derived[glyph_id]
            changed += 1
    return changed


# ---------------------------------------------------------------- kashidas in the content stream

# a TJ operand as WeasyPrint writes it: hex glyph strings and the numbers between them
_TJ_PART = re.compile(r"<([0-9a-f]*)>|(-?[0-9.e+-]+)")


def _pdf_text_string(text: str) -> str:
    return "<feff" + text.encode("utf-16-be").hex() + ">"


def kashida_spans(operand: str, kashidas: frozenset[int], texts: dict[int, str],
                  fallback: dict[int, str]) -> list[tuple[str, str | None]]:
    """Cut a TJ operand (``<0123abcd>-12<…>``, four hex digits a glyph) into pieces, each with
    the ``/ActualText`` it is to be wrapped in, or None. Each run of kashida glyphs goes with the
    glyph drawn after it, and the pair's text is that glyph's alone (``texts``, else
    ``fallback``): poppler then sees one character as wide as both, not a gap in the word
    where the kashida reads as nothing. Operands with no kashida come back whole."""
    # run for every text shown: an operand that holds no kashida's four hex digits anywhere
    # holds no kashida (one that does, out of step with the glyphs, is parsed to make sure)
    if not any(digits in operand for digits in _hex_glyphs(kashidas)):
        return [(operand, None)]
    glyphs: list[int | str] = []  # glyph ids and, as strings, the numbers between them
    for hexes, number in _TJ_PART.findall(operand):
        if number:
            glyphs.append(number)
        glyphs.extend(int(hexes[i:i + 4], 16) for i in range(0, len(hexes), 4))
    if not any(isinstance(g, int) and g in kashidas for g in glyphs):
        return [(operand, None)]
    pieces: list[tuple[list, str | None]] = [([], None)]
    i = 0
    while i < len(glyphs):
        glyph = glyphs[i]
        end = i
        while end < len(glyphs) and (isinstance(glyphs[end], str) or glyphs[end] in kashidas):
            end += 1
        if isinstance(glyph, int) and glyph in kashidas and end < len(glyphs):
            text = texts.get(glyphs[end], fallback.get(glyphs[end], ""))
            pieces.append((glyphs[i:end + 1], text))
            pieces.append(([], None))
            i = end + 1
        else:
            pieces[-1][0].append(glyph)
            i += 1
    return [(_tj_operand(part), text) for part, text in pieces if part]


@lru_cache(maxsize=64)
def _hex_glyphs(glyphs: frozenset[int]) -> tuple[str, ...]:
    """Glyph ids as a ``TJ`` operand writes them (four hex digits)."""
    return tuple(f"{glyph:04x}" for glyph in sorted(glyphs))


def _tj_operand(glyphs: list) -> str:
    parts, number_before = [], False
    for glyph in glyphs:
        if isinstance(glyph, str):  # a number: apart from a number before it
            parts.append(f" {glyph}" if number_before else glyph)
            number_before = True
        else:
            parts.append(f"<{glyph:04x}>")
            number_before = False
    return "".join(parts)


def _show_text_with_spans(show_text):
    """``Stream.show_text`` that wraps kashidas in ``/ActualText`` spans (:func:`kashida_spans`)."""

    def wrapped(stream, text):
        font = _current_font(stream)
        if font is None:
            return show_text(stream, text)
        derived, kashidas = _font_texts(font)
        for piece, actual in kashida_spans(text, kashidas, derived, font.to_unicode):
            if actual is None:
                show_text(stream, piece)
            else:
                stream.begin_marked_content("Span", f"<< /ActualText {_pdf_text_string(actual)} >>")
                show_text(stream, piece)
                stream.end_marked_content()

    return wrapped


def _current_font(stream):
    """The WeasyPrint ``Font`` a stream's text is being shown in, if it is a vector font with
    kashidas; None otherwise."""
    current = getattr(stream, "_current_font", None)
    if not current:
        return None
    font = next((f for f in stream._fonts.values() if f.hash == current[0]), None)
    if font is None or font.bitmap or not _font_texts(font)[1]:
        return None
    return font


@contextmanager
def faithful_text_layer() -> Iterator[None]:
    """While active, PDFs WeasyPrint writes get ToUnicode maps from :func:`correct_to_unicode`.

    Also wraps each run of kashidas in an ``/ActualText`` span (:func:`kashida_spans`),
    draws each text box's glyphs in the order pypdf reads as logical
    (:func:`briefing.writers.pdf.reading_order.logical_reading_order`), and writes the alias
    codes that drawing gave glyphs (:func:`briefing.writers.pdf.glyph_aliases.write_aliases`).
    Patches the name ``weasyprint.pdf.build_fonts_dictionary`` and the method ``show_text`` of
    ``weasyprint.pdf.stream.Stream`` (inherited from pydyf), and restores both on exit. Raises
    ``RuntimeError`` if the installed WeasyPrint's code differs from :data:`RELIED_ON`, rather
    than writing a PDF whose text layer nobody checked."""
    import weasyprint.pdf as weasyprint_pdf
    from weasyprint.pdf.stream import Stream

    from .glyph_aliases import write_aliases
    from .reading_order import logical_reading_order

    if weasyprint_fingerprints() != RELIED_ON:
        raise RuntimeError("the installed WeasyPrint is not the one briefing.writers.pdf.text_layer was "
                           "written for (see RELIED_ON there): check its text layer again")
    original = weasyprint_pdf.build_fonts_dictionary

    def build_fonts_dictionary(pdf, fonts, compress, *args, **kwargs):
        for font in fonts.values():
            correct_to_unicode(font)
        pdf_fonts = original(pdf, fonts, compress, *args, **kwargs)
        write_aliases(pdf, fonts, pdf_fonts, compress)
        return pdf_fonts

    weasyprint_pdf.build_fonts_dictionary = build_fonts_dictionary
    Stream.show_text = _show_text_with_spans(Stream.show_text)
    try:
        with logical_reading_order():
            yield
    finally:
        weasyprint_pdf.build_fonts_dictionary = original
        del Stream.show_text  # back to pydyf's, which it inherits
