"""The Word writer, read back as XML: a small book (an Arabic part and an English part with every
block kind, footnotes, cross-references, a numeric table and a figure) is written once and its
parts are parsed with zipfile + lxml. One test converts it with LibreOffice when installed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image as PILImage

from briefing.writers.docx import write_docx
from briefing.model import (Book, CrossRef, Div, Emph, Figure, Fonts, Heading, Image, Link,
                            ListBlock, Meta, Footnote, Paragraph, Part, Quote, Strong, Table, Text,
                            Where)
from paths import STYLES

from briefing.model import page_geometry
from briefing.numerals import format_month
from briefing.sources.numbering import PartNumbering, number_book

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


# ---------------------------------------------------------------- a small book


def _at(line: int) -> Where:
    return Where("text/t.md", line)


def _p(*inlines, line: int = 1) -> Paragraph:
    return Paragraph(tuple(Text(i) if isinstance(i, str) else i for i in inlines), _at(line))


def _note(*blocks) -> Footnote:
    return Footnote(0, "", blocks)


def _ref(target: str) -> CrossRef:
    return CrossRef(target, "section", "", _at(1))


def make_book(tmp: Path, digits: str = "western", with_image: bool = True) -> Book:
    """A book with every block kind, numbered by the loader's numbering pass."""
    png = tmp / "chart.png"
    PILImage.new("RGB", (60, 30), (31, 78, 95)).save(png)
    ar_digits = digits
    ar = Part("report", (Text("الأهمية الاستراتيجية"),), "ar", "rtl", ar_digits, (
        Heading(2, (Text("نبذة عن دول آسيا الوسطى"),), "profiles", True, "", _at(3)),
        _p("فقرة فيها ", Strong((Text("خط عريض"),)), " و", Emph((Text("مائل"),)), " ورابط ",
           Link("https://www.un.org", (Text("الأمم المتحدة"),)), " وحاشية.",
           _note(_p("نص الحاشية الأولى.")), " انظر ",
           _ref("population"), " و", _ref("indicators"), " والقسم ", _ref("trade"), ".", line=5),
        ListBlock(((_p("البند الأول"),),
                   (_p("البند الثاني"), ListBlock(((_p("بند فرعي"),),), None, _at(8)))),
                  1, _at(6)),
        ListBlock(((_p("نقطة أولى"),), (_p("نقطة ثانية"),)), None, _at(9)),
        Quote((_p("اقتباس من كلمة الأمين العام."),), _at(10)),
        Div("aside", (_p("إطار جانبي."),), _at(11)),
        Figure("population", "figure", 0, None, (Text("عدد السكان، 2022م"),), "البنك الدولي",
               "رسم بياني لعدد السكان",
               Image(tmp / "chart.pdf", png, 120, 60) if with_image else None, _at(12)),
        Heading(2, (Text("التجارة"),), "trade", True, "", _at(13)),
        Heading(3, (Text("الصادرات"),), "exports", True, "", _at(14)),
        Table("indicators", None, None, (Text("مؤشرات عامة"),),
              ((Text("الدولة"),), (Text("السكان"),), (Text("الناتج"),)),
              (((Text("كازاخستان"),), (Text("19.6"),), (Text("225.5"),)),
               ((Text("قيرغيزستان"),), (Text("6.9"),), (Text("10.9"),))),
              (False, True, True), "صندوق النقد الدولي", _at(15)),
        _p("بعد الجدول", _note(_p("الحاشية الثانية.")), ".", line=16),
        Div("signature", (_p("الأمين العام"),), _at(17)),
        Div("note", (_p("ملاحظة."),), _at(18)),
    ), _at(1))
    en = Part("annex", (Text("Annex: US strategy"),), "en", "ltr", "western", (
        Heading(2, (Text("Overview"),), "overview", True, "", _at(20)),
        _p("An English paragraph with ", Strong((Text("bold"),)), " and a note.",
           _note(_p("An English footnote.")), " See ", _ref("trade-en"), ".", line=21),
        Table("trade-en", None, None, (Text("Trade"),), ((Text("Country"),), (Text("Exports"),)),
              (((Text("Kazakhstan"),), (Text("84.4"),)),), (False, True), "IMF", _at(22)),
        ListBlock(((_p("first"),), (_p("second"),)), 3, _at(23)),
    ), _at(19))
    parts, outline = number_book((ar, en), {"report": PartNumbering("ordinal", "decimal"),
                                            "annex": PartNumbering()})
    meta = Meta("القمة الخليجية – آسيا الوسطى", "الملف الإعلامي", "الأمانة العامة",
                dt.date(2023, 7, 19), format_month(dt.date(2023, 7, 19), "ar", digits),
                "ar", "rtl", "A4", digits, Fonts("Amiri", "Noto Sans Arabic", "Noto Serif"))
    return Book(meta, parts, outline, page_geometry("A4"))


