"""The Terraform loader: one module directory of ``.tf`` files → one application.

Terraform treats all ``.tf`` files of a directory as one module and references cross
files, so the loader works per directory inside the per-file :class:`Loader` protocol:
it wants every ``*.tf`` file, and the directory's lexicographically first ``.tf`` file
loads the whole directory while the others return an empty result. Which worker sees
which file does not matter; the outcome is the same. Scanning a single ``.tf`` file
reads its whole module (:meth:`TerraformLoader.unit_entry`).

Files are parsed with tree-sitter-hcl (:mod:`.hcl_tree`) into the dict shape python-hcl2
7.x gave, block line numbers included. Trailing whitespace is stripped from each line
first, as it was for python-hcl2 (which rejected a heredoc whose closing marker is
followed by spaces); line numbers do not change. A file that does not parse is an error entry for that file; the rest of the
module still loads. Provider resources are mapped by :mod:`.aws`,
:mod:`.lambda_module`, :mod:`.azure` and :mod:`.gcp`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from faasguard import cache
from faasguard.loaders import looks
from faasguard.loaders.interface import NO_VARIABLES, LoadResult
from faasguard.loaders.terraform import hcl_tree
from faasguard.loaders.terraform.aws import RULES_TABLE, AwsBuilder
from faasguard.loaders.terraform.azure import build_azure
from faasguard.loaders.terraform.gcp import build_gcp
from faasguard.loaders.terraform.lambda_module import build_lambda_modules
from faasguard.loaders.terraform.module import Module, SourceFile, add_file
from faasguard.loaders.terraform.refs import MAX_TEXT, Scope
from faasguard.model import Application

SUFFIX = ".tf"
MAX_MODULE_BYTES = 20 * 1024 * 1024


class TerraformLoader:
    name = "terraform"

    def wants(self, filename: str) -> bool:
        return filename.endswith(SUFFIX)

    def claims(self, path: Path, text: str) -> bool:
        return True

    def unit_entry(self, path: Path) -> Path:
        """The file that loads the module ``path`` belongs to: a single-file scan reads the module."""
        files = module_files(path.parent)
        return files[0] if files else path

    def load(self, path: Path, text: str, root: Path, variables: Mapping[str, str] = NO_VARIABLES) -> LoadResult:
        files = module_files(path.parent)
        if not files or files[0].name != path.name:
            return LoadResult()  # the directory's first .tf file loads the whole module
        module_rel = _rel(path.parent, root) or "."
        sources: list[tuple[str, str | None, str]] = []  # (file, its text or None, why it was left out)
        total = 0
        for file in files:
            rel = _rel(file, root)
            try:
                source = text if file.name == path.name else file.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                sources.append((rel, None, f"could not be read as UTF-8 text ({exc}); skipped from module {module_rel}"))
                continue
            total += len(source)
            if total > MAX_MODULE_BYTES:
                too_big = f"module {module_rel} is over {MAX_MODULE_BYTES // 2**20} MB of .tf files; rest skipped"
                sources.append((rel, None, too_big))
                break
            sources.append((rel, source, ""))
        # The module's model is a function of its files, its place, the root, the rules table and what
        # it looks at beside it (file(), source_dir, local modules): cached by those (see .looks).
        parts = [str(path.parent), str(root), _rules_digest()]
        parts += [part for rel, source, problem in sources for part in (rel, problem if source is None else "=" + source)]
        key = "".join(f"{len(part)}:{part}" for part in parts)
        return looks.cached("terraform", key, lambda seen: _load_module(path, root, module_rel, sources))


def _load_module(path: Path, root: Path, module_rel: str, sources: list[tuple[str, str | None, str]]) -> LoadResult:
    result = LoadResult()
    module = Module(path.parent, module_rel)
    for rel, source, problem in sources:
        if source is None:
            result.errors.append((rel, problem))
            continue
        lines = [line.rstrip() for line in source.splitlines()]
        parsed, problem = parse_hcl("\n".join(lines) + "\n")
        if parsed is None:
            result.errors.append((rel, problem))
            continue
        add_file(module, SourceFile(rel, lines), parsed)
    module.scope = Scope(module.variables, module.locals, module.directory, root)
    app = Application(root=module.directory, source=module.rel, format="terraform")
    AwsBuilder(module, app).build()
    build_lambda_modules(module, app)
    build_azure(module, app)
    build_gcp(module, app)
    if module.scope.too_large is not None:
        result.warnings.append((module.rel if module.rel != "." else path.name, (
            f"an expression grows over {MAX_TEXT:,} characters once its locals/variables are substituted "
            f"(a reference bomb?): {module.scope.too_large}; left unresolved"
        )))
    if _has_content(module):
        result.applications.append(app)
    return result


@functools.cache
def _rules_digest() -> str:
    """The security-group rules table the AWS builder reads (data, not code: not in the cache's salt)."""
    return hashlib.sha256(RULES_TABLE.read_bytes()).hexdigest()


def module_files(directory: Path) -> list[Path]:
    """The ``.tf`` files of a module directory, in a fixed order."""
    try:
        return sorted((p for p in directory.iterdir() if p.name.lower().endswith(SUFFIX) and p.is_file()), key=lambda p: p.name)
    except OSError:
        return []


def parse_hcl(text: str) -> tuple[dict[str, Any] | None, str]:
    """The file as python-hcl2 7.x gave it, block lines included; ``(None, sentence)`` when not valid HCL (parse cache)."""
    return cache.memo("hcl", text, lambda: _parse_hcl(text))


def _parse_hcl(text: str) -> tuple[dict[str, Any] | None, str]:
    try:
        return hcl_tree.parse(text), ""
    except hcl_tree.HclError as exc:
        if exc.too_deep:
            return None, str(exc)
        where = f" at line {exc.line}" if exc.line else ""
        return None, f"not valid HCL{where} ({exc}); fix the syntax (`terraform validate` shows it) and scan again"


def _has_content(module: Module) -> bool:
    return bool(module.resources or module.data or module.modules)


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
    return "" if rel == "." else rel
