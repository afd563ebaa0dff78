"""The one error type the tool raises for bad input, always pointing at a place in the sources.

Editors are not programmers: the CLI prints these as ``file:line: what is wrong`` with no traceback,
so every message must say what to fix.
"""

from __future__ import annotations

from pathlib import Path


class SourceError(Exception):
    """Bad input: names the file, and the line or key when known, and what is wrong."""

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None,
                 key: str | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.file or ""
        if self.line is not None:
            place += f":{self.line}"
        if self.key:
            place += f" [{self.key}]"
        return f"{place}: {self.message}" if place else self.message