class Docx:
    """A written .docx, its parts parsed."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path)

    def xml(self, name: str):
        return etree.fromstring(self.zip.read(name))

    @property
    def names(self) -> list[str]:
        return self.zip.namelist()

    def sections(self) -> list[list]:
        """The body's blocks grouped by section (a paragraph carrying a sectPr ends one)."""
        body = self.xml("word/document.xml").find(w("body"))
        out, current = [], []
        for child in body:
            if child.tag == w("sectPr"):
                out.append((current, child))
                break
            current.append(child)
            sect = child.find(f"{w('pPr')}/{w('sectPr')}")
            if sect is not None:
                out.append((current, sect))
                current = []
        return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Docx:
    tmp = tmp_path_factory.mktemp("docx")
    out = tmp / "book.docx"
    write_docx(make_book(tmp), out, STYLES)
    return Docx(out)


def _style(styles, style_id: str):
    return styles.find(f"w:style[@w:styleId='{style_id}']", NS)


def _field_instructions(root) -> list[str]:
    return [t.text.strip() for t in root.iter(w("instrText"))]


# ---------------------------------------------------------------- direction


def test_it_has_cover_contents_and_one_section_per_part(built):
    assert len(built.sections()) == 4


def test_arabic_paragraphs_are_bidi_and_their_runs_rtl(built):
    blocks, _ = built.sections()[2]
    paragraphs = [p for b in blocks for p in ([b] if b.tag == w("p") else b.iter(w("p")))]
    assert paragraphs
    for p in paragraphs:
        style = p.find("w:pPr/w:pStyle", NS)
        if style is not None and style.get(w("val")) == "TableNumber":
            # numbers are a left-to-right island, aligned by place value
            assert p.find("w:pPr/w:bidi", NS).get(w("val")) == "0"
            continue
        assert p.find("w:pPr/w:bidi", NS) is not None
        for r in p.iter(w("r")):
            if r.find("w:t", NS) is not None:
                assert r.find("w:rPr/w:rtl", NS) is not None


def test_english_part_has_no_bidi_and_no_rtl(built):
    """In an Arabic book (right-to-left styles) the English part says left-to-right."""
    blocks, _ = built.sections()[3]
    for b in blocks:
        assert all(e.get(w("val")) == "0" for e in b.iter(w("bidi"))), etree.tostring(b)[:200]
        assert all(e.get(w("val")) == "0" for e in b.iter(w("rtl")))
        assert all(e.get(w("val")) == "0" for e in b.iter(w("bidiVisual")))


def test_sections_carry_bidi_for_arabic_parts_only(built):
    sects = [s for _, s in built.sections()]
    assert [s.find("w:bidi", NS) is not None for s in sects] == [True, True, True, False]
    for s in sects:
        size = s.find("w:pgSz", NS)
        assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")   # A4
        # the model's page geometry, which the PDF lays out too (twips: mm × 1440 / 25.4); an
        # Arabic book binds on the right: the inside margin is w:right of odd pages
        margins = s.find("w:pgMar", NS)
        page = page_geometry("A4")
        assert {k: int(margins.get(w(k))) for k in ("top", "bottom", "left", "right", "gutter")} \
            == {"top": round(page.top * 1440 / 25.4), "bottom": round(page.bottom * 1440 / 25.4),
                "right": round(page.inside * 1440 / 25.4), "left": round(page.outside * 1440 / 25.4),
                "gutter": 0}
        assert s.find("w:pgNumType", NS).get(w("fmt")) == "decimal"
    settings = built.xml("word/settings.xml")
    assert settings.find("w:mirrorMargins", NS) is not None


