"""The book's PDF as units — the front matter and each part — cached, and joined into one PDF.

Laying out and writing the whole book costs seconds of one core, and a one-paragraph edit paid
all of it again. Here the book is cut into *units*: the front matter (cover, title page,
contents) and each :class:`~briefing.model.Part`. Each unit's PDF, and what the join needs of it
(anchors, bookmarks, each font's glyphs), is cached under a key of everything that decides it
(:func:`unit_key`: the unit's HTML as laid out alone — its content, its first page number, the
contents' page numbers, the charts' placeholders —, the styles folder, this writer's code, the
versions of WeasyPrint, pydyf, Pango and HarfBuzz).

A unit is made one of two ways, with the same result (the tests compare the bytes):

- *alone* (:func:`lay_out`, when one unit changed): the book's document with only that unit's
  sections (:func:`unit_html`), its page counter starting where the unit starts in the book
  (``@page :first { counter-reset: page N }``), the contents' numbers given (``counter()`` of a
  counter set on each entry where the book has ``target-counter()``). Every part starts on a
  recto (``styles/book.css``: ``.part { break-before: recto }``), that is at an even page index,
  as the first page of a document does: left and right pages, margins and running headers come
  out as in the book. The blank page before a part that follows one of odd length belongs to
  the unit before: a unit ends with an empty block that breaks to a recto, whose page is dropped.
- *in the whole book* (:func:`_lay_out_whole`, on a first build or when several units
  changed): the book laid out once as one document, each unit's pages written as a document of
  its own (``Document.copy``, fonts met afresh as in a unit laid out alone); with two cores, the
  later units are written meanwhile by a forked process (:func:`write_units`).

Charts are placed after the join (:mod:`.placed_charts`); their placeholders carry the figure's
id, not the chart's content hash, so a changed data value redraws the chart without laying out
its part again (while the chart keeps its size).

The join (:func:`join`, pikepdf) makes the PDF WeasyPrint writes of the whole book:

- pages in order, each unit's resources kept (WeasyPrint names resources by counters per
  document, so units' resource dictionaries are not merged);
- fonts: one per face for the whole book, made by WeasyPrint's own ``build_fonts_dictionary``
  from the units' glyphs merged in book order (WeasyPrint keeps the text and width a glyph is
  first met with; HarfBuzz subsets with retained glyph ids, so every unit's glyph ids agree),
  ToUnicode corrected by :func:`.text_layer.correct_to_unicode`; cached by glyph set;
- links: an internal link is written in a unit as a URI of the private scheme :data:`SCHEME`
  (WeasyPrint drops a link to an anchor not in its document) and made ``/Dest (name)`` again,
  as WeasyPrint writes it; one to no anchor of the book is dropped, as WeasyPrint drops it;
- named destinations: the units' name trees, one sorted ``/Dests`` array;
- bookmarks: WeasyPrint's outline algorithm (``make_page_bookmark_tree``) over all pages;
- metadata (document information, ``/Lang``) of the front matter's document.

Not joined: a font with stand-in glyphs (``Font.missing``: their ids are counted per document),
or a glyph two units measured differently (WeasyPrint keeps a glyph's width as first met, at
that size, and the kerning drawn after it depends on it): :class:`NotJoinable`, and the caller
lays out the whole book. Tagged (PDF/UA) and print (bleed) PDFs are laid out whole by the
caller: their structure tree and output intent are not joined here. One difference is left: the
``/ActualText`` of a kashida followed by a glyph the font's rules do not name takes that glyph's
text as first met in its unit, where the whole book takes it as first met in the book.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import os
import pickle
import re
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote

from ... import model as m
from . import book_to_html, confined_fetcher, finish_pdf, refusing_failed_loads

# an internal link in a unit's PDF until the join: ``briefing-anchor:NAME`` for ``#NAME``
SCHEME = "briefing-anchor:"
CACHE_VERSION = b"briefing-parts-2"
# the cache keeps at most this many unit files (those of the last build always)
CACHE_UNITS = 120

_TOC_LINK = re.compile(r'<a href="#([^"]*)">')
_TRAILER = '<div style="break-before: recto"></div>'


# SHA-256 (first 16 hex digits) of the source of each WeasyPrint function this module relies on,
# as in the pinned weasyprint==70.0 (see ``text_layer.weasyprint_fingerprints``): what a font
# dictionary is made of and how it is subset, how fonts are met, links and anchors written,
# outlines made, pages copied and sides and blank pages decided. Checked by
# ``tests/writers/test_pdf_parts.py`` (not at every build: the pin holds the code, and the
# check reads the sources, ~0.3 s).
RELIED_ON = {
    "weasyprint.pdf.fonts.build_fonts_dictionary": "fc551bef35d0d6c3",
    "weasyprint.pdf.fonts.Font._harfbuzz_subset": "f80805663ede8080",
    "weasyprint.pdf.fonts.Font.clean": "794f0211f18453f1",
    "weasyprint.pdf.stream.Stream.add_font": "e4226e1117477217",
    "weasyprint.pdf.anchors.add_links": "262e8b9b299892a7",
    "weasyprint.pdf.anchors.resolve_links": "f95937bb4e4f1007",
    "weasyprint.pdf.anchors.add_outlines": "9f5d6afde78956a1",
    "weasyprint.anchors.make_page_bookmark_tree": "269c0c4e1b2d5c20",
    "weasyprint.document.Document.copy": "1beed2ce8b1dac94",
    "weasyprint.layout.page.remake_page": "1ff09b2dffa17839",
}


class NotJoinable(Exception):
    """The parts' PDFs cannot be joined into what the whole book would be (see the module)."""


