"""Runs the command line's ``main`` once per edition in one process, for the corpus.

``python tests/bad_inputs/run_cli.py`` reads a JSON list of argument lists on stdin and writes a JSON
list of ``{"status", "stdout", "stderr"}``: what ``make_book.py ARGS`` would have exited with and
printed. One process for many cases keeps the corpus fast (a process per case costs half a second
of start-up and font loading each); the other reliability tests run ``make_book.py`` itself.
"""

import contextlib
import io
import json
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from briefing.cli import main  # noqa: E402


def run(args: list[str]) -> dict:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(args)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # escaped main: exactly what the tests must catch
            traceback.print_exc()
            status = 99
    return {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}


if __name__ == "__main__":
    json.dump([run(args) for args in json.load(sys.stdin)], sys.stdout)
