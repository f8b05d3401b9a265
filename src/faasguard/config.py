"""The project configuration file: ``.faasguard.yaml`` at the root of what is scanned.

It holds what a team wants on every run, so CI command lines stay short::

    fail-on: medium
    skip-rules: [FG-MON-003]          # rule ids
    skip-categories: [monitoring]
    categories: [iam, secrets]        # only these
    rules: [FG-IAM-001]               # only these
    exclude: ["legacy/**", "**/fixtures/**"]
    baseline: faasguard-baseline.json # relative to the file
    advisory-db: .cache/advisories    # relative to the file
    var: {STAGE: prod}                # values for ${env:…} in serverless.yml

Options given on the command line win; ``skip-*`` and ``exclude`` lists add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NAMES = (".faasguard.yaml", ".faasguard.yml")
_KEYS = {"fail-on", "skip-rules", "skip-categories", "categories", "rules", "exclude", "baseline", "advisory-db", "var"}


class ConfigError(Exception):
    """The configuration file cannot be used; the message is a sentence for the user."""


@dataclass
class Config:
    path: Path | None = None
    fail_on: str | None = None
    categories: set[str] = field(default_factory=set)
    skip_categories: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)
    skip_rules: set[str] = field(default_factory=set)
    exclude: list[str] = field(default_factory=list)
    baseline: Path | None = None
    advisory_db: Path | None = None
    variables: dict[str, str] = field(default_factory=dict)


def find(target: Path) -> Path | None:
    directory = target if target.is_dir() else target.parent
    return next((directory / name for name in NAMES if (directory / name).is_file()), None)


def load(path: Path) -> Config:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: could not be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}") from None
    if doc is None:
        return Config(path=path)
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping of options such as `fail-on: medium`")
    unknown = set(doc) - _KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown option {', '.join(sorted(map(str, unknown)))}; known: {', '.join(sorted(_KEYS))}")
    base = path.parent
    fail_on = doc.get("fail-on")
    if fail_on is not None and str(fail_on).lower() not in ("critical", "high", "medium", "low", "none"):
        raise ConfigError(f"{path}: fail-on must be one of critical, high, medium, low, none (not {fail_on!r})")
    variables = doc.get("var") or {}
    if not isinstance(variables, dict):
        raise ConfigError(f"{path}: var must be a mapping of NAME: value")
    return Config(
        path=path,
        fail_on=str(fail_on).lower() if fail_on is not None else None,
        categories=_names(path, doc, "categories", str.lower),
        skip_categories=_names(path, doc, "skip-categories", str.lower),
        rules=_names(path, doc, "rules", str.upper),
        skip_rules=_names(path, doc, "skip-rules", str.upper),
        exclude=sorted(_names(path, doc, "exclude", str)),
        baseline=base / str(doc["baseline"]) if doc.get("baseline") else None,
        advisory_db=base / str(doc["advisory-db"]) if doc.get("advisory-db") else None,
        variables={str(k): str(v) for k, v in variables.items()},
    )


def _names(path: Path, doc: dict[str, Any], key: str, normalise: Any) -> set[str]:
    value = doc.get(key)
    if value is None:
        return set()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str | int) for i in items):
        raise ConfigError(f"{path}: {key} must be a list of names")
    return {normalise(str(i).strip()) for i in items if str(i).strip()}