# ---------------------------------------------------------------- units


@dataclass(frozen=True)
class Unit:
    """One unit of layout: the front matter (``part`` None) or a part."""

    part: m.Part | None
    trailer: bool  # ends with the block that breaks to the next unit's recto


@dataclass
class Laid:
    """A unit laid out and written: its PDF, and what the join needs of it."""

    pdf: bytes
    pages: int  # pages of the unit kept (the trailer's page dropped)
    bookmarks: list  # per page: WeasyPrint's Page.bookmarks (level, label, (x, y), state)
    heights: list  # per page: the page's height, CSS px
    anchors: dict  # anchor name -> page index in the unit
    fonts: dict  # font hash -> FontRecord


@dataclass
class FontRecord:
    """What a unit's document knew of one font when WeasyPrint wrote it: the font's attributes
    (as WeasyPrint's ``Font``), its glyphs' texts as WeasyPrint met them (before the text
    layer's correction), their widths, the mirrored glyphs' uses, and the font file's digest."""

    attrs: dict
    to_unicode: dict
    widths: dict
    mirrored: dict
    missing: dict
    file: str
    file_content: bytes = field(default=b"", repr=False)
    # alias codes drawn (briefing.writers.pdf.glyph_aliases): {code: (glyph, text)}
    aliases: dict = field(default_factory=dict)


def unit_html(book: m.Book, unit: Unit, styles_dir: Path, chart_src, first_page: int,
              toc_pages: dict[str, int]) -> str:
    """The HTML of one unit laid out alone: the book's document with only this unit's sections,
    the page counter starting at ``first_page`` (a part), or the contents' entries numbered from
    ``toc_pages`` (target → page number; the front matter)."""
    only = frozenset() if unit.part is None else frozenset({unit.part.id})
    html = book_to_html(book, styles_dir, chart_src, only)
    if unit.part is None:
        # each entry's number where the whole book has target-counter(): a counter set on
        # the entry, shown in the digits of the part it points to (book.html's rule, same
        # selector, later)
        html = _TOC_LINK.sub(lambda match: (
            f'<a href="#{match[1]}" style="counter-reset: briefing-page '
            f'{toc_pages.get(unescape(match[1]), 0)}">'), html)
        css = "".join(
            f'.toc li[data-counter-style="{style}"] a::after {{ content: leader(".") '
            f"counter(briefing-page, {style}); }}" for style in ("decimal", "arabic-indic"))
    else:
        css = (".cover, .title-page, .toc { display: none; } "
               f"@page :first {{ counter-reset: page {first_page}; }}")
    html = html.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    if unit.trailer:
        html = html.replace("</body>", f"{_TRAILER}\n</body>", 1)
    return html


