"""Sources → model: an edition folder read, checked and converted into a :class:`~briefing.model.Book`.

``files`` (confined, size-limited readers of text and YAML), ``loading`` (the steps: manifest, data,
text, numbering, conversion), ``text`` (Markdown parts → blocks), ``expressions`` (``{{ … }}`` in
the text, bound to data), ``figures`` (figure specifications).
"""
