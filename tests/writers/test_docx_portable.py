"""The Word book on any machine, and a document an editor can extend (issue 17).

Embedded fonts, right-to-left styles, a current compatibility mode without template leftovers,
mirrored margins, numbered contents pages and one visual identity: each checked on the produced
.docx and, where it matters, on LibreOffice's rendering with the fonts hidden and visible.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest
from docx import Document
from fontTools.ttLib import TTFont
from lxml import etree
from office import render

from briefing.build import STYLES
from briefing.charts.render import load_chart_style
from briefing.identity import load_identity, word_color
from briefing.writers.docx import write_docx
from briefing.writers.docx.oxml_fonts import (
    bundled_faces,
    font_key,
    obfuscate,
    read_embedded,
)
from briefing.writers.docx.pagination import contents_pages, office, pdf_font_families

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R, "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
FONTS = STYLES / "fonts"
needs_office = pytest.mark.skipif(office() is None, reason="LibreOffice is not installed")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@pytest.fixture(scope="session")
def docx_path(mini_book, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("portable") / "book.docx"
    write_docx(mini_book, path, STYLES)
    return path


@pytest.fixture(scope="session")
def package(docx_path) -> zipfile.ZipFile:
    return zipfile.ZipFile(docx_path)


def xml(package, name: str):
    return etree.fromstring(package.read(name))


# ---------------------------------------------------------------- LibreOffice, fonts hidden or visible


@pytest.fixture(scope="session")
def hidden_pdf(docx_path, tmp_path_factory) -> Path:
    return render(docx_path, tmp_path_factory.mktemp("lo-hidden"), with_fonts=False)


@pytest.fixture(scope="session")
def visible_pdf(docx_path, tmp_path_factory) -> Path:
    return render(docx_path, tmp_path_factory.mktemp("lo-visible"), with_fonts=True)


def _without_embedded_fonts(docx: Path, out: Path) -> Path:
    """The same document with its fonts part-less (font table entries without w:embed*)."""
    src = zipfile.ZipFile(docx)
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.startswith("word/fonts/") or name == "word/_rels/fontTable.xml.rels":
                continue
            if name == "word/fontTable.xml":
                data = re.sub(rb"<w:embed\w+ [^>]*/>", b"", data)
            dst.writestr(name, data)
    return out


# ---------------------------------------------------------------- 1. embedded fonts


def test_font_table_lists_exactly_the_fonts_used_and_embeds_them(package):
    used = set()
    for name in package.namelist():
        if name.endswith(".xml") and name != "word/fontTable.xml":
            for fonts in re.findall(rb"<w:rFonts ([^>]*)>", package.read(name)):
                for m in re.finditer(rb'w:(?:ascii|hAnsi|eastAsia|cs)="([^"]+)"', fonts):
                    used.add(m.group(1).decode())
    table = xml(package, "word/fontTable.xml")
    listed = [f.get(w("name")) for f in table.iter(w("font"))]
    assert sorted(listed) == sorted(used) == ["Amiri", "Noto Sans Arabic", "Noto Serif"]
    faces = bundled_faces(FONTS)
    for font in table.iter(w("font")):
        slots = {e.tag.split("}")[1] for e in font if e.tag.startswith(w("embed"))}
        assert slots == {f"embed{s}" for s in faces[font.get(w("name"))]}
    settings = xml(package, "word/settings.xml")
    assert settings.find("w:embedTrueTypeFonts", NS) is not None


def test_font_parts_are_obfuscated_as_word_does(package):
    """ECMA-376 §17.8.1: the first 32 bytes XORed with the GUID's bytes in reverse order."""
    rels = {r.get("Id"): r for r in xml(package, "word/_rels/fontTable.xml.rels")}
    types = xml(package, "[Content_Types].xml")
    font_types = {o.get("PartName"): o.get("ContentType") for o in types}
    faces = bundled_faces(FONTS)
    n = 0
    for font in xml(package, "word/fontTable.xml").iter(w("font")):
        for embed in font:
            if not embed.tag.startswith(w("embed")):
                continue
            key = embed.get(w("fontKey"))
            assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", key)
            rel = rels[embed.get(f"{{{R}}}id")]
            assert rel.get("Type").endswith("/relationships/font")
            part = "word/" + rel.get("Target")
            assert font_types.get("/" + part) == \
                "application/vnd.openxmlformats-officedocument.obfuscatedFont"
            stored = package.read(part)
            slot = embed.tag.split("}")[1][len("embed"):]
            original = faces[font.get(w("name"))][slot].path.read_bytes()
            key_bytes = bytes.fromhex(key[1:-1].replace("-", ""))[::-1]
            assert bytes(b ^ key_bytes[i % 16] for i, b in enumerate(stored[:32])) == original[:32]
            assert stored[32:] == original[32:] and stored[:32] != original[:32]
            assert key == font_key(original)  # from the font's hash: same fonts, same bytes
            n += 1
    assert n == 10
    assert obfuscate(obfuscate(b"x" * 40, key), key) == b"x" * 40


