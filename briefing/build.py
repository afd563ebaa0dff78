"""The build, as numbered steps: load → draw charts → write PDF → write DOCX.

Outputs are written to a temporary file beside their target and moved into place only when
complete, so a failed or interrupted build leaves the previous PDF and DOCX untouched.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import glob
import multiprocessing
import os
import signal
import sys
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from . import model as m
from .charts.checks import check_chart
from .charts.render import (ChartStyle, NativeChart, chart_data, load_chart_style,
                            planned_images, render_chart)
from .errors import SourceError
from .fonts import check_fonts
from .processes import (can_fork, cores, end_with_parent, ended, interruptions_held,
                        release_interruptions, start_worker)
from .sources.loading import MANIFEST, Edition, load_edition

ROOT = Path(__file__).resolve().parent.parent
STYLES = ROOT / "styles"
# the edition built when none is named: the folder written in sources/default-edition.txt, which
# editors change (a text file, not code) when next year's edition becomes the current booklet
DEFAULT_EDITION = ROOT / "sources" / (ROOT / "sources" / "default-edition.txt").read_text(
    encoding="utf-8").strip()
FORMATS = ("pdf", "docx")
WORD_CHARTS = ("native", "picture")  # how the Word book shows charts (the map is a picture)

Progress = Callable[[str], None]


def check(edition_dir: Path, styles_dir: Path = STYLES) -> Edition:
    """Load and validate an edition: its fonts can print every character, and every chart finds
    the data it shows and can draw its labels (without drawing it, so ``--check`` stays quick:
    :func:`briefing.charts.checks.check_chart`)."""
    edition = load_edition(edition_dir, styles_dir=styles_dir)
    check_fonts(edition.book, styles_dir / "fonts", str(edition.root / MANIFEST))
    style = load_chart_style(styles_dir / "chart.yaml")
    for ident, lang in figure_jobs(edition):
        check_chart(edition.charts[ident], edition.data, style, lang, edition.book.meta.digits)
    return edition


def figure_jobs(edition: Edition) -> list[tuple[str, str]]:
    """Every chart the book shows, as (figure id, language of its part), in reading order, at any
    depth (in a list item, a quote, a box)."""
    return list(dict.fromkeys((node.id, part.lang) for part, node in m.walk_with_part(edition.book)
                              if isinstance(node, m.Figure)))


@dataclasses.dataclass
class DrawStats:
    """What the charts stage did: figures drawn now, and figures reused from the cache."""

    drawn: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    reused: list[tuple[str, str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class ChartPlan:
    """The charts a book shows, before drawing: ``missing``, those to draw now ((figure id,
    language), whether Word needs its PNG), and ``reused``, those the cache holds already."""

    style: ChartStyle
    cache_dir: Path
    missing: tuple[tuple[tuple[str, str], bool], ...]
    reused: tuple[tuple[str, str], ...]


def plan_figures(edition: Edition, cache_dir: Path, styles_dir: Path = STYLES, *,
                 word_charts: str = "native") -> tuple[m.Book, ChartPlan]:
    """The book with every figure's image named, and what is left to draw, without drawing.

    Each chart's files are named by a hash of all that decides how it looks (specification, the
    data it shows, chart style, fonts, matplotlib, the drawing code), so only charts whose inputs
    changed are drawn (:func:`draw_charts`); the book is complete but for those files, which the
    PDF's layout does not need (it lays a placeholder of the chart's size out in its place). With
    ``word_charts`` "native", each chart but the map also carries its kind and data
    (``Image.native``), from which the Word writer builds a native chart."""
    style = load_chart_style(styles_dir / "chart.yaml")
    cache_dir.mkdir(parents=True, exist_ok=True)
    digits = edition.book.meta.digits
    jobs = figure_jobs(edition)
    raster = {job: _raster(edition.charts[job[0]].chart, word_charts) for job in jobs}
    plans = {job: planned_images(edition.charts[job[0]], edition.data, style, cache_dir,
                                 lang=job[1], digits=digits, raster=raster[job]) for job in jobs}
    images = {job: plans[job][0] for job in jobs}
    native = {}
    if word_charts == "native":
        native = {job: NativeChart(spec.chart, spec.value_labels,
                                   chart_data(spec, edition.data, style, job[1]))
                  for job in jobs if (spec := edition.charts[job[0]]).chart != "map"}

    def with_image(part: m.Part):
        def drawn(node):
            if isinstance(node, m.Figure):
                image = images[(node.id, part.lang)]
                return dataclasses.replace(node, image=m.Image(
                    image.pdf, image.png, image.width_mm, image.height_mm,
                    native.get((node.id, part.lang))))
            return node
        return drawn

    parts = tuple(m.transform(part, with_image(part)) for part in edition.book.parts)
    plan = ChartPlan(style, cache_dir,
                     tuple((job, raster[job]) for job in jobs if not plans[job][1]),
                     tuple(job for job in jobs if plans[job][1]))
    return dataclasses.replace(edition.book, parts=parts), plan


def draw_figures(edition: Edition, cache_dir: Path, styles_dir: Path = STYLES, *,
                 workers: int | None = None, stats: DrawStats | None = None,
                 planned: Callable[[int, int], None] | None = None,
                 word_charts: str = "native") -> m.Book:
    """The book with every figure's image drawn (or reused from the cache when unchanged):
    :func:`plan_figures`, then :func:`draw_charts` in ``workers`` processes (default: one per
    core). ``planned`` is told, before any drawing, how many charts are to be drawn and how many
    are reused."""
    book, plan = plan_figures(edition, cache_dir, styles_dir, word_charts=word_charts)
    if stats is not None:
        stats.drawn.extend(job for job, _ in plan.missing)
        stats.reused.extend(plan.reused)
    if planned:
        planned(len(plan.missing), len(plan.reused))
    draw_charts(edition, plan, workers or cores())
    return book


def _raster(kind: str, word_charts: str) -> bool:
    """Whether a chart needs its PNG: only where the Word book shows it as a picture (the map
    always; every chart with ``word_charts`` "picture")."""
    return word_charts == "picture" or kind == "map"


# the charts stage's inputs, handed to worker processes by fork (they hold mapping proxies, which
# do not pickle); only (figure id, language) goes through the pool's queue
_WORK: tuple | None = None


def _set_work(*work) -> None:
    global _WORK
    _WORK = work


def _start_worker(parent: int, *work) -> None:
    """A chart worker (:func:`briefing.processes.start_worker`) with the charts' inputs."""
    start_worker(parent)
    _set_work(*work)


