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

The worker processes are this module's own (a pipe to each, batches handed to whichever is
idle), so stopping them needs nothing but their process objects. They never outlive the scan
or hold its output: SIGTERM to the scan ends them first, Ctrl-C (KeyboardInterrupt here) ends
them instead of finishing the queue, and the kernel ends them if the scan dies any other way
(see :func:`faasguard.limits.worker_init`).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import multiprocessing
import os
import pickle
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from faasguard import cache, limits

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
    done: list[list[R] | None] = [None] * len(batches)
    processes: list[BaseProcess] = []
    try:
        with limits.workers_end_with_us(processes):
            links = _start_workers(min(count, len(batches)), processes)
            _drive(links, batches, done, progress)  # on an exception, the workers are stopped at once
            for link in links:  # idle now: each reads None and returns
                with contextlib.suppress(OSError):
                    link.conn.send(None)
            limits.stop_workers(processes, grace=5.0)
    finally:
        _TASK = None
    return [result for batch in done for result in batch or ()]


class _Link:
    """One worker process and the pipe to it; ``batches`` are the indexes of the batches handed to it that it
    has not answered yet, in the order it works on them."""

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process, self.conn, self.batches = process, conn, collections.deque[int]()


def _start_workers(count: int, processes: list[BaseProcess]) -> list[_Link]:
    """Fork ``count`` workers (appended to ``processes`` as each starts). SIGINT and SIGTERM are held
    here meanwhile, so a worker starts with them blocked and sees neither before its initializer
    has set what they do there (see :func:`faasguard.limits.worker_init`)."""
    context = multiprocessing.get_context("fork")
    links = []
    with limits.signals_held():
        for _ in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(target=_worker, args=(theirs,), daemon=True)
            process.start()
            processes.append(process)
            theirs.close()
            links.append(_Link(process, ours))
    return links


def _drive(links: list[_Link], batches: list[range], done: list[Any], progress: Callable[[int], None] | None) -> None:
    """Hand the batches out to the workers and file each result under its batch, until all are done.

    A worker has its next batch waiting in its pipe when it sends a result: it goes on at once, while this
    process reads and unpickles the result (up to half a second of a corpus scan's loading, which each
    worker spent idle when it was handed its next batch only after that). Near the end of the queue, a
    worker gets one batch at a time, so that none is left with a queued batch while another is idle.

    A worker's exception is raised here, with the worker's traceback as a note; a worker that
    ends without answering (killed, out of memory) is a :class:`WorkerDied`."""
    queue = collections.deque(range(len(batches)))

    def hand_out(link: _Link) -> None:
        if not queue:
            return
        index = queue.popleft()
        link.batches.append(index)
        try:
            link.conn.send((batches[index].start, batches[index].stop))
        except OSError:  # the worker is gone
            raise WorkerDied(f"a worker process ended before its batch (exit code {link.process.exitcode})") from None

    for link in links:
        hand_out(link)
    for link in links:
        if len(queue) > len(links):
            hand_out(link)
    while busy := [link for link in links if link.batches]:
        ready = set(wait([link.conn for link in busy] + [link.process.sentinel for link in busy]))
        for link in busy:
            if link.conn in ready:
                try:
                    data = link.conn.recv_bytes()
                except (EOFError, OSError):
                    raise WorkerDied(f"a worker process ended without its result (exit code {link.process.exitcode})") from None
                index = link.batches.popleft()
                if not link.batches or len(queue) > len(links):
                    hand_out(link)
                ok, payload, trace = pickle.loads(data)
                if not ok:
                    payload.add_note(f"in worker process {link.process.pid}:\n{trace}")
                    raise payload
                done[index] = payload
                if progress:
                    progress(len(batches[index]))
            elif link.process.sentinel in ready:
                link.process.join(1.0)
                raise WorkerDied(f"a worker process ended without its result (exit code {link.process.exitcode})")


class WorkerDied(RuntimeError):
    """A worker process ended (killed, out of memory) before it returned its batch."""


def _worker(conn: Connection) -> None:
    """A worker's life: read a batch's bounds, send back its results (or its exception), until None."""
    limits.worker_init()
    while (bounds := conn.recv()) is not None:
        try:
            reply: tuple[bool, Any, str] = (True, _run_slice(bounds), "")
        except Exception as exc:
            reply = (False, exc, traceback.format_exc())
        try:
            conn.send(reply)
        except Exception as exc:  # a result or exception that cannot be pickled
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}"), reply[2]))


def _run_slice(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None, "fork_map's workers are forked with their task"
    fn, items = _TASK
    with collector_paused():
        results = [fn(items[i]) for i in range(*bounds)]
    cache.flush_active()  # the parse-cache entries of the batch, in one transaction
    return results
