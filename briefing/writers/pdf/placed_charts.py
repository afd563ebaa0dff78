"""Charts placed into the laid-out book as vector form XObjects, instead of drawn by the layout.

Drawing a chart's SVG is most of what WeasyPrint's PDF writing costs (17 charts: ~2 s of ~3.5 s),
and it was paid on every build, even when no chart changed. Here each chart is drawn once, into a
one-page PDF of its own (:func:`chart_pdfs`: WeasyPrint's SVG renderer, as in the book, so the
look is the same; text is already outlines in the SVG, so the page holds no font), kept in the
chart cache under the chart's content-hashed name, and reused by every later build.

The book is laid out with a *placeholder* in each chart's place (:func:`placeholder`): a tiny
blank PNG with the chart's aspect ratio, given as a ``data:`` URL, so the ``<img>`` keeps its box, its ``alt`` and, in
tagged PDFs, its ``/Figure`` structure element and marked content. WeasyPrint draws an image as
an image XObject painted on the unit square under the box's transformation; :func:`place_charts`
then replaces each placeholder's XObject by the chart's page as a form XObject whose ``/Matrix``
maps the page onto that same unit square (ISO 32000-1 §8.10). So the position is the layout's own,
never computed here, the drawing stays inside the figure's marked content, and nothing else of
the document (fonts, links, outlines, structure tree) is touched. The placeholder's pixels carry
the chart's key (:data:`MAGIC` and a hash of the chart file's name) by which it is found again.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from ... import model as m

MAGIC = b"BRIEFCHT"  # the first 8 bytes of a placeholder's pixels (RGB samples)
_KEY_BYTES = 16
PNG_DATA_URL = "data:image/png;base64,"  # the only data: URLs the writer's fetcher serves


def _key(image: m.Image) -> bytes:
    return hashlib.sha256(image.svg.name.encode("utf-8")).digest()[:_KEY_BYTES]


def chart_pdf_path(image: m.Image, image_dir: Path) -> Path:
    """The chart's one-page PDF: in ``image_dir``, named by its SVG (a hash of its content)."""
    return image_dir / f"{image.svg.stem}.pdf"


def _png(width: int, height: int, pixels: bytes) -> bytes:
    """A minimal 8-bit RGB PNG (ISO/IEC 15948), rows unfiltered; same pixels, same bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))

    rows = b"".join(b"\0" + pixels[y * width * 3:(y + 1) * width * 3] for y in range(height))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 2, 0, 0, 0))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def placeholder(image: m.Image) -> str:
    """The placeholder of ``image``, a PNG as a ``data:`` URL (so that WeasyPrint's name for its
    image XObject, made from the URL, is the same wherever the book is built): its pixels' aspect
    ratio is the chart's (width_mm : height_mm, as a reduced fraction of hundredths of a
    millimetre), so the layout gives it the chart's box; its first pixels hold :data:`MAGIC` and
    the chart's key, the rest are white."""
    w, h = round(image.width_mm * 100), round(image.height_mm * 100)
    w, h = w // math.gcd(w, h), h // math.gcd(w, h)
    scale = math.ceil(math.sqrt((len(MAGIC) + _KEY_BYTES) / 3 / (w * h)))  # room for the key
    w, h = w * scale, h * scale
    key = MAGIC + _key(image)
    pixels = key + b"\xff" * (w * h * 3 - len(key))
    return PNG_DATA_URL + base64.b64encode(_png(w, h, pixels)).decode("ascii")


def chart_pdfs(images: Iterable[m.Image], image_dir: Path, fetcher) -> dict[bytes, Path]:
    """Each chart's one-page PDF, drawn now for those not in ``image_dir`` yet, by key.

    The missing ones are drawn in one WeasyPrint document, one page per chart, each page the
    chart's size, the SVG fetched through ``fetcher`` (the writer's confined fetcher), then split
    into one file per chart. A chart WeasyPrint cannot load is logged by WeasyPrint (and refused
    by the writer: see ``_failed_loads``) and gets no file."""
    images = {_key(image): image for image in images}
    missing = {key: image for key, image in images.items()
               if not chart_pdf_path(image, image_dir).exists()}
    if missing:
        _draw(list(missing.values()), image_dir, fetcher)
    return {key: chart_pdf_path(image, image_dir) for key, image in images.items()
            if chart_pdf_path(image, image_dir).exists()}


