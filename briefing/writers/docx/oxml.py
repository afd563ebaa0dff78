"""Raw OOXML for the Word writer: every element python-docx has no proxy for, built in one place.

In: values (ids, names, twips, booleans). Out: ``lxml`` elements (python-docx ``BaseOxmlElement``
subclasses where python-docx registers one) or changes to an element handed in. Nothing here knows
about the briefing model; :mod:`briefing.docx` decides *what* to write and calls these to write it.

Names follow ECMA-376 Part 1 (WordprocessingML, §17): ``bidi`` (§17.3.1.6), ``rtl`` (§17.3.2.30),
``fldChar``/``instrText`` (§17.16.18, §17.16.23), ``bookmarkStart`` (§17.13.6.2), ``footnotes``
(§17.11), ``abstractNum``/``num`` (§17.9), ``sectPr`` (§17.6.17), ``bidiVisual`` (§17.4.1),
``tblHeader`` (§17.4.49), ``updateFields`` (§17.15.1.90). The child order the schema requires is
declared once, in ``_ORDER``, and every insertion goes through :func:`_put`.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from typing import Iterable, Mapping

from docx.oxml import OxmlElement, parse_xml
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import nsdecls, qn

from ...fonts import USER_CACHE, prune_user_cache

# ---------------------------------------------------------------- child order (the schema's sequences)

_ORDER = {
    "w:pPr": (
        "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
        "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
        "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
        "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
        "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
        "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
        "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
    ),
    "w:rPr": (
        "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
        "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint",
        "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w",
        "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
        "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
        "w:eastAsianLayout", "w:specVanish", "w:oMath",
    ),
    "w:tblPr": (
        "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
        "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
        "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
        "w:tblDescription", "w:tblPrChange",
    ),
    "w:trPr": (
        "w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter",
        "w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden",
    ),
    "w:tcPr": (
        "w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
        "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
    ),
    "w:sectPr": (
        "w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type",
        "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType",
        "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
        "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange",
    ),
    "w:style": (
        "w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine", "w:hidden",
        "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked",
        "w:personal", "w:personalCompose", "w:personalReply", "w:rsid", "w:pPr", "w:rPr",
        "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr",
    ),
    "w:tblStylePr": ("w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr"),
    "w:docDefaults": ("w:rPrDefault", "w:pPrDefault"),
    "w:rPrDefault": ("w:rPr",),
    "w:pPrDefault": ("w:pPr",),
    "w:settings": (
        "w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation",
        "w:removeDateAndTime", "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape",
        "w:printPostScriptOverText", "w:printFractionalCharacterWidth", "w:printFormsData",
        "w:embedTrueTypeFonts", "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData",
        "w:mirrorMargins", "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader",
        "w:bordersDoNotSurroundFooter", "w:gutterAtTop", "w:hideSpellingErrors",
        "w:hideGrammaticalErrors", "w:activeWritingStyle", "w:proofState", "w:formsDesign",
        "w:attachedTemplate", "w:linkStyles", "w:stylePaneFormatFilter",
        "w:stylePaneSortMethod", "w:documentType", "w:mailMerge", "w:revisionView",
        "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
        "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme",
        "w:styleLockQFSet", "w:defaultTabStop", "w:autoHyphenation",
        "w:consecutiveHyphenLimit", "w:hyphenationZone", "w:doNotHyphenateCaps",
        "w:showEnvelope", "w:summaryLength", "w:clickAndTypeStyle", "w:defaultTableStyle",
        "w:evenAndOddHeaders", "w:bookFoldRevPrinting", "w:bookFoldPrinting",
        "w:bookFoldPrintingSheets", "w:drawingGridHorizontalSpacing",
        "w:drawingGridVerticalSpacing", "w:displayHorizontalDrawingGridEvery",
        "w:displayVerticalDrawingGridEvery", "w:doNotUseMarginsForDrawingGridOrigin",
        "w:drawingGridHorizontalOrigin", "w:drawingGridVerticalOrigin",
        "w:doNotShadeFormData", "w:noPunctuationKerning", "w:characterSpacingControl",
        "w:printTwoOnOne", "w:strictFirstAndLastChars", "w:noLineBreaksAfter",
        "w:noLineBreaksBefore", "w:savePreviewPicture", "w:doNotValidateAgainstSchema",
        "w:saveInvalidXml", "w:ignoreMixedContent", "w:alwaysShowPlaceholderText",
        "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly", "w:useXSLTWhenSaving",
        "w:saveThroughXslt", "w:showXMLTags", "w:alwaysMergeEmptyNamespace", "w:updateFields",
        "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
        "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
        "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
        "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
        "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
    ),
}


def _tag_name(el) -> str:
    """``w:pPr`` for an element in the main namespace (the keys of ``_ORDER``)."""
    for prefix in ("w", "m", "sl"):
        ns = qn(f"{prefix}:x")[:-1]
        if el.tag.startswith(ns):
            return f"{prefix}:{el.tag[len(ns):]}"
    return el.tag


def _put(parent, child, replace: bool = True):
    """Insert ``child`` into ``parent`` where the schema wants it (replacing one of its kind)."""
    order = _ORDER[_tag_name(parent)]
    name = _tag_name(child)
    if replace:
        for old in parent.findall(child.tag):
            parent.remove(old)
    later = order[order.index(name) + 1:]
    for i, existing in enumerate(parent):
        if _tag_name(existing) in later:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def _el(tag: str, **attrs) -> object:
    """``<w:tag w:attr="…"/>``; attribute names are given without prefix (``val``, ``fill``)."""
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}") if ":" not in key else qn(key), str(value))
    return el


def _get_or_add(parent, tag: str):
    found = parent.find(qn(tag))
    return found if found is not None else _put(parent, OxmlElement(tag))


def _pPr(p):
    return p.get_or_add_pPr()


def _rPr(r):
    return r.get_or_add_rPr()


# ---------------------------------------------------------------- direction (§17.3.1.6, §17.3.2.30)


def set_bidi(p) -> None:
    """Mark a paragraph (``w:p``) right-to-left: ``<w:pPr><w:bidi/></w:pPr>``."""
    _put(_pPr(p), _el("w:bidi"))


def set_rtl(r) -> None:
    """Mark a run (``w:r``) right-to-left: ``<w:rPr><w:rtl/></w:rPr>``."""
    _put(_rPr(r), _el("w:rtl"))


def set_complex_script(r) -> None:
    """``<w:cs/>``: the run uses its complex-script font and size although it holds no
    complex-script character (§17.3.2.7), e.g. digits set in the Arabic text's face."""
    _put(_rPr(r), _el("w:cs"))


