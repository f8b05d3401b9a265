"""Finding.of builds the same finding as the dataclass's own constructor, and refuses what it would refuse."""

from __future__ import annotations

import dataclasses

import pytest

from faasguard.findings import Finding, Related, Severity

BASE = dict(
    rule_id="FG-IAM-001", category="iam", severity=Severity.HIGH, title="t", message="m", path="a.yaml", line=3,
    end_line=4, resource="Role", function="fn", remediation="r",
)  # fmt: skip


def test_of_with_the_defaults_left_out_is_the_constructor():
    made = Finding.of(**BASE)
    assert made == Finding(**BASE) and made.__dict__ == Finding(**BASE).__dict__
    assert made.functions == () and made.fingerprints == () and made.key == "" and made.source == ""


def test_of_with_every_field_is_the_constructor_and_keeps_no_link_to_the_caller():
    every = {f.name: getattr(Finding(**BASE), f.name) for f in dataclasses.fields(Finding)}
    every.update(related=(Related("b.py", 1, "n"),), fingerprint="f", key="k", source="s", functions=("a",))
    made = Finding.of(**every)
    assert made.__dict__ == Finding(**every).__dict__
    every["message"] = "changed"
    assert made.message == "m"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.message = "x"  # type: ignore[misc]


@pytest.mark.parametrize("bad", [{"nope": 1}, {"rule_id": None}])
def test_of_refuses_unknown_or_missing_fields(bad):
    values = dict(BASE)
    if "nope" in bad:
        values.update(bad)
    else:
        del values["rule_id"]
    with pytest.raises(TypeError):
        Finding.of(**values)
    swapped = {f.name: getattr(Finding(**BASE), f.name) for f in dataclasses.fields(Finding)}
    del swapped["source"]
    with pytest.raises(TypeError):
        Finding.of(**swapped, unknown=1)  # as many fields as a finding has, one of them unknown


def test_the_registry_adopts_a_dict_of_every_field_and_nothing_else(tmp_path):
    from faasguard.registry import all_rules
    from faasguard.scan import load_file

    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {Handler: app.handler, Runtime: python3.8, CodeUri: src/}\n"
    )
    app = load_file(tmp_path / "template.yaml", tmp_path).applications[0]
    found = [f for r in all_rules() for f in r.run(app, "template.yaml")]
    assert {f.rule_id for f in found} >= {"FG-SUP-001", "FG-MON-001"}
    for made in found:
        assert made.__dict__.keys() == {f.name for f in dataclasses.fields(Finding)}
        assert made == Finding(**made.__dict__) and made.__dict__ == Finding(**made.__dict__).__dict__
