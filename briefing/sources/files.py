"""Reading the editors' files: text encodings, and YAML that remembers the line of every key.

Every loader goes through here so that a wrong encoding or a misspelt key is reported the same way:
the file, the line, and what to do about it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from ..errors import SourceError

MAX_TEXT_BYTES = 20 * 1024 * 1024
#: One part of the book: the whole 2023 edition's text is about 130 KB, and an 800 KB part lays out
#: as 157 pages in 15 s and 320 MB (measured); a 10 MB part would take minutes and gigabytes.
MAX_MARKDOWN_BYTES = 1024 * 1024


def read_text(path: Path) -> str:
    """The file's text as UTF-8 (a BOM is accepted); other encodings get an error saying how to fix."""
    if not path.is_file():
        raise SourceError("file not found", file=path)
    limit = MAX_MARKDOWN_BYTES if path.suffix == ".md" else MAX_TEXT_BYTES
    size = path.stat().st_size  # before reading: a huge file is refused without loading it
    if size > limit:
        what = "a part of the book" if path.suffix == ".md" else "a source file"
        raise SourceError(f"file is {size / 2**20:.1f} MB, more than the {limit // 2**20} MB {what} "
                          "may have: split it or remove what the book does not use", file=path)
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("file is UTF-16; save it as UTF-8", file=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise SourceError("not UTF-8 text (perhaps Windows-1256); save it as UTF-8",
                          file=path, line=line) from None
    if not text.strip():
        raise SourceError("file is empty", file=path)
    text = text.replace("\r\n", "\n")
    bad = _CONTROL.search(text)
    if bad:  # invisible, and not allowed in the Word document's XML
        raise SourceError(f"invisible control character U+{ord(bad.group()):04X} in the text: "
                          "delete it (retype the line if you cannot see it)", file=path,
                          line=text.count("\n", 0, bad.start()) + 1)
    return text


# control characters other than tab and line ends, and the two non-characters XML forbids
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def inside(path: Path, root: Path) -> Path:
    """``path`` itself, after checking that it (or the file a symlink points to) is in ``root``."""
    if not Path(path).resolve().is_relative_to(Path(root).resolve()):
        raise SourceError(f"this file is (or links to) a file outside {root}: copy the file into "
                          "the edition instead", file=path)
    return path


class Mapping(dict):
    """A YAML mapping that knows the line of each of its keys (``lines``) and its own line."""

    line: int | None = None
    lines: dict

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = Mapping(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.lines = {key_node.value: key_node.start_mark.line + 1
                         for key_node, _ in node.value if isinstance(key_node, yaml.ScalarNode)}
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                            _LineLoader.construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parsed YAML whose mappings are :class:`Mapping`; syntax errors name the line."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SourceError(f"YAML syntax: {exc.problem or exc.context}", file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"YAML syntax: {exc}", file=path) from None


def check_keys(mapping: Any, path: Path, allowed: Iterable[str], required: Iterable[str] = (),
               what: str = "entry") -> None:
    """Unknown keys are errors (a misspelt key must not be silently ignored); so are missing ones."""
    allowed = set(allowed)
    line = getattr(mapping, "line", None)
    if not isinstance(mapping, dict):
        raise SourceError(f"{what} must be a mapping of keys to values", file=path, line=line)
    for key in mapping:
        if key not in allowed:
            raise SourceError(f"unknown key '{key}' in {what} (allowed: {', '.join(sorted(allowed))})",
                              file=path, line=mapping.line_of(key), key=str(key))
    for key in required:
        if key not in mapping:
            raise SourceError(f"missing key '{key}' in {what}", file=path, line=line, key=key)
