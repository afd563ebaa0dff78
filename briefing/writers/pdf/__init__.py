"""The PDF writer: model → HTML → WeasyPrint (CSS paged media) → PDF.

In: a :class:`~briefing.model.Book` whose figures have images, and the ``styles/`` folder
(``book.css``, ``book.html``, ``fonts/``). Out: a PDF. Reads nothing but the model and the styles;
the only files WeasyPrint may open are under ``styles/`` and the chart images' folder.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import html
import logging
import mimetypes
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import jinja2
from markupsafe import Markup

from ... import model as m
from ...identity import load_identity
from .placed_charts import placeholder

esc = html.escape


# ---------------------------------------------------------------- inline runs


def inlines_to_html(content: tuple[m.Inline, ...], ctx: "Context") -> str:
    return "".join(_INLINE[type(run)](run, ctx) for run in content)


def _footnote_to_html(note: m.Footnote, ctx: "Context") -> str:
    """A footnote floats to the foot of its page (CSS ``float: footnote``) from where it is
    called, so it is written inside the calling paragraph: its blocks become ``span``s displayed as
    blocks and list items (a ``div`` or ``ol`` would close the paragraph). Call and marker print the
    model's marker (``data-marker``), in the calling part's digits."""
    separator = (f'<span class="footnote-separator">{esc(note.separator)}</span>'
                 if note.separator else "")
    if note.repeat:  # the same note called again: its number only, no second note
        return f'{separator}<span class="footnote-repeat">{esc(note.marker)}</span>'
    inner = dataclasses.replace(ctx, in_footnote=True)
    return separator + (f'<span class="footnote" data-marker="{esc(note.marker)}">'
            f"{blocks_to_html(note.blocks, inner)}</span>")


_INLINE: dict[type, Callable] = {
    m.Text: lambda run, ctx: esc(run.text),
    m.Strong: lambda run, ctx: f"<strong>{inlines_to_html(run.content, ctx)}</strong>",
    m.Emph: lambda run, ctx: f"<em>{inlines_to_html(run.content, ctx)}</em>",
    m.Code: lambda run, ctx: f"<code>{esc(run.text)}</code>",
    m.Link: lambda run, ctx: (f'<a class="link" href="{esc(run.url)}">'
                              f"{inlines_to_html(run.content, ctx)}</a>"),
    m.LineBreak: lambda run, ctx: "<br>",
    m.Footnote: _footnote_to_html,
    m.CrossRef: lambda run, ctx: f'<a class="xref" href="#{esc(run.target)}">{esc(run.label)}</a>',
}


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Context:
    """What a block inherits from where it stands (read-only): its part, and whether it is inside
    a footnote (where blocks are written as ``span`` elements)."""

    part: m.Part
    in_footnote: bool = False
    # the URL a figure's <img> shows: its placeholder, replaced by the chart after layout
    # (briefing.writers.pdf.placed_charts)
    chart_src: Callable[[m.Image], str] = placeholder

    def tag(self, name: str, attrs: str = "") -> tuple[str, str]:
        """Opening and closing tags of a block element; in a footnote, a ``span`` of that class."""
        if self.in_footnote:
            return f'<span class="fn-{name}"{attrs}>', "</span>"
        return f"<{name}{attrs}>", f"</{name}>"


def blocks_to_html(blocks: tuple[m.Block, ...], ctx: Context) -> str:
    return "\n".join(_BLOCK[type(block)](block, ctx) for block in blocks)


def heading_to_html(block: m.Heading, ctx: Context) -> str:
    text = inlines_to_html(block.content, ctx)
    number = f'<span class="number">{esc(block.prefix)}</span>' if block.number else ""
    # the bookmark is the heading without its note calls (styles/book.css: bookmark-label)
    label = block.prefix + m.plain_text(block.content)
    return (f'<h{block.level} id="{esc(block.id)}" data-bookmark="{esc(label)}">{number}{text}'
            f"</h{block.level}>")


def paragraph_to_html(block: m.Paragraph, ctx: Context) -> str:
    start, end = ctx.tag("p")
    return f"{start}{inlines_to_html(block.content, ctx)}{end}"


def list_to_html(block: m.ListBlock, ctx: Context) -> str:
    """``<ol>`` numbers from ``start`` through ``counter-reset`` (WeasyPrint ignores ``start``)."""
    li_start, li_end = ctx.tag("li")
    items = "".join(f"{li_start}{_item_to_html(item, ctx)}{li_end}" for item in block.items)
    if block.ordered:
        # WeasyPrint 70 ignores <ol start>: the list-item counter is set instead (CSS Lists 3)
        start, end = ctx.tag("ol", f' start="{block.start}" style="counter-reset: list-item '
                                   f'{block.start - 1}"' if block.start != 1 else "")
    else:
        start, end = ctx.tag("ul")
    return f"{start}{items}{end}"


def _item_to_html(item: tuple[m.Block, ...], ctx: Context) -> str:
    """A tight list item's single paragraph is written bare, as Markdown renderers do."""
    if len(item) == 1 and isinstance(item[0], m.Paragraph):
        return inlines_to_html(item[0].content, ctx)
    return blocks_to_html(item, ctx)


