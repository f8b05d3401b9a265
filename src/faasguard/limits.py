"""What a scan will not do with hostile input: leave the scanned directory, read without end,
nest without end, or spend without end on one file.

Every limit ends in a sentence for the user (an ``errors`` entry for that file, or a usage
error for the command line), never in a traceback; the scan goes on with the next file.
Paths in those sentences are relative to the scanned directory (``../../.aws/credentials``),
never absolute, so a report does not disclose where it ran.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 20 * 1024 * 1024  # a file to load; larger ones are skipped with a reason
MAX_CONFIG_BYTES = 1024 * 1024  # .faasguard.yaml
MAX_BASELINE_BYTES = 256 * 1024 * 1024  # a previous JSON report
MAX_FILES = 200_000  # candidate files in one scan
MAX_DEPTH = 200  # nesting of a JSON/YAML document the loaders walk
FILE_SECONDS = 30.0  # processor time to load or analyse one file (see time_budget)
FILE_WALL_SECONDS = 300.0  # wall-clock time for the same, for a file that waits instead of computing


class LimitExceeded(Exception):
    """Input over one of the limits; the message is a sentence for the user."""


class FileTimeout(BaseException):
    """Raised inside the work on one file when its time budget is spent.

    A BaseException, so that the ``except Exception`` of a parser or loader cannot swallow it:
    only :func:`time_budget`'s caller handles it.
    """


# -- the scanned directory --------------------------------------------------------------


def display(path: Path | str, root: Path) -> str:
    """``path`` for a message: relative to ``root`` (``../x`` when outside), POSIX separators."""
    try:
        return Path(os.path.relpath(Path(path), root)).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(path).name


def home_relative(path: Path | str) -> str:
    """A path outside the scanned directory (a cache, an advisory database) for a message that may end
    up in a CI log or a shared report: ``~/.cache/faasguard/advisories`` rather than the user's home
    directory spelled out. Paths elsewhere are shown as they were given."""
    shown = Path(path).expanduser()
    try:
        home = Path.home()
        rel = Path(os.path.abspath(shown)).relative_to(home)
    except (RuntimeError, KeyError, ValueError):  # no home directory, or the path is not under it
        return str(path)
    if home == Path(home.anchor):  # HOME=/ would make every path "~/..."
        return str(path)
    return "~" if rel == Path() else f"~/{rel.as_posix()}"


def inside(path: Path | str, root: Path) -> bool:
    """Whether ``path``, with every symbolic link followed, stays within ``root``."""
    try:
        return within(os.path.realpath(path), os.path.realpath(root))
    except (OSError, ValueError):  # a NUL byte
        return False


def within(real: str, base: str) -> bool:
    """Whether ``real`` is the folder ``base`` or below it (both with their symbolic links followed)."""
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def real_folder(folder: str, known: dict[str, str]) -> str:
    """``os.path.realpath(folder)`` (and its ValueError for a NUL byte), worked out from its parent's real path, which
    ``known`` remembers for the next folder: one look at whether the last part is a symbolic link, where ``realpath``
    looks at every folder above it again (many files and code directories share their folders). No recursion: a
    path may be thousands of folders deep."""
    found = known.get(folder)
    if found is not None:
        return found
    if "\0" in folder:
        raise ValueError("embedded null byte")
    below: list[tuple[str, str]] = []  # the folders under the first one known or resolved whole, deepest first
    here = folder
    while (found := known.get(here)) is None:
        parent, name = os.path.split(here)
        if parent == here or name in ("", ".", ".."):  # the top, or a part realpath must read in its context
            found = known[here] = os.path.realpath(here)
            break
        below.append((here, name))
        here = parent
    for path, name in reversed(below):
        joined = os.path.join(found, name)
        found = known[path] = os.path.realpath(joined) if os.path.islink(joined) else joined
    return found


def outside_message(shown: str, what: str = "path") -> str:
    return f"{what} {shown} leaves the scanned directory (through `..`, an absolute path or a symbolic link); not read"


# -- reading -----------------------------------------------------------------------------


NOT_REGULAR = "not a regular file (a named pipe, socket or device); not read"


class NotRegularFile(LimitExceeded, OSError):
    """A named pipe, socket or device where a file was expected (reading it could block forever).

    Also an :class:`OSError`, so that a caller that reports unreadable files reports it too."""


def read_bytes(path: str | Path, limit: int = MAX_FILE_BYTES, what: str = "file", regular: bool = True) -> bytes:
    """At most ``limit`` bytes of ``path``; a longer file (or a device such as /dev/zero) raises
    :class:`LimitExceeded` after reading ``limit + 1`` bytes, never the whole stream.

    With ``regular`` (files found in the scanned directory), anything but a regular file raises
    :class:`NotRegularFile` before a byte is read: a named pipe is opened without blocking and
    never read, so a FIFO called ``main.tf`` cannot hang the scan. ``regular=False`` is for a
    path the user names on the command line (``--config <(...)``)."""
    if regular:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise NotRegularFile(NOT_REGULAR)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # replaced between the two looks
                raise NotRegularFile(NOT_REGULAR)
            # A regular file: read it with the descriptor itself (a buffered file object costs
            # more than the read for the small files most scans are made of).
            chunks: list[bytes] = []
            wanted = min(info.st_size, limit) + 1  # one byte more tells a file that grew past the limit
            while wanted > 0 and (chunk := os.read(fd, wanted)):
                chunks.append(chunk)
                wanted -= len(chunk)
                if wanted == 0 and sum(map(len, chunks)) <= limit:
                    wanted = limit + 1 - sum(map(len, chunks))  # it grew since fstat: read on to the limit
        finally:
            os.close(fd)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    else:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        raise LimitExceeded(f"{what} is larger than the {_size(limit)} limit; not read")
    return data


def read_text(path: Path, limit: int = MAX_FILE_BYTES, what: str = "file", errors: str = "strict") -> str:
    """:func:`read_bytes` of a regular file, decoded as UTF-8 (a byte-order mark dropped)."""
    return read_bytes(path, limit, what).decode("utf-8-sig", errors)


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n // 1024} KB"


def json_loads(text: str | bytes, what: str = "document") -> Any:
    """``json.loads``, with nesting too deep for the parser as :class:`LimitExceeded`."""
    try:
        return json.loads(text)
    except RecursionError:
        raise LimitExceeded(f"{what} is nested too deeply to read") from None


# -- time ---------------------------------------------------------------------------------

# Which budget ran out last (read by timeout_message, which the callers call without arguments).
_spent = "cpu"
# The budget running now: its seconds, the number of modules loaded when it was last granted, and
# how many more times it may be granted again because libraries were imported meanwhile.
_running: dict[str, float] = {}
MAX_IMPORT_GRANTS = 10
# The process whose SIGPROF and SIGALRM handlers are this module's for good: a worker (see worker_init), where
# a budget only sets and clears its timers (11 us a budget instead of 27-31 us; a corpus scan grants about
# 7,000). Elsewhere each budget sets the handlers and puts the caller's back.
_HANDLERS_PID = 0


def _importing(frame: Any) -> bool:
    """Whether ``frame`` runs inside an ``import`` (Python's import machinery is on its stack)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _cpu_spent(signum: int, frame: Any) -> None:
    global _spent
    if not _running:
        return  # the signal of a budget that has just ended
    grown = _running and len(sys.modules) > _running["modules"]
    if _running and _running["grants"] > 0 and (grown or _importing(frame)):
        # Libraries were being imported (the first file that needs the SAM translator, say): that
        # is not the file's own work, so the file gets its budget again.
        _running["modules"] = len(sys.modules)
        _running["grants"] -= 1
        signal.setitimer(signal.ITIMER_PROF, _running["seconds"])
        return
    _spent = "cpu"
    raise FileTimeout()


def _wall_spent(signum: int, frame: object) -> None:
    global _spent
    if not _running:
        return
    _spent = "wall"
    raise FileTimeout()


@contextlib.contextmanager
def time_budget(seconds: float | None = None, wall_seconds: float | None = None) -> Iterator[None]:
    """Raise :class:`FileTimeout` in the block once it has used ``seconds`` (default
    :data:`FILE_SECONDS`) of processor time, or has run ``wall_seconds`` (default
    :data:`FILE_WALL_SECONDS`) in all.

    The budget is the file's own work: processor time (user + system, ``ITIMER_PROF``) runs only
    while this process computes, so a loaded machine, a slow disk or the other workers do not
    make a file fail that would pass on an idle machine. The wall-clock limit, ten times longer,
    only stops a file that waits without end. Importing a loader's libraries is not the file's
    work: when the budget runs out during an import, or modules were imported since it was
    granted, it is granted again (at most :data:`MAX_IMPORT_GRANTS` times; nothing in a scanned
    file makes faasguard import anything).

    Interval timers apply on POSIX in the main thread only (where the loaders run, in the scan
    process and in each worker); elsewhere, or inside another budget, the block runs unbounded.
    Python's regular-expression engine checks for signals while it matches, so a pattern that
    backtracks is interrupted too.
    """
    seconds = FILE_SECONDS if seconds is None else seconds
    wall_seconds = FILE_WALL_SECONDS if wall_seconds is None else wall_seconds
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return
    previous = None
    if os.getpid() != _HANDLERS_PID:
        previous = signal.signal(signal.SIGPROF, _cpu_spent), signal.signal(signal.SIGALRM, _wall_spent)
    _running.update(seconds=seconds, modules=len(sys.modules), grants=MAX_IMPORT_GRANTS)
    try:
        signal.setitimer(signal.ITIMER_PROF, seconds)
        signal.setitimer(signal.ITIMER_REAL, wall_seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        _running.clear()
        if previous is not None:
            signal.signal(signal.SIGPROF, previous[0])
            signal.signal(signal.SIGALRM, previous[1])


def timeout_message(seconds: float | None = None) -> str:
    """The sentence for a file whose budget ran out (the last :class:`FileTimeout` says which)."""
    if _spent == "wall":
        wall = FILE_WALL_SECONDS if seconds is None else seconds
        return f"still running after {wall:g} s, the limit per file (waiting included); skipped (the rest of the scan went on)"
    seconds = FILE_SECONDS if seconds is None else seconds
    return f"used more than {seconds:g} s of processor time, the limit per file; skipped (the rest of the scan went on)"


# -- worker processes ----------------------------------------------------------------------

_HELD = {signal.SIGINT, signal.SIGTERM}  # what a worker must not see before worker_init


@functools.cache
def _libc() -> Any:
    """The C library through ctypes, on Linux; loaded once, by the scan before it forks (see
    :func:`signals_held`), so that no worker of any phase imports ctypes again."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except (OSError, AttributeError, ImportError):
        return None


def worker_init() -> None:
    """Initializer of every worker process: it dies with the scan and never holds its output.

    On Linux the kernel sends the worker SIGTERM when the scan process ends, however it ends
    (SIGTERM, SIGKILL, a crash). SIGTERM has its default action again (a forked worker
    inherits the scan's handler) and SIGINT is ignored: Ctrl-C reaches the whole process group,
    and it is the scan that stops its workers and says so. Standard input, output and error
    point at /dev/null: workers return results and never print, and a worker must not keep the
    reader of the scan's pipe waiting for an end of file.
    """
    global _HANDLERS_PID
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPROF, _cpu_spent)  # for good: the worker's time budgets only set their timers
    signal.signal(signal.SIGALRM, _wall_spent)
    _HANDLERS_PID = os.getpid()
    if hasattr(signal, "pthread_sigmask"):  # held while the scan forked this worker (signals_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(OSError, AttributeError):
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
            import multiprocessing

            parent = multiprocessing.parent_process()
            if parent is not None and os.getppid() != parent.pid:  # the scan ended before this line
                os._exit(1)
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)


def stop_workers(processes: list[Any], grace: float = 0.0) -> None:
    """End the worker ``processes``: those still running after ``grace`` seconds get SIGTERM, and
    SIGKILL a second later. Only the processes' public methods are used, so this is safe in a
    signal handler (no lock of the interrupted code is taken)."""
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(grace)
            if process.is_alive():
                process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(1.0)
            if process.is_alive():
                process.kill()
                process.join(1.0)


@contextlib.contextmanager
def workers_end_with_us(processes: list[Any]) -> Iterator[None]:
    """While the block runs, SIGTERM to the scan first ends the worker ``processes`` (the list may
    grow in the block), then the scan itself (with the default action, so its exit status still says
    SIGTERM); leaving the block with an exception (Ctrl-C's KeyboardInterrupt) ends them too instead
    of finishing the queue."""
    main = threading.current_thread() is threading.main_thread()

    def stop(signum: int, frame: object) -> None:
        stop_workers(processes)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop) if main else None
    try:
        yield
    except BaseException:
        stop_workers(processes)
        raise
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM in the block (they are delivered when it ends): a worker forked
    here starts with both blocked, until :func:`worker_init` has said what they do in a worker.
    The C library that :func:`worker_init` needs is loaded here, once, for every worker."""
    _libc()
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
