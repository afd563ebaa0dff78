"""The PDF writer, checked on real output: text layer, fonts, pages, metadata, confinement."""

from __future__ import annotations

import re
import subprocess

import pypdf
import pytest

from briefing import model as m
from briefing.build import STYLES
from briefing.pdf import ConfinedFetcher, book_to_html, write_pdf
from pdftext import comparable, pdftotext

BUNDLED = {"Amiri", "Noto-Sans-Arabic", "Noto-Sans", "Noto-Serif"}


@pytest.fixture(scope="module")
def mini_pdf(mini_book, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "mini.pdf"
    image_dir = mini_book.parts[0].blocks[2].image.svg.parent
    write_pdf(mini_book, path, STYLES, image_dir)
    return path


def test_text_layer_holds_the_source_text_in_reading_order(mini_pdf, mini_book):
    text = comparable(pdftotext(mini_pdf))
    for part in mini_book.parts:
        assert comparable(m.plain_text(part.title)) in text
        for block in part.blocks:
            if isinstance(block, (m.Paragraph, m.Heading)):
                assert comparable(m.plain_text(block.content)) in text, block.where


def test_tables_captions_footnotes_and_signature_are_printed(mini_pdf):
    text = comparable(pdftotext(mini_pdf))
    for expected in ("جدول", "مؤشراتعامة", "شكل", "عددالسكان", "317.3", "الدولالثلاث",
                     "الناتجالمحليالإجماليمقسوماًعلىعددالسكان", "الأمانةالعامة",
                     "المصدر:صندوقالنقدالدولي"):
        assert comparable(expected) in text, expected


def test_only_bundled_fonts_are_embedded_and_all_are_subset(mini_pdf):
    fonts = subprocess.run(["pdffonts", str(mini_pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    names = {re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in fonts}
    families = {re.sub(r"-(Bold|Italic|Regular|BoldItalic)$", "", n) for n in names}
    assert families <= BUNDLED, families
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts)  # emb sub uni


def test_page_size_count_and_metadata(mini_pdf):
    reader = pypdf.PdfReader(mini_pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert 4 <= len(reader.pages) <= 8  # cover, contents, two parts
    assert reader.metadata["/Title"] == "كتيب تجريبي صغير"
    assert reader.metadata["/Author"].startswith("الأمانة العامة")


def test_parts_set_language_and_direction(mini_book):
    html = book_to_html(mini_book, STYLES)
    assert '<html lang="ar" dir="rtl">' in html
    assert 'lang="en" dir="ltr"' in html
    assert "<script" not in html


def test_same_book_same_bytes(mini_book, mini_pdf, tmp_path):
    again = tmp_path / "again.pdf"
    write_pdf(mini_book, again, STYLES, mini_book.parts[0].blocks[2].image.svg.parent)
    assert again.read_bytes() == mini_pdf.read_bytes()


def test_fetcher_refuses_network_and_files_outside_styles(tmp_path):
    fetcher = ConfinedFetcher((STYLES,))
    assert fetcher.fetch((STYLES / "book.css").as_uri()).read()
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd",
                (STYLES / ".." / "pyproject.toml").resolve().as_uri()):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    (tmp_path / "escape.css").symlink_to("/etc/passwd")
    with pytest.raises(ValueError, match="refused"):
        ConfinedFetcher((tmp_path,)).fetch((tmp_path / "escape.css").as_uri())
