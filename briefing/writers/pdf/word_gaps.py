"""Gaps inside words closed for readers that take a gap for a space, without moving ink.

Amiri sets a letter that does not join the next one (ر ز و د ا …) 0.085–0.16 em away from it
(GPOS kerning, written by WeasyPrint as a ``TJ`` adjustment between the two glyphs). poppler
(``pdftotext``, TextOutputDev's ``minWordBreakSpace``: 0.1 of the font size, and what it guesses
for the line) reads a gap that wide as a space: «التاريخية» came out «التار يخية», «الرياض» was
never found; 183 of the default edition's 9,087 Arabic words.

A reader measures a gap from where a glyph's advance ends (the ``/W`` width) to where the next
glyph starts. So the glyph before the gap is drawn under an *alias CID*: another CID of the same
font that the ``/CIDToGIDMap`` maps to the same glyph (ISO 32000-1 §9.7.4.2), with the same
``/ToUnicode`` text and a ``/W`` width that includes the gap (§9.7.4.3); the ``TJ`` adjustment
is removed (what is left of it after rounding the width stays). Each glyph lands where it did,
drawn by the same glyph program: the ink is the same, and the reader sees one word.

A gap counts as inside a word when the glyphs on both sides of it, in one ``TJ`` array, read as
something other than white space (a kashida reads as "", inside a word too), and it is wider
than :data:`MIN_GAP`. Gaps between text objects and around spaces are left as they are.

The same pass, with the same kind of codes, mends the other fault poppler had in Arabic words:
a glyph standing for two letters (Noto Sans Arabic's lam-alef ligature) was read with its
letters reversed, «للاختبار» → «لالختبار», «العلاقات» → «العالقات» (:func:`_split_ligatures`).
"""

from __future__ import annotations

import bisect
import re
import zlib
from decimal import Decimal

from .glyph_aliases import cmap_blocks

MIN_GAP = 30  # thousandths of the font size; kerning tighter than this never splits a word
_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]*)>")


def to_unicode_texts(font) -> dict[int, str]:
    """The single-glyph entries (``bfchar``) of a Type 0 font's ``/ToUnicode`` CMap, by CID."""
    if "/ToUnicode" not in font:
        return {}
    return {int(cid, 16): bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
            for cid, text in _BFCHAR.findall(font.ToUnicode.read_bytes())}


def cid_widths(w) -> dict[int, Decimal]:
    """A ``/W`` array as {CID: width}: ``c [w1 w2 …]`` and ``c_first c_last w`` forms."""
    import pikepdf

    out, items, i = {}, list(w), 0
    while i < len(items):
        first = int(items[i])
        if not isinstance(items[i + 1], pikepdf.Array):
            for cid in range(first, int(items[i + 1]) + 1):
                out[cid] = Decimal(str(items[i + 2]))
            i += 3
        else:
            for k, width in enumerate(items[i + 1]):
                out[first + k] = Decimal(str(width))
            i += 2
    return out


def _glyph_count(descriptor) -> int:
    """The number of glyphs of an embedded TrueType font (``/FontFile2``; its ``maxp`` table),
    or 0 when the font is embedded otherwise."""
    import io

    from fontTools.ttLib import TTFont

    if "/FontFile2" not in descriptor:
        return 0
    return TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()), lazy=True)["maxp"].numGlyphs