def test_list_bullets_are_in_every_embedded_font(package, docx_path):
    numbering = xml(package, "word/numbering.xml")
    bullets = {lvl.find("w:lvlText", NS).get(w("val")) for lvl in numbering.iter(w("lvl"))
               if lvl.find("w:numFmt", NS).get(w("val")) == "bullet"}
    assert bullets
    for family, slots in read_embedded(docx_path.read_bytes()).items():
        if family == "Noto Sans Arabic":
            continue  # a heading font: no list is set in it
        cmap = TTFont(io.BytesIO(slots["Regular"])).getBestCmap()
        assert all(ord(b) in cmap for b in "".join(bullets)), (family, bullets)


def test_same_book_same_bytes(mini_book, docx_path, tmp_path):
    again = tmp_path / "again.docx"
    write_docx(mini_book, again, STYLES)
    assert again.read_bytes() == docx_path.read_bytes()


@needs_office
def test_libreoffice_without_the_fonts_sets_the_book_in_them(hidden_pdf, visible_pdf,
                                                              docx_path, tmp_path):
    """With Amiri and Noto hidden from fontconfig, the embedded fonts set the book, and only
    they: the same fonts and page count as with them installed. The control, the same document without its
    embedded fonts, falls back to another font."""
    hidden = pypdf.PdfReader(hidden_pdf)
    visible = pypdf.PdfReader(visible_pdf)
    used = pdf_font_families(hidden)
    assert {"Amiri", "Noto Sans Arabic", "Noto Serif"} <= used
    # and nothing else: a heading's «(», «/», «–» or «−», which Noto Sans Arabic lacks, is set in
    # a bundled face that has it (run fonts, heading-number levels), never in a system font
    assert used <= set(bundled_faces(FONTS)), used - set(bundled_faces(FONTS))
    assert used == pdf_font_families(visible)
    assert len(hidden.pages) == len(visible.pages)
    assert [p.extract_text() for p in hidden.pages] == [p.extract_text() for p in visible.pages]
    bare = _without_embedded_fonts(docx_path, tmp_path / "bare.docx")
    control = pypdf.PdfReader(render(bare, tmp_path / "control", with_fonts=False))
    assert "Amiri" not in pdf_font_families(control)


# ---------------------------------------------------------------- 2. direction in the styles


def _style_chain(styles, style_id: str):
    while style_id:
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        yield style
        based = style.find("w:basedOn", NS)
        style_id = based.get(w("val")) if based is not None else None


def _on(el) -> bool:
    return el.get(w("val"), "1") not in ("0", "false", "off")


def effective_bidi(styles, p) -> bool:
    """A paragraph's direction: its own w:bidi, else its style chain's, else docDefaults'."""
    own = p.find("w:pPr/w:bidi", NS)
    if own is not None:
        return _on(own)
    ps = p.find("w:pPr/w:pStyle", NS)
    default = styles.find("w:style[@w:type='paragraph'][@w:default='1']", NS)
    for style in _style_chain(styles, ps.get(w("val")) if ps is not None
                              else default.get(w("styleId"))):
        el = style.find("w:pPr/w:bidi", NS)
        if el is not None:
            return _on(el)
    el = styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:bidi", NS)
    return el is not None and _on(el)


