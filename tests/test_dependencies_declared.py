"""Every library faasguard's code imports is one `pip install faasguard` installs.

A module imported outside an ``ImportError`` guard must come from a distribution listed in
``[project].dependencies``: one that arrives only with the test extras (platformdirs came with
pre-commit) works in CI and breaks the README's `pip install . && faasguard scan …`.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _guarded(tree: ast.AST) -> set[int]:
    """The nodes inside a ``try`` whose handlers catch ImportError: optional imports."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            caught = set()
            for handler in node.handlers:
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                caught |= {t.id for t in types if isinstance(t, ast.Name)}
            if caught & {"ImportError", "ModuleNotFoundError"}:
                inside |= {id(n) for statement in node.body for n in ast.walk(statement)}
    return inside


def _imported_modules() -> dict[str, str]:
    """Top-level third-party modules imported by src/faasguard, each with one file that imports it."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "src" / "faasguard").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        optional = _guarded(tree)
        for node in ast.walk(tree):
            if id(node) in optional:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "faasguard":
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_imported_library_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {canonicalize_name(Requirement(line).name) for line in project["dependencies"]}
    distributions = importlib.metadata.packages_distributions()
    modules = _imported_modules()
    assert {"yaml", "samtranslator", "platformdirs"} <= modules.keys()  # the walk sees the imports
    missing = {
        module: (where, distributions.get(module))
        for module, where in modules.items()
        if not {canonicalize_name(d) for d in distributions.get(module, [module])} & declared
    }
    assert not missing, f"imported but not in [project].dependencies: {missing}"
