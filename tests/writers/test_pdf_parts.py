"""The book laid out part by part and joined (briefing/writers/pdf/parts.py), against the whole
book laid out in one document, on the default edition's real output.

One session of builds on a copy of the default edition: a cold build by parts (its units
written by two processes); a word added to a paragraph and the book rebuilt warm (only that part
laid out again, alone) and cold (one process); then a paragraph of the first long part made four
times as long (every later part moves and the contents' numbers change) and the book rebuilt
warm, and laid out whole."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from paths import ROOT, STYLES

from briefing.build import check, draw_figures
from briefing.writers.pdf import parts, write_pdf
from briefing.writers.pdf.text_layer import weasyprint_fingerprints
from briefing.writers.pdf.word_gaps import cid_widths, to_unicode_texts
from pdftext import pdftotext

EDITION = ROOT / "sources" / "gcc-central-asia-2023"


def _edit_paragraph(edition: Path, file: str, edit) -> None:
    """``edit`` applied to the first long plain paragraph of ``file``."""
    path = edition / file
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line and not line.startswith(("#", "[", "|", "-", ">", ":", "{")) and len(line) > 200 \
                and "{{" not in line:
            lines[i] = edit(line)
            break
    else:
        raise AssertionError("no long paragraph to edit")
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """{name: PDF path}: ``cold`` (by parts, empty cache, the units written by two processes:
    :func:`parts.write_units`); ``warm-word`` (a word added, by parts from ``cold``'s cache,
    the one changed part laid out alone), ``cold-word`` (the same sources, empty cache, one
    process); ``warm-long`` (a paragraph lengthened, from the cache), ``whole-long`` (the same
    sources laid out in one document)."""
    root = tmp_path_factory.mktemp("parts")
    edition = root / "edition"
    shutil.copytree(EDITION, edition)
    charts = root / "charts"
    out = {"edition": edition, "charts": charts, "cache": root / "cache"}

    def build(name: str, cache: Path | None, workers: int = 1) -> None:
        book = draw_figures(check(edition), charts, STYLES)
        out[name] = root / f"{name}.pdf"
        write_pdf(book, out[name], STYLES, charts, parts_cache=cache, workers=workers)

    build("cold", out["cache"], workers=2)
    _edit_paragraph(edition, "text/03-economic-report.md", lambda line: line + " (مراجعة)")
    whole = parts._lay_out_whole
    parts._lay_out_whole = None  # the warm rebuild must not lay out the whole book
    try:
        build("warm-word", out["cache"])
    finally:
        parts._lay_out_whole = whole
    build("cold-word", root / "cache-2")
    _edit_paragraph(edition, "text/01-strategic-importance.md", lambda line: " ".join([line] * 4))
    build("warm-long", out["cache"])
    build("whole-long", None)
    return out


def _destination(pdf, array) -> tuple:
    pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
    return (pages[array[0].objgen], str(array[1]), *(round(float(v), 2) for v in list(array)[2:]))


def _font(font) -> tuple:
    """A font as both PDFs must have it: its file; each glyph drawn with its text and width;
    each alias code (briefing/writers/pdf/glyph_aliases.py, word_gaps.py) as the glyph it draws,
    its text and width, once — the codes themselves are a unit's own in the joined PDF, where a
    code one document gives twice is given by each unit that draws it."""
    descendant = font.DescendantFonts[0]
    texts, widths = to_unicode_texts(font), cid_widths(descendant.W)
    gid_map = descendant.CIDToGIDMap
    gids = gid_map.read_bytes() if isinstance(gid_map, pikepdf.Stream) else None

    def glyph(code: int) -> int:
        return code if gids is None else int.from_bytes(gids[2 * code:2 * code + 2], "big")

    return (hashlib.sha256(descendant.FontDescriptor.FontFile2.read_bytes()).hexdigest(),
            tuple(sorted((code, texts.get(code), widths[code]) for code in widths
                         if glyph(code) == code)),
            tuple(sorted({(glyph(code), texts.get(code), widths[code]) for code in widths
                          if glyph(code) != code})))


def _structure(path: Path) -> dict:
    """What must agree between two PDFs of the same book, read with pikepdf."""
    with pikepdf.open(path) as pdf:
        links = [(i, tuple(round(float(v), 2) for v in annot.Rect), str(annot.get("/Dest")),
                  str(annot.get("/A", {}).get("/URI", "")))
                 for i, page in enumerate(pdf.pages) for annot in page.obj.get("/Annots", [])]
        names = pdf.Root.Names.Dests.Names
        dests = [(str(names[i]), _destination(pdf, names[i + 1]))
                 for i in range(0, len(names), 2)]
        outline = []
        with pdf.open_outline() as tree:
            def walk(items, depth):
                for item in items:
                    outline.append((depth, item.title, _destination(pdf, item.destination),
                                    item.is_closed))
                    walk(item.children, depth + 1)
            walk(tree.root, 0)
        fonts = {}
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                fonts.setdefault(str(font.BaseFont), set()).add(_font(font))
        return {"pages": len(pdf.pages), "links": links, "dests": dests, "outline": outline,
                "fonts": fonts, "info": {str(k): str(v) for k, v in pdf.docinfo.items()},
                "lang": str(pdf.Root.Lang), "labels": "/PageLabels" in pdf.Root,
                "boxes": [(list(page.mediabox), list(page.obj.TrimBox)) for page in pdf.pages]}


def test_a_warm_rebuild_gives_the_bytes_of_a_cold_one(builds):
    assert builds["warm-word"].read_bytes() == builds["cold-word"].read_bytes()
    assert builds["warm-word"].read_bytes() != builds["cold"].read_bytes()


def test_the_long_edit_moved_the_later_parts(builds):
    # else the test below would not see pages, links and contents' numbers move
    assert _structure(builds["cold"])["pages"] != _structure(builds["warm-long"])["pages"]


def test_joined_parts_equal_the_whole_book_laid_out_at_once(builds):
    joined, whole = _structure(builds["warm-long"]), _structure(builds["whole-long"])
    assert joined["links"] and joined["dests"] and joined["outline"]
    # one font per face, the same subset, widths and text map as the whole book's
    assert all(len(versions) == 1 for versions in joined["fonts"].values())
    assert joined == whole


def test_every_page_reads_and_looks_the_same(builds, tmp_path):
    joined, whole = builds["warm-long"], builds["whole-long"]
    pages = _structure(whole)["pages"]
    for page in range(1, pages + 1):
        assert pdftotext(joined, page) == pdftotext(whole, page), f"page {page}"
    for name, path in (("joined", joined), ("whole", whole)):
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / name)],
                       check=True)
    images = sorted(tmp_path.glob("whole-*.png"))
    assert len(images) == pages
    different = [image.name for image in images if image.read_bytes()
                 != (tmp_path / image.name.replace("whole-", "joined-")).read_bytes()]
    assert different == []


def test_a_damaged_cache_entry_is_laid_out_again(builds, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(builds["cache"], cache)
    for entry in sorted((cache / "units").iterdir())[:3]:
        entry.write_bytes(entry.read_bytes()[:100])  # as no build leaves it: written atomically
    book = draw_figures(check(builds["edition"]), builds["charts"], STYLES)
    write_pdf(book, tmp_path / "book.pdf", STYLES, builds["charts"], parts_cache=cache)
    assert (tmp_path / "book.pdf").read_bytes() == builds["warm-long"].read_bytes()


def test_the_cache_is_bounded(tmp_path):
    cache = parts.Cache(tmp_path)
    for n in range(8):
        (tmp_path / "units").mkdir(exist_ok=True)
        (tmp_path / "units" / f"{n}.pickle").write_bytes(b"x")
    cache.used.add(tmp_path / "units" / "0.pickle")
    cache.prune(keep=3)
    left = {path.name for path in (tmp_path / "units").iterdir()}
    assert len(left) == 4 and "0.pickle" in left


def test_a_glyph_measured_twice_differently_is_not_joined():
    def unit(width):
        record = parts.FontRecord(attrs={"family": "Amiri"}, to_unicode={5: "a"},
                                  widths={5: width}, mirrored={}, missing={}, file="f")
        return parts.Laid(pdf=b"", pages=1, bookmarks=[[]], heights=[1], anchors={},
                          fonts={"F": record})

    assert parts.merged_fonts([unit(500), unit(500)])["F"].widths == {5: 500}
    with pytest.raises(parts.NotJoinable):
        parts.merged_fonts([unit(500), unit(501)])


def test_the_weasyprint_code_relied_on_is_the_pinned_one():
    """A WeasyPrint whose font dictionaries, links, outlines or page sides are made otherwise
    would make the join differ from the whole book: check the join again before updating
    parts.RELIED_ON."""
    assert weasyprint_fingerprints(parts.RELIED_ON) == parts.RELIED_ON
