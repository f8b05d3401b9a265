"""Fixture pairs for the secrets rules: what must fire, and the look-alikes that must stay quiet."""

from faasguard.findings import Severity
from tests.conftest import by_rule

STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"  # split so this file does not trip secret scanners

LITERALS = f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  Checkout:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          STRIPE_KEY: {STRIPE}
          DB_PASSWORD: hunter2!!
          DATABASE_URL: postgres://app:S3cr3tPw@db.internal:5432/orders
          TABLE_NAME: orders
"""

REFERENCES = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  ApiToken:
    Type: String
    NoEcho: true
Resources:
  DbSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString: {GenerateStringKey: password, SecretStringTemplate: '{"username": "app"}'}
  Tokens:
    Type: AWS::DynamoDB::Table
  Checkout:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          DB_SECRET_ARN: !Ref DbSecret
          DB_PASSWORD: "{{resolve:secretsmanager:orders-db:SecretString:password}}"
          API_TOKEN: !Ref ApiToken
          TOKEN_TABLE: !Ref Tokens
          SECRET_NAME: orders-db
          PASSWORD_PARAMETER: /orders/prod/db-password
          API_KEY: <your-api-key>
          SIGNING_SECRET: changeme
          STRIPE_KEY: ${STRIPE_KEY}
"""

GLOBALS = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Environment:
      Variables:
        SLACK_WEBHOOK: https://hooks.slack.com/services/T0123ABCD/B0123ABCD/aBcDeFgHiJkLmNoPqRsTuVwX
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
  Two:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
"""


def test_literal_secrets_fire_at_each_variable(scan_files):
    result = scan_files({"template.yaml": LITERALS}, rules={"FG-SEC-001"})
    findings = sorted(by_rule(result, "FG-SEC-001"), key=lambda f: f.line)
    assert [(f.line, f.severity) for f in findings] == [
        (11, Severity.CRITICAL),
        (12, Severity.HIGH),
        (13, Severity.HIGH),
    ]
    stripe, password, url = findings
    assert "STRIPE_KEY" in stripe.message and "Stripe live key" in stripe.message
    assert "function Checkout" in stripe.message
    assert password.function == "Checkout" and password.resource == "Checkout"
    assert "DB_PASSWORD" in password.message and "password-like variable" in password.message
    assert "postgres://app:****@db.internal" in url.message
    for finding in findings:  # never print the secret itself
        assert STRIPE not in finding.message
        assert "hunter2" not in finding.message
        assert "S3cr3tPw" not in finding.message
        assert "Secrets Manager" in finding.remediation


def test_references_placeholders_and_pointers_are_quiet(scan_files):
    result = scan_files({"template.yaml": REFERENCES}, rules={"FG-SEC-001"})
    assert by_rule(result, "FG-SEC-001") == []


def test_secret_in_globals_is_reported_once_for_all_functions(scan_files):
    result = scan_files({"template.yaml": GLOBALS}, rules={"FG-SEC-001"})
    [finding] = by_rule(result, "FG-SEC-001")
    assert finding.line == 6
    assert "functions One, Two" in finding.message
    assert "Slack webhook URL" in finding.message
    assert "aBcDeFgHiJkLmNoPqRsTuVwX" not in finding.message


# -- FG-SEC-002: sensitive environment without KmsKeyArn -------------------------------------

KMS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy: {Statement: []}
  Checkout:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      KmsKeyArn: !GetAtt Key.Arn
      Environment:
        Variables:
          DB_PASSWORD: hunter2!!
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE_NAME: orders
          SECRET_ARN: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf
"""


def test_sensitive_literal_environment_without_kms_is_medium(scan_files):
    result = scan_files({"template.yaml": LITERALS}, rules={"FG-SEC-002"})
    [finding] = by_rule(result, "FG-SEC-002")
    assert finding.line == 11
    assert finding.function == "Checkout"
    assert "STRIPE_KEY, DB_PASSWORD, DATABASE_URL" in finding.message and "no KmsKeyArn" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_sensitive_references_without_kms_are_low(scan_files):
    result = scan_files({"template.yaml": REFERENCES}, rules={"FG-SEC-002"})
    [finding] = by_rule(result, "FG-SEC-002")
    assert finding.severity == Severity.LOW
    assert "DB_PASSWORD" in finding.message and "API_TOKEN" in finding.message
    assert "TOKEN_TABLE" not in finding.message and "DB_SECRET_ARN" not in finding.message


