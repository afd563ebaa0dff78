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
    try:
        raw = path.read_bytes()
    except OSError as exc:  # no permission, a folder named like the file, a disk error
        raise SourceError(f"cannot read this file ({exc.strerror}): check that it is a file you "
                          "may read", file=path) from None
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
    bad = _INVISIBLE.search(text)
    if bad:
        raise SourceError(invisible_message(bad.group()), file=path,
                          line=text.count("\n", 0, bad.start()) + 1)
    return text


# control characters other than tab and line ends, and the two non-characters XML forbids:
# invisible, and not allowed in the Word document's XML
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
# bidi embeddings, overrides and isolates (Unicode UAX #9, table 1): invisible, they reorder what
# follows them (U+202E prints «2023» as «3202»); the book sets direction itself. The marks
# U+200E/U+200F stay allowed: they only attach a neutral character to one side.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(f"[{_CONTROL}{_BIDI_CONTROLS}]")


def invisible_message(char: str) -> str:
    """What to say about an invisible character that sources may not hold (see ``_INVISIBLE``)."""
    what = ("invisible direction control" if re.match(f"[{_BIDI_CONTROLS}]", char)
            else "invisible control character")
    return (f"{what} U+{ord(char):04X} in the text: delete it (retype the line if you cannot "
            "see it)")


def check_invisible(text: str, file: Path | str, line: int | None = None,
                    key: str | None = None) -> None:
    """A SourceError if ``text`` (a value made from escapes such as YAML's ``"\\x00"`` or an HTML
    entity) holds a character :func:`read_text` refuses in typed text."""
    bad = _INVISIBLE.search(text)
    if bad:
        raise SourceError(invisible_message(bad.group()), file=file, line=line, key=key)


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


class Sequence(list):
    """A YAML list that knows its own line and the line of each of its items (``lines``)."""

    line: int | None = None
    lines: list


#: How many values a YAML file may hold once its aliases (``*name``) are expanded: an "alias bomb"
#: of nine nested lists of nine aliases is 10^9 values (it would print gigabytes) in 500 bytes.
#: The largest real file, entities.yaml with groups, holds a few thousand.
MAX_YAML_VALUES = 100_000


class _Refused(Exception):
    """A YAML problem found while loading: message, line, key (read_yaml adds the file)."""


def _size(node, sizes: dict[int, int]) -> int:
    """How many values a composed node holds, its aliases expanded (memoised in ``sizes`` by
    node: an alias is the node it names, so the count takes no longer than the file)."""
    if id(node) not in sizes:
        if isinstance(node, yaml.ScalarNode):
            size = 1
        elif isinstance(node, yaml.SequenceNode):
            size = 1 + sum(_size(item, sizes) for item in node.value)
        else:
            size = 1 + sum(_size(k, sizes) + _size(v, sizes) for k, v in node.value)
        sizes[id(node)] = size
    return sizes[id(node)]


class _LineConstructor(yaml.constructor.SafeConstructor):
    """Mappings remember their lines; duplicate keys and escaped invisible characters are
    refused."""

    def construct_scalar(self, node, key=None):
        value = super().construct_scalar(node)
        bad = _INVISIBLE.search(value) if isinstance(value, str) else None
        if bad:  # typed characters are refused by read_text: this one came from an escape
            raise _Refused("an escape (such as \\x00 or \\u202E) in this value makes an "
                           + invisible_message(bad.group()), node.start_mark.line + 1, key)
        return value

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:  # 2023-02-30: a date-shaped value that is no date
            raise _Refused(f"'{node.value}' is not a date ({exc}): write a real date YYYY-MM-DD",
                           node.start_mark.line + 1, None) from None

    def construct_lines_sequence(self, node):
        sequence = Sequence(self.construct_sequence(node, deep=True))
        sequence.line = node.start_mark.line + 1
        sequence.lines = [item.start_mark.line + 1 for item in node.value]
        return sequence

    def construct_mapping(self, node, deep=False):
        first: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in first:
                raise _Refused(f"the key '{key_node.value}' is written twice, on lines "
                               f"{first[key_node.value]} and {line}: YAML keeps only the last, "
                               "so delete or merge one of them", line, key_node.value)
            first[key_node.value] = line
            if isinstance(value_node, yaml.ScalarNode):
                self.construct_scalar(value_node, key=key_node.value)
        try:
            mapping = Mapping(super().construct_mapping(node, deep=True))
        except _Refused as exc:  # a value of this mapping: name its key
            message, line, key = exc.args
            keys = [k for k, at in first.items() if at == line]
            raise _Refused(message, line, key or (keys[0] if keys else None)) from None
        mapping.line = node.start_mark.line + 1
        mapping.lines = {key_node.value: key_node.start_mark.line + 1
                         for key_node, _ in node.value if isinstance(key_node, yaml.ScalarNode)}
        return mapping


_LineConstructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _LineConstructor.construct_mapping)
_LineConstructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                                 _LineConstructor.construct_lines_sequence)
# a list read from YAML is written back as a list (the importer rewrites datasets.yaml)
yaml.SafeDumper.add_representer(Sequence, yaml.SafeDumper.represent_list)
_LineConstructor.add_constructor("tag:yaml.org,2002:timestamp",
                                 _LineConstructor.construct_yaml_timestamp)


class _LineLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                  yaml.composer.Composer, _LineConstructor, yaml.resolver.Resolver):
    """PyYAML's own (Python) safe loader with :class:`_LineConstructor`; aliases expanding past
    ``MAX_YAML_VALUES`` are refused where the count passes it. Its messages name what is wrong
    (libyaml's, for some errors, do not): it reads every file the fast loader does not take."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _LineConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def compose_document(self):
        self.expanded = 0           # values composed so far, aliases counted as what they repeat
        self.sizes = {}             # id(node) → how many values the node holds, aliases expanded
        return super().compose_document()

    def compose_node(self, parent, index):
        alias = self.check_event(yaml.AliasEvent)
        mark = self.peek_event().start_mark
        node = super().compose_node(parent, index)
        size = _size(node, self.sizes)
        if alias:
            self.expanded += size
        elif isinstance(node, yaml.ScalarNode):
            self.expanded += 1
        if self.expanded > MAX_YAML_VALUES:
            raise _Refused(f"the aliases (*name) repeat more than {MAX_YAML_VALUES:,} values: "
                           "write the values out instead of repeating an alias", mark.line + 1,
                           None)
        return node


class _Declined(Exception):
    """The fast loader leaves the file to :class:`_LineLoader` (to say what is wrong in it)."""


if yaml.__with_libyaml__:
    class _FastLineLoader(yaml.cyaml.CParser, _LineConstructor, yaml.resolver.Resolver):
        """libyaml's parser (eight times faster than PyYAML's) with :class:`_LineConstructor`:
        for a file with no problem, the same values as :class:`_LineLoader`. A syntax error, or
        aliases past ``MAX_YAML_VALUES`` (counted once composed: composing does not expand
        them), declines the file."""

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            _LineConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def get_single_node(self):
            try:
                node = super().get_single_node()
            except yaml.YAMLError:
                raise _Declined from None
            if node is not None and _size(node, {}) > MAX_YAML_VALUES:
                raise _Declined
            return node
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLineLoader = _LineLoader


def read_yaml(path: Path) -> Any:
    """Parsed YAML whose mappings are :class:`Mapping`; syntax errors name the line."""
    text = read_text(path)
    try:
        try:
            return yaml.load(text, Loader=_FastLineLoader)
        except _Declined:
            return yaml.load(text, Loader=_LineLoader)
    except _Refused as exc:
        message, line, key = exc.args
        raise SourceError(message, file=path, line=line, key=key) from None
    except RecursionError:  # PyYAML composes nested lists and mappings recursively
        raise SourceError("lists or mappings nested too deep (brackets inside brackets): "
                          "write the values out flat", file=path) from None
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
