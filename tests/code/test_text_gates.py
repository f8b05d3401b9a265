"""Cheap tests on a file's text that stand for a regex: each must give exactly the regex's answer.

``_sensitive_hint`` decides whether a Python file is walked for named literals (SENSITIVE_HINT under ``(?i)``);
``_answers_authorizer`` whether an entry file builds an authorizer's answer (AUTHORIZER_ANSWER). A gate that said
yes where the regex says no would walk files the scan did not walk; one that said no would drop secrets.
"""

from __future__ import annotations

import ast
import re
import string
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from faasguard.code import pymodule
from faasguard.code.analyzer import AUTHORIZER_ANSWER, _answers_authorizer
from faasguard.code.pymodule import (
    _FOLD_TO_ASCII,
    SENSITIVE_HINT,
    SENSITIVE_WORDS,
    PyModule,
    _hinted_lines,
    _sensitive_hint,
    _target_name,
    _walk_facts,
)

_EVERY_CHARACTER = "".join(chr(code) for code in range(128, sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)


def test_the_fold_table_is_every_character_ignore_case_matches_to_an_ascii_letter() -> None:
    found = {char: letter for letter in string.ascii_lowercase for char in re.findall(f"(?i){letter}", _EVERY_CHARACTER)}
    assert found == _FOLD_TO_ASCII


def test_no_other_character_lowers_to_an_ascii_letter() -> None:
    for char in _EVERY_CHARACTER:
        if char not in _FOLD_TO_ASCII:
            assert not any(c.isascii() and c.isalpha() for c in char.lower()), hex(ord(char))


def test_the_sensitive_words_are_lower_case_ascii_letters() -> None:
    assert all(word.isascii() and word.isalpha() and word.islower() for word in SENSITIVE_WORDS)


_PIECES = [*SENSITIVE_WORDS, "PASS", "Token", "\u017fecret", "\u212aey", "\u0130", "\u0131", "s\u0131g", "AUT\u0130H", "x",
           "_", " ", "\n", "\u00e9", "\u00df", "\u1e9e", "\u2126", "\ufb01"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), max_size=8).map("".join))
def test_the_sensitive_hint_is_the_case_insensitive_regex(text: str) -> None:
    assert _sensitive_hint(text) == bool(SENSITIVE_HINT.search(text))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["policyDocument", "isAuthorized", "'", '"', "]", " ", "\n", ":", "=", "x", "policy",
                                 "Document", "is"]), max_size=8).map("".join))
def test_the_authorizer_answer_gate_is_the_regex(text: str) -> None:
    module = PyModule(Path("a.py"), "a.py", None, text=text)
    assert _answers_authorizer(module) == (AUTHORIZER_ANSWER.search(text) is not None)


def _reference_facts(tree: ast.AST, want_prints: bool, want_literals: bool) -> tuple[list, list]:
    """What ``_walk_facts`` finds, written plainly over :func:`ast.walk` (the same breadth-first order)."""
    prints, literals = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if want_prints and isinstance(node.func, ast.Name) and node.func.id == "print":
                prints.append(node.lineno)
            if want_literals:
                literals += [(kw.arg, kw.value.value, kw.value.lineno) for kw in node.keywords
                             if kw.arg and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)]
        elif not want_literals:
            continue
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if name := _target_name(target):
                    literals.append((name, node.value.value, node.value.lineno))
        elif isinstance(node, ast.Dict):
            literals += [(k.value, v.value, v.lineno) for k, v in zip(node.keys, node.values, strict=True)
                         if isinstance(k, ast.Constant) and isinstance(k.value, str)
                         and isinstance(v, ast.Constant) and isinstance(v.value, str)]
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Name | ast.Attribute) and len(node.comparators) == 1:
            other = node.comparators[0]
            if (name := _target_name(node.left)) and isinstance(other, ast.Constant) and isinstance(other.value, str):
                literals.append((name, other.value, other.lineno))
    return prints, literals


