"""From a function's handler setting to files on disk: the entry file, and the local modules it imports.

Lambda puts the function's code directory on the import path, so ``app.lambda_handler``
is ``<code_dir>/app.py`` and ``src/handlers/app.handler`` is
``<code_dir>/src/handlers/app.py``; Node handlers resolve to the first of
``.js .mjs .cjs .ts`` that exists. Imports are resolved only to files inside the
code directory (or next to the importing file): packages from site-packages or
node_modules are not the function's own code.
"""

from __future__ import annotations

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
    parts = split_handler(handler)
    if parts is None or not code_dir.is_dir():
        return None
    module, name = parts
    runtime = (runtime or "").lower()
    candidates: list[Path] = []
    dotted = module.replace(".", "/")
    py = [code_dir / f"{module}.py", code_dir / f"{dotted}.py", code_dir / dotted / "__init__.py"]
    js = [code_dir / f"{module}{ext}" for ext in JS_EXTS]
    # TypeScript compiled to dist/ or build/: the source usually sits beside it under src/.
    for out in ("dist/", "build/", ".build/", "lib/"):
        if module.startswith(out):
            rest = module[len(out) :]
            js += [code_dir / f"src/{rest}{ext}" for ext in (".ts", ".mts")] + [code_dir / f"{rest}{ext}" for ext in (".ts",)]
    if runtime.startswith("python"):
        candidates = py
    elif runtime.startswith("node"):
        candidates = js
    else:
        candidates = py + js
    for path in candidates:
        if path.is_file():
            return path, name
    return None


def python_module(name: str, level: int, importer: Path, code_dir: Path | None) -> Path | None:
    """The local file for ``import name`` / ``from .name import``, or None for a third-party module."""
    bases: list[Path] = []
    if level:
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        bases.append(base)
    else:
        if code_dir is not None:
            bases.append(code_dir)
        bases.append(importer.parent)
    rel = name.replace(".", "/") if name else ""
    for base in bases:
        for path in ((base / f"{rel}.py") if rel else None, base / rel / "__init__.py"):
            if path is not None and path.is_file() and _inside(path, code_dir, importer):
                return path
    return None


def js_module(spec: str, importer: Path, code_dir: Path | None) -> Path | None:
    """The local file for ``require('./lib/db')`` / ``import … from '../x.js'``; None for packages."""
    if not spec.startswith((".", "/")):
        return None
    target = (importer.parent / spec).resolve() if not spec.startswith("/") else Path(spec)
    candidates = [target] if target.suffix.lower() in JS_EXTS else []
    if target.suffix.lower() in (".js", ".mjs", ".cjs", ".jsx"):
        # TypeScript sources import their siblings by the compiled name.
        candidates += [target.with_suffix(ext) for ext in (".ts", ".tsx", ".mts", ".cts")]
    candidates += [Path(f"{target}{ext}") for ext in JS_EXTS]
    candidates += [target / f"index{ext}" for ext in JS_EXTS]
    for path in candidates:
        if path.is_file() and _inside(path, code_dir, importer):
            return path
    return None


def _inside(path: Path, code_dir: Path | None, importer: Path) -> bool:
    base = code_dir if code_dir is not None else importer.parent
    try:
        path.resolve().relative_to(base.resolve())
    except ValueError:
        return False
    return "node_modules" not in path.parts and "site-packages" not in path.parts