def set_bold_italic(r, bold: bool, italic: bool) -> None:
    """Bold and/or italic on a run, for Latin and complex-script text alike (``w:b``/``w:bCs``,
    ``w:i``/``w:iCs``, §17.3.2)."""
    rpr = _rPr(r)
    for on, tags in ((bold, ("w:b", "w:bCs")), (italic, ("w:i", "w:iCs"))):
        if on:
            for tag in tags:
                _put(rpr, _el(tag))


def set_run_font(r, family: str) -> None:
    """Set a run's fonts (``w:rFonts``, every slot) to ``family``: for characters the style's
    font has no glyph for, which Word and LibreOffice would otherwise draw in a system font."""
    _put(_rPr(r), _fonts(family))


def _fonts(family: str):
    """``<w:rFonts>`` naming ``family`` in every slot (Latin, East Asian, complex script)."""
    return _el("w:rFonts", ascii=family, hAnsi=family, eastAsia=family, cs=family)


def default_fonts(styles) -> tuple[str | None, str | None]:
    """(ascii, cs) fonts of the document defaults (``w:docDefaults/w:rPrDefault``), if set."""
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    return style_fonts_of_rpr(rpr) if rpr is not None else (None, None)


def style_fonts_of_rpr(rpr) -> tuple[str | None, str | None]:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        return None, None
    return fonts.get(qn("w:ascii")), fonts.get(qn("w:cs"))


def set_ltr(p) -> None:
    """Mark a paragraph (``w:p``) left-to-right against a right-to-left style:
    ``<w:bidi w:val="0"/>`` (an English part in an Arabic book)."""
    _put(_pPr(p), _el("w:bidi", val=0))


def set_ltr_run(r) -> None:
    """Mark a run left-to-right against a right-to-left style: ``<w:rtl w:val="0"/>``."""
    _put(_rPr(r), _el("w:rtl", val=0))


def style_direction(style, rtl: bool) -> None:
    """A paragraph style's direction: ``w:bidi`` in its ``w:pPr`` (paragraph direction, and
    the logical meaning of start/end indents and alignment) and ``w:rtl`` in its ``w:rPr``
    (runs use the complex-script font and size). ``val="0"`` when not ``rtl``, so a style
    based on a right-to-left one is explicitly left-to-right. Also takes ``w:docDefaults``."""
    if _tag_name(style) == "w:docDefaults":
        ppr = _get_or_add(_get_or_add(style, "w:pPrDefault"), "w:pPr")
        rpr = _get_or_add(_get_or_add(style, "w:rPrDefault"), "w:rPr")
    else:
        ppr, rpr = _get_or_add(style, "w:pPr"), _get_or_add(style, "w:rPr")
    _put(ppr, _el("w:bidi") if rtl else _el("w:bidi", val=0))
    _put(rpr, _el("w:rtl") if rtl else _el("w:rtl", val=0))


def set_num_pr(p, num_id: int, ilvl: int) -> None:
    """Attach a paragraph to a list: ``<w:numPr><w:ilvl/><w:numId/></w:numPr>`` (§17.3.1.19)."""
    num_pr = OxmlElement("w:numPr")
    num_pr.append(_el("w:ilvl", val=ilvl))
    num_pr.append(_el("w:numId", val=num_id))
    _put(_pPr(p), num_pr)


# ---------------------------------------------------------------- runs: fields, marks, breaks


def _run(*children):
    r = OxmlElement("w:r")
    for child in children:
        r.append(child)
    return r


