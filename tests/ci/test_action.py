"""action.yml: valid against the GitHub Actions schema, and its steps run here as a runner would.

There is no runner offline, so the test plays one: it evaluates each step's ``if:`` and ``env:``
expressions (the few forms action.yml uses), runs the ``run:`` scripts with bash, and reads
``$GITHUB_OUTPUT``. The install step (pip from the action's checkout, which needs an index) is
only syntax-checked; the scan uses this checkout's faasguard. ``uses:`` steps are not run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import EXAMPLES, ROOT, base_env

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = {s.get("id", s["name"]): s for s in ACTION["runs"]["steps"]}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test extra: pip install -e '.[test]'"
    return subprocess.run([exe, "--builtin-schema", "vendor.github-actions", str(path)], capture_output=True, text=True)


class Runner:
    """Just enough of the expression language for action.yml: contexts, literals, ==, !=, &&, ||, always()."""

    def __init__(self, inputs: dict[str, str], action_path: Path) -> None:
        self.inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
        self.action_path = action_path
        self.outputs: dict[str, dict[str, str]] = {}

    def lookup(self, ref: str) -> str:
        parts = ref.split(".")
        if parts[0] == "inputs":
            return self.inputs[parts[1]]
        if parts[0] == "github" and parts[1] == "action_path":
            return str(self.action_path)
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"the test runner does not know {ref}")

    def value(self, expr: str) -> Any:
        tokens = re.findall(r"'[^']*'|&&|\|\||==|!=|always\(\)|[A-Za-z_][\w.-]*", expr)
        assert "".join(tokens).replace(" ", "") == expr.replace(" ", ""), f"unsupported expression: {expr}"
        py = []
        for t in tokens:
            if t.startswith("'"):
                py.append(repr(t[1:-1]))
            elif t in ("&&", "||"):
                py.append(" and " if t == "&&" else " or ")
            elif t in ("==", "!="):
                py.append(f" {t} ")
            elif t == "always()":
                py.append("True")
            else:
                py.append(repr(self.lookup(t)))
        return eval("".join(py), {"__builtins__": {}})  # only the tokens checked above reach eval

    def text(self, template: str) -> str:
        return EXPRESSION.sub(lambda m: str(self.value(m.group(1))), template)

    def condition(self, step: dict[str, Any]) -> bool:
        expr = str(step.get("if", "success()"))
        if expr == "success()":
            return True
        return bool(self.value(EXPRESSION.fullmatch(expr.strip()).group(1) if "${{" in expr else expr))

    def run(self, step_id: str, tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
        step = STEPS[step_id]
        output = tmp / f"{step_id}.out"
        output.write_text("")
        step_env = {k: self.text(str(v)) for k, v in step.get("env", {}).items()}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=tmp, capture_output=True, text=True, timeout=60,
            env=base_env(GITHUB_OUTPUT=str(output), RUNNER_TEMP=str(tmp), **step_env, **env),
        )
        self.outputs[step_id] = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        return proc


def test_action_yml_follows_the_github_actions_schema():
    proc = check_jsonschema(ROOT / "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_does_catch_a_broken_action(tmp_path):
    broken = dict(ACTION, runs={"using": "composite", "steps": [{"run": "echo hi"}]})  # a run step needs shell:
    (tmp_path / "action.yml").write_text(yaml.safe_dump(broken))
    assert check_jsonschema(tmp_path / "action.yml").returncode != 0


def test_inputs_reach_scripts_only_through_the_environment():
    # `${{ inputs.x }}` spliced into a script is a command injection; env: is not.
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]
        if "run" in step:
            assert step["shell"] == "bash"
            assert subprocess.run(["bash", "-n", "-c", step["run"]], capture_output=True).returncode == 0, step["name"]


def test_composite_action_installs_scans_uploads_and_fails_on_findings(tmp_path, faasguard_bin, empty_advisories):
    uses = [s["uses"].split("@")[0] for s in ACTION["runs"]["steps"] if "uses" in s]
    assert uses == ["actions/setup-python", "actions/cache", "github/codeql-action/upload-sarif"]
    # Two paths, as a monorepo would give them: one run, one SARIF file.
    paths = f"{EXAMPLES / 'vulnerable-orders-app'} {EXAMPLES / 'fixed-orders-app'}"
    runner = Runner({"path": paths, "advisory-db": str(empty_advisories)}, ROOT)
    runner.outputs["install"] = {"bin": str(faasguard_bin)}  # what the install step would leave
    scan = runner.run("scan", tmp_path)
    assert scan.returncode == 0, scan.stderr  # the scan step never fails itself: upload must still run
    assert runner.outputs["scan"]["exit-code"] == "1"
    assert runner.outputs["scan"]["sarif-written"] == "true"
    sarif = json.loads((tmp_path / "faasguard.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"FG-INJ-010", "FG-ATK-001"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert any(u.endswith("vulnerable-orders-app/src/orders/app.py") for u in uris)
    assert "FG-INJ-010" in scan.stdout, "the text report goes to the job log"

    upload = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert runner.condition(upload)
    assert runner.text(upload["with"]["sarif_file"]) == "faasguard.sarif"

    assert runner.condition(STEPS["Fail on findings"])
    fail = runner.run("Fail on findings", tmp_path)
    assert fail.returncode == 1
    assert "::error title=faasguard::findings at or above high" in fail.stdout


def test_a_clean_app_passes_and_a_bad_path_fails_without_an_upload(tmp_path, faasguard_bin, empty_advisories):
    runner = Runner({"path": str(EXAMPLES / "fixed-orders-app"), "advisory-db": str(empty_advisories)}, ROOT)
    runner.outputs["install"] = {"bin": str(faasguard_bin)}
    assert runner.run("scan", tmp_path).returncode == 0
    assert runner.outputs["scan"]["exit-code"] == "0"
    assert not runner.condition(STEPS["Fail on findings"])

    (tmp_path / "faasguard.sarif").unlink()
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    runner = Runner({"path": str(empty), "upload-sarif": "true"}, ROOT)
    runner.outputs["install"] = {"bin": str(faasguard_bin)}
    runner.run("scan", tmp_path)
    assert runner.outputs["scan"]["exit-code"] == "2"
    upload = next(s for s in ACTION["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert not runner.condition(upload), "no SARIF was written: nothing to upload"
    fail = runner.run("Fail on findings", tmp_path)
    assert fail.returncode == 2 and "the scan did not run (exit 2)" in fail.stdout


def test_the_parse_cache_is_kept_between_runs_unless_turned_off(tmp_path, faasguard_bin, empty_advisories):
    restore = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("actions/cache"))
    app = str(EXAMPLES / "vulnerable-orders-app")
    for setting, kept in (("true", True), ("false", False)):
        work = tmp_path / setting
        work.mkdir()
        runner = Runner({"path": app, "advisory-db": str(empty_advisories), "cache": setting}, ROOT)
        runner.outputs["install"] = {"bin": str(faasguard_bin)}
        assert runner.condition(restore) is kept
        runner.run("scan", work)
        assert runner.outputs["scan"]["exit-code"] == "1"
        # the folder actions/cache restores and saves is the one the scan filled
        assert (work / "faasguard-parse-cache" / "entries.sqlite3").is_file() is kept
        assert restore["with"]["path"] == "${{ runner.temp }}/faasguard-parse-cache"


@pytest.mark.parametrize("name", ["path", "fail-on", "sarif-file", "upload-sarif", "category", "advisory-db", "args", "cache"])
def test_every_input_is_documented_and_used(name):
    spec = ACTION["inputs"][name]
    assert spec["description"].strip()
    used = yaml.safe_dump(ACTION["runs"])
    assert f"inputs.{name}" in used
