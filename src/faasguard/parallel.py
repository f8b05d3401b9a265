"""One function over many items on every core, the results in the items' order.

Workers are *forked* after the caller has built what they read (the loaded applications,
an analyzer's caches), so nothing big is pickled on the way in: a worker finds the function
and the items in memory it shares with the parent, and only each item's result travels
back. Results come back in the order of the items, so the output does not depend on how
the work was split or which worker finished first.

Where fork is not available (Windows; macOS defaults to spawn and forking there is unsafe),
for few items, or with ``jobs=1``, the same function runs here, in order, in this process.

While the work runs, Python's cyclic garbage collector is paused (in the workers and
here): parse trees and models are millions of small objects without reference cycles, and
each full collection re-scans all of them (a quarter of the loading time on the corpus).

The workers never outlive the scan or hold its output: SIGTERM to the scan ends them first,
Ctrl-C (KeyboardInterrupt here) ends them instead of finishing the queue, and the kernel
ends them if the scan dies any other way (see :func:`faasguard.limits.worker_init`).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from faasguard import limits

T = TypeVar("T")
R = TypeVar("R")

# Below this many items, starting workers costs more than it saves.
MIN_PARALLEL_ITEMS = 32

# What the forked workers run: set just before the pool starts, read by _run_slice.
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration (reference counting still frees memory)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def workers(jobs: int | None) -> int:
    """How many processes ``jobs`` means: the number given, or one per core (at most 8)."""
    return jobs if jobs and jobs > 0 else min(os.cpu_count() or 1, 8)


def can_fork() -> bool:
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def fork_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    min_items: int | None = None,
) -> list[R]:
    """``[fn(item) for item in items]``, spread over ``jobs`` forked workers when that pays.

    ``fn`` must not rely on side effects in this process: a worker's changes to shared
    objects stay in the worker. ``progress(n)`` is called as batches of ``n`` items finish.
    """
    count = workers(jobs)
    if count <= 1 or len(items) < (MIN_PARALLEL_ITEMS if min_items is None else min_items) or not can_fork():
        out = []
        with collector_paused():
            for item in items:
                out.append(fn(item))
                if progress:
                    progress(1)
        return out
    global _TASK
    # Small batches balance the load (one SAM template can cost 50 files' worth); big enough
    # that each costs more than its round trip.
    size = max(1, min(32, len(items) // (count * 8) or 1))
    batches = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _TASK = (fn, items)
    results: list[R] = []
    context = multiprocessing.get_context("fork")
    try:
        pool = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=limits.worker_init)
        with limits.workers_end_with_us(pool):
            # submit + result rather than map: map's generator cancels the queued futures when it
            # is interrupted, and the pool's manager thread then fails on them (see stop_workers).
            futures = [pool.submit(_run_slice, (batch.start, batch.stop)) for batch in batches]
            for batch, future in zip(batches, futures, strict=True):
                results.extend(future.result())
                if progress:
                    progress(len(batch))
            pool.shutdown(wait=True)
    finally:
        _TASK = None
    return results


def _run_slice(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None, "fork_map's workers are forked with their task"
    fn, items = _TASK
    with collector_paused():
        return [fn(items[i]) for i in range(*bounds)]
