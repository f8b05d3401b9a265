"""A named pipe (or socket, or device) where a file is expected is an ``errors`` entry, never a hang.

Every place that reads a file found in the scanned directory is reached by one of the pipes
below: the loaders (one per format), the code analysis (a handler, a module it imports, loose
sources), the dependency audit (lock files, a ``-r`` include), the ``faasguard:ignore``
comment reader and configuration discovery. Opening a pipe for reading blocks until a writer
appears, so each case runs in a child process under a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.conftest import SAM, write

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")

NOT_REGULAR = "not a regular file (a named pipe, socket or device); not read"

PIPES = [
    "x.yaml", "serverless.yml", "main.tf", "handler.py", "app.js", ".env", "Pulumi.yaml",
    "cdk.out/manifest.json", "az/host.json", "az/fn/function.json", "az/local.settings.json", "gcp/main.py",
    "package-lock.json", "pkg/package.json", "poetry.lock", "Pipfile.lock", "yarn.lock", "uv.lock",
    ".faasguard.yaml",
    "src/helper.py",  # imported by the SAM function's handler
]


def _scan(root: Path, out: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-m", "faasguard", "scan", str(root), "--format", "json", "-o", str(out), "--no-cache", "--jobs", "1"],
        capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL,
    )


def test_named_pipes_everywhere_are_errors_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = write(tmp_path / "repo", {
        "template.yaml": SAM,
        "src/app.py": "import helper\ndef handler(event, context):\n    return helper.x\n",
        "src/requirements.txt": "-r extra.txt\nrequests==2.32.0\n",
    })
    for name in [*PIPES, "src/extra.txt"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / name)
    out = tmp_path / "report.json"
    done = _scan(root, out)  # a hang is a TimeoutExpired here
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    errors = {(e["path"], e["message"]) for e in report["errors"]}
    for name in PIPES:
        assert (name, NOT_REGULAR) in errors, name
    assert any("included file extra.txt: " + NOT_REGULAR in e["message"] for e in report["errors"] + report.get("warnings", []))
    assert report["scanned"]["functions"] == 1  # the template was still loaded


def test_reading_refuses_a_pipe_without_opening_it_for_blocking(tmp_path: Path) -> None:
    from faasguard import limits

    pipe = tmp_path / "main.tf"
    os.mkfifo(pipe)
    with pytest.raises(limits.NotRegularFile, match="named pipe"):
        limits.read_bytes(pipe)
    with pytest.raises(OSError):  # callers that report unreadable files report it too
        limits.read_text(pipe)


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097])
def test_reading_stops_one_byte_past_the_limit(tmp_path: Path, size: int) -> None:
    from faasguard import limits

    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * size)
    if size <= 4096:
        assert limits.read_bytes(path, limit=4096) == b"x" * size
    else:
        with pytest.raises(limits.LimitExceeded, match="larger than the 4 KB limit"):
            limits.read_bytes(path, limit=4096)
