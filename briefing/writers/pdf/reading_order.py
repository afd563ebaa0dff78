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

A word that mixes directions inside («(66%)», «2023م») must stay drawn left to right, or poppler
no longer reads it as one word (:func:`broken_words`). Such a word is drawn so, and its glyphs
are given alias character codes (:mod:`briefing.writers.pdf.glyph_aliases`) with which pypdf,
reversing a right-to-left run piece by piece, reads it in logical order (:func:`word_units`).
Alias codes also make a word hyphenated at a line's end read whole (:func:`_join_hyphenated`).

Active only inside :func:`logical_reading_order`; the WeasyPrint code it relies on is fingerprinted
in :data:`RELIED_ON` (``tests/writers/test_pdf_reading_order.py``).
"""

from __future__ import annotations

import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import (MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact,
                     InvalidOperation, Rounded, localcontext)
from functools import lru_cache
from typing import Iterator

from pydyf import _to_bytes

from .glyph_aliases import alias, set_text
from .text_layer import (_TJ_PART, _font_texts, _pdf_text_string, _tj_operand,
                         weasyprint_fingerprints)

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
GUILLEMETS = set("«»")


@lru_cache(maxsize=4096)  # called for every glyph drawn, of a few hundred texts
def pypdf_direction(text: str) -> str:
    """The direction pypdf gives a glyph that reads as ``text``: RTL, LTR or NEUTRAL."""
    if len(text) != 1 or any(low <= text <= high for low, high in _NEUTRAL):
        return NEUTRAL
    return RTL if any(low <= text <= high for low, high in _RTL) else LTR


def cluster_direction(texts: list[str]) -> str:
    """The direction of a cluster whose glyphs read as ``texts`` (drawn in this order): its
    first glyph that is not neutral decides, as it does for pypdf."""
    for text in texts:
        direction = pypdf_direction(text)
        if direction != NEUTRAL:
            return direction
    return NEUTRAL


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
    in an order both pypdf and poppler read right: :func:`_plan_words` decides."""
    by_place = sorted(range(len(visual)), key=visual.__getitem__)
    if drawn == by_place:  # drawn left to right: every word whole (most boxes)
        return {}
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


# exact decimal arithmetic: enough digits for any sum or product of the numbers in a stream, and
# an error rather than a rounded result (the Python documentation's recipe, decimal module)
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact, Rounded,
                                                                       InvalidOperation])


def _exact(number) -> Decimal:
    """A number as pydyf or WeasyPrint wrote it into the stream, exactly."""
    return Decimal(number if isinstance(number, str) else _to_bytes(number).decode())


