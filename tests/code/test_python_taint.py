"""Python handlers: event data reaching sinks, and the clean twins that must stay quiet."""

from faasguard.findings import Severity
from tests.code.conftest import template
from tests.conftest import by_rule

TEMPLATE = template(("Orders", "python3.12", "src/", "app.lambda_handler"))

# A DVSA-style order handler: every sink fed from the request.
VULNERABLE = '''
import json
import os
import pickle
import subprocess

import requests
import yaml
from jinja2 import Template


def lambda_handler(event, context):
    body = json.loads(event["body"])
    order_id = body["id"]
    query = f"SELECT * FROM orders WHERE id = '{order_id}'"
    with connect().cursor() as cursor:
        cursor.execute(query)
    subprocess.run("zip /tmp/out.zip " + body["file"], shell=True)
    eval(body["expr"])
    pickle.loads(event["body"])
    yaml.load(event["body"])
    url = event["queryStringParameters"]["url"]
    requests.get(url)
    open("/tmp/" + body["name"]).read()
    Template(body["greeting"]).render()
    db.users.find_one({"user": body["user"]})
    return {"statusCode": 200}


def connect():
    import pymysql
    return pymysql.connect(host="db")
'''

CLEAN = '''
import json
import subprocess
from urllib.parse import urlparse

import requests
import yaml

ALLOWED_HOSTS = {"api.example.com"}


def lambda_handler(event, context):
    body = json.loads(event["body"])
    order_id = body["id"]
    with connect().cursor() as cursor:
        cursor.execute("SELECT * FROM orders WHERE id = %s", (order_id,))
    subprocess.run(["zip", "/tmp/out.zip", body["file"]])
    yaml.safe_load(event["body"])
    yaml.load(event["body"], Loader=yaml.SafeLoader)
    url = event["queryStringParameters"]["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        return {"statusCode": 400}
    requests.get(url)
    requests.get("https://api.example.com/health")
    subprocess.run("ls /tmp", shell=True)
    count = int(body["count"])
    subprocess.run(f"seq {count}", shell=True)
    return {"statusCode": 200}


def connect():
    import pymysql
    return pymysql.connect(host="db")
'''


def test_dvsa_style_handler_fires_one_rule_per_sink(scan_files):
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": VULNERABLE})
    got = {(f.rule_id, f.line) for f in result.findings if f.rule_id.startswith("FG-INJ-01")}
    assert got == {
        ("FG-INJ-010", 16),
        ("FG-INJ-011", 17),
        ("FG-INJ-012", 18),
        ("FG-INJ-013", 19),
        ("FG-INJ-013", 20),
        ("FG-INJ-014", 22),
        ("FG-INJ-015", 23),
        ("FG-INJ-017", 24),
    }
    [sql] = by_rule(result, "FG-INJ-010")
    assert sql.severity == Severity.CRITICAL
    assert sql.function == "Orders"
    assert sql.path == "src/app.py"
    assert 'event["body"]' in sql.message and "execute()" in sql.message and "Orders" in sql.message
    notes = [r.note for r in sql.related]
    assert notes[0] == 'source: event["body"]'
    assert any("query = f\"SELECT" in n for n in notes)
    assert notes[-1] == "sink: execute()"
    [ssrf] = by_rule(result, "FG-INJ-014")
    assert 'event["queryStringParameters"]["url"]' in ssrf.message
    [shell] = by_rule(result, "FG-INJ-011")
    assert "subprocess.run(shell=True)" in shell.message
    assert "parameterised" not in shell.remediation and "without a shell" in shell.remediation


def test_mongo_query_from_parsed_json_is_nosql_injection(scan_files):
    code = '''
import json
import pymongo

db = pymongo.MongoClient("mongodb://db")["shop"]


def lambda_handler(event, context):
    body = json.loads(event["body"])
    return db.users.find_one({"user": body["user"], "password": body["password"]})
'''
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": code}, rules={"FG-INJ-016"})
    [finding] = by_rule(result, "FG-INJ-016")
    assert finding.line == 9
    assert "find_one" in finding.message


def test_dynamodb_expression_built_by_concatenation(scan_files):
    code = '''
import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def lambda_handler(event, context):
    status = event["queryStringParameters"]["status"]
    bad = table.scan(FilterExpression="order_status = " + status)
    good = table.scan(FilterExpression="order_status = :s", ExpressionAttributeValues={":s": status})
    return bad, good
'''
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": code}, rules={"FG-INJ-016"})
    assert [(f.rule_id, f.line) for f in result.findings] == [("FG-INJ-016", 9)]


def test_clean_twin_is_quiet(scan_files):
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": CLEAN})
    assert [(f.rule_id, f.line, f.message) for f in result.findings if f.rule_id.startswith("FG-INJ-01")] == []


def test_sink_two_modules_away_is_found_through_local_imports(scan_files):
    files = {
        "template.yaml": template(("Report", "python3.12", "src/", "handlers/report.handler")),
        "src/handlers/report.py": '''
from lib.render import render


def handler(event, context):
    name = event["pathParameters"]["name"]
    return render(name)
''',
        "src/lib/__init__.py": "",
        "src/lib/render.py": '''
from lib.shell import run


def render(name):
    return run("convert /tmp/" + name + ".svg out.png")
''',
        "src/lib/shell.py": '''
import os


def run(command):
    return os.popen(command).read()
''',
    }
    result = scan_files(files, rules={"FG-INJ-011"})
    [finding] = by_rule(result, "FG-INJ-011")
    assert (finding.path, finding.line) == ("src/lib/shell.py", 5)
    assert 'event["pathParameters"]["name"]' in finding.message
    paths = [r.path for r in finding.related]
    assert paths[0] == "src/handlers/report.py" and "src/lib/render.py" in paths and paths[-1] == "src/lib/shell.py"
    facts = result.applications[0].code["Report"]
    assert facts.files == ("src/handlers/report.py", "src/lib/render.py", "src/lib/shell.py", "src/lib/__init__.py") or \
        set(facts.files) >= {"src/handlers/report.py", "src/lib/render.py", "src/lib/shell.py"}


def test_helper_that_returns_its_argument_keeps_the_taint(scan_files):
    code = '''
import os


def clean(value):
    return value.strip()


def lambda_handler(event, context):
    os.system("echo " + clean(event["body"]))
'''
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": code}, rules={"FG-INJ-011"})
    assert [f.line for f in by_rule(result, "FG-INJ-011")] == [9]


def test_syntax_error_is_an_error_entry_not_a_crash(scan_files):
    files = {
        "template.yaml": template(("Broken", "python3.12", "a/", "app.handler"), ("Fine", "python3.12", "b/", "app.handler")),
        "a/app.py": "def handler(event, context):\n    return (\n",
        "b/app.py": "import os\n\ndef handler(event, context):\n    os.system(event['cmd'])\n",
    }
    result = scan_files(files, rules={"FG-INJ-011"})
    assert any(path == "a/app.py" and "syntax error at line" in msg for path, msg in result.errors)
    assert [(f.path, f.line) for f in result.findings] == [("b/app.py", 4)]
