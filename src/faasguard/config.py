"""The project configuration: ``.faasguard.yaml`` or ``[tool.faasguard]`` in ``pyproject.toml``.

Found like Ruff finds its settings: the nearest of the two, starting from the
scanned path and walking up to the repository root (the folder holding ``.git``);
a ``.faasguard.yaml`` wins over a ``pyproject.toml`` in the same folder, and a
``pyproject.toml`` without a ``[tool.faasguard]`` table is passed over.

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
    per-file-ignores:                 # like Ruff: pattern → rule ids (or [] for all)
      "tests/**": [FG-SUP-020]
    taint-models:                     # extra taint model rows (docs/taint-models.md)
      python:
        sink: [{kind: sql, method: run_sql, receiver: [shop.db], argument: [0, query]}]
    require-code-signing: true        # opt in to FG-SUP-040 (functions without code signing)
    log-forwarding: false             # opt out of FG-MON-020 (sensitive logs not forwarded)

Options given on the command line win; ``skip-*`` and ``exclude`` lists add up.

The file usually lives in the repository being scanned, so it is read as untrusted input:
at most 1 MB of UTF-8, without alias bombs or absurd nesting, ``var`` values are scalars,
and (unless the user names the file with ``--config``) ``baseline`` and ``advisory-db``
must stay inside the directory that holds it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faasguard import limits

NAMES = (".faasguard.yaml", ".faasguard.yml")
_KEYS = {
    "fail-on", "skip-rules", "skip-categories", "categories", "rules", "exclude", "baseline", "advisory-db", "var",
    "per-file-ignores", "taint-models", "require-code-signing", "log-forwarding",
}
# Switches for one rule each: option → (rule id, whether the rule runs by default).
# An opt-in rule (default False) runs when its option is true; an opt-out one stops when it is false.
SWITCHES = {"require-code-signing": ("FG-SUP-040", False), "log-forwarding": ("FG-MON-020", True)}
PYPROJECT = "pyproject.toml"


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
    path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    taint_models: dict[str, Any] = field(default_factory=dict)  # taint-models: {python: {sink: [...]}, javascript: …}
    enable_rules: set[str] = field(default_factory=set)  # opt-in rules switched on (SWITCHES)


def repository_root(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` that holds ``.git`` (a folder, or a file in a worktree)."""
    directory = path.resolve()
    if not directory.is_dir():
        directory = directory.parent
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def find(target: Path, stop: Path | None = None) -> Path | None:
    """The configuration nearest to ``target``: walking up from it to ``stop`` (default: the
    repository root, or only ``target``'s own folder outside a repository)."""
    directory = target.resolve()
    if not directory.is_dir():
        directory = directory.parent
    stop = (stop or repository_root(directory) or directory).resolve()
    for candidate in (directory, *directory.parents):
        for name in NAMES:
            if (candidate / name).is_file():
                return candidate / name
        if (candidate / PYPROJECT).is_file() and _has_tool_table(candidate / PYPROJECT):
            return candidate / PYPROJECT
        if candidate == stop or stop not in candidate.parents:
            return None
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return isinstance(_pyproject_table(path), dict)
    except ConfigError:
        return True  # a broken pyproject.toml is reported when it is loaded, not silently passed over


def _pyproject_table(path: Path) -> object:
    try:
        doc = tomllib.loads(limits.read_bytes(path, limits.MAX_CONFIG_BYTES, "the file").decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: could not be read ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except limits.LimitExceeded as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read") from None
    tool = doc.get("tool")
    return tool.get("faasguard") if isinstance(tool, dict) else None


def load(path: Path, confine: bool = True) -> Config:
    """Read a configuration file. ``confine``: paths in it must stay inside its directory (a file
    found in the scanned repository); False for a file the user names with ``--config``."""
    from faasguard.loaders import located_yaml

    if path.name == PYPROJECT:
        table = _pyproject_table(path)
        if table is None:
            return Config(path=path)
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.faasguard] must be a table of options such as fail-on = \"medium\"")
        return _from_mapping(path, table, confine)
    try:
        data = limits.read_bytes(path, limits.MAX_CONFIG_BYTES, "the configuration file", regular=confine)
        doc = located_yaml.loads(data.decode("utf-8-sig"))
    except OSError as exc:
        raise ConfigError(f"{path}: could not be read ({exc.strerror or exc})") from None
    except limits.LimitExceeded as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    except located_yaml.LoadFailure as exc:
        raise ConfigError(f"{path}: cannot be used: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read") from None
    if doc is None:
        return Config(path=path)
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping of options such as `fail-on: medium`")
    return _from_mapping(path, doc, confine)


