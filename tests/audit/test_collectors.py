"""Collectors on recorded responses, for what moto does not produce."""

from __future__ import annotations

from botocore.stub import Stubber

from faasguard.loaders.aws_live.collect import AccountCollector, Options, Snapshot
from faasguard.loaders.aws_live.session import Caller, Problems
from tests.audit.conftest import ACCOUNT, REGION

ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:billing"


def test_environment_lambda_could_not_decrypt_is_an_error_not_silence() -> None:
    # moto always returns the variables; AWS returns Environment.Error when the function's
    # customer KMS key does not let the caller decrypt them.
    import boto3

    lam = boto3.client("lambda", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x",
                       endpoint_url="http://127.0.0.1:9")
    stub = Stubber(lam)
    stub.add_response("list_functions", {"Functions": [{
        "FunctionName": "billing", "FunctionArn": ARN, "Runtime": "python3.12", "Role": f"arn:aws:iam::{ACCOUNT}:role/b",
        "Environment": {"Error": {"ErrorCode": "AccessDeniedException", "Message": "Lambda was unable to decrypt the "
                                  "environment variables because KMS access was denied."}},
    }]}, {})
    stub.activate()
    snap = Snapshot(ACCOUNT, REGION, problems=Problems())
    caller = Caller(None, REGION, snap.problems, clients={"lambda": lam})
    collector = AccountCollector({REGION: caller}, {REGION: snap}, Options(last_accessed_days=None))
    follow_ups = collector.functions(caller, snap)
    assert follow_ups  # the per-function collectors still run
    assert [(p, m.split(",")[0]) for p, m in snap.problems.errors] == [
        (ARN, "its environment variables could not be read (AccessDeniedException: Lambda was unable to decrypt the "
              "environment variables because KMS access was denied.)")
    ]
