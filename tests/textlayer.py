"""Measuring a PDF's text layer against the book it was made from, as two readers see it.

poppler's ``pdftotext`` and pypdf each read the text; every Arabic word they give is looked up in
the book's own words (from the HTML WeasyPrint laid out). A word that is not there is either a
word poppler split at a gap in the ink (its pieces join into a book word), or a word with a wrong
letter, which the faithful text layer (``briefing.writers.pdf.text_layer``) must make impossible.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pypdf

from pdftext import pdftotext

ARABIC_WORD = re.compile("[\u0621-\u063a\u0641-\u064a\u0671-\u06d3]+")
# tatweel and the vowel marks: not letters; poppler files marks drawn with an offset as words of
# their own, which says nothing about the letters
_NOT_LETTERS = re.compile("[\u0640\u064b-\u0652\u0670]")


def key(word: str) -> str:
    """A word as it is compared: NFKC, nothing forgiven. (poppler read a glyph standing for two
    letters, a lam-alef ligature, with its letters reversed: «للاختبار» → «لالختبار», «على» →
    «عىل»; briefing/writers/pdf/word_gaps.py now draws such a glyph so that it reads them in
    order, and this comparison no longer sorts them.)"""
    return unicodedata.normalize("NFKC", word)


def arabic_words(text: str) -> list[str]:
    """The Arabic words of a text, letters only, after NFKC."""
    return ARABIC_WORD.findall(_NOT_LETTERS.sub("", unicodedata.normalize("NFKC", text)))


def html_text(document: str) -> str:
    """The text of an HTML document: tags dropped, entities resolved."""
    return html.unescape(re.sub(r"<[^>]+>", " ", document))


@dataclass
class Reading:
    """One reader's Arabic words checked against the book's: ``splits`` (a book word read as two
    or three pieces, at a gap in the ink), ``merges`` (two book words read as one, where the
    reader saw no gap), ``wrong`` (anything else: a wrong, missing or extra letter)."""

    words: int = 0
    splits: list[str] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


def _is_merge(word: str, vocabulary: set[str]) -> bool:
    """Whether a word is book words run together; a cut between two equal letters needs words
    of three letters or more on each side, so that a doubled letter («للكثير») is not excused
    as «ل» + «لكثير»."""
    return any((word[i - 1] != word[i] or 3 <= i <= len(word) - 3)
               and key(word[:i]) in vocabulary
               and (key(word[i:]) in vocabulary or _is_merge(word[i:], vocabulary))
               for i in range(1, len(word)))


def check_words(read: list[str], book: list[str]) -> Reading:
    """Sort a reader's words into book words, splits, merges and wrong words; both lists as
    :func:`arabic_words` gives them, compared by :func:`key`."""
    vocabulary = {key(word) for word in book}
    result, i = Reading(words=len(read)), 0
    while i < len(read):
        if key(read[i]) in vocabulary:
            i += 1
            continue
        for start, end in ((i, i + 2), (i, i + 3), (i - 1, i + 1), (i - 2, i + 1)):
            joined = "".join(read[max(start, 0):end])
            if start >= 0 and key(joined) in vocabulary:
                result.splits.append(joined)
                i = max(i + 1, end)
                break
        else:
            (result.merges if _is_merge(read[i], vocabulary) else result.wrong).append(read[i])
            i += 1
    return result


# a list item's marker (a bullet, a dash, a number): WeasyPrint draws a page's markers after
# its text
_MARKER = re.compile(r"\s*(•|–|\d+\.)?\s*")


def pypdf_pages(pdf: Path, furniture: set[str]) -> list[str]:
    """pypdf's text of each page, without what WeasyPrint draws after the text, which would
    otherwise cut a paragraph running onto the next page: trailing lines that are a page
    number, in ``furniture`` (the running header; compared after :func:`fold`) or a list
    marker."""
    furniture = {fold(line) for line in furniture}
    pages = []
    for page in pypdf.PdfReader(pdf).pages:
        lines = (page.extract_text() or "").splitlines()
        while lines and (fold(lines[-1]) in furniture or lines[-1].strip().isdigit()
                         or _MARKER.fullmatch(lines[-1])):
            lines.pop()
        pages.append("\n".join(lines))
    return pages


def poppler_text(pdf: Path) -> str:
    return pdftotext(pdf)


def printed_text(content) -> str:
    """The text of inline runs as the book prints it: ``briefing.model.plain_text`` and each
    footnote call (its separator and marker, as in the PDF)."""
    from briefing import model as m

    out = []
    for run in content:
        if isinstance(run, m.Footnote):
            out.append(run.separator + run.marker)
        elif isinstance(run, (m.Strong, m.Emph, m.Link)):
            out.append(printed_text(run.content))
        else:
            out.append(m.plain_text((run,)))
    return "".join(out)


def fold(text: str) -> str:
    """NFKC and whitespace folding, and nothing else: what «a sentence is intact» allows."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def alias_codes(pdf: Path) -> list[tuple[str, str]]:
    """(the glyph's own text, the code's text) of every alias code of the PDF's Type0 fonts
    (``briefing.writers.pdf.glyph_aliases``): a code whose ``/CIDToGIDMap`` entry is a glyph
    other than its own number. Each font once; checks that the code's ``/W`` width is the
    glyph's."""
    found, seen = [], set()
    for page in pypdf.PdfReader(pdf).pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") != "/Type0" or id(font) in seen:
                continue
            seen.add(id(font))
            cid_font = font["/DescendantFonts"][0].get_object()
            gid_map = cid_font.get("/CIDToGIDMap")
            if gid_map is None or isinstance(gid_map, pypdf.generic.NameObject):
                continue
            gids = gid_map.get_object().get_data()
            texts = {int(code, 16): bytes.fromhex(text).decode("utf-16-be") for code, text in
                     re.findall(r"<([0-9a-f]{4})> <([0-9a-f]*)>",
                                font["/ToUnicode"].get_object().get_data().decode())}
            widths, w = {}, list(cid_font["/W"])
            for first, values in zip(w[::2], w[1::2]):
                widths.update((first + n, float(v)) for n, v in enumerate(values))
            for code in range(len(gids) // 2):
                glyph = int.from_bytes(gids[2 * code:2 * code + 2], "big")
                if code in texts and glyph != code:
                    # the same width, or wider by the gap after it, or none: a blank reading
                    # as a ligature's second letter (briefing/writers/pdf/word_gaps.py)
                    assert widths[code] >= widths[glyph] or widths[code] == 0, (code, glyph)
                    found.append((texts.get(glyph, ""), texts[code]))
    return found
