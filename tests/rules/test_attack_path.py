"""FG-ATK-001: unauthenticated entry → injectable handler → what the role can reach."""

from faasguard.findings import Severity
from tests.conftest import by_rule

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
  Lookup:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: dynamodb:*
              Resource: "*"
      Events:
        Find:
          Type: Api
          Properties:
            Path: /find
            Method: post
            {auth}
"""

INJECTABLE = """
import json
import sqlite3

DB = sqlite3.connect("/tmp/orders.db")


def handler(event, context):
    body = json.loads(event["body"])
    name = body["name"]
    rows = DB.execute("SELECT * FROM orders WHERE name = '" + name + "'").fetchall()
    return {"statusCode": 200, "body": json.dumps(rows)}
"""

PARAMETERISED = INJECTABLE.replace(
    """DB.execute("SELECT * FROM orders WHERE name = '" + name + "'")""",
    """DB.execute("SELECT * FROM orders WHERE name = ?", (name,))""",
)


def test_open_route_to_sql_injection_with_a_wide_role_is_critical(scan_files):
    result = scan_files({"template.yaml": TEMPLATE.format(auth=""), "src/app.py": INJECTABLE}, rules={"FG-ATK-001"})
    [finding] = by_rule(result, "FG-ATK-001")
    assert finding.category == "attack-path"
    assert finding.severity == Severity.CRITICAL
    assert (finding.path, finding.line) == ("src/app.py", 10)
    assert finding.function == "Lookup"
    assert "Unauthenticated POST /find" in finding.message and "SQL injection" in finding.message
    assert "dynamodb:Scan" in finding.message
    notes = [r.note for r in finding.related]
    assert notes[0].startswith("entry: POST /find")
    assert any(n.startswith("source: event") for n in notes)
    assert any("grants dynamodb" in n for n in notes)


def test_quiet_when_the_route_needs_iam_auth(scan_files):
    template = TEMPLATE.format(auth="Auth: {Authorizer: AWS_IAM}")
    result = scan_files({"template.yaml": template, "src/app.py": INJECTABLE}, rules={"FG-ATK-001"})
    assert by_rule(result, "FG-ATK-001") == []


def test_quiet_when_the_handler_is_not_injectable(scan_files):
    result = scan_files({"template.yaml": TEMPLATE.format(auth=""), "src/app.py": PARAMETERISED}, rules={"FG-ATK-001"})
    assert by_rule(result, "FG-ATK-001") == []
