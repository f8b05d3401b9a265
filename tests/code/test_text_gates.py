"""Cheap tests on a file's text that stand for a regex: each must give exactly the regex's answer.

``_sensitive_hint`` decides whether a Python file is walked for named literals (SENSITIVE_HINT under ``(?i)``);
``_answers_authorizer`` whether an entry file builds an authorizer's answer (AUTHORIZER_ANSWER). A gate that said
yes where the regex says no would walk files the scan did not walk; one that said no would drop secrets.
"""

from __future__ import annotations

import re
import string
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from faasguard.code.analyzer import AUTHORIZER_ANSWER, _answers_authorizer
from faasguard.code.pymodule import _FOLD_TO_ASCII, SENSITIVE_HINT, SENSITIVE_WORDS, PyModule, _sensitive_hint

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