def _t(text: str, tag: str = "w:t"):
    t = OxmlElement(tag)
    t.text = text
    if text != text.strip() or "  " in text:
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return t


def field_runs(instr: str, cached: str) -> list:
    """A complex field (§17.16.18): begin, instruction, separate, cached result, end, as 5 runs.

    The cached result is what a reader sees before fields are updated (LibreOffice shows it,
    Word replaces it when it updates fields).
    """
    return [
        _run(_el("w:fldChar", fldCharType="begin")),
        _run(_t(f" {instr} ", "w:instrText")),
        _run(_el("w:fldChar", fldCharType="separate")),
        _run(_t(cached)),
        _run(_el("w:fldChar", fldCharType="end")),
    ]


def field_begin_runs(instr: str) -> list:
    """The opening half of a field whose result spans several paragraphs (a TOC)."""
    return [
        _run(_el("w:fldChar", fldCharType="begin")),
        _run(_t(f" {instr} ", "w:instrText")),
        _run(_el("w:fldChar", fldCharType="separate")),
    ]


def field_end_run():
    return _run(_el("w:fldChar", fldCharType="end"))


def tab_run():
    return _run(OxmlElement("w:tab"))


def footnote_reference_run(footnote_id: int):
    """``<w:r><w:footnoteReference w:id="n"/></w:r>``: where a footnote is anchored (§17.11.14)."""
    return _run(_el("w:footnoteReference", id=footnote_id))


def footnote_ref_mark_run():
    """``<w:r><w:footnoteRef/></w:r>``: the number at the start of a footnote's text (§17.11.13)."""
    return _run(OxmlElement("w:footnoteRef"))


def append_runs(p, runs: Iterable) -> list:
    """Append bare ``w:r`` elements to a paragraph; returns them (python-docx ``CT_R``)."""
    out = []
    for r in runs:
        p.append(r)
        out.append(r)
    return out


# ---------------------------------------------------------------- bookmarks, hyperlinks (§17.13.6, §17.16.22)


def bookmark_start(bookmark_id: int, name: str):
    return _el("w:bookmarkStart", id=bookmark_id, name=name)


def bookmark_end(bookmark_id: int):
    return _el("w:bookmarkEnd", id=bookmark_id)


def wrap_hyperlink(runs: list, r_id: str | None = None, anchor: str | None = None):
    """Move ``runs`` (consecutive children of one paragraph) into a ``w:hyperlink``."""
    if not runs:
        return None
    link = OxmlElement("w:hyperlink")
    if r_id is not None:
        link.set(qn("r:id"), r_id)
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
        link.set(qn("w:history"), "1")
    first = runs[0]
    first.addprevious(link)
    for r in runs:
        link.append(r)
    return link


# ---------------------------------------------------------------- tables (§17.4)


def set_bidi_visual(tbl, rtl: bool) -> None:
    """``<w:bidiVisual/>``: lay the table out right to left (first column on the right); with
    ``rtl`` false, ``w:val="0"`` says left to right outright, since LibreOffice otherwise lays an
    English table of an Arabic book out right to left (from the right-to-left document defaults)."""
    _put(tbl.tblPr, _el("w:bidiVisual") if rtl else _el("w:bidiVisual", val="0"))


def set_table_width_pct(tbl, fiftieths: int = 5000) -> None:
    """``<w:tblW w:type="pct">``: table width as a share of the text width (5000 = 100 %)."""
    _put(tbl.tblPr, _el("w:tblW", w=fiftieths, type="pct"))


def set_tbl_header(tr) -> None:
    """``<w:trPr><w:tblHeader/></w:trPr>``: repeat this row at the top of each page."""
    tr_pr = tr.get_or_add_trPr()
    _put(tr_pr, _el("w:tblHeader"))
    _put(tr_pr, _el("w:cantSplit"))


def set_cant_split(tr) -> None:
    _put(tr.get_or_add_trPr(), _el("w:cantSplit"))


def set_no_wrap(tc) -> None:
    """``<w:tcPr><w:noWrap/></w:tcPr>`` (§17.4.30): the cell's text stays on one line."""
    _put(tc.get_or_add_tcPr(), _el("w:noWrap"))


# ---------------------------------------------------------------- drawing (DrawingML docPr)


def set_alt_text(inline, descr: str) -> None:
    """``<wp:docPr descr="…">``: the picture's alternative text, read by screen readers."""
    inline.docPr.set("descr", descr)


# ---------------------------------------------------------------- sections (§17.6)


