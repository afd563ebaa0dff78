"""No reach outside the sources: malicious editions get an error or a harmless book.

The edition is the only input: images in Markdown are refused (figures are drawn from data), links
are printed and never fetched, raw HTML is printed as text, expressions run in a sandbox, and the PDF
writer opens nothing but ``styles/`` and the chart images. A listening socket on 127.0.0.1 proves
that no build so much as connects to it.
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from briefing import model as m
from briefing.build import STYLES, check, draw_figures
from briefing.writers.pdf import book_to_html, write_pdf
from bad_inputs import run_cli_many
from pdftext import pdftotext
from paths import MINI, ROOT

SECRET = "TOPSECRET-4711"


def make_book(edition: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "make_book.py", "--edition", str(edition),
                           "--out", str(out), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def listener():
    """A TCP port on 127.0.0.1 that records whether anything connected to it. Connections
    complete in the kernel's backlog without accept(), so one non-blocking accept() afterwards
    tells whether any was attempted."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)

    def connections() -> int:
        count = 0
        while True:
            try:
                conn, _ = server.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    yield server.getsockname()[1], connections
    server.close()


def test_the_listener_does_see_a_connection(listener):
    """The check itself works: a real connection attempt is counted."""
    port, connections = listener
    socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert connections() == 1


def add_to_annex(edition: Path, text: str) -> Path:
    annex = edition / "text" / "02-annex.md"
    annex.write_text(annex.read_text() + "\n" + text + "\n", encoding="utf-8")
    return annex


# ---------------------------------------------------------------- images are never fetched


IMAGES = ["http://127.0.0.1:{port}/x.png", "/etc/passwd", "../../../../etc/passwd", "x.svg"]


def test_markdown_images_are_refused_not_fetched(tmp_path, listener):
    port, connections = listener
    arguments = []
    for n, target in enumerate(IMAGES):
        edition = tmp_path / str(n) / "mini"
        shutil.copytree(MINI, edition)
        add_to_annex(edition, f"![x]({target.format(port=port)})")
        arguments.append(["--edition", str(edition), "--out", str(tmp_path / str(n) / "out")])
    for target, result in zip(IMAGES, run_cli_many(arguments)):
        assert result.returncode == 1 and "Traceback" not in result.stderr, target
        assert "02-annex.md:10: images are placed as figures" in result.stderr, target
    assert connections() == 0
    assert not list(tmp_path.glob("*/out/*.pdf"))


# ---------------------------------------------------------------- links and raw HTML: printed


HOSTILE = """\
Links: [a page](http://127.0.0.1:{port}/page), [a file](file:///etc/passwd) and <http://127.0.0.1:{port}/auto>.

An image markdown-it does not take for one (file: URLs are refused): ![x](file:///etc/passwd)

<script>alert(1)</script>

<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">

<iframe src="http://127.0.0.1:{port}/frame"></iframe>

Inline <img src="file:///etc/passwd"> and <object data="http://127.0.0.1:{port}/o"></object> tags.

<style>@import url("http://127.0.0.1:{port}/i.css"); body {{ background: url(/etc/passwd) }}</style>
"""


