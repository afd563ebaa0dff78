"""Reset ``styles/reference.docx``, the Word reference template the DOCX writer starts from.

How editors restyle the Word edition (no programming needed)
-------------------------------------------------------------
``reference.docx`` *is* the style sheet of the Word book: the writer copies its styles and only
names them (``Heading 2``, ``Aside``, ``Caption`` …), it never sets fonts or sizes itself. To
change the look:

1. Open ``styles/reference.docx`` in Word (or LibreOffice Writer).
2. In the Styles pane, right-click a style (e.g. *Heading 2*) → *Modify…*; change the font
   (set both the *Latin text* and the *Complex scripts* font: Arabic text uses the complex-script
   font and size), size, colour, spacing, borders. Do not rename styles: the writer finds them by
   name.
3. Save as ``reference.docx`` (Word document, .docx), in place. The next build uses it.

One set of styles serves Arabic and English parts: each style carries a Latin font (used for
Latin letters, e.g. in English annexes) and a complex-script font with its own size (used for
Arabic), and alignment is logical (Word's "left"/"right" mean start/end in a right-to-left
paragraph). The writer marks the paragraphs of an Arabic part right-to-left (``w:bidi``, like
Word's "Right-to-left text direction" button) and those of an English part not, so restyling
*Heading 2* restyles both languages, and no "… EN" duplicate styles can drift apart.

Colours, heading sizes and the table header come from ``styles/identity.yaml``, shared with the
PDF (``book.css``) and the charts: change them there and run this script, so the two books stay
one publication. The writer then makes the styles of an Arabic book right-to-left, and embeds
the fonts the styles name (:mod:`briefing.oxml_fonts`).

This script is only for resetting the template to the project's defaults (or after adding a
style the writer needs, or changing identity.yaml). It is deterministic: running it twice gives
the same bytes.

    python styles/make_reference_docx.py            # writes styles/reference.docx
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from briefing.writers.docx import oxml, oxml_fonts  # noqa: E402
from briefing.identity import load_identity, word_color  # noqa: E402

HERE = Path(__file__).resolve().parent

# The edition defaults (docs/sources.md, ``fonts:``); the writer swaps them for an edition's own.
BODY_FONT = "Amiri"
HEADING_FONT = "Noto Sans Arabic"
LATIN_FONT = "Noto Serif"

# colours and sizes shared with book.css and the charts (styles/identity.yaml)
IDENTITY = load_identity(HERE)
INK, ACCENT, ACCENT_LIGHT, RULE, MUTED, SOFT = (word_color(IDENTITY.colors[k]) for k in (
    "ink", "accent", "accent_light", "rule", "muted", "soft"))
H1, H2, H3 = (IDENTITY.heading_sizes[level] for level in (1, 2, 3))
H1_COLOR, H2_COLOR, H3_COLOR = (word_color(IDENTITY.heading_colors[level]) for level in (1, 2, 3))
# twips of space after a table's source line (or after a table without one: see the writer)
TABLE_AFTER = round(IDENTITY.table_space_after * 20)
A4_TEXT_WIDTH = 9411   # twips (166 mm); the writer moves TOC tab stops to its paper's width

STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
# Word's own style ids for its built-in styles (python-docx would derive "toc1" from "toc 1")
WORD_STYLE_IDS = {"toc 1": "TOC1", "toc 2": "TOC2", "toc 3": "TOC3",
                  "footnote text": "FootnoteText", "footnote reference": "FootnoteReference",
                  "TOC Heading": "TOCHeading", "Header": "Header", "Footer": "Footer"}

# Styles Word knows by these names (no customStyle flag, so Word maps them to its own)
WORD_BUILT_IN = {"Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Paragraph",
                 "Quote", "Signature", "Date", "Caption", "footnote text",
                 "footnote reference", "toc 1", "toc 2", "toc 3", "TOC Heading", "Header",
                 "Footer", "Strong", "Emphasis", "Hyperlink"}

P, C, T = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE

# name, type, based on, next, (Latin size, Arabic size), options
# Sizes are points; Arabic (complex-script) sizes are larger because Amiri has a small x-height.
STYLES: list[tuple[str, WD_STYLE_TYPE, str | None, dict]] = [
    ("Normal", P, None, dict(size=(11, 14), jc="both", after=120, line=264, color=INK, q=True)),
    ("Title", P, "Normal", dict(size=(28, 32), bold=True, jc="center", after=240,
                                heading_font=True, color=ACCENT, q=True)),
    ("Subtitle", P, "Normal", dict(size=(16, 20), jc="center", after=480, heading_font=True,
                                   q=True)),
    ("Author", P, "Normal", dict(size=(14, 16), jc="center", after=120, heading_font=True)),
    ("Date", P, "Normal", dict(size=(12, 14), jc="center", after=120)),
    # heading sizes are the PDF's for both scripts (identity.yaml)
    ("Heading 1", P, "Normal", dict(size=(H1, H1), bold=True, jc="left", before=0, after=240,
                                    keep_next=True, keep_lines=True, outline=0, rule=12,
                                    heading_font=True, color=H1_COLOR, q=True)),
    ("Heading 2", P, "Normal", dict(size=(H2, H2), bold=True, jc="left", before=240,
                                    after=120, keep_next=True, keep_lines=True, outline=1,
                                    heading_font=True, color=H2_COLOR, q=True)),
    ("Heading 3", P, "Normal", dict(size=(H3, H3), bold=True, jc="left", before=180,
                                    after=80, keep_next=True, keep_lines=True, outline=2,
                                    heading_font=True, color=H3_COLOR, q=True)),
    ("List Paragraph", P, "Normal", dict(start=720, after=60, contextual=True, q=True)),
    ("Quote", P, "Normal", dict(start=567, end=567, color=SOFT, q=True)),
    ("Aside", P, "Normal", dict(start=170, end=170, size=(10, 13), box=True, q=True)),
    ("Signature", P, "Normal", dict(jc="right", after=0, keep_lines=True, keep_next=True,
                                    bold=True)),
    ("Note", P, "Normal", dict(size=(9.5, 12), color=SOFT)),
    ("Caption", P, "Normal", dict(size=(10.5, 10.5), bold=True, jc="left", before=120,
                                  after=80, keep_next=True, heading_font=True, q=True)),
    ("Figure", P, "Normal", dict(jc="center", after=40, keep_next=True, line=240)),
    ("Source", P, "Normal", dict(size=(8.5, 11), jc="left", before=60, after=TABLE_AFTER,
                                 color=MUTED)),
    # one size for Latin and Arabic text, as the PDF's tables (10.5 pt, styles/book.css)
    ("Table Text", P, "Normal", dict(size=(10.5, 10.5), jc="left", after=0, line=240)),
    ("Table Heading", P, "Table Text", dict(jc="center", bold=True, heading_font=True,
                                            keep_next=True,
                                            color=word_color(IDENTITY.table_header_text))),
    # Numbers are left-to-right text: the writer leaves these paragraphs left-to-right, so
    # "right" is the visual right in Arabic and English tables alike and digits line up by
    # place value.
    ("Table Number", P, "Table Text", dict(jc="right")),
    ("footnote text", P, "Normal", dict(size=(9, 11.5), after=40, line=240, hidden=True)),
    ("TOC Heading", P, "Heading 1", dict(outline=9, hidden=True)),
    ("toc 1", P, "Normal", dict(bold=True, before=120, after=40, jc="left", tab=True,
                                hidden=True)),
    ("toc 2", P, "Normal", dict(start=360, after=20, jc="left", tab=True, hidden=True)),
    ("toc 3", P, "Normal", dict(start=720, after=20, jc="left", size=(10, 13), tab=True,
                                hidden=True)),
    ("Header", P, "Normal", dict(size=(9, 11), jc="center", after=0, color=MUTED, rule=4,
                                 hidden=True)),
    ("Footer", P, "Normal", dict(size=(9, 11), jc="center", after=0, hidden=True)),
    ("Strong", C, None, dict(bold=True, q=True)),
    ("Emphasis", C, None, dict(italic=True, q=True)),
    ("Strong Emphasis", C, "Strong", dict(italic=True)),
    # code is set in the Latin font, as in the PDF (no monospace font is bundled)
    ("Verbatim Char", C, None, dict(size=(9.5, 12))),
    ("Hyperlink", C, None, dict(color=ACCENT, underline=True, hidden=True)),
    ("footnote reference", C, None, dict(superscript=True, hidden=True)),
    ("Briefing Table", T, None, dict(q=True)),
]


def build(out: Path) -> None:
    doc = Document()  # python-docx's default package, stripped below
    package = doc.part.package

    # Step 1 - a clean package: no thumbnail, custom XML, web settings, app.xml or 2010 effects
    for rels in (package.rels, doc.part.rels):
        for r_id, rel in sorted(rels.items()):
            if rel.reltype in (RT.THUMBNAIL, RT.CUSTOM_XML, RT.WEB_SETTINGS,
                               RT.EXTENDED_PROPERTIES, STYLES_WITH_EFFECTS):
                rels.pop(r_id)
    oxml.clear_children(doc.part.numbering_part.element)
    settings = doc.settings.element
    oxml.remove_children(settings, ("w:rsids", "w:proofState", "w:attachedTemplate",
                                    "w:savePreviewPicture", "w:zoom", "m:mathPr"))
    # a current Word document, its theme in the book's fonts and languages
    oxml.set_compatibility(settings, 15)
    oxml.set_theme_font_lang(settings, "en-GB", "ar-SA")
    oxml_fonts.set_theme_fonts(doc, heading=(LATIN_FONT, HEADING_FONT),
                               body=(LATIN_FONT, BODY_FONT))
    for el in list(settings):
        if el.tag.endswith("}docId"):
            settings.remove(el)

    # Step 2 - styles: start from nothing but the defaults every document has
    styles_el = doc.styles.element
    oxml.remove_styles(styles_el, keep=("Normal", "DefaultParagraphFont", "TableNormal",
                                        "NoList"))
    oxml.remove_children(doc.styles["Normal"].element, ("w:rsid",))
    oxml.doc_defaults(styles_el, ascii=LATIN_FONT, cs=BODY_FONT, size=11, size_cs=14,
                      lang="en-GB", lang_bidi="ar-SA")
    for name, kind, based_on, opt in STYLES:
        style = doc.styles[name] if name == "Normal" else doc.styles.add_style(
            name, kind, builtin=name in WORD_BUILT_IN)
        if based_on:
            style.base_style = doc.styles[based_on]
        if name in WORD_STYLE_IDS:
            style.style_id = WORD_STYLE_IDS[name]
        _style(style.element, name, kind, opt)
        if kind == P and name != "Normal":
            style.next_paragraph_style = doc.styles["Normal"]

    # the font table names the fonts the styles use, and nothing else (the writer embeds them)
    oxml_fonts.embed_fonts(doc, HERE / "fonts", embed=False)

    # Step 3 - an empty body (the writer fills it) and neutral core properties
    oxml.clear_body(doc.element.body)
    doc.element.body.append(oxml.sect_pr(
        width=11906, height=16838, top=1418, bottom=1247, inner=1418, outer=1134, gutter=0,
        header=680, footer=567, bidi=True, bound_right=True, page_format="decimal"))
    core = doc.core_properties
    core.author = ""
    core.comments = ""
    core.title = "Briefing reference template"
    core.created = core.modified = dt.datetime(2023, 1, 1)
    oxml.strip_core_properties(core._element)

    with open(out, "wb") as f:
        oxml.write_deterministic_zip(oxml.package_members(doc.part.package), f,
                                     (2023, 1, 1, 0, 0, 0))


def _style(el, name: str, kind, opt: dict) -> None:
    """Fill one style. Only Normal names the body fonts and languages; the others inherit
    them (so restyling Normal restyles the book) unless they use the heading or code font."""
    size = opt.get("size")
    if opt.get("heading_font"):
        oxml.style_font_slots(el, ascii=LATIN_FONT, cs=HEADING_FONT)
    elif name == "Normal":
        oxml.style_font_slots(el, ascii=LATIN_FONT, cs=BODY_FONT)
    if name == "Normal" or opt.get("bold") or opt.get("italic") or size or opt.get("color") \
            or opt.get("underline") or opt.get("superscript"):
        oxml.rpr_props(el, size=size[0] if size else None, size_cs=size[1] if size else None,
                       bold=opt.get("bold", False), italic=opt.get("italic", False),
                       color=opt.get("color"), underline=opt.get("underline", False),
                       superscript=opt.get("superscript", False),
                       lang="en-GB" if name == "Normal" else None,
                       lang_bidi="ar-SA" if name == "Normal" else None)
    if kind == P:
        oxml.ppr_props(el, jc=opt.get("jc"), before=opt.get("before"), after=opt.get("after"),
                       line=opt.get("line"), start=opt.get("start"), end=opt.get("end"),
                       keep_next=opt.get("keep_next", False),
                       keep_lines=opt.get("keep_lines", False), outline=opt.get("outline"),
                       contextual=opt.get("contextual", False))
        if opt.get("box"):
            oxml.paragraph_box(el, color=RULE, fill=ACCENT_LIGHT)
        if opt.get("rule"):
            oxml.paragraph_rule_below(el, color=RULE, sz=opt["rule"])
        if opt.get("tab"):
            oxml.tab_stop(el, pos=A4_TEXT_WIDTH)
    if kind == T:
        oxml.table_style_props(el, rule_color=RULE,
                               header_fill=word_color(IDENTITY.table_header_fill),
                               header_color=word_color(IDENTITY.table_header_text))
    oxml.style_flags(el, q_format=opt.get("q", False), semi_hidden=opt.get("hidden", False))


if __name__ == "__main__":
    target = HERE / "reference.docx"
    build(target)
    print(f"wrote {target}")
