"""The established pipeline, on the same content, for the benchmark to compare against.

What a team would do without this tool: the edition as one Pandoc Markdown file; each chart drawn
by a plain matplotlib script (SVG for the PDF, 300 dpi PNG for Word, the same sizes and fonts);
Pandoc converting the Markdown to HTML and WeasyPrint laying that out as the PDF; Pandoc
converting the Markdown to DOCX. One step after another, nothing cached, as a Makefile would run it.

The Markdown is rendered from the loaded model (:mod:`briefing.model`), so both pipelines print
the same words, tables and charts; numbering and cross-references come out as plain text/links.

    python benchmarks/pandoc_baseline.py WORK_DIR [--edition sources/NAME] [--prepare | --run]

``--prepare`` writes the inputs (Markdown, chart data as JSON, stylesheet) into WORK_DIR; ``--run``
runs the pipeline on them and prints its stage times as JSON (what the benchmark times: a run
imports nothing from briefing's pipeline); with neither, both.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing import model as m  # noqa: E402
from briefing.build import DEFAULT_EDITION, STYLES  # noqa: E402
from briefing.charts.render import chart_data, load_chart_style, map_file  # noqa: E402
from briefing.sources.loading import load_edition  # noqa: E402

# NB a --run imports briefing.model/build/charts/loading above (light: no matplotlib, WeasyPrint or
# python-docx); it uses only STYLES from them.

# ---------------------------------------------------------------- Markdown


def _inlines(content, notes: list | None = None) -> str:
    out = []
    for run in content:
        if isinstance(run, m.Text):
            out.append(_escape(run.text))
        elif isinstance(run, m.Strong):
            out.append(f"**{_inlines(run.content)}**")
        elif isinstance(run, m.Emph):
            out.append(f"*{_inlines(run.content)}*")
        elif isinstance(run, m.Code):
            out.append(f"`{run.text}`")
        elif isinstance(run, m.Link):
            out.append(f"[{_inlines(run.content)}]({run.url})")
        elif isinstance(run, m.LineBreak):
            out.append("\\\n")
        elif isinstance(run, m.Footnote):
            if run.repeat:  # the same note called again: no second note
                continue
            body = " ".join(_inlines(b.content) for b in run.blocks if isinstance(b, m.Paragraph))
            out.append(f"^[{body}]")
        elif isinstance(run, m.CrossRef):
            out.append(f"[{_escape(run.label)}](#{run.target})")
    return "".join(out)


def _escape(text: str) -> str:
    for char in "\\*_`[]<>#|^~$":
        text = text.replace(char, "\\" + char)
    return text


def _blocks(blocks, lang: str, image: str) -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block, m.Heading):
            prefix = f"{block.prefix}" if block.number else ""
            out.append(f"{'#' * (block.level + 1)} {prefix}{_inlines(block.content)}"
                       + (f" {{#{block.id}}}" if block.id else ""))
        elif isinstance(block, m.Paragraph):
            out.append(_inlines(block.content))
        elif isinstance(block, m.ListBlock):
            lines = []
            for n, item in enumerate(block.items, start=block.start or 1):
                marker = f"{n}." if block.ordered else "-"
                body = "\n\n".join(_blocks(item, lang, image)).replace("\n", "\n    ")
                lines.append(f"{marker} {body}")
            out.append("\n".join(lines))
        elif isinstance(block, m.Quote):
            out.append("\n".join("> " + line for line in
                                 "\n\n".join(_blocks(block.blocks, lang, image)).split("\n")))
        elif isinstance(block, m.Div):
            out.append(f"::: {block.kind}\n" + "\n\n".join(_blocks(block.blocks, lang, image))
                       + "\n:::")
        elif isinstance(block, m.Table):
            header = block.header or tuple(() for _ in block.number_columns)
            row = lambda cells: "| " + " | ".join(_inlines(c).replace("\n", " ") for c in cells) + " |"  # noqa: E731
            align = "|" + "|".join("--:" if num else ":--" for num in block.number_columns) + "|"
            caption = (f"\n\n: {block.label}: {_inlines(block.caption)}"
                       if block.label is not None else "")
            out.append("\n".join([row(header), align, *(row(r) for r in block.rows)]) + caption)
            if block.source:
                out.append(f"{m.label('source', lang)} {_escape(block.source)}")
        elif isinstance(block, m.Figure):
            path = block.image.png.with_suffix(f".{image}")  # the baseline's own charts
            caption = f"{block.label}: {_inlines(block.caption)}"
            out.append(f"![{caption}]({path.as_posix()}){{#{block.id} "
                       f"width={block.image.width_mm:.0f}mm}}")
            if block.source:
                out.append(f"{m.label('source', lang)} {_escape(block.source)}")
    return out


def book_markdown(book: m.Book, image: str = "svg") -> str:
    """The book as Pandoc Markdown; ``image`` is ``svg`` (for HTML/PDF) or ``png`` (for Word)."""
    meta = book.meta
    head = ["---", f"title: {json.dumps(meta.title, ensure_ascii=False)}",
            f"subtitle: {json.dumps(meta.subtitle, ensure_ascii=False)}",
            f"author: {json.dumps(meta.organisation, ensure_ascii=False)}",
            f"date: {meta.date.isoformat()}", f"lang: {meta.lang}", f"dir: {meta.dir}", "---", ""]
    body = []
    for part in book.parts:
        text = [f"# {_inlines(part.title)} {{#{part.id}}}", *_blocks(part.blocks, part.lang, image)]
        if part.lang != meta.lang:
            text = [f"::: {{lang={part.lang} dir={part.dir}}}", *text, ":::"]
        body.extend(text)
    return "\n".join(head) + "\n\n".join(body) + "\n"


# ---------------------------------------------------------------- preparing the inputs (untimed)

CSS = """
@font-face { font-family: "Amiri"; src: url(fonts/Amiri-Regular.ttf); }
@font-face { font-family: "Amiri"; src: url(fonts/Amiri-Bold.ttf); font-weight: bold; }
@font-face { font-family: "Amiri"; src: url(fonts/Amiri-Slanted.ttf); font-style: italic; }
@font-face { font-family: "Noto Sans Arabic"; src: url(fonts/NotoSansArabic-Regular.ttf); }
@font-face { font-family: "Noto Sans Arabic"; src: url(fonts/NotoSansArabic-Bold.ttf); font-weight: bold; }
@font-face { font-family: "Noto Serif"; src: url(fonts/NotoSerif-Regular.ttf); }
@font-face { font-family: "Noto Serif"; src: url(fonts/NotoSerif-Bold.ttf); font-weight: bold; }
@font-face { font-family: "Noto Serif"; src: url(fonts/NotoSerif-Italic.ttf); font-style: italic; }
@page { size: A4; margin: 22mm 20mm 24mm 20mm; @bottom-center { content: counter(page); } }
html { font-family: "Amiri", "Noto Serif", serif; font-size: 12.5pt; line-height: 1.65; }
h1 { break-before: right; font-family: "Noto Sans Arabic", sans-serif; }
h2, h3, h4 { font-family: "Noto Sans Arabic", sans-serif; break-after: avoid; }
figure { margin: 1em 0; break-inside: avoid; } img { max-width: 100%; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 0.5pt solid #999; }
.aside { background: #f4efe4; padding: 0.5em 1em; }
"""


def _figures(blocks):
    for block in blocks:
        if isinstance(block, m.Figure):
            yield block
        elif isinstance(block, (m.Quote, m.Div)):
            yield from _figures(block.blocks)


def _with_images(book: m.Book, chart_dir: Path) -> m.Book:
    import dataclasses

    def images(blocks, lang):
        out = []
        for block in blocks:
            if isinstance(block, m.Figure):
                # the baseline's charts: {id}-{lang}.svg and .png (no PDF of its own)
                block = dataclasses.replace(block, image=m.Image(
                    chart_dir / f"{block.id}-{lang}.pdf", chart_dir / f"{block.id}-{lang}.png",
                    150.0, 80.0))
            elif isinstance(block, (m.Quote, m.Div)):
                block = dataclasses.replace(block, blocks=images(block.blocks, lang))
            out.append(block)
        return tuple(out)

    return dataclasses.replace(book, parts=tuple(
        dataclasses.replace(p, blocks=images(p.blocks, p.lang)) for p in book.parts))


def prepare(edition_dir: Path, work: Path) -> None:
    """What the established pipeline starts from, written to ``work``: the book as Markdown (one
    copy pointing at SVG charts, one at PNG), each chart's numbers as a JSON file a plotting
    script reads, and the stylesheet. Done once, outside the timings."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "charts").mkdir(exist_ok=True)
    edition = load_edition(edition_dir)
    book = _with_images(edition.book, work / "charts")
    (work / "book-svg.md").write_text(book_markdown(book, "svg"), encoding="utf-8")
    (work / "book-png.md").write_text(book_markdown(book, "png"), encoding="utf-8")
    (work / "book.css").write_text(CSS, encoding="utf-8")
    style = load_chart_style(STYLES / "chart.yaml")
    charts = []
    for part in edition.book.parts:
        for block in _figures(part.blocks):
            spec = edition.charts[block.id]
            chart = {"file": f"{block.id}-{part.lang}", "kind": spec.chart,
                     "size_mm": style.size_mm(spec.chart), "value_labels": spec.value_labels}
            if spec.chart == "map":
                chart.update(geography=str(map_file(spec)), highlight=list(spec.highlight),
                             context=list(spec.context))
            else:
                data = chart_data(spec, edition.data, style, part.lang)
                chart.update(categories=list(data.categories), unit=data.unit,
                             decimals=data.decimals,
                             series=[{"name": s.name, "values": list(s.values), "line": s.as_line}
                                     for s in data.series])
            charts.append(chart)
    (work / "charts.json").write_text(json.dumps(charts, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------- charts, plain matplotlib


def draw_charts(work: Path) -> int:
    """Every figure drawn by a plain matplotlib script from ``charts.json``: SVG and 300 dpi PNG."""
    import warnings

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from arabic_reshaper import reshape
    from bidi import get_display
    from matplotlib import font_manager
    from matplotlib.patches import Polygon

    warnings.filterwarnings("ignore", "Glyph .* missing")
    for font in ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "NotoSans-Regular.ttf"):
        font_manager.fontManager.addfont(str(STYLES / "fonts" / font))
    plt.rcParams.update({"font.family": ["Noto Sans Arabic", "Noto Sans"], "svg.fonttype": "path"})
    ar = lambda text: get_display(reshape(text))  # noqa: E731
    charts = json.loads((work / "charts.json").read_text(encoding="utf-8"))
    for chart in charts:
        width, height = chart["size_mm"]
        fig, ax = plt.subplots(figsize=(width / 25.4, height / 25.4))
        if chart["kind"] == "map":
            geo = json.loads(Path(chart["geography"]).read_text(encoding="utf-8"))
            for feature in geo["features"]:
                code = feature["properties"]["code"]
                color = ("#7a5c1e" if code in chart["highlight"] else
                         "#d9c9a3" if code in chart["context"] else "#eeeeee")
                geometry = feature["geometry"]
                polygons = (geometry["coordinates"] if geometry["type"] == "MultiPolygon"
                            else [geometry["coordinates"]])
                for polygon in polygons:
                    ax.add_patch(Polygon(polygon[0], closed=True, facecolor=color,
                                         edgecolor="white", linewidth=0.3))
                if code in chart["highlight"]:
                    xs, ys = zip(*polygons[0][0])
                    ax.text(sum(xs) / len(xs), sum(ys) / len(ys),
                            ar(feature["properties"]["name_ar"]), ha="center", fontsize=7)
            ax.autoscale_view()
            ax.set_aspect("equal")
            ax.axis("off")
        else:
            labels = [ar(c) for c in chart["categories"]]
            series = chart["series"]
            if chart["kind"] in ("pie", "donut"):
                ax.pie(series[0]["values"], labels=labels, autopct="%1.1f%%",
                       wedgeprops={"width": 0.45} if chart["kind"] == "donut" else None,
                       textprops={"fontsize": 7})
            elif chart["kind"] == "line":
                for s in series:
                    ax.plot(labels, s["values"], marker="o", label=ar(s["name"]))
            else:
                n, bottom = len(series), [0.0] * len(labels)
                for i, s in enumerate(series):
                    if s["line"]:
                        ax.plot(range(len(labels)), s["values"], marker="o", label=ar(s["name"]))
                        continue
                    pos = [j + (i - (n - 1) / 2) * 0.8 / n for j in range(len(labels))]
                    if chart["kind"] == "barh":
                        bars = ax.barh(pos, s["values"], height=0.8 / n, label=ar(s["name"]))
                    elif chart["kind"] == "stacked":
                        bars = ax.bar(range(len(labels)), s["values"], bottom=bottom,
                                      label=ar(s["name"]))
                        bottom = [b + v for b, v in zip(bottom, s["values"])]
                    else:
                        bars = ax.bar(pos, s["values"], width=0.8 / n, label=ar(s["name"]))
                    if chart["value_labels"]:
                        ax.bar_label(bars, fmt=f"%.{chart['decimals']}f", fontsize=6)
                ticks = ax.set_yticks if chart["kind"] == "barh" else ax.set_xticks
                ticks(range(len(labels)), labels)
            ax.legend(fontsize=7)
            if chart["unit"]:
                ax.set_title(ar(chart["unit"]), fontsize=8, loc="right")
        fig.savefig(work / "charts" / f"{chart['file']}.svg", format="svg")
        fig.savefig(work / "charts" / f"{chart['file']}.png", format="png", dpi=300)
        plt.close(fig)
    return len(charts)


# ---------------------------------------------------------------- the pipeline


def run_baseline(work: Path) -> dict[str, float]:
    """Run the established pipeline on a prepared folder; returns seconds per stage and the
    PDF's page count. Writes ``work/book.pdf`` and ``work/book.docx``."""
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = now - clock
        clock = now

    import pypandoc
    from weasyprint import CSS as WeasyCSS
    from weasyprint import HTML

    lap("imports")
    times["charts drawn"] = draw_charts(work)
    lap("charts")
    html = pypandoc.convert_file(str(work / "book-svg.md"), "html5", format="markdown",
                                 extra_args=["--standalone", "--metadata", "pagetitle=book"])
    lap("pandoc html")
    base = str(STYLES) + "/"  # the stylesheet's fonts
    document = HTML(string=html, base_url=base).render(
        stylesheets=[WeasyCSS(string=(work / "book.css").read_text(encoding="utf-8"),
                              base_url=base)])
    lap("pdf layout")
    document.write_pdf(work / "book.pdf")
    lap("pdf write")
    pypandoc.convert_file(str(work / "book-png.md"), "docx", format="markdown",
                          outputfile=str(work / "book.docx"),
                          extra_args=["--resource-path", str(work / "charts")])
    lap("docx")
    times["pages"] = len(document.pages)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path, help="folder for the prepared inputs and the outputs")
    parser.add_argument("--edition", type=Path, default=DEFAULT_EDITION)
    parser.add_argument("--prepare", action="store_true", help="only write the inputs")
    parser.add_argument("--run", action="store_true", help="only run (inputs already prepared)")
    args = parser.parse_args(argv)
    if not args.run:
        prepare(args.edition, args.work)
    if not args.prepare:
        print(json.dumps(run_baseline(args.work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