def _draw_one(task: tuple[tuple[str, str], bool]) -> tuple | None:
    """Draw one chart ((figure id, language), whether it needs its PNG); a SourceError comes
    back as its parts (its pickled form loses them)."""
    edition, plan = _WORK
    job, raster = task
    try:
        render_chart(edition.charts[job[0]], edition.data, plan.style, plan.cache_dir,
                     lang=job[1], digits=edition.book.meta.digits, raster=raster)
    except SourceError as exc:
        return (exc.message, exc.file, exc.line, exc.key)
    return None


def draw_charts(edition: Edition, plan: ChartPlan, workers: int) -> None:
    """Draw the charts ``plan`` names as missing, side by side in ``workers`` processes (here,
    one after another, with one). Raises the SourceError of the first bad chart in reading
    order, as drawing them one after another would."""
    jobs = list(plan.missing)
    workers = min(workers, len(jobs))
    if workers <= 1 or not can_fork():
        _set_work(edition, plan)
        try:
            results = [_draw_one(job) for job in jobs]
        finally:
            _set_work(None, None)
    else:
        pool = None
        try:
            with interruptions_held():
                pool = multiprocessing.get_context("fork").Pool(
                    workers, initializer=_start_worker, initargs=(os.getpid(), edition, plan))
            results = pool.map(_draw_one, jobs, chunksize=1)
        except BaseException:  # interrupted: end every worker now, not after its chart
            if pool is not None:
                pool.terminate()
            raise
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    for error in results:  # the first bad chart in reading order, as a serial build reports it
        if error is not None:
            raise SourceError(*error)


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A temporary path that replaces ``target`` only if the block finishes without error.

    The temporary file is ``.<name>.<pid>.<random>.part``: a build killed outright (SIGKILL, power
    cut) cannot remove it, so the next build removes those whose process is gone."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part",
                               dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's private mode is not what a user expects
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def remove_stale_parts(target: Path) -> list[Path]:
    """Delete the temporary files that builds killed while writing ``target`` left behind (not
    those of a build still running, e.g. in another terminal); returns what was removed."""
    removed = []
    for part in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        pid = part.name[len(target.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and _running(int(pid)):
            continue
        try:
            part.unlink()
            removed.append(part)
        except FileNotFoundError:
            pass
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def build(edition_dir: Path, out_dir: Path, formats: tuple[str, ...] = FORMATS,
          progress: Progress = lambda message: None, styles_dir: Path = STYLES,
          bleed: bool = False, pdf_variant: str | None = None,
          workers: int | None = None, word_page_numbers: bool = False,
          word_charts: str = "native") -> list[Path]:
    """Build the edition's outputs; returns the files written.

    With more than one core, the work is split between two processes: a forked one loads and
    checks the sources, hands the model over as soon as its charts are planned (named, not
    drawn), draws the charts that changed (in a pool of processes when the cores allow), then
    writes the Word document; meanwhile this one imports WeasyPrint, lays the PDF out with a
    placeholder in each chart's place, writes its parts (with a second, forked process when the
    whole book is laid out: :func:`briefing.writers.pdf.parts.write_units`) and, once the
    charts are drawn, places them. The outputs
    replace their targets only when all are complete: if anything fails (a bad chart, found
    while the PDF is laid out, too), no target changes. ``word_page_numbers`` caches the
    contents' page numbers in the Word document, where LibreOffice is installed to paginate it.
    ``word_charts`` (:data:`WORD_CHARTS`): Word's charts native, with their data, or pictures."""
    workers = workers or cores()
    steps = 2 + len(formats)
    name = edition_dir.resolve().name
    cache_dir = out_dir / ".cache" / "charts"
    targets = [out_dir / f"{name}.{fmt}" for fmt in formats]
    with contextlib.ExitStack() as stack:
        stack.enter_context(_fewer_collections())
        tmps = dict(zip(formats, (stack.enter_context(atomic_output(t)) for t in targets)))
        if workers > 1 and can_fork():
            # the PDF's layout takes one core while the charts are drawn on the others
            chart_workers = workers - 1 if "pdf" in formats else workers
            preparer = stack.enter_context(_Preparer(
                edition_dir, cache_dir, styles_dir, chart_workers, steps, tmps.get("docx"),
                word_page_numbers, word_charts))
            if "pdf" in formats:
                import weasyprint  # noqa: F401  the long import, while the other process loads
            book = preparer.book(progress)
            charts_drawn = preparer.charts_drawn
        else:
            edition, book, plan = _prepare(edition_dir, cache_dir, styles_dir, steps, progress,
                                           word_charts)
            draw_charts(edition, plan, workers)
            preparer, charts_drawn = None, lambda: None
        for step, target in enumerate(targets, start=3):
            progress(f"[{step}/{steps}] Writing {target}")
        if "pdf" in formats:
            from .writers.pdf import write_pdf
            write_pdf(book, tmps["pdf"], styles_dir, cache_dir, bleed=bleed, variant=pdf_variant,
                      charts_drawn=charts_drawn, parts_cache=out_dir / ".cache" / "pdf",
                      workers=workers)
        if preparer is not None:
            preparer.finish()
        elif "docx" in formats:
            write_word(book, tmps["docx"], styles_dir, word_page_numbers)
    return targets


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector run less often while the block runs (here and in the
    processes it forks): the objects there are so far (modules, the loaded styles) moved out of
    its sight (``gc.freeze``), and a collection of the youngest objects every 50,000
    allocations rather than 700. WeasyPrint's layout makes and keeps millions of objects, which
    each collection walked again: about a tenth of the layout's and drawing's time. The
    garbage waiting between collections is a few megabytes."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def write_word(book: m.Book, path: Path, styles_dir: Path, page_numbers: bool) -> None:
    """The Word document; with ``page_numbers``, written again with its contents' page numbers
    as LibreOffice paginates it (left for Word to fill when LibreOffice is missing or unsure)."""
    from .writers.docx import write_docx
    from .writers.docx.pagination import contents_pages

    write_docx(book, path, styles_dir)
    pages = contents_pages(path, styles_dir / "fonts") if page_numbers else None
    if pages:
        write_docx(book, path, styles_dir, pages)


def _prepare(edition_dir: Path, cache_dir: Path, styles_dir: Path, steps: int,
             progress: Progress, word_charts: str = "native") -> tuple[Edition, m.Book, ChartPlan]:
    """Steps 1 and 2 up to the drawing: the checked edition, its book with every figure's image
    named, and the charts left to draw (:func:`plan_figures`)."""
    progress(f"[1/{steps}] Loading and checking {edition_dir}")
    edition = check(edition_dir, styles_dir)
    book, plan = plan_figures(edition, cache_dir, styles_dir, word_charts=word_charts)
    progress(f"[2/{steps}] Drawing {len(edition.charts)} figures"
             + (f" ({len(plan.missing)} changed, {len(plan.reused)} unchanged from the cache)"
                if plan.reused else ""))
    return edition, book, plan


class _Preparer:
    """Steps 1-2, then the Word document (if ``docx_tmp`` is given), in a forked process that
    reports through a pipe: ``("progress", line)``; ``("book", model)`` once the charts are
    planned; ``("drawn",)`` once they are drawn; then ``("done",)``; or ``("error", message,
    file, line, key)`` for a SourceError (whose pickled form would lose its parts),
    ``("oserror", errno, strerror, filename, trace)``, ``("crash", trace)``.
    Leaving the ``with`` block early (an error here) stops the process."""

    def __init__(self, edition_dir: Path, cache_dir: Path, styles_dir: Path, workers: int,
                 steps: int, docx_tmp: Path, word_page_numbers: bool, word_charts: str):
        self.args = (edition_dir, cache_dir, styles_dir, workers, steps, docx_tmp,
                     word_page_numbers, word_charts)

    def __enter__(self) -> "_Preparer":
        ctx = multiprocessing.get_context("fork")
        self.reader, writer = ctx.Pipe(duplex=False)
        # not a daemon: it starts the pool of chart workers
        self.process = ctx.Process(target=_preparer_main,
                                   args=(*self.args, writer, os.getpid()))
        try:
            with interruptions_held():
                self.process.start()
                _own_group(self.process.pid)  # here and in the child: whichever runs first
        except BaseException:  # interrupted as it started: end it now
            if self.process.pid is None:
                self.reader.close()
            else:
                self.__exit__(*sys.exc_info())
            raise
        finally:
            writer.close()
        return self

    def _receive(self, progress: Progress = lambda message: None):
        while True:
            try:
                message = self.reader.recv()
            except EOFError:
                self.process.join()
                raise ended(self.process, "the process loading the sources and writing the Word "
                                          "document") from None
            if message[0] == "progress":
                progress(message[1])
            elif message[0] == "error":
                raise SourceError(*message[1:])
            elif message[0] == "oserror":
                raise OSError(*message[1:4]) from RuntimeError(message[4])
            elif message[0] == "crash":
                raise RuntimeError(f"in the process loading the sources and writing the Word "
                                   f"document:\n{message[1]}")
            else:
                return message

    def _expect(self, kind: str, progress: Progress = lambda message: None) -> tuple:
        while (message := self._receive(progress))[0] != kind:
            pass  # a report the build did not wait for ("drawn" when no PDF is written)
        return message

    def book(self, progress: Progress) -> m.Book:
        """The model, its charts named but not drawn yet (:func:`plan_figures`)."""
        return self._expect("book", progress)[1]

    def charts_drawn(self) -> None:
        """Returns once every chart is drawn; raises the SourceError of a bad chart."""
        self._expect("drawn")

    def finish(self) -> None:
        self._expect("done")
        self.process.join()

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:  # an error or an interruption: end it and its chart workers now
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:  # its group is gone already
                self.process.kill()
        self.process.join()
        self.reader.close()


def _own_group(pid: int) -> None:
    """Put the preparer ``pid`` in a process group of its own, which its chart workers join:
    Ctrl-C reaches only the build's main process, which then ends the whole group at once."""
    try:
        os.setpgid(pid, pid)
    except OSError:  # already done by the other side, or the process has ended
        pass


def _preparer_main(edition_dir, cache_dir, styles_dir, workers, steps, docx_tmp,
                   word_page_numbers, word_charts, writer, parent: int) -> None:
    _own_group(os.getpid())
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler: end at once
    release_interruptions()
    end_with_parent(parent)
    try:
        edition, book, plan = _prepare(edition_dir, cache_dir, styles_dir, steps,
                                       lambda line: writer.send(("progress", line)), word_charts)
        writer.send(("book", book))
        draw_charts(edition, plan, workers)
        writer.send(("drawn",))
        if docx_tmp is not None:
            write_word(book, docx_tmp, styles_dir, word_page_numbers)
            if os.getppid() != parent:
                # the build was killed while this process wrote the Word document: the next
                # build may already have cleared the killed one's temporary files, so remove ours
                Path(docx_tmp).unlink(missing_ok=True)
                return
        writer.send(("done",))
    except SourceError as exc:
        writer.send(("error", exc.message, exc.file, exc.line, exc.key))
    except OSError as exc:  # e.g. a full disk: the CLI tells the user, with the path
        writer.send(("oserror", exc.errno, exc.strerror, exc.filename, traceback.format_exc()))
    except KeyboardInterrupt:
        writer.send(("crash", "interrupted"))
    except BaseException:
        writer.send(("crash", traceback.format_exc()))
    finally:
        writer.close()