def sect_pr(*, width: int, height: int, top: int, bottom: int, inner: int, outer: int,
            gutter: int, header: int, footer: int, bidi: bool, bound_right: bool,
            page_format: str, title_page: bool = False, v_align: str | None = None,
            start_type: str = "nextPage", page_start: int | None = None):
    """A ``w:sectPr`` (sizes in twips).

    With mirrored margins (``w:mirrorMargins``, §17.15.1.57) odd pages take ``w:left`` and
    ``w:right`` as written and even pages swap them; LibreOffice reads them as the inside and
    outside margins of its right-hand (odd) pages. So a left-bound book writes the inside margin
    as ``w:left``, and a right-bound one (``bound_right``: Arabic, whose odd pages have the spine
    on their right) as ``w:right``; both readers then put it at the spine. A gutter is best given
    as 0 and added to ``inner``: LibreOffice keeps an ``w:rtlGutter`` on the right of every page.
    ``page_format`` (a ``w:numFmt`` value) numbers the section's pages and its footnotes."""
    s = OxmlElement("w:sectPr")
    footnotes = OxmlElement("w:footnotePr")  # §17.11.12: a section's own footnote numbering
    footnotes.append(_el("w:numFmt", val=page_format))
    _put(s, footnotes)
    _put(s, _el("w:type", val=start_type))
    _put(s, _el("w:pgSz", w=width, h=height))
    left, right = (outer, inner) if bound_right else (inner, outer)
    _put(s, _el("w:pgMar", top=top, right=right, bottom=bottom, left=left, header=header,
                footer=footer, gutter=gutter))
    num = _el("w:pgNumType", fmt=page_format)
    if page_start is not None:
        num.set(qn("w:start"), str(page_start))
    _put(s, num)
    _put(s, _el("w:cols", space=720))
    if v_align:
        _put(s, _el("w:vAlign", val=v_align))
    if title_page:
        _put(s, _el("w:titlePg"))
    if bidi:
        _put(s, _el("w:bidi"))
    if bound_right and gutter:
        _put(s, _el("w:rtlGutter"))
    return s


def attach_sect_pr(p, sect) -> None:
    """End a section at paragraph ``p``: its ``w:pPr`` carries the section's ``w:sectPr``."""
    _put(_pPr(p), sect)


def set_body_sect_pr(body, sect) -> None:
    """The last section's properties: the ``w:sectPr`` that closes ``w:body``."""
    for old in body.findall(qn("w:sectPr")):
        body.remove(old)
    body.append(sect)


def clear_body(body) -> None:
    for child in list(body):
        body.remove(child)


def last_paragraph(body):
    """The body's last block (before the final ``w:sectPr``) if it is a ``w:p`` not already
    ending a section, else None."""
    blocks = [child for child in body if child.tag != qn("w:sectPr")]
    if not blocks:
        return None
    last = blocks[-1]
    if last.tag != qn("w:p"):
        return None
    if last.pPr is not None and last.pPr.find(qn("w:sectPr")) is not None:
        return None
    return last


# ---------------------------------------------------------------- footnotes part (§17.11)

def footnotes_element(rtl: bool = False):
    """``<w:footnotes>`` with the two special footnotes Word requires: separator (-1) and
    continuation separator (0), which draw the short rule above the footnote area (on the right
    when their paragraphs are right-to-left)."""
    bidi = "<w:bidi/>" if rtl else ""
    return parse_xml(
        f"<w:footnotes {nsdecls('w', 'r')}>"
        f'<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>{bidi}'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "<w:r><w:separator/></w:r></w:p></w:footnote>"
        f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>{bidi}'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
        "</w:footnotes>")


def add_footnote(footnotes, footnote_id: int):
    """Append an empty ``<w:footnote w:id="n">`` and return it."""
    fn = _el("w:footnote", id=footnote_id)
    footnotes.append(fn)
    return fn


def new_paragraph(container):
    """Append an empty ``w:p`` to a container element (a footnote) and return it."""
    p = OxmlElement("w:p")
    container.append(p)
    return p


def add_text_run(p, text: str):
    """Append a run of ``text`` to paragraph element ``p`` and return its ``w:r``: what
    python-docx's ``Paragraph.add_run(text)`` writes (one ``w:t``, ``xml:space="preserve"``
    when the text starts or ends with a space), without its pass over every character, which
    only tabs and line breaks need (``w:tab``, ``w:br``: python-docx writes those)."""
    r = p.add_r()
    if "\t" in text or "\r" in text or "\n" in text:
        r.text = text
    elif text:
        r.add_t(text)
    return r


# ---------------------------------------------------------------- numbering (§17.9)

def abstract_num(abstract_id: int, ordered: bool, num_fmt: str = "decimal",
                 bullets: tuple[str, ...] = ("•",), step: int = 360):
    """An ``w:abstractNum`` with three levels. Indents are logical (``w:left`` is the start
    side: the right of a right-to-left paragraph, §17.3.1.12), so one definition serves both
    directions."""
    a = _el("w:abstractNum", abstractNumId=abstract_id)
    a.append(_el("w:multiLevelType", val="hybridMultilevel"))
    for ilvl in range(3):
        lvl = _el("w:lvl", ilvl=ilvl)
        lvl.append(_el("w:start", val=1))
        if ordered:
            # every level in the part's digits, as the PDF numbers nested lists (never Latin
            # letters in Arabic text)
            lvl.append(_el("w:numFmt", val=num_fmt))
            lvl.append(_el("w:lvlText", val=f"%{ilvl + 1}."))
        else:
            lvl.append(_el("w:numFmt", val="bullet"))
            lvl.append(_el("w:lvlText", val=bullets[min(ilvl, len(bullets) - 1)]))
        lvl.append(_el("w:lvlJc", val="left"))
        ppr = OxmlElement("w:pPr")
        _put(ppr, _el("w:ind", left=step * 2 * (ilvl + 1), hanging=step))
        lvl.append(ppr)
        a.append(lvl)
    return a


