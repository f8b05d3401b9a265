"""Reference bombs and every limit: bounded in time and memory, a clear entry, the scan goes on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from faasguard import limits
from faasguard.loaders.serverless_framework import ServerlessFrameworkLoader
from faasguard.scan import ScanOptions, scan
from tests.hostile.conftest import HANDLER, SAM, write

GOOD = SAM + "      Environment:\n        Variables:\n          DB_PASSWORD: Zq8kLm2pX4vB9nR7\n"


def _rules(result) -> set[str]:
    return {f.rule_id for f in result.findings}


def test_terraform_locals_doubling_is_bounded(tmp_path: Path) -> None:
    locals_ = "".join(f'  l{i} = "${{local.l{i + 1}}}${{local.l{i + 1}}}"\n' for i in range(23))
    write(tmp_path, {"main.tf": f'''locals {{
{locals_}  l23 = "x"
}}
resource "aws_lambda_function" "f" {{
  function_name = local.l0
  role          = "arn:aws:iam::123456789012:role/x"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "f.zip"
  environment {{
    variables = {{ A = local.l0, DB_PASSWORD = "Zq8kLm2pX4vB9nR7" }}
  }}
}}
'''})
    started = time.process_time()  # CPU time: a loaded CI machine stretches wall time, not this
    result = scan(tmp_path, ScanOptions(jobs=1))
    assert time.process_time() - started < 5
    (path, message), = result.warnings
    assert path == "main.tf" and "reference bomb" in message
    assert "FG-SEC-001" in _rules(result)  # the rest of the module is still analysed


def test_terraform_locals_chain_still_resolves(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''locals {
  prefix = "app"
  name   = "${local.prefix}-${local.prefix}-fn"
}
resource "aws_lambda_function" "f" {
  function_name = local.name
  role          = "arn:aws:iam::123456789012:role/x"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "f.zip"
}
'''})
    result = scan(tmp_path, ScanOptions(jobs=1))
    assert result.warnings == []
    assert any("app-app-fn" in f.message or f.function == "aws_lambda_function.f" for f in result.findings)


def test_serverless_self_reference_fan_out_is_bounded(tmp_path: Path) -> None:
    lines = ["service: s", "provider: {name: aws, runtime: python3.12}", "custom:"]
    for i in range(14):
        ref = f'"${{self:custom.a{i + 1}}}"'
        lines.append(f"  a{i}: [{ref}, {ref}, {ref}]")
    lines += ["  a14: [x, y, z]", "functions:", "  f:", "    handler: app.handler", "    environment:",
              "      X: ${self:custom.a0}", "      DB_PASSWORD: Zq8kLm2pX4vB9nR7"]
    write(tmp_path, {"serverless.yml": "\n".join(lines) + "\n", "app.py": HANDLER})
    started = time.process_time()
    result = scan(tmp_path, ScanOptions(jobs=1))
    assert time.process_time() - started < 5
    assert any("reference bomb" in m for _, m in result.warnings)
    assert "FG-SEC-001" in _rules(result)


def test_an_unresolved_variable_default_is_not_echoed(tmp_path: Path) -> None:
    write(tmp_path, {"serverless.yml": (
        "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  f:\n    handler: app.handler\n"
        "    environment:\n      DB: ${ssm:/db/${opt:region}/pw, 'Zq8kLm2pX4vB9nR7'}\n"
    ), "app.py": HANDLER})
    result = scan(tmp_path, ScanOptions(jobs=1))
    shown = " ".join(m for _, m in result.warnings)
    assert "left unresolved" in shown and "${ssm:/db/${opt:region}/pw, …}" in shown
    assert "Zq8kLm2pX4vB9nR7" not in shown


def _spin(cpu_seconds: float) -> None:
    """Compute (a file that makes a loader work without end), at most ``cpu_seconds`` of processor time."""
    started = time.process_time()
    while time.process_time() - started < cpu_seconds:
        sum(range(1000))


def _stuck_loader(monkeypatch: pytest.MonkeyPatch, behaviour) -> None:
    real = ServerlessFrameworkLoader.load

    def load(self, path, *args, **kwargs):  # a loader stuck on one file
        if path.parent.name == "stuck":
            behaviour()
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(ServerlessFrameworkLoader, "load", load)


SLS = "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  f: {handler: app.handler}\n"


def _repo(tmp_path: Path) -> Path:
    return write(tmp_path / "repo", {"stuck/serverless.yml": SLS, "stuck/app.py": HANDLER, "template.yaml": GOOD,
                                     "src/app.py": HANDLER})


def test_the_time_budget_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose loading computes without end becomes an errors entry naming it and the limit; the
    other files are scanned. The budget is processor time, so the result is the same on a loaded
    machine: the stuck loader would spin for 20 s of processor time, the budget stops it at 0.3."""
    warm = write(tmp_path / "warm", {"template.yaml": GOOD, "src/app.py": HANDLER})
    scan(warm, ScanOptions(jobs=1))  # the first SAM translation builds caches, once per process
    monkeypatch.setattr(limits, "FILE_SECONDS", 0.3)
    _stuck_loader(monkeypatch, lambda: _spin(20))
    started = time.process_time()
    result = scan(_repo(tmp_path), ScanOptions(jobs=1))
    assert time.process_time() - started < 15
    assert dict(result.errors)["stuck/serverless.yml"] == (
        "used more than 0.3 s of processor time, the limit per file; skipped (the rest of the scan went on)"
    )
    assert "FG-SEC-001" in _rules(result)  # template.yaml next to it was scanned


