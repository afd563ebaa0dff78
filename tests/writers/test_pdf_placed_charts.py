"""Charts placed after layout as vector form XObjects (briefing.writers.pdf.placed_charts): in
the layout's box, inside the figure's tag, looking as matplotlib draws the chart."""

from __future__ import annotations

import subprocess

import numpy as np
import pikepdf
import pytest
from PIL import Image
from pdftext import structure_elements

from briefing import model as m
from briefing.build import STYLES, check, draw_figures
from briefing.writers.pdf import book_to_html, confined_fetcher, write_pdf
from briefing.writers.pdf.placed_charts import MAGIC, placeholder
from paths import FIXTURES


def _figures(book: m.Book) -> list[m.Figure]:
    return [node for _, node in m.walk_with_part(book) if isinstance(node, m.Figure)]


def _xobjects(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    """Every XObject the pages reach (once each: pages may share resources), through forms."""
    found, todo = {}, [page.obj.get("/Resources") for page in pdf.pages]
    while todo:
        resources = todo.pop()
        if resources is None or "/XObject" not in resources:
            continue
        for xobject in resources.XObject.values():
            if xobject.objgen in found:
                continue
            found[xobject.objgen] = xobject
            if xobject.get("/Subtype") == "/Form":
                todo.append(xobject.get("/Resources"))
    return list(found.values())


def _paints_a_chart(page: pikepdf.Page) -> bool:
    """Whether the page's content paints a chart's form (drawn on the unit square)."""
    forms = {name for name, x in page.Resources.get("/XObject", {}).items()
             if x.get("/Subtype") == "/Form" and "/Matrix" in x and float(x.Matrix[0]) < 0.01}
    return any(str(operator) == "Do" and str(operands[0]) in forms
               for operands, operator in pikepdf.parse_content_stream(page))


def test_each_chart_is_a_vector_form_and_no_placeholder_is_left(defects_book, ua_pdf):
    book, path = ua_pdf
    _, charts = defects_book
    with pikepdf.open(path) as pdf:
        xobjects = _xobjects(pdf)
        images = [x for x in xobjects if x.get("/Subtype") == "/Image"]
        assert not [x for x in images if x.read_bytes().startswith(MAGIC)]
        figure = _figures(book)[0]
        with pikepdf.open(figure.image.pdf) as chart:
            drawing = chart.pages[0].Contents.read_bytes()
        placed = [x for x in xobjects if x.get("/Subtype") == "/Form"
                  and x.read_bytes() == drawing]
        assert len(placed) == 1  # once, even if shown twice
        # the chart's page on the unit square the placeholder was painted on
        width, height = (float(v) for v in placed[0].BBox[2:])
        assert [float(v) for v in placed[0].Matrix] == pytest.approx(
            [1 / width, 0, 0, 1 / height, 0, 0])
        assert (width / 72 * 25.4, height / 72 * 25.4) == pytest.approx(
            (figure.image.width_mm, figure.image.height_mm), abs=0.01)
        assert not placed[0].Resources.get("/Font")  # text as outlines: no font of its own


def test_the_placed_chart_is_painted_inside_its_figure_tag(ua_pdf):
    """PDF/UA: the chart is drawn inside the marked content whose MCID the /Figure element (with
    the model's /Alt) owns, so a screen reader meets its description where it stands."""
    book, path = ua_pdf
    figures = [e for e in structure_elements(path) if e["/S"] == "/Figure"]
    assert [str(e["/Alt"]) for e in figures] == [f.alt for f in _figures(book)]
    with pikepdf.open(path) as pdf:
        mcids = set()
        for page in pdf.pages:
            forms = {name for name, x in page.Resources.get("/XObject", {}).items()
                     if x.get("/Subtype") == "/Form" and "/Matrix" in x
                     and float(x.Matrix[0]) < 0.01}
            stack = []
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) in ("BDC", "BMC"):
                    stack.append((str(operands[0]), operands[1] if len(operands) > 1 else None))
                elif str(operator) == "EMC":
                    stack.pop()
                elif str(operator) == "Do" and str(operands[0]) in forms:
                    tag, props = stack[-1]
                    assert tag == "/Figure"
                    mcids.add((page.objgen, int(props.MCID)))
        assert len(mcids) == len(figures)


def _png_of_page(pdf, page: int, out) -> np.ndarray:
    subprocess.run(["pdftoppm", "-r", "100", "-f", str(page), "-l", str(page), "-png", str(pdf),
                    str(out)], check=True)
    return np.asarray(Image.open(next(out.parent.glob(f"{out.name}*.png"))).convert("L"),
                      dtype=int)


def test_the_placed_chart_looks_as_matplotlib_draws_it_in_its_box(tmp_path):
    """The same page with the placed chart and with the chart's 300 dpi PNG (matplotlib's Agg)
    laid out by WeasyPrint in its place: the same pixels but for anti-aliasing (the outlines'
    and the hatching's edges), so the placed chart is the chart, in the layout's box."""
    from weasyprint import HTML

    charts = tmp_path / "charts"
    book = draw_figures(check(FIXTURES / "pdf-defects"), charts, word_charts="picture")
    placed = tmp_path / "placed.pdf"
    write_pdf(book, placed, STYLES, charts)
    laid_out = tmp_path / "laid-out.pdf"
    HTML(string=book_to_html(book, STYLES, lambda image: image.png.resolve().as_uri()),
         base_url=str(STYLES.resolve()) + "/",
         url_fetcher=confined_fetcher((STYLES, charts))).write_pdf(laid_out)
    with pikepdf.open(placed) as pdf:  # the first page that paints a chart (pages share resources)
        page = next(n for n, p in enumerate(pdf.pages, start=1) if _paints_a_chart(p))
    a = _png_of_page(placed, page, tmp_path / "a")
    b = _png_of_page(laid_out, page, tmp_path / "b")
    assert a.shape == b.shape
    ink = (b < 250).sum()
    assert ink > 10_000  # the page has a chart
    differ = np.abs(a - b) > 64
    # Agg's anti-aliasing (of the text, at hinted sizes, and of the bars' edges) differs from
    # poppler's in some 4 % of the chart's ink; the chart a pixel (0.25 mm) off its box, in 10 %
    assert differ.sum() < ink * 0.06, (differ.sum(), ink)


def test_the_book_with_its_placed_charts_is_the_same_bytes_again(defects_book, tmp_path):
    book, charts = defects_book
    write_pdf(book, tmp_path / "one.pdf", STYLES, charts)
    write_pdf(book, tmp_path / "two.pdf", STYLES, charts)
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()


def test_the_placeholder_has_the_charts_aspect_ratio(defects_book):
    import base64
    import io

    book, _ = defects_book
    image = _figures(book)[0].image
    url = placeholder(image)
    png = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert png.width / png.height == pytest.approx(image.width_mm / image.height_mm)
    assert png.tobytes().startswith(MAGIC)
    assert placeholder(image) == url  # the same bytes wherever the book is built
