"""SIGTERM and Ctrl-C end the scan and its worker processes; nobody keeps the output pipe open.

The scan runs as a child process with its standard output piped, over a generated repository
big enough for the worker pool; each file's load is slowed down in the child (a sleep around
``scan.load_file``) so the signal surely arrives while the workers are busy, however fast the
machine is.
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
import sys, time
import faasguard.scan as scan
original = scan.load_file
def slow(*args, **kwargs):
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


def _start(repo: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_SCAN, "scan", str(repo), "--jobs", "2", "--no-cache", "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.05)
    if len(workers) < 2:
        proc.kill()
        pytest.fail(f"the scan never started its two workers (exit {proc.poll()})")
    time.sleep(0.5)  # the workers have started on their first files
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


def test_sigterm_ends_the_workers_and_the_pipe_sees_eof(big_repo: Path) -> None:
    proc, workers = _start(big_repo)
    try:
        os.kill(proc.pid, signal.SIGTERM)  # the scan only, as `kill` or a CI runner's timeout does
        assert _eof_within(proc.stdout, 5), "a process still holds the scan's standard output"
        assert _eof_within(proc.stderr, 5), "a process still holds the scan's standard error"
        assert proc.wait(5) == -signal.SIGTERM
        assert _gone(workers, 5) == set(), "worker processes outlived the scan"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_ctrl_c_stops_the_scan_with_a_sentence(big_repo: Path) -> None:
    proc, workers = _start(big_repo)
    try:
        os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole process group
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 130
        text = err.decode("utf-8", "replace")
        assert "Traceback" not in text and "KeyboardInterrupt" not in text
        assert "faasguard: interrupted (Ctrl-C); the scan stopped before it finished" in text
        assert out == b""  # no half report
        assert _gone(workers, 5) == set(), "worker processes outlived the scan"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
