"""The bundled fonts, and the promise that follows from them: no tofu boxes, ever.

In: ``styles/fonts/*.ttf`` and a book. Out: nothing, or a SourceError naming the first character
that none of a part's fonts can draw, with the file and line where it was typed.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import unicodedata
from pathlib import Path
from typing import Any, Callable

from . import model as m
from .errors import SourceError

ARABIC_PROBE = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
# fonts the stylesheet falls back to after the manifest's ones (see styles/book.css)
FALLBACKS = ("Noto Sans",)


@functools.cache
def families(fonts_dir: Path) -> dict[str, frozenset[int]]:
    """Family name → the code points its files cover (all weights and styles together)."""
    covered: dict[str, set[int]] = {}
    for path in sorted(fonts_dir.glob("*.tt[fc]")) + sorted(fonts_dir.glob("*.otf")):
        try:
            name, points = _coverage(path)
            covered.setdefault(name, set()).update(points)
        except Exception as exc:  # fontTools raises many kinds for a damaged or truncated file
            raise SourceError(f"not a usable font file ({type(exc).__name__}: {exc}); replace it "
                              "with the font's original file or remove it", file=path) from None
    return {name: frozenset(points) for name, points in covered.items()}


def _coverage(path: Path) -> tuple[str, list[int]]:
    """A font file's family name and code points (:func:`font_facts`)."""
    def coverage(font) -> list:
        return [font["name"].getBestFamilyName(), sorted(font.getBestCmap() or {})]

    name, points = font_facts(path, "cmap", coverage)
    return name, points


def font_facts(path: Path, kind: str, read: Callable[[Any], Any]) -> Any:
    """What ``read`` finds in a font file (given a lazy fontTools ``TTFont``; JSON-able), kept in
    the user's cache by ``kind`` and the file's content hash: reading the bundled fonts' tables
    (cmaps, metrics) is most of the time ``--check`` would take, and fontTools is imported only
    when the cache misses. Raises what fontTools raises for a damaged file."""
    data = path.read_bytes()
    cache = USER_CACHE / f"{kind}-{hashlib.sha256(data).hexdigest()[:32]}.json"
    try:
        return json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    from fontTools.ttLib import TTFont  # imported only when the cache misses

    font = TTFont(io.BytesIO(data), lazy=True)
    facts = read(font)
    font.close()
    try:  # best effort: a read-only home only costs the time saved
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(facts), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass
    return facts


# the user's cache: what is read from the bundled fonts, and the edition's expressions compiled
# (briefing.sources.expressions); BRIEFING_CACHE moves it (the benchmark starts cold with it)
USER_CACHE = Path(os.environ.get("BRIEFING_CACHE") or Path(
    os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "briefing")


def prune_user_cache(folder: Path, kept: int) -> None:
    """Keep a folder of the user's cache under ``kept`` files: when it holds more, remove the
    least recently written (or touched) down to half of ``kept``, so that it is not pruned
    again at every build. A file another build removed meanwhile is passed over."""
    entries = list(os.scandir(folder))
    if len(entries) <= kept:
        return
    entries.sort(key=lambda entry: entry.stat().st_mtime)
    for entry in entries[:len(entries) - kept // 2]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def check_fonts(book: m.Book, fonts_dir: Path, manifest: str = "edition.yaml") -> None:
    """Every family the manifest names is bundled, Arabic body fonts have Arabic, and every
    character the book prints is covered by the fonts of its part."""
    available = families(fonts_dir)
    fonts = book.meta.fonts
    for role in ("body", "heading", "latin"):
        family = getattr(fonts, role)
        if family not in available:
            raise SourceError(f"font '{family}' is not in {fonts_dir} (bundled: "
                              f"{', '.join(sorted(available))})", file=manifest,
                              key=f"fonts.{role}")
    if book.meta.lang == "ar" and not set(map(ord, ARABIC_PROBE)) <= available[fonts.body]:
        raise SourceError(f"font '{fonts.body}' has no Arabic letters; choose an Arabic font",
                          file=manifest, key="fonts.body")
    missing: dict[str, m.Where] = {}  # every uncovered character, with where it is first typed
    every = frozenset().union(*available.values())
    manifest_where = m.Where(str(manifest))
    for text in (book.meta.title, book.meta.subtitle, book.meta.organisation, book.meta.date_text):
        _check_text(text, every, manifest_where, missing)
    for part in book.parts:
        order = (fonts.body, fonts.heading, fonts.latin) if part.lang == "ar" else (
            fonts.latin, fonts.body, fonts.heading)
        covered = frozenset().union(*(available[f] for f in order + FALLBACKS if f in available))
        for node, where in m.walk_with_where(part):  # every printed string, at any depth
            for text in _texts(node):
                _check_text(text, covered, where, missing)
    if missing:
        _report(missing)


MAX_REPORTED = 20


def _report(missing: dict[str, m.Where]) -> None:
    """One error listing every character no font has (up to a limit), each with its place."""
    first = next(iter(missing.values()))
    listed = []
    for char, where in list(missing.items())[:MAX_REPORTED]:
        place = "" if where == first else (
            f" at line {where.line}" if where.file == first.file else f" at {where.file}:{where.line}")
        listed.append(f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}){place}")
    more = f" and {len(missing) - MAX_REPORTED} more" if len(missing) > MAX_REPORTED else ""
    if len(missing) == 1:
        message = (f"the character {listed[0]} is in none of the bundled fonts and would print as "
                   "an empty box: replace it")
    else:
        message = (f"{len(missing)} characters are in none of the bundled fonts and would print as "
                   f"empty boxes: {', '.join(listed)}{more}; replace them")
    raise SourceError(message, file=first.file, line=first.line)


def _texts(node) -> list[str]:
    """The strings a node prints itself (its children are walked apart)."""
    if isinstance(node, (m.Text, m.Code)):
        return [node.text]
    if isinstance(node, m.CrossRef):
        return [node.label]
    if isinstance(node, m.Footnote):
        return [node.marker]
    if isinstance(node, m.Heading):
        return [node.number]
    if isinstance(node, (m.Table, m.Figure)):
        return [str(node.label or ""), node.source]
    return []


def _check_text(text: str, covered: frozenset[int], where: m.Where,
                missing: dict[str, m.Where]) -> None:
    for char in dict.fromkeys(text):  # in reading order, so the report is the same every time
        if char in missing:
            continue
        if ord(char) not in covered and unicodedata.category(char) not in ("Cc", "Cf", "Zs"):
            missing[char] = where
