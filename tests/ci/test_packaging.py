"""What a user installs: license, dependency ranges vs. CI's exact pins, and the README's commands."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
README = (ROOT / "README.md").read_text()


def _constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"constraints.txt pins exact versions only: {line}"
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_license_file_matches_pyproject():
    assert PYPROJECT["project"]["license"] == "Apache-2.0"  # an SPDX expression
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text


def test_dependencies_are_ranges_and_ci_pins_each_within_its_range():
    pins = _constraints()
    project = PYPROJECT["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    for line in requirements:
        req = Requirement(line)
        assert not any(s.operator in ("==", "===") for s in req.specifier), (
            f"pyproject.toml: {line} is an exact pin; use a range and pin the version in constraints.txt"
        )
        name = canonicalize_name(req.name)
        assert name in pins, f"constraints.txt has no pin for {req.name}: run scripts/lock_constraints.sh"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {req.name}=={pins[name]}, outside pyproject.toml's {req.specifier}"
        )


def test_readme_never_installs_a_package_name_that_is_not_ours():
    # faasguard is not on PyPI: `pip install faasguard` would install whatever holds the name.
    bad = re.findall(r"pip[x]? install(?: -[-\w]+)* faasguard\b(?![-\w/])", README)
    assert not bad, bad
    assert "pipx install git+https://github.com/faasguard/faasguard" in README


def test_readme_newcomer_commands_are_what_ci_runs():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    assert "pip install . && faasguard scan examples/vulnerable-orders-app\n" in blocks
    test_command = next(b.strip() for b in blocks if "pytest" in b)
    assert (ROOT / "examples" / "vulnerable-orders-app").is_dir()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci.splitlines(), f".ci/run must run the README's test command verbatim: {test_command}"


def test_description_claims_only_subcommands_that_exist():
    from faasguard.cli import build_parser

    commands = set(next(a for a in build_parser()._actions if a.dest == "command").choices)
    description = PYPROJECT["project"]["description"].lower()
    if "live" in description or "account" in description:
        assert "audit" in commands, "the description claims live-account scanning but there is no `faasguard audit`"
    assert {"scan", "rules", "policy"} <= commands