def test_waiting_is_not_charged_to_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Time the process spends waiting (another process has the processor, a slow disk) does not count:
    a loader that waits 0.8 s but computes little stays within a 0.3 s budget."""
    monkeypatch.setattr(limits, "FILE_SECONDS", 0.3)
    _stuck_loader(monkeypatch, lambda: time.sleep(0.8))
    result = scan(_repo(tmp_path), ScanOptions(jobs=1))
    assert "stuck/serverless.yml" not in dict(result.errors)
    assert {f.path for f in result.findings} >= {"template.yaml", "stuck/serverless.yml"}


def test_importing_libraries_is_not_charged_to_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first file that needs a library pays for importing it: that is not the file's own work.
    A module whose import computes 0.5 s fits a 0.3 s budget; the same work without an import does not."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "faasguard_heavy_library.py").write_text(
        "import time\nstarted = time.process_time()\nwhile time.process_time() - started < 0.5:\n    sum(range(1000))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    monkeypatch.delitem(__import__("sys").modules, "faasguard_heavy_library", raising=False)
    with limits.time_budget(0.3):
        import faasguard_heavy_library  # noqa: F401
    with pytest.raises(limits.FileTimeout), limits.time_budget(0.3):
        _spin(0.6)
    with pytest.raises(limits.FileTimeout), limits.time_budget(0.3):  # one import does not buy endless time
        import json  # noqa: F401  (already imported: no new module)
        _spin(5)


def test_a_file_that_waits_without_end_hits_the_wall_clock_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "FILE_WALL_SECONDS", 0.5)
    _stuck_loader(monkeypatch, lambda: time.sleep(60))
    started = time.monotonic()
    result = scan(_repo(tmp_path), ScanOptions(jobs=1))
    assert time.monotonic() - started < 20  # not the 60 s sleep, nor the 30 s processor-time budget
    assert dict(result.errors)["stuck/serverless.yml"] == (
        "still running after 0.5 s, the limit per file (waiting included); skipped (the rest of the scan went on)"
    )
    assert "FG-SEC-001" in _rules(result)


def test_the_budget_is_reset_between_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file starts with a whole budget, and nothing is left armed after the block."""
    import signal

    for _ in range(5):
        with limits.time_budget(0.3):
            _spin(0.1)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_time_budget_interrupts_a_backtracking_regex() -> None:
    import re

    started = time.process_time()
    with pytest.raises(limits.FileTimeout), limits.time_budget(0.2):
        re.match(r"(a|aa)+$", "a" * 40 + "b")
    assert time.process_time() - started < 2


def test_the_number_of_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FILES", 3)
    write(tmp_path, {"a.yaml": GOOD, "b.txt": "", "c.txt": "", "d.yaml": GOOD, "e.yaml": GOOD})
    result = scan(tmp_path, ScanOptions(jobs=1))
    assert "more than 3 files: only the first 3 in path order were scanned (the last was c.txt)" in dict(result.errors)["."]
    assert {f.path for f in result.findings} == {"a.yaml"}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("deep.yaml", "AWSTemplateFormatVersion: x\nResources: " + "[" * 5_000 + "]" * 5_000 + "\n", "nest"),
        ("deep.json", '{"AWSTemplateFormatVersion": "x", "Resources": ' + "[" * 5_000 + "]" * 5_000 + "}", "nest"),
        ("deep.tf", 'locals {\n  x = ' + "[" * 3_000 + "]" * 3_000 + "\n}\n", "nest"),
        ("deep.py", "x = " + "(" * 100_000 + ")" * 100_000 + "\n", ""),
        ("deep.js", "var x = " + "[" * 100_000 + "]" * 100_000 + ";\n", ""),
    ],
)
def test_nesting_depth(tmp_path: Path, name: str, text: str, expected: str) -> None:
    write(tmp_path, {name: text, "template.yaml": GOOD, "src/app.py": HANDLER})
    result = scan(tmp_path, ScanOptions(jobs=1))
    assert "FG-SEC-001" in _rules(result)
    if expected:
        assert expected in dict(result.errors).get(name, "")


def test_file_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("faasguard.scan.MAX_FILE_BYTES", 1000)
    write(tmp_path, {"big.yaml": "AWSTemplateFormatVersion: x\n" + "# pad\n" * 500, "template.yaml": GOOD, "src/app.py": HANDLER})
    result = scan(tmp_path, ScanOptions(jobs=1))
    assert "over the" in dict(result.errors)["big.yaml"]
    assert "FG-SEC-001" in _rules(result)


def test_a_budget_signal_after_the_budget_ended_is_ignored() -> None:
    """A worker keeps the budget's handlers for good: a timer signal delivered just after its block ended
    must not stop the next thing the worker does."""
    import signal

    limits._cpu_spent(signal.SIGPROF, None)
    limits._wall_spent(signal.SIGALRM, None)