def heading_abstract_num(abstract_id: int, level_texts: tuple[str, ...], num_fmt: str,
                         hang: int = 800, fonts: tuple[str | None, ...] = ()):
    """An ``w:abstractNum`` for section headings: level ``i`` prints ``level_texts[i]``
    (``%1``, ``%1.%2``, ``(%2)``; ``""`` counts without printing) in ``num_fmt`` digits, then
    a tab to the title, ``hang`` twips from the heading's start; in the font ``fonts[i]`` where
    one is given (else the heading's)."""
    a = _el("w:abstractNum", abstractNumId=abstract_id)
    a.append(_el("w:multiLevelType", val="multilevel"))
    for ilvl, text in enumerate(level_texts):
        lvl = _el("w:lvl", ilvl=ilvl)
        # CT_Lvl's sequence: start, numFmt, lvlRestart, pStyle, isLgl, suff, lvlText, lvlJc
        lvl.append(_el("w:start", val=1))
        lvl.append(_el("w:numFmt", val=num_fmt))
        lvl.append(_el("w:suff", val="tab" if text else "nothing"))
        lvl.append(_el("w:lvlText", val=text))
        # The number is centred on a point ``hang / 2`` from the heading's start, the title
        # starts at ``hang``. Centred, because Word aligns a number "left" at the start side of
        # a right-to-left paragraph and LibreOffice 7.4 to the left of the point: only a centred
        # number falls in the same place, inside the text block, in both.
        lvl.append(_el("w:lvlJc", val="center" if text else "left"))
        ppr = OxmlElement("w:pPr")
        _put(ppr, _el("w:ind", left=hang, hanging=hang // 2) if text else
             _el("w:ind", left=0, firstLine=0))
        lvl.append(ppr)
        font = fonts[ilvl] if ilvl < len(fonts) else None
        if font:
            rpr = OxmlElement("w:rPr")
            rpr.append(_fonts(font))
            lvl.append(rpr)
        a.append(lvl)
    return a


def num(num_id: int, abstract_id: int, start: int | None = None, restart_levels: int = 0):
    """A ``w:num`` instance of an abstract definition, restarting at ``start`` if given."""
    n = _el("w:num", numId=num_id)
    n.append(_el("w:abstractNumId", val=abstract_id))
    if start is not None:
        override = _el("w:lvlOverride", ilvl=0)
        override.append(_el("w:startOverride", val=start))
        n.append(override)
    for ilvl in range(restart_levels):  # this instance counts from 1 (a part's headings)
        override = _el("w:lvlOverride", ilvl=ilvl)
        override.append(_el("w:startOverride", val=1))
        n.append(override)
    return n


def add_numbering(numbering, element) -> None:
    """Append to ``w:numbering``: every ``w:abstractNum`` before the first ``w:num``."""
    if element.tag == qn("w:abstractNum"):
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(element)
            return
    numbering.append(element)


def clear_children(el) -> None:
    for child in list(el):
        el.remove(child)


# ---------------------------------------------------------------- settings (§17.15)


def set_update_fields(settings) -> None:
    """``<w:updateFields w:val="true"/>``: Word refreshes the TOC, SEQ and REF fields on opening."""
    _put(settings, _el("w:updateFields", val="true"))


def set_compatibility(settings, mode: int = 15) -> None:
    """``w:compat`` of a current Word document (§17.15.1.21, [MS-DOCX] 2.3.2):
    ``compatibilityMode`` 15 (Word 2013 and later layout; 14 opens in "Compatibility Mode"), with
    the options Word 2013+ writes into a new document, and no East Asian layout leftovers."""
    compat = OxmlElement("w:compat")
    uri = "http://schemas.microsoft.com/office/word"
    for name, val in (("compatibilityMode", mode),
                      ("overrideTableStyleFontSizeAndJustification", 1),
                      ("enableOpenTypeFeatures", 1), ("doNotFlipMirrorIndents", 1),
                      ("differentiateMultirowTableHeaders", 1)):
        compat.append(_el("w:compatSetting", name=name, uri=uri, val=val))
    _put(settings, compat)


def set_theme_font_lang(settings, lang: str, bidi: str) -> None:
    """``<w:themeFontLang w:val w:bidi>`` (§17.15.1.88): the languages whose theme fonts apply."""
    _put(settings, _el("w:themeFontLang", val=lang, bidi=bidi))


def set_embed_true_type_fonts(settings) -> None:
    """``<w:embedTrueTypeFonts/>`` (§17.15.1.46): the document carries its fonts (see
    :mod:`briefing.oxml_fonts`); Word keeps them embedded when the editor saves."""
    _put(settings, _el("w:embedTrueTypeFonts"))


def set_mirror_margins(settings) -> None:
    """``<w:mirrorMargins/>``: inside and outside margins swap on facing pages."""
    _put(settings, _el("w:mirrorMargins"))


def set_footnote_pr(settings, num_fmt: str) -> None:
    """Document footnote properties: number format and the ids of the two separators."""
    pr = OxmlElement("w:footnotePr")
    pr.append(_el("w:numFmt", val=num_fmt))
    pr.append(_el("w:footnote", id=-1))
    pr.append(_el("w:footnote", id=0))
    _put(settings, pr)


def remove_children(el, tags: Iterable[str]) -> None:
    for tag in tags:
        for child in el.findall(qn(tag)):
            el.remove(child)


# ---------------------------------------------------------------- styles (§17.7)


def style_font_slots(style, *, ascii: str | None = None, cs: str | None = None) -> None:
    """Set a style's ``w:rFonts``: ``ascii``/``hAnsi`` (Latin) and ``cs`` (complex script)."""
    rpr = _get_or_add(style, "w:rPr")
    fonts = _get_or_add(rpr, "w:rFonts")
    if ascii:
        fonts.set(qn("w:ascii"), ascii)
        fonts.set(qn("w:hAnsi"), ascii)
    if cs:
        fonts.set(qn("w:cs"), cs)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def rpr_props(parent, *, size: float | None = None, size_cs: float | None = None,
              bold: bool = False, italic: bool = False, color: str | None = None,
              lang: str | None = None, lang_bidi: str | None = None,
              superscript: bool = False, underline: bool = False) -> None:
    """Complex-script-aware character properties on a style (or docDefaults) ``w:rPr``:
    ``w:b``+``w:bCs``, ``w:i``+``w:iCs``, ``w:sz``+``w:szCs`` (half-points), ``w:lang w:bidi``."""
    rpr = parent if _tag_name(parent) == "w:rPr" else _get_or_add(parent, "w:rPr")
    if bold:
        _put(rpr, _el("w:b"))
        _put(rpr, _el("w:bCs"))
    if italic:
        _put(rpr, _el("w:i"))
        _put(rpr, _el("w:iCs"))
    if color:
        _put(rpr, _el("w:color", val=color))
    if size is not None:
        _put(rpr, _el("w:sz", val=round(size * 2)))
    if size_cs is not None:
        _put(rpr, _el("w:szCs", val=round(size_cs * 2)))
    if underline:
        _put(rpr, _el("w:u", val="single"))
    if superscript:
        _put(rpr, _el("w:vertAlign", val="superscript"))
    if lang or lang_bidi:
        el = _el("w:lang")
        if lang:
            el.set(qn("w:val"), lang)
        if lang_bidi:
            el.set(qn("w:bidi"), lang_bidi)
        _put(rpr, el)


def ppr_props(style, *, jc: str | None = None, before: int | None = None,
              after: int | None = None, line: int | None = None, start: int | None = None,
              end: int | None = None, hanging: int | None = None, keep_next: bool = False,
              keep_lines: bool = False, outline: int | None = None,
              page_break_before: bool = False, widow: bool = True,
              contextual: bool = False) -> None:
    """Paragraph properties of a style. ``jc``, ``start`` and ``end`` are logical: OOXML's
    ``left``/``right`` mean start/end in a ``w:bidi`` paragraph (§17.3.1.13, §17.3.1.12)."""
    ppr = _get_or_add(style, "w:pPr")
    if keep_next:
        _put(ppr, _el("w:keepNext"))
    if keep_lines:
        _put(ppr, _el("w:keepLines"))
    if page_break_before:
        _put(ppr, _el("w:pageBreakBefore"))
    if widow:
        _put(ppr, _el("w:widowControl"))
    if before is not None or after is not None or line is not None:
        sp = _el("w:spacing")
        if before is not None:
            sp.set(qn("w:before"), str(before))
        if after is not None:
            sp.set(qn("w:after"), str(after))
        if line is not None:
            sp.set(qn("w:line"), str(line))
            sp.set(qn("w:lineRule"), "auto")
        _put(ppr, sp)
    if start is not None or end is not None or hanging is not None:
        ind = _el("w:ind")
        if start is not None:
            ind.set(qn("w:left"), str(start))
        if end is not None:
            ind.set(qn("w:right"), str(end))
        if hanging is not None:
            ind.set(qn("w:hanging"), str(hanging))
        _put(ppr, ind)
    if contextual:
        _put(ppr, _el("w:contextualSpacing"))
    if jc:
        _put(ppr, _el("w:jc", val=jc))
    if outline is not None:
        _put(ppr, _el("w:outlineLvl", val=outline))


def _border(tag: str, sz: int, color: str, space: int = 4, val: str = "single"):
    return _el(tag, val=val, sz=sz, space=space, color=color)


def paragraph_box(style, *, color: str, fill: str | None = None, sz: int = 6) -> None:
    """``w:pBdr`` on all four sides (+ ``w:shd``): consecutive paragraphs with the same box
    are drawn as one box (§17.3.1.24)."""
    ppr = _get_or_add(style, "w:pPr")
    bdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        bdr.append(_border(f"w:{side}", sz, color, space=6))
    _put(ppr, bdr)
    if fill:
        _put(ppr, _el("w:shd", val="clear", color="auto", fill=fill))


def paragraph_rule_below(style, *, color: str, sz: int = 4) -> None:
    ppr = _get_or_add(style, "w:pPr")
    bdr = OxmlElement("w:pBdr")
    bdr.append(_border("w:bottom", sz, color, space=4))
    _put(ppr, bdr)


def tab_stop(style, *, pos: int, align: str = "right", leader: str = "dot") -> None:
    """One ``w:tab`` stop (``right`` is the end side in a right-to-left paragraph)."""
    ppr = _get_or_add(style, "w:pPr")
    tabs = OxmlElement("w:tabs")
    tabs.append(_el("w:tab", val=align, leader=leader, pos=pos))
    _put(ppr, tabs)


def set_tab_stop_pos(style, pos: int) -> None:
    """Move a style's tab stops to ``pos`` (the text width of this edition's paper)."""
    for tab in style.findall(".//" + qn("w:tab")):
        tab.set(qn("w:pos"), str(pos))


def style_fonts(style) -> tuple[str | None, str | None]:
    """(ascii, cs) font names a style sets, if any."""
    rpr = style.find(qn("w:rPr"))
    return style_fonts_of_rpr(rpr) if rpr is not None else (None, None)


def replace_fonts(styles, mapping: dict[str, str]) -> None:
    """Swap font names everywhere in ``w:styles`` (docDefaults and every style's ``w:rFonts``)."""
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            value = fonts.get(qn(attr))
            if value in mapping:
                fonts.set(qn(attr), mapping[value])


def table_style_props(style, *, rule_color: str, header_fill: str, header_color: str,
                      cell_margin: int = 85) -> None:
    """A ruled table style: rules above and below the table and between rows, no vertical
    rules; the header row (``firstRow``) shaded and bold (§17.7.6)."""
    tblpr = _get_or_add(style, "w:tblPr")
    borders = OxmlElement("w:tblBorders")
    borders.append(_border("w:top", 8, rule_color, space=0))
    borders.append(_border("w:bottom", 8, rule_color, space=0))
    borders.append(_border("w:insideH", 4, rule_color, space=0))
    _put(tblpr, borders)
    mar = OxmlElement("w:tblCellMar")
    mar.append(_el("w:top", w=28, type="dxa"))
    mar.append(_el("w:left", w=cell_margin, type="dxa"))
    mar.append(_el("w:bottom", w=28, type="dxa"))
    mar.append(_el("w:right", w=cell_margin, type="dxa"))
    _put(tblpr, mar)
    tcpr = _get_or_add(style, "w:tcPr")
    tcpr.append(_el("w:vAlign", val="center"))
    first = _el("w:tblStylePr", type="firstRow")
    rpr = OxmlElement("w:rPr")
    rpr_props(rpr, bold=True, color=header_color)
    _put(first, rpr)
    trpr = OxmlElement("w:trPr")
    trpr.append(_el("w:tblHeader"))
    _put(first, trpr)
    first_tcpr = OxmlElement("w:tcPr")
    first_borders = OxmlElement("w:tcBorders")
    first_borders.append(_border("w:bottom", 8, rule_color, space=0))
    first_tcpr.append(first_borders)
    first_tcpr.append(_el("w:shd", val="clear", color="auto", fill=header_fill))
    _put(first, first_tcpr)
    style.append(first)


def doc_defaults(styles, *, ascii: str, cs: str, size: float, size_cs: float, lang: str,
                 lang_bidi: str) -> None:
    """Replace ``w:docDefaults``: fonts for Latin and complex script, sizes and languages."""
    for old in styles.findall(qn("w:docDefaults")):
        styles.remove(old)
    dd = parse_xml(
        f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>"
        f'<w:rFonts w:ascii="{ascii}" w:hAnsi="{ascii}" w:eastAsia="{ascii}" w:cs="{cs}"/>'
        f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size_cs * 2)}"/>'
        f'<w:lang w:val="{lang}" w:eastAsia="{lang}" w:bidi="{lang_bidi}"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>")
    styles.insert(0, dd)