def test_links_and_raw_html_are_printed_never_fetched(edition_copy, tmp_path, listener):
    port, connections = listener
    add_to_annex(edition_copy, HOSTILE.format(port=port))
    out = tmp_path / "out"
    result = make_book(edition_copy, out)
    assert result.returncode == 0, result.stderr
    assert connections() == 0

    text = pdftotext(out / "mini.pdf")
    assert "<script>alert(1)</script>" in text  # the tags are printed as text …
    assert "![x](file:///etc/passwd)" in "".join(text.split())  # (lines wrap in the PDF)
    assert "root:x:0:0" not in text              # … and /etc/passwd was never read
    with zipfile.ZipFile(out / "mini.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
        everything = b"".join(docx.read(name) for name in docx.namelist())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert b"root:x:0:0" not in everything


def test_raw_html_reaches_weasyprint_escaped(edition_copy, tmp_path, listener):
    port, _ = listener
    add_to_annex(edition_copy, HOSTILE.format(port=port))
    book = draw_figures(check(edition_copy), tmp_path / "charts")
    html = book_to_html(book, STYLES)
    for tag in ("<script", "<iframe", "<object", '<img src="file:///etc', "<style>@import"):
        assert tag not in html, tag
    assert html.count("<img ") == 1  # the chart's
    assert html.count("<link ") == 1 and '<link rel="stylesheet" href="book.css">' in html
    assert "&lt;iframe src=" in html


# ---------------------------------------------------------------- the expression sandbox


EXPRESSIONS = [
    "{{ value.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ value.__globals__['os'].system('touch /tmp/pwned') }}",
    "{{ year.__self__.data }}",
    "{{ self.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}{{ os.system('id') }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
]


def test_expressions_cannot_reach_python_internals_or_files(tmp_path):
    """Each expression in its own edition, all checked through the CLI (in one process)."""
    arguments = []
    for n, expression in enumerate(EXPRESSIONS):
        edition = tmp_path / str(n) / "mini"
        shutil.copytree(MINI, edition)
        add_to_annex(edition, f"In {expression} here.")
        arguments.append(["--check", "--edition", str(edition)])
    for expression, result in zip(EXPRESSIONS, run_cli_many(arguments)):
        assert result.returncode == 1, (expression, result.stdout)
        err = result.stderr
        assert "Traceback" not in err and "root:x:0:0" not in err, expression
        assert err.startswith("error: ") and "02-annex.md:10" in err, (expression, err)
        assert "<class" not in err and "<module" not in err, (expression, err)
    assert not Path("/tmp/pwned").exists()


# ---------------------------------------------------------------- symlinks and paths out of the edition


def test_a_data_file_linking_out_of_the_edition_is_refused(edition_copy, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text((edition_copy / "data" / "gdp.csv").read_text())
    (edition_copy / "data" / "gdp.csv").unlink()
    (edition_copy / "data" / "gdp.csv").symlink_to(outside)
    result = make_book(edition_copy, tmp_path / "out", "--check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "data/gdp.csv: this file is (or links to) a file outside" in result.stderr
    assert "copy the file into the edition" in result.stderr


def test_a_link_inside_the_edition_is_fine(edition_copy, tmp_path):
    data = edition_copy / "data"
    (data / "gdp.csv").rename(data / "gdp-2023.csv")
    (data / "gdp.csv").symlink_to("gdp-2023.csv")
    assert make_book(edition_copy, tmp_path / "out", "--check").returncode == 0


OUTSIDE_PART = f"# {SECRET}\n\nA part that lives outside the edition.\n"


@pytest.mark.parametrize("how", ["symlink", "dotdot", "absolute"])
def test_a_part_outside_the_edition_is_refused(edition_copy, tmp_path, how):
    outside = tmp_path / "outside.md"
    outside.write_text(OUTSIDE_PART)
    manifest = edition_copy / "edition.yaml"
    if how == "symlink":
        (edition_copy / "text" / "02-annex.md").unlink()
        (edition_copy / "text" / "02-annex.md").symlink_to(outside)
    else:
        name = "../outside.md" if how == "dotdot" else str(outside)
        manifest.write_text(manifest.read_text().replace("text/02-annex.md", name))
    result = make_book(edition_copy, tmp_path / "out", "--check")
    assert result.returncode == 1, result.stdout
    assert "outside" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- the PDF writer's fetcher, end to end


def _with_image(book: m.Book, chart: Path) -> m.Book:
    def swap(block):
        if isinstance(block, m.Figure):
            return dataclasses.replace(block, image=dataclasses.replace(block.image, pdf=chart))
        return block
    parts = tuple(dataclasses.replace(p, blocks=tuple(swap(b) for b in p.blocks))
                  for p in book.parts)
    return dataclasses.replace(book, parts=parts)


def _outside_chart(folder: Path) -> Path:
    """A one-page PDF, as a chart's, whose text is the secret."""
    from weasyprint import HTML

    chart = folder / "secret.pdf"
    HTML(string=f"<p>{SECRET}</p>").write_pdf(chart)
    return chart


@pytest.mark.parametrize("how", ["symlink", "outside", "passwd"])
def test_the_pdf_writer_opens_nothing_outside_styles_and_charts(mini_book, tmp_path, how):
    image_dir = tmp_path / "charts"
    image_dir.mkdir()
    outside = _outside_chart(tmp_path)
    if how == "symlink":  # a chart image that is a link to a file elsewhere
        image = image_dir / "population-chart-ar-0000.pdf"
        image.symlink_to(outside)
    else:
        image = outside if how == "outside" else Path("/etc/passwd")
    pdf = tmp_path / "book.pdf"
    with pytest.raises(ValueError, match="refused to open"):  # an error, not a silent gap
        write_pdf(_with_image(mini_book, image), pdf, STYLES, image_dir)
    assert SECRET not in pdftotext(pdf)  # (the build's atomic output would discard this file)


def test_the_fetcher_is_used_for_every_url(mini_book, tmp_path, listener, monkeypatch):
    """Even a URL that reaches WeasyPrint's stylesheet machinery is not fetched."""
    from briefing.writers import pdf as pdf_module

    port, connections = listener
    hostile = f'@import url("http://127.0.0.1:{port}/x.css"); @font-face {{ font-family: X; ' \
              f'src: url("http://127.0.0.1:{port}/f.ttf"); }}'
    monkeypatch.setattr(pdf_module, "PRINT_CSS", hostile)
    image_dir = mini_book.parts[0].blocks[2].image.pdf.parent
    with pytest.raises(ValueError, match="Failed to load"):
        write_pdf(mini_book, tmp_path / "book.pdf", STYLES, image_dir, bleed=True)
    assert connections() == 0
