"""Run a command and measure it: wall time, CPU time (user + system, every process it
started included) and peak memory of the whole process tree.

Peak memory is sampled every 20 ms as the sum over the tree of each process's PSS
(proportional set size: pages shared between a parent and its forked workers are split
between them, so nothing is counted twice). Linux only; stdlib only.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    peak_mb: float
    returncode: int

    def row(self) -> str:
        return f"wall {self.wall_s:6.2f} s   cpu {self.cpu_s:6.2f} s   peak {self.peak_mb:7.0f} MB"


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_pss_mb(root: int) -> float:
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kb(pid)
        todo.extend(tree.get(pid, ()))
    return total / 1024


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss_mb(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, peak, code)


def median_run(runs: list[Run]) -> Run:
    def mid(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[len(ordered) // 2]

    return Run(mid([r.wall_s for r in runs]), mid([r.cpu_s for r in runs]), mid([r.peak_mb for r in runs]),
               max(r.returncode for r in runs))


def installed_env(src: Path) -> dict[str, str]:
    """The environment to run the faasguard in ``src`` (a checkout's ``src`` folder) as an installed
    package runs: from compiled bytecode (pip compiles it at install time). The sources are compiled
    first, and ``PYTHONDONTWRITEBYTECODE`` is dropped; otherwise a checkout would compile every module
    on every run (about 0.25 s here), which no user's installation does."""
    import compileall

    compileall.compile_dir(str(src), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(src)}