def test_styles_of_an_arabic_book_are_right_to_left(package):
    styles = xml(package, "word/styles.xml")
    assert _on(styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:bidi", NS))
    assert _on(styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rtl", NS))
    normal = styles.find("w:style[@w:styleId='Normal']", NS)
    assert _on(normal.find("w:pPr/w:bidi", NS)) and _on(normal.find("w:rPr/w:rtl", NS))
    for style_id in ("Heading1", "Heading2", "Heading3", "ListParagraph", "Caption",
                     "TableText", "TableHeading", "FootnoteText", "Source", "Quote", "Aside",
                     "TOC1", "Header", "Footer"):
        p = etree.fromstring(f'<w:p xmlns:w="{W}"><w:pPr><w:pStyle w:val="{style_id}"/>'
                             "</w:pPr></w:p>")
        assert effective_bidi(styles, p), style_id
    number = etree.fromstring(f'<w:p xmlns:w="{W}"><w:pPr><w:pStyle w:val="TableNumber"/>'
                              "</w:pPr></w:p>")
    assert not effective_bidi(styles, number)


def test_paragraphs_and_rows_an_editor_adds_are_right_to_left(docx_path, tmp_path):
    """python-docx's documented ways of extending a document, in the Arabic part; the English
    part stays left-to-right."""
    doc = Document(str(docx_path))
    heading = next(p for p in doc.paragraphs if p.style.name == "Heading 2")
    body = next(p for p in doc.paragraphs if p.style.name == "Normal" and p.text.strip())
    added = [body.insert_paragraph_before("فقرة جديدة يضيفها المحرر.", style=body.style),
             heading.insert_paragraph_before("عنوان جديد", style=heading.style),
             body.insert_paragraph_before("فقرة بلا نمط")]
    table = doc.tables[0]
    row = table.add_row()
    row.cells[0].text = "صف جديد"
    out = tmp_path / "edited.docx"
    doc.save(str(out))
    package = zipfile.ZipFile(out)
    styles = xml(package, "word/styles.xml")
    body_xml = xml(package, "word/document.xml")
    texts = {"فقرة جديدة يضيفها المحرر.", "عنوان جديد", "فقرة بلا نمط", "صف جديد"}
    found = [p for p in body_xml.iter(w("p"))
             if "".join(t.text or "" for t in p.iter(w("t"))) in texts]
    assert len(found) == 4 and len(added) == 3
    for p in found:
        assert p.find("w:pPr/w:bidi", NS) is None  # nothing written on the paragraph itself
        assert effective_bidi(styles, p)
    english = [p for p in body_xml.iter(w("p"))
               if "".join(t.text or "" for t in p.iter(w("t"))).startswith("Annex")]
    assert english and not any(effective_bidi(styles, p) for p in english)


# ---------------------------------------------------------------- 3. a current document


def test_compatibility_mode_15_and_no_template_leftovers(package):
    settings = xml(package, "word/settings.xml")
    mode = settings.find("w:compat/w:compatSetting[@w:name='compatibilityMode']", NS)
    assert mode.get(w("val")) == "15"
    lang = settings.find("w:themeFontLang", NS)
    assert (lang.get(w("val")), lang.get(w("bidi")), lang.get(w("eastAsia"))) == \
        ("en-GB", "ar-SA", None)
    everything = b"".join(package.read(n) for n in package.namelist() if n.endswith(".xml"))
    for leftover in ("Cambria", "MS Mincho", "ＭＳ", "ja-JP", "Calibri", "Times New Roman",
                     "Noto Sans Mono"):
        assert leftover.encode() not in everything, leftover
    theme = xml(package, "word/theme/theme1.xml")
    minor = theme.find(".//a:minorFont", NS)
    major = theme.find(".//a:majorFont", NS)
    assert minor.find("a:cs", NS).get("typeface") == "Amiri"
    assert major.find("a:cs", NS).get("typeface") == "Noto Sans Arabic"
    assert [f.get("script") for f in minor.findall("a:font", NS)] == ["Arab"]


# ---------------------------------------------------------------- 4. margins and page numbers


def test_margins_mirror_for_a_right_bound_book(package):
    """By the OOXML rules (§17.15.1.57), odd pages take w:right as written: the spine."""
    body = xml(package, "word/document.xml")
    sects = list(body.iter(w("sectPr")))
    assert xml(package, "word/settings.xml").find("w:mirrorMargins", NS) is not None
    for s in sects:
        m = s.find("w:pgMar", NS)
        assert int(m.get(w("right"))) > int(m.get(w("left"))) and m.get(w("gutter")) == "0"


def test_contents_section_break_has_its_own_paragraph(package):
    body = xml(package, "word/document.xml").find("w:body", NS)
    toc_end = [p for p in body if p.find("w:pPr/w:sectPr", NS) is not None][1]
    assert not list(toc_end.iter(w("r")))
    previous = toc_end.getprevious()
    assert previous.find("w:pPr/w:pStyle", NS).get(w("val")).startswith("TOC")


@needs_office
def test_libreoffice_mirrors_margins_and_numbers_the_contents(hidden_pdf):
    pdf = pypdf.PdfReader(hidden_pdf)
    width = float(pdf.pages[0].mediabox.width)
    out = subprocess.run(["pdftotext", "-bbox", str(hidden_pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = out.split("<page ")[1:]
    assert len(pages) == len(pdf.pages) >= 4
    for number, page in enumerate(pages[1:], start=2):
        words = [(float(a), float(b)) for a, b in
                 re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', page)]
        left = min(a for a, _ in words)
        right = width - max(b for _, b in words)
        # inside margin (26 mm) at the spine: on the right of odd pages, the left of even ones
        if number % 2:
            assert right > left + 10, (number, left, right)
        else:
            assert left > right + 10, (number, left, right)
    contents = pdf.pages[1].extract_text().split()
    assert contents[-1] == "2" or contents[0] == "2"  # the contents page shows its number


@needs_office
def test_page_numbers_are_refused_when_the_fonts_are_missing(docx_path, tmp_path):
    bare = _without_embedded_fonts(docx_path, tmp_path / "bare.docx")
    assert contents_pages(bare) is None
    pages = contents_pages(bare, FONTS)  # the bundled fonts visible to LibreOffice
    assert pages and [int(p) for p in pages] == sorted(int(p) for p in pages)


# ---------------------------------------------------------------- 5. one visual identity


def test_pdf_word_and_charts_share_one_identity(package):
    identity = load_identity(STYLES)
    accent = identity.colors["accent"]
    css = (STYLES / "book.css").read_text(encoding="utf-8")
    assert accent not in css.lower() and "var(--accent)" in css and "var(--h1-size)" in css
    styles = xml(package, "word/styles.xml")

    def style(style_id):
        return styles.find(f"w:style[@w:styleId='{style_id}']", NS)

    for level in (1, 2, 3):
        rpr = style(f"Heading{level}").find("w:rPr", NS)
        assert rpr.find("w:color", NS).get(w("val")) == word_color(identity.heading_colors[level])
        assert int(rpr.find("w:szCs", NS).get(w("val"))) == identity.heading_sizes[level] * 2
    first = style("BriefingTable").find("w:tblStylePr[@w:type='firstRow']", NS)
    assert first.find("w:tcPr/w:shd", NS).get(w("fill")) == word_color(identity.table_header_fill)
    assert style("TableHeading").find("w:rPr/w:color", NS).get(w("val")) == \
        word_color(identity.table_header_text)
    after = style("Source").find("w:pPr/w:spacing", NS).get(w("after"))
    assert int(after) == identity.table_space_after * 20
    chart = load_chart_style(STYLES / "chart.yaml")
    assert chart.get("colors", "text") == identity.colors["ink"]
    assert tuple(chart.get("colors", "palette")) == identity.chart_palette


# ---------------------------------------------------------------- 6. heading numbers as Word lists


def _heading(level: int, number: str):
    from briefing.model import Heading, Text, Where
    return Heading(level, (Text("t"),), "h", bool(number), number, Where("t.md", 1))


def test_heading_schemes_word_can_print_exactly():
    from briefing.writers.docx.heading_numbering import scheme
    ordinal_decimal = [_heading(2, "أولاً"), _heading(3, "1.1"), _heading(3, "1.2"),
                       _heading(2, ""), _heading(2, "ثانياً"), _heading(3, "2.1")]
    s = scheme(ordinal_decimal, "western")
    assert (s.level_texts, s.num_fmt) == (("", "%1.%2"), "decimal")
    parenthesized = [_heading(2, "أولاً"), _heading(3, "(١)"), _heading(3, "(٢)"),
                     _heading(2, "ثانياً"), _heading(3, "(١)")]
    s = scheme(parenthesized, "arabic-indic")
    assert (s.level_texts, s.num_fmt) == (("", "(%2)"), "hindiNumbers")
    assert scheme([_heading(2, "1"), _heading(2, "2")], "western").level_texts == ("%1", "")
    # Word would print «٣.١», the book prints «٣٫١»: the numbers stay text
    assert scheme([_heading(2, "٣"), _heading(3, "٣٫١")], "arabic-indic") is None
    # a number Word's counters would not reach (1.1 then 1.3) stays text
    assert scheme([_heading(2, "1"), _heading(3, "1.1"), _heading(3, "1.3")], "western") is None
    assert scheme([_heading(2, "أولاً"), _heading(2, "ثانياً")], "western") is None


@needs_office
def test_libreoffice_prints_the_list_numbers_of_headings(hidden_pdf, package):
    body = xml(package, "word/document.xml")
    h3 = [p for p in body.iter(w("p"))
          if p.find("w:pPr/w:pStyle[@w:val='Heading3']", NS) is not None]
    assert h3 and all(p.find("w:pPr/w:numPr", NS) is not None for p in h3)
    pages = [p.extract_text() for p in pypdf.PdfReader(hidden_pdf).pages]
    # past the cover and the contents (whose cached entries carry the number as text)
    body_pages = [t for t in pages[2:] if "أكبر" in t]
    assert len(body_pages) == 1 and "1.1" in body_pages[0]