def _from_mapping(path: Path, doc: dict[str, Any], confine: bool = True) -> Config:
    unknown = set(doc) - _KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown option {', '.join(sorted(map(str, unknown)))}; known: {', '.join(sorted(_KEYS))}")
    fail_on = doc.get("fail-on")
    if fail_on is not None and str(fail_on).lower() not in ("critical", "high", "medium", "low", "none"):
        raise ConfigError(f"{path}: fail-on must be one of critical, high, medium, low, none (not {fail_on!r})")
    variables = doc.get("var") or {}
    if not isinstance(variables, dict) or not all(_scalar(v) for v in variables.values()):
        raise ConfigError(f"{path}: var must be a mapping of NAME: value (strings or numbers)")
    enabled, disabled = _switches(path, doc)
    return Config(
        path=path,
        fail_on=str(fail_on).lower() if fail_on is not None else None,
        categories=_names(path, doc, "categories", str.lower),
        skip_categories=_names(path, doc, "skip-categories", str.lower),
        rules=_names(path, doc, "rules", str.upper),
        skip_rules=_names(path, doc, "skip-rules", str.upper) | disabled,
        exclude=sorted(_names(path, doc, "exclude", str)),
        baseline=_path(path, doc, "baseline", confine),
        advisory_db=_path(path, doc, "advisory-db", confine),
        variables={str(k): str(v) for k, v in variables.items()},
        path_ignores=_path_ignores(path, doc.get("per-file-ignores")),
        taint_models=_taint_models(path, doc.get("taint-models")),
        enable_rules=enabled,
    )


def _switches(path: Path, doc: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The rules that SWITCHES options turn on (opt-in rules set true) and off (default rules set false)."""
    enabled, disabled = set(), set()
    for option, (rule_id, default) in SWITCHES.items():
        if option not in doc:
            continue
        value = doc[option]
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {option} must be true or false (not {value!r})")
        if value and not default:
            enabled.add(rule_id)
        elif not value and default:
            disabled.add(rule_id)
    return enabled, disabled


def _taint_models(path: Path, value: object) -> dict[str, Any]:
    if value is None:
        return {}
    from faasguard.code.taint_model import ModelError, check_user_models  # the code analyzer owns the row format

    if not isinstance(value, dict):
        raise ConfigError(f"{path}: taint-models must map a language (python, javascript) to model rows")
    try:
        check_user_models(value)
    except ModelError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return dict(value)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _path(config: Path, doc: dict[str, Any], key: str, confine: bool) -> Path | None:
    value = doc.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{config}: {key} must be a path")
    target = config.parent / value
    if confine and not limits.inside(target, config.parent):
        raise ConfigError(
            f"{config}: {key} {value} leaves the directory of the configuration file; a configuration in the "
            "scanned repository may only name files inside it (name the file on the command line instead)"
        )
    return target


def _path_ignores(path: Path, value: object) -> tuple[tuple[str, frozenset[str]], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: per-file-ignores must be a mapping of path pattern to a list of rule ids")
    out = []
    for pattern, rules in value.items():
        items = [rules] if isinstance(rules, str) else rules or []
        if not isinstance(items, list) or not all(isinstance(r, str) for r in items):
            raise ConfigError(f"{path}: per-file-ignores {pattern!r} must be a list of rule ids")
        out.append((str(pattern), frozenset(r.strip().upper() for r in items if r.strip())))
    return tuple(out)


def _names(path: Path, doc: dict[str, Any], key: str, normalise: Any) -> set[str]:
    value = doc.get(key)
    if value is None:
        return set()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str | int) for i in items):
        raise ConfigError(f"{path}: {key} must be a list of names")
    return {normalise(str(i).strip()) for i in items if str(i).strip()}