def _decimal(value: Decimal) -> str:
    """A number written in decimals, exactly, without an exponent or trailing zeros."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# ---------------------------------------------------------------- one text box


@dataclass(slots=True)
class _Token:
    """A glyph (``glyph`` its id) or a TJ adjustment (``number``, as written) of a text box, in
    the order WeasyPrint drew them, with the font and rise in force."""

    glyph: int | None
    number: str | None
    font: tuple
    rise: float
    code: int | None = None  # an alias code drawn in the glyph's place (glyph_aliases)


def _tokens(calls) -> list[_Token] | None:
    """The text box's glyphs and adjustments from the recorded stream calls; None if they hold
    anything else than this module knows how to redraw."""
    tokens, font, rise = [], None, 0
    append = tokens.append  # a loop rather than a generator: run for every glyph drawn
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
                    append(_Token(None, number, font, rise))
                if len(hexes) % 4:
                    return None
                for i in range(0, len(hexes), 4):
                    append(_Token(int(hexes[i:i + 4], 16), None, font, rise))
        elif name != "Tm":
            return None
    return tokens


def _pango_clusters(textbox) -> tuple[list[tuple[int, int]], dict[int, str]]:
    """(run number, logical byte offset) of each glyph draw_first_line drew, left to right;
    and the text of each cluster, by its offset."""
    from weasyprint.text.ffi import ffi, pango

    first_line, _ = textbox.pango_layout.get_first_line()
    clusters, run, number, empty = [], first_line.runs, 0, pango.PANGO_GLYPH_EMPTY
    while run != ffi.NULL:
        glyph_item = run.data
        run, number = run.next, number + 1
        glyphs = glyph_item.glyphs
        offset, infos, logs = glyph_item.item.offset, glyphs.glyphs, glyphs.log_clusters
        for i in range(glyphs.num_glyphs):
            if infos[i].glyph != empty:
                clusters.append((number, offset + logs[i]))
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
    if len(derived) != 1 or not unicodedata.mirrored(derived):
        return
    cluster = _logical_text(cluster)  # without the isolates
    if len(cluster) == 1:
        uses = font.__dict__.setdefault("briefing_mirrored_uses", {})
        uses.setdefault(glyph, set()).add(cluster)


def _font(stream, font_hash):
    return next((f for f in stream._fonts.values() if f.hash == font_hash), None)


def redraw(stream, textbox, calls) -> None:
    """Write a text box's recorded stream calls (``(name, args)``: "Tm", "Tf", "TJ", "Ts") to
    ``stream``, in pypdf's logical order where it differs from the drawing order."""
    rtl = getattr(stream, "_briefing_pypdf_rtl", False)
    tokens = _tokens(calls)
    clusters, cluster_texts = _pango_clusters(textbox) if tokens else (None, {})
    glyphs = [t for t in tokens or () if t.glyph is not None]
    fonts = {key: _font(stream, key) for key in {t.font[0] for t in glyphs}}
    same_line = bool(glyphs) and _same_line(stream, calls, glyphs[0].font)
    if (not glyphs or clusters is None or len(clusters) != len(glyphs)
            or any(f is None or f.bitmap for f in fonts.values())):
        stream._briefing_pypdf_rtl = rtl
        return _replay(stream, calls)

    derived = {key: _font_texts(font)[0] for key, font in fonts.items()}
    # clusters: lists of token indexes, the adjustments before a cluster's first glyph included;
    # and the texts of their glyphs, in drawing order
    by_key, glyph_texts, said, order, start, glyph_index = {}, {}, {}, [], 0, 0
    for index, token in enumerate(tokens):
        if token.glyph is None:
            continue
        key = clusters[glyph_index]
        glyph_index += 1
        font = fonts[token.font[0]]
        text = derived[token.font[0]].get(token.glyph)
        if text is None:
            text = font.to_unicode.get(token.glyph, "")
        said[index] = text
        _record_mirrored(font, token.glyph, text, cluster_texts[key[1]])
        if key not in by_key:
            by_key[key], glyph_texts[key] = [], []
            order.append(key)
        by_key[key].extend(range(start, index + 1))
        glyph_texts[key].append(text)
        start = index + 1
    logical = sorted(order, key=lambda key: key[1])
    directions = [cluster_direction(glyph_texts[key]) for key in logical]
    place = {key: n for n, key in enumerate(order)}
    visual = [place[key] for key in logical]
    spaces = [all(map(str.isspace, glyph_texts[key])) for key in logical]
    texts = [_logical_text(cluster_texts[key[1]]) for key in logical]
    found = _plan_words(directions, visual, spaces, texts, rtl)
    if found is None:
        return _replay(stream, calls)  # a word the regrouping broke by mistake: as drawn
    units, pieces, new_runs, rtl_after, aliased = found
    spans = []
    for unit, groups in aliased.values():
        spans.extend(_alias_word(tokens, fonts, said, by_key, logical, groups))
    _join_hyphenated(stream, calls, textbox, tokens, fonts, by_key, logical, texts, spaces,
                     directions)
    stream._briefing_pypdf_rtl = rtl_after
    new_runs[0] = new_runs[0] and same_line
    drawn = [[i for u in piece for c in units[u] for i in by_key[logical[c]]] for piece in pieces]
    if [i for piece in drawn for i in piece] == [i for key in order for i in by_key[key]] \
            and not any(new_runs) and not spans:
        return _replay(stream, calls, tokens)
    _draw_pieces(stream, calls, tokens, fonts, list(zip(drawn, new_runs)), spans)


