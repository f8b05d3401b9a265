"""faasguard against Checkov on the same files, in the same run: wall, CPU and peak memory, and the ratios.

    python bench/vs_checkov.py DIR [--checkov PATH] [--repeat 3] [--before SRC_DIR] [--jobs N]

Rounds alternate the tools, so a busy machine slows both alike. Each round runs

* Checkov (``-d DIR --framework cloudformation,serverless,terraform --skip-download``;
  install it in a virtualenv of its own, never in faasguard's: ``python -m venv
  ~/checkov-venv && ~/checkov-venv/bin/pip install checkov``);
* faasguard with a fresh, empty parse cache (cold);
* faasguard with the cache the cold run filled (warm);
* with ``--before SRC_DIR``, another faasguard checkout's ``src`` (e.g. ``git worktree add
  /tmp/before <commit>``), with an empty cache of its own, for a before/after comparison
  with the cold run.

faasguard runs its whole scan (IaC, function code, dependencies); Checkov only its IaC
frameworks. Reports go to /dev/null; medians are printed, with Checkov ÷ faasguard ratios.

Both tools run from compiled bytecode, as installed packages do (see ``measure.installed_env``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Run, installed_env, median_run, run  # a script beside this one, not a package

SRC = Path(__file__).resolve().parents[1] / "src"


def faasguard_cmd(target: Path, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "faasguard", "scan", str(target), "--format", "json", "-o", os.devnull,
            "-q", "--fail-on", "none", *extra]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--checkov", default=shutil.which("checkov") or str(Path.home() / "checkov-venv/bin/checkov"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="src directory of another faasguard checkout")
    parser.add_argument("--after", type=Path, default=SRC, help="src directory of the faasguard to measure (default: this one)")
    parser.add_argument("--jobs", type=int, help="faasguard --jobs")
    parser.add_argument("--no-checkov", action="store_true", help="faasguard only")
    args = parser.parse_args()

    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    env_after = installed_env(args.after)
    env_before = installed_env(args.before) if args.before else None
    checkov = [args.checkov, "-d", str(args.target), "--framework", "cloudformation,serverless,terraform",
               "--quiet", "--compact", "--skip-download", "-o", "json"]
    runs: dict[str, list[Run]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="faasguard-bench-"))
    try:
        for round_no in range(args.repeat):
            if not args.no_checkov:
                runs.setdefault("checkov", []).append(run(checkov, env={**os.environ, "BC_SKIP_MAPPING": "TRUE"}))
            if env_before is not None:  # in the same conditions as the cold run below: an empty cache of its own
                before_cache = scratch / f"before-cache-{round_no}"
                runs.setdefault("faasguard before", []).append(
                    run(faasguard_cmd(args.target, [*jobs, "--cache-dir", str(before_cache)]), env=env_before)
                )
            cache = scratch / f"cache-{round_no}"
            cold = run(faasguard_cmd(args.target, [*jobs, "--cache-dir", str(cache)]), env=env_after)
            runs.setdefault("faasguard cold cache", []).append(cold)
            warm = run(faasguard_cmd(args.target, [*jobs, "--cache-dir", str(cache)]), env=env_after)
            runs.setdefault("faasguard warm cache", []).append(warm)
            print(f"round {round_no + 1}: " + "; ".join(f"{name} {r[-1].wall_s:.1f} s" for name, r in runs.items()),
                  file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"{args.target}: median of {args.repeat} rounds (CPU includes every worker process; memory is the "
          "peak PSS of the process tree)")
    medians = {name: median_run(r) for name, r in runs.items()}
    for name, m in medians.items():
        failed = "" if m.returncode in (0, 1) else f"   exit {m.returncode}"
        print(f"  {name:<22} {m.row()}{failed}")
    base = medians.get("checkov")
    if base:
        print("Checkov ÷ faasguard:")
        for name, m in medians.items():
            if name != "checkov":
                print(f"  {name:<22} wall {base.wall_s / m.wall_s:5.1f}x   cpu {base.cpu_s / m.cpu_s:5.1f}x   "
                      f"memory {base.peak_mb / max(m.peak_mb, 1):5.1f}x")
    before = medians.get("faasguard before")
    if before:
        print("before ÷ after:")
        for name in ("faasguard cold cache",):
            m = medians[name]
            print(f"  {name:<22} wall {before.wall_s / m.wall_s:5.1f}x   cpu {before.cpu_s / m.cpu_s:5.1f}x   "
                  f"memory {before.peak_mb / max(m.peak_mb, 1):5.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
