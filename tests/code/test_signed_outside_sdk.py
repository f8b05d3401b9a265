"""The role used outside a recorded SDK request (data/taint/shared.toml [signed_outside_sdk]).

A pre-signed URL is checked against the role's permissions when someone uses it; credentials
taken out of the SDK sign requests the engine does not see. Either way the code's needs are
unknown, so least privilege must not call the role's grants unused: FG-IAM-043/030 stay quiet and
FG-IAM-034 says why. Every row of the table is exercised.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.conftest import by_rule

ROWS = tomllib.loads(
    (Path(__file__).resolve().parents[2] / "src" / "faasguard" / "data" / "taint" / "shared.toml").read_text()
)["signed_outside_sdk"]

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: RUNTIME
      Handler: HANDLER
      CodeUri: src/
      Policies:
        - AdministratorAccess
"""

PY_CALLABLE = {
    "opensearchpy.AWSV4SignerAuth": "from opensearchpy import AWSV4SignerAuth\nauth = AWSV4SignerAuth(creds, 'us-east-1')",
    "opensearchpy.helpers.signer.AWSV4SignerAuth": (
        "from opensearchpy.helpers.signer import AWSV4SignerAuth\nauth = AWSV4SignerAuth(creds, 'us-east-1')"
    ),
    "requests_aws4auth.AWS4Auth": "from requests_aws4auth import AWS4Auth\nauth = AWS4Auth('k', 's', 'us-east-1', 'es')",
    "botocore.auth.SigV4Auth": "from botocore.auth import SigV4Auth\nauth = SigV4Auth(creds, 'execute-api', 'us-east-1')",
    "aws_requests_auth.boto_utils.BotoAWSRequestsAuth": (
        "from aws_requests_auth.boto_utils import BotoAWSRequestsAuth\n"
        "auth = BotoAWSRequestsAuth(aws_host='h', aws_region='us-east-1', aws_service='es')"
    ),
}
JS_CALLABLE = {
    "@aws-sdk/s3-request-presigner.getSignedUrl": (
        'import { getSignedUrl } from "@aws-sdk/s3-request-presigner";\n'
        'import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";\n'
        "const client = new S3Client({});\n"
        'const made = getSignedUrl(client, new GetObjectCommand({ Bucket: "b", Key: "k" }));'
    ),
    "@aws-sdk/s3-presigned-post.createPresignedPost": (
        'import { createPresignedPost } from "@aws-sdk/s3-presigned-post";\n'
        'import { S3Client } from "@aws-sdk/client-s3";\n'
        'const made = createPresignedPost(new S3Client({}), { Bucket: "b", Key: "k" });'
    ),
    "aws4.sign": 'import aws4 from "aws4";\nconst made = aws4.sign({ host: "h", path: "/" });',
    "@aws-sdk/signature-v4.SignatureV4": (
        'import { SignatureV4 } from "@aws-sdk/signature-v4";\nconst made = new SignatureV4({ service: "es" });'
    ),
    "@smithy/signature-v4.SignatureV4": (
        'import { SignatureV4 } from "@smithy/signature-v4";\nconst made = new SignatureV4({ service: "es" });'
    ),
}
PY_METHOD = "import boto3\nclient = boto3.client('s3')\nmade = client.METHOD('get_object', Params={})"
JS_METHOD = 'import AWS from "aws-sdk";\nconst s3 = new AWS.S3();\nconst made = s3.METHOD("getObject", {});'
PY_SESSION = "import boto3\ncreds = boto3.Session().METHOD()"


def _cases() -> list[tuple[str, str, str]]:
    cases = [("python", name, PY_CALLABLE[name]) for name in ROWS["python"]]
    cases += [("javascript", name, JS_CALLABLE[name]) for name in ROWS["javascript"]]
    cases += [("python", f"client.{m}", PY_METHOD.replace("METHOD", m)) for m in ROWS["client_methods"]]
    cases += [("javascript", f"client.{m}", JS_METHOD.replace("METHOD", m)) for m in ROWS["client_methods"]]
    cases += [("python", f"Session.{m}", PY_SESSION.replace("METHOD", m)) for m in ROWS["session_methods"]]
    return cases


def _scan(scan_files, language: str, prelude: str):
    if language == "python":
        code = prelude + "\n\n\ndef handler(event, context):\n    return {'statusCode': 200}\n"
        files = {"src/app.py": code, "template.yaml": TEMPLATE.replace("RUNTIME", "python3.12").replace("HANDLER", "app.handler")}
    else:
        code = prelude + "\n\nexport const handler = async () => ({ statusCode: 200 });\n"
        files = {"src/index.mjs": code,
                 "template.yaml": TEMPLATE.replace("RUNTIME", "nodejs20.x").replace("HANDLER", "index.handler")}
    return scan_files(files, rules={"FG-IAM-030", "FG-IAM-034", "FG-IAM-043"})


def test_every_row_is_listed_here():
    assert set(ROWS["python"]) == set(PY_CALLABLE) and set(ROWS["javascript"]) == set(JS_CALLABLE)


@pytest.mark.parametrize(("language", "name", "prelude"), _cases(), ids=[c[1] + ":" + c[0] for c in _cases()])
def test_signing_outside_the_sdk_makes_no_unused_claim(scan_files, language, name, prelude):
    result = _scan(scan_files, language, prelude)
    assert by_rule(result, "FG-IAM-043") == [] and by_rule(result, "FG-IAM-030") == []
    [note] = by_rule(result, "FG-IAM-034")
    assert note.severity.name == "INFO" and "signs a request outside a recorded SDK call" in note.message


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_without_the_signing_call_the_unused_power_is_reported(scan_files, language):
    result = _scan(scan_files, language, "import boto3" if language == "python" else 'import fs from "fs";')
    assert by_rule(result, "FG-IAM-043"), "control: an administrator role for code that makes no AWS call"
