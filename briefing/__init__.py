"""briefing: right-to-left Arabic briefing books, as print PDF and editable Word, from one model.

Stages, one module each: ``loading`` (sources → model), ``model`` (the typed document),
``data`` (edition data tables and aggregates), ``charts`` (figures drawn from data),
``pdf`` and ``docx`` (the two writers), ``cli`` (the numbered build steps).
"""

__version__ = "0.1.0"
