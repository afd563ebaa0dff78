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
