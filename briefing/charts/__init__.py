"""Figures drawn from data: ``render`` (chart style, the data a chart shows, content-hashed cache,
SVG and PNG output), ``draw`` (bars and lines), ``pie``, ``locator_map``, ``shaping`` (Arabic
labels: shaping detection, digits, font coverage), ``checks`` (what drawing would refuse, found
without drawing: for ``--check`` and the build's first step)."""
