"""Builds shared by the PDF writer's tests: the ``pdf-defects`` case drawn once, and its PDF/UA-1
file written once."""

from __future__ import annotations

import pytest
from paths import FIXTURES

from briefing.build import STYLES, check, draw_figures
from briefing.writers.pdf import write_pdf


@pytest.fixture(scope="session")
def defects_book(tmp_path_factory):
    """(book with its charts drawn, the charts' folder) of tests/fixtures/pdf-defects."""
    charts = tmp_path_factory.mktemp("defects-charts")
    return draw_figures(check(FIXTURES / "pdf-defects"), charts), charts


@pytest.fixture(scope="session")
def ua_pdf(defects_book, tmp_path_factory):
    """(book, path) of the pdf-defects case written as PDF/UA-1."""
    book, charts = defects_book
    path = tmp_path_factory.mktemp("ua") / "book.pdf"
    write_pdf(book, path, STYLES, charts, variant="pdf/ua-1")
    return book, path
