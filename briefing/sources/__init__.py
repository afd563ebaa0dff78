"""Sources → model: an edition folder read, checked and converted into a :class:`~briefing.model.Book`.

``files`` (confined, size-limited readers of text and YAML), ``loading`` (the steps: manifest,
data, text, conversion, numbering), ``text`` (Markdown parts → blocks), ``expressions``
(``{{ … }}`` in the text, bound to data) with ``dates`` (the edition's and the data's dates) and
``limits`` (the work expressions and year ranges may ask for), ``figures`` and ``tables`` (the
specifications of figures and tables) with ``table_fit`` (the type size and column widths that
make a table fit the page), ``numbering`` (the pass over the converted model that decides every
printed number, label and the contents).
"""
