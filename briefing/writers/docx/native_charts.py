"""Native Word charts: a figure's data → a DrawingML chart (``c:chartSpace``) and its workbook.

In: a :class:`NativeChart` (the chart kind, whether values are labelled, and the
:class:`~briefing.charts.ChartData` the charts stage computed for the PDF's chart), the chart style
(``styles/chart.yaml``), the digits of the part that shows it, and the edition's date.
Out: :class:`ChartParts` - the chart part's XML and the ``.xlsx`` workbook Word's "Edit Data"
opens - which :mod:`briefing.writers.docx.oxml_chart` adds to the Word package.

The XML and the workbook are both written by python-pptx (``ChartXmlWriter``, and XlsxWriter
through its ``CategoryWorkbookWriter``) from **one** ``CategoryChartData``, so the values cached in
the chart (``c:numCache``, ``c:strCache``) and the cells they refer to cannot disagree; only looks
(colours, fonts, axes, labels) are changed afterwards, through python-pptx's chart objects and,
for what they do not cover (complex-script fonts, hidden legend entries, per-point labels), on
its elements.

What the chart shows follows the PDF's (:mod:`briefing.charts.draw`): the palette, sizes and
``rtl`` conventions of the chart style; projections (``ChartData`` series' ``estimate`` flags)
as lighter hatched bars, or as a dashed continuation of a line. Three things differ, because
LibreOffice (7.4, the client the output is checked in) does not do them, measured by a probe:

* per-point dashes are ignored, so a line's projections are a series of their own (the last
  actual value, then the projections; dashed, its legend entry hidden), and the actual series
  leaves the projected years empty: each value is in the workbook once, apart from the last
  actual year, which both columns hold;
* ``c:crosses val="max"`` is ignored, so a value axis on the right is made by reversing the
  category axis (``c:orientation val="maxMin"``; categories from the right) or, for time
  running left to right, by printing its labels at the high end (``c:tickLblPos val="high"``);
* the legend's "projections" entry is an empty series of its own (a grey hatched marker or a
  grey dashed line), the workbook column named after it stays empty.
"""

from __future__ import annotations

import datetime as dt
import functools
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.chart.xmlwriter import ChartXmlWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.chart import XL_MARKER_STYLE, XL_TICK_LABEL_POSITION, XL_TICK_MARK
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_PATTERN_TYPE
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Pt

from ...charts.alt_text import localized
from ...charts.pie import _luminance
from ...charts.render import ChartData, ChartStyle, NativeChart, load_chart_style
from ...errors import SourceError
from . import oxml_chart

# ``[$-2000401]``: a number format's locale prefix that makes Office and LibreOffice print the
# digits Arabic-Indic (locale 0x0401, ar-SA, with the native-digits flag 0x02000000). The
# decimal and group separators stay «.» and «,» in LibreOffice, and the percent sign «%».
DIGIT_PREFIX = {"western": "", "arabic-indic": "[$-2000401]"}
MINUS = "\u2212"  # the true minus sign of the book's number rule (briefing.numerals)
RLM = "\u200f"  # RIGHT-TO-LEFT MARK
# python-pptx's chart types for the book's chart kinds (bar-line: columns, then its lines moved
# to a line chart on the same axes)
CHART_TYPES = {"bar": XL_CHART_TYPE.COLUMN_CLUSTERED, "bar-line": XL_CHART_TYPE.COLUMN_CLUSTERED,
               "barh": XL_CHART_TYPE.BAR_CLUSTERED, "stacked": XL_CHART_TYPE.COLUMN_STACKED,
               "line": XL_CHART_TYPE.LINE_MARKERS, "pie": XL_CHART_TYPE.PIE,
               "donut": XL_CHART_TYPE.DOUGHNUT}


@dataclass(frozen=True)
class ChartParts:
    chart_space: bytes     # the ``c:chartSpace`` part, without ``c:externalData``
    workbook: bytes        # the .xlsx holding the same values


@dataclass(frozen=True)
class _Column:
    """One workbook column and chart series."""

    name: str
    values: tuple[float | None, ...]
    color: str
    role: str              # bar, line, projection (a line's dashed part), legend (the key)
    estimate: tuple[bool, ...] = ()
    source: int = -1       # the ChartData series it shows (-1: the projections key)


