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