def test_arabic_indic_editions_number_pages_with_hindi_digits(tmp_path):
    book = make_book(tmp_path, digits="arabic-indic")
    out = tmp_path / "h.docx"
    write_docx(book, out, STYLES)
    doc = Docx(out)
    # the Arabic sections in Hindi digits, the English annex (the last section) in Western ones:
    # its page numbers and its footnotes (§17.11.12, a section's own w:footnotePr)
    fmts = [s.find("w:pgNumType", NS).get(w("fmt")) for _, s in doc.sections()]
    notes = [s.find("w:footnotePr/w:numFmt", NS).get(w("val")) for _, s in doc.sections()]
    assert fmts == notes == ["hindiNumbers"] * (len(fmts) - 1) + ["decimal"]
    caption_numbers = [t.text for t in doc.xml("word/document.xml").iter(w("t"))]
    assert "١" in caption_numbers  # the SEQ field's cached number


# ---------------------------------------------------------------- styles


def test_styles_carry_complex_script_fonts_sizes_and_language(built):
    styles = built.xml("word/styles.xml")
    normal = _style(styles, "Normal")
    assert normal.find("w:rPr/w:rFonts", NS).get(w("cs")) == "Amiri"
    assert normal.find("w:rPr/w:rFonts", NS).get(w("ascii")) == "Noto Serif"
    assert normal.find("w:rPr/w:szCs", NS) is not None
    assert normal.find("w:rPr/w:lang", NS).get(w("bidi")) == "ar-SA"
    h1 = _style(styles, "Heading1")
    assert h1.find("w:rPr/w:rFonts", NS).get(w("cs")) == "Noto Sans Arabic"
    assert h1.find("w:rPr/w:bCs", NS) is not None
    assert h1.find("w:pPr/w:outlineLvl", NS).get(w("val")) == "0"
    for sid in ("Title", "Subtitle", "Heading2", "Heading3", "Quote", "Aside", "Signature",
                "Note", "Caption", "Source", "FootnoteText", "FootnoteReference", "TOC1",
                "TOCHeading", "Header", "Footer", "BriefingTable", "ListParagraph"):
        assert _style(styles, sid) is not None, sid
    assert _style(styles, "Aside").find("w:pPr/w:pBdr", NS) is not None
    assert not list(styles.iter(w("spacing"))) or all(
        s.getparent().tag != w("rPr") for s in styles.iter(w("spacing")))  # no letter-spacing


def test_runs_name_styles_and_do_not_repeat_fonts(built):
    for part in ("word/document.xml", "word/footnotes.xml"):
        root = built.xml(part)
        for tag in ("sz", "szCs", "lang", "b", "bCs", "jc"):
            assert not list(root.iter(w(tag))), (part, tag)
        # a run names a font only for signs its style's font has no glyph for («(» in Noto Sans
        # Arabic), and then a bundled one, in every slot
        for fonts in root.iter(w("rFonts")):
            run = fonts.getparent().getparent()
            text = "".join(t.text or "" for t in run.iter(w("t")))
            assert text and all(unicodedata.category(c)[0] in "PSZ" for c in text), text
            assert {fonts.get(w(slot)) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} <= {
                "Amiri", "Noto Sans", "Noto Serif", "Noto Sans Arabic"}
    doc = built.xml("word/document.xml")
    styles = {s.get(w("val")) for s in doc.iter(w("rStyle"))}
    assert {"Strong", "Emphasis", "Hyperlink", "FootnoteReference"} <= styles


# ---------------------------------------------------------------- blocks


def test_headings_print_their_number_and_part_titles_are_heading_1(built):
    doc = built.xml("word/document.xml")
    heads = {}
    for p in doc.iter(w("p")):
        style = p.find("w:pPr/w:pStyle", NS)
        if style is not None and style.get(w("val")).startswith("Heading"):
            heads.setdefault(style.get(w("val")), []).append(
                "".join(t.text for t in p.iter(w("t"))))
    assert heads["Heading1"] == ["الأهمية الاستراتيجية", "Annex: US strategy"]
    assert heads["Heading2"][0] == "أولاً: نبذة عن دول آسيا الوسطى"
    # «2.1» is Word list numbering (the ordinal word stays text, counted at level 0)
    assert heads["Heading3"] == ["الصادرات"]
    numbering = built.xml("word/numbering.xml")

    def level_text(p):
        num_id = p.find("w:pPr/w:numPr/w:numId", NS).get(w("val"))
        ilvl = p.find("w:pPr/w:numPr/w:ilvl", NS).get(w("val"))
        abstract = numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS).get(w("val"))
        return numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract}']"
                              f"/w:lvl[@w:ilvl='{ilvl}']/w:lvlText", NS).get(w("val"))

    styled = [(p.find("w:pPr/w:pStyle", NS).get(w("val")), p) for p in doc.iter(w("p"))
              if p.find("w:pPr/w:pStyle", NS) is not None]
    assert [level_text(p) for st, p in styled if st == "Heading3"] == ["%1.%2"]
    assert level_text(next(p for st, p in styled if st == "Heading2")) == ""


