"""Page numbers for the Word contents, as a word processor lays the document out.

Word fills in the contents' page numbers itself when it opens the file (``w:updateFields``);
LibreOffice and previews show the numbers cached in the file. Where LibreOffice is installed, the
build can lay the new .docx out headless, read the page of each heading from the PDF's bookmarks,
and write the .docx again with those numbers cached. Nothing here is needed for a correct book:
without LibreOffice the numbers are simply left for Word to fill.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document

TIMEOUT_SECONDS = 180


def office() -> str | None:
    """The LibreOffice command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def contents_entries(docx: Path) -> list[str]:
    """The text of each entry of the document's contents (paragraphs in the "toc N" styles)."""
    return [p.text.split("\t")[0] for p in Document(str(docx)).paragraphs
            if p.style is not None and re.fullmatch(r"toc \d", p.style.name.lower())]


def contents_pages(docx: Path) -> list[str] | None:
    """Each contents entry's page as LibreOffice paginates ``docx``; None when it cannot tell."""
    command = office()
    if command is None:
        return None
    import pypdf

    with tempfile.TemporaryDirectory(prefix="briefing-pages-") as work:
        work = Path(work)
        copy = shutil.copyfile(docx, work / "book.docx")  # a name LibreOffice knows the type of
        try:
            subprocess.run([command, "--headless", "--norestore",
                            f"-env:UserInstallation={(work / 'profile').as_uri()}",
                            "--convert-to", "pdf", "--outdir", str(work), str(copy)],
                           check=True, capture_output=True, timeout=TIMEOUT_SECONDS)
            reader = pypdf.PdfReader(work / "book.pdf")
        except (OSError, subprocess.SubprocessError, pypdf.errors.PyPdfError):
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
    return re.sub(r"\s+", " ", text).strip()
