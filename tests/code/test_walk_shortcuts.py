"""Shortcuts of the function walks, each against the plain computation it stands for.

``PyModule.stored_names`` (the names a branch assigns, which an alternative branch must not wash out of taint) is
kept per module; ``trusted_source`` remembers ``trusted_field(field_path(...))``
per source text; ``used_libraries`` is kept per module; a reachability unit keeps the identifiers of its text.
"""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from faasguard.code import libraries, pymodule, reach
from faasguard.code.jsmodule import JsModule
from faasguard.code.pymodule import PyModule, _stored_names, walk
from faasguard.code.reach import identifiers
from faasguard.code.taint_model import field_path, trusted_field, trusted_source
from faasguard.model import Loc

_STORES = '''
a = b = 1
c, (d, *e) = f
g += 1
h: int = 2
for i, j in k:
    pass
with open(p) as l, open(q) as (m, n):
    pass
if (o := 3) and [r for r in s if (t := r)]:
    del u
try:
    pass
except E as v:
    w.x = y["z"] = 4
match aa:
    case [bb, *cc] if (dd := bb):
        ee = 5
lambda ff: (gg := ff)
{hh: ii for hh, ii in jj}
import kk as ll
def mm(nn):
    oo = 6
class pp:
    qq = 7
'''


def _plain(body: list[ast.stmt]) -> set[str]:
    return {n.id for stmt in body for n in walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def test_the_stored_names_are_those_of_the_plain_walk() -> None:
    """Over every statement list of these shapes and of faasguard's own source."""
    sources = [_STORES] + [p.read_text(encoding="utf-8") for p in sorted(Path(pymodule.__file__).parents[1].rglob("*.py"))]
    bodies = 0
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            for name in ("body", "orelse", "finalbody"):
                body = getattr(node, name, None)
                if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                    assert _stored_names(body) == _plain(body), ast.unparse(body[0])[:80]
                    bodies += 1
    assert bodies > 5000
    assert _stored_names(ast.parse(_STORES).body) == {"a", "b", "c", "d", "e", "g", "h", "i", "j", "l", "m", "n", "o", "r", "t",
                                                      "dd", "ee", "gg", "hh", "ii", "oo", "qq"}  # not match captures


def test_a_module_keeps_the_stored_names_of_each_body() -> None:
    module = PyModule.parse(Path("a.py"), "a.py", "if x:\n    a = 1\nelse:\n    b = 2\n")
    branch = module.tree.body[0]  # type: ignore[union-attr]
    assert module.stored_names(branch.body) == {"a"} and module.stored_names(branch.orelse) == {"b"}
    assert module.stored_names(branch.body) is module.stored_names(branch.body)


_PIECES = ["event", "evt", '["requestContext"]', "['requestContext']", ".requestContext", '["accountId"]', ".accountId",
           '["methodArn"]', ".methodArn", "[0]", "[i]", '["Records"]', ".cf", ".config", ".request", ".origin", '["body"]',
           ".stage", ".authorizer", ".claims", "[ ' stage ' ]", "[", "]", '"', ".", "$x", "…", " ", ".ResponseURL"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=7).map("".join))
def test_a_trusted_source_is_a_trusted_field_path(source: str) -> None:
    assert trusted_source(source) == trusted_field(field_path(source))


def test_the_kept_libraries_are_those_found() -> None:
    py = PyModule.parse(Path("a.py"), "a.py", "import os\nimport pynamodb\nfrom awswrangler.s3 import read_csv\n")
    js = JsModule.parse(Path("a.js"), "a.js", 'const x = require("electrodb");\nimport y from "dynamoose";\n', "javascript")
    for module in (py, js):
        found = libraries._used_libraries(module)
        assert libraries.used_libraries(module) == found and libraries.used_libraries(module) is libraries.used_libraries(module)
    assert [use.loc for use in libraries.used_libraries(py)] == [Loc("a.py", 2, 2), Loc("a.py", 3, 3)]


def _plain_reachable(start: set[str], modules: list[reach.ModuleUnits]) -> set[int]:
    """``reach.reachable`` as it was, reading every unit's identifiers afresh."""
    by_name: dict[str, list[reach.Unit]] = {}
    names = set(start)
    for mod in modules:
        names |= mod.roots
        for unit in mod.units:
            by_name.setdefault(unit.name, []).append(unit)
    todo, seen, out = [n for n in names if n in by_name], set(), set()
    while todo:
        for unit in by_name.get(todo.pop(), ()):
            if id(unit) not in seen:
                seen.add(id(unit))
                out.update(unit.nodes)
                for ref in identifiers(unit.text):
                    if ref not in names:
                        names.add(ref)
                        todo += [ref] if ref in by_name else []
    return out


def test_a_unit_keeps_the_identifiers_of_its_text() -> None:
    """``reachable`` reads each unit's identifiers from ``Unit.refs``, found once: they are ``identifiers(text)``, and
    what the first unit of each of faasguard's modules reaches is what it reached reading them afresh."""
    reached = 0
    for path in sorted(Path(pymodule.__file__).parents[1].rglob("*.py")):
        units = PyModule.parse(path, "a.py", path.read_text(encoding="utf-8")).units()
        for unit in units.units:
            assert unit.refs() == identifiers(unit.text) and unit.refs() is unit.refs()
        start = identifiers(units.units[0].text) if units.units else set()
        found = reach.reachable(start, [units])
        assert found == _plain_reachable(start, [units])
        reached += len(found)
    assert reached > 500
