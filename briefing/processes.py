"""Worker processes of a build: how many cores it may use, and how a forked child is started,
stopped and heard from.

A build forks its helpers (the preparer and its chart pool, :mod:`briefing.build`; the PDF's
second unit writer, :mod:`briefing.writers.pdf.parts`) rather than spawning them: a child
starts with the model, the laid-out document or the loaded fonts already in memory, without
pickling them. Each child ends with the process that started it, even one killed outright, and
Ctrl-C is handled by that process alone, which then ends its children.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import traceback
from contextlib import contextmanager
from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")

_INTERRUPTIONS = {signal.SIGINT, signal.SIGTERM}


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def interruptions_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait while this process forks, and arrive when the block ends: one that
    arrived during a fork would be handled inside Python's at-fork hooks, which drop the
    KeyboardInterrupt (the build would run on). The children start with them held too, and
    release them once their handlers are set (:func:`release_interruptions`)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTIONS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def release_interruptions() -> None:
    """In a forked child: let the signals held by :func:`interruptions_held` through."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _INTERRUPTIONS)


def end_with_parent(parent: int) -> None:
    """Linux: this process gets SIGKILL when its parent ends (prctl PR_SET_PDEATHSIG), so that no
    worker outlives a build killed outright; elsewhere nothing. ``parent``: the parent's pid,
    taken before the fork: a parent that ended before the call (the signal is then never sent)
    ends this process at once."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG (linux/prctl.h)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def start_worker(parent: int) -> None:
    """In a forked child of ``parent`` (its pid, taken before the fork): Ctrl-C is for the
    process that started it (which ends its children), SIGTERM ends it at once, and it ends
    with that process even when it is killed outright."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler: end at once
    release_interruptions()
    end_with_parent(parent)


class WorkerKilled(Exception):
    """A worker process of the build was ended by a signal from outside it (the system's
    out-of-memory killer, a ``kill``): not a fault in the sources or in briefing."""

    def __init__(self, what: str, number: int):
        try:
            name = f" ({signal.Signals(number).name})"
        except ValueError:
            name = ""
        super().__init__(f"{what} was stopped by signal {number}{name} from outside the build "
                         "(the system may have run out of memory); the previous outputs are "
                         "unchanged: run the build again")


def ended(process, what: str) -> Exception:
    """The error for a worker ``process`` (joined) that ended before it reported: a
    :class:`WorkerKilled` if a signal ended it, else a ``RuntimeError`` (a fault)."""
    if process.exitcode is not None and process.exitcode < 0:
        return WorkerKilled(what, -process.exitcode)
    return RuntimeError(f"{what} ended unexpectedly (status {process.exitcode})")


class Forked(Generic[T]):
    """``work()`` run in a forked child while this process goes on: ``with Forked(work) as
    child: …; result = child.result()``; ``what`` names the child in errors. The result comes
    back pickled; an exception ``work`` raised is raised again here (with the child's traceback
    as its cause); a child that ends without a result gives :func:`ended`'s error. Leaving the
    block without the result (an error or Ctrl-C here) kills the child at once."""

    def __init__(self, work: Callable[[], T], what: str = "a worker process"):
        self.work, self.what = work, what

    def __enter__(self) -> "Forked[T]":
        ctx = multiprocessing.get_context("fork")
        self.reader, writer = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_forked_main, args=(self.work, writer, os.getpid()),
                                   daemon=True)
        try:
            with interruptions_held():
                self.process.start()
        finally:
            writer.close()
        return self

    def result(self) -> T:
        try:
            kind, value, trace = self.reader.recv()
        except EOFError:
            self.process.join()
            raise ended(self.process, self.what) from None
        self.process.join()
        if kind == "error":
            raise value from RuntimeError(f"in the worker process:\n{trace}")
        return value

    def __exit__(self, *exc) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.reader.close()


def _forked_main(work: Callable[[], T], writer, parent: int) -> None:
    start_worker(parent)
    try:
        writer.send(("result", work(), ""))
    except BaseException as exc:  # noqa: BLE001  handed to the parent, which raises it
        try:
            writer.send(("error", exc, traceback.format_exc()))
        except Exception:  # an exception that does not pickle: its text
            writer.send(("error", RuntimeError(repr(exc)), traceback.format_exc()))
    finally:
        writer.close()
