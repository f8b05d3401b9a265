import pytest

from faasguard.loaders.located_yaml import LoadFailure, loads


def test_short_tags_become_long_form_with_lines():
    doc = loads(
        "A: !GetAtt Role.Arn\n"
        "B: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'\n"
        "C: !If [IsProd, !Ref Prod, !Ref AWS::NoValue]\n"
        "D:\n"
        "  Version: 2012-10-17\n"
        "  Port: 22\n"
        "  Enabled: yes\n"
    )
    assert doc["A"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert doc["B"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"}
    assert doc["C"]["Fn::If"][1] == {"Ref": "Prod"}
    assert doc["D"]["Version"] == "2012-10-17"  # a YAML 1.1 date stays text
    assert doc["D"]["Port"] == 22 and doc["D"]["Enabled"] is True
    assert doc.line_of("C") == 3
    assert doc["D"].line_of("Port") == 6
    assert doc["B"]["Fn::Sub"].line == 2  # scalars inside tags keep their line


def test_duplicate_keys_keep_the_last_value():
    assert loads("a: 1\na: 2\n") == {"a": 2}


def test_json_documents_load_with_lines():
    doc = loads('{\n  "Resources": {\n    "Fn": {"Type": "AWS::Lambda::Function"}\n  }\n}\n')
    assert doc["Resources"].line_of("Fn") == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: b: c\n", "line 1"),
        ('{"a": [1, 2\n', "line 2"),
        ("a: &a [*a]\n", "alias bomb"),
        ("[" * 5000 + "]" * 5000, "nest"),
    ],
)
def test_unloadable_documents_raise_a_sentence(text, message):
    with pytest.raises(LoadFailure, match=message):
        loads(text)


def test_billion_laughs_is_refused_quickly():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(LoadFailure, match="alias bomb"):
        loads("\n".join(lines))


# -- JSON documents are read from their tokens, exactly as YAML reads them --------------------------

import json  # noqa: E402

import yaml  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from faasguard.loaders import located_yaml  # noqa: E402


def _shape(value):
    """Every value with its type and every line the loaders can ask for."""
    if isinstance(value, located_yaml.LDict):
        return (
            "map",
            value.line,
            value.end_line,
            sorted(value.key_lines.items()),
            [(_shape(k), _shape(v)) for k, v in value.items()],
        )
    if isinstance(value, located_yaml.LList):
        return ("seq", value.line, value.end_line, value.item_lines, [_shape(v) for v in value])
    if isinstance(value, located_yaml.LStr):
        return ("str", str(value), value.line, value.end_line)
    return (type(value).__name__, value)


def _through_yaml(text):
    """The document as libyaml composes it and the builder builds it (the path JSON skips)."""
    try:
        return _shape(located_yaml._Builder().build(yaml.compose(text, Loader=located_yaml._Loader)))
    except (yaml.YAMLError, located_yaml.LoadFailure):
        return ("refused",)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8"), max_size=12)
    | st.sampled_from(["", "1e5", "2012-10-17", "yes", "<<", "a\\u00e9", "\r\n", "~", "0777", "#x", "'q'"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6) | _SCALARS.map(str), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(st.text(max_size=6), _VALUES, max_size=5),
    st.sampled_from([None, 0, 1, 2, "\t", " \r\n "]),
    st.booleans(),
    st.sampled_from([(", ", ": "), (",", ":"), (" ,\n", " :\r\n  ")]),
)
def test_json_reads_as_yaml_reads_it(document, indent, ascii_only, separators):
    text = json.dumps(document, indent=indent, ensure_ascii=ascii_only, separators=separators)
    fast = located_yaml._loads_json(text)
    if fast is not located_yaml._NOT_JSON:
        assert _shape(fast) == _through_yaml(text)
    else:  # left to YAML: loads() gives what it gives
        assert _parsed(text) == _through_yaml(text)


def _parsed(text):
    try:
        return _shape(located_yaml.parse(text))
    except located_yaml.LoadFailure:
        return ("refused",)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "\\ud83d\\ude00"}',  # an escaped surrogate pair: YAML refuses it
        '{"a":\r "b"}',  # a lone carriage return is a line break to YAML
        '{"a": "x\u2028y"}',  # a line separator inside a string: YAML folds it
        '{"a": "\x7f"}',  # DEL: JSON takes it, YAML does not print it
        '{"' + "k" * 1100 + '": 1}',  # YAML refuses a flow key over 1024 characters
        '{"a": 1} trailing',  # not JSON
        "{a: 1}",  # YAML flow, not JSON
        '{"a": ' * 300 + "1" + "}" * 300,  # deeper than the JSON path goes
    ],
)
def test_what_json_cannot_promise_is_left_to_yaml(text):
    assert located_yaml._loads_json(text) is located_yaml._NOT_JSON
    assert _parsed(text) == _through_yaml(text) or _parsed(text)[0] == "refused"


def test_a_cdk_style_template_takes_the_json_path_with_its_lines():
    text = json.dumps(
        {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Timeout": 30, "Layers": ["a", {"Ref": "L"}]}}}},
        indent=1,
    )
    doc = located_yaml._loads_json(text)
    assert doc is not located_yaml._NOT_JSON
    props = doc["Resources"]["Fn"]["Properties"]
    assert (props.line, props.line_of("Layers"), props["Layers"].item_lines, props["Layers"].end_line) == (5, 7, [8, 9], 12)
    assert props["Timeout"] == 30 and props["Layers"][0].line == 8
    assert _shape(doc) == _through_yaml(text)
