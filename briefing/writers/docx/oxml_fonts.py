"""Fonts embedded in a .docx the way Word embeds them, so the book looks the same on any machine.

In: a python-docx ``Document`` (fully written) and the folder of bundled fonts (``styles/fonts``).
Out: the document's font table rewritten to list exactly the fonts its parts name, each bundled
face of those families stored as an obfuscated font part, and ``w:embedTrueTypeFonts`` set.

The rules are ECMA-376 Part 1 §17.8 (fonts) and §17.8.1 (font embedding and obfuscation):

* each face is a part ``word/fonts/fontN.odttf`` (content type
  ``application/vnd.openxmlformats-officedocument.obfuscatedFont``) related from the font table;
* ``w:font`` names the family and carries ``w:embedRegular``/``w:embedBold``/``w:embedItalic``/
  ``w:embedBoldItalic`` with the relationship id and a ``w:fontKey``, an uppercase braced GUID;
* the first 32 bytes of the font file are XORed with the key's 16 bytes in reverse order (the GUID
  written without braces and hyphens, read as hex, reversed), twice over.

Fonts are embedded whole: a subset would have to keep every OpenType layout feature Arabic needs
(init/medi/fina, ligatures, marks) and every character the editor may type later, and within one
LibreOffice session two documents embedding different subsets of one family clash. Every bundled
font's OS/2 ``fsType`` is 0 (installable embedding); a font that forbids embedding is refused.
The key is derived from the font's SHA-256, so the same fonts give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

from ...fonts import font_facts
from . import oxml


def _el(tag: str, **attrs):
    """``<w:tag …/>``; attribute names without a prefix are in ``w:`` (``val``, ``r:id``)."""
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(key if ":" in key else f"w:{key}"), str(value))
    return el

OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
# w:font's embedding children, in schema order (§17.8.3.3 … §17.8.3.6)
EMBED_SLOTS = ("Regular", "Bold", "Italic", "BoldItalic")
_FONT_ATTRS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
# fsType bits that forbid embedding in an editable document: restricted (0x2); bitmap-only (0x200)
_NO_EDITABLE_EMBEDDING = 0x0002 | 0x0200


@dataclass(frozen=True)
class Face:
    """One font file of a family, and what Word's font table says about the family."""

    path: Path
    family: str
    slot: str           # one of EMBED_SLOTS
    panose: str         # 20 hex digits (OS/2 panose, §17.8.3.13)
    family_class: str   # w:family: roman (serif), swiss (sans serif), auto
    sig: tuple[str, ...]  # usb0..usb3, csb0, csb1 as 8 hex digits (§17.8.3.17)
    fs_type: int


@functools.cache
def bundled_faces(fonts_dir: Path) -> dict[str, dict[str, Face]]:
    """Family name → slot (``Regular``, ``Bold``, ``Italic``, ``BoldItalic``) → face, for the
    ``*.ttf``/``*.otf`` files of ``fonts_dir``. The slot comes from OS/2 ``fsSelection`` (bit 0
    italic, bit 5 bold); the first file in name order wins a slot. What each file says is kept in
    the user's cache (:func:`briefing.fonts.font_facts`)."""
    out: dict[str, dict[str, Face]] = {}
    for path in sorted(fonts_dir.glob("*.ttf")) + sorted(fonts_dir.glob("*.otf")):
        family, slot, panose, family_class, sig, fs_type = font_facts(path, "docx-face",
                                                                      _face_facts)
        out.setdefault(family, {}).setdefault(slot, Face(
            path, family, slot, panose, family_class, tuple(sig), fs_type))
    return out