def number_format(decimals: int, digits: str, percent: bool = False) -> str:
    """An Excel number format code printing ``decimals`` places, grouped thousands, a true minus
    sign, in the part's digits (``#,##0.0;"−"#,##0.0``; Arabic-Indic ones are right-to-left runs,
    ``[$-2000401]"\u200f"0.0%"\u200f";…``)."""
    body = "0" if percent else "#,##0"
    if decimals:
        body += "." + "0" * decimals
    if percent:
        body += "%"
    prefix = DIGIT_PREFIX[digits]
    if digits == "arabic-indic":
        # a right-to-left run, as the prose prints an Arabic-Indic number (docs/conventions.md):
        # right-to-left marks around it put its minus on the right and ٪ on the left, in a
        # label of either direction
        return f'{prefix}"{RLM}"{body}"{RLM}";{prefix}"{RLM}{MINUS}"{body}"{RLM}"'
    return f'{prefix}{body};{prefix}"{MINUS}"{body}'


def excel_number(value: float) -> float:
    """``value`` to Excel's 15 significant digits: the workbook (XlsxWriter writes 16) and the
    chart's cache (python-pptx writes the float's shortest form) then hold the same number,
    where a computed aggregate's last binary digits (1.8102389188149288) would make them differ."""
    return float(f"{value:.15g}")


def labels(chart: NativeChart, digits: str) -> ChartData:
    """The chart data with its years in the part's digits, as the PDF's chart prints them."""
    return localized(chart.data, digits)


def columns(chart: NativeChart, style: ChartStyle, lang: str, digits: str) -> list[_Column]:
    """The workbook's columns, in order: each series of the data (a line's projected years left
    empty and moved to a projection column after it), then the projections key if any."""
    data = labels(chart, digits)
    palette = list(style.get("colors", "palette"))
    out: list[_Column] = []
    projections: list[_Column] = []
    label = style.get("estimate", "label", lang, default="Projections")
    any_estimate = False
    for i, s in enumerate(data.series):
        color = palette[i % len(palette)]
        as_line = chart.kind == "line" or s.as_line
        if chart.kind in ("pie", "donut"):
            out.append(_Column(s.name, s.values, color, "pie", (), i))
            continue
        any_estimate |= any(s.estimate)
        if not as_line or not any(s.estimate):
            out.append(_Column(s.name, s.values, color, "line" if as_line else "bar", s.estimate, i))
            continue
        first = s.estimate.index(True)
        link = max((k for k in range(first) if not s.estimate[k]), default=None)
        out.append(_Column(s.name, tuple(None if e else v for v, e in zip(s.values, s.estimate)),
                           color, "line", (), i))
        projections.append(_Column(
            f"{s.name} – {label}",
            tuple(v if e or k == link else None
                  for k, (v, e) in enumerate(zip(s.values, s.estimate))),
            color, "projection", (), i))
    out += projections
    out = [replace(c, values=tuple(None if v is None else excel_number(v) for v in c.values))
           for c in out]
    if any_estimate:
        out.append(_Column(label, (None,) * len(data.categories), style.get("colors", "axis"),
                           "legend"))
    return out


def chart_parts(chart: NativeChart, style: ChartStyle, lang: str, digits: str,
                created: dt.date) -> ChartParts:
    """The chart part and its workbook (dated ``created``, so the same sources give the same
    bytes). ``digits`` is the part's: ``western`` or ``arabic-indic``; ``lang`` ``ar`` or ``en``."""
    cols = columns(chart, style, lang, digits)
    rtl = lang == "ar"
    chart_data = _DatedChartData(rtl=rtl, created=created,
                                 number_format=number_format(chart.data.decimals, digits))
    chart_data.categories = labels(chart, digits).categories
    for col in cols:
        chart_data.add_series(col.name, col.values)
    base = CHART_TYPES[chart.kind]
    space = parse_xml(ChartXmlWriter(base, chart_data).xml.encode("utf-8"))
    in_line_group = {i for i, c in enumerate(cols)
                     if c.role in ("line", "projection")
                     or (c.role == "legend" and chart.kind in ("bar", "bar-line", "line"))}
    if chart.kind != "line" and in_line_group:
        lines = ChartXmlWriter(XL_CHART_TYPE.LINE_MARKERS, chart_data).xml.encode("utf-8")
        _move_to_line_group(space, parse_xml(lines), in_line_group)
    _Styler(Chart(space, None), chart, cols, style, lang, digits).apply()
    return ChartParts(etree.tostring(space, xml_declaration=True, encoding="UTF-8",
                                     standalone=True),
                      chart_data.xlsx_blob)


