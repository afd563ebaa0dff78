"""briefing: right-to-left Arabic briefing books, as print PDF and editable Word, from one model.

The folders follow the pipeline (sources → model → charts → writers):

* :mod:`briefing.sources` reads and checks an edition (manifest, Markdown text, figure and table
  specifications, expressions in the text) into the model;
* :mod:`briefing.model` is the typed, immutable document both writers read, with the one walk
  over its tree;
* :mod:`briefing.data` holds the edition's data (the store, the importer of IMF and World Bank
  releases, the map geography);
* :mod:`briefing.charts` draws figures from data (style, chart kinds, the locator map, shaping);
* :mod:`briefing.writers.pdf` and :mod:`briefing.writers.docx` (with its raw OOXML layer) write
  the book;
* :mod:`briefing.editions` makes next year's edition, checks typed numbers and compares editions;
* :mod:`briefing.numerals` is the book's one rule for printing numbers, years and dates, and
  :mod:`briefing.directions` for numbers, Latin and Arabic runs inside the other direction
  (docs/conventions.md); :mod:`briefing.fonts` checks that the bundled fonts print every
  character; :mod:`briefing.identity` is the shared look (``styles/identity.yaml``);
* :mod:`briefing.build` runs the numbered steps; :mod:`briefing.cli` is the command line;
  :mod:`briefing.outputs` turns problems with the output folder into errors the user can fix.
"""

__version__ = "0.1.0"
