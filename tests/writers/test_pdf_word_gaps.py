"""Gaps inside words closed for poppler without moving ink (briefing/writers/pdf/word_gaps.py).

A one-page document of the words Amiri sets with a gap after a non-joining letter («التاريخية»,
«جمهوريات», «الرياض», «المركزية»), in a justified paragraph whose word spaces are stretched, is
written with WeasyPrint; poppler read each of those words as two. After the pass poppler reads
them whole, the spaces between words are still spaces, pypdf reads the same text, and the page
renders pixel for pixel as before.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pikepdf
import pypdf
import pytest

from briefing.build import STYLES
from briefing.writers.pdf.text_layer import faithful_text_layer
from briefing.writers.pdf.word_gaps import cid_widths, close_word_gaps, to_unicode_texts
from pdftext import pdftotext

WORDS = ["التاريخية", "جمهوريات", "الرياض", "المركزية", "الوزراء", "زيارة", "أبريل", "طريق"]
# two lines at least, justified: the first line's spaces are stretched (TJ adjustments after
# the space glyphs, which must stay gaps)
TEXT = " ".join(WORDS * 4)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """(before, after): the page as WeasyPrint wrote it, and after the pass."""
    import weasyprint

    font = (STYLES / "fonts" / "Amiri-Regular.ttf").resolve().as_uri()
    html = (f'<html lang="ar" dir="rtl"><style>@font-face {{ font-family: A; src: url({font}); }}'
            "@page { size: 120mm 80mm; margin: 8mm } body { font: 14pt A; text-align: justify }"
            f"</style><body><p>{TEXT}</p></body></html>")
    folder = tmp_path_factory.mktemp("gaps")
    before, after = folder / "before.pdf", folder / "after.pdf"
    with faithful_text_layer():
        weasyprint.HTML(string=html).write_pdf(before)
    shutil.copy(before, after)
    assert _mend(after) >= len(WORDS)
    return before, after


def _mend(path) -> int:
    """:func:`close_word_gaps` on the PDF at ``path``, rewritten in place."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        changed = close_word_gaps(pdf)
        pdf.save(path, deterministic_id=True)
    return changed


def _words(text: str) -> list[str]:
    return re.findall(r"[\u0621-\u064a]+", unicodedata.normalize("NFKC", text))


def test_poppler_read_the_words_split_and_now_reads_them_whole(pdfs):
    before, after = pdfs
    assert {"التار", "يخية", "الر", "ياض"} <= set(_words(pdftotext(before)))  # the fault
    # each word whole, and no two run together: the spaces between words are still read
    assert sorted(_words(pdftotext(after))) == sorted(WORDS * 4)


def test_pypdf_reads_the_same(pdfs):
    text = [pypdf.PdfReader(pdf).pages[0].extract_text() for pdf in pdfs]
    assert text[0] == text[1] and sorted(_words(text[1])) == sorted(WORDS * 4)


def test_the_ink_is_the_same(pdfs, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    images = []
    for n, pdf in enumerate(pdfs):
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / f"p{n}")],
                       check=True)
        images.append(next(tmp_path.glob(f"p{n}*.png")).read_bytes())
    assert images[0] == images[1]


def test_an_alias_is_the_same_glyph_with_the_same_text_and_the_gap_in_its_width(pdfs):
    before, after = pdfs
    with pikepdf.open(before) as old, pikepdf.open(after) as new:
        font = next(iter(new.pages[0].Resources.Font.values()))
        cid_font = font.DescendantFonts[0]
        gid_map = cid_font.CIDToGIDMap.read_bytes()
        old_font = next(iter(old.pages[0].Resources.Font.values()))
        assert old_font.DescendantFonts[0].CIDToGIDMap == pikepdf.Name.Identity
        texts, widths = to_unicode_texts(font), cid_widths(cid_font.W)
        old_widths = cid_widths(old_font.DescendantFonts[0].W)
        aliases = [cid for cid in widths if cid not in old_widths]
        assert aliases
        for cid in aliases:
            gid = int.from_bytes(gid_map[2 * cid:2 * cid + 2], "big")
            assert texts[cid] == texts[gid] and not texts[cid].isspace()
            assert widths[cid] > old_widths[gid]  # the gap, added
        # every other CID is still its own glyph
        assert all(int.from_bytes(gid_map[2 * c:2 * c + 2], "big") == c for c in old_widths)


def test_codes_taken_already_are_kept(pdfs, tmp_path):
    """A font whose codes past its glyphs are in use (glyph_aliases counts down from 0xFFFE):
    the pass takes free codes from the glyph count up and leaves those as they map."""
    before, _ = pdfs
    with pikepdf.open(before) as pdf:
        cid_font = next(iter(pdf.pages[0].Resources.Font.values())).DescendantFonts[0]
        drawn = cid_widths(cid_font.W)
        taken, first = 0xFFFE, min(drawn)
        gid_map = bytearray(b"".join(c.to_bytes(2, "big") for c in range(0x10000)))
        gid_map[2 * taken:2 * taken + 2] = first.to_bytes(2, "big")
        cid_font.CIDToGIDMap = pdf.make_stream(bytes(gid_map))
        cid_font.W = pikepdf.Array([*cid_font.W, taken, pikepdf.Array([123])])
        assert close_word_gaps(pdf) >= len(WORDS)
        widths, new_map = cid_widths(cid_font.W), cid_font.CIDToGIDMap.read_bytes()
    assert widths[taken] == 123 and new_map[2 * taken:2 * taken + 2] == first.to_bytes(2, "big")
    aliases = set(widths) - set(drawn) - {taken}
    assert aliases and max(aliases) < taken


def test_a_lam_alef_ligature_reads_in_order_in_both_readers(tmp_path):
    """Noto Sans Arabic draws «لا» as one glyph; poppler gave its two letters reversed
    («للاختبار» → «لالختبار», «العلاقات» → «العالقات»). Drawn as a blank reading «ا» at the
    glyph's left edge and the glyph reading «ل», both readers read the words, and the ink is
    the same."""
    import weasyprint

    font = (STYLES / "fonts" / "NotoSansArabic-Bold.ttf").resolve().as_uri()
    words = ["للاختبار", "ملامح", "العلاقات", "والسلام", "الإطلاق", "لأن"]
    html = (f'<html lang="ar" dir="rtl"><style>@font-face {{ font-family: N; src: url({font}); }}'
            "@page { size: 200mm 80mm; margin: 5mm } h1 { margin: 0; font: bold 14pt N }"
            f"</style><body><h1>{' '.join(words)}</h1></body></html>")
    before, after = tmp_path / "before.pdf", tmp_path / "after.pdf"
    with faithful_text_layer():
        weasyprint.HTML(string=html).write_pdf(before)
    shutil.copy(before, after)
    assert "لالختبار" in _words(pdftotext(before))  # the fault
    assert _mend(after) >= 3
    assert _words(pdftotext(after)) == words
    assert _words(" ".join(page.extract_text() for page in pypdf.PdfReader(after).pages)) == words
    images = []
    for n, pdf in enumerate((before, after)):
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / f"p{n}")],
                       check=True)
        images.append(next(tmp_path.glob(f"p{n}*.png")).read_bytes())
    assert images[0] == images[1]