def _move_to_line_group(space, line_space, indexes: set[int]) -> None:
    """Series ``indexes`` drawn as lines over the bars: the ``c:lineChart`` python-pptx writes for
    the same data keeps those series and takes the bar chart's axes."""
    bar = space.find(f".//{qn('c:barChart')}")
    line = line_space.find(f".//{qn('c:lineChart')}")
    for group, keep in ((bar, lambda i: i not in indexes), (line, lambda i: i in indexes)):
        for ser in group.findall(qn("c:ser")):
            if not keep(int(ser.find(qn("c:idx")).get("val"))):
                group.remove(ser)
    for mine, theirs in zip(line.findall(qn("c:axId")), bar.findall(qn("c:axId"))):
        mine.set("val", theirs.get("val"))
    bar.addnext(line)


class _WorkbookWriter(CategoryWorkbookWriter):
    """python-pptx's workbook layout (categories in column A, one column per series, names in
    row 1), dated by the edition (XlsxWriter would stamp the time of the build) and, for Arabic,
    with the sheet right to left."""

    @contextmanager
    def _open_worksheet(self, xlsx_file):
        with super()._open_worksheet(xlsx_file) as (workbook, worksheet):
            data = self._chart_data
            created = data.created
            workbook.set_properties({"created": dt.datetime(created.year, created.month,
                                                            created.day)})
            if data.rtl:
                worksheet.right_to_left()
            worksheet.set_column(1, len(data), 16)  # room for the series names
            yield workbook, worksheet


class _DatedChartData(CategoryChartData):
    """A ``CategoryChartData`` whose workbook :class:`_WorkbookWriter` writes."""

    def __init__(self, *, rtl: bool, created: dt.date, number_format: str):
        super().__init__(number_format=number_format)
        self.rtl, self.created = rtl, created

    @property
    def _workbook_writer(self):
        return _WorkbookWriter(self)


