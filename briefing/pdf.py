"""The PDF writer: model → HTML → WeasyPrint (CSS paged media) → PDF.

In: a :class:`~briefing.model.Book` whose figures have images, and the ``styles/`` folder
(``book.css``, ``book.html``, ``fonts/``). Out: a PDF. Reads nothing but the model and the styles;
the only files WeasyPrint may open are under ``styles/`` and the chart images' folder.
"""

from __future__ import annotations

import functools
import html
import logging
import mimetypes
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import jinja2
from markupsafe import Markup

from . import model as m
from .numbers import format_month, localize_digits, part_digits

esc = html.escape


# ---------------------------------------------------------------- inline runs


def inlines_to_html(content: tuple[m.Inline, ...], ctx: "Context") -> str:
    return "".join(_INLINE[type(run)](run, ctx) for run in content)


def _note_to_html(note: m.Note, ctx: "Context") -> str:
    body = " ".join(inlines_to_html(b.content, ctx) for b in note.blocks
                    if isinstance(b, m.Paragraph))
    return f'<span class="footnote">{body}</span>'


_INLINE: dict[type, Callable] = {
    m.Text: lambda run, ctx: esc(run.text),
    m.Strong: lambda run, ctx: f"<strong>{inlines_to_html(run.content, ctx)}</strong>",
    m.Emph: lambda run, ctx: f"<em>{inlines_to_html(run.content, ctx)}</em>",
    m.Code: lambda run, ctx: f"<code>{esc(run.text)}</code>",
    m.Link: lambda run, ctx: (f'<a class="link" href="{esc(run.url)}">'
                              f"{inlines_to_html(run.content, ctx)}</a>"),
    m.LineBreak: lambda run, ctx: "<br>",
    m.Note: _note_to_html,
    m.CrossRef: lambda run, ctx: f'<a class="xref" href="#{esc(run.target)}">{esc(run.label)}</a>',
}


# ---------------------------------------------------------------- blocks


@dataclass
class Context:
    """What a block needs to know about where it stands; ``toc`` accumulates headings."""

    part: m.Part
    digits: str
    toc: list = field(default_factory=list)
    heading_count: int = 0


def blocks_to_html(blocks: tuple[m.Block, ...], ctx: Context) -> str:
    return "\n".join(_BLOCK[type(block)](block, ctx) for block in blocks)


def heading_to_html(block: m.Heading, ctx: Context) -> str:
    ctx.heading_count += 1
    ident = block.id or f"{ctx.part.id}-s{ctx.heading_count}"
    text = inlines_to_html(block.content, ctx)
    number = f'<span class="number">{esc(block.prefix)}</span>' if block.number else ""
    ctx.toc.append((block.level, ident, block.prefix + m.plain_text(block.content)))
    return f'<h{block.level} id="{esc(ident)}">{number}{text}</h{block.level}>'


def list_to_html(block: m.ListBlock, ctx: Context) -> str:
    items = "".join(f"<li>{_item_to_html(item, ctx)}</li>" for item in block.items)
    if block.ordered:
        start = f' start="{block.start}"' if block.start != 1 else ""
        return f"<ol{start}>{items}</ol>"
    return f"<ul>{items}</ul>"


def _item_to_html(item: tuple[m.Block, ...], ctx: Context) -> str:
    """A tight list item's single paragraph is written bare, as Markdown renderers do."""
    if len(item) == 1 and isinstance(item[0], m.Paragraph):
        return inlines_to_html(item[0].content, ctx)
    return blocks_to_html(item, ctx)


