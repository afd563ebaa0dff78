"""Dot leaders laid out as runs of dots (briefing/writers/pdf/leaders.py), against WeasyPrint's
box per dot, on real PDFs: the same dots in the same places, read the same by poppler and pypdf,
far fewer text boxes; and the default edition's contents."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pypdf
import pytest
from paths import STYLES

from briefing.writers.pdf.leaders import RELIED_ON, RUN, merged_leaders
from briefing.writers.pdf.text_layer import weasyprint_fingerprints

FONTS = (STYLES / "fonts").resolve()
HTML = f"""<html><head><style>
@font-face {{ font-family: Amiri; src: url({FONTS.as_uri()}/Amiri-Regular.ttf); }}
@font-face {{ font-family: Noto Serif; src: url({FONTS.as_uri()}/NotoSerif-Regular.ttf); }}
body {{ font: 12pt Amiri; }} li {{ list-style: none; }}
a::after {{ content: leader(".") " " attr(data-page); }}
.en {{ font-family: Noto Serif; font-size: 9.5pt; }}
</style></head><body>
<ol dir="rtl" lang="ar">
<li><a data-page="7">مقدمة</a></li>
<li><a data-page="9">الأهمية الاستراتيجية لدول آسيا الوسطى</a></li>
<li><a data-page="٣١">التعاون في الجانب الاقتصادي</a></li>
</ol>
<ol dir="ltr" lang="en" class="en">
<li><a data-page="21">United States Strategy for Central Asia 2019–2025</a></li>
<li><a data-page="125">Foreword</a></li>
</ol></body></html>"""


def _pdf(path: Path, merged: bool) -> Path:
    from weasyprint import HTML as Document

    document = Document(string=HTML, base_url=str(STYLES) + "/")
    if merged:
        with merged_leaders():
            document.write_pdf(path)
    else:
        document.write_pdf(path)
    return path


def _texts(pdf: Path) -> tuple[str, str, str]:
    """What readers take from the page: poppler's text as read and as laid out, pypdf's."""
    def poppler(*options: str) -> str:
        return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout

    return poppler(), poppler("-layout"), pypdf.PdfReader(pdf).pages[0].extract_text()


def _image(pdf: Path, root: Path):
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", "-singlefile", str(pdf),
                    str(root / pdf.stem)], check=True)
    return Image.open(root / f"{pdf.stem}.png").convert("L")


def _text_placements(pdf: Path, page: int = 0) -> int:
    """How many times the page's text is placed anew (``Tm``): WeasyPrint places each text box
    it draws."""
    with pikepdf.open(pdf) as document:
        return sum(1 for _, operator in pikepdf.parse_content_stream(document.pages[page])
                   if str(operator) == "Tm")


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("leaders")
    return _pdf(root / "boxes.pdf", merged=False), _pdf(root / "merged.pdf", merged=True)


def test_each_leader_is_a_few_text_boxes(pair):
    boxes, merged = map(_text_placements, pair)
    assert boxes > 300  # WeasyPrint's: one box per dot, ~75 dots a line
    # per entry: title, number, and a box per run of dots
    assert merged <= 5 * 2 + boxes / RUN + 5


def test_readers_read_the_leaders_as_before(pair):
    """The spaces between a title and its dots, and between the dots and the number, are kept:
    poppler read a leader drawn as one run after its title as part of the title's word
    («Foreword.....21»)."""
    boxes, merged = map(_texts, pair)
    assert "Foreword ....." in boxes[0] and "..... 125" in boxes[0]  # else this test is moot
    assert merged == boxes


def test_the_dots_stand_where_they_stood(pair, tmp_path):
    from PIL import ImageChops

    boxes, merged = pair
    difference = ImageChops.difference(_image(boxes, tmp_path), _image(merged, tmp_path))
    # a dot moved by a pixel at 100 dpi would differ by ~255 at its edges; the merged dots are
    # within 0.01 px of their places (the PDF's widths are whole thousandths of an em)
    assert difference.getbbox() is not None and difference.getextrema()[1] < 96


def test_the_books_contents_draw_few_text_objects(built_pdf):
    from paths import ROOT

    _, pdf = built_pdf(ROOT / "sources" / "gcc-central-asia-2023")
    contents = [n for n in range(8) if "المحتويات" in subprocess.run(
        ["pdftotext", "-f", str(n + 1), "-l", str(n + 1), str(pdf), "-"],
        capture_output=True, text=True, check=True).stdout]
    assert contents
    # ~30 entries a page, each a few text boxes (WeasyPrint's leaders: ~3,000)
    assert all(_text_placements(pdf, n) < 400 for n in contents)


def test_the_weasyprint_code_relied_on_is_the_pinned_one():
    assert weasyprint_fingerprints(RELIED_ON) == RELIED_ON
