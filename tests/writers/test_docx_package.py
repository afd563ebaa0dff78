"""The Word package zipped once: :func:`oxml.package_members` holds what python-docx's own save
writes, and :func:`oxml.write_deterministic_zip` gives the bytes zipfile gives, whether a large
member's deflated stream comes from the user's cache or not."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from docx import Document

from briefing.writers.docx import oxml
from paths import STYLES

DATE = (2023, 7, 1, 0, 0, 0)


def _document():
    doc = Document(str(STYLES / "reference.docx"))
    doc.add_paragraph("نص عربي", style="Heading 1")
    doc.add_paragraph("text")
    return doc


def _plain_zip(members: dict[str, bytes]) -> bytes:
    """The deterministic zip as zipfile writes it, every member through writestr."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(members, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            dst.writestr(info, members[name])
    return buf.getvalue()


def test_package_members_are_what_python_docx_saves():
    doc = _document()
    saved = io.BytesIO()
    doc.save(saved)
    with zipfile.ZipFile(saved) as z:
        expected = {name: z.read(name) for name in z.namelist()}
    assert oxml.package_members(doc.part.package) == expected


@pytest.fixture
def user_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setattr(oxml, "USER_CACHE", folder)
    return folder / "deflate"


def _members() -> dict[str, bytes]:
    big = os.urandom(40_000) * 3 + bytes(range(256)) * 400  # 222 kB, partly compressible
    return {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 9000,
            "word/fonts/font1.odttf": big, "word/media/image1.png": big[::-1]}


def test_large_members_deflated_through_the_cache_give_zipfile_s_bytes(user_cache):
    members = _members()
    expected = _plain_zip(members)
    for _ in range(2):  # the cache is written, then read
        out = io.BytesIO()
        oxml.write_deterministic_zip(members, out, DATE)
        assert out.getvalue() == expected
    # the two binary members only: XML parts change with every edit
    assert len(list(user_cache.iterdir())) == 2
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert {n: z.read(n) for n in z.namelist()} == members


def test_a_damaged_cache_file_is_made_again(user_cache):
    members = _members()
    oxml.write_deterministic_zip(members, io.BytesIO(), DATE)
    for path in user_cache.iterdir():
        data = path.read_bytes()
        path.write_bytes(data[:-10] + b"0123456789")
    out = io.BytesIO()
    oxml.write_deterministic_zip(members, out, DATE)
    assert out.getvalue() == _plain_zip(members)


def test_an_unwritable_cache_costs_nothing_but_time(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(oxml, "USER_CACHE", blocker)
    members = _members()
    out = io.BytesIO()
    oxml.write_deterministic_zip(members, out, DATE)
    assert out.getvalue() == _plain_zip(members)


def test_the_cache_keeps_the_most_recently_used_streams(user_cache, monkeypatch):
    """A picture changed at every build (the map after an edit) does not fill the disk: the
    cache keeps the streams used last, among them the fonts every build uses."""
    monkeypatch.setattr(oxml, "_DEFLATED_KEPT", 4)
    fonts = os.urandom(70_000)
    for n in range(9):
        picture = os.urandom(70_000) + bytes([n])
        oxml.write_deterministic_zip({"word/fonts/font1.odttf": fonts,
                                      "word/media/image1.png": picture}, io.BytesIO(), DATE)
        kept = list(user_cache.glob("*.bin"))
        assert len(kept) <= 4
    fonts_stream = oxml._deflated(fonts)
    assert any(path.read_bytes()[32:] == fonts_stream for path in kept)