def _code_digest() -> bytes:
    """This writer's code and the versions of what lays out (WeasyPrint, pydyf, Pango,
    HarfBuzz): a change to any lays out anew."""
    import pydyf
    import weasyprint
    from weasyprint.text.ffi import ffi, harfbuzz, pango

    _declare_harfbuzz()
    versions = (weasyprint.__version__, pydyf.__version__, str(pango.pango_version()),
                ffi.string(harfbuzz.hb_version_string()).decode())
    digest = hashlib.sha256(CACHE_VERSION + repr(versions).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _styles_digest(styles_dir: Path) -> bytes:
    digest = hashlib.sha256()
    for path in sorted(p for p in styles_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(styles_dir)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


def unit_key(html: str, context: bytes) -> str:
    """The cache key of a unit: a hash of its HTML and ``context`` (code and styles)."""
    return hashlib.sha256(context + html.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- laying out one unit


def _render(html: str, styles_dir: Path, fetcher):
    from weasyprint import HTML

    return HTML(string=html, base_url=str(styles_dir.resolve()) + "/",
                url_fetcher=fetcher).render()


def lay_out(html: str, trailer: bool, styles_dir: Path, fetcher, codes: range) -> Laid:
    """Lay out and write one unit's HTML with WeasyPrint (inside
    :func:`.text_layer.faithful_text_layer`); drops the trailer's page. Raises ``ValueError``
    when an image or stylesheet cannot be loaded."""
    with refusing_failed_loads():
        document = _render(html, styles_dir, fetcher)
        return write_unit(document, document.pages[:-1] if trailer else document.pages, codes)


def write_unit(document, pages: list, codes: range) -> Laid:
    """Write ``pages`` of a laid-out WeasyPrint ``document`` as a unit's PDF, with what the join
    needs of them. Every internal link is written as a URI of :data:`SCHEME` (WeasyPrint would
    drop one to an anchor on other pages; the join makes it internal again). The alias codes
    its drawing gives glyphs are taken from ``codes`` (a range of its own: the join keeps every
    unit's); :class:`NotJoinable` when they do not fit."""
    from .glyph_aliases import codes_from

    for page in pages:
        page.links[:] = [(kind, target, *rest) if kind != "internal" else
                         ("external", SCHEME + quote(target, safe=""), *rest)
                         for kind, target, *rest in page.links]
    fonts: dict[str, FontRecord] = {}
    with _recording_fonts(fonts), codes_from(codes[-1]):
        # a document of its own: its fonts are met afresh, as in a unit laid out alone
        pdf = document.copy(pages).write_pdf(pdf_identifier=b"briefing",
                                             uncompressed_pdf=False)
    for record in fonts.values():
        if any(code not in codes for code in record.aliases):
            raise NotJoinable(f"font {record.attrs['family']} needs more alias codes in a unit "
                              f"than the {len(codes)} each unit has")
    anchors: dict[str, int] = {}
    for index, page in enumerate(pages):  # an element split over pages: where it starts
        for name in page.anchors:
            anchors.setdefault(name, index)
    return Laid(pdf=pdf, pages=len(pages), anchors=anchors,
                bookmarks=[list(page.bookmarks) for page in pages],
                heights=[page.height for page in pages], fonts=fonts)


# a Font's attributes kept for the join (the rest are HarfBuzz and Pango handles)
_FONT_ATTRS = ("hash", "name", "family", "index", "font_size", "style", "weight", "variations",
               "ascent", "descent", "tables", "bitmap", "italic_angle", "upem", "png", "svg",
               "colr", "glyph_count", "stemv", "stemh", "flags", "used_in_forms")


# each font file's bytes, one object per file in the process: WeasyPrint reads them anew for
# every document, and the text layer's cache of font texts, keyed by them, then compares the
# whole file on every text run drawn (identical objects compare at once)
_FONT_FILES: dict[bytes, bytes] = {}


class _recording_fonts:
    """While active, WeasyPrint's fonts are recorded into ``fonts`` (hash → :class:`FontRecord`)
    as they are when the document's font dictionaries are built: each glyph's text before the
    text layer corrects it (the join corrects the merged map again). A font's file bytes are
    shared with every other document's font of that file (:data:`_FONT_FILES`)."""

    def __init__(self, fonts: dict):
        self.fonts = fonts

    def __enter__(self):
        import weasyprint.pdf as weasyprint_pdf
        import weasyprint.pdf.stream as stream

        self.stream, self.font_class = stream, stream.Font

        def font(*args, **kwargs):
            made = self.font_class(*args, **kwargs)
            made.file_content = _FONT_FILES.setdefault(made.file_content, made.file_content)
            return made

        stream.Font = font
        self.module = weasyprint_pdf
        self.inner = weasyprint_pdf.build_fonts_dictionary

        def build_fonts_dictionary(pdf, fonts, *args, **kwargs):
            from .glyph_aliases import codes

            for font in fonts.values():
                if font.hash in self.fonts:
                    raise NotJoinable(f"two fonts named {font.hash} in one document")
                self.fonts[font.hash] = FontRecord(
                    attrs={name: getattr(font, name) for name in _FONT_ATTRS},
                    to_unicode=dict(font.to_unicode), widths=dict(font.widths),
                    mirrored={glyph: set(uses) for glyph, uses in
                              getattr(font, "briefing_mirrored_uses", {}).items()},
                    missing=dict(font.missing),
                    file=hashlib.sha256(font.file_content).hexdigest(),
                    file_content=font.file_content,
                    aliases=codes(font))
            return self.inner(pdf, fonts, *args, **kwargs)

        weasyprint_pdf.build_fonts_dictionary = build_fonts_dictionary
        return self

    def __exit__(self, *exc):
        self.module.build_fonts_dictionary = self.inner
        self.stream.Font = self.font_class
        return False


# ---------------------------------------------------------------- the cache


class Cache:
    """Units' layouts under ``root`` (``out_dir/.cache/pdf``): ``units/KEY.pickle`` (a
    :class:`Laid` without font files), ``fonts/SHA256`` (font files, shared), ``joined/KEY``
    (merged font dictionaries), ``last-build.pickle`` (the contents' numbers and the units'
    lengths). Written atomically (a temporary file renamed), so a killed build
    leaves whole files or none; an unreadable entry is laid out again."""

    def __init__(self, root: Path):
        self.root = root
        self.used: set[Path] = set()

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)

    def _read(self, path: Path) -> bytes | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self.used.add(path)
        return data

    def get(self, key: str) -> Laid | None:
        data = self._read(self.root / "units" / f"{key}.pickle")
        if data is None:
            return None
        try:
            laid = pickle.loads(data)
        except Exception:  # a damaged or outdated entry: laid out again
            return None
        if not isinstance(laid, Laid) or not all(
                (self.root / "fonts" / record.file).is_file() for record in laid.fonts.values()):
            return None
        for record in laid.fonts.values():
            self.used.add(self.root / "fonts" / record.file)
        return laid

    def has(self, key: str) -> bool:
        return (self.root / "units" / f"{key}.pickle").is_file()

    def font_file(self, digest: str) -> bytes:
        """A font file the units use, by its SHA-256; raises :class:`NotJoinable` if it is
        gone or damaged (the caller lays out the whole book)."""
        data = self._read(self.root / "fonts" / digest)
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            raise NotJoinable(f"the cached font file {digest} is gone or damaged")
        return data

    def put(self, key: str, laid: Laid) -> None:
        for record in laid.fonts.values():
            path = self.root / "fonts" / record.file
            if not path.exists():
                self._write(path, record.file_content)
            self.used.add(path)
        stored = dataclasses.replace(laid, fonts={
            name: dataclasses.replace(record, file_content=b"")
            for name, record in laid.fonts.items()})
        path = self.root / "units" / f"{key}.pickle"
        self._write(path, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
        self.used.add(path)

    def joined_fonts(self, key: str) -> bytes | None:
        return self._read(self.root / "joined" / key)

    def put_joined_fonts(self, key: str, data: bytes) -> None:
        path = self.root / "joined" / key
        self._write(path, data)
        self.used.add(path)

    def prune(self, keep: int = CACHE_UNITS) -> None:
        """Remove the oldest entries beyond ``keep`` files in each folder, never one this
        build used, and temporary files a killed build left."""
        for folder in ("units", "fonts", "joined"):
            directory = self.root / folder
            if not directory.is_dir():
                continue
            files = sorted(directory.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
            for path in files:
                if path.name.startswith(".") and path.name.endswith(".tmp"):
                    if path.stat().st_mtime < time.time() - 3600:
                        path.unlink(missing_ok=True)
            files = [p for p in files if not p.name.startswith(".")]
            for path in files[keep:]:
                if path not in self.used:
                    path.unlink(missing_ok=True)
        for path in self.used:  # most recently used first, next time
            try:
                os.utime(path)
            except OSError:
                pass


# ---------------------------------------------------------------- the book


def write_pdf_parts(book: m.Book, out_path: Path, styles_dir: Path, image_dir: Path,
                    cache_dir: Path, charts_drawn: Callable[[], None] = lambda: None,
                    workers: int = 1) -> None:
    """Write the book's PDF by units (see the module), reusing units laid out before from
    ``cache_dir``; ``charts_drawn`` is called after the join and returns once every chart is
    in ``image_dir`` (as :func:`briefing.writers.pdf.write_pdf`'s). The PDF equals, in pages,
    text, links, destinations, outline, fonts and metadata, the one
    :func:`briefing.writers.pdf.write_pdf` lays out in one document. Raises ``ValueError`` when
    an image or stylesheet cannot be loaded or a chart is missing, :class:`NotJoinable` when the
    units cannot be joined into that (the caller lays out the whole book)."""
    from .leaders import merged_leaders
    from .placed_charts import _key, chart_pdfs, placeholder
    from .text_layer import faithful_text_layer

    fetcher = confined_fetcher((styles_dir,))  # the charts are placed, not fetched
    figures = [node for _, node in m.walk_with_part(book)
               if isinstance(node, m.Figure) and node.image is not None]
    images = list(dict.fromkeys(figure.image for figure in figures))
    # a placeholder named by its first figure's id, not by the chart's content hash
    stable: dict[str, m.Image] = {}
    for figure in figures:
        stable.setdefault(figure.image.pdf.name, dataclasses.replace(
            figure.image, pdf=Path(f"figure-{figure.id}.pdf")))

    def chart_src(image: m.Image) -> str:
        return placeholder(stable[image.pdf.name])

    cache = Cache(cache_dir)
    with faithful_text_layer(), merged_leaders():
        laid = _lay_out_units(book, styles_dir, chart_src, cache, fetcher, workers)
    join(laid, out_path, cache)
    charts_drawn()
    paths = chart_pdfs(images, image_dir)
    finish_pdf(out_path, {_key(stable[image.pdf.name]): paths[_key(image)] for image in images})
    cache.prune()


def _lay_out_units(book: m.Book, styles_dir: Path, chart_src, cache: Cache,
                   fetcher, workers: int = 1) -> list[Laid]:
    """Every unit of the book, found in ``cache`` or laid out. When the last build (its
    units' lengths and the contents' numbers, kept in the cache) says at most one unit is to be
    laid out, each missing unit is laid out alone (:func:`_lay_out_changed`); otherwise (a first
    build, changed styles, a part whose length changed) the whole book is laid out in one
    document and written unit by unit (:func:`_lay_out_whole`), which costs one layout of the
    book. Either way the units are the same, and so are the bytes of the joined PDF."""
    context = _code_digest() + _styles_digest(styles_dir)
    units = [Unit(None, trailer=bool(book.parts))] + [
        Unit(part, trailer=i < len(book.parts) - 1) for i, part in enumerate(book.parts)]
    htmls: dict[tuple, str] = {}

    def codes(n: int) -> range:
        return alias_codes(n, len(units))

    def key(n: int, first_page: int, toc: dict[str, int]) -> str:
        at = (n, first_page, tuple(sorted(toc.items())))
        if at not in htmls:
            htmls[at] = unit_html(book, units[n], styles_dir, chart_src, first_page, toc)
        return unit_key(htmls[at], context + repr(codes(n)).encode())

    manifest, lengths = cache.root / "last-build.pickle", None
    try:
        toc_pages, lengths = pickle.loads(manifest.read_bytes())
        starts = [1 + sum(lengths[:n]) for n in range(len(units))]
        missing = sum(not cache.has(key(n, starts[n], toc_pages if n == 0 else {}))
                      for n in range(len(units))) if len(lengths) == len(units) else len(units)
    except Exception:  # no last build, or an unreadable record of it
        missing = len(units)
    result = None
    if lengths is not None and missing <= 1:
        result = _lay_out_changed(book, units, key, codes, htmls, lengths, cache, styles_dir,
                                  fetcher)
    if result is None:
        result = _lay_out_whole(book, units, key, codes, cache, styles_dir, chart_src, fetcher,
                                workers)
    cache._write(manifest, pickle.dumps(result[1]))
    return result[0]


def alias_codes(n: int, units: int) -> range:
    """The alias codes (:mod:`.glyph_aliases`) of the ``n``-th of ``units`` units: each unit
    has a range of its own below :data:`.glyph_aliases.TOP`, so that the join keeps every unit's
    codes as drawn (the whole default edition draws about 240); down to code 0x4000, well past
    the bundled fonts' glyphs."""
    from .glyph_aliases import TOP

    size = min(1024, (TOP - 0x4000) // units)
    return range(TOP - (n + 1) * size + 1, TOP - n * size + 1)


def _contents_pages(book: m.Book, numbers: dict[str, int]) -> dict[str, int]:
    return {entry.target: numbers[entry.target] for entry in book.outline
            if entry.target in numbers}


def _lay_out_whole(book, units, key, codes, cache: Cache, styles_dir: Path, chart_src,
                   fetcher, workers: int):
    """The book laid out in one document, each unit's pages written as a PDF of its own and
    cached under the key of the unit laid out alone. Returns (units, (contents' numbers,
    lengths))."""
    with refusing_failed_loads():
        document = _render(book_to_html(book, styles_dir, chart_src), styles_dir, fetcher)
        pages = document.pages
        numbers: dict[str, int] = {}
        for index, page in enumerate(pages):
            for name in page.anchors:
                numbers.setdefault(name, index + 1)
        # a part's unit starts on the page of its section (the blank page before it is the
        # previous unit's, as the trailer makes it in a unit laid out alone)
        starts = [0, *(numbers[unit.part.id] - 1 for unit in units[1:]), len(pages)]
        toc_pages = _contents_pages(book, numbers)
        slices = [pages[starts[n]:starts[n + 1]] for n in range(len(units))]
        result = write_units(document, slices, codes, workers)
    for n, laid in enumerate(result):
        cache.put(key(n, starts[n] + 1, toc_pages if n == 0 else {}), laid)
    return result, (toc_pages, [laid.pages for laid in result])


def write_units(document, slices: list[list], codes: Callable[[int], range],
                workers: int) -> list[Laid]:
    """:func:`write_unit` of each of ``slices`` (the pages of each unit of ``document``), with
    its alias codes ``codes(n)``. With two ``workers`` or more, a forked process writes units
    too: this one takes them from the first on, the other from the last back, each the next
    one left when it is done with one, so that the two end together even when the other
    process shares its core with the build's other work. Each unit is a document of its own:
    the bytes are those written one after another."""
    import multiprocessing

    from ...processes import Forked, can_fork

    if workers < 2 or len(slices) < 2 or not can_fork():
        with refusing_failed_loads():
            return [write_unit(document, pages, codes(n)) for n, pages in enumerate(slices)]
    left = multiprocessing.get_context("fork").Array("i", [0, len(slices)])  # [first, end)

    def take(from_end: bool) -> int | None:
        with left.get_lock():
            if left[0] == left[1]:
                return None
            if from_end:
                left[1] -= 1
                return left[1]
            left[0] += 1
            return left[0] - 1

    def write(from_end: bool) -> dict[int, Laid]:
        written = {}
        with refusing_failed_loads():  # in the forked process too
            while (n := take(from_end)) is not None:
                written[n] = write_unit(document, slices[n], codes(n))
        return written

    with Forked(lambda: write(from_end=True), "the second process writing the PDF") as other:
        written = write(from_end=False)
        written.update(other.result())
    return [written[n] for n in range(len(slices))]


def _lay_out_changed(book, units, key, codes, htmls, lengths, cache: Cache, styles_dir: Path,
                     fetcher):
    """The units from ``cache``, those missing laid out alone: the parts from the page after
    the front matter on, then the front matter with the parts' page numbers in its contents.
    Returns (units, (contents' numbers, lengths)), or None when a unit's length differs from
    the last build's ``lengths`` and moves the units after it (the whole book is then laid out
    once, rather than each of them alone)."""

    def laid(n: int, first_page: int, toc: dict[str, int]) -> Laid:
        entry = key(n, first_page, toc)
        found = cache.get(entry)
        if found is None:
            html = htmls[n, first_page, tuple(sorted(toc.items()))]
            found = lay_out(html, units[n].trailer, styles_dir, fetcher, codes(n))
            cache.put(entry, found)
        return found

    result, page, numbers = [], 1 + lengths[0], {}
    for n in range(1, len(units)):
        result.append(laid(n, page, {}))
        if result[-1].pages != lengths[n] and n < len(units) - 1:
            return None
        numbers.update((name, page + index) for name, index in result[-1].anchors.items())
        page += result[-1].pages
    toc_pages = _contents_pages(book, numbers)
    front = laid(0, 1, toc_pages)
    if front.pages != lengths[0]:
        return None
    result.insert(0, front)
    return result, (toc_pages, [laid.pages for laid in result])


# ---------------------------------------------------------------- the join


def merged_fonts(units: list[Laid]) -> dict[str, FontRecord]:
    """The units' fonts merged in book order: each glyph's text and width as first met (as
    WeasyPrint keeps them in one document), the mirrored glyphs' uses together, the attributes of
    the font as first met. Raises :class:`NotJoinable` for a font with stand-in glyphs or a
    glyph measured differently in two units."""
    merged: dict[str, FontRecord] = {}
    for unit in units:
        for name, record in unit.fonts.items():
            if record.missing:
                raise NotJoinable(f"font {record.attrs['family']} lacks glyphs the book uses")
            if name not in merged:
                merged[name] = FontRecord(dict(record.attrs), dict(record.to_unicode),
                                          dict(record.widths),
                                          {g: set(u) for g, u in record.mirrored.items()},
                                          {}, record.file, record.file_content,
                                          dict(record.aliases))
                continue
            into = merged[name]
            for code, drawn in record.aliases.items():
                if into.aliases.setdefault(code, drawn) != drawn:
                    raise NotJoinable(f"alias code {code} of {record.attrs['family']} is given "
                                      "twice")
            if into.file != record.file:
                raise NotJoinable(f"font {name} is two files")
            for glyph, width in record.widths.items():
                if into.widths.setdefault(glyph, width) != width:
                    raise NotJoinable(f"glyph {glyph} of {record.attrs['family']} has two widths")
            for glyph, text in record.to_unicode.items():
                into.to_unicode.setdefault(glyph, text)
            for glyph, uses in record.mirrored.items():
                into.mirrored.setdefault(glyph, set()).update(uses)
    return merged


def _fonts_pdf(fonts: dict[str, FontRecord]) -> bytes:
    """A PDF whose catalogue's ``/BriefingFonts`` is the font resource dictionary WeasyPrint
    writes for ``fonts`` (its ``build_fonts_dictionary`` on stand-in ``Font`` objects, each
    ToUnicode map corrected by :func:`.text_layer.correct_to_unicode` first)."""
    import pydyf
    from weasyprint.pdf.fonts import Font, build_fonts_dictionary

    from .glyph_aliases import give_codes, write_aliases
    from .text_layer import correct_to_unicode

    stand_ins = {}
    for name, record in fonts.items():
        font = Font.__new__(Font)
        font.__dict__.update(record.attrs)
        font.file_content = record.file_content
        font.hb_face = _hb_face(record.file_content, record.attrs["index"] or 0)
        font.to_unicode = dict(record.to_unicode)
        font.widths = dict(record.widths)
        font.missing = {}
        if record.mirrored:
            font.briefing_mirrored_uses = record.mirrored
        correct_to_unicode(font)
        give_codes(font, record.aliases)
        stand_ins[name] = font
    pdf = pydyf.PDF()
    dictionary = build_fonts_dictionary(pdf, stand_ins, True, True,
                                        {"hinting": False, "pdf_version": None})
    write_aliases(pdf, stand_ins, dictionary, True)
    pdf.add_object(dictionary)
    pdf.catalog["BriefingFonts"] = dictionary.reference
    out = io.BytesIO()
    pdf.write(out, version=b"1.7", identifier=b"briefing", compress=True)
    return out.getvalue()


@functools.cache
def _declare_harfbuzz() -> None:
    """Declare the HarfBuzz functions WeasyPrint's bindings leave out (hb-blob.h, hb-face.h,
    hb-version.h; the memory mode enum as int, the destroy callback as a pointer)."""
    from weasyprint.text.ffi import ffi

    ffi.cdef("hb_blob_t * hb_blob_create (const char *data, unsigned int length, int mode, "
             "void *user_data, void *destroy); "
             "hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index); "
             "const char * hb_version_string (void);")


def _hb_face(data: bytes, index: int):
    """A HarfBuzz face of a font file's bytes (copied by HarfBuzz), for WeasyPrint's subsetter."""
    from weasyprint.text.ffi import ffi, harfbuzz

    _declare_harfbuzz()
    blob = harfbuzz.hb_blob_create(ffi.from_buffer(data), len(data), 0,  # 0: duplicate
                                   ffi.NULL, ffi.NULL)
    face = harfbuzz.hb_face_create(blob, index)
    harfbuzz.hb_blob_destroy(blob)
    return ffi.gc(face, harfbuzz.hb_face_destroy)


def join(units: list[Laid], out_path: Path, cache: Cache) -> None:
    """One PDF of the units' PDFs, at ``out_path`` (see the module for what is joined how)."""
    import pikepdf
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    fonts = merged_fonts(units)
    fonts_key = hashlib.sha256(pickle.dumps(
        sorted((name, r.file, sorted(r.attrs.items()), list(r.to_unicode.items()),
                sorted(r.widths.items()), sorted((g, sorted(u)) for g, u in r.mirrored.items()),
                sorted(r.aliases.items()))
               for name, r in fonts.items()))).hexdigest()
    fonts_data = cache.joined_fonts(fonts_key)
    if fonts_data is None:
        for record in fonts.values():
            if not record.file_content:
                record.file_content = cache.font_file(record.file)
        fonts_data = _fonts_pdf(fonts)
        cache.put_joined_fonts(fonts_key, fonts_data)

    pdf = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(unit.pdf)) for unit in units]
    with pikepdf.open(io.BytesIO(fonts_data)) as fonts_pdf:
        font_objects = pdf.copy_foreign(fonts_pdf.Root.BriefingFonts)
    page_of = {}  # (unit, objgen in the unit) -> page in the book
    for number, (unit, source) in enumerate(zip(units, sources)):
        for i in range(unit.pages):
            pdf.pages.append(source.pages[i])
            page_of[number, source.pages[i].objgen] = pdf.pages[-1].obj
    # every unit's font resource dictionary holds the book's fonts
    done = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        if resources is None or "/Font" not in resources:
            continue
        font_dict = resources.Font
        if font_dict.objgen in done and font_dict.is_indirect:
            continue
        done.add(font_dict.objgen)
        for name in list(font_dict.keys()):
            font_dict[name] = font_objects[name]

    # named destinations
    names = []
    for number, source in enumerate(sources):
        if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
            continue
        array = source.Root.Names.Dests.Names
        for i in range(0, len(array), 2):
            dest = array[i + 1]
            target = page_of.get((number, dest[0].objgen))
            if target is None:
                continue
            names.append((str(array[i]), [target, *list(dest)[1:]]))
    names.sort(key=lambda item: item[0])
    anchor_names = {name for name, _ in names}
    if names:
        pdf.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(
            [item for name, dest in names for item in (pikepdf.String(name), pikepdf.Array(dest))])))

    # internal links
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        kept = pikepdf.Array()
        for annot in annots:
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(SCHEME):
                target = unquote(uri[len(SCHEME):])
                if target not in anchor_names:
                    continue  # WeasyPrint drops a link to no anchor
                del annot["/A"]
                annot.Dest = pikepdf.String(target)
            kept.append(annot)
        if len(kept):
            page.obj.Annots = kept
        else:
            del page.obj["/Annots"]

    # the outline, as WeasyPrint makes it of all pages' bookmarks
    root, skipped, last_by_depth, previous = [], [], None, 0
    last_by_depth = [root]
    index = 0
    for unit in units:
        for bookmarks, height in zip(unit.bookmarks, unit.heights):
            page = type("Page", (), {"bookmarks": bookmarks})
            previous = make_page_bookmark_tree(page, skipped, last_by_depth, previous, index,
                                               Matrix(a=0.75, d=-0.75, f=height * 0.75))
            index += 1
    _add_outlines(pdf, root)

    # metadata of the front matter's document (the book's <head>)
    front = sources[0]
    if "/Info" in front.trailer:
        pdf.trailer.Info = pdf.copy_foreign(front.trailer.Info)
    if "/Lang" in front.Root:
        pdf.Root.Lang = front.Root.Lang
    pdf.save(out_path, deterministic_id=True, min_version=front.pdf_version,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in sources:
        source.close()


def _add_outlines(pdf, bookmarks) -> None:
    """WeasyPrint's ``add_outlines`` (weasyprint/pdf/anchors.py) in pikepdf: the outline items
    of ``bookmarks`` ((title, (page index, x, y), children, state) trees), counts as it counts."""
    import pikepdf

    def items(tree, parent):
        count, made = len(tree), []
        for title, (page, x, y), children, state in tree:
            item = pdf.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(title),
                Dest=pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0])))
            kids, kids_count = items(children, item)
            item.Count = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if made:
                item.Prev = made[-1]
                made[-1].Next = item
            if kids:
                item.First, item.Last = kids[0], kids[-1]
            if parent is not None:
                item.Parent = parent
            made.append(item)
        return made, count

    made, count = items(bookmarks, None)
    if made:
        outlines = pdf.make_indirect(pikepdf.Dictionary(Count=count, First=made[0],
                                                        Last=made[-1]))
        for item in made:
            item.Parent = outlines
        pdf.Root.Outlines = outlines
