"""The publication's visual identity, ``styles/identity.yaml``: one place for the colours,
heading sizes and table look shared by the PDF (``book.css`` through ``book.html``), the Word
template (``styles/make_reference_docx.py``) and the charts (:mod:`briefing.charts`).

In: the styles folder. Out: an :class:`Identity`; a malformed file raises SourceError naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .sources.files import read_yaml

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Identity:
    """Colours as ``#rrggbb``; sizes in points."""

    colors: dict[str, str]
    chart_palette: tuple[str, ...]
    heading_sizes: dict[int, float]        # level (1-3) → points
    heading_colors: dict[int, str]         # level → ``#rrggbb``
    table_header_fill: str
    table_header_text: str
    table_space_after: float

    def css_variables(self) -> str:
        """``--name: value;`` declarations for ``:root`` (colours as ``--accent-light``,
        heading sizes and colours as ``--h1-size``/``--h1-color``, ``--table-header-*``)."""
        decl = [f"--{k.replace('_', '-')}: {v};" for k, v in self.colors.items()]
        for level in sorted(self.heading_sizes):
            decl.append(f"--h{level}-size: {self.heading_sizes[level]:g}pt;")
            decl.append(f"--h{level}-color: {self.heading_colors[level]};")
        decl += [f"--table-header-fill: {self.table_header_fill};",
                 f"--table-header-text: {self.table_header_text};",
                 f"--table-space-after: {self.table_space_after:g}pt;"]
        return " ".join(decl)


def word_color(css: str) -> str:
    """``#7a5c1e`` → ``7A5C1E`` (``w:color``/``w:fill`` values, §17.18.38)."""
    return css.lstrip("#").upper()


def load_identity(styles_dir: Path) -> Identity:
    """Read ``styles_dir/identity.yaml``. A colour may be hex (``#7a5c1e``) or the name of
    another colour of ``colors`` (``accent``)."""
    path = Path(styles_dir) / "identity.yaml"
    raw = read_yaml(path)

    def fail(key: str, what: str):
        raise SourceError(f"{what}; see the comments at the top of the file", file=path,
                          key=key)

    colors_raw = raw.get("colors") if isinstance(raw, Mapping) else None
    if not isinstance(colors_raw, Mapping):
        fail("colors", "no 'colors' section")
    colors = {k: v for k, v in colors_raw.items() if k != "chart_palette"}
    for k, v in colors.items():
        if not (isinstance(v, str) and _HEX.fullmatch(v)):
            fail(f"colors.{k}", f"{v!r} is not a colour written #rrggbb")

    def color(value, key: str) -> str:
        if isinstance(value, str) and _HEX.fullmatch(value):
            return value
        if value in colors:
            return colors[value]
        fail(key, f"{value!r} is neither #rrggbb nor one of the colours {', '.join(colors)}")

    def number(value, key: str) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
        fail(key, f"{value!r} is not a size in points")

    palette = colors_raw.get("chart_palette")
    if not (isinstance(palette, (list, tuple)) and palette):
        fail("colors.chart_palette", "no list of chart colours")
    headings = raw.get("headings") or {}
    table = raw.get("table") or {}
    sizes, heading_colors = {}, {}
    for level in (1, 2, 3):
        h = headings.get(f"h{level}")
        if not isinstance(h, Mapping):
            fail(f"headings.h{level}", "missing: give its size and color")
        sizes[level] = number(h.get("size"), f"headings.h{level}.size")
        heading_colors[level] = color(h.get("color"), f"headings.h{level}.color")
    return Identity(
        colors=colors,
        chart_palette=tuple(color(c, "colors.chart_palette") for c in palette),
        heading_sizes=sizes, heading_colors=heading_colors,
        table_header_fill=color(table.get("header_fill"), "table.header_fill"),
        table_header_text=color(table.get("header_text"), "table.header_text"),
        table_space_after=number(table.get("space_after"), "table.space_after"))
