"""The scanners of python-hcl2's ``${…}`` text (:mod:`faasguard.loaders.terraform.refs`) against the plain reading.

``pieces``, ``_skip_string`` and ``_skip_interpolation`` jump from one character that matters to the next with a
regular expression, and ``target`` asks whether a value names a resource before it finds where its ``${`` ends.
Each must answer exactly as the character-by-character reading written out below (the code they replaced), on
generated texts full of quotes, escapes, braces, ``$${`` and ``${``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from faasguard.loaders.terraform import refs
from faasguard.loaders.terraform.refs import address_in, pieces, single_expression, target


def plain_skip_string(s: str, i: int) -> int:
    i += 1
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if s.startswith("${", i):
            i = plain_skip_interpolation(s, i)
            continue
        i += 1
    return len(s)


def plain_skip_interpolation(s: str, i: int) -> int:
    depth = 0
    i += 1
    while i < len(s):
        c = s[i]
        if c == '"':
            i = plain_skip_string(s, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(s)


def plain_pieces(s: str) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    i, start = 0, 0
    while i < len(s):
        if s.startswith("$${", i):
            i += 3
            continue
        if s.startswith("${", i):
            if i > start:
                out.append((False, s[start:i]))
            end = plain_skip_interpolation(s, i)
            out.append((True, s[i + 2 : end - 1]))
            i = start = end
            continue
        i += 1
    if start < len(s):
        out.append((False, s[start:]))
    return out


def plain_target(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    parts = plain_pieces(value) if value.startswith("${") else []
    if len(parts) != 1 or not parts[0][0]:
        return None
    return address_in(parts[0][1].strip())


TOKENS = ["${", "$${", "$", "{", "}", '"', "\\", '\\"', "\\\\", " ", "a", "x.y", ",", ":", "\n",
          "aws_iam_role.r.arn", "data.archive_file.z.output_path", "module.m.out", "var.v", "tolist(", ")", "[0]", "é"]
texts = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(texts)
def test_the_scanners_stop_where_the_plain_reading_stops(s: str) -> None:
    assert pieces(s) == plain_pieces(s)
    for i, c in enumerate(s):
        if c == '"':
            assert refs._skip_string(s, i) == plain_skip_string(s, i)
        if s.startswith("${", i):
            assert refs._skip_interpolation(s, i) == plain_skip_interpolation(s, i)


@settings(max_examples=3000, deadline=None)
@given(texts)
def test_target_names_what_the_single_expression_names(s: str) -> None:
    for value in (s, "${" + s, "${" + s + "}", "${ " + s + " }"):
        assert target(value) == plain_target(value)
    assert single_expression("${" + s + "}") == (plain_pieces("${" + s + "}")[0][1].strip()
                                                 if len(plain_pieces("${" + s + "}")) == 1 else None)


def test_examples() -> None:
    assert pieces('a${b}c$${d}${e("}")}') == [(False, "a"), (True, "b"), (False, "c$${d}"), (True, 'e("}")')]
    assert target('${jsonencode({"Resource": "${aws_s3_bucket.b.arn}"})}') is None
    assert target("${aws_iam_role.r.arn}") == "aws_iam_role.r" and target("${aws_iam_role.r.arn}x") is None
    assert target("${aws_iam_role.r.arn}${var.x}") is None and target("${tolist(module.m.ids)}") == "module.m"
