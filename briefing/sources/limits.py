"""Bounds on the work a source may ask for, so that every input ends quickly in a book or an error.

Sizes of files are bounded where they are read (:mod:`briefing.sources.files`); this module bounds
what expressions in the text compute and how many years a range may span. Each limit is far above
what a real edition needs (measured on the 2023 edition: its longest text runs 226 template steps,
nests no macro and writes 16 KB) and far below what would take seconds or gigabytes.
``benchmarks/limits.py`` shows the worst input of each limit refused in well under 2 s and 100 MB.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Iterable, Iterator

#: Template lines executed while the expressions of one text file (or caption) are evaluated.
#: Two nested loops of 100,000 steps each (10^10 steps) would run for hours.
MAX_STEPS = 1_000_000
#: Nested macro calls: a macro that calls itself stops here instead of exhausting the stack.
MAX_DEPTH = 50
#: Characters the expressions of one text may write: a part of the book is at most 1 MB
#: (files.MAX_MARKDOWN_BYTES), so its expressions cannot usefully write more.
MAX_OUTPUT = 1024 * 1024
#: Memory the evaluation of expressions may take beyond what the process holds already
#: (address space, enforced by the kernel: RLIMIT_AS). ``"x"|center(10**9)`` asks for 1 GB.
MAX_MEMORY = 32 * 1024 * 1024
#: The largest width, count or length a text function or filter may be given
#: (``center(10000)`` is already wider than a page).
MAX_ARGUMENT = 10_000
#: Years a range such as ``years: "2015-2028"`` may span (a chart of 200 years is unreadable;
#: ``"1-999999999"`` would be a billion years).
MAX_YEARS = 200


class LimitExceeded(Exception):
    """A bound of this module was passed; the message says which, in an editor's words."""


def year_range(first: int, last: int) -> range:
    """The years ``first`` to ``last`` (both included): LimitExceeded past ``MAX_YEARS`` or for
    a year that is not four digits (as the data files' headers are)."""
    for year in (first, last):
        if not 1000 <= year <= 9999:
            raise LimitExceeded(f"{year} is not a year of four digits")
    if last - first + 1 > MAX_YEARS:
        raise LimitExceeded(f"{first} to {last} is {last - first + 1} years, more than the "
                            f"{MAX_YEARS} a range may span")
    return range(first, last + 1)


def check_argument(name: str, args: Iterable, kwargs: dict) -> None:
    """LimitExceeded if a whole-number argument of the text function or filter ``name`` is larger
    than ``MAX_ARGUMENT``."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise LimitExceeded(f"{name}({value}) asks for more than {MAX_ARGUMENT:,}: use a "
                                "smaller number")


def bounded_output(chunks: Iterable[str]) -> str:
    """The chunks joined; LimitExceeded once they pass ``MAX_OUTPUT`` characters."""
    out, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise LimitExceeded(f"the expressions write more than {MAX_OUTPUT // 1024:,} KB of "
                                "text: look for a loop that repeats too often")
        out.append(chunk)
    return "".join(out)


class Trace:
    """What :func:`bounded_evaluation` saw: ``code_line``, the line of the compiled template code
    run last (None before any), to say where an expression was when a bound was passed."""

    code_line: int | None = None


@contextlib.contextmanager
def bounded_evaluation(code_files: frozenset[str]) -> Iterator[Trace]:
    """Within the block, code compiled from ``code_files`` (Jinja templates) runs at most
    ``MAX_STEPS`` lines, ``MAX_DEPTH`` nested calls deep, and the process may grow by at most
    ``MAX_MEMORY`` (past that, allocations raise MemoryError). Raises LimitExceeded; yields the
    :class:`Trace`.

    Steps are counted, not timed, so an edition is accepted or refused the same way on every
    machine. The count uses ``sys.settrace`` only for template frames (the data functions they
    call run untraced); the memory bound is the kernel's (``RLIMIT_AS``, where available)."""
    steps = 0
    trace = Trace()

    def depth(frame) -> int:
        n = 0
        while frame is not None:
            n += frame.f_code.co_filename in code_files
            frame = frame.f_back
        return n

    def in_template(frame, event, arg):
        nonlocal steps
        if event == "line":
            steps += 1
            trace.code_line = frame.f_lineno
            if steps > MAX_STEPS:
                raise LimitExceeded(f"the expressions take more than {MAX_STEPS:,} steps: look "
                                    "for loops inside loops")
        return in_template

    def tracer(frame, event, arg):
        if frame.f_code.co_filename not in code_files:
            return None
        if depth(frame) > MAX_DEPTH:
            raise LimitExceeded(f"macros call each other more than {MAX_DEPTH} deep: look for a "
                                "macro that calls itself")
        return in_template

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        with _memory_bound():
            yield trace
    finally:
        sys.settrace(previous)


@contextlib.contextmanager
def _memory_bound() -> Iterator[None]:
    try:
        import resource
        with open("/proc/self/statm") as statm:  # Linux: the first field is the size in pages
            size = int(statm.read().split()[0]) * resource.getpagesize()
    except (ImportError, OSError, ValueError):  # no such bound here: steps and output still are
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    bound = size + MAX_MEMORY
    if hard != resource.RLIM_INFINITY:
        bound = min(bound, hard)
    if soft != resource.RLIM_INFINITY and soft <= bound:
        yield  # a tighter bound is already set
        return
    resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