def _face_facts(font) -> list:
    """A font's family, slot, panose, family class, signature and fsType (:class:`Face`), from
    a fontTools ``TTFont``, JSON-able."""
    os2 = font["OS/2"]
    bold, italic = bool(os2.fsSelection & 0x20), bool(os2.fsSelection & 0x01)
    slot = ("Bold" if bold else "") + ("Italic" if italic else "") or "Regular"
    p = os2.panose
    panose = "".join(f"{getattr(p, k):02X}" for k in (
        "bFamilyType", "bSerifStyle", "bWeight", "bProportion", "bContrast",
        "bStrokeVariation", "bArmStyle", "bLetterForm", "bMidline", "bXHeight"))
    # sFamilyClass high byte: 1-7 serif classes, 8 sans serif (OpenType OS/2 spec); when
    # unset, PANOSE Latin Text (family type 2) serif styles 11-13 are the sans serifs
    klass = os2.sFamilyClass >> 8
    if klass == 0 and p.bFamilyType == 2:
        klass = 8 if p.bSerifStyle in (11, 12, 13) else 1
    family_class = "roman" if 1 <= klass <= 7 else "swiss" if klass == 8 else "auto"
    sig = [f"{v:08X}" for v in (
        os2.ulUnicodeRange1, os2.ulUnicodeRange2, os2.ulUnicodeRange3,
        os2.ulUnicodeRange4, getattr(os2, "ulCodePageRange1", 0),
        getattr(os2, "ulCodePageRange2", 0))]
    return [font["name"].getBestFamilyName(), slot, panose, family_class, sig, os2.fsType]


def font_key(data: bytes) -> str:
    """The font key for a font file: an uppercase braced GUID made of the first 16 bytes of the
    file's SHA-256 (so the same font always gets the same key)."""
    h = hashlib.sha256(data).hexdigest()[:32].upper()
    return f"{{{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}}}"


