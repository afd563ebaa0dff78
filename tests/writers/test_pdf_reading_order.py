"""Glyphs drawn in the order pypdf reads as logical (briefing/writers/pdf/reading_order.py).

A one-page document of right-to-left lines holding numbers, Latin words, «» and brackets is
written with WeasyPrint twice, with and without the reordering: pypdf must read every line in
logical order with it (and did not without), and the pages must render pixel for pixel alike.
"""

from __future__ import annotations

import io
import re
import subprocess
from contextlib import nullcontext

import pypdf
import pytest

from briefing.build import STYLES
from briefing.writers.pdf import reading_order
from briefing.writers.pdf.reading_order import (LTR, NEUTRAL, RELIED_ON, RTL, _plan_words,
                                                plan, pypdf_direction, word_units)
from briefing.writers.pdf.text_layer import faithful_text_layer, weasyprint_fingerprints
from textlayer import fold

LINES = [
    "تشرين الثاني/نوفمبر 2017 في سمرقند",
    "خطة العمل المشترك بين 2023 و 2027 في المجالات السياسية",
    "تبلغ نسبة المسلمين حوالي 66 في المئة من السكان",
    "قرار الجمعية العامة A/RES/72/283 بشأن التعاون",
    "الكلمة <b>بخط عريض</b> ثم عادي.",
    # words that mix directions inside: drawn left to right for poppler, read through alias codes
    "حوالي (15 مليون) نسمة، منهم (66%) من المسلمين",
    "في يوليو 2023م، ثم البند (1) في عام 1991م (شكل 7).",
]


def _pdf() -> bytes:
    import weasyprint

    font = (STYLES / "fonts" / "Amiri-Regular.ttf").resolve().as_uri()
    body = "".join(f"<p>{line}</p>" for line in LINES)
    html = (f'<html lang="ar" dir="rtl"><style>@font-face {{ font-family: A; src: url({font}); }}'
            f"body {{ font-family: A; font-size: 14pt; }}</style>{body}</html>")
    with faithful_text_layer():
        return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def pdfs(monkeypatch_module):
    with_order = _pdf()
    monkeypatch_module.setattr(reading_order, "logical_reading_order", nullcontext)
    without = _pdf()  # the rest of the text layer, without the reordering
    return with_order, without


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _lines(pdf: bytes) -> list[str]:
    return [fold(line) for line in
            pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()]


def test_the_weasyprint_code_the_reordering_relies_on_is_unchanged():
    """If this fails, WeasyPrint changed how it draws a text box: check reading_order.py
    against the new code, then update RELIED_ON."""
    assert weasyprint_fingerprints(RELIED_ON) == RELIED_ON


def test_the_directions_are_pypdfs_own():
    """reading_order copies pypdf's direction classes: they must be the pinned pypdf's."""
    from pypdf._utils import is_char_neutral, is_char_rtl

    for code in range(0x10000):
        char = chr(code)
        expected = NEUTRAL if is_char_neutral(char) else RTL if is_char_rtl(char) else LTR
        assert pypdf_direction(char) == expected, hex(code)


def test_a_plan_draws_right_to_left_pieces_from_their_end():
    # «قال (2017) ثم»: R R R N N L L L L N N R R
    directions = [RTL] * 3 + [NEUTRAL] * 2 + [LTR] * 4 + [NEUTRAL] * 2 + [RTL] * 2
    pieces, new_runs, rtl = plan(directions, rtl_before=False)
    assert pieces == [[2, 1, 0], [4, 3], [5, 6, 7, 8, 9, 10], [12, 11]]
    assert new_runs == [False, True, True, False] and rtl


def test_a_mixed_word_reads_as_reversed_groups():
    """A right-to-left word drawn left to right, cut into groups pypdf reverses: «(66%)», its
    logical clusters 0-4 drawn ) 6 6 % ( (4 1 2 3 0); «(1)», its lone digit read with the
    bracket after it. «بلاد» cannot be, nor a word that is not one stretch of the text
    (poppler's word «،»Termez» of «Termez Cargo»،»)."""
    texts, directions = ["(", "6", "6", "%", ")"], [NEUTRAL, LTR, LTR, NEUTRAL, NEUTRAL]
    assert word_units([4, 1, 2, 3, 0], texts, directions) == [
        ([4], ")", NEUTRAL), ([1, 2, 3], "66%", NEUTRAL), ([0], "(", NEUTRAL)]
    assert word_units([2, 1, 0], ["(", "1", ")"], [NEUTRAL, LTR, NEUTRAL]) == [
        ([2, 1], "1)", NEUTRAL), ([0], "(", NEUTRAL)]
    assert word_units([4, 3, 2, 1, 0], list("«بلاد"), [LTR] + [RTL] * 4) is None
    assert word_units([3, 2, 0], ["Termez", "Cargo", "»", "،"], [LTR, LTR, LTR, RTL]) is None


def test_a_mixed_word_pypdf_meets_in_a_left_to_right_run_follows_the_letters_before_it():
    """«عام 2022م.» after a left-to-right run: the word drawn first, its «.» first, would join
    that run; «عام» is drawn first and turns pypdf's run right to left, then the word, drawn
    left to right (. م 2 0 2 2), and the space, in a new run."""
    directions = [RTL] * 3 + [NEUTRAL] + [LTR] * 4 + [RTL, NEUTRAL]
    places = {9: 0, 8: 1, 4: 2, 5: 3, 6: 4, 7: 5, 3: 6, 2: 7, 1: 8, 0: 9}
    units, pieces, new_runs, rtl_after, aliased = _plan_words(
        directions, [places[c] for c in range(10)], [c == 3 for c in range(10)],
        list("عام 2022م."), rtl=False)
    assert [[c for u in piece for c in units[u]] for piece in pieces] == [
        [2, 1, 0], [9, 8, 4, 5, 6, 7, 3]]
    assert new_runs == [False, True] and rtl_after
    assert [text for _, text, _ in next(iter(aliased.values()))[1]] == [".", "م", "2022"]


def test_pypdf_reads_mixed_right_to_left_lines_in_logical_order(pdfs):
    with_order, without = pdfs
    expected = [fold(line.replace("<b>", "").replace("</b>", "")) for line in LINES]
    assert _lines(with_order) == expected
    assert sum(a == b for a, b in zip(_lines(without), expected)) <= 1  # the fault is real


def test_poppler_reads_the_same_words(pdfs, tmp_path):
    """poppler makes words of glyphs drawn left to right one after the other: the reordering
    keeps each of its words whole («(15», not «(» and «15»), with the same characters (in
    «(1)» a lone digit reads with a bracket, in the order of the text, poppler's word of the
    three then reading «1)(» for «)1(», as glyph_aliases.py explains)."""
    words = []
    for name, pdf in zip(("with", "without"), pdfs):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        words.append(re.findall(r">([^<]*)</word>", subprocess.run(
            ["pdftotext", "-bbox", str(tmp_path / f"{name}.pdf"), "-"], capture_output=True,
            text=True, check=True).stdout))
    # a bracket's text differs: in right-to-left text «(» is drawn with the glyph of «)»
    # (text_layer.correct_to_unicode), which the reordering notes
    words = [["".join(sorted(re.sub(r"[()]", "|", word))) for word in found] for found in words]
    assert words[0] == words[1] and len(words[0]) > 30


def test_the_reordering_moves_no_ink(pdfs, tmp_path):
    images = []
    for name, pdf in zip(("with", "without"), pdfs):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
        images.append(next(tmp_path.glob(f"{name}*.png")).read_bytes())
    assert pdfs[0] != pdfs[1] and images[0] == images[1]
