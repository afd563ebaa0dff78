"""Problems with where the book is written: ``--out`` is a file, read-only, not ours, or full.

They are the user's to fix, not faults of the tool: the CLI prints them as one ``error:`` line
naming the path and what to do (exit 1), and, as for bad sources, the previous outputs are left
as they were (outputs are replaced only when complete: ``build.atomic_output``).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .errors import SourceError

#: errno → what to do about it (POSIX names; ``EDQUOT`` is a full quota)
_FIXES = {
    errno.ENOSPC: "the disk is full: free some space or choose another --out folder",
    errno.EDQUOT: "your disk quota is used up: free some space or choose another --out folder",
    errno.EROFS: "the disk is read-only: choose another --out folder",
    errno.EACCES: "you may not write there: choose another --out folder or ask for permission",
    errno.EPERM: "you may not write there: choose another --out folder or ask for permission",
    errno.ENOTDIR: "a file has the name of a folder on this path: choose another --out folder",
    errno.EEXIST: "a file has the name of a folder on this path: choose another --out folder",
    errno.EISDIR: "a folder has the name of the output file: rename or move that folder",
    errno.ENAMETOOLONG: "the path is too long: choose a shorter --out folder",
}


def check_output_folder(out: Path) -> None:
    """Before building: ``out`` is (or can be made) a folder we may write in. Raises SourceError
    naming ``out`` and the fix; creates the folder (as the build would)."""
    if out.exists() and not out.is_dir():
        raise SourceError("--out names a file, not a folder: choose a folder (it is created if "
                          "missing)", file=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, out) or SourceError(
            f"cannot create the output folder ({exc.strerror}): choose another --out folder",
            file=out) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise output_error(PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out)), out)


def output_error(exc: OSError, out: Path) -> SourceError | None:
    """The user error for an OSError met while writing into ``out`` (or None: a fault of the tool
    or of the sources, reported as such)."""
    fix = _FIXES.get(exc.errno)
    if fix is None:
        return None
    path = exc.filename or out
    if exc.errno not in (errno.ENOSPC, errno.EDQUOT) and not _under(path, out):
        return None  # not the output folder's problem (e.g. a source file that cannot be read)
    return SourceError(f"cannot write the book ({exc.strerror}): {fix}", file=path)


def _under(path, out: Path) -> bool:
    path, out = Path(os.path.abspath(path)), Path(os.path.abspath(out))
    return path == out or out in path.parents or path in out.parents
