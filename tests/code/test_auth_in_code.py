"""A route whose handler verifies a JWT or a request signature in code is 'authenticated in code' (info), not open."""

from faasguard.findings import Severity
from tests.conftest import by_rule


def sam(runtime: str, handler: str) -> str:
    return f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: {runtime}
      CodeUri: src/
      Handler: {handler}
      Events:
        Create:
          Type: Api
          Properties: {{Path: /orders, Method: post}}
"""


PY_VERIFIED = '''
import os
import jwt


def _claims(event):
    token = event["headers"]["authorization"].split(" ")[1]
    return jwt.decode(token, os.environ["JWT_KEY"], algorithms=["HS256"])


def handler(event, context):
    claims = _claims(event)
    return {"statusCode": 200, "body": claims["sub"]}
'''

PY_OPEN = '''
import json


def handler(event, context):
    body = json.loads(event["body"])
    return {"statusCode": 200, "body": body["sub"]}
'''

JS_SIGNED = '''
const crypto = require("crypto");

exports.handler = async (event) => {
  const expected = crypto.createHmac("sha256", process.env.SECRET).update(event.body).digest("hex");
  const given = event.headers["x-hub-signature-256"].replace("sha256=", "");
  if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
    return { statusCode: 401 };
  }
  return { statusCode: 200 };
};
'''


def test_python_jwt_verified_in_code_is_info_with_the_call(scan_files):
    result = scan_files({"template.yaml": sam("python3.12", "app.handler"), "src/app.py": PY_VERIFIED}, rules={"FG-INJ-001"})
    [finding] = by_rule(result, "FG-INJ-001")
    assert finding.severity == Severity.INFO
    assert "authenticates in code (JWT verification: jwt.decode at src/app.py:7)" in finding.message
    assert "without any authorization" not in finding.message


def test_python_handler_without_verifier_stays_medium(scan_files):
    result = scan_files({"template.yaml": sam("python3.12", "app.handler"), "src/app.py": PY_OPEN}, rules={"FG-INJ-001"})
    [finding] = by_rule(result, "FG-INJ-001")
    assert finding.severity == Severity.MEDIUM and "anyone can call it" in finding.message


def test_javascript_signature_check_is_info(scan_files):
    result = scan_files({"template.yaml": sam("nodejs20.x", "app.handler"), "src/app.js": JS_SIGNED}, rules={"FG-INJ-001"})
    [finding] = by_rule(result, "FG-INJ-001")
    assert finding.severity == Severity.INFO and "request signature check: crypto.timingSafeEqual" in finding.message


def test_attack_path_needs_an_open_entry_not_a_handler_that_verifies(tmp_path):
    import shutil
    from pathlib import Path

    from faasguard.interfaces import ScanOptions
    from faasguard.scan import scan

    app = tmp_path / "app"
    shutil.copytree(Path(__file__).parents[2] / "examples" / "vulnerable-orders-app", app)
    before = [f for f in scan(app, ScanOptions(jobs=1)).findings if f.rule_id == "FG-ATK-001"]
    assert "AdminFunction" in {f.function for f in before}
    admin = app / "src" / "admin" / "app.py"
    text = admin.read_text()
    admin.write_text("import jwt\n" + text.replace(
        "def handler(event, context):\n",
        "def handler(event, context):\n    jwt.decode(event['headers']['authorization'], 'k', algorithms=['HS256'])\n", 1))
    after = [f for f in scan(app, ScanOptions(jobs=1)).findings if f.rule_id == "FG-ATK-001"]
    assert "AdminFunction" not in {f.function for f in after}
    assert {f.function for f in after} == {f.function for f in before} - {"AdminFunction"}