def test_lists_use_numbering_definitions(built):
    numbering = built.xml("word/numbering.xml")
    lists = [a for a in numbering.iterfind("w:abstractNum", NS)  # not the headings' numbering
             if a.find("w:multiLevelType", NS).get(w("val")) == "hybridMultilevel"]
    fmts = {a.find("w:lvl[@w:ilvl='0']/w:numFmt", NS).get(w("val")) for a in lists}
    assert fmts == {"bullet", "decimal"}
    ids = {a.get(w("abstractNumId")) for a in lists}
    starts = [s.get(w("val")) for n in numbering.iterfind("w:num", NS)
              if n.find("w:abstractNumId", NS).get(w("val")) in ids
              for s in n.iter(w("startOverride"))]
    assert starts == ["1", "3"]
    doc = built.xml("word/document.xml")
    num_prs = [n for n in doc.iter(w("numPr")) if not n.getparent().find(
        "w:pStyle", NS).get(w("val")).startswith("Heading")]
    assert len(num_prs) == 7
    assert {n.find("w:ilvl", NS).get(w("val")) for n in num_prs} == {"0", "1"}


def test_quotes_and_divs_are_paragraph_styles(built):
    doc = built.xml("word/document.xml")
    used = {s.get(w("val")) for s in doc.iter(w("pStyle"))}
    assert {"Quote", "Aside", "Signature", "Note", "Caption", "Source", "Figure",
            "ListParagraph", "Title", "Subtitle", "TOCHeading"} <= used


def test_tables_are_real_tables_right_to_left_in_arabic(built):
    doc = built.xml("word/document.xml")
    tables = list(doc.iter(w("tbl")))
    assert len(tables) == 2
    ar, en = tables
    for t in tables:
        assert t.find("w:tblPr/w:tblStyle", NS).get(w("val")) == "BriefingTable"
        first_row = t.find("w:tr", NS)
        assert first_row.find("w:trPr/w:tblHeader", NS) is not None
        assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in t.findall("w:tr", NS)[1:])
    assert ar.find("w:tblPr/w:bidiVisual", NS).get(w("val")) is None
    # said outright: LibreOffice lays a table without it out right to left in an Arabic book
    assert en.find("w:tblPr/w:bidiVisual", NS).get(w("val")) == "0"
    # numeric columns: the same style in every body row
    rows = ar.findall("w:tr", NS)[1:]
    styles = [[tc.find("w:p/w:pPr/w:pStyle", NS).get(w("val")) for tc in r.findall("w:tc", NS)]
              for r in rows]
    assert styles == [["TableText", "TableNumber", "TableNumber"]] * 2
    table_number = _style(built.xml("word/styles.xml"), "TableNumber")
    assert table_number.find("w:pPr/w:jc", NS).get(w("val")) == "right"


def test_captions_number_with_seq_fields_inside_bookmarks(built):
    doc = built.xml("word/document.xml")
    captions = [p for p in doc.iter(w("p"))
                if p.find("w:pPr/w:pStyle[@w:val='Caption']", NS) is not None]
    assert len(captions) == 3
    seqs = []
    for p in captions:
        children = list(p)
        # the label's bookmark, inside the caption's source bookmark (_Src_)
        start = next(b for b in p.findall("w:bookmarkStart", NS)
                     if b.get(w("name")).startswith("_Ref_"))
        end = next(b for b in p.findall("w:bookmarkEnd", NS) if b.get(w("id")) == start.get(w("id")))
        inside = children[children.index(start):children.index(end)]
        instr = [t.text.strip() for c in inside for t in c.iter(w("instrText"))]
        assert len(instr) == 1 and instr[0].startswith("SEQ ")
        seqs.append(instr[0])
    assert seqs == ["SEQ شكل \\* ARABIC", "SEQ جدول \\* ARABIC", "SEQ جدول \\* ARABIC"]