def table_to_html(block: m.Table, ctx: Context) -> str:
    def row(cells, tag):
        return "<tr>" + "".join(
            f'<{tag}{" class=num" if numeric else ""}>{inlines_to_html(cell, ctx)}</{tag}>'
            for cell, numeric in zip(cells, block.number_columns)) + "</tr>"

    caption = ""
    if block.label:
        caption = (f'<p class="caption"><span class="label">{esc(str(block.label))}:</span> '
                   f"{inlines_to_html(block.caption, ctx)}</p>")
    # smaller type and set column widths for a table that would not fit otherwise (table_fit)
    size = f' style="font-size: {block.type_scale:.0%}"' if block.type_scale < 1 else ""
    cols = ("<colgroup>" + "".join(f'<col style="width: {w:.2%}">' for w in block.column_widths)
            + "</colgroup>") if size and block.column_widths else ""
    head = f"<thead{size}>{row(block.header, 'th')}</thead>" if block.header else ""
    body = "".join(row(cells, "td") for cells in block.rows)
    ident = f' id="{esc(block.id)}"' if block.id else ""
    return (f'<div class="table-block"{ident}>{caption}<table>{cols}{head}<tbody{size}>{body}'
            f"</tbody></table>{_source_to_html(block.source, ctx)}</div>")


def figure_to_html(block: m.Figure, ctx: Context) -> str:
    if block.image is None:
        raise ValueError(f"figure '{block.id}' has no image: the charts stage must run first")
    return (f'<figure id="{esc(block.id)}">'
            f'<figcaption><span class="label">{esc(str(block.label))}:</span> '
            f"{inlines_to_html(block.caption, ctx)}</figcaption>"
            f'<img src="{ctx.chart_src(block.image)}" alt="{esc(block.alt)}" '
            f'style="width: {block.image.width_mm:.1f}mm">'
            f"{_source_to_html(block.source, ctx)}</figure>")


def _source_to_html(source: str, ctx: Context) -> str:
    if not source:
        return ""
    return f'<p class="source">{m.label("source", ctx.part.lang)} {esc(source)}</p>'


_BLOCK: dict[type, Callable] = {
    m.Heading: heading_to_html,
    m.Paragraph: paragraph_to_html,
    m.ListBlock: list_to_html,
    m.Quote: lambda block, ctx: "{1}{0}{2}".format(blocks_to_html(block.blocks, ctx),
                                                   *ctx.tag("blockquote")),
    m.Div: lambda block, ctx: "{1}{0}{2}".format(blocks_to_html(block.blocks, ctx),
                                                 *ctx.tag("div", f' class="{block.kind}"')),
    m.Table: table_to_html,
    m.Figure: figure_to_html,
}


# ---------------------------------------------------------------- the book


