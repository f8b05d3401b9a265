"""From a function's handler setting to files on disk: the entry file, and the local modules it imports.

Lambda puts the function's code directory on the import path, so ``app.lambda_handler``
is ``<code_dir>/app.py`` and ``src/handlers/app.handler`` is
``<code_dir>/src/handlers/app.py``; Node handlers resolve to the first of
``.js .mjs .cjs .ts`` that exists. Imports are resolved only to files inside the
code directory (or next to the importing file): packages from site-packages or
node_modules are not the function's own code.

While :func:`recording` is on, every resolution is noted with its answer, so that a cached
analysis can check that each import still resolves the same way (:func:`answer`).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

PY_EXTS = (".py",)
JS_EXTS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx")


def language_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in PY_EXTS:
        return "python"
    if suffix in (".ts", ".mts", ".cts", ".tsx"):
        return "typescript"
    if suffix in JS_EXTS:
        return "javascript"
    return None


def split_handler(handler: str) -> tuple[str, str] | None:
    """``src/handlers/app.handler`` → (``src/handlers/app``, ``handler``)."""
    handler = handler.strip()
    if "." not in handler:
        return None
    module, _, name = handler.rpartition(".")
    if not module or not name:
        return None
    return module, name


def entry_file(code_dir: Path, handler: str, runtime: str | None) -> tuple[Path, str] | None:
    """The entry file and the handler's function name, or None when nothing on disk matches."""
    runtime = (runtime or "").lower()
    parts = split_handler(handler) or _gcp_entry(code_dir, handler, runtime)
    if parts is None or not code_dir.is_dir():
        return None
    module, name = parts
    for path in _entry_candidates(code_dir, module, runtime):
        if path.is_file():
            return path, name
    return None


def _entry_candidates(code_dir: Path, module: str, runtime: str) -> Iterator[Path]:
    """The files handler module ``module`` may be, in the order they are tried: Python's, then JavaScript's (only
    the runtime's own when it is known). Made as they are tried: most entries are the first."""
    if not runtime.startswith("node"):
        dotted = module.replace(".", "/")
        yield from (code_dir / f"{module}.py", code_dir / f"{dotted}.py", code_dir / dotted / "__init__.py")
    if runtime.startswith("python"):
        return
    yield from (code_dir / f"{module}{ext}" for ext in JS_EXTS)
    # TypeScript compiled to dist/ or build/: the source usually sits beside it under src/.
    for out in ("dist/", "build/", ".build/", "lib/"):
        if module.startswith(out):
            rest = module[len(out) :]
            yield from (code_dir / f"src/{rest}.ts", code_dir / f"src/{rest}.mts", code_dir / f"{rest}.ts")


def _gcp_entry(code_dir: Path, handler: str, runtime: str) -> tuple[str, str] | None:
    """Cloud Functions name only the function (``entry_point = "hello_http"``): Python loads it from ``main.py``,
    Node.js from the file package.json's ``main`` names (``index.js`` by default)."""
    name = handler.strip()
    if not name.isidentifier():
        return None
    if runtime.startswith("python"):
        return "main", name
    if runtime.startswith("node"):
        main = "index"
        try:
            package = json.loads((code_dir / "package.json").read_text(encoding="utf-8"))
            if isinstance(package, dict) and isinstance(package.get("main"), str):
                main = package["main"].strip().removeprefix("./")
                main = main.rsplit(".", 1)[0] if main.endswith(JS_EXTS) else main
        except (OSError, ValueError):
            pass
        return main, name
    return None


def python_module(name: str, level: int, importer: Path, code_dir: Path | None) -> Path | None:
    """The local file for ``import name`` / ``from .name import``, or None for a third-party module."""
    # Keyed by the importer's directory: every file of a package imports the same names.
    return _noted(("python", name, level, os.path.dirname(importer), str(code_dir) if code_dir is not None else None))


@lru_cache(maxsize=65536)
def _python_module(name: str, level: int, here: str, code_dir: str | None) -> Path | None:
    bases: list[str] = []
    if level:
        base = here
        for _ in range(level - 1):
            base = os.path.dirname(base)
        bases.append(base)
    else:
        if code_dir is not None:
            bases.append(code_dir)
        bases.append(here)
    rel = name.replace(".", "/") if name else ""
    for base in bases:
        for candidate in (os.path.join(base, rel + ".py") if rel else None, os.path.join(base, rel, "__init__.py")):
            if candidate is not None and _inside(candidate, code_dir, here) and _isfile(candidate):
                found = os.path.normpath(candidate)
                if found in _INSTALLED:
                    return None  # a file pip installed into the tree: a third-party package, like site-packages
                return Path(found)
    return None