def test_customer_key_or_no_sensitive_names_is_quiet(scan_files):
    result = scan_files({"template.yaml": KMS}, rules={"FG-SEC-002"})
    assert by_rule(result, "FG-SEC-002") == []


# -- FG-SEC-003 / 004 / 005: Secrets Manager secrets -------------------------------------------

WEAK_SECRET = """
Resources:
  ApiKey:
    Type: AWS::SecretsManager::Secret
    Properties:
      Description: partner API key
      SecretString: '{"key": "0c8f5b1e7d2a4c6b9e3f"}'
"""

STRONG_SECRET = """
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy: {Statement: []}
  DbSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      KmsKeyId: !Ref Key
      GenerateSecretString: {GenerateStringKey: password, SecretStringTemplate: '{"username": "app"}'}
  DbSecretRotation:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !Ref DbSecret
      HostedRotationLambda: {RotationType: PostgreSQLSingleUser}
      RotationRules: {AutomaticallyAfterDays: 30}
  FromParameter:
    Type: AWS::SecretsManager::Secret
    Properties:
      KmsKeyId: !Ref Key
      SecretString: "{{resolve:ssm-secure:/partner/api-key}}"
  FromParameterRotation:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !Ref FromParameter
      RotationLambdaARN: arn:aws:lambda:us-east-1:123456789012:function:rotate
"""


def test_secret_without_rotation_fires(scan_files):
    result = scan_files({"template.yaml": WEAK_SECRET}, rules={"FG-SEC-003"})
    [finding] = by_rule(result, "FG-SEC-003")
    assert finding.line == 3
    assert finding.resource == "ApiKey"
    assert "no rotation schedule" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_literal_secret_string_fires_at_the_property(scan_files):
    result = scan_files({"template.yaml": WEAK_SECRET}, rules={"FG-SEC-004"})
    [finding] = by_rule(result, "FG-SEC-004")
    assert finding.line == 6
    assert finding.resource == "ApiKey"
    assert "SecretString written as a literal" in finding.message
    assert "0c8f5b1e" not in finding.message
    assert finding.severity == Severity.HIGH


def test_secret_without_customer_key_is_low(scan_files):
    result = scan_files({"template.yaml": WEAK_SECRET}, rules={"FG-SEC-005"})
    [finding] = by_rule(result, "FG-SEC-005")
    assert finding.line == 3
    assert finding.resource == "ApiKey"
    assert "no KmsKeyId" in finding.message
    assert finding.severity == Severity.LOW


def test_rotated_generated_cmk_secrets_are_quiet(scan_files):
    result = scan_files({"template.yaml": STRONG_SECRET}, rules={"FG-SEC-003", "FG-SEC-004", "FG-SEC-005"})
    assert result.findings == []


def test_a_credential_is_found_in_a_python_file_with_no_other_sensitive_word(scan_files):
    """`AUTH`, `PW`, `CREDS` and a generated `KEY` are names find_secret reads as credentials; a file holding no
    other such word used to be skipped by the literal search before it looked."""
    code = 'import os\n\nAUTH = "q8Zr2Lm4Xv9Tb7Kp1Wn6"\nPW = "Zebra-Lantern-42"\n\n\ndef handler(event, context):\n    return 1\n'
    result = scan_files({"app.py": code}, rules={"FG-SEC-010"})
    found = sorted((f.line, f.severity) for f in by_rule(result, "FG-SEC-010"))
    assert found == [(3, Severity.MEDIUM), (4, Severity.MEDIUM)]
    assert all("q8Zr2Lm4" not in f.message and "Zebra-Lantern" not in f.message for f in by_rule(result, "FG-SEC-010"))