def _plan_words(directions, visual, spaces, texts, rtl):
    """:func:`plan` for a box's clusters (logical order: ``directions``, ``visual`` places,
    whether ``spaces``, logical ``texts``), with the words poppler would no longer read whole
    (:func:`broken_words`) drawn as they must be. A word alias codes let pypdf read in order
    while drawn left to right, as poppler needs, is drawn so (:func:`word_units`); the others
    in pypdf's order if :func:`_apart`, else whole as WeasyPrint drew them (pypdf reads those
    out of order). Returns (units: lists of clusters, drawn as one; pieces, new_runs,
    rtl_after as :func:`plan` gives them, of units; aliased: {word: (clusters, groups)}), or
    None if the drawing would break a word it should not."""
    first = plan(directions, rtl)
    words = broken_words([c for piece in first[0] for c in piece], visual, spaces)
    if not words:
        return [[c] for c in range(len(directions))], *first, {}
    aliased, whole = {}, {}
    for number in sorted(set(words.values())):
        unit = sorted((c for c in words if words[c] == number), key=visual.__getitem__)
        groups = word_units(unit, texts, directions)
        if groups is not None:
            aliased[number] = unit, groups
        elif not _apart(unit, texts, directions):
            whole[number] = unit
    while True:
        units, unit_directions, placed = [], [], set()
        for c, direction in enumerate(directions):
            number = words.get(c)
            if number not in aliased and number not in whole:
                units.append([c])
                unit_directions.append(direction)
            elif number not in placed:
                placed.add(number)
                if number in aliased:
                    units.append(aliased[number][0])
                    unit_directions.append(RTL)
                else:
                    units.append(whole[number])
                    strong = [directions[d] for d in whole[number] if directions[d] != NEUTRAL]
                    unit_directions.append(MIXED[strong[-1] == RTL if strong else None])
        pieces, new_runs, rtl_after = plan(unit_directions, rtl)

        def strong(unit):  # a unit whose first glyph drawn turns pypdf's run right-to-left
            number = words.get(units[unit][0])
            return unit_directions[unit] == RTL and (
                number not in aliased or aliased[number][1][0][2] == RTL)

        # an aliased word whose first unit drawn is not a right-to-left letter must start
        # inside a right-to-left run of pypdf's, or pypdf appends it in drawing order: where
        # its piece holds a right-to-left letter before it, that part is drawn first and the
        # word then starts a new (right-to-left) run
        failed, split_pieces, split_runs = set(), [], []
        for piece, rtl_before in zip(pieces, new_runs):
            if rtl_before or strong(piece[0]) or words.get(units[piece[0]][0]) not in aliased:
                split_pieces.append(piece)
                split_runs.append(rtl_before)
                continue
            turn = next((n for n, unit in enumerate(piece) if n and strong(unit)), None)
            if turn is None:
                failed.add(words[units[piece[0]][0]])
                continue
            split_pieces += [piece[turn:], piece[:turn]]
            split_runs += [rtl_before, True]
        if not failed:
            pieces, new_runs = split_pieces, split_runs
            break
        for number in failed:
            unit, _ = aliased.pop(number)
            if not _apart(unit, texts, directions):
                whole[number] = unit
    drawn = [c for piece in pieces for u in piece for c in units[u]]
    apart = set(words.values()) - set(aliased) - set(whole)
    if {words[c] for c in broken_words(drawn, visual, spaces)} - apart:
        return None
    return units, pieces, new_runs, rtl_after, aliased