class _Styler:
    """The looks of ``styles/chart.yaml`` applied to a python-pptx :class:`Chart`."""

    def __init__(self, chart, native: NativeChart, cols: list[_Column], style: ChartStyle,
                 lang: str, digits: str):
        self.chart, self.native, self.cols, self.style = chart, native, cols, style
        self.lang, self.digits = lang, digits
        self.rtl = lang == "ar"
        self.font = style.get("word", "fonts", "en" if lang == "en" else "ar")
        if not isinstance(self.font, str) or not self.font:
            raise SourceError(f"no font family for Word charts in '{lang}' (word: fonts: {lang}:)",
                              file=style.file, key="word")

    # ---------------------------------------------------------------- the whole chart

    def apply(self) -> None:
        chart, kind = self.chart, self.native.kind
        chart.has_title = False
        self._font(chart.font, self.style.get("sizes", "tick"))
        chart.font.color.rgb = _rgb(self.style.get("colors", "text"))
        self._no_border()
        if kind in ("pie", "donut"):
            self._pie()
        else:
            self._axes()
            for plot in chart.plots:
                self._series(plot)
            if self.native.value_labels:
                self._value_labels()
        self._legend()

    def _font(self, font, size: float, bold: bool = False) -> None:
        """Size, weight and both the Latin and the complex-script face (Arabic takes ``a:cs``)."""
        font.size = Pt(size)
        font.bold = bold
        font.name = self.font
        rpr = font._rPr
        cs = rpr.find(qn("a:cs"))
        if cs is None:
            cs = etree.Element(qn("a:cs"))
            rpr.find(qn("a:latin")).addnext(cs)
        cs.set("typeface", self.font)

    def _no_border(self) -> None:
        """No frame around the chart (the book's figures have none)."""
        space = self.chart._chartSpace
        sp = parse_xml(f'<c:spPr {nsdecls("c", "a")}><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>')
        space.find(qn("c:txPr")).addprevious(sp)

    # ---------------------------------------------------------------- axes

    def _axes(self) -> None:

        chart, data, kind = self.chart, self.native.data, self.native.kind
        cat, val = chart.category_axis, chart.value_axis
        axis_color = _rgb(self.style.get("colors", "axis"))
        for axis in (cat, val):
            axis.major_tick_mark = XL_TICK_MARK.NONE
            axis.minor_tick_mark = XL_TICK_MARK.NONE
            self._font(axis.tick_labels.font, self.style.get("sizes", "tick"))
        cat.format.line.color.rgb = axis_color
        cat.format.line.width = Pt(self.style.get("lines", "axis_width"))
        val.format.line.fill.background()
        val.has_major_gridlines = bool(self.style.get("grid", "show", default=True))
        if val.has_major_gridlines:
            grid = val.major_gridlines.format.line
            grid.color.rgb = _rgb(self.style.get("colors", "grid"))
            grid.width = Pt(self.style.get("lines", "grid_width"))
        val.tick_labels.number_format = number_format(_tick_decimals(data), self.digits)
        val.tick_labels.number_format_is_linked = False
        rtl = self.style.get("rtl", default={}) if self.rtl else {}
        if kind == "barh":
            cat.reverse_order = True  # the first category at the top, as in the PDF
            # the value axis's labels at the bottom: the category axis's high end, reversed
            val.tick_label_position = XL_TICK_LABEL_POSITION.HIGH
            if rtl.get("barh_from_right", True) and self.rtl:
                val.reverse_order = True  # bars grow leftwards from a zero line on the right
        elif data.x_is_time:
            if self.rtl and rtl.get("time_direction") == "rtl":
                cat.reverse_order = True
            elif self.rtl and rtl.get("value_axis", "right") == "right":
                val.tick_label_position = XL_TICK_LABEL_POSITION.HIGH
        elif self.rtl and rtl.get("categories_from_right", True):
            cat.reverse_order = True  # the value axis crosses at the first category: right
        cat.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # under negative bars too
        # level category labels, as the PDF's years (LibreOffice would turn crowded ones 45°),
        # a point smaller when many share the axis
        cat._element.find(qn("c:txPr")).find(qn("a:bodyPr")).set("rot", "0")
        if len(data.categories) > 10:
            self._font(cat.tick_labels.font, self.style.get("sizes", "tick") - 1.5)
        if data.unit:
            val.has_title = True
            tf = val.axis_title.text_frame
            tf.text = data.unit
            self._font(tf.paragraphs[0].font, self.style.get("sizes", "unit"))
            if self.rtl:  # a right-to-left paragraph: «% من …» keeps its runs in order
                tf.paragraphs[0]._p.get_or_add_pPr().set("rtl", "1")

    # ---------------------------------------------------------------- series

    def _series(self, plot) -> None:

        est = self.style.get("estimate")
        line_width = Pt(self.style.get("lines", "line_width"))
        marker = max(2, min(72, round(self.style.get("lines", "marker_size") * 1.6)))
        bar_like = self.native.kind in ("bar", "barh", "stacked", "bar-line")
        if hasattr(plot, "gap_width"):
            n, m = len(self.native.data.categories), sum(c.role == "bar" for c in self.cols)
            share = min(self.style.get("lines", "bar_width", default=0.72), 0.16 * n * max(m, 1))
            if self.native.kind == "stacked":
                share *= 0.8
            plot.gap_width = min(500, round((1 - share) / share * 100))
            plot.overlap = 100 if self.native.kind == "stacked" else (
                100 if m == 1 else -8)
        for series in plot.series:
            col = self.cols[series.index]
            color = _rgb(col.color)
            if col.role == "bar" or (col.role == "legend" and not hasattr(series, "marker")):
                series.format.fill.solid()
                series.format.fill.fore_color.rgb = color
                series.invert_if_negative = False
                if col.role == "legend":
                    self._hatched(series.format.fill, col.color, est)
                for k, e in enumerate(col.estimate):
                    if e:
                        self._hatched(series.points[k].format.fill, col.color, est)
                continue
            series.smooth = False
            line = series.format.line
            if col.role == "legend" and bar_like:
                # the key of hatched bars: a square marker, no line
                line.fill.background()
                series.marker.style = XL_MARKER_STYLE.SQUARE
                series.marker.size = 8
                # LibreOffice draws no hatched marker: the projections' lighter tint
                series.marker.format.fill.solid()
                series.marker.format.fill.fore_color.rgb = _rgb(
                    _tint(col.color, float(est.get("alpha", 0.45))))
                series.marker.format.line.fill.background()
                continue
            line.color.rgb = color
            line.width = line_width
            if col.role in ("projection", "legend"):
                line.dash_style = MSO_LINE_DASH_STYLE.DASH
            if col.role == "legend":
                series.marker.style = XL_MARKER_STYLE.NONE
                continue
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = marker
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = (
                _rgb("#ffffff") if col.role == "projection" else color)
            series.marker.format.line.color.rgb = color
            series.marker.format.line.width = Pt(self.style.get("lines", "line_width") * 0.7)
            if col.role == "projection":
                link = next((k for k, v in enumerate(col.values) if v is not None), None)
                if link is not None and not self.native.data.series[col.source].estimate[link]:
                    # the last actual point: drawn (and labelled) by the actual series
                    pt = series.points[link]
                    pt.marker.style = XL_MARKER_STYLE.NONE

    def _hatched(self, fill, color: str, est) -> None:
        """A projection's bar: the series colour's lighter tint, hatched in ``hatch_color``
        (the PDF's ``alpha``, ``hatch`` and ``hatch_color``)."""
        fill.patterned()
        fill.pattern = MSO_PATTERN_TYPE.WIDE_UPWARD_DIAGONAL
        fill.fore_color.rgb = _rgb(est.get("hatch_color", color))
        fill.back_color.rgb = _rgb(_tint(color, float(est.get("alpha", 0.45))))

    # ---------------------------------------------------------------- value labels

    def _value_labels(self) -> None:

        kind = self.native.kind
        fmt = number_format(self.native.data.decimals, self.digits)
        size = self.style.get("sizes", "value")
        bars = [c for c in self.cols if c.role == "bar"]
        for plot in self.chart.plots:
            for series in plot.series:
                col = self.cols[series.index]
                if col.role == "legend":
                    continue
                labels = series.data_labels
                labels.number_format = fmt
                labels.number_format_is_linked = False
                labels.show_value = True
                if col.role == "bar":
                    stacked = kind == "stacked"
                    labels.position = XL_LABEL_POSITION.CENTER if stacked else XL_LABEL_POSITION.OUTSIDE_END
                    self._font(labels.font, size)
                    labels.font.color.rgb = _rgb("#ffffff" if stacked else
                                                 self.style.get("colors", "text"))
                    if stacked:
                        self._hide_small_labels(series, col)
                else:  # lines: under the point over bars, in the line's colour; else above
                    labels.position = XL_LABEL_POSITION.BELOW if bars else XL_LABEL_POSITION.ABOVE
                    self._font(labels.font, size, bold=bool(bars))
                    labels.font.color.rgb = _rgb(col.color if bars else
                                                 self.style.get("colors", "text"))
                    if bars:  # on white, like the PDF's halo, to stay legible over the bars
                        labels._element.find(qn("c:txPr")).addprevious(parse_xml(
                            f'<c:spPr {nsdecls("c", "a")}><a:solidFill><a:srgbClr val="FFFFFF"/>'
                            '</a:solidFill></c:spPr>'))
                    if col.role == "projection":
                        self._hide_label(series, col.values.index(next(
                            v for v in col.values if v is not None)))

    def _hide_small_labels(self, series, col: _Column) -> None:
        """Stacked segments too thin for their label (under 6% of the stacks' span, as the PDF)."""
        cols = [c for c in self.cols if c.role == "bar"]
        tops = [sum(v for c in cols if (v := c.values[k] or 0) > 0) for k in range(len(col.values))]
        bottoms = [sum(v for c in cols if (v := c.values[k] or 0) < 0) for k in range(len(col.values))]
        span = (max(tops) - min(bottoms)) or 1
        for k, v in enumerate(col.values):
            if v is not None and abs(v) < 0.06 * span:
                self._hide_label(series, k)

    def _hide_label(self, series, idx: int) -> None:
        """``<c:dLbl><c:idx/><c:delete val="1"/></c:dLbl>``: no label on point ``idx``."""
        dlbls = series._element.find(qn("c:dLbls"))
        dlbls.insert(0, parse_xml(f'<c:dLbl {nsdecls("c")}><c:idx val="{idx}"/>'
                                  '<c:delete val="1"/></c:dLbl>'))

    # ---------------------------------------------------------------- pie and donut

    def _pie(self) -> None:

        plot = self.chart.plots[0]
        plot.vary_by_categories = True
        if self.native.kind == "donut":
            hole = plot._element.find(qn("c:holeSize"))
            hole.set("val", "58")  # the PDF's ring is 0.42 of the radius
        series = plot.series[0]
        palette = list(self.style.get("colors", "palette"))
        fmt = number_format(1, self.digits, percent=True)
        labels = series.data_labels if self.native.value_labels else None
        if labels is not None:
            labels.show_value = False
            labels.show_percentage = True
            labels.number_format = fmt
            labels.number_format_is_linked = False
            if self.native.kind == "pie":
                labels.position = XL_LABEL_POSITION.CENTER
            self._font(labels.font, self.style.get("sizes", "value"))
        for k in range(len(self.native.data.categories)):
            color = palette[k % len(palette)]
            point = series.points[k]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(color)
            point.format.line.color.rgb = _rgb("#ffffff")
            point.format.line.width = 9525  # 0.75 pt, the PDF's white edge
            if labels is None:
                continue
            label = point.data_label
            self._font(label.font, self.style.get("sizes", "value"))
            label.font.color.rgb = _rgb("#ffffff" if _luminance(color) < 0.55 else
                                        self.style.get("colors", "text"))
            dlbl = label._dLbl
            dlbl.find(qn("c:showVal")).set("val", "0")
            dlbl.find(qn("c:showPercent")).set("val", "1")
            num_fmt = parse_xml(f'<c:numFmt {nsdecls("c")} sourceLinked="0"/>')
            num_fmt.set("formatCode", fmt)
            dlbl.find(qn("c:spPr")).addprevious(num_fmt)

    # ---------------------------------------------------------------- legend

    def _legend(self) -> None:
        """Series names when there are several (slices for pies), plus the projections key;
        the projection series' own entries are hidden. Right of the plot in Arabic (read from
        the top, whatever the direction), under it in English; pies: beside, as in the PDF."""
        kind, cols = self.native.kind, self.cols
        pie = kind in ("pie", "donut")
        if kind in ("barh", "stacked"):
            # all entries: these list them bottom-up (LibreOffice then counts a hidden entry's
            # index in that order, Word's reading is unknown), and have no projection series
            shown = list(range(len(cols)))
        else:
            shown = [i for i, c in enumerate(cols)
                     if c.role == "legend" or (c.role in ("bar", "line") and
                                               len(self.native.data.series) > 1)]
        if not pie and not shown:
            self.chart.has_legend = False
            return
        chart = self.chart
        chart.has_legend = True
        legend = chart.legend
        legend.position = XL_LEGEND_POSITION.RIGHT if self.rtl else (
            XL_LEGEND_POSITION.LEFT if pie else XL_LEGEND_POSITION.BOTTOM)
        legend.include_in_layout = False
        self._font(legend.font, self.style.get("sizes", "legend"))
        if pie:
            return
        # after c:legendPos, in index order (CT_Legend's sequence)
        anchor = legend._element.find(qn("c:legendPos"))
        for i in sorted(set(range(len(cols))) - set(shown)):
            entry = parse_xml(f'<c:legendEntry {nsdecls("c")}><c:idx val="{i}"/>'
                              '<c:delete val="1"/></c:legendEntry>')
            if anchor is None:
                legend._element.insert(0, entry)
            else:
                anchor.addnext(entry)
            anchor = entry


