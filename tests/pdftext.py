"""Reading a PDF back as a reader's tools do: poppler's text and page images."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# poppler writes a lam-alef ligature as alef-lam (a known quirk): runs of lam and alef letters are
# compared as sorted runs, which forgives that swap and nothing else
_LAM_ALEF_RUN = re.compile("[\u0644\u0622\u0623\u0625\u0627]{2,}")


def pdftotext(pdf: Path, *pages: int, body_only: bool = False) -> str:
    """The text poppler reads; ``body_only`` leaves out the running header and the page number
    (the top and bottom 20 mm of an A4 page), which otherwise cut paragraphs that cross pages."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    args = ["pdftotext"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    if body_only:
        args += ["-x", "0", "-y", "57", "-W", "595", "-H", "728"]
    return subprocess.run(args + [str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def comparable(text: str) -> str:
    """Text reduced to what a faithful text layer must keep: characters in logical order.

    Whitespace is dropped because poppler guesses word gaps from glyph positions, and Arabic
    fonts' positioning makes it guess spaces inside words."""
    text = unicodedata.normalize("NFKC", _BIDI_CONTROLS.sub("", text))
    text = re.sub(r"\s+", "", text)
    return _LAM_ALEF_RUN.sub(lambda run: "".join(sorted(run.group(0))), text)


def words(text: str) -> str:
    """Only the letters, in order: poppler's own bidi pass moves digits and the marks around them
    («57%» comes out «%57», «2022م،» as «2022 ،م»), so numbers are compared apart (:func:`numbers`)."""
    return re.sub(r"[\W\d_]+", "", comparable(text))


def numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)*", unicodedata.normalize("NFKC", text))


def structure_elements(pdf: Path) -> list:
    """Every element of a tagged PDF's structure tree (dictionaries with an ``/S`` type), depth
    first, as pypdf reads them."""
    import pypdf

    def elements(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                yield from elements(child)
        elif isinstance(node, pypdf.generic.DictionaryObject) and "/S" in node:
            yield node
            if "/K" in node:
                yield from elements(node["/K"])

    return list(elements(pypdf.PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"]["/K"]))


def drawn_digits(pdf: Path) -> list[str]:
    """The digits each page of ``pdf`` draws, by the shapes of their glyphs (page order, then
    content order): «1» or «١» as the ink shows, whatever the file's ToUnicode maps say.

    LibreOffice draws Word-made numbers (list, note and page numbers, field results) in
    Arabic-Indic shapes when its Numerals setting asks for them, yet its PDF maps those glyphs
    back to the Western digits they stand for; only the outlines tell the two apart. A glyph is
    a digit when its outline (fontTools coordinates, composites resolved) equals a digit of a
    bundled font; the embedded subsets keep the outlines. Simple TrueType fonts (one byte a
    glyph) and Type0 fonts with Identity-H (two bytes, CID = glyph index) are read."""
    import io

    import pypdf
    from fontTools.ttLib import TTFont

    from briefing.build import STYLES

    def outline(font, name):
        coordinates, ends, _ = font["glyf"][name].getCoordinates(font["glyf"])
        return tuple(coordinates), tuple(ends)

    digits = {}
    for path in sorted((STYLES / "fonts").glob("*.ttf")):
        font = TTFont(path)
        cmap = font.getBestCmap()
        for char in "0123456789٠١٢٣٤٥٦٧٨٩":
            if ord(char) in cmap:
                digits.setdefault(outline(font, cmap[ord(char)]), char)

    def glyph_reader(font):
        """bytes → glyph names of one PDF font, or None when it embeds no TrueType outlines."""
        if font["/Subtype"] == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
            wide = True
        else:
            wide = False
        descriptor = font.get("/FontDescriptor")
        if descriptor is None or "/FontFile2" not in descriptor:
            return None
        program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        order = program.getGlyphOrder()
        if wide:
            return program, lambda data: [order[(data[i] << 8) | data[i + 1]]
                                          for i in range(0, len(data) - 1, 2)
                                          if (data[i] << 8) | data[i + 1] < len(order)]
        codes = {}
        for table in program["cmap"].tables:
            for code, name in table.cmap.items():
                codes.setdefault(code & 0xFF, name)
        return program, lambda data: [codes[c] for c in data if c in codes]

    reader = pypdf.PdfReader(pdf)
    pages = []
    for page in reader.pages:
        fonts = {name: glyph_reader(ref.get_object())
                 for name, ref in page["/Resources"].get("/Font", {}).items()}
        current, drawn = None, []
        for operands, operator in pypdf.generic.ContentStream(page.get_contents(),
                                                              reader).operations:
            if operator == b"Tf":
                current = fonts.get(operands[0])
                continue
            if current is None or operator not in (b"Tj", b"TJ", b"'", b'"'):
                continue
            strings = operands[0] if operator == b"TJ" else [operands[-1]]
            program, glyphs = current
            for string in strings:
                if isinstance(string, (pypdf.generic.TextStringObject,
                                       pypdf.generic.ByteStringObject)):
                    drawn += [digits.get(outline(program, name), "")
                              for name in glyphs(string.original_bytes)]
        pages.append("".join(drawn))
    return pages
