"""Figures drawn from data: ``render`` (chart style, the data a chart shows, content-hashed cache,
PDF and PNG output), ``outline_pdf`` (the PDF with text as outlines), ``draw`` (bars and lines),
``pie``, ``locator_map``, ``shaping`` (Arabic labels: shaping detection, digits, font coverage),
``checks`` (what drawing would refuse, found without drawing: for ``--check`` and the build's
first step)."""