def _draw(images: list[m.Image], image_dir: Path, fetcher) -> None:
    import pikepdf
    from weasyprint import HTML

    pages = []
    for n, image in enumerate(images):
        size = f"{image.width_mm:.4f}mm {image.height_mm:.4f}mm"
        pages.append(f"<style>@page c{n} {{ size: {size}; margin: 0 }}</style>"
                     f'<div style="page: c{n}; break-before: page">'
                     f'<img src="{image.svg.resolve().as_uri()}" '
                     f'style="display: block; width: {image.width_mm:.4f}mm; '
                     f'height: {image.height_mm:.4f}mm"></div>')
    html = "<html><body style='margin: 0'>" + "".join(pages) + "</body></html>"
    document = HTML(string=html, url_fetcher=fetcher).render()
    if len(document.pages) != len(images):  # an image that failed to load: reported by the writer
        return
    with pikepdf.open(_bytes_io(document.write_pdf(pdf_identifier=b"briefing-chart"))) as book:
        for image, page in zip(images, book.pages):
            with pikepdf.new() as one:
                one.pages.append(page)
                # WeasyPrint gives all pages one resource dictionary: keep this chart's own
                one.pages[0].remove_unreferenced_resources()
                target = chart_pdf_path(image, image_dir)
                tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
                one.save(tmp, deterministic_id=True)
                tmp.replace(target)


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def place_charts(pdf_path: Path, charts: dict[bytes, Path]) -> int:
    """Replace, in the PDF at ``pdf_path`` (rewritten in place), each placeholder image by its
    chart's page (``charts``: key → one-page PDF) as a form XObject drawn on the same unit square.
    Returns how many placeholders were replaced. Raises ``ValueError`` for a placeholder whose
    chart is not in ``charts``."""
    import pikepdf

    forms: dict[bytes, pikepdf.Object] = {}
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        def form(key: bytes) -> pikepdf.Object:
            if key not in forms:
                if key not in charts:
                    raise ValueError("a chart's placeholder has no chart PDF")
                with pikepdf.open(charts[key]) as chart:
                    page = chart.pages[0]
                    xobject = page.as_form_xobject()
                    width, height = (float(v) for v in page.mediabox[2:])
                    # the page onto the unit square the image was painted on (its top at y = 1)
                    # (as Decimals: a float is written with 6 decimals, 0.03 pt off at 425 pt)
                    xobject.Matrix = pikepdf.Array([Decimal(repr(1 / width)), 0, 0,
                                                    Decimal(repr(1 / height)), 0, 0])
                    forms[key] = pdf.copy_foreign(xobject)
            return forms[key]

        # every resource dictionary is visited (WeasyPrint may share one between pages, or nest
        # images in groups); each placeholder object is read once
        keys: dict[tuple[int, int], bytes | None] = {}
        visited: set[tuple[int, int]] = set()

        def visit(resources) -> None:
            if resources is None or "/XObject" not in resources:
                return
            if resources.is_indirect:
                if resources.objgen in visited:
                    return
                visited.add(resources.objgen)
            xobjects = resources.XObject
            for name in list(xobjects.keys()):
                xobject = xobjects[name]
                if xobject.get("/Subtype") == "/Form":
                    visit(xobject.get("/Resources"))
                    continue
                if xobject.objgen not in keys:
                    keys[xobject.objgen] = _placeholder_key(xobject)
                if (key := keys[xobject.objgen]) is not None:
                    xobjects[name] = form(key)

        for page in pdf.pages:
            visit(page.obj.get("/Resources"))
        pdf.save(pdf_path, deterministic_id=True)
    return sum(key is not None for key in keys.values())


def _placeholder_key(xobject) -> bytes | None:
    if xobject.get("/Subtype") != "/Image" or int(xobject.get("/Width", 0)) > 256:
        return None
    data = xobject.read_bytes()
    if not data.startswith(MAGIC):
        return None
    return bytes(data[len(MAGIC):len(MAGIC) + _KEY_BYTES])
