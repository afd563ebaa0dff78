"""The Word contents' page numbers, cached from LibreOffice's layout when it is installed."""

from __future__ import annotations

import re
import zipfile

import pytest

from briefing.build import STYLES, write_word
from briefing.writers.docx.pagination import contents_entries, office


def pageref_results(docx) -> list[str]:
    """The cached text of each PAGEREF field in the document body."""
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    fields = re.findall(r"PAGEREF [^<]*</w:instrText>.*?<w:fldChar w:fldCharType=\"end\"/>", xml,
                        flags=re.S)
    return ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", f)) for f in fields]


def test_without_the_option_word_fills_the_numbers(mini_book, tmp_path):
    path = tmp_path / "book.docx"
    write_word(mini_book, path, STYLES, page_numbers=False)
    # a title's last words joined by a no-break space, in the contents too (sources.title_breaks)
    assert contents_entries(path)[:2] == ["تقرير تجريبي عن آسيا\u00a0الوسطى", "أولاً: السكان"]
    assert set(pageref_results(path)) == {""}


@pytest.mark.skipif(office() is None, reason="LibreOffice is not installed")
def test_with_libreoffice_the_contents_show_its_page_numbers(mini_book, tmp_path):
    path = tmp_path / "book.docx"
    write_word(mini_book, path, STYLES, page_numbers=True)
    pages = [int(p) for p in pageref_results(path)]
    assert len(pages) == len(contents_entries(path)) == 6
    assert pages == sorted(pages) and pages[0] >= 2  # after the cover, in reading order