def test_cross_references_are_ref_fields_to_existing_bookmarks(built):
    doc = built.xml("word/document.xml")
    bookmarks = {b.get(w("name")) for b in doc.iter(w("bookmarkStart"))}
    refs = [i for i in _field_instructions(doc) if i.startswith("REF ")]
    assert len(refs) == 4
    for ref in refs:
        assert ref.split()[1] in bookmarks
    # the cached result of each REF is the model's label
    texts = []
    for instr in doc.iter(w("instrText")):
        if instr.text.strip().startswith("REF "):
            run = instr.getparent()
            while run.find("w:fldChar[@w:fldCharType='separate']", NS) is None:
                run = run.getnext()
            texts.append(run.getnext().find("w:t", NS).text)
    assert texts == ["شكل 1", "جدول 1", "ثانياً", "Table 2"]


def test_figures_are_inline_pictures_with_alt_text(built):
    doc = built.xml("word/document.xml")
    doc_prs = list(doc.iter(f"{{{NS['wp']}}}docPr"))
    assert [d.get("descr") for d in doc_prs] == ["رسم بياني لعدد السكان"]
    extent = next(doc.iter(f"{{{NS['wp']}}}extent"))
    assert int(extent.get("cx")) == 120 * 36000
    assert any(n.startswith("word/media/") for n in built.names)


def test_a_figure_without_its_image_is_refused(tmp_path):
    with pytest.raises(ValueError, match="population"):
        write_docx(make_book(tmp_path, with_image=False), tmp_path / "x.docx", STYLES)


def test_footnote_numbers_must_follow_document_order(tmp_path):
    book = make_book(tmp_path)
    ar = book.parts[0]
    late = _p("x", Footnote(7, "7", (_p("y"),)))
    book = dataclasses.replace(book, parts=(dataclasses.replace(ar, blocks=ar.blocks + (late,)),
                                            book.parts[1]))
    with pytest.raises(ValueError, match="footnote numbered 7"):
        write_docx(book, tmp_path / "x.docx", STYLES)


def test_a_label_in_another_language_links_instead_of_ref(tmp_path):
    book = make_book(tmp_path)
    en = book.parts[1]
    cite = _p("See ", CrossRef("indicators", "table", "Table 1", _at(30)), ".")
    book = dataclasses.replace(book, parts=(book.parts[0], dataclasses.replace(
        en, blocks=en.blocks + (cite,))))
    write_docx(book, tmp_path / "l.docx", STYLES)
    doc = Docx(tmp_path / "l.docx").xml("word/document.xml")
    links = [h for h in doc.iter(w("hyperlink")) if h.get(w("anchor")) == "_Ref_indicators"]
    assert ["".join(t.text for t in h.iter(w("t"))) for h in links] == ["Table 1"]


def test_sources_follow_figures_and_tables(built):
    doc = built.xml("word/document.xml")
    sources = ["".join(t.text for t in p.iter(w("t"))) for p in doc.iter(w("p"))
               if p.find("w:pPr/w:pStyle[@w:val='Source']", NS) is not None]
    assert sources == ["المصدر: البنك الدولي", "المصدر: صندوق النقد الدولي", "Source: IMF"]


# ---------------------------------------------------------------- footnotes, contents, pages


def test_footnotes_are_real_word_footnotes(built):
    assert "word/footnotes.xml" in built.names
    types = built.zip.read("[Content_Types].xml").decode()
    assert "wordprocessingml.footnotes+xml" in types
    rels = built.zip.read("word/_rels/document.xml.rels").decode()
    assert "relationships/footnotes" in rels
    notes = built.xml("word/footnotes.xml")
    ids = [int(f.get(w("id"))) for f in notes.iterfind("w:footnote", NS)]
    assert ids == [-1, 0, 1, 2, 3]
    refs = [int(r.get(w("id"))) for r in built.xml("word/document.xml").iter(
        w("footnoteReference"))]
    assert refs == [1, 2, 3]
    for f in notes.iterfind("w:footnote", NS):
        if int(f.get(w("id"))) > 0:
            assert f.find(".//w:footnoteRef", NS) is not None
            assert f.find("w:p/w:pPr/w:pStyle", NS).get(w("val")) == "FootnoteText"
    arabic_note = notes.find("w:footnote[@w:id='1']/w:p", NS)
    assert arabic_note.find("w:pPr/w:bidi", NS) is not None
    english_note = notes.find("w:footnote[@w:id='3']/w:p", NS)
    assert english_note.find("w:pPr/w:bidi", NS).get(w("val")) == "0"
    settings = built.xml("word/settings.xml")
    assert [f.get(w("id")) for f in settings.iterfind("w:footnotePr/w:footnote", NS)] == [
        "-1", "0"]