_SHAPES = '''
password = "a"
cfg: dict = {"token": "b", 1: "x", **extra}
connect(user="u", password="c", port=1)
if secret == "d" or self.key != "e":
    print("f", sep="g")
config["api_key"] = db.pwd = "h"
def f(x={"salt": "i"}, *, y=call(k="j")):
    return [z for z in range(3) if z.hmac == "k"]
'''


def test_the_fact_walk_finds_what_a_plain_walk_finds() -> None:
    """``_walk_facts`` is a hand-written breadth-first walk: over these shapes and faasguard's own source, it finds
    the same print calls and literals, in the same order, as the plain walk above."""
    sources = [_SHAPES] + [p.read_text(encoding="utf-8") for p in sorted(Path(pymodule.__file__).parents[1].rglob("*.py"))]
    for source in sources:
        tree = ast.parse(source)
        for wants in ((True, True), (True, False), (False, True)):
            prints, literals = _walk_facts(tree, *wants, lambda node: node.lineno)
            assert (prints, literals) == _reference_facts(tree, *wants)
    assert len(_walk_facts(ast.parse(_SHAPES), True, True, lambda node: node.lineno)[1]) == 12


# Statements the line hints must not leave out: a decorator's literal above a def whose lines hold no quote, a print
# written with characters Python normalises to "print", every line ending Python knows, form feeds (not a line end
# for Python, one for str.splitlines), statements after ";", continuation lines and strings over several lines.
_HINT_SHAPES = [
    '@deco(token="a")\ndef f():\n    return 1\n\n@app.route(path="/x")\nclass C:\n    pass\n',
    "def f(x):\n    \uff50\uff52\uff49\uff4e\uff54(x)\n    return x\n",
    'a = 1\r\nif a:\r    b = 2\r\n    password = "b"\rprint(a)\n',
    'x = 1\ry = 2\rz = 3\nkey = "n"\nv = 1\nu = 2\n\n\n\n',
    'a = 1\x0c\nif a:\n    b = 2\x0c\x0c\n    secret = "c"\n\x0cprint(b)\n',
    'x = 1; key = "d"; print(x)\nif x: y = 2\nz = \\\n    "e"\ntoken = """f\ng\nh"""\nw = (1,\n     print)\n',
    'for i in range(3):\n    pass\nelse:\n    pwd = "i"\ntry:\n    pass\nexcept E:\n    auth = "j"\nfinally:\n    print(2)\n',
    'while x:\n    with open(p) as f:\n        sig = f"{x!r}"\nmatch x:\n    case 1:\n        salt = "k"\n',
    'async def f():\n    async with a as b:\n        async for c in d:\n            hmac = "l"\n    print(f"{print(1)}")\n',
]


def test_the_line_hints_leave_out_only_what_holds_no_fact() -> None:
    """With the line hints, ``_walk_facts`` finds what the plain walk finds, over shapes where a statement's lines do
    not tell the whole story and faasguard's own source (fails when a decorated statement, a name written in other
    characters or a line ending is mishandled)."""
    sources = _HINT_SHAPES + [_SHAPES] + [p.read_text(encoding="utf-8")
                                          for p in sorted(Path(pymodule.__file__).parents[1].rglob("*.py"))]
    pruned = 0
    for source in sources:
        tree = ast.parse(source)
        for wants in ((True, True), (True, False), (False, True)):
            hints = _hinted_lines(tree, source, *wants)
            assert _walk_facts(tree, *wants, lambda node: node.lineno, hints) == _reference_facts(tree, *wants), source[:80]
            pruned += hints is not None and hints[-1] < len(hints) - 1
    assert pruned > 100  # most files have lines the walk can leave out
    assert _hinted_lines(ast.parse(_HINT_SHAPES[1]), _HINT_SHAPES[1], True, False) is None