class _Font:
    """One Type 0 font's alias codes: made as the pages are read, written into the font at the
    end. An alias is a new code for a glyph, with a width and a text of its own."""

    def __init__(self, font):
        import pikepdf

        self.font = font
        self.cid_font = font.DescendantFonts[0]
        self.texts = to_unicode_texts(font)
        self.widths = cid_widths(self.cid_font.get("/W", []))
        self.aliases: dict[tuple[int, Decimal, str], int] = {}  # (glyph, width, text) -> code
        self.glyphs: dict[int, int] = {}  # alias code -> glyph, for the aliases made here
        gid_map = self.cid_font.get("/CIDToGIDMap")
        self.gid_map = (bytearray(gid_map.read_bytes()) if isinstance(gid_map, pikepdf.Stream)
                        else None)
        # codes from the font's glyph count up: codes past it may be taken already (WeasyPrint's
        # codes for missing characters and glyph_aliases' codes count down from 0xFFFF)
        self.taken = set(self.widths)
        self.next_cid = _glyph_count(self.cid_font.FontDescriptor)
        # a glyph drawing nothing (the space's), for the letters of a ligature but its first
        space = next((cid for cid, text in sorted(self.texts.items()) if text == " "), None)
        self.blank = None if space is None else self.glyph(space)
        # the codes whose glyph reads as two Arabic letters (a lam-alef ligature)
        self.ligature_codes = frozenset(
            cid for cid, text in self.texts.items() if space is not None and len(text) == 2
            and all(_ARABIC_LETTER.match(c) for c in text))

    def glyph(self, cid: int) -> int:
        if cid in self.glyphs:
            return self.glyphs[cid]
        if self.gid_map is None or 2 * cid + 2 > len(self.gid_map):
            return cid
        return int.from_bytes(self.gid_map[2 * cid:2 * cid + 2], "big")

    def inside_word(self, cid: int) -> bool:
        text = self.texts.get(cid)
        return text is not None and not (text and text.isspace())

    def alias(self, cid: int, width: Decimal | None = None, text: str | None = None,
              glyph: int | None = None) -> int:
        """The code drawing ``glyph`` (default: the glyph of ``cid``) with ``width`` and
        ``text`` (default: those of ``cid``)."""
        key = (self.glyph(cid) if glyph is None else glyph,
               self.widths[cid] if width is None else width,
               self.texts.get(cid, "") if text is None else text)
        if key not in self.aliases:
            while self.next_cid in self.taken:
                self.next_cid += 1
            if self.next_cid > 0xFFFF:
                raise RuntimeError(f"no free character codes left in font {self.font.BaseFont}")
            code = self.aliases[key] = self.next_cid
            self.glyphs[code], self.widths[code], self.texts[code] = key
            self.taken.add(code)
        return self.aliases[key]

    def write(self, pdf) -> None:
        """The aliases into the font: ``/CIDToGIDMap`` (from ``/Identity`` to a stream),
        ``/W`` and ``/ToUnicode`` entries."""
        import pikepdf

        if not self.aliases:
            return
        size = max(self.aliases.values()) + 1
        if self.gid_map is None:  # Identity: every other code drawn stays its own glyph
            size = max(size, max(self.taken, default=0) + 1)
            self.gid_map = bytearray(b"".join(c.to_bytes(2, "big") for c in range(size)))
        self.gid_map.extend(b"\0\0" * (size - len(self.gid_map) // 2))
        w = list(self.cid_font.get("/W", []))
        entries = []
        for (gid, width, text), alias in self.aliases.items():
            self.gid_map[2 * alias:2 * alias + 2] = gid.to_bytes(2, "big")
            w += [alias, pikepdf.Array([width])]
            entries.append(f"<{alias:04x}> <{text.encode('utf-16-be').hex()}>")
        stream = pdf.make_stream(zlib.compress(bytes(self.gid_map), 9))
        stream.Filter = pikepdf.Name.FlateDecode
        self.cid_font.CIDToGIDMap = stream
        self.cid_font.W = pikepdf.Array(w)
        cmap = self.font.ToUnicode.read_bytes()
        blocks = b"".join(line + b"\n" for line in cmap_blocks("bfchar", entries))
        cut = cmap.rindex(b"endcmap")
        self.font.ToUnicode = pdf.make_stream(cmap[:cut] + blocks + cmap[cut:])

    def split(self, cid: int) -> bytes:
        """What draws a ligature's code instead, as hex: a blank of no width reading as the
        second letter, then the ligature's glyph reading as the first."""
        text = self.texts[cid]
        blank = self.alias(cid, width=Decimal(0), text=text[1], glyph=self.blank)
        return b"%04x%04x" % (blank, self.alias(cid, text=text[0]))


_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")


# what a page's content stream is scanned for, in order: literal strings (skipped, so that
# nothing inside them is taken for an operator), q and Q (the font is part of the graphics
# state they save and restore), Tf, and a glyph, the adjustments after it and the next glyph in
# one TJ array: ``<…GGGG>``, then numbers and empty strings ``<>`` (a number -10 or less:
# checked ahead over those characters only, as hex strings hold no «-»), then ``<HHHH…``
# (looked at, not taken: it may be the glyph before the next gap)
_NUMBER = rb"-?[\d.]+(?:[eE][-+]?\d+)?"
_SET_FONT = rb"/(?P<font>[^\s/\[\]<>()]+)\s+" + _NUMBER + rb"\s+Tf(?=\s)"  # /F12 16.6 Tf
_SCAN = re.compile(
    rb"(?P<literal>\((?:\\.|[^\\()])*\))"
    rb"|(?<![^\s\]>)])(?P<op>[qQ])(?=\s)"
    rb"|" + _SET_FONT +
    rb"|(?P<glyph>[0-9a-fA-F]{4})>(?=[-\d.eE+\s<>]*?-\d\d)"
    rb"(?P<shift>(?:\s*(?:<>|" + _NUMBER + rb"(?![\d.])))*+)"
    rb"(?=\s*<(?P<next>[0-9a-fA-F]{4}))")
_SHIFT = re.compile(_NUMBER)


_TF = re.compile(_SET_FONT)


def _split_ligatures(data: bytes, by_name: dict[bytes, "_Font"]) -> tuple[bytes, int]:
    """A page's content with each lam-alef ligature drawn as :meth:`_Font.split` gives it.

    poppler gives a glyph reading as two letters both, left to right across its width, then
    reverses a right-to-left line: «لا» came out «ال» («للاختبار» → «لالختبار»). As a blank (no
    ink, no width) at the glyph's left edge reading as the second letter and the glyph reading as
    the first, the letters are in visual order for poppler, and in drawing order for pypdf, which
    reverses a right-to-left run. Hex strings of marked-content properties (``/ActualText``)
    are not glyphs and are left alone."""
    codes = {b"%04x" % cid for font in set(by_name.values()) for cid in font.ligature_codes}
    if not codes:
        return data, 0
    fonts = [(m.start(), by_name.get(m["font"])) for m in _TF.finditer(data)]
    starts = [start for start, _ in fonts]
    candidates = re.compile(b"|".join(sorted(codes)), re.IGNORECASE)
    out, at, count = [], 0, 0
    for match in candidates.finditer(data):
        start = match.start()
        opened, closed = data.rfind(b"<", 0, start), data.rfind(b">", 0, start)
        if opened <= closed or (start - opened - 1) % 4 or start < at \
                or b"ActualText" in data[max(0, opened - 16):opened]:
            continue
        index = bisect.bisect_left(starts, start)
        font = fonts[index - 1][1] if index else None
        cid = int(match[0], 16)
        if font is None or cid not in font.ligature_codes:
            continue
        out += [data[at:start], font.split(cid)]
        at = match.end()
        count += 1
    if not count:
        return data, 0
    out.append(data[at:])
    return b"".join(out), count


def close_word_gaps(pdf) -> int:
    """Close the gaps inside words, and draw lam-alef ligatures to be read in order, on every
    page of an open ``pikepdf.Pdf`` (changed in place); returns how many places changed. Only Type 0 fonts with two-byte CIDs written as hex strings (what
    WeasyPrint writes) are read; other fonts and text are left as they are."""
    import pikepdf

    fonts: dict[tuple[int, int], _Font] = {}
    closed = 0
    for page in pdf.pages:
        by_name = {}
        for name, font in page.obj.get("/Resources", {}).get("/Font", {}).items():
            if font.get("/Subtype") == "/Type0" and font.is_indirect:
                if font.objgen not in fonts:
                    fonts[font.objgen] = _Font(font)
                by_name[name[1:].encode()] = fonts[font.objgen]
        contents = page.obj.get("/Contents")
        if not by_name or not isinstance(contents, pikepdf.Stream):
            continue
        data, count = _split_ligatures(contents.read_bytes(), by_name)
        out, at, current, saved = [], 0, None, []
        for match in _SCAN.finditer(data):
            if match["op"] == b"q":
                saved.append(current)
            elif match["op"] == b"Q":
                current = saved.pop() if saved else None
            elif match["font"] is not None:
                current = by_name.get(match["font"])
            elif match["glyph"] is not None and current is not None:
                cid, after = int(match["glyph"], 16), int(match["next"], 16)
                shift = sum(map(Decimal, (n.decode() for n in _SHIFT.findall(match["shift"]))))
                if (shift <= -MIN_GAP and cid in current.widths and current.inside_word(cid)
                        and current.inside_word(after)):
                    width = (current.widths[cid] - shift).quantize(Decimal("0.001"))
                    rest = current.widths[cid] - shift - width
                    out += [data[at:match.start("glyph")],
                            b"%04x>" % current.alias(cid, width=width),
                            str(-rest).encode() if rest else b""]
                    at = match.end("shift")
                    count += 1
        if count:
            out.append(data[at:])
            contents.write(zlib.compress(b"".join(out), 6), filter=pikepdf.Name.FlateDecode)
            closed += count
    for font in fonts.values():
        font.write(pdf)
    return closed

