"""Dot leaders laid out as one text box each (briefing/writers/pdf/leaders.py), against
WeasyPrint's box per dot, on real PDFs: the same dots in the same places, far fewer text
objects; and the default edition's contents."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from paths import STYLES

from briefing.writers.pdf.leaders import RELIED_ON, merged_leaders
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


def _lines(pdf: Path) -> list[str]:
    """poppler's lines of the page, the dots left out (poppler joins them to the words they
    touch)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [" ".join(line.replace(".", " ").split()) for line in text.splitlines()
            if line.strip()]


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


def test_each_leader_is_one_text_box(pair):
    boxes, merged = pair
    assert _text_placements(boxes) > 150  # WeasyPrint's: one box per dot
    assert _text_placements(merged) <= 5 * 4  # per entry: title, leader, space and number


def test_the_dots_stand_where_they_stood(pair, tmp_path):
    from PIL import ImageChops

    boxes, merged = pair
    assert _lines(merged) == _lines(boxes) and len(_lines(boxes)) == 5
    difference = ImageChops.difference(_image(boxes, tmp_path), _image(merged, tmp_path))
    # a dot moved by a pixel at 100 dpi would differ by ~255 at its edges; the merged dots are
    # within 0.1 px of their places (the PDF's widths are whole thousandths of an em)
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
