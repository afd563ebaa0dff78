"""Glyphs drawn in the order pypdf reads them back as the text's logical order.

The fault it works around: pypdf (``extract_text``, ``pypdf/_text_extraction/__init__.py``
``get_display_str``, 7.1.1) reads glyphs in the order the content stream draws them and does
its own, much simplified, bidi: a character of the Hebrew and Arabic blocks is right-to-left,
one of a few neutral ranges (ASCII punctuation and space, Arabic-Indic digits, General
Punctuation) joins the run it meets, anything else (Latin letters, the digits 0-9, «», [],
U+00A0) is left-to-right; each run of one direction is reversed if right-to-left, and runs are
joined in drawing order. A text is cut into runs where its direction changes and where a text
operator moves the text to the output (``Tf``, ``BT``, a new line). WeasyPrint 70 draws each
text box's glyphs left to right in visual order (``weasyprint/draw/text.py``,
``draw_first_line``), so on a right-to-left line holding a number, a Latin word or «», pypdf
joins the runs left to right: «نوفمبر 2017» is read «2017 نوفمبر», «(2023-2027)» with its
brackets swapped. Boxes of one line drawn in one text object continue one run, so pypdf also
reads two Arabic boxes in a row (a word in bold beside plain text) in the wrong order.

What this module does, per text box, after WeasyPrint has drawn it: from Pango's glyph clusters
it takes each glyph's place in the logical text and from the ToUnicode maps the text the glyph
will read as (:func:`briefing.writers.pdf.text_layer.glyph_texts`, else WeasyPrint's); it then
cuts the box's clusters, in logical order, into pieces pypdf reads as one run each
(:func:`plan`) and draws the pieces in logical order: a right-to-left piece's glyphs from its
logical end (so pypdf's reversal gives the logical order), a left-to-right piece's from its
start. Each piece that does not follow on from the glyph drawn before it starts with a ``Tm``
at the exact place the glyph had (computed in exact decimals from the ``/W`` widths, the font
size and the ``TJ`` adjustments as written, so the renderer puts the glyph at the same point to
within rounding of a double); where pypdf's current run is right-to-left, a repeated ``Tf``
makes it start a new run. No glyph, position or colour changes: the ink is the same; a box read
the same in both orders is written byte for byte as WeasyPrint wrote it.

Active only inside :func:`logical_reading_order`; the WeasyPrint code it relies on is fingerprinted
in :data:`RELIED_ON` (``tests/writers/test_pdf_reading_order.py``).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator

# SHA-256 (first 16 hex digits, :func:`text_layer.weasyprint_fingerprints`) of the WeasyPrint code
# this module relies on: what draw_first_line draws and in which order, how the box is found
# (draw_text and SVG text call draw_first_line through its module), BT merging and Tf caching
# in WeasyPrint's stream, and /W widths taken from Font.widths (build_fonts_dictionary, in
# text_layer.RELIED_ON).
RELIED_ON = {
    "weasyprint.draw.text.draw_first_line": "1bb8eae6d88e71b1",
    "weasyprint.draw.text.draw_text": "ebaf96239c6ca363",
    "weasyprint.svg.text.text": "67a30c3e181b4a80",
    "weasyprint.pdf.stream.Stream.begin_text": "bf5f18b4689d4512",
    "weasyprint.pdf.stream.Stream.set_font_size": "34b9096d1555895d",
    "weasyprint.pdf.fonts.build_fonts_dictionary": "fc551bef35d0d6c3",
    "pydyf.Stream.set_text_matrix": "af511e392ca2a623",
}

# pypdf's direction classes (pypdf/_utils.py RTL_CHARACTER_RANGES, NEUTRAL_CHARACTER_RANGES,
# 7.1.1); neutral is tested first. A glyph whose text is not one character is neutral to pypdf.
_RTL = (("\u0590", "\u08ff"), ("\ufb1d", "\ufdff"), ("\ufe70", "\ufeff"))
_NEUTRAL = (("\x00", "\x2f"), ("\x3a", "\x40"), ("\u0660", "\u066d"), ("\u06f0", "\u06f9"),
            ("\u2000", "\u206f"), ("\u20a0", "\u21ff"))
RTL, LTR, NEUTRAL = "R", "L", "N"
# a word drawn as WeasyPrint drew it (see broken_words), after which pypdf's run is
# right-to-left, left-to-right, or as it was before the word
MIXED = {True: "XR", False: "XL", None: "XN"}


def pypdf_direction(text: str) -> str:
    """The direction pypdf gives a glyph that reads as ``text``: RTL, LTR or NEUTRAL."""
    if len(text) != 1 or any(low <= text <= high for low, high in _NEUTRAL):
        return NEUTRAL
    return RTL if any(low <= text <= high for low, high in _RTL) else LTR


def cluster_direction(texts: list[str]) -> str:
    """The direction of a cluster whose glyphs read as ``texts`` (drawn in this order): its
    first glyph that is not neutral decides, as it does for pypdf."""
    return next((d for d in map(pypdf_direction, texts) if d != NEUTRAL), NEUTRAL)


def plan(directions: list[str], rtl_before: bool) -> tuple[list[list[int]], list[bool], bool]:
    """How to draw clusters so that pypdf reads them in logical order.

    ``directions``: each cluster's direction (RTL, LTR, NEUTRAL, or a value of MIXED for a word
    drawn whole as WeasyPrint drew it), in logical order;
    ``rtl_before``: whether pypdf's current run is right-to-left when the box starts.
    Returns (pieces, new_runs, rtl_after): each piece a list of logical indexes in the order to
    draw them, read by pypdf as one run; for each piece whether pypdf's run is right-to-left
    before it (a new run must then be started, or the piece would be put before the run's
    text); and whether the run is right-to-left after the last piece.

    A right-to-left piece runs from a right-to-left cluster to the last right-to-left cluster
    before the next left-to-right one (to the last cluster before it if the run is
    right-to-left already) and is drawn from its end; a left-to-right piece runs
    from a left-to-right cluster to the next right-to-left one and is drawn from its start
    (neutrals after it join it: they are appended). Neutrals that no piece can hold (before the
    first strong cluster, after a right-to-left piece) form pieces of their own, drawn so that
    pypdf's run direction at that point puts them in order."""
    pieces: list[list[int]] = []
    new_runs: list[bool] = []
    rtl = rtl_before
    i, n = 0, len(directions)
    while i < n:
        new_runs.append(rtl)
        if directions[i] == NEUTRAL:
            end = i
            while end < n and directions[end] == NEUTRAL:
                end += 1
            if end < n and directions[end] == RTL and rtl:
                # neutrals before right-to-left text in a right-to-left run: drawn with it
                last = _rtl_end(directions, end, rtl)
                pieces.append(list(range(last, i - 1, -1)))
                i = last + 1
                continue
            run = list(range(i, end))
            pieces.append(run[::-1] if rtl else run)
            i = end
        elif directions[i] == RTL:
            last = _rtl_end(directions, i, rtl)
            pieces.append(list(range(last, i - 1, -1)))
            rtl, i = True, last + 1
        elif directions[i] in MIXED.values():
            pieces.append([i])
            rtl, i = {"XR": True, "XL": False, "XN": rtl}[directions[i]], i + 1
        else:
            end = i
            while end < n and directions[end] in (LTR, NEUTRAL):
                end += 1
            pieces.append(list(range(i, end)))
            rtl, i = False, end
    return pieces, new_runs, rtl


