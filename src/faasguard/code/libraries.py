"""Libraries that call AWS on the code's behalf (``data/aws_libraries.toml``).

The engine follows the SDK calls a handler makes itself. A DynamoDB ORM saving a
model, or a helper fetching an SSM parameter, makes calls of its own that the engine
does not see; a function importing one has an incomplete least-privilege analysis.
This module matches the imports the parsed file lists (``PyModule.imports``,
``JsModule.imports``) against the rows of the table.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from faasguard.code.facts import LibraryUse
from faasguard.code.jsmodule import JsModule
from faasguard.code.pymodule import PyModule
from faasguard.model import Loc


@dataclass(frozen=True)
class Library:
    language: str  # python | javascript (TypeScript files use the javascript rows)
    name: str  # Python module or npm package; the row matches it and everything under it
    calls: str  # what it calls, for the message

    def matches(self, imported: str) -> bool:
        sep = "." if self.language == "python" else "/"
        return imported == self.name or imported.startswith(self.name + sep)


@cache
def libraries() -> tuple[Library, ...]:
    text = resources.files("faasguard").joinpath("data/aws_libraries.toml").read_text(encoding="utf-8")
    return tuple(Library(row["language"], row["name"], row["calls"]) for row in tomllib.loads(text)["library"])


def _rows(language: str) -> tuple[Library, ...]:
    return tuple(lib for lib in libraries() if lib.language == language)


def used_libraries(mod: PyModule | JsModule) -> tuple[LibraryUse, ...]:
    """The imports of ``mod`` that name a library of the table, in line order (once per module: every function that
    reads the file asks)."""
    found: tuple[LibraryUse, ...] | None = mod.__dict__.get("_libraries")
    if found is None:
        found = mod.__dict__["_libraries"] = _used_libraries(mod)
    return found


def _used_libraries(mod: PyModule | JsModule) -> tuple[LibraryUse, ...]:
    if isinstance(mod, PyModule):
        rows = _rows("python")
        mentioned = any(lib.name.split(".")[0] in mod.text for lib in rows)
    else:
        rows = _rows("javascript")
        mentioned = any(lib.name.encode() in mod.source for lib in rows)
    if not mentioned:  # most files import none of them: no walk
        return ()
    found: dict[str, LibraryUse] = {}
    for name, line in mod.imports():
        lib = next((lib for lib in rows if lib.matches(name)), None)
        if lib is not None and lib.name not in found:
            found[lib.name] = LibraryUse(lib.name, lib.calls, Loc(mod.rel, line, line))
    return tuple(sorted(found.values(), key=lambda use: use.loc.line or 0))
