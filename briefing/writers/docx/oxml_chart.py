"""The Word side of a native chart: its parts in the package and the inline drawing that shows it.

In: a chart part's ``c:chartSpace`` (built by :mod:`briefing.writers.docx.native_charts`) and its workbook bytes.
Out: parts added to a python-docx package - ``/word/charts/chartN.xml`` (ECMA-376 Part 1, §21.2,
content type ``drawingml.chart+xml``), related from the document part by a ``…/relationships/chart``
relationship, and ``/word/embeddings/Microsoft_Excel_WorksheetN.xlsx`` related from the chart
part by a ``…/relationships/package`` relationship and named in the chart's ``c:externalData``
(§21.2.2.63), which is what Word's "Edit Data" opens - and the ``w:drawing`` run content
(``wp:inline`` → ``a:graphic`` → ``c:chart r:id``, §20.4.2.8 and §21.2.2.27) that places it.

The content types come from python-docx's package writer (an ``Override`` for the chart part, the
``xlsx`` default for the workbook).
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
CHART_PARTNAME = "/word/charts/chart%d.xml"
WORKBOOK_PARTNAME = "/word/embeddings/Microsoft_Excel_Worksheet%d.xlsx"
EMU_PER_MM = 36000


def add_chart(document_part, chart_space: bytes, workbook: bytes) -> str:
    """Add a chart part and its embedded workbook to the document's package; return the
    relationship id (``rIdN``) from ``document_part`` to the chart, for :func:`inline_chart`.

    ``chart_space`` is the serialised ``c:chartSpace`` without ``c:externalData``: the element is
    added here, pointing at the workbook part. Part names are numbered in order of addition, so
    the same document gives the same names."""
    package = document_part.package
    workbook_part = Part(package.next_partname(WORKBOOK_PARTNAME), CT.SML_SHEET, workbook, package)
    element = parse_xml(chart_space)
    chart_part = XmlPart(package.next_partname(CHART_PARTNAME), CT.DML_CHART, element, package)
    set_external_data(element, chart_part.relate_to(workbook_part, RT.PACKAGE))
    return document_part.relate_to(chart_part, RT.CHART)


def set_external_data(chart_space, r_id: str) -> None:
    """``<c:externalData r:id="…"><c:autoUpdate val="0"/></c:externalData>``, placed where the
    schema orders it in ``c:chartSpace`` (after ``c:txPr``, before ``c:printSettings``)."""
    ext = parse_xml(f'<c:externalData {nsdecls("c", "r")} r:id="{r_id}">'
                    '<c:autoUpdate val="0"/></c:externalData>')
    later = [child for child in chart_space
             if child.tag in (qn("c:printSettings"), qn("c:userShapes"), qn("c:extLst"))]
    if later:
        later[0].addprevious(ext)
    else:
        chart_space.append(ext)


def inline_chart(r_id: str, shape_id: int, name: str, descr: str, width_mm: float,
                 height_mm: float):
    """A ``w:drawing`` holding the chart related as ``r_id``, inline in its run, of the given size;
    ``descr`` is its alternative text (``wp:docPr/@descr``), ``shape_id`` a drawing id unique in
    the document."""
    cx, cy = round(width_mm * EMU_PER_MM), round(height_mm * EMU_PER_MM)
    # built as python-docx builds a picture's, so that the namespaces the document declares are
    # not declared again on the drawing
    drawing = OxmlElement("w:drawing")
    drawing.append(parse_xml(
        f'<wp:inline {nsdecls("wp", "a", "r")} distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name={quoteattr(name)} descr={quoteattr(descr)}/>'
        f'<wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{CHART_URI}">'
        f'<c:chart xmlns:c="{CHART_URI}" r:id="{r_id}"/>'
        f'</a:graphicData></a:graphic></wp:inline>'))
    return drawing
