"""The build, as numbered steps: load → draw charts → write PDF → write DOCX.

Outputs are written to a temporary file beside their target and moved into place only when
complete, so a failed or interrupted build leaves the previous PDF and DOCX untouched.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from . import model as m
from .charts import load_chart_style, render_chart
from .fonts import check_fonts
from .loading import MANIFEST, Edition, load_edition

ROOT = Path(__file__).resolve().parent.parent
STYLES = ROOT / "styles"
DEFAULT_EDITION = ROOT / "sources" / "gcc-central-asia-2023"
FORMATS = ("pdf", "docx")

Progress = Callable[[str], None]


def check(edition_dir: Path, styles_dir: Path = STYLES) -> Edition:
    """Load and validate an edition, including that its fonts can print every character."""
    edition = load_edition(edition_dir)
    check_fonts(edition.book, styles_dir / "fonts", str(edition.root / MANIFEST))
    return edition


def draw_figures(edition: Edition, cache_dir: Path, styles_dir: Path = STYLES) -> m.Book:
    """The book with every figure's image drawn (or reused from the cache when unchanged)."""
    style = load_chart_style(styles_dir / "chart.yaml")
    cache_dir.mkdir(parents=True, exist_ok=True)
    digits = edition.book.meta.digits

    def with_images(blocks, lang):
        out = []
        for block in blocks:
            if isinstance(block, m.Figure):
                spec = edition.charts[block.id]
                images = render_chart(spec, edition.data, style, cache_dir, lang=lang,
                                      digits=digits)
                block = dataclasses.replace(block, image=m.Image(
                    images.svg, images.png, images.width_mm, images.height_mm))
            elif isinstance(block, (m.Quote, m.Div)):
                block = dataclasses.replace(block, blocks=with_images(block.blocks, lang))
            out.append(block)
        return tuple(out)

    parts = tuple(dataclasses.replace(part, blocks=with_images(part.blocks, part.lang))
                  for part in edition.book.parts)
    return dataclasses.replace(edition.book, parts=parts)


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A temporary path that replaces ``target`` only if the block finishes without error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's private mode is not what a user expects
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def build(edition_dir: Path, out_dir: Path, formats: tuple[str, ...] = FORMATS,
          progress: Progress = lambda message: None, styles_dir: Path = STYLES,
          bleed: bool = False, pdf_variant: str | None = None) -> list[Path]:
    """Build the edition's outputs; returns the files written."""
    steps = 2 + len(formats)
    name = edition_dir.resolve().name
    progress(f"[1/{steps}] Loading and checking {edition_dir}")
    edition = check(edition_dir, styles_dir)
    cache_dir = out_dir / ".cache" / "charts"
    progress(f"[2/{steps}] Drawing {len(edition.charts)} figures")
    book = draw_figures(edition, cache_dir, styles_dir)
    written = []
    for step, fmt in enumerate(formats, start=3):
        target = out_dir / f"{name}.{fmt}"
        progress(f"[{step}/{steps}] Writing {target}")
        with atomic_output(target) as tmp:
            if fmt == "pdf":
                from .pdf import write_pdf
                write_pdf(book, tmp, styles_dir, cache_dir, bleed=bleed, variant=pdf_variant)
            else:
                from .docx import write_docx
                write_docx(book, tmp, styles_dir)
        written.append(target)
    return written
