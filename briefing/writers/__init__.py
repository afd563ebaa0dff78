"""The two writers of the model: :mod:`briefing.writers.pdf` (HTML + CSS paged media through
WeasyPrint) and :mod:`briefing.writers.docx` (python-docx, with raw OOXML kept in ``oxml``).
Both read only the model and ``styles/``."""
