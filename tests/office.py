"""LibreOffice, the word processor the tests can run: the Word book rendered to PDF as a reader
sees it, with the bundled fonts installed or hidden and with the reader's digit setting."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from briefing.build import STYLES
from briefing.writers.docx.pagination import office

FONTS = STYLES / "fonts"

# Tools ▸ Options ▸ Language Settings ▸ Complex Text Layout ▸ Numerals, as LibreOffice stores it
# (officecfg Common.xcs, I18N/CTL/CTLTextNumerals): 0 Arabic (Western, the default), 1 Hindi
# (Arabic-Indic everywhere), 2 System, 3 Context (the digits of the text's language).
NUMERALS = {"western": 0, "hindi": 1, "system": 2, "context": 3}


def fontconfig(work: Path, with_fonts: bool) -> dict[str, str]:
    """An environment whose fontconfig sees the system fonts, plus the bundled ones if asked."""
    work.mkdir(parents=True, exist_ok=True)
    conf = work / "fonts.conf"
    extra = f"<dir>{FONTS.resolve()}</dir>" if with_fonts else ""
    conf.write_text('<?xml version="1.0"?><fontconfig>'
                    '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                    f"{extra}<cachedir>{work / 'cache'}</cachedir></fontconfig>")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _profile(work: Path, numerals: str) -> Path:
    """A private LibreOffice profile whose Numerals setting is ``numerals``."""
    profile = work / f"profile-{numerals}"
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Common/I18N/CTL">'
        f'<prop oor:name="CTLTextNumerals" oor:op="fuse"><value>{NUMERALS[numerals]}</value>'
        "</prop></item></oor:items>")
    return profile


def render(docx: Path, work: Path, *, with_fonts: bool = True,
           numerals: str = "western") -> Path:
    """LibreOffice's PDF of ``docx`` (written into ``work``), with the bundled fonts installed or
    hidden and the reader's Numerals setting (:data:`NUMERALS`). Skips where LibreOffice is
    missing or where the fonts cannot be hidden because they are installed system-wide."""
    if office() is None:
        pytest.skip("LibreOffice is not installed")
    env = fontconfig(work, with_fonts)
    listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True,
                            check=True).stdout
    if not with_fonts and "amiri" in listed.lower():
        pytest.skip("Amiri is installed system-wide: the fonts cannot be hidden")
    assert with_fonts == ("amiri" in listed.lower())
    copy = work / "book.docx"
    shutil.copyfile(docx, copy)
    subprocess.run([office(), "--headless", "--norestore",
                    f"-env:UserInstallation={_profile(work, numerals).as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(work), str(copy)],
                   check=True, capture_output=True, timeout=300, env=env)
    return work / "book.pdf"