def _tick_decimals(data: ChartData) -> int:
    """Places on the value axis: none for a span of 5 or more, else one."""
    values = [v for s in data.series for v in s.values]
    span = max(max(values), 0) - min(min(values), 0)
    return 0 if span >= 5 else 1


def _rgb(hex_color: str):

    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _tint(hex_color: str, alpha: float) -> str:
    """The colour at ``alpha`` opacity over white."""
    rgb = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * alpha + 255 * (1 - alpha)):02x}" for c in rgb)



@functools.lru_cache(maxsize=4)
def _style(path: Path) -> ChartStyle:
    return load_chart_style(path)


def add_chart_run(paragraph, native: NativeChart, *, styles_dir: Path, lang: str, digits: str,
                  created: dt.date, width_mm: float, height_mm: float, description: str) -> None:
    """Append to a python-docx paragraph a run showing ``native`` as a Word chart, ``width_mm``
    by ``height_mm``, styled by ``styles_dir/chart.yaml``, with ``description`` (the figure's
    alternative text, :mod:`briefing.charts.alt_text`) as its ``wp:docPr descr``; its chart and
    workbook parts are added to the paragraph's document package."""
    parts = chart_parts(native, _style(Path(styles_dir) / "chart.yaml"), lang, digits, created)
    document_part = paragraph.part
    r_id = oxml_chart.add_chart(document_part, parts.chart_space, parts.workbook)
    shape_id = document_part.next_id
    paragraph.add_run()._r.append(oxml_chart.inline_chart(
        r_id, shape_id, f"Chart {shape_id}", description,
        width_mm, height_mm))
