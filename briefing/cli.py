"""The command line: ``briefing`` / ``python make_book.py``.

Exit status 0 only on success. Bad input prints ``error: file:line: what is wrong`` and no
traceback; the previous outputs stay as they were.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import tempfile
import traceback
from pathlib import Path

from .build import DEFAULT_EDITION, FORMATS, ROOT, WORD_CHARTS, build, check
from .errors import SourceError
from .outputs import check_output_folder, output_error
from .processes import WorkerKilled
from .writers.pdf import PDF_VARIANTS


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
    parser.add_argument("--word-page-numbers", action="store_true",
                        help="show the page numbers in the Word contents before Word updates "
                             "them (lays the document out with LibreOffice, if installed)")
    parser.add_argument("--word-charts", choices=WORD_CHARTS, default="native",
                        help="charts in the Word book: native Word charts with their data, "
                             "editable in Word (default), or pictures; the map is a picture")
    edits = parser.add_argument_group(
        "Word edits", "carry the edits made in the Word book back into the sources")
    edits.add_argument("--import-docx", type=Path, metavar="EDITED.docx",
                       help="compare an edited Word book with --edition's sources and print the "
                            "changes to the text files, the conflicts and what cannot be carried "
                            "back (exit 1 if anything is left to do by hand)")
    edits.add_argument("--apply", action="store_true",
                       help="with --import-docx: write the changes into the text files")
    annual = parser.add_argument_group(
        "annual editions", "next year's edition, the numbers check and the comparison report")
    annual.add_argument("--new-edition", type=Path, metavar="DIR",
                        help="create DIR as next year's edition from --edition (which is not "
                             "changed); then import the new data into it")
    annual.add_argument("--year", type=int,
                        help="with --new-edition: the new reference year (default: the old + 1)")
    annual.add_argument("--date", type=_iso_date,
                        help="with --new-edition: the new edition's date, YYYY-MM-DD "
                             "(default: the old date moved by as many years)")
    annual.add_argument("--weo", metavar="FILE",
                        help="with --new-edition: the new IMF WEO download, relative to the raw "
                             "data folder (e.g. imf_weo_apr2024/WEOApr2024all.xlsx)")
    annual.add_argument("--wdi", metavar="FOLDER/",
                        help="with --new-edition: the folder of the new World Bank WDI downloads, "
                             "relative to the raw data folder (e.g. wb_wdi_2024/)")
    annual.add_argument("--raw", type=Path,
                        help="with --new-edition: the raw data folder holding the --weo file and "
                             "the --wdi folder (each indicator's API_<code>_DS2_*.csv file)")
    annual.add_argument("--shift-typed", action="store_true",
                        help="with --new-edition: move the years of hand-typed data (datasets "
                             "not in data/import.yaml) too, when their new figures are typed")
    annual.add_argument("--check-numbers", action="store_true",
                        help="list numbers typed in the text that equal a data value (exit 1 if "
                             "any is left)")
    annual.add_argument("--check-dates", action="store_true",
                        help="list years, months and dates typed in the text that do not follow "
                             "the edition's date or its data (exit 1 if any is left)")
    annual.add_argument("--compare", type=Path, metavar="NEW_EDITION",
                        help="report what changes from --edition to NEW_EDITION: data values, "
                             "sentences, figures, tables; exit 1 if the new text cites missing "
                             "values")
    args = parser.parse_args(argv)
    extra = [f"--{name.replace('_', '-')}" for name in ("year", "date", "weo", "wdi", "raw",
                                                          "shift_typed")
             if getattr(args, name) not in (None, False)]
    if args.apply and not args.import_docx:
        parser.error("--apply only goes with --import-docx")
    if extra and not args.new_edition:
        parser.error(f"{', '.join(extra)} only go with --new-edition")
    if (args.weo or args.wdi) and args.raw is None:
        parser.error("--weo and --wdi need --raw, the folder holding the new downloads, so that "
                     "they can be checked (e.g. --raw ../shared/data/raw)")
    return args


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def _annual(args: argparse.Namespace, say) -> int:
    """--new-edition, --check-numbers, --check-dates and --compare (README: "Annual
    editions")."""
    from .editions import check_numbers, compare, new_edition
    if args.new_edition:
        files = {k: v for k, v in (("weo", args.weo), ("wdi", args.wdi)) if v}
        say(f"Creating {args.new_edition} from {args.edition}")
        for note in new_edition(args.edition, args.new_edition, args.year, args.date, files,
                                args.raw, args.shift_typed):
            say(f"  {note}")
        say(f"ok: {args.new_edition} created; the steps left are listed above (README, "
            "\"Step by step: next year's edition\")")
        return 0
    if args.check_numbers or args.check_dates:
        if args.check_dates:
            from .sources.dates import check_dates
            result = check_dates(args.edition)
        else:
            result = check_numbers(args.edition)
        say(result.text())
        return 0 if result.ok else 1
    report = compare(args.edition, args.compare)
    say(report.text())
    return 0 if report.ok else 1


def _import_docx(args: argparse.Namespace, say) -> int:
    """--import-docx [--apply] (README: "Sending Word edits back")."""
    from .editions.word_edits import import_edition
    result = import_edition(args.import_docx, args.edition)
    diff = result.diff()
    if diff:
        say(diff)
    say(result.report())
    if args.apply:
        for path in result.apply():
            say(f"wrote {path}")
    return 1 if result.conflicts or result.not_carried else 0


def _terminated(signum, frame):
    raise KeyboardInterrupt  # SIGTERM ends the build as Ctrl-C does: workers stopped, outputs kept


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    say = lambda message: print(message, flush=True)  # noqa: E731
    try:
        previous = signal.signal(signal.SIGTERM, _terminated)
    except ValueError:  # not the main thread: signals are the caller's business
        previous = None
    try:
        return _main(args, say)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(args: argparse.Namespace, say) -> int:
    try:
        if args.import_docx:
            return _import_docx(args, say)
        if args.new_edition or args.check_numbers or args.check_dates or args.compare:
            return _annual(args, say)
        if args.check:
            say(f"[1/1] Checking {args.edition}")
            edition = check(args.edition)
            say(f"ok: {len(edition.book.parts)} parts, {len(edition.charts)} figures")
            return 0
        formats = FORMATS if args.format == "all" else (args.format,)
        check_output_folder(args.out)
        for path in build(args.edition, args.out, formats, progress=say, bleed=args.bleed,
                          pdf_variant=args.pdf_variant, word_page_numbers=args.word_page_numbers,
                          word_charts=args.word_charts):
            say(f"wrote {path}")
        return 0
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: previous outputs left unchanged", file=sys.stderr)
        return 130
    except WorkerKilled as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        error = output_error(exc, args.out)
        if error is None:
            return _crash(args)
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception:
        return _crash(args)


def _crash(args: argparse.Namespace) -> int:
    """A bug in the tool, not in the sources: the trace is kept for its developers, in the output
    folder (or, for --check, which writes nothing there, or when that fails, the temporary folder)."""
    trace = traceback.format_exc()
    log = None
    for folder in ([] if args.check else [args.out]) + [Path(tempfile.gettempdir())]:
        name = "crash.log" if folder == args.out else f"briefing-crash-{os.getpid()}.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(trace, encoding="utf-8")
            log = folder / name
            break
        except OSError:
            continue
    kind, error = sys.exc_info()[:2]
    message = (str(error).splitlines() or [""])[0]  # the whole trace is in the log
    print(f"internal error ({kind.__name__}: {message}); the previous outputs are unchanged. "
          f"This is a fault in briefing, not in your sources: please report it with "
          f"{log or 'the trace below'}", file=sys.stderr)
    if log is None:
        print(trace, file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main())