# The files of the distributions installed into the scanned tree (pip install -t; see faasguard.installed).
_INSTALLED: frozenset[str] = frozenset()


def set_installed(paths: Iterable[Path]) -> None:
    """The files that distributions installed into the tree (``pip install -t``) own, for the scan about to run."""
    global _INSTALLED
    _INSTALLED = frozenset(os.path.normpath(p) for p in paths)
    forget()


def js_module(spec: str, importer: Path, code_dir: Path | None) -> Path | None:
    """The local file for ``require('./lib/db')`` / ``import … from '../x.js'``; None for packages."""
    if not spec.startswith((".", "/")):
        return None
    return _noted(("js", spec, str(importer.parent), str(code_dir) if code_dir is not None else None))


# The resolutions made while recording (see :func:`recording`), per thread (two scans may run in one process):
# ``_RECORD.noted`` maps the arguments of each to its answer.
_RECORD = threading.local()


def _resolved(question: tuple) -> Path | None:  # type: ignore[type-arg]
    """The answer to a ``("python", …)`` or ``("js", …)`` question: the arguments of the resolver it names."""
    return _python_module(*question[1:]) if question[0] == "python" else _js_module(*question[1:])


def _noted(question: tuple) -> Path | None:  # type: ignore[type-arg]
    found = _resolved(question)
    noted = getattr(_RECORD, "noted", None)
    if noted is not None:
        noted[question] = str(found) if found is not None else None
    return found


@contextlib.contextmanager
def recording() -> Iterator[dict[tuple, str | None]]:  # type: ignore[type-arg]
    """Note every import this thread resolves in the block, with its answer, in the dict it gives."""
    previous = getattr(_RECORD, "noted", None)
    noted: dict[tuple, str | None] = {}  # type: ignore[type-arg]
    _RECORD.noted = noted
    try:
        yield noted
    finally:
        _RECORD.noted = previous
        if previous is not None:  # an enclosing recording depends on them too
            previous.update(noted)


def answer(question: tuple) -> str | None:  # type: ignore[type-arg]
    """What a resolution :func:`recording` noted answers now (the file system may have changed)."""
    if question and question[0] in ("python", "js"):
        found = _resolved(question)
        return str(found) if found is not None else None
    return "?"  # not a question this version asks: never the noted answer


@lru_cache(maxsize=65536)
def _js_module(spec: str, here: str, code_dir: str | None) -> Path | None:
    target = os.path.normpath(os.path.join(here, spec))
    stem, suffix = os.path.splitext(target)
    suffix = suffix.lower()
    candidates = [target] if suffix in JS_EXTS else []
    if suffix in (".js", ".mjs", ".cjs", ".jsx"):
        # TypeScript sources import their siblings by the compiled name.
        candidates += [stem + ext for ext in (".ts", ".tsx", ".mts", ".cts")]
    candidates += [target + ext for ext in JS_EXTS]
    candidates += [os.path.join(target, "index" + ext) for ext in JS_EXTS]
    if not _inside(target, code_dir, here):
        return None
    for candidate in candidates:
        if _isfile(candidate):
            return Path(candidate)
    return None


@lru_cache(maxsize=262144)
def _isfile(path: str) -> bool:
    """``os.path.isfile``, once per path and scan: the same candidates come up from many importers."""
    return os.path.isfile(path)


def _inside(path: str, code_dir: str | None, here: str) -> bool:
    base = code_dir if code_dir is not None else here
    path = os.path.normpath(path)
    if not (path == base or path.startswith(base.rstrip("/") + "/")):
        return False
    parts = path.split("/")
    return "node_modules" not in parts[len(base.split("/")):] and "site-packages" not in parts[len(base.split("/")):]


def forget() -> None:
    """Drop cached import resolutions (the file system may have changed between scans)."""
    _python_module.cache_clear()
    _js_module.cache_clear()
    _isfile.cache_clear()
