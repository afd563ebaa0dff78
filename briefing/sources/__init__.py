"""Sources → model: an edition folder read, checked and converted into a :class:`~briefing.model.Book`.

``files`` (confined, size-limited readers of text and YAML), ``loading`` (the steps: manifest, data,
text, numbering, conversion), ``text`` (Markdown parts → blocks), ``expressions`` (``{{ … }}`` in
the text, bound to data), ``figures`` (figure specifications), ``tables`` (table specifications),
``table_fit`` (the type size and column widths that make a table fit the page), ``limits`` (the
work expressions and year ranges may ask for).
"""