def remove_styles(styles, keep: Iterable[str] = ()) -> None:
    """Remove every ``w:style`` (except ids in ``keep``) and the latent-style table."""
    keep = set(keep)
    for child in list(styles):
        if child.tag == qn("w:latentStyles"):
            styles.remove(child)
        elif child.tag == qn("w:style") and child.get(qn("w:styleId")) not in keep:
            styles.remove(child)


def style_flags(style, *, ui_priority: int | None = None, q_format: bool = False,
                semi_hidden: bool = False, link: str | None = None) -> None:
    if ui_priority is not None:
        _put(style, _el("w:uiPriority", val=ui_priority))
    if semi_hidden:
        _put(style, _el("w:semiHidden"))
        _put(style, _el("w:unhideWhenUsed"))
    if q_format:
        _put(style, _el("w:qFormat"))
    if link:
        _put(style, _el("w:link", val=link))


# ---------------------------------------------------------------- core properties (OPC §11)


def strip_core_properties(core) -> None:
    """Remove what would make two builds differ or say who ran them: last-modified-by,
    revision, last-printed, description, keywords, category, content status."""
    cp = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
    dc = "http://purl.org/dc/elements/1.1/"
    for tag in (f"{{{cp}}}lastModifiedBy", f"{{{cp}}}revision", f"{{{cp}}}lastPrinted",
                f"{{{dc}}}description", f"{{{cp}}}keywords", f"{{{cp}}}category",
                f"{{{cp}}}contentStatus", f"{{{cp}}}version", f"{{{dc}}}identifier"):
        for el in core.findall(tag):
            core.remove(el)
    # empty elements left by the template say nothing
    for el in list(core):
        if (el.text is None or not el.text.strip()) and len(el) == 0:
            core.remove(el)


