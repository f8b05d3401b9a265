"""CDK output: findings name the construct to fix (aws:cdk:path), and joins survive the renaming."""

from __future__ import annotations

import json

from faasguard.loaders.cdk import construct_paths
from tests.conftest import by_rule


def resource(kind: str, path: str | None, **props: object) -> dict[str, object]:
    out: dict[str, object] = {"Type": kind, "Properties": props}
    if path:
        out["Metadata"] = {"aws:cdk:path": path}
    return out


TRUST = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def stack(with_metadata: bool = True) -> str:
    def p(path: str) -> str | None:
        return path if with_metadata else None

    resources = {
        "HandlerServiceRoleFCDC14AE": resource(
            "AWS::IAM::Role", p("Shop/Orders/Handler/ServiceRole/Resource"), AssumeRolePolicyDocument=TRUST
        ),
        "HandlerServiceRoleDefaultPolicyCBD0CC91": resource(
            "AWS::IAM::Policy",
            p("Shop/Orders/Handler/ServiceRole/DefaultPolicy/Resource"),
            PolicyName="p",
            PolicyDocument={"Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]},
            Roles=[{"Ref": "HandlerServiceRoleFCDC14AE"}],
        ),
        "Handler886CB40B": resource(
            "AWS::Lambda::Function",
            p("Shop/Orders/Handler/Resource"),
            Runtime="python3.12",
            Handler="app.handler",
            Code={"S3Bucket": "b", "S3Key": "k"},
            Role={"Fn::GetAtt": ["HandlerServiceRoleFCDC14AE", "Arn"]},
        ),
        "HandlerLogGroup1A2B3C4D": resource(
            "AWS::Logs::LogGroup",
            p("Shop/Orders/Handler/LogGroup/Resource"),
            LogGroupName={"Fn::Join": ["", ["/aws/lambda/", {"Ref": "Handler886CB40B"}]]},
        ),
        "CDKMetadata": resource("AWS::CDK::Metadata", p("Shop/CDKMetadata/Default"), Analytics="v2:deflate64:x"),
    }
    return json.dumps({"Resources": resources}, indent=1)


def test_findings_name_the_construct(scan_files):
    result = scan_files({"cdk.out/Shop.template.json": stack()}, rules={"FG-IAM-001", "FG-MON-002"})
    [app] = result.applications
    assert app.format == "cdk"
    [fn] = app.functions
    assert fn.name == "Shop/Orders/Handler"
    assert fn.role_id == "Shop/Orders/Handler/ServiceRole" and fn.role_id in app.roles
    [group] = app.log_groups
    assert (group.id, group.function) == ("Shop/Orders/Handler/LogGroup", "Shop/Orders/Handler")
    [wildcard] = by_rule(result, "FG-IAM-001")
    assert wildcard.function == "Shop/Orders/Handler"
    assert "Role Shop/Orders/Handler/ServiceRole of function Shop/Orders/Handler" in wildcard.message
    assert "policy Shop/Orders/Handler/ServiceRole/DefaultPolicy" in wildcard.message
    assert wildcard.path == "cdk.out/Shop.template.json" and wildcard.line is not None
    assert by_rule(result, "FG-MON-002")[0].function == "Shop/Orders/Handler"


def test_without_path_metadata_logical_ids_stay(scan_files):
    result = scan_files({"cdk.out/Shop.template.json": stack(with_metadata=False)}, rules={"FG-IAM-001"})
    [fn] = result.applications[0].functions
    assert (fn.name, fn.role_id) == ("Handler886CB40B", "HandlerServiceRoleFCDC14AE")
    assert by_rule(result, "FG-IAM-001")[0].function == "Handler886CB40B"


def test_construct_paths_drop_default_children_and_ambiguity():
    template = {
        "Resources": {
            "A": {"Metadata": {"aws:cdk:path": "S/Fn/Resource"}},
            "B": {"Metadata": {"aws:cdk:path": "S/Meta/Default"}},
            "C": {"Metadata": {"aws:cdk:path": "S/Twin"}},
            "D": {"Metadata": {"aws:cdk:path": "S/Twin/Resource"}},
            "E": {"Metadata": {"aws:cdk:path": "S/L1Bucket"}},
        }
    }
    assert construct_paths(template) == {"A": "S/Fn", "B": "S/Meta", "E": "S/L1Bucket"}


def test_cdk_v2_output_outside_cdk_out_is_recognised(scan_files):
    template = json.loads(stack())
    template["Parameters"] = {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/x"}}
    template["Rules"] = {"CheckBootstrapVersion": {"Assertions": []}}
    result = scan_files({"integ.snapshot-free/Shop.json": json.dumps(template)})
    assert [a.format for a in result.applications] == ["cdk"]


def test_grants_on_a_renamed_bucket_still_name_it(scan_files):
    # bucket.grantReadWrite(handler) writes `${Bucket.Arn}` references into the policy; once the bucket is
    # renamed to its construct path, the references must follow or no function "uses" the bucket.
    template = json.loads(stack())
    resources = template["Resources"]
    bucket_arn = {"Fn::GetAtt": ["UploadsBucket5E5E7C3D", "Arn"]}
    resources["UploadsBucket5E5E7C3D"] = {"Type": "AWS::S3::Bucket", "Metadata": {"aws:cdk:path": "Shop/Uploads/Resource"}}
    resources["UploadsPolicy2F3A4B5C"] = resource(
        "AWS::S3::BucketPolicy",
        "Shop/Uploads/Policy/Resource",
        Bucket={"Ref": "UploadsBucket5E5E7C3D"},
        PolicyDocument={"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                       "Action": "s3:GetObject", "Resource": {"Fn::Join": ["", [bucket_arn, "/*"]]}}]},
    )
    policy = resources["HandlerServiceRoleDefaultPolicyCBD0CC91"]["Properties"]["PolicyDocument"]
    policy["Statement"] = [{"Effect": "Allow", "Action": ["s3:GetObject*", "s3:PutObject"],
                            "Resource": [bucket_arn, {"Fn::Join": ["", [bucket_arn, "/*"]]}]}]
    result = scan_files({"cdk.out/Shop.template.json": json.dumps(template, indent=1)}, rules={"FG-NET-005"})
    [app] = result.applications
    [stmt] = app.roles["Shop/Orders/Handler/ServiceRole"].statements
    assert stmt.resources == ("${Shop/Uploads.Arn}", "${Shop/Uploads.Arn}/*")
    [finding] = by_rule(result, "FG-NET-005")
    assert finding.function == "Shop/Orders/Handler"
    assert "bucket Shop/Uploads does not deny requests without TLS" in finding.message
    assert "used by function Shop/Orders/Handler" in finding.message
