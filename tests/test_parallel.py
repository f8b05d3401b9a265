"""fork_map: results in the items' order, and workers kept busy while this process reads their results."""

from __future__ import annotations

import os
import time

import pytest

from faasguard.parallel import can_fork, fork_map

pytestmark = pytest.mark.skipif(not can_fork(), reason="fork_map forks on Linux only")

READ_SECONDS = 0.2


def _read(index: int, pid: int, started: float) -> tuple[int, int, float, float]:
    """What this process makes of a result: slow to unpickle, like a batch of big models."""
    time.sleep(READ_SECONDS)
    return index, pid, started, time.monotonic()


class _SlowToRead:
    def __init__(self, index: int) -> None:
        self.index, self.pid, self.started = index, os.getpid(), time.monotonic()

    def __reduce__(self) -> tuple[object, tuple[int, int, float]]:
        return _read, (self.index, self.pid, self.started)


def test_a_worker_goes_on_with_its_next_batch_while_its_result_is_read():
    results = fork_map(_SlowToRead, list(range(8)), jobs=2, min_items=2)
    assert [index for index, *_ in results] == list(range(8))  # the items' order, whoever did them
    by_worker: dict[int, list[tuple[float, float]]] = {}
    for _, pid, started, read in results:
        by_worker.setdefault(pid, []).append((started, read))
    assert len(by_worker) == 2
    # Handed its next batch only after this process had read its result, a worker never started an item
    # before the previous one's result was read; now it finds the next one waiting in its pipe.
    overlapped = [
        later[0] < earlier[1]
        for runs in by_worker.values()
        for earlier, later in zip(sorted(runs), sorted(runs)[1:])
    ]
    assert sum(overlapped) >= 2


def _square(x: int) -> int:
    return x * x


def test_results_come_back_in_order_with_more_batches_than_workers():
    items = list(range(1000))
    assert fork_map(_square, items, jobs=2) == [x * x for x in items]


def _budgets(item: int) -> tuple[bool, bool, int]:
    """In a worker: whether a busy file is stopped by its budget, whether a quick one after it is not, and how
    many times the signal handlers were set meanwhile."""
    from faasguard import limits

    before = len(_HANDLERS_SET)
    stopped = False
    try:
        with limits.time_budget(0.05):
            while True:
                pass
    except limits.FileTimeout:
        stopped = True
    with limits.time_budget(0.05):
        quick = sum(range(1000)) > 0
    return stopped, quick, len(_HANDLERS_SET) - before


_HANDLERS_SET: list[int] = []


def test_a_worker_sets_its_budget_handlers_once_and_budgets_still_stop_a_file(monkeypatch):
    import signal

    set_handler = signal.signal
    monkeypatch.setattr(signal, "signal", lambda signum, handler: _HANDLERS_SET.append(signum) or set_handler(signum, handler))
    results = fork_map(_budgets, [1, 2], jobs=2, min_items=2)
    assert results == [(True, True, 0), (True, True, 0)]  # set by worker_init, not by each budget

