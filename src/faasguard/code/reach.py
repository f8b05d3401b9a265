"""Which functions of a function's files its handler can reach: facts belong to the handler that calls them.

Two handlers often share one file (``create_booking`` and ``list_bookings`` in
``app.py``). The walk from a handler follows the calls it can resolve; what it
cannot resolve (a function stored in a dict, passed to a router, called through
``getattr``) is still walked afterwards with unknown arguments, so that its SDK
calls are not lost. This module decides *which* of those functions belong to
the handler, so that least privilege does not credit ``createBooking`` with the
``dynamodb:Query`` only ``list_bookings`` makes.

The decision is deliberately generous (a missing SDK call would make least
privilege suggest removing a permission the code needs): a unit — a top-level
function, a class with its methods, a module-level name — is reachable when its
name appears anywhere in the text of the handler or of another reachable unit,
strings and comments included. Units the module's own top-level code registers
(a route decorator such as ``@app.get("/items")``, ``app.post("/x", create)``)
are reachable from every handler of that module's files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def identifiers(text: str) -> set[str]:
    return set(IDENTIFIER.findall(text))


@dataclass
class Unit:
    """A named piece of a module: a function, a class (its methods), or a module-level assignment."""

    name: str
    text: str
    nodes: tuple[int, ...] = ()  # ids of the function nodes the unit stands for

    def refs(self) -> frozenset[str]:
        """``identifiers(self.text)``, found once: every function walked through the module asks again."""
        found: frozenset[str] | None = self.__dict__.get("_refs")
        if found is None:
            found = self.__dict__["_refs"] = frozenset(IDENTIFIER.findall(self.text))
        return found


@dataclass
class ModuleUnits:
    """The units of one module and the names its top-level code refers to (always reachable)."""

    units: list[Unit] = field(default_factory=list)
    roots: set[str] = field(default_factory=set)
    lambdas: list[Any] = field(default_factory=list)  # module-level lambdas (Python): walked when reachable
    routes: dict[int, str] = field(default_factory=dict)  # function → the app whose routes call it with request data


def reachable(start: Iterable[str], modules: Iterable[ModuleUnits]) -> set[int]:
    """Ids of the function nodes reachable from the identifiers in ``start`` (a handler's text)."""
    by_name: dict[str, list[Unit]] = {}
    names: set[str] = set(start)
    for mod in modules:
        names |= mod.roots
        for unit in mod.units:
            by_name.setdefault(unit.name, []).append(unit)
    todo = [n for n in names if n in by_name]
    seen_units: set[int] = set()
    out: set[int] = set()
    while todo:
        name = todo.pop()
        for unit in by_name.get(name, ()):
            if id(unit) in seen_units:
                continue
            seen_units.add(id(unit))
            out.update(unit.nodes)
            for ref in unit.refs():
                if ref not in names:
                    names.add(ref)
                    if ref in by_name:
                        todo.append(ref)
    return out
