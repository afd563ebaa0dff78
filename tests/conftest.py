"""Shared fixtures: the tiny edition, loaded and drawn once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing.build import STYLES, draw_figures
from briefing.sources.loading import load_edition
from paths import MINI



@pytest.fixture(scope="session")
def mini_edition():
    return load_edition(MINI)


@pytest.fixture(scope="session")
def mini_book(mini_edition, tmp_path_factory):
    """The tiny edition's book with its chart drawn, as the writers receive it."""
    return draw_figures(mini_edition, tmp_path_factory.mktemp("charts"), STYLES)


@pytest.fixture
def edition_copy(tmp_path) -> Path:
    """A writable copy of the tiny edition, for tests that break it on purpose."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture(scope="session")
def built_pdf(tmp_path_factory):
    """Build an edition's PDF once per session: ``built_pdf(edition_dir)`` → (book, pdf path)."""
    from briefing.build import check
    from briefing.writers.pdf import write_pdf

    built = {}

    def build(edition_dir: Path):
        if edition_dir not in built:
            charts = tmp_path_factory.mktemp("pdf-charts")
            book = draw_figures(check(edition_dir), charts)
            path = tmp_path_factory.mktemp("pdf") / "book.pdf"
            write_pdf(book, path, STYLES, charts)
            built[edition_dir] = book, path
        return built[edition_dir]

    return build


@pytest.fixture(scope="session")
def releases(tmp_path_factory) -> Path:
    """The synthetic IMF and World Bank files of every layout, and a whole next release in
    ``next/`` (tests/releases.py), written once per session."""
    from releases import write_releases

    return write_releases(tmp_path_factory.mktemp("releases"))