def broken_words(drawn: list[int], visual: list[int], spaces: list[bool]) -> dict[int, int]:
    """The words poppler would no longer read whole, as {cluster: word number} of their
    clusters. poppler makes a word of glyphs drawn one after the other, each right of the one
    before with no gap: a word here is a run of clusters side by side with no space between,
    and it stays whole if drawn left to right in one go. ``drawn``: logical indexes of clusters
    in drawing order; ``visual``: each cluster's place from the left; ``spaces``: whether a
    cluster is a space. A word mixing directions («(66%)», «2023م», «“كلمة”») cannot be drawn
    in an order both pypdf and poppler read right: it is drawn whole, left to right, and only
    pypdf reads its inside out of order."""
    by_place = sorted(range(len(visual)), key=visual.__getitem__)
    word, words = 0, [None] * len(visual)
    for cluster in by_place:
        word += spaces[cluster]
        words[cluster] = None if spaces[cluster] else word
    position = {cluster: n for n, cluster in enumerate(drawn)}
    wrong = {words[a] for a, b in zip(by_place, by_place[1:])
             if words[a] is not None and words[a] == words[b] and position[b] != position[a] + 1}
    return {c: w for c, w in enumerate(words) if w is not None and w in wrong}


def _rtl_end(directions: list[str], start: int, rtl: bool) -> int:
    """The last right-to-left cluster from ``start`` on before a left-to-right one; or, if the
    run is right-to-left already (``rtl``), the last cluster before it: the neutrals after
    the piece's last letter are drawn first and pypdf puts them after it, so that a «.» is
    not cut from its word (pypdf appends a space to a run at a large TJ adjustment, as Amiri's
    marks have, and the run would end in it)."""
    last = start
    for j in range(start, len(directions)):
        if directions[j] not in (RTL, NEUTRAL):
            break
        if directions[j] == RTL or rtl:
            last = j
    return last


