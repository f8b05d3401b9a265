"""FG-INJ-004: an open route whose function reads a JWT without verifying it (every unverified_decoder row and
every `unless` condition of the verifier rows, shared.toml); quiet behind an authorizer or when the code verifies."""

import pytest

from faasguard.code import taint_model
from faasguard.findings import Severity
from tests.conftest import by_rule


def sam(runtime: str, handler: str, auth: str = "") -> str:
    return f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  Profile:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: {runtime}
      CodeUri: src/
      Handler: {handler}
      Events:
        Get:
          Type: Api
          Properties:
            Path: /profile
            Method: get{auth}
"""


PY = '''
{imports}


def handler(event, context):
    token = event["headers"]["authorization"].split(" ")[-1]
    claims = {call}
    return {{"statusCode": 200, "body": claims["sub"]}}
'''

JS = '''
{imports}

exports.handler = async (event) => {{
  const token = event.headers.authorization.split(" ").pop();
  const claims = {call};
  return {{ statusCode: 200, body: claims.sub }};
}};
'''

PY_CASES = {
    "jwt.decode": ("import jwt", 'jwt.decode(token, options={"verify_signature": False})'),
    "jwt.decode/verify": ("import jwt", "jwt.decode(token, verify=False)"),
    "jwt.decode/none": ("import jwt", 'jwt.decode(token, None, algorithms=["none"])'),
    "jose.jwt.decode": ("from jose import jwt", 'jwt.decode(token, "k", options=dict(verify_signature=False))'),
    "jose.jwt.get_unverified_claims": ("from jose import jwt", "jwt.get_unverified_claims(token)"),
}
JS_CASES = {
    "jsonwebtoken.decode": ('const jwt = require("jsonwebtoken");', "jwt.decode(token)"),
    "jwt-decode": ('const jwtDecode = require("jwt-decode");', "jwtDecode(token)"),
    "jwt-decode.jwtDecode": ('const { jwtDecode } = require("jwt-decode");', "jwtDecode(token)"),
    "jose.decodeJwt": ('const jose = require("jose");', "jose.decodeJwt(token)"),
}


@pytest.mark.parametrize("case", sorted(PY_CASES))
def test_python_unverified_decode_on_an_open_route(scan_files, case):
    imports, call = PY_CASES[case]
    files = {"template.yaml": sam("python3.12", "app.handler"), "src/app.py": PY.format(imports=imports, call=call)}
    result = scan_files(files, rules={"FG-INJ-004", "FG-INJ-001"})
    [finding] = by_rule(result, "FG-INJ-004")
    assert (finding.path, finding.line, finding.severity) == ("src/app.py", 6, Severity.MEDIUM)
    assert "without checking its signature" in finding.message and "route GET /profile" in finding.message
    [route] = by_rule(result, "FG-INJ-001")
    assert route.severity == Severity.MEDIUM  # not "authenticated in code"


@pytest.mark.parametrize("case", sorted(JS_CASES))
def test_javascript_unverified_decode_on_an_open_route(scan_files, case):
    imports, call = JS_CASES[case]
    files = {"template.yaml": sam("nodejs20.x", "app.handler"), "src/app.js": JS.format(imports=imports, call=call)}
    [finding] = by_rule(scan_files(files, rules={"FG-INJ-004"}), "FG-INJ-004")
    assert (finding.path, finding.line, finding.severity) == ("src/app.js", 5, Severity.MEDIUM)
    assert case in finding.message


def test_every_decoder_row_is_exercised():
    rows = {call for row in taint_model.shared()["unverified_decoder"] for call in row["call"]}
    assert rows == {"jose.jwt.get_unverified_claims"} | set(JS_CASES)


def test_behind_an_authorizer_the_decode_is_fine(scan_files):
    imports, call = PY_CASES["jwt.decode"]
    auth = "\n            Auth:\n              Authorizer: AWS_IAM"
    files = {"template.yaml": sam("python3.12", "app.handler", auth), "src/app.py": PY.format(imports=imports, call=call)}
    assert by_rule(scan_files(files, rules={"FG-INJ-004"}), "FG-INJ-004") == []


def test_a_function_that_also_verifies_is_not_reported(scan_files):
    call = 'jwt.decode(token, options={"verify_signature": False})\n    jwt.decode(token, KEY, algorithms=["RS256"])'
    files = {"template.yaml": sam("python3.12", "app.handler"),
             "src/app.py": PY.format(imports="import jwt\nKEY = open('/opt/key.pem').read()", call=call)}
    assert by_rule(scan_files(files, rules={"FG-INJ-004"}), "FG-INJ-004") == []


AUTHORIZER = '''
import jwt


def handler(event, context):
    token = event["authorizationToken"].split(" ")[-1]
    claims = jwt.decode(token, options={"verify_signature": False})
    effect = "Allow" if "admins" in claims.get("cognito:groups", []) else "Deny"
    return {
        "principalId": claims["sub"],
        "policyDocument": {"Version": "2012-10-17",
                           "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
    }
'''

AUTHORIZER_SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  TokenAuthorizer:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, CodeUri: src/, Handler: auth.handler}
"""


def test_authorizer_deciding_on_an_unverified_token_is_high(scan_files):
    result = scan_files({"template.yaml": AUTHORIZER_SAM, "src/auth.py": AUTHORIZER}, rules={"FG-INJ-004"})
    [finding] = by_rule(result, "FG-INJ-004")
    assert (finding.path, finding.line, finding.severity) == ("src/auth.py", 6, Severity.HIGH)
    assert finding.message.startswith("Lambda authorizer TokenAuthorizer decides on a JWT read with jwt.decode")


def test_loose_authorizer_file_is_medium(scan_files):
    result = scan_files({"authorizer/app.py": AUTHORIZER}, rules={"FG-INJ-004"})
    [finding] = by_rule(result, "FG-INJ-004")
    assert (finding.path, finding.line, finding.severity) == ("authorizer/app.py", 6, Severity.MEDIUM)


def test_authorizer_that_verifies_after_peeking_is_quiet(scan_files):
    peek = AUTHORIZER.replace('claims = jwt.decode(token, options={"verify_signature": False})',
                              'kid = jwt.get_unverified_header(token)["kid"]\n'
                              '    claims = jwt.decode(token, KEYS[kid], algorithms=["RS256"])')
    result = scan_files({"template.yaml": AUTHORIZER_SAM, "src/auth.py": "KEYS = {}\n" + peek}, rules={"FG-INJ-004"})
    assert by_rule(result, "FG-INJ-004") == []
