"""SDK calls through a client built with credentials of its own are marked (they do not act as the execution role)."""

import json

from faasguard.cli import main
from faasguard.code.facts import CodeFacts
from tests.code.conftest import template

PY = template(("Sync", "python3.12", "src/", "app.handler"))
JS = template(("Sync", "nodejs20.x", "src/", "index.handler"))

PY_CODE = '''
import boto3

own = boto3.client("s3")


def handler(event, context):
    own.get_object(Bucket="mine", Key="a")
    sts = boto3.client("sts")
    creds = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/partner", RoleSessionName="sync")["Credentials"]
    partner = boto3.client("s3", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
    partner.put_object(Bucket="theirs", Key="a", Body=b"")
    session = boto3.Session(aws_access_key_id="AKIA", aws_secret_access_key="x")
    session.resource("dynamodb").Table("audit").put_item(Item={})
    keys = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"]}
    boto3.client("sqs", **keys).send_message(QueueUrl="q", MessageBody="m")
    plain = boto3.Session()
    plain.client("sns").publish(TopicArn="t", Message="m")
'''

JS_CODE = '''
const { S3Client, GetObjectCommand, PutObjectCommand } = require("@aws-sdk/client-s3");
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand } = require("@aws-sdk/lib-dynamodb");
const { fromTemporaryCredentials } = require("@aws-sdk/credential-providers");
const AWS = require("aws-sdk");

const own = new S3Client({});

exports.handler = async (event) => {
  await own.send(new GetObjectCommand({ Bucket: "mine", Key: "a" }));
  const partner = new S3Client({ credentials: fromTemporaryCredentials({ params: { RoleArn: "arn:aws:iam::1:role/p" } }) });
  await partner.send(new PutObjectCommand({ Bucket: "theirs", Key: "a", Body: "" }));
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ credentials: { accessKeyId: "a", secretAccessKey: "b" } }));
  await doc.send(new PutCommand({ TableName: "audit", Item: {} }));
  const sqs = new AWS.SQS({ accessKeyId: "a", secretAccessKey: "b" });
  await sqs.sendMessage({ QueueUrl: "q", MessageBody: "m" }).promise();
  return {};
};
'''


def facts_of(result) -> CodeFacts:
    return next(app.code["Sync"] for app in result.applications if "Sync" in app.code)


def test_boto3_clients_with_their_own_credentials(scan_files):
    facts = facts_of(scan_files({"template.yaml": PY, "src/app.py": PY_CODE}))
    assert [(c.service, c.operation, c.loc.line, c.explicit_credentials) for c in facts.sdk_calls] == [
        ("s3", "GetObject", 7, False),
        ("sts", "AssumeRole", 9, False),
        ("s3", "PutObject", 12, True),
        ("dynamodb", "PutItem", 14, True),
        ("sqs", "SendMessage", 16, True),
        ("sns", "Publish", 18, False),
    ]


def test_js_sdk_clients_with_credentials(scan_files):
    facts = facts_of(scan_files({"template.yaml": JS, "src/index.js": JS_CODE}))
    assert [(c.service, c.operation, c.loc.line, c.explicit_credentials) for c in facts.sdk_calls] == [
        ("s3", "GetObject", 10, False),
        ("s3", "PutObject", 12, True),
        ("dynamodb", "PutItem", 14, True),
        ("sqs", "SendMessage", 16, True),
    ]


def test_show_facts_lists_explicit_credentials(tmp_path, capsys):
    (tmp_path / "src").mkdir()
    (tmp_path / "template.yaml").write_text(PY)
    (tmp_path / "src" / "app.py").write_text(PY_CODE.lstrip("\n"))
    main(["scan", str(tmp_path), "--quiet", "--show-facts", "--format", "json"])
    functions = json.loads(capsys.readouterr().out)["functions"]
    calls = next(f for f in functions if f["name"] == "Sync")["sdk_calls"]
    assert [(c["operation"], c["explicit_credentials"]) for c in calls] == [
        ("GetObject", False), ("AssumeRole", False), ("PutObject", True), ("PutItem", True), ("SendMessage", True),
        ("Publish", False),
    ]