# ---------------------------------------------------------------- package (OPC zip)


def package_members(package) -> dict[str, bytes]:
    """The members of a python-docx ``OpcPackage`` (zip member name → bytes) exactly as its
    ``save`` writes them (``[Content_Types].xml``, ``_rels/.rels``, each part and its
    relationships), without zipping them: :func:`write_deterministic_zip` zips them once.

    Uses the steps of python-docx 1.2's ``PackageWriter.write`` (pinned in pyproject.toml), whose
    zip writer is fixed inside it."""
    for part in package.parts:
        part.before_marshal()
    members: dict[str, bytes] = {}
    sink = _MemberSink(members)
    parts = list(package.parts)
    PackageWriter._write_content_types_stream(sink, parts)
    PackageWriter._write_pkg_rels(sink, package.rels)
    PackageWriter._write_parts(sink, parts)
    return members


class _MemberSink:
    """Stands for python-docx's physical package writer: keeps what it is given."""

    def __init__(self, members: dict[str, bytes]):
        self._members = members

    def write(self, pack_uri, blob: bytes) -> None:
        self._members[pack_uri.membername] = blob


def write_deterministic_zip(members: Mapping[str, bytes], out,
                            date_time: tuple[int, ...]) -> None:
    """Zip a package's ``members`` (:func:`package_members`) with sorted entries, one fixed
    timestamp and fixed attributes, so the same document gives the same bytes (python-docx
    would stamp entries with the current time). Large binary members (the embedded fonts,
    pictures) are deflated once per content and machine: :func:`_deflated`."""
    names = sorted(members, key=lambda n: (n != "[Content_Types].xml", n))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            data = members[name]
            if len(data) < _CACHED_DEFLATE_MIN or name.endswith((".xml", ".rels")):
                dst.writestr(info, data)
                continue
            # what writestr does, with the deflated stream handed to zipfile's entry writer as
            # its compressor's output (zipfile has no public way to add compressed data)
            info.file_size = len(data)
            with dst.open(info, "w") as entry:
                entry._compressor = _Deflated(data, _deflated(data))
                entry.write(data)


