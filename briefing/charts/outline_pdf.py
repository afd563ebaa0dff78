"""A matplotlib backend writing a chart as a one-page PDF whose text is drawn as outlines.

The PDF writer places each chart's page, as it is, into the laid-out book
(:mod:`briefing.writers.pdf.placed_charts`), so the page must hold no font: matplotlib's own PDF
backend embeds every text's font (Type 3 or Type 42, ``pdf.fonttype``) and has no setting for
outlines, as the SVG backend has (``svg.fonttype: path``). This backend is matplotlib's PDF
backend with the text methods of that SVG mode: each text is filled as the outlines of the
glyphs matplotlib's text-to-path engine lays out (shaped and reordered by libraqm), and is
measured by that engine too, so the constrained layout and the placing of value labels come out
as they did for the SVG. Each glyph's outline is written in the glyph's own units under a
transformation to its place (as WeasyPrint drew the SVG's ``<use>`` of a glyph), so that a
letter drawn again is the same bytes again, which the stream's compression all but removes:
matplotlib's own text-as-path route (``RendererBase.draw_text``) writes each letter in page
coordinates, and its charts take half as much room again.

Used through ``savefig(..., format="pdf", backend=BACKEND)`` (matplotlib's way to choose another
backend for one file). The file holds no date when ``metadata`` drops it (:data:`METADATA`).
"""

from __future__ import annotations

import math

from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_pdf import FigureCanvasPdf, Name, Op, PdfFile, RendererPdf
from matplotlib.font_manager import get_font
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from .measure import font_files, line_metrics, text_size

BACKEND = f"module://{__name__}"
# no creation date, no tool version: the same chart, the same bytes
METADATA = {"CreationDate": None, "Creator": None, "Producer": None}


class RendererOutlinePdf(RendererPdf):
    """The PDF renderer, text drawn and measured as outlines (by ``self._text2path``, matplotlib's
    :class:`~matplotlib.textpath.TextToPath`, at its 100 units per em)."""

    def __init__(self, *args):
        super().__init__(*args)
        self._glyphs: dict[str, list | None] = {}  # glyph (font, id) → its outline's operators

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:  # mathtext (no chart writes any): its outlines drawn in place
            return RendererBase.draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
        text2path = self._text2path
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        # the font at the engine's size, as the SVG backend takes it (TextToPath._get_font,
        # its files found once per process)
        font = get_font(font_files(prop))
        font.set_size(text2path.FONT_SCALE, text2path.DPI)
        glyphs, outlines, _ = text2path.get_glyphs_with_font(
            font, s, glyph_map=self._glyphs, return_new_glyphs_only=True,
            features=features, language=language)
        for key, (vertices, codes) in outlines.items():
            # in 1/100 em; 1/10,000 em is precise enough (0.001 pt at 10 pt); a space has none
            self._glyphs[key] = (self.file.pathOperations(Path(vertices.round(2), codes),
                                                          Affine2D()) if len(vertices) else None)
        gc.set_linewidth(0.0)
        self.check_gc(gc, gc.get_rgb())  # the fill: the text's colour and alpha
        scale = prop.get_size_in_points() / text2path.FONT_SCALE
        text = Affine2D().scale(scale).rotate_deg(angle).translate(x, y)
        self.file.output(Op.gsave, *text.to_values(), Op.concat_matrix)
        for key, dx, dy, size in glyphs:
            if (outline := self._glyphs[key]) is not None:
                self.file.output(Op.gsave, size, 0, 0, size, dx, dy, Op.concat_matrix,
                                 *outline, Op.fill, Op.grestore)
        self.file.output(Op.grestore)

    def get_text_width_height_descent(self, s, prop, ismath):
        # measured as drawn: the outlines at 100 units per em, unhinted, scaled (as the SVG
        # backend measures its outlines), not the PDF backend's measure at the point size;
        # once per process (each savefig makes two or three of these renderers)
        return text_size("text2path", s, prop, ismath,
                         lambda: self._text2path.get_text_width_height_descent(s, prop, ismath))

    def _get_font_height_metrics(self, prop):
        # the line metrics Text._get_layout reads from the font, at the 72 dpi print_pdf sets
        # on the figure, once per process (not matplotlib's PDF hook, which answers only
        # for the 14 core fonts)
        return line_metrics(prop, 72)


class OutlinePdfFile(PdfFile):
    """matplotlib's PDF file, its hatch patterns drawn as one tile that covers the whole page.

    matplotlib tiles a hatch pattern (the patch's colour and its lines) an inch square; placed
    into the book at another scale, the tiles' anti-aliased edges show as faint seams across a
    hatched bar in poppler's rendering. One tile the page's size (in whole inches, with as many
    lines as the inch tiles held: the same lines at the same places) has no seams inside the
    page. ``writeHatches`` is matplotlib's own but for the tile's size."""

    def writeHatches(self):
        inches = math.ceil(max(self.width, self.height))
        side = 72.0 * inches  # PDF points
        patterns = {}
        for (stroke, fill, hatch, width), name in self._hatch_patterns.items():
            ob = self.reserveObject("hatch pattern")
            patterns[name] = ob
            self.beginStream(ob.id, None, {
                "Type": Name("Pattern"), "PatternType": 1, "PaintType": 1, "TilingType": 1,
                "BBox": [0, 0, side, side], "XStep": side, "YStep": side,
                "Resources": {"Procsets": [Name(x) for x in ("PDF", "Text", "ImageB", "ImageC",
                                                             "ImageI")]},
                # the origin at the page's top left, as matplotlib's Agg draws it
                "Matrix": [1, 0, 0, 1, 0, self.height * 72]})
            self.output(*stroke[:3], Op.setrgb_stroke)
            if fill is not None:
                self.output(*fill[:3], Op.setrgb_nonstroke, 0, 0, side, side, Op.rectangle,
                            Op.fill)
            self.output(*stroke[:3], Op.setrgb_nonstroke, width, Op.setlinewidth)
            # matplotlib's 6 lines per inch of each hatch sign, over the larger tile
            self.output(*self.pathOperations(Path.hatch(hatch, 6 * inches),
                                             Affine2D().scale(side), simplify=False))
            self.output(Op.fill_stroke)
            self.endStream()
        self.writeObject(self.hatchObject, patterns)


class FigureCanvas(FigureCanvasPdf):
    def print_pdf(self, filename, *, metadata=None, bbox_inches_restore=None, **_ignored):
        """matplotlib's ``FigureCanvasPdf.print_pdf`` (one page) with :class:`RendererOutlinePdf`.
        ``savefig`` passes every backend ``dpi``, ``facecolor``, ``edgecolor`` and
        ``orientation`` too: a PDF is 72 dpi, the colours are set on the figure already, and
        orientation is PostScript's."""
        self.figure.dpi = 72  # there are 72 PDF points to an inch
        width, height = self.figure.get_size_inches()
        file = OutlinePdfFile(filename, metadata=metadata)
        try:
            file.newPage(width, height)
            renderer = MixedModeRenderer(self.figure, width, height, 72,
                                         RendererOutlinePdf(file, 72, height, width),
                                         bbox_inches_restore=bbox_inches_restore)
            self.figure.draw(renderer)
            renderer.finalize()
            file.finalize()
        finally:
            file.close()
