"""Forked workers (briefing/processes.py): results and errors come back, a worker killed from
outside is told apart from a fault, and a worker never outlives the block that started it."""

from __future__ import annotations

import os
import signal
import time

import pytest

from briefing.processes import Forked, WorkerKilled, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork")


def test_the_result_comes_back_from_another_process():
    with Forked(lambda: (os.getpid(), [1, 2, 3])) as child:
        pid, value = child.result()
    assert pid != os.getpid() and value == [1, 2, 3]


def test_an_error_in_the_worker_is_raised_here_with_its_traceback():
    def fail():
        raise ValueError("no such chart: gdp")

    with Forked(fail) as child:
        with pytest.raises(ValueError, match="no such chart: gdp") as raised:
            child.result()
    assert "in fail" in str(raised.value.__cause__)


def test_an_error_that_does_not_pickle_comes_back_as_its_text():
    class Local(Exception):  # a local class does not pickle
        pass

    def fail():
        raise Local("odd")

    with Forked(fail) as child:
        with pytest.raises(RuntimeError, match="odd"):
            child.result()


def test_a_worker_that_dies_is_reported():
    with Forked(lambda: os._exit(3)) as child:
        with pytest.raises(RuntimeError, match="status 3"):
            child.result()


def test_a_worker_killed_from_outside_is_not_reported_as_a_fault():
    """As the out-of-memory killer ends a process: the build says what happened and what to
    do (the CLI prints it as an error, not as a fault in briefing)."""
    with Forked(lambda: os.kill(os.getpid(), signal.SIGKILL)) as child:
        with pytest.raises(WorkerKilled, match=r"signal 9 \(SIGKILL\).*run the build again"):
            child.result()


def test_leaving_the_block_early_ends_the_worker():
    with pytest.raises(KeyError):
        with Forked(lambda: time.sleep(60)) as child:
            pid = child.process.pid
            raise KeyError("interrupted")
    assert not child.process.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