def _apart(unit: list[int], texts: list[str], directions: list[str]) -> bool:
    """Whether a word pypdf cannot read in order when drawn left to right is drawn in pypdf's
    order instead: if it holds «» («بلاد», no order of drawing serves both readers there:
    poppler then takes the «» for a word of its own, reading the same text) or only neutral
    characters («).»). Others («−٢٫٥٪» as the Arabic-Indic convention draws it) keep the
    word poppler reads, in the order drawn."""
    return bool(GUILLEMETS & set("".join(texts[c] for c in unit))) or all(
        directions[c] == NEUTRAL for c in unit)


@lru_cache(maxsize=4096)  # called for every glyph drawn; clusters are a few characters
def _logical_text(cluster: str) -> str:
    """A cluster's text without format characters (the isolates around inline runs)."""
    return "".join(c for c in cluster if unicodedata.category(c) != "Cf")


def word_units(unit: list[int], texts: list[str], directions: list[str]
               ) -> list[tuple[list[int], str, str]] | None:
    """How a word that mixes directions reads in pypdf's order while drawn left to right: its
    clusters (``unit``, logical indexes in visual order; ``texts``, ``directions``: each
    cluster's logical text and pypdf direction) cut into groups, each (clusters, text,
    direction), such that pypdf, reversing a right-to-left run's pieces, reads the word in
    logical order: a group of several clusters is a left-to-right run (consecutive both in
    logical and visual order) read as one string, hence neutral to pypdf; a group of one
    cluster keeps its own glyphs' texts. None if a one-cluster group is left-to-right to pypdf
    (a lone digit or Latin letter, «»): it would end pypdf's run."""
    if sorted(unit) != list(range(min(unit), max(unit) + 1)):
        return None  # not one stretch of the logical text («Cargo»،» of «Termez Cargo»،»)
    groups: list[list[int]] = []
    for c in unit:
        if groups and groups[-1][-1] + 1 == c:
            groups[-1].append(c)
        else:
            groups.append([c])
    found = []
    for group in groups:
        text = "".join(texts[c] for c in group)
        if len(group) > 1:
            direction = NEUTRAL if len(text) > 1 else pypdf_direction(text)
        else:
            direction = directions[group[0]]
            if len(text) == 1 and direction == NEUTRAL:  # a mirrored bracket: its own text
                direction = pypdf_direction(text)
        found.append((group, text, direction))
    # a lone left-to-right digit or letter («(1)», «7).») joins the group drawn beside it that
    # is next to it in the text (the one after it, drawn left of it, if it can), if that holds
    # no right-to-left letter (poppler would read them in the wrong order); a lone sign («−»,
    # «») cannot
    n = 0
    while n < len(found):
        group, text, direction = found[n]
        if direction == LTR:
            if not text.isalnum():
                return None
            if n and found[n - 1][0][0] == group[-1] + 1 \
                    and not any(pypdf_direction(c) == RTL for c in found[n - 1][1]):
                before, after_text, _ = found.pop(n - 1)
                n -= 1
                found[n] = (before + group, text + after_text, NEUTRAL)
            elif n + 1 < len(found) and max(found[n + 1][0]) + 1 == group[0] \
                    and not any(pypdf_direction(c) == RTL for c in found[n + 1][1]):
                after, before_text, _ = found.pop(n + 1)
                found[n] = (group + after, before_text + text, NEUTRAL)
            else:
                return None
        n += 1
    return found


def _alias_word(tokens, fonts, said, by_key, logical, groups) -> list[tuple[list[int], str]]:
    """Give a word's glyphs (``said``: the text of each, by token index) the alias codes
    :func:`word_units` asks for: a group of several clusters reads as its text from its first
    glyph and as nothing from the others, inside an ``/ActualText`` span of that text (poppler
    then sees no gap in the word where the others read as nothing); a one-glyph cluster of a
    mirrored character reads as the character. Returns the spans: (token indexes, text)."""
    spans = []
    for group, group_text, _ in groups:
        indexes = [i for c in group for i in by_key[logical[c]]]
        glyphs = [i for i in indexes if tokens[i].glyph is not None]
        if len(group) == 1:
            if len(glyphs) == 1 and len(group_text) == 1 and said[glyphs[0]] != group_text:
                token = tokens[glyphs[0]]
                token.code = alias(fonts[token.font[0]], token.glyph, group_text)
            continue
        for n, i in enumerate(glyphs):
            token = tokens[i]
            token.code = alias(fonts[token.font[0]], token.glyph, "" if n else group_text)
        spans.append((indexes, group_text))
    return spans


