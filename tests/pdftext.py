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
