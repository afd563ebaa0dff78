"""The glyph check of chart labels, for the tests: does matplotlib draw, for a logical string,
exactly the glyphs HarfBuzz gives for it (each bidi run shaped apart, in visual order), with the
same font file? Kept beside the tests so that it is not part of every chart's cache key.
"""

from __future__ import annotations

import contextlib
import io
import itertools
from pathlib import Path
from typing import Iterator, Sequence

from briefing.charts.render import save_pdf
from briefing.charts.shaping import prepare, record_glyphs, shaping_mode


def matplotlib_glyphs(text: str, font_path: str | Path,
                      fallbacks: Sequence[str | Path] = ()) -> list[int]:
    """Glyph ids, left to right, that matplotlib draws for the logical *text* (one line) in that
    font (and, for the characters it lacks, the ``fallbacks`` in turn, as the charts draw them),
    after :func:`prepare` for the shaping mode in force."""
    from matplotlib.figure import Figure

    from briefing.charts.draw import _font_properties, _register

    drawn = prepare(text, shaping_mode(font_path))
    fig = Figure(figsize=(4, 1))
    families = None if not fallbacks else tuple(_register(Path(path))
                                                for path in (font_path, *fallbacks))
    bold = Path(font_path).stem.endswith("-Bold")  # the bundled files' names
    fig.text(0.5, 0.5, drawn, fontproperties=_font_properties(families, str(font_path), 10, bold))
    with record_glyphs() as rec:
        save_pdf(fig, io.BytesIO())  # as the charts are saved: text drawn as outlines
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
def glyph_fonts() -> Iterator[set[tuple[str, str]]]:
    """(string, font file name) of every glyph matplotlib's text-to-path engine lays out in
    the block: the fallback fonts' too (:func:`record_glyphs` names a chain's first font only)."""
    from matplotlib import _text_helpers

    drawn: set[tuple[str, str]] = set()
    original = _text_helpers.layout

    def layout(string, font, **kwargs):
        for item in original(string, font, **kwargs):
            drawn.add((string, Path(item.ft_object.fname).name))
            yield item

    _text_helpers.layout = layout
    try:
        yield drawn
    finally:
        _text_helpers.layout = original


def bidi_runs(text: str) -> list[tuple[str, int]]:
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


def harfbuzz_glyphs(text: str, font_path: str | Path,
                    fallbacks: Sequence[str | Path] = ()) -> list[int]:
    """The reference: glyph ids in visual order from HarfBuzz, one shaping call per bidi run
    (direction rtl for odd levels: HarfBuzz then returns the run's glyphs in visual order); with
    ``fallbacks``, a run's characters the font lacks are shaped apart in the first fallback that
    has them."""
    import uharfbuzz as hb

    fonts = [hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))
             for path in (font_path, *fallbacks)]

    def font_of(ch: str) -> int:
        """The index of the font that draws ``ch``: the first of the chain that has it."""
        return next((i for i, font in enumerate(fonts)
                     if font.get_nominal_glyph(ord(ch)) is not None), 0)

    out: list[int] = []
    for run, level in bidi_runs(text):
        pieces = [list(group) for _, group in itertools.groupby(run, key=font_of)]
        shaped = []
        for piece in pieces:
            buf = hb.Buffer()
            buf.add_str("".join(piece))
            buf.guess_segment_properties()
            buf.direction = "rtl" if level % 2 else "ltr"
            hb.shape(fonts[font_of(piece[0])], buf, {})
            shaped.append([g.codepoint for g in buf.glyph_infos])
        for glyphs in (reversed(shaped) if level % 2 else shaped):
            out += glyphs
    return out


def assert_glyphs_match(text: str, font_path: str | Path,
                        fallbacks: Sequence[str | Path] = ()) -> None:
    """Fail unless matplotlib draws exactly the glyphs HarfBuzz gives for the logical *text*
    (each line separately), in visual order, with the same font file (and fallback fonts)."""
    for line in text.split("\n"):
        if not line.strip():
            continue
        got = matplotlib_glyphs(line, font_path, fallbacks)
        want = harfbuzz_glyphs(line, font_path, fallbacks)
        if got != want:
            raise AssertionError(
                f"glyph mismatch for {line!r} in {Path(font_path).name}:\n"
                f"  matplotlib: {got}\n  harfbuzz:   {want}")