# a word hyphenated at a line's end whose rest is not drawn yet: (element, font, code, the
# hyphen's text if it is part of the word, (stream, baseline)), per document
# (logical_reading_order)
_hyphen: dict = {}
HYPHENS = {"\u2010": "", "-": "-"}  # WeasyPrint's hyphenate-character, and a hyphen of the word


def _join_hyphenated(stream, calls, textbox, tokens, fonts, by_key, logical, texts, spaces,
                     directions) -> None:
    """A word hyphenated at a line's end reads whole: the line's last glyph, the hyphen, as the
    rest of the word (after «-» if the hyphen is the word's own, as in «cross-border»), and
    the rest, at the start of the next line of the same element, as nothing (ISO 32000-1
    14.9.4 replaces the hyphen in the same way). Left-to-right lines only."""
    if RTL in directions or not logical:
        return
    element = getattr(textbox, "element", None)
    line = stream, next(args for name, args in calls if name == "Tm")[5]
    pending = _hyphen.pop("pending", None)
    if pending and pending[0] is element and pending[4] != line:
        rest = []
        for c in range(len(logical)):
            if spaces[c]:
                break
            rest.append(c)
            for i in by_key[logical[c]]:
                token = tokens[i]
                if token.glyph is not None:
                    token.code = alias(fonts[token.font[0]], token.glyph, "")
        set_text(pending[1], pending[2], pending[3] + "".join(texts[c] for c in rest))
    elif pending and pending[0] is not element:
        _hyphen["pending"] = pending  # a box of another element (a note call) in between
    last = len(logical) - 1
    if texts[last] in HYPHENS and last and not spaces[last - 1] and element is not None:
        token = tokens[[i for i in by_key[logical[last]] if tokens[i].glyph is not None][-1]]
        font = fonts[token.font[0]]
        token.code = alias(font, token.glyph, None, shared=False)
        _hyphen["pending"] = (element, font, token.code, HYPHENS[texts[last]], line)


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


def _replay(stream, calls, tokens=None) -> None:
    """Write the recorded calls as WeasyPrint made them; with ``tokens`` (:func:`_tokens` of
    the calls), each glyph that has an alias code drawn by it."""
    if tokens is not None and not any(t.code is not None for t in tokens):
        tokens = None
    start = 0
    for name, args in calls:
        if name == "TJ" and tokens is not None:
            count = sum(bool(number) + len(hexes) // 4
                        for hexes, number in _TJ_PART.findall(args[0]))
            args = (_tj_operand([t.number if t.glyph is None else t.code or t.glyph
                                 for t in tokens[start:start + count]]),)
            start += count
        getattr(stream, _METHODS[name])(*args)


def _moved_matrix(calls, tokens, fonts, index: int) -> bytes:
    """The operands of a ``Tm`` that puts the pen where it was before ``tokens[index]``: the
    box's ``Tm`` moved along its baseline by the advances of the tokens before (the ``/W``
    widths and the ``TJ`` adjustments, each times its font size / 1000), added up exactly as
    written, as the renderer adds them up."""
    a, b, c, d, e, f = (_exact(v) for v in next(args for name, args in calls if name == "Tm"))
    with localcontext(_EXACT):
        # thousandths of the font size, by font size (the /W widths are integers: WeasyPrint
        # rounds them)
        advances: dict = {}
        for token in tokens[:index]:
            advance = (fonts[token.font[0]].widths[token.glyph] if token.glyph is not None
                       else -_exact(token.number))
            advances[token.font[1]] = advances.get(token.font[1], 0) + advance
        offset = sum((_exact(size) * advance for size, advance in advances.items()),
                     Decimal(0)).scaleb(-3)
        return " ".join(_decimal(v) for v in (a, b, c, d, e + a * offset,
                                              f + b * offset)).encode()