# CSS counter styles (CSS Counter Styles 3, §6 "Simple numeric") for the model's digits
COUNTER_STYLES = {"western": "decimal", "arabic-indic": "arabic-indic"}


def book_to_html(book: m.Book, styles_dir: Path,
                 chart_src: Callable[[m.Image], str] | None = None,
                 only: frozenset[str] | None = None) -> str:
    """The whole book as one HTML document, laid out by the template in ``styles/book.html``,
    which reads the model's page geometry, outline and digits. ``chart_src`` gives the URL of a
    figure's image (default: its placeholder); ``only``, the ids of the parts whose sections
    are written (default: all; the rest of the document, styles included, is the same
    whichever)."""
    parts, pages = [], {}
    book_page = (book.meta.dir, COUNTER_STYLES[book.meta.digits])
    for part in book.parts:
        ctx = Context(part, chart_src=chart_src) if chart_src else Context(part)
        page = (part.dir, COUNTER_STYLES[part.digits])
        # a part whose direction or page-number digits differ from the book's gets its own
        # named page (CSS Paged Media 3 §7.3): its page numbers in its digits, its footnote rule
        # at its lines' start; the others stay on the book's unnamed pages
        name = "" if page == book_page else "-".join(page)
        if name:
            pages[name] = page
        if only is not None and part.id not in only:
            continue
        parts.append({"part": part, "title": Markup(inlines_to_html(part.title, ctx)),
                      "body": Markup(blocks_to_html(part.blocks, ctx)),
                      "bookmark": m.plain_text(part.title),
                      "counter_style": page[1], "page": name})
    return _environment(styles_dir).get_template("book.html").render(
        meta=book.meta, page=book.page, parts=parts, outline=book.outline, bullets=m.BULLETS,
        counter_styles=COUNTER_STYLES, named_pages=sorted(pages.items()),
        identity=load_identity(styles_dir), contents=m.label("contents", book.meta.lang),
        counter_style=COUNTER_STYLES[book.meta.digits])