def test_contents_is_a_toc_field_updated_on_opening(built):
    doc = built.xml("word/document.xml")
    instr = _field_instructions(doc)
    assert instr[0] == 'TOC \\o "1-3" \\h \\z \\u'
    assert sum(i.startswith("PAGEREF ") for i in instr) == 6
    settings = built.xml("word/settings.xml")
    assert settings.find("w:updateFields", NS).get(w("val")) == "true"


def test_headers_name_the_part_and_footers_number_the_page(built):
    headers = sorted(n for n in built.names if n.startswith("word/header"))
    footers = sorted(n for n in built.names if n.startswith("word/footer"))
    texts = ["".join(t.text for t in built.xml(h).iter(w("t"))) for h in headers]
    assert set(texts) == {"المحتويات", "الأهمية الاستراتيجية", "Annex: US strategy"}
    assert footers
    for f in footers:
        assert "PAGE" in _field_instructions(built.xml(f))
    # every section after the cover names its footer (LibreOffice does not inherit one)
    sections = list(built.xml("word/document.xml").iter(w("sectPr")))
    assert all(s.find(w("footerReference")) is not None for s in sections[1:])


# ---------------------------------------------------------------- package


def test_core_properties_come_from_the_edition_only(built):
    core = built.xml("docProps/core.xml")
    assert core.find("dc:title", NS).text == "القمة الخليجية – آسيا الوسطى"
    assert core.find("dc:subject", NS).text == "الملف الإعلامي"
    assert core.find("dc:creator", NS).text == "الأمانة العامة"
    assert core.find("dc:language", NS).text == "ar-SA"
    assert core.find("dcterms:created", NS).text.startswith("2023-07-19")
    assert core.find("dcterms:modified", NS).text.startswith("2023-07-19")
    for absent in ("cp:lastModifiedBy", "cp:revision", "cp:lastPrinted"):
        assert core.find(absent, NS) is None
    assert "docProps/app.xml" not in built.names
    assert not list(built.xml("word/settings.xml").iter(w("rsids")))


def test_the_same_book_gives_the_same_bytes(tmp_path):
    book = make_book(tmp_path)
    write_docx(book, tmp_path / "a.docx", STYLES)
    write_docx(book, tmp_path / "b.docx", STYLES)
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    info = zipfile.ZipFile(tmp_path / "a.docx").infolist()
    assert {i.date_time for i in info} == {(2023, 7, 19, 0, 0, 0)}
    assert info[0].filename == "[Content_Types].xml"


def test_edition_fonts_replace_the_template_fonts(tmp_path):
    book = make_book(tmp_path)
    fonts = Fonts("Scheherazade New", "Noto Kufi Arabic", "Noto Sans")
    book = dataclasses.replace(book, meta=dataclasses.replace(book.meta, fonts=fonts))
    write_docx(book, tmp_path / "f.docx", STYLES)
    styles = Docx(tmp_path / "f.docx").xml("word/styles.xml")
    assert _style(styles, "Normal").find("w:rPr/w:rFonts", NS).get(w("cs")) == \
        "Scheherazade New"
    assert _style(styles, "Heading1").find("w:rPr/w:rFonts", NS).get(w("cs")) == \
        "Noto Kufi Arabic"
    assert _style(styles, "Normal").find("w:rPr/w:rFonts", NS).get(w("ascii")) == "Noto Sans"


def test_the_reference_template_is_reproducible(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_ref", STYLES / "make_reference_docx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path / "reference.docx")
    assert (tmp_path / "reference.docx").read_bytes() == (STYLES / "reference.docx").read_bytes()


# ---------------------------------------------------------------- rendered by LibreOffice


@pytest.mark.skipif(not (shutil.which("libreoffice") or shutil.which("soffice"))
                    or not shutil.which("pdftotext"),
                    reason="LibreOffice or pdftotext (poppler-utils) is not installed")
def test_libreoffice_renders_headings_tables_and_footnotes(built, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    profile = tmp_path / "profile"
    subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(built.path)],
                   check=True, timeout=180, capture_output=True)
    pdf = tmp_path / "book.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout
    for expected in ("Annex: US strategy", "Overview", "كازاخستان", "225.5", "Kazakhstan",
                     "84.4", "An English footnote.", "الحاشية الثانية", "التجارة"):
        assert expected in text, expected
    # the English table reads left to right: the country, then its value
    row = next(line for line in text.splitlines() if "Kazakhstan" in line and "84.4" in line)
    assert row.index("Kazakhstan") < row.index("84.4"), row
