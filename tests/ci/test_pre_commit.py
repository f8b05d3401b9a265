""".pre-commit-hooks.yaml: a valid manifest, and the hook works through ``pre-commit try-repo``.

The test clones this checkout (with its uncommitted changes) and points ``try-repo`` at the clone:
pre-commit builds the hook's virtualenv from it and runs the hook on a target repository, as a
user's ``pre-commit run`` would.
Offline, pip cannot fetch faasguard's dependencies, so the hook's environment is built with
``PIP_NO_INDEX`` and ``PIP_NO_DEPS`` (setuptools for the build comes from the wheels virtualenv
ships) and the dependencies are lent at run time through ``PYTHONPATH`` from this test's own
environment. What the test does not cover is pip resolving the dependencies from an index: CI's own
``pip install`` of the same pyproject.toml covers that.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
import yaml

from .conftest import EXAMPLES, ROOT, base_env

MANIFEST = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
PRE_COMMIT = shutil.which("pre-commit")


def test_manifest_is_valid():
    assert PRE_COMMIT, "pre-commit is a test extra: pip install -e '.[test]'"
    proc = subprocess.run([PRE_COMMIT, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_hook_scans_the_repository_once_and_only_when_a_file_it_reads_changed():
    (hook,) = MANIFEST
    assert hook["id"] == "faasguard" and hook["language"] == "python"
    assert hook["entry"] == "faasguard scan ." and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("template.yaml", "infra/main.tf", "serverless.yml", "src/app.py", "src/index.mjs", "cdk.out/App.template.json",
                 "requirements.txt", "requirements-dev.txt", "poetry.lock", "package-lock.json", ".faasguard.yaml",
                 "pyproject.toml", "handler.TS"):
        assert files.search(path), path
    for path in ("README.md", "docs/diagram.png", "Makefile", "src/app.go", "LICENSE", "notes.txt"):
        assert not files.search(path), path


def _target(tmp_path: Path, example: str) -> Path:
    repo = tmp_path / example
    shutil.copytree(EXAMPLES / example, repo)
    git = ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "app"], cwd=repo, check=True)
    return repo


def _offline_env(home: Path, advisories: Path) -> dict[str, str]:
    import virtualenv

    wheels = Path(virtualenv.__file__).parent / "seed" / "wheels" / "embed"
    assert list(wheels.glob("setuptools-*.whl")), "virtualenv ships setuptools for offline builds"
    return base_env(
        PRE_COMMIT_HOME=str(home),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_NO_DEPS="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONPATH=sysconfig.get_paths()["purelib"] + os.pathsep + sysconfig.get_paths()["platlib"],
        FAASGUARD_ADVISORY_DB=str(advisories),
        NO_COLOR="1",
    )


def _clone(tmp_path: Path) -> Path:
    """A local clone of this checkout, with its uncommitted changes to tracked files committed
    (as try-repo's own shadow repository does)."""
    clone = tmp_path / "faasguard-clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    diff = subprocess.run(["git", "diff", "HEAD", "--binary"], cwd=ROOT, capture_output=True, check=True).stdout
    if diff.strip():
        subprocess.run(["git", "apply", "--whitespace=nowarn"], cwd=clone, input=diff, check=True)
        git = ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]
        subprocess.run([*git, "add", "-A"], cwd=clone, check=True)
        subprocess.run([*git, "commit", "-qm", "uncommitted changes"], cwd=clone, check=True)
    return clone


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_try_repo_runs_the_hook_from_a_local_clone(tmp_path, empty_advisories):
    assert PRE_COMMIT, "pre-commit is a test extra: pip install -e '.[test]'"
    clone = _clone(tmp_path)
    # try-repo builds the hook environment in a store of its own each time: the twins run at once.
    runs = {
        example: subprocess.Popen(
            [PRE_COMMIT, "try-repo", str(clone), "faasguard", "--all-files", "--color", "never"],
            cwd=_target(tmp_path, example), env=_offline_env(tmp_path / f"home-{example}", empty_advisories),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for example in ("vulnerable-orders-app", "fixed-orders-app")
    }
    out = {name: proc.communicate(timeout=300)[0] for name, proc in runs.items()}
    code = {name: proc.returncode for name, proc in runs.items()}

    assert code["vulnerable-orders-app"] == 1, out["vulnerable-orders-app"][-3000:]
    assert re.search(r"faasguard \(serverless security scan\)\.+Failed", out["vulnerable-orders-app"])
    assert "FG-INJ-010" in out["vulnerable-orders-app"] and "src/orders/app.py:21" in out["vulnerable-orders-app"]

    assert code["fixed-orders-app"] == 0, out["fixed-orders-app"][-3000:]
    assert re.search(r"faasguard \(serverless security scan\)\.+Passed", out["fixed-orders-app"])