@functools.cache
def _environment(styles_dir: Path) -> jinja2.Environment:
    """The templates of ``styles_dir``, compiled once (jinja reloads a template whose file
    changed)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(styles_dir), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def confined_fetcher(roots: tuple[Path, ...]):
    """A WeasyPrint URL fetcher that opens local files under ``roots`` only: no network, no
    ``file://`` elsewhere, no symlink out; and serves the charts' placeholder PNGs, whose bytes are
    in their ``data:`` URLs. Made on demand: WeasyPrint is imported only when a PDF
    is written, so ``--check`` stays light."""
    return _fetcher_class()(roots)


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from .placed_charts import PNG_DATA_URL

    class ConfinedFetcher(URLFetcher):
        def __init__(self, roots: tuple[Path, ...]):
            super().__init__(allowed_protocols={"file"})
            self.roots = tuple(root.resolve() for root in roots)

        def fetch(self, url, headers=None):
            if url.startswith(PNG_DATA_URL):  # a chart's placeholder: its bytes are in the URL
                return URLFetcherResponse(url, body=base64.b64decode(url[len(PNG_DATA_URL):]),
                                          headers={"Content-Type": "image/png"})
            if not url.startswith("file:"):
                raise ValueError(f"refused to fetch {url}: the book may only use its own files")
            path = Path(URLFetcherResponse(url).path).resolve()  # resolves symlinks too
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"refused to fetch {path}: outside the edition's styles and charts")
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": media_type})

    return ConfinedFetcher


# For the printer: 3 mm of bleed around each page, and crop marks to trim it off; and an output
# intent saying the colours are sRGB (ISO 32000-1 §14.11.5), with the ICC's sRGB v2 profile that
# ships inside WeasyPrint (sRGB2014.icc, free to copy and embed), so that a print shop's
# pre-flight knows what the RGB values mean instead of guessing.
PRINT_CSS = "@page { bleed: 3mm; marks: crop; }"
PRINT_OUTPUT_INTENT = "srgb"
PDF_VARIANTS = ("pdf/a-3b", "pdf/ua-1")


def write_pdf(book: m.Book, out_path: Path, styles_dir: Path, image_dir: Path, *,
              bleed: bool = False, variant: str | None = None,
              charts_drawn: Callable[[], None] = lambda: None,
              parts_cache: Path | None = None, workers: int = 1) -> None:
    """Lay out and write the book; ``bleed`` adds bleed, crop marks and an sRGB output intent,
    ``variant`` PDF/A or UA. The charts are laid out as placeholders and placed afterwards as
    vector drawings cached in ``image_dir`` (:mod:`.placed_charts`); ``charts_drawn`` is called
    between the two and returns once they are all there (the build draws them meanwhile). With
    ``parts_cache`` (a folder), the book without bleed or variant is laid out part by part,
    reusing the parts laid out before (:mod:`.parts`; written by ``workers`` processes), unless
    the parts cannot be joined into the same PDF. Raises ``ValueError`` when an image or
    stylesheet cannot be loaded, or a chart's PDF is missing or outside ``image_dir``."""
    from weasyprint import CSS, HTML

    if parts_cache is not None and not bleed and variant is None:
        from .parts import NotJoinable, write_pdf_parts

        try:
            return write_pdf_parts(book, out_path, styles_dir, image_dir, parts_cache,
                                   charts_drawn, workers)
        except NotJoinable as reason:
            logging.getLogger(__name__).info("the book is laid out whole: %s", reason)

    from .leaders import merged_leaders
    from .placed_charts import chart_pdfs
    from .tagging import tagging
    from .text_layer import faithful_text_layer

    fetcher = confined_fetcher((styles_dir,))  # the charts are placed, not fetched
    images = list(dict.fromkeys(node.image for _, node in m.walk_with_part(book)
                                if isinstance(node, m.Figure) and node.image is not None))
    with refusing_failed_loads():
        with faithful_text_layer(), merged_leaders(), tagging():
            html = book_to_html(book, styles_dir, placeholder)
            document = HTML(string=html, base_url=str(styles_dir.resolve()) + "/",
                            url_fetcher=fetcher)
            extra = [CSS(string=PRINT_CSS, url_fetcher=fetcher)] if bleed else []
            document.write_pdf(out_path, stylesheets=extra, pdf_identifier=b"briefing",
                               pdf_variant=variant, uncompressed_pdf=False,
                               output_intent=PRINT_OUTPUT_INTENT if bleed else None)
    charts_drawn()
    finish_pdf(out_path, chart_pdfs(images, image_dir))


def finish_pdf(path: Path, charts: dict[bytes, Path]) -> None:
    """What both layouts (whole, :func:`write_pdf`; by parts, :mod:`.parts`) do to the PDF
    written at ``path``, in one pass (rewritten in place): each chart placed in its box
    (:func:`.placed_charts.place_charts`, ``charts`` by key), then the words mended for readers
    (:func:`.word_gaps.close_word_gaps`: it must see every page as it will be)."""
    import pikepdf

    from .placed_charts import place_charts
    from .word_gaps import close_word_gaps

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        place_charts(pdf, charts)
        close_word_gaps(pdf)
        pdf.save(path, deterministic_id=True)


@contextmanager
def refusing_failed_loads() -> Iterator[None]:
    """WeasyPrint's load failures in the block (:func:`_failed_loads`) raised at its end as one
    ``ValueError``."""
    with _failed_loads() as failures:
        yield
    if failures:
        raise ValueError("the PDF would lack what WeasyPrint could not load: "
                         + "; ".join(failures))


@contextmanager
def _failed_loads() -> Iterator[list[str]]:
    """WeasyPrint only logs an image or stylesheet it could not load and goes on without it;
    collect those messages, so that a book with a silent gap is never written."""
    failures: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message.startswith(("Failed to load", "Failed to import")):
                failures.append(message.splitlines()[0])

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield failures
    finally:
        logger.removeHandler(handler)