def test_a_module_walks_with_the_line_hints() -> None:
    source = 'import os\n\n@deco(token="a")\ndef f():\n    return 1\n\ndef g(x):\n    print(x)\n    y = x + 1\n'
    module = PyModule.parse(Path("a.py"), "a.py", source)
    assert list(module.string_literals()) == [("token", "a", 3)]
    assert [loc.line for loc in module.print_calls()] == [8]


# Session signing keys in every shape signing_key_literals reads, some in statements the quote hints keep only through
# their decorators or an inner line, beside statements without any literal.
_SIGNING_SHAPES = [
    'app.secret_key = "s3cr3t-value-1234"\nx = 1\n',
    'def make():\n    y = 2\n    app.config["SECRET_KEY"] = b"raw-bytes-key-123"\n    return y\n',
    'class ProdConfig:\n    debug = False\n    SECRET_KEY = "c0nf1g-class-key"\n',
    'if True:\n    z = 3\nelse:\n    SECRET_KEY = "else-branch-key"\n',
    'app.config.update(SECRET_KEY="upd4te-key-value", DEBUG=False)\napp.config.from_mapping({"JWT_SECRET_KEY": "m4p"})\n',
    '@app.route(\n    "/x")\ndef view():\n    return 1\n\n\n@deco\ndef other():\n'
    '    app.secret_key = (\n        "multi-line-key")\n',
    'class C:\n    @staticmethod\n    def f():\n        return 1\n\n'
    '    def g(self):\n        self.app.secret_key = "in-a-method"\n',
    'app.config.setdefault("WTF_CSRF_SECRET_KEY", dict(a=1))\nx = app.config.update(dict(SECRET_KEY="via-dict-call"))\n',
    '@register(app.config.update(SECRET_KEY="in-a-decorator"))\ndef f():\n    return 1\n',
]


def test_signing_keys_found_with_the_quote_hints_are_those_of_the_whole_walk() -> None:
    """``signing_key_literals`` with a module's quote hints leaves out statements without a literal: it finds the keys
    the whole walk finds, in the same order, over these shapes and faasguard's own source."""
    from faasguard.code.webapps import signing_key_literals

    sources = _SIGNING_SHAPES + _HINT_SHAPES + [_SHAPES] + [
        p.read_text(encoding="utf-8") for p in sorted(Path(pymodule.__file__).parents[1].rglob("*.py"))]
    found = pruned = 0
    for source in sources:
        module = PyModule.parse(Path("a.py"), "a.py", source)
        hints = module.quote_lines()
        assert signing_key_literals(module.tree, hints) == signing_key_literals(module.tree), source[:80]
        found += len(signing_key_literals(module.tree))
        pruned += hints is not None and hints[-1] < len(hints) - 1
    assert found >= 10 and pruned > 40


def test_the_quote_hints_are_those_of_the_literal_walk_when_it_ran() -> None:
    source = 'import os\n\n\ndef f(token):\n    print(token)\n    return os.environ["KEY"]\n'
    walked, fresh = PyModule.parse(Path("a.py"), "a.py", source), PyModule.parse(Path("a.py"), "a.py", source)
    list(walked.string_literals())  # the literal walk keeps its hints (quotes and print)
    assert fresh.quote_lines() == [0, 0, 0, 0, 0, 0, 1, 1]
    assert walked.quote_lines() == [0, 0, 0, 0, 0, 1, 2, 2]
    assert sorted(quote_walk_nodes(walked)) == sorted([*quote_walk_nodes(fresh), "Expr", "Call", "Name", "Name"])


def quote_walk_nodes(module: PyModule) -> list[str]:
    hints = module.quote_lines()
    assert hints is not None and module.tree is not None
    return [type(n).__name__ for n in pymodule.walk(module.tree, hints)]


def test_the_session_words_gate_every_session_module() -> None:
    """``js_signing_key_facts`` skips files without "session" or "cookie": every module it knows names one."""
    from faasguard.code.webapps import JS_SESSION_MODULES, JS_SESSION_WORDS

    assert all(any(word.decode() in module for word in JS_SESSION_WORDS) for module in JS_SESSION_MODULES)