# binary members at least this large are deflated through the cache (the fonts: 5 MB, 0.15 s)
_CACHED_DEFLATE_MIN = 64 * 1024


def _deflated(data: bytes) -> bytes:
    """``data`` as zipfile deflates it (zlib's default level, a raw stream), kept in the user's
    cache (:data:`briefing.fonts.USER_CACHE`) by content hash and zlib version: the same fonts
    are embedded in every build. Best effort: an unreadable or unwritable cache costs only the
    time saved. A cache file is the stream's SHA-256, then the stream: one that does not match
    (damaged) is made again."""
    key = hashlib.sha256(data).hexdigest()[:32]
    path = USER_CACHE / "deflate" / f"{key}-zlib{zlib.ZLIB_RUNTIME_VERSION}.bin"
    try:
        cached = path.read_bytes()
        if hashlib.sha256(cached[32:]).digest() == cached[:32]:
            os.utime(path)  # recently used: kept by prune_user_cache
            return cached[32:]
    except OSError:
        pass
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(hashlib.sha256(deflated).digest() + deflated)
        os.replace(tmp, path)
        prune_user_cache(path.parent, _DEFLATED_KEPT)
    except OSError:
        pass
    return deflated


# the deflate cache keeps this many streams (the fonts, a few pictures of each edition: a
# picture changed, e.g. the map after an edit, leaves its old stream behind)
_DEFLATED_KEPT = 48


class _Deflated:
    """A stand-in for zipfile's compressor that returns ``deflated``, the stream zlib makes of
    ``data``; it refuses any other input, so a zipfile that fed its compressor differently
    fails rather than writing a wrong entry."""

    def __init__(self, data: bytes, deflated: bytes):
        self._data, self._deflated = data, deflated

    def compress(self, chunk: bytes) -> bytes:
        if chunk is not self._data:
            raise RuntimeError("zipfile fed its compressor in pieces: the cached deflate "
                               "stream cannot be used")
        out, self._deflated = self._deflated, b""
        return out

    def flush(self) -> bytes:
        return b""