def table_to_html(block: m.Table, ctx: Context) -> str:
    def row(cells, tag):
        return "<tr>" + "".join(
            f'<{tag}{" class=num" if numeric else ""}>{inlines_to_html(cell, ctx)}</{tag}>'
            for cell, numeric in zip(cells, block.numeric)) + "</tr>"

    caption = ""
    if block.number is not None:
        word = m.label("table", ctx.part.lang)
        number = localize_digits(str(block.number), ctx.digits)
        caption = (f'<p class="caption"><span class="label">{word} {number}:</span> '
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
    word = m.label(block.counter, ctx.part.lang)
    number = localize_digits(str(block.number), ctx.digits)
    return (f'<figure id="{esc(block.id)}">'
            f'<figcaption><span class="label">{word} {number}:</span> '
            f"{inlines_to_html(block.caption, ctx)}</figcaption>"
            f'<img src="{block.image.svg.resolve().as_uri()}" alt="{esc(block.alt)}" '
            f'style="width: {block.image.width_mm:.1f}mm">'
            f"{_source_to_html(block.source, ctx)}</figure>")


def _source_to_html(source: str, ctx: Context) -> str:
    if not source:
        return ""
    return f'<p class="source">{m.label("source", ctx.part.lang)} {esc(source)}</p>'


_BLOCK: dict[type, Callable] = {
    m.Heading: heading_to_html,
    m.Paragraph: lambda block, ctx: f"<p>{inlines_to_html(block.content, ctx)}</p>",
    m.ListBlock: list_to_html,
    m.Quote: lambda block, ctx: f"<blockquote>{blocks_to_html(block.blocks, ctx)}</blockquote>",
    m.Div: lambda block, ctx: (f'<div class="{block.kind}">'
                               f"{blocks_to_html(block.blocks, ctx)}</div>"),
    m.Table: table_to_html,
    m.Figure: figure_to_html,
}


# ---------------------------------------------------------------- the book


def book_to_html(book: m.Book, styles_dir: Path) -> str:
    """The whole book as one HTML document, laid out by the template in ``styles/book.html``."""
    parts, toc = [], []
    for part in book.parts:
        ctx = Context(part, part_digits(book.meta.digits, part.lang))
        title = inlines_to_html(part.title, ctx)
        toc.append((1, part.id, m.plain_text(part.title)))
        body = blocks_to_html(part.blocks, ctx)
        toc.extend(ctx.toc)
        parts.append({"part": part, "title": Markup(title), "body": Markup(body)})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(styles_dir), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("book.html").render(
        meta=book.meta, parts=parts, toc=toc, contents=m.label("contents", book.meta.lang),
        date=format_month(book.meta.date, book.meta.lang, book.meta.digits),
        counter_style="arabic-indic" if book.meta.digits == "arabic-indic" else "decimal")


def confined_fetcher(roots: tuple[Path, ...]):
    """A WeasyPrint URL fetcher that opens local files under ``roots`` only: no network, no
    ``file://`` elsewhere, no symlink out. Made on demand: WeasyPrint is imported only when a PDF
    is written, so ``--check`` stays light."""
    return _fetcher_class()(roots)


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ConfinedFetcher(URLFetcher):
        def __init__(self, roots: tuple[Path, ...]):
            super().__init__(allowed_protocols={"file"})
            self.roots = tuple(root.resolve() for root in roots)

        def fetch(self, url, headers=None):
            if not url.startswith("file:"):
                raise ValueError(f"refused to fetch {url}: the book may only use its own files")
            path = Path(URLFetcherResponse(url).path).resolve()  # resolves symlinks too
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"refused to fetch {path}: outside the edition's styles and charts")
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": media_type})

    return ConfinedFetcher


# For the printer: 3 mm of bleed around each page, and crop marks to trim it off.
PRINT_CSS = "@page { bleed: 3mm; marks: crop; }"
PDF_VARIANTS = ("pdf/a-3b", "pdf/ua-1")


def write_pdf(book: m.Book, out_path: Path, styles_dir: Path, image_dir: Path, *,
              bleed: bool = False, variant: str | None = None) -> None:
    """Lay out and write the book; ``bleed`` adds bleed and crop marks, ``variant`` PDF/A or UA."""
    from weasyprint import CSS, HTML

    fetcher = confined_fetcher((styles_dir, image_dir))
    with _failed_loads() as failures:
        document = HTML(string=book_to_html(book, styles_dir),
                        base_url=str(styles_dir.resolve()) + "/", url_fetcher=fetcher)
        extra = [CSS(string=PRINT_CSS, url_fetcher=fetcher)] if bleed else []
        document.write_pdf(out_path, stylesheets=extra, pdf_identifier=b"briefing",
                           pdf_variant=variant, uncompressed_pdf=False)
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