# ---------------------------------------------------------------- exact numbers


def _exact(number) -> Fraction:
    """A number as pydyf or WeasyPrint wrote it into the stream, exactly."""
    from pydyf import _to_bytes

    return Fraction(number if isinstance(number, str) else _to_bytes(number).decode())


def _decimal(value: Fraction) -> str:
    """A fraction whose denominator divides a power of ten, written exactly in decimals."""
    digits = 0
    while (value * 10 ** digits).denominator != 1:
        digits += 1
    scaled = abs(value.numerator * 10 ** digits // value.denominator)
    text = str(scaled).rjust(digits + 1, "0")
    whole, decimals = text[:len(text) - digits], text[len(text) - digits:].rstrip("0")
    return ("-" if value < 0 else "") + whole + ("." + decimals if decimals else "")


# ---------------------------------------------------------------- one text box


@dataclass
class _Token:
    """A glyph (``glyph`` its id) or a TJ adjustment (``number``, as written) of a text box, in
    the order WeasyPrint drew them, with the font and rise in force."""

    glyph: int | None
    number: str | None
    font: tuple
    rise: float


def _tokens(calls) -> list[_Token] | None:
    """The text box's glyphs and adjustments from the recorded stream calls; None if they hold
    anything else than this module knows how to redraw."""
    from .text_layer import _TJ_PART

    tokens, font, rise = [], None, 0
    for name, args in calls:
        if name == "Tf":
            font = args
        elif name == "Ts":
            rise = args[0]
        elif name == "TJ":
            if font is None:
                return None
            for hexes, number in _TJ_PART.findall(args[0]):
                if number:
                    tokens.append(_Token(None, number, font, rise))
                if len(hexes) % 4:
                    return None
                tokens.extend(_Token(int(hexes[i:i + 4], 16), None, font, rise)
                              for i in range(0, len(hexes), 4))
        elif name != "Tm":
            return None
    return tokens


def _pango_clusters(textbox) -> tuple[list[tuple[int, int]], dict[int, str]]:
    """(run number, logical byte offset) of each glyph draw_first_line drew, left to right;
    and the text of each cluster, by its offset."""
    from weasyprint.text.ffi import ffi, pango

    first_line, _ = textbox.pango_layout.get_first_line()
    clusters, run, number = [], first_line.runs, 0
    while run != ffi.NULL:
        glyph_item = run.data
        run, number = run.next, number + 1
        glyphs = glyph_item.glyphs
        offset = glyph_item.item.offset
        for i in range(glyphs.num_glyphs):
            if glyphs.glyphs[i].glyph != pango.PANGO_GLYPH_EMPTY:
                clusters.append((number, offset + glyphs.log_clusters[i]))
    utf8 = textbox.pango_layout.text.encode()
    starts = sorted({start for _, start in clusters})
    ends = starts[1:] + [first_line.start_index + first_line.length]
    return clusters, {start: utf8[start:end].decode(errors="replace")
                      for start, end in zip(starts, ends)}


def _record_mirrored(font, glyph: int, derived: str, cluster: str) -> None:
    """Note on a WeasyPrint ``Font`` what a glyph standing for a mirrored character («(», «»»)
    was drawn for: in right-to-left text HarfBuzz draws «(» with the glyph of «)»
    (Unicode's Bidi_Mirroring_Glyph), so the glyph's text depends on its use
    (:func:`briefing.writers.pdf.text_layer.correct_to_unicode` reads the note)."""
    import unicodedata

    cluster = "".join(c for c in cluster if unicodedata.category(c) != "Cf")  # isolates
    if len(derived) == 1 and unicodedata.mirrored(derived) and len(cluster) == 1:
        uses = font.__dict__.setdefault("briefing_mirrored_uses", {})
        uses.setdefault(glyph, set()).add(cluster)


def _font(stream, font_hash):
    return next((f for f in stream._fonts.values() if f.hash == font_hash), None)


def redraw(stream, textbox, calls) -> None:
    """Write a text box's recorded stream calls (``(name, args)``: "Tm", "Tf", "TJ", "Ts") to
    ``stream``, in pypdf's logical order where it differs from the drawing order."""
    from .text_layer import _font_texts

    rtl = getattr(stream, "_briefing_pypdf_rtl", False)
    tokens = _tokens(calls)
    clusters, cluster_texts = _pango_clusters(textbox) if tokens else (None, {})
    glyphs = [t for t in tokens or () if t.glyph is not None]
    fonts = {t.font[0]: _font(stream, t.font[0]) for t in glyphs}
    same_line = bool(glyphs) and _same_line(stream, calls, glyphs[0].font)
    if (not glyphs or clusters is None or len(clusters) != len(glyphs)
            or any(f is None or f.bitmap for f in fonts.values())):
        stream._briefing_pypdf_rtl = rtl
        return _replay(stream, calls)

    def text(token):
        font = fonts[token.font[0]]
        return _font_texts(font)[0].get(token.glyph, font.to_unicode.get(token.glyph, ""))

    for token, (_, start) in zip(glyphs, clusters):
        _record_mirrored(fonts[token.font[0]], token.glyph, text(token), cluster_texts[start])

    # clusters: lists of token indexes, the adjustments before a cluster's first glyph included
    by_key, order, start, glyph_index = {}, [], 0, 0
    for index, token in enumerate(tokens):
        if token.glyph is None:
            continue
        key = clusters[glyph_index]
        glyph_index += 1
        if key not in by_key:
            by_key[key] = []
            order.append(key)
        by_key[key].extend(range(start, index + 1))
        start = index + 1
    logical = sorted(order, key=lambda key: key[1])
    directions = [cluster_direction([text(tokens[i]) for i in by_key[key]
                                     if tokens[i].glyph is not None]) for key in logical]
    place = {key: n for n, key in enumerate(order)}
    visual = [place[key] for key in logical]
    spaces = [all(text(tokens[i]).isspace() for i in by_key[key] if tokens[i].glyph is not None)
              for key in logical]
    units = [[c] for c in range(len(logical))]  # clusters, or a mixed word's in visual order
    pieces, new_runs, rtl_after = plan(directions, rtl)
    mixed = broken_words([c for piece in pieces for c in piece], visual, spaces)
    if mixed:  # each broken word becomes one unit, drawn left to right where it begins
        units, unit_directions, placed = [], [], set()
        for c, direction in enumerate(directions):
            if c not in mixed:
                units.append([c])
                unit_directions.append(direction)
            elif mixed[c] not in placed:
                placed.add(mixed[c])
                unit = sorted((d for d in mixed if mixed[d] == mixed[c]), key=visual.__getitem__)
                strong = [directions[d] for d in unit if directions[d] != NEUTRAL]
                units.append(unit)
                unit_directions.append(MIXED[strong[-1] == RTL if strong else None])
        pieces, new_runs, rtl_after = plan(unit_directions, rtl)
        if broken_words([c for piece in pieces for u in piece for c in units[u]], visual, spaces):
            return _replay(stream, calls)  # a word the regrouping broke: the box as drawn
    stream._briefing_pypdf_rtl = rtl_after
    new_runs[0] = new_runs[0] and same_line
    drawn = [[i for u in piece for c in units[u] for i in by_key[logical[c]]] for piece in pieces]
    if [i for piece in drawn for i in piece] == [i for key in order for i in by_key[key]] \
            and not any(new_runs):
        return _replay(stream, calls)
    _draw_pieces(stream, calls, tokens, fonts, list(zip(drawn, new_runs)))


def _same_line(stream, calls, font) -> bool:
    """Whether pypdf may take the box for the rest of the line of the box drawn before it in
    this stream (it starts a new line, and a new run, past 0.8 font sizes; this errs towards
    "the same line"); records the box's baseline for the next one."""
    matrix = next(args for name, args in calls if name == "Tm")
    size = float(font[1])
    before, stream._briefing_baseline = getattr(stream, "_briefing_baseline", None), (
        matrix[4:], size)
    if before is None:
        return True
    (x, y), previous = before
    return abs(matrix[5] - y) <= 1.2 * max(size, previous) or bool(matrix[1] or matrix[2])


def _replay(stream, calls) -> None:
    for name, args in calls:
        {"Tm": stream.set_text_matrix, "Tf": stream.set_font_size,
         "TJ": stream.show_text, "Ts": stream.set_text_rise}[name](*args)


def _draw_pieces(stream, calls, tokens, fonts, pieces) -> None:
    """Draw ``pieces`` (token indexes in drawing order, whether pypdf must start a new run) each
    where its glyphs were."""
    from .text_layer import _tj_operand

    matrix = [_exact(v) for v in next(args for name, args in calls if name == "Tm")]
    # each token's pen position before it, in text space units, as the renderer adds them up
    place, x = [], Fraction(0)
    for token in tokens:
        place.append(x)
        size = _exact(token.font[1])
        if token.glyph is None:
            x -= _exact(token.number) * size / 1000
        else:
            x += Fraction(fonts[token.font[0]].widths[token.glyph]) * size / 1000
    pen, rise = None, 0  # the token the pen is before; None: no Tm yet

    for indexes, new_run in pieces:
        chunk: list[int] = []
        for n, index in enumerate(indexes):
            chunk.append(index)
            last = n + 1 == len(indexes)
            if last or indexes[n + 1] != index + 1 or tokens[index + 1].font != tokens[index].font \
                    or tokens[index + 1].rise != tokens[index].rise:
                first = tokens[chunk[0]]
                if new_run:
                    stream._current_font = None
                    new_run = False
                stream.set_font_size(*first.font)
                if chunk[0] == 0 and pen is None:  # where WeasyPrint put it, as it wrote it
                    stream.set_text_matrix(*next(args for name, args in calls if name == "Tm"))
                elif chunk[0] != pen:
                    a, b, c, d, e, f = matrix
                    offset = place[chunk[0]]
                    stream.stream.append(" ".join(_decimal(v) for v in (
                        a, b, c, d, e + a * offset, f + b * offset)).encode() + b" Tm")
                if first.rise != rise:
                    stream.set_text_rise(first.rise)
                    rise = first.rise
                stream.show_text(_tj_operand([t.number if t.glyph is None else t.glyph
                                              for t in (tokens[i] for i in chunk)]))
                pen = chunk[-1] + 1
                chunk = []
    if rise:
        stream.set_text_rise(0)


# ---------------------------------------------------------------- the hook


@contextmanager
def logical_reading_order() -> Iterator[None]:
    """While active, WeasyPrint draws each text box's glyphs in pypdf's logical order
    (:func:`redraw`). Replaces ``weasyprint.draw.text.draw_first_line`` and restores it on exit.
    Raises ``RuntimeError`` if the installed WeasyPrint's code differs from :data:`RELIED_ON`."""
    import weasyprint.draw.text as draw_text

    from .text_layer import weasyprint_fingerprints

    if weasyprint_fingerprints(RELIED_ON) != RELIED_ON:
        raise RuntimeError("the installed WeasyPrint is not the one briefing.writers.pdf."
                           "reading_order was written for (see RELIED_ON there)")
    original = draw_text.draw_first_line
    names = {"set_text_matrix": "Tm", "set_font_size": "Tf", "show_text": "TJ",
             "set_text_rise": "Ts"}

    def draw_first_line(stream, textbox, *args):
        calls = []
        for method, name in names.items():
            setattr(stream, method, lambda *values, name=name: calls.append((name, values)))
        try:
            result = original(stream, textbox, *args)
        finally:
            for method in names:
                delattr(stream, method)
        redraw(stream, textbox, calls)
        return result

    draw_text.draw_first_line = draw_first_line
    try:
        yield
    finally:
        draw_text.draw_first_line = original
