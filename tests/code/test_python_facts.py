"""SDK call facts, secrets, logging and per-invocation hygiene for Python handlers."""

from faasguard.code.facts import CodeFacts
from faasguard.findings import Severity
from tests.code.conftest import template
from tests.conftest import by_rule

TEMPLATE = template(("Jobs", "python3.12", "src/", "app.lambda_handler"))


def facts_of(result, name="Jobs") -> CodeFacts:
    return next(app.code[name] for app in result.applications if name in app.code)


def test_boto3_clients_resources_paginators_and_env_resources(scan_files):
    code = '''
import os
import boto3

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
QUEUE = os.getenv("QUEUE_URL")
sqs = boto3.client("sqs")


def lambda_handler(event, context):
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket="reports-bucket"):
        pass
    s3.get_object(Bucket="reports-bucket", Key=event["key"])
    table.put_item(Item={"id": "1"})
    sqs.send_message(QueueUrl=QUEUE, MessageBody="done")
    rds = boto3.client("rds")
    rds.describe_db_instances()
    dynamic = boto3.client(event["service"])
    return getattr(s3, event["op"])()
'''
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": code})
    facts = facts_of(result)
    assert [(c.service, c.operation, c.resource, c.resource_env, c.loc.line, c.sdk) for c in facts.sdk_calls] == [
        ("s3", "ListObjectsV2", "reports-bucket", None, 12, "boto3"),
        ("s3", "GetObject", "reports-bucket", None, 14, "boto3"),
        ("dynamodb", "PutItem", None, "TABLE_NAME", 15, "boto3"),
        ("sqs", "SendMessage", None, "QUEUE_URL", 16, "boto3"),
        ("rds", "DescribeDBInstances", None, None, 18, "boto3"),
    ]
    assert [loc.line for loc in facts.dynamic_sdk] == [19, 20]
    assert [f.line for f in by_rule(result, "FG-RES-011")] == [17, 19]


def test_secret_fetched_in_handler_vs_once_per_container(scan_files):
    bad = '''
import boto3


def lambda_handler(event, context):
    client = boto3.client("secretsmanager")
    secret = client.get_secret_value(SecretId="prod/db")["SecretString"]
    print("using", secret)
    return {}
'''
    good = '''
import logging
import boto3

logger = logging.getLogger()
client = boto3.client("secretsmanager")
SECRET = client.get_secret_value(SecretId="prod/db")["SecretString"]
_conn = None


def lambda_handler(event, context):
    global _conn
    if _conn is None:
        import pymysql
        _conn = pymysql.connect(host="db", password=SECRET)
    logger.info("ok")
    return {}
'''
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": bad})
    [fetch] = by_rule(result, "FG-RES-010")
    assert fetch.line == 6 and "Jobs" in fetch.message and "lambda_handler" in fetch.message
    assert fetch.severity == Severity.MEDIUM
    assert [f.line for f in by_rule(result, "FG-RES-011")] == [5]
    [leak] = by_rule(result, "FG-SEC-012")
    assert leak.line == 7 and "secretsmanager GetSecretValue result" in leak.message
    [mon] = by_rule(result, "FG-MON-010")
    assert mon.line == 7 and mon.severity == Severity.LOW

    quiet = scan_files({"template.yaml": TEMPLATE, "src/app.py": good})
    assert [f.rule_id for f in quiet.findings if f.rule_id in
            {"FG-RES-010", "FG-RES-011", "FG-RES-012", "FG-SEC-012", "FG-MON-010"}] == []


def test_whole_event_logged(scan_files):
    code = '''
import json
import logging

logger = logging.getLogger()


def lambda_handler(event, context):
    print(json.dumps(event))
    logger.info("event: %s", event)
    logger.info("order %s", event["pathParameters"]["id"])
'''
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": code}, rules={"FG-SEC-011"})
    assert [(f.line, f.severity) for f in by_rule(result, "FG-SEC-011")] == [(8, Severity.MEDIUM), (9, Severity.MEDIUM)]


def test_database_connection_per_invocation(scan_files):
    code = '''
import pymysql


def lambda_handler(event, context):
    conn = pymysql.connect(host="db")
    return conn
'''
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": code}, rules={"FG-RES-012"})
    [finding] = by_rule(result, "FG-RES-012")
    assert finding.line == 5 and "pymysql.connect" in finding.message


def test_shared_file_is_parsed_once_and_serves_both_functions(scan_files, monkeypatch):
    from faasguard.code import python

    calls = []
    original = python.PyModule.parse.__func__

    def counting(cls, path, rel, text):
        calls.append(rel)
        return original(cls, path, rel, text)

    monkeypatch.setattr(python.PyModule, "parse", classmethod(counting))
    files = {
        "template.yaml": template(("A", "python3.12", "src/", "app.a"), ("B", "python3.12", "src/", "app.b")),
        "src/app.py": "import os\n\ndef a(event, context):\n    os.system(event['x'])\n\ndef b(event, context):\n    pass\n",
    }
    result = scan_files(files, rules={"FG-INJ-011"})
    assert calls == ["src/app.py"]
    assert [(f.function, f.line) for f in result.findings] == [("A", 4)]
