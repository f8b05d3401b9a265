"""SIGTERM and Ctrl-C end the scan and its worker processes; nobody keeps the output pipe open.

The scan runs as a child process with its standard output piped, over a generated repository
big enough for the worker pool; each file's load is slowed down in the child (a sleep around
``scan.load_file``) so the signal surely arrives while the workers are busy, however fast the
machine is. The signal is sent once conditions hold, never after a fixed sleep: both workers
exist, both ignore SIGINT (their initializer has run), and a file load has started (a marker
file written by the slowed-down load).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faasguard.parallel import can_fork
from tests.hostile.conftest import HANDLER, SAM, write

pytestmark = pytest.mark.skipif(not can_fork(), reason="the worker pool forks only on Linux")

SLOW_SCAN = """\
import os, signal, sys, time
# Started from a terminal, the scan has Python's Ctrl-C handler. A background job of a non-interactive shell (a CI
# step run with `&`, a landing script) starts with SIGINT ignored, and Python keeps it ignored: restore the terminal's.
signal.signal(signal.SIGINT, signal.default_int_handler)
import faasguard.scan as scan
original = scan.load_file
def slow(*args, **kwargs):
    open(os.path.join(os.environ["FAASGUARD_TEST_MARKERS"], str(os.getpid())), "w").close()
    time.sleep(0.5)
    return original(*args, **kwargs)
scan.load_file = slow
from faasguard.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big")
    files: dict[str, str | bytes] = {}
    for i in range(200):
        files[f"svc{i:03}/template.yaml"] = SAM
        files[f"svc{i:03}/src/app.py"] = HANDLER
    return write(root, files)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.update(int(p) for p in handle.read().split())
        except OSError:
            continue
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for a reaper has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _ignores_sigint(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            mask = next(line.split()[1] for line in handle if line.startswith("SigIgn:"))
    except (OSError, StopIteration):
        return False
    return bool(int(mask, 16) & (1 << (signal.SIGINT - 1)))


def _start(repo: Path, markers: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    markers.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "FAASGUARD_TEST_MARKERS": str(markers)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_SCAN, "scan", str(repo), "--jobs", "2", "--no-cache", "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    ready = False
    while time.monotonic() < deadline and proc.poll() is None and not ready:
        workers = _children(proc.pid)
        ready = (
            len(workers) >= 2
            and all(_ignores_sigint(pid) for pid in workers)
            and any(int(name) in workers for name in os.listdir(markers))  # a worker is loading a file
        )
        time.sleep(0.02)
    if not ready:
        proc.kill()
        pytest.fail(f"the scan never had its two workers busy (exit {proc.poll()}, workers {workers})")
    return proc, workers


def _eof_within(stream: object, seconds: float) -> bool:
    fd = stream.fileno()  # type: ignore[attr-defined]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if ready and not os.read(fd, 65536):
            return True
    return False


def _gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if _running(pid)}
        time.sleep(0.05)
    return alive


def test_sigterm_ends_the_workers_and_the_pipe_sees_eof(big_repo: Path, tmp_path: Path) -> None:
    proc, workers = _start(big_repo, tmp_path / "markers")
    try:
        os.kill(proc.pid, signal.SIGTERM)  # the scan only, as `kill` or a CI runner's timeout does
        assert _eof_within(proc.stdout, 10), "a process still holds the scan's standard output"
        assert _eof_within(proc.stderr, 10), "a process still holds the scan's standard error"
        assert proc.wait(10) == -signal.SIGTERM
        assert _gone(workers, 10) == set(), "worker processes outlived the scan"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_sigkill_of_the_scan_ends_its_workers(big_repo: Path, tmp_path: Path) -> None:
    """SIGKILL gives the scan no chance to stop its workers: the kernel does (PR_SET_PDEATHSIG,
    set by each worker through the C library the scan loaded before it forked)."""
    proc, workers = _start(big_repo, tmp_path / "markers")
    try:
        os.kill(proc.pid, signal.SIGKILL)  # the scan only, as the out-of-memory killer does
        assert proc.wait(10) == -signal.SIGKILL
        assert _gone(workers, 10) == set(), "worker processes outlived the scan"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_ctrl_c_stops_the_scan_with_a_sentence(big_repo: Path, tmp_path: Path) -> None:
    proc, workers = _start(big_repo, tmp_path / "markers")
    try:
        os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole process group
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 130
        text = err.decode("utf-8", "replace")
        assert "Traceback" not in text and "KeyboardInterrupt" not in text
        assert "faasguard: interrupted (Ctrl-C); the scan stopped before it finished" in text
        assert out == b""  # no half report
        assert _gone(workers, 10) == set(), "worker processes outlived the scan"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


# -- the pool itself ------------------------------------------------------------------------------


def _square_or_fail(n: int) -> int:
    if n == 37:
        raise ValueError("item 37 is bad")
    return n * n


def test_results_come_back_in_order_from_every_worker() -> None:
    from faasguard.parallel import fork_map

    seen: list[int] = []
    results = fork_map(lambda n: (n, os.getpid()), range(200), jobs=2, progress=seen.append, min_items=2)
    assert [n for n, _ in results] == list(range(200))
    assert len({pid for _, pid in results}) == 2 and os.getpid() not in {pid for _, pid in results}
    assert sum(seen) == 200


def test_an_exception_in_a_worker_is_raised_here_with_its_traceback() -> None:
    import multiprocessing

    from faasguard.parallel import fork_map

    with pytest.raises(ValueError, match="item 37 is bad") as caught:
        fork_map(_square_or_fail, range(100), jobs=2, min_items=2)
    assert any("_square_or_fail" in note for note in caught.value.__notes__)
    assert _gone({p.pid for p in multiprocessing.active_children()}, 10) == set()


def test_a_worker_killed_mid_batch_fails_the_map_instead_of_hanging() -> None:
    import multiprocessing

    from faasguard.parallel import WorkerDied, fork_map

    def die_on_50(n: int) -> int:
        if n == 50:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does
        return n

    with pytest.raises(WorkerDied, match="exit code -9"):
        fork_map(die_on_50, range(100), jobs=2, min_items=2)
    assert _gone({p.pid for p in multiprocessing.active_children()}, 10) == set()
