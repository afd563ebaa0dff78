"""Charts placed into the laid-out book as vector form XObjects, instead of drawn by the layout.

Each chart is drawn once, by matplotlib, into a one-page PDF of its own with its text as outlines
(:mod:`briefing.charts.outline_pdf`: the page holds no font), kept in the chart cache under its
content-hashed name (``Image.pdf``) and reused by every later build; WeasyPrint never draws it.

The book is laid out with a *placeholder* in each chart's place (:func:`placeholder`): a tiny
blank PNG with the chart's aspect ratio, given as a ``data:`` URL, so the ``<img>`` keeps its box, its ``alt`` and, in
tagged PDFs, its ``/Figure`` structure element and marked content. WeasyPrint draws an image as
an image XObject painted on the unit square under the box's transformation; :func:`place_charts`
then replaces each placeholder's XObject by the chart's page as a form XObject whose ``/Matrix``
maps the page onto that same unit square (ISO 32000-1 §8.10). So the position is the layout's own,
never computed here, the drawing stays inside the figure's marked content, and nothing else of
the document (fonts, links, outlines, structure tree) is touched. The placeholder's pixels carry
the chart's key (:data:`MAGIC` and a hash of the chart file's name) by which it is found again.
The layout needs only the charts' sizes and names, not their drawings: the build lays the book
out while the charts are drawn, and places them when both are done.
"""

from __future__ import annotations

import base64
import hashlib
import math
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from ... import model as m

MAGIC = b"BRIEFCHT"  # the first 8 bytes of a placeholder's pixels (RGB samples)
_KEY_BYTES = 16
PNG_DATA_URL = "data:image/png;base64,"  # the only data: URLs the writer's fetcher serves


def _key(image: m.Image) -> bytes:
    return hashlib.sha256(image.pdf.name.encode("utf-8")).digest()[:_KEY_BYTES]


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


def chart_pdfs(images: Iterable[m.Image], image_dir: Path) -> dict[bytes, Path]:
    """Each chart's one-page PDF by key (what :func:`place_charts` takes). Raises ``ValueError``
    for a chart whose file is not in ``image_dir`` (the writer opens nothing outside the styles
    and the charts' folder; a link out of it counts as outside) or is missing."""
    root = Path(image_dir).resolve()
    charts = {}
    for image in images:
        path = image.pdf.resolve()  # resolves symlinks too
        if not path.is_relative_to(root):
            raise ValueError(f"refused to open {path}: outside the edition's styles and charts")
        if not path.is_file():
            raise ValueError(f"the chart {image.pdf.name} was not drawn")
        charts[_key(image)] = path
    return charts


def place_charts(pdf, charts: dict[bytes, Path]) -> int:
    """Replace, in an open ``pikepdf.Pdf`` (changed in place), each placeholder image by its
    chart's page (``charts``: key → one-page PDF) as a form XObject drawn on the same unit square.
    Returns how many placeholders were replaced. Raises ``ValueError`` for a placeholder whose
    chart is not in ``charts``."""
    import pikepdf

    forms: dict[bytes, pikepdf.Object] = {}
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
    return sum(key is not None for key in keys.values())


def _placeholder_key(xobject) -> bytes | None:
    if xobject.get("/Subtype") != "/Image" or int(xobject.get("/Width", 0)) > 256:
        return None
    data = xobject.read_bytes()
    if not data.startswith(MAGIC):
        return None
    return bytes(data[len(MAGIC):len(MAGIC) + _KEY_BYTES])
