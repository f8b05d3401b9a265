"""The JSON and SARIF reports are written by orjson, byte for byte what ``json.dumps(indent=2)`` writes."""

from __future__ import annotations

import enum
import json
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faasguard.report.escape import json_document


class Located(str):  # like the loaders' located YAML strings, which reach findings' function names
    line = 3


class Level(enum.IntEnum):
    HIGH = 3


class Score(float):
    pass


DOCUMENTS = [
    {"message": "plain", "line": 3, "end_line": None, "ok": True, "related": [], "extra": {}},
    {"path": "café/naïve.py", "note": "DEL \x7f, C1 \x85, line separator \u2028, emoji 😀, CJK 漢字"},
    {"control": "\x00\x01\x08\t\n\x0b\x0c\r\x1b[2J\x1f", "quotes": "\"'\\", "slash": "a/b"},
    {"numbers": [0, -1, 2**53, 3.142, 0.1, 1e20, 1e-7, -0.0]},
    {"nested": [[[{"a": [[]]}]], {"b": {"c": {}}}]},
    {"undecodable file name": "bad\udce9name.py"},  # a lone surrogate: orjson refuses it
    {"function": Located("Orders"), "severity": Level.HIGH, "score": Score(7.5), "nested": OrderedDict(a=[Score(1e-9)])},
]


@pytest.mark.parametrize("document", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_the_bytes_are_those_of_the_standard_library(document: object) -> None:
    assert json_document(document) == json.dumps(document, indent=2) + "\n"


def test_a_string_that_looks_like_an_exponent_is_left_alone() -> None:
    document = {"a": "1e-7", "b": ["2e+5", 1e-7, {"c": 5e-324, "d\\": 1.5e+300}], "e-1": "x: 1e-7,"}
    assert json_document(document) == json.dumps(document, indent=2) + "\n"


scalars = (
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats() | st.text()
)


def containers(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    # tuples and dict subclasses too, which the fast path hands back to json.dumps when they hold floats
    return (
        st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(), inner, max_size=4)
        | st.dictionaries(st.text(), inner, max_size=3).map(OrderedDict)
    )


documents = st.recursive(scalars, containers, max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_any_document(document: object) -> None:
    assert json_document(document) == json.dumps(document, indent=2) + "\n"


def test_the_fast_path_takes_located_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report whose function names are located YAML strings is still written by orjson."""
    monkeypatch.setattr(json, "dumps", lambda *a, **k: pytest.fail("fell back to json.dumps"))
    assert json_document({"function": Located("Orders"), "line": 3}) == '{\n  "function": "Orders",\n  "line": 3\n}\n'


@pytest.mark.parametrize("text", [
    "plain", "…", "a…b", "……", "café naïve", "漢字😀", "😀", "x\x85y\u2028z", "end é", "é start", "mixed é漢😀…\x7f",
])
def test_non_ascii_characters_are_escaped_as_json_dumps_escapes_them(text: str) -> None:
    from faasguard.report import escape

    raw = json.dumps(text, ensure_ascii=False).encode("utf-8")  # UTF-8 as orjson writes it; DEL is json_document's
    assert escape._ascii_text(raw).replace("\x7f", "\\u007f") == json.dumps(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_any_text_is_made_ascii_as_json_dumps_makes_it(text: str) -> None:
    from faasguard.report import escape

    raw = json.dumps(text, ensure_ascii=False).encode("utf-8")  # UTF-8 as orjson writes it; DEL is json_document's
    assert escape._ascii_text(raw).replace("\x7f", "\\u007f") == json.dumps(text)


def test_characters_across_the_chunks_looked_at_are_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    """escape._ascii_text looks for lead bytes chunk by chunk: a character cut by a chunk's end is escaped whole."""
    from faasguard.report import escape

    texts = ["é…漢😀", "a" * 8191 + "…" + "b" * 8190 + "😀x", "ab\x85" * 5 + "漢" * 7, "😀" * 9, "x" * 20]
    for size in (1, 2, 3, 5, 7, 8192):
        monkeypatch.setattr(escape, "_CHUNK", size)
        for text in texts:
            raw = json.dumps(text, ensure_ascii=False).encode("utf-8")
            assert escape._ascii_text(raw) == json.dumps(text), (size, text[:20])
