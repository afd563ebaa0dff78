"""The two writers of the model, which read only the model and ``styles/``:

* :mod:`briefing.writers.pdf`: HTML + CSS paged media through WeasyPrint, with ``text_layer``
  (ToUnicode maps from the fonts themselves) and ``tagging`` (PDF/UA languages and artifacts);
* :mod:`briefing.writers.docx`: python-docx, with the raw OOXML in ``oxml``, the embedded fonts in
  ``oxml_fonts``, Word list numbering of section numbers in ``heading_numbering``, native Word
  charts with their workbooks in ``native_charts`` (parts in ``oxml_chart``) and the contents'
  page numbers from LibreOffice in ``pagination``.
"""
