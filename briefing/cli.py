"""The command line: ``briefing`` / ``python make_book.py``.

Exit status 0 only on success. Bad input prints ``error: file:line: what is wrong`` and no
traceback; the previous outputs stay as they were.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from .build import DEFAULT_EDITION, FORMATS, ROOT, build, check
from .errors import SourceError
from .pdf import PDF_VARIANTS


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="briefing", description="Build a briefing book (PDF and Word) from an edition folder.")
    parser.add_argument("--edition", type=Path, default=DEFAULT_EDITION,
                        help="edition folder (default: %(default)s)")
    parser.add_argument("--format", choices=("pdf", "docx", "all"), default="all",
                        help="what to write (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "output",
                        help="output folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="only read and check the sources; write nothing")
    parser.add_argument("--print", dest="bleed", action="store_true",
                        help="PDF for the printer: 3 mm bleed and crop marks")
    parser.add_argument("--pdf-variant", choices=PDF_VARIANTS,
                        help="write an archival (PDF/A-3b) or accessible (PDF/UA-1) PDF")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    say = lambda message: print(message, flush=True)  # noqa: E731
    try:
        if args.check:
            say(f"[1/1] Checking {args.edition}")
            edition = check(args.edition)
            say(f"ok: {len(edition.book.parts)} parts, {len(edition.charts)} figures")
            return 0
        formats = FORMATS if args.format == "all" else (args.format,)
        for path in build(args.edition, args.out, formats, progress=say, bleed=args.bleed,
                          pdf_variant=args.pdf_variant):
            say(f"wrote {path}")
        return 0
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: previous outputs left unchanged", file=sys.stderr)
        return 130
    except Exception:  # a bug in the tool, not in the sources: keep the trace for its developers
        log = args.out / "crash.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(traceback.format_exc(), encoding="utf-8")
        kind, message = sys.exc_info()[:2]
        print(f"internal error ({kind.__name__}: {message}); the previous outputs are unchanged. "
              f"This is a fault in briefing, not in your sources: please report it with {log}",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