def obfuscate(data: bytes, key: str) -> bytes:
    """§17.8.1: XOR the first 32 bytes of ``data`` with the key's 16 bytes in reverse order.
    The operation is its own inverse (``obfuscate(obfuscate(d, k), k) == d``)."""
    key_bytes = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ key_bytes[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def used_families(document) -> list[str]:
    """Font names the document's XML parts set in ``w:rFonts`` (styles, body, notes, headers,
    numbering), in order of first appearance."""
    names: dict[str, None] = {}
    for part in document.part.package.iter_parts():
        if not isinstance(part, XmlPart):
            continue
        for fonts in part.element.iter(qn("w:rFonts")):
            for attr in _FONT_ATTRS:
                value = fonts.get(qn(attr))
                if value:
                    names.setdefault(value, None)
    return list(names)


def embed_fonts(document, fonts_dir: Path, embed: bool = True) -> list[str]:
    """Replace the document's font table with one entry per font its parts use, embedding every
    bundled face of those families (``embed``; without it the table only lists them, as in the
    reference template); returns the family names embedded.

    Raises ValueError for a bundled font whose licence bits (OS/2 ``fsType``) forbid embedding.
    A font the document names that is not bundled is listed without embedding (the writer only
    names bundled fonts: :func:`briefing.fonts.check_fonts` refuses others)."""
    faces = bundled_faces(Path(fonts_dir))
    doc_part = document.part
    package = doc_part.package
    for r_id, rel in sorted(doc_part.rels.items()):
        if rel.reltype == RT.FONT_TABLE:
            doc_part.rels.pop(r_id)
    table = parse_xml(f"<w:fonts {nsdecls('w', 'r')}/>")
    table_part = XmlPart(PackURI("/word/fontTable.xml"), CT.WML_FONT_TABLE, table, package)
    doc_part.relate_to(table_part, RT.FONT_TABLE)
    embedded, n = [], 0
    for name in used_families(document):
        family = faces.get(name, {})
        first = next(iter(family.values()), None)
        font = _el("w:font", **{"w:name": name})
        if first is not None:
            font.append(_el("w:panose1", val=first.panose))
            font.append(_el("w:charset", val="00"))
            font.append(_el("w:family", val=first.family_class))
            font.append(_el("w:pitch", val="variable"))
            font.append(_el("w:sig", usb0=first.sig[0], usb1=first.sig[1],
                                 usb2=first.sig[2], usb3=first.sig[3], csb0=first.sig[4],
                                 csb1=first.sig[5]))
        for slot in EMBED_SLOTS if embed else ():
            face = family.get(slot)
            if face is None:
                continue
            if face.fs_type & _NO_EDITABLE_EMBEDDING:
                raise ValueError(f"{face.path.name}: the font's licence bits (OS/2 fsType "
                                 f"{face.fs_type:#06x}) do not allow embedding it in a document")
            data = face.path.read_bytes()
            key = font_key(data)
            n += 1
            font_part = Part(PackURI(f"/word/fonts/font{n}.odttf"), OBFUSCATED_FONT,
                             obfuscate(data, key), package)
            r_id = table_part.relate_to(font_part, RT.FONT)
            font.append(_el(f"w:embed{slot}", **{"r:id": r_id, "w:fontKey": key}))
        if family and embed:
            embedded.append(name)
        table.append(font)
    if embed:
        oxml.set_embed_true_type_fonts(document.settings.element)
    return embedded


def read_embedded(docx_bytes: bytes) -> dict[str, dict[str, bytes]]:
    """The fonts embedded in a .docx: family → slot → the de-obfuscated font file (for tests and
    for checking a document made elsewhere)."""
    import zipfile

    from lxml import etree

    z = zipfile.ZipFile(io.BytesIO(docx_bytes))
    rels = etree.fromstring(z.read("word/_rels/fontTable.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    table = etree.fromstring(z.read("word/fontTable.xml"))
    out: dict[str, dict[str, bytes]] = {}
    for font in table.iter(qn("w:font")):
        for slot in EMBED_SLOTS:
            embed = font.find(qn(f"w:embed{slot}"))
            if embed is not None:
                data = z.read("word/" + targets[embed.get(qn("r:id"))])
                out.setdefault(font.get(qn("w:name")), {})[slot] = obfuscate(
                    data, embed.get(qn("w:fontKey")))
    return out



_DRAWINGML = "http://schemas.openxmlformats.org/drawingml/2006/main"


def set_theme_fonts(document, *, heading: tuple[str, str], body: tuple[str, str]) -> None:
    """The theme's font scheme (DrawingML ``a:fontScheme``, ECMA-376 Part 1 §20.1.4.1.18):
    ``a:majorFont`` (headings) and ``a:minorFont`` (body), each ``(Latin, Arabic)``, with the
    Arabic face also as the ``Arab`` script font and no other script's fonts (the template's
    Japanese and other defaults name fonts the book never uses). The theme part is replaced,
    as python-docx keeps it as opaque bytes."""
    from lxml import etree

    doc_part = document.part
    for r_id, rel in sorted(doc_part.rels.items()):
        if rel.reltype != RT.THEME:
            continue
        old = rel.target_part
        theme = etree.fromstring(old.blob)
        scheme = theme.find(f".//{{{_DRAWINGML}}}fontScheme")
        scheme.set("name", "Briefing")
        for tag, (latin, arabic) in (("majorFont", heading), ("minorFont", body)):
            el = scheme.find(f"{{{_DRAWINGML}}}{tag}")
            for child in list(el):
                el.remove(child)
            for child_tag, attrs in (("latin", {"typeface": latin}), ("ea", {"typeface": ""}),
                                     ("cs", {"typeface": arabic}),
                                     ("font", {"script": "Arab", "typeface": arabic})):
                etree.SubElement(el, f"{{{_DRAWINGML}}}{child_tag}", attrs)
        doc_part.rels.pop(r_id)
        blob = etree.tostring(theme, xml_declaration=True, encoding="UTF-8", standalone=True)
        doc_part.relate_to(Part(old.partname, old.content_type, blob, doc_part.package),
                           RT.THEME)
