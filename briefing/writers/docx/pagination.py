"""Page numbers for the Word contents, as a word processor lays the document out.

Word fills in the contents' page numbers itself when it opens the file (``w:updateFields``);
LibreOffice and previews show the numbers cached in the file. Where LibreOffice is installed, the
build can lay the new .docx out headless, read the page of each heading from the PDF's bookmarks,
and write the .docx again with those numbers cached. Nothing here is needed for a correct book:
without LibreOffice the numbers are simply left for Word to fill.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from ... import model as m

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 180


def office() -> str | None:
    """The LibreOffice command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def contents_entries(docx: Path) -> list[str]:
    """The text of each entry of the document's contents (paragraphs in the "toc N" styles)."""
    return [p.text.split("\t")[0] for p in Document(str(docx)).paragraphs
            if p.style is not None and re.fullmatch(r"toc \d", p.style.name.lower())]


def contents_pages(docx: Path, fonts_dir: Path | None = None) -> list[str] | None:
    """Each contents entry's page as LibreOffice paginates ``docx``; None when it cannot tell.

    The layout is only trusted in the book's own fonts: LibreOffice sees them embedded in the
    document and, with ``fonts_dir`` (the bundled fonts), through its fontconfig too. When its
    PDF is not set in the fonts the document's Normal and Heading 1 styles name (the fonts did
    not load, and a fallback font moves every page break), the numbers are refused (None, with a
    warning), as they are when the headings of its PDF do not match the contents' entries."""
    command = office()
    if command is None:
        return None
    import pypdf

    with tempfile.TemporaryDirectory(prefix="briefing-pages-") as work:
        work = Path(work)
        copy = shutil.copyfile(docx, work / "book.docx")  # a name LibreOffice knows the type of
        env = dict(os.environ)
        if fonts_dir is not None:
            env["FONTCONFIG_FILE"] = str(_fontconfig_with(Path(fonts_dir), work))
        try:
            subprocess.run([command, "--headless", "--norestore",
                            f"-env:UserInstallation={(work / 'profile').as_uri()}",
                            "--convert-to", "pdf", "--outdir", str(work), str(copy)],
                           check=True, capture_output=True, timeout=TIMEOUT_SECONDS, env=env)
            reader = pypdf.PdfReader(work / "book.pdf")
            missing = style_fonts(docx) - pdf_font_families(reader)
        except (OSError, subprocess.SubprocessError, pypdf.errors.PyPdfError):
            return None
        if missing:
            log.warning("Word contents: no page numbers: LibreOffice did not lay the book out in "
                        "%s (Word fills them in when it opens the document)",
                        ", ".join(sorted(missing)))
            return None
        headings = []

        def walk(items):
            for item in items:
                if isinstance(item, list):
                    walk(item)
                else:
                    headings.append((_same(item.title), reader.get_destination_page_number(item)))
        walk(reader.outline)
    pages, start = [], 0
    for entry in contents_entries(docx):
        found = next((i for i in range(start, len(headings)) if headings[i][0] == _same(entry)),
                     None)
        if found is None:
            return None  # the layouts disagree: better no numbers than wrong ones
        pages.append(str(headings[found][1] + 1))
        start = found + 1
    return pages


def _same(text: str) -> str:
    return re.sub(r"\s+", " ", m.visible(text)).strip()


def style_fonts(docx: Path) -> set[str]:
    """The fonts the Normal and Heading 1 styles of ``docx`` set for the book's direction: the
    complex-script font (``w:cs``) when Normal is right-to-left, else the Latin one (``w:ascii``)."""
    styles = Document(str(docx)).styles
    normal = styles["Normal"].element
    bidi = normal.find(f"{qn('w:pPr')}/{qn('w:bidi')}")
    slot = qn("w:cs") if bidi is not None and bidi.get(qn("w:val")) not in ("0", "false") \
        else qn("w:ascii")
    names = set()
    for name in ("Normal", "Heading 1"):
        fonts = styles[name].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None and fonts.get(slot):
            names.add(fonts.get(slot))
    return names


def pdf_font_families(reader) -> set[str]:
    """Family names of the fonts a PDF uses, as written in documents: ``BAAAAA+NotoSansArabic-Bold``
    → ``Noto Sans Arabic`` (subset tag and style dropped, spaces before capitals restored)."""
    names = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            base = str(ref.get_object().get("/BaseFont", "")).lstrip("/")
            base = base.split("+", 1)[-1].split("-", 1)[0]
            names.add(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base))
    return names


def _fontconfig_with(fonts_dir: Path, work: Path) -> Path:
    """A fontconfig file: the system's configuration plus ``fonts_dir``."""
    conf = work / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{_xml_text(str(fonts_dir.resolve()))}</dir>\n"
        f"  <cachedir>{_xml_text(str(work / 'fontconfig'))}</cachedir>\n</fontconfig>\n",
        encoding="utf-8")
    return conf


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