def _draw_pieces(stream, calls, tokens, fonts, pieces, spans) -> None:
    """Draw ``pieces`` (token indexes in drawing order, whether pypdf must start a new run) each
    where its glyphs were, each glyph by its alias code if it has one, the tokens of each of
    ``spans`` ((token indexes, text), drawn one after the other) in an ``/ActualText`` span."""
    span_of = {i: n for n, (indexes, _) in enumerate(spans) for i in indexes}
    pen, rise = None, 0  # the token the pen is before; None: no Tm yet

    for indexes, new_run in pieces:
        chunk: list[int] = []
        for n, index in enumerate(indexes):
            chunk.append(index)
            last = n + 1 == len(indexes)
            if last or indexes[n + 1] != index + 1 or tokens[index + 1].font != tokens[index].font \
                    or tokens[index + 1].rise != tokens[index].rise \
                    or span_of.get(index + 1) != span_of.get(index):
                first = tokens[chunk[0]]
                if new_run:
                    stream._current_font = None
                    new_run = False
                stream.set_font_size(*first.font)
                if chunk[0] == 0 and pen is None:  # where WeasyPrint put it, as it wrote it
                    stream.set_text_matrix(*next(args for name, args in calls if name == "Tm"))
                elif chunk[0] != pen:
                    stream.stream.append(_moved_matrix(calls, tokens, fonts, chunk[0]) + b" Tm")
                if first.rise != rise:
                    stream.set_text_rise(first.rise)
                    rise = first.rise
                span = span_of.get(chunk[0])
                if span is not None:
                    stream.begin_marked_content(
                        "Span", f"<< /ActualText {_pdf_text_string(spans[span][1])} >>")
                stream.show_text(_tj_operand([
                    t.number if t.glyph is None else t.glyph if t.code is None else t.code
                    for t in (tokens[i] for i in chunk)]))
                if span is not None:
                    stream.end_marked_content()
                pen = chunk[-1] + 1
                chunk = []
    if rise:
        stream.set_text_rise(0)


# ---------------------------------------------------------------- the hook

# the stream methods draw_first_line calls, recorded as the operators they write
_METHODS = {"Tm": "set_text_matrix", "Tf": "set_font_size", "TJ": "show_text",
            "Ts": "set_text_rise"}


@contextmanager
def logical_reading_order() -> Iterator[None]:
    """While active, WeasyPrint draws each text box's glyphs in pypdf's logical order
    (:func:`redraw`). Replaces ``weasyprint.draw.text.draw_first_line`` and restores it on exit.
    Raises ``RuntimeError`` if the installed WeasyPrint's code differs from :data:`RELIED_ON`."""
    import weasyprint.draw.text as draw_text

    if weasyprint_fingerprints(RELIED_ON) != RELIED_ON:
        raise RuntimeError("the installed WeasyPrint is not the one briefing.writers.pdf."
                           "reading_order was written for (see RELIED_ON there)")
    original = draw_text.draw_first_line

    def draw_first_line(stream, textbox, *args):
        calls = []
        for name, method in _METHODS.items():
            setattr(stream, method, lambda *values, name=name: calls.append((name, values)))
        try:
            result = original(stream, textbox, *args)
        finally:
            for method in _METHODS.values():
                delattr(stream, method)
        redraw(stream, textbox, calls)
        return result

    draw_text.draw_first_line = draw_first_line
    _hyphen.clear()
    try:
        yield
    finally:
        draw_text.draw_first_line = original
        _hyphen.clear()
