from faasguard.findings import Severity
from tests.conftest import by_rule

WILDCARD = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Thumbnail:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:*
              Resource: "*"
"""

SCOPED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Thumbnail:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - S3ReadPolicy:
            BucketName: !Ref Uploads
"""


def test_service_wildcard_fires_at_the_statement(scan_files):
    result = scan_files({"template.yaml": WILDCARD}, rules={"FG-IAM-001"})
    [finding] = by_rule(result, "FG-IAM-001")
    assert finding.line == 11
    assert finding.function == "Thumbnail"
    assert finding.resource == "ThumbnailRole"
    assert "s3:*" in finding.message
    assert finding.severity == Severity.HIGH


def test_scoped_policy_template_is_quiet(scan_files):
    result = scan_files({"template.yaml": SCOPED}, rules={"FG-IAM-001"})
    assert by_rule(result, "FG-IAM-001") == []


# -- FG-IAM-002: sensitive actions on Resource "*" ------------------------------------------

STAR_RESOURCE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:PutItem, dynamodb:Query, dynamodb:DescribeTable]
              Resource: "*"
            - Effect: Allow
              Action: xray:PutTraceSegments
              Resource: "*"
"""

STAR_RESOURCE_SCOPED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:PutItem, dynamodb:Query]
              Resource: !GetAtt Table.Arn
            - Effect: Allow
              Action: [s3:GetObject]
              Resource: arn:aws:s3:::orders-archive/*
            - Effect: Allow
              Action: kms:Decrypt
              Resource: "*"
              Condition:
                StringEquals:
                  kms:ViaService: dynamodb.us-east-1.amazonaws.com
            - Effect: Allow
              Action: [xray:PutTraceSegments, dynamodb:ListTables]
              Resource: "*"
"""

PASSROLE_ANYWHERE = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: arn:aws:iam::123456789012:role/*
  Deployer:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
"""


def test_sensitive_actions_on_star_fire_at_the_statement(scan_files):
    result = scan_files({"template.yaml": STAR_RESOURCE}, rules={"FG-IAM-002"})
    [finding] = by_rule(result, "FG-IAM-002")
    assert finding.line == 11
    assert finding.function == "Orders"
    assert finding.resource == "OrdersRole"
    assert "dynamodb:PutItem, dynamodb:Query on every resource" in finding.message
    assert "DescribeTable" not in finding.message
    assert finding.severity == Severity.HIGH


def test_passrole_on_every_role_is_critical(scan_files):
    result = scan_files({"template.yaml": PASSROLE_ANYWHERE}, rules={"FG-IAM-002"})
    [finding] = by_rule(result, "FG-IAM-002")
    assert finding.line == 14
    assert finding.function == "Deployer"
    assert "iam:PassRole" in finding.message
    assert finding.severity == Severity.CRITICAL


def test_scoped_conditioned_and_unscopable_actions_are_quiet(scan_files):
    result = scan_files({"template.yaml": STAR_RESOURCE_SCOPED}, rules={"FG-IAM-002"})
    assert by_rule(result, "FG-IAM-002") == []


# -- FG-IAM-003: admin and full-access managed policies --------------------------------------

MANAGED_ADMIN = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
        - arn:aws:iam::aws:policy/AdministratorAccess
        - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
"""

SAM_FULL_ACCESS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - AmazonS3FullAccess
"""

MANAGED_NARROW = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - AWSXRayDaemonWriteAccess
        - AmazonS3ReadOnlyAccess
        - arn:aws:iam::123456789012:policy/TeamFullAccess
"""


def test_admin_and_full_access_policies_fire_at_the_list_item(scan_files):
    result = scan_files({"template.yaml": MANAGED_ADMIN}, rules={"FG-IAM-003"})
    findings = sorted(by_rule(result, "FG-IAM-003"), key=lambda f: f.line)
    assert [(f.line, f.severity) for f in findings] == [(12, Severity.CRITICAL), (13, Severity.HIGH)]
    assert "AdministratorAccess" in findings[0].message
    assert "AmazonDynamoDBFullAccess" in findings[1].message
    assert {f.function for f in findings} == {"Worker"}
    assert {f.resource for f in findings} == {"Role"}


def test_sam_full_access_policy_fires(scan_files):
    result = scan_files({"template.yaml": SAM_FULL_ACCESS}, rules={"FG-IAM-003"})
    [finding] = by_rule(result, "FG-IAM-003")
    assert finding.function == "Worker"
    assert finding.resource == "WorkerRole"
    assert "AmazonS3FullAccess" in finding.message
    assert finding.severity == Severity.HIGH
    # SAM rewrites the list into generated ARNs: the line is the function's until the loader maps items back
    assert finding.line is not None and 3 <= finding.line <= 10


def test_narrow_and_customer_managed_policies_are_quiet(scan_files):
    result = scan_files({"template.yaml": MANAGED_NARROW}, rules={"FG-IAM-003"})
    assert by_rule(result, "FG-IAM-003") == []


# -- FG-IAM-004 / FG-IAM-005: lambda permissions ---------------------------------------------

PERMISSIONS = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Uploads:
    Type: AWS::S3::Bucket
  Thumbnail:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
  FromAnyBucket:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Thumbnail
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
  FromAnyone:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Thumbnail.Arn
      Action: lambda:InvokeFunction
      Principal: "*"
  FromOurBucket:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Thumbnail
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
      SourceArn: !GetAtt Uploads.Arn
      SourceAccount: !Ref AWS::AccountId
  FromOurRule:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Thumbnail
      Action: lambda:InvokeFunction
      Principal: events.amazonaws.com
      SourceArn: arn:aws:events:us-east-1:123456789012:rule/nightly
  FromPartnerAccount:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Thumbnail
      Action: lambda:InvokeFunction
      Principal: "123456789012"
"""

SAM_EVENTS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Topic:
    Type: AWS::SNS::Topic
  Thumbnail:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
        Note:
          Type: SNS
          Properties:
            Topic: !Ref Topic
        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
"""


def test_service_permission_without_source_fires(scan_files):
    result = scan_files({"template.yaml": PERMISSIONS}, rules={"FG-IAM-004"})
    [finding] = by_rule(result, "FG-IAM-004")
    assert finding.line == 24
    assert finding.resource == "FromAnyBucket"
    assert finding.function == "Thumbnail"
    assert "s3.amazonaws.com" in finding.message and "no SourceArn or SourceAccount" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_sam_event_permissions_carry_their_source(scan_files):
    result = scan_files({"template.yaml": SAM_EVENTS}, rules={"FG-IAM-004", "FG-IAM-005"})
    assert result.findings == []


def test_public_principal_permission_fires(scan_files):
    result = scan_files({"template.yaml": PERMISSIONS}, rules={"FG-IAM-005"})
    [finding] = by_rule(result, "FG-IAM-005")
    assert finding.line == 30
    assert finding.resource == "FromAnyone"
    assert finding.function == "Thumbnail"
    assert "any principal" in finding.message
    assert finding.severity == Severity.HIGH


# -- FG-IAM-006: function URL without auth --------------------------------------------------

URL_NONE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Webhook:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      FunctionUrlConfig:
        AuthType: NONE
"""

URL_IAM = URL_NONE.replace("AuthType: NONE", "AuthType: AWS_IAM")

URL_ON_ALIAS = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Webhook:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
  Live:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Webhook
      FunctionVersion: "1"
      Name: live
  LiveUrl:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !Ref Live
      AuthType: NONE
  LiveUrlPublic:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Live
      Action: lambda:InvokeFunctionUrl
      Principal: "*"
      FunctionUrlAuthType: NONE
  LiveUrlInvoke:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Live
      Action: lambda:InvokeFunction
      Principal: "*"
      InvokedViaFunctionUrl: true
"""


def test_function_url_without_auth_fires_at_auth_type(scan_files):
    result = scan_files({"template.yaml": URL_NONE}, rules={"FG-IAM-005", "FG-IAM-006"})
    [finding] = result.findings  # the URL's own permissions are not reported again by FG-IAM-005
    assert finding.rule_id == "FG-IAM-006"
    assert finding.line == 10
    assert finding.function == "Webhook"
    assert finding.resource == "Webhook"
    assert "AuthType NONE" in finding.message
    assert finding.severity == Severity.HIGH


def test_function_url_on_an_alias_fires_once_at_its_auth_type(scan_files):
    # The loader follows the alias to its function, so the URL is reported like any other.
    result = scan_files({"template.yaml": URL_ON_ALIAS}, rules={"FG-IAM-005", "FG-IAM-006"})
    [finding] = result.findings
    assert finding.rule_id == "FG-IAM-006"
    assert finding.function == "Webhook"
    assert finding.line == 27
    assert "AuthType NONE" in finding.message


def test_function_url_with_iam_auth_is_quiet(scan_files):
    result = scan_files({"template.yaml": URL_IAM}, rules={"FG-IAM-005", "FG-IAM-006"})
    assert result.findings == []


# -- FG-IAM-007: shared role ------------------------------------------------------------------

SHARED_ROLE = """
Resources:
  SharedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  PublicApi:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt SharedRole.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
  PublicUrl:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt PublicApi.Arn
      AuthType: AWS_IAM
  NightlyExport:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt SharedRole.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
"""

SHARED_ROLE_INTERNAL = SHARED_ROLE.replace(
    """  PublicUrl:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt PublicApi.Arn
      AuthType: AWS_IAM
""",
    "",
)

OWN_ROLES = """
Transform: AWS::Serverless-2016-10-31
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
  Two:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
"""


def test_role_shared_by_public_and_internal_functions_is_high(scan_files):
    result = scan_files({"template.yaml": SHARED_ROLE}, rules={"FG-IAM-007"})
    [finding] = by_rule(result, "FG-IAM-007")
    assert finding.line == 3  # the role resource
    assert finding.resource == "SharedRole"
    assert finding.function == "PublicApi"
    assert "shared by 2 functions (NightlyExport, PublicApi)" in finding.message
    assert "PublicApi is public" in finding.message and "NightlyExport is internal" in finding.message
    assert finding.severity == Severity.HIGH


def test_role_shared_by_internal_functions_is_medium(scan_files):
    result = scan_files({"template.yaml": SHARED_ROLE_INTERNAL}, rules={"FG-IAM-007"})
    [finding] = by_rule(result, "FG-IAM-007")
    assert finding.severity == Severity.MEDIUM
    assert "is public" not in finding.message


def test_one_role_per_function_is_quiet(scan_files):
    result = scan_files({"template.yaml": OWN_ROLES}, rules={"FG-IAM-007"})
    assert by_rule(result, "FG-IAM-007") == []


# -- FG-IAM-008: open trust policy --------------------------------------------------------------

OPEN_TRUST = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
          - Effect: Allow
            Principal: {AWS: "*"}
            Action: sts:AssumeRole
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
  GithubDeploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: !Sub "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"}
            Action: sts:AssumeRoleWithWebIdentity
"""

NARROW_TRUST = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
          - Effect: Allow
            Principal: {AWS: "*"}
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                aws:PrincipalOrgID: o-abc123
  GithubDeploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: !Sub "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringLike:
                token.actions.githubusercontent.com:sub: repo:acme/orders:*
"""


def test_trust_in_any_principal_fires(scan_files):
    result = scan_files({"template.yaml": OPEN_TRUST}, rules={"FG-IAM-008"})
    findings = sorted(by_rule(result, "FG-IAM-008"), key=lambda f: f.line)
    assert [(f.line, f.resource, f.severity) for f in findings] == [
        (10, "Role", Severity.CRITICAL),
        (25, "GithubDeploy", Severity.HIGH),
    ]
    assert findings[0].function == "Worker"
    assert "trusts any principal" in findings[0].message and "function Worker" in findings[0].message
    assert "token.actions.githubusercontent.com" in findings[1].message


def test_trust_with_conditions_is_quiet(scan_files):
    result = scan_files({"template.yaml": NARROW_TRUST}, rules={"FG-IAM-008"})
    assert by_rule(result, "FG-IAM-008") == []


# -- FG-IAM-009: Allow with NotAction / NotResource ----------------------------------------------

NOT_ACTION = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              NotAction: iam:*
              Resource: "*"
            - Effect: Allow
              Action: s3:GetObject
              NotResource: arn:aws:s3:::payroll/*
"""

DENY_NOT_ACTION = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Deny
              NotAction: [s3:GetObject]
              Resource: "*"
"""


def test_allow_with_not_action_and_not_resource_fire(scan_files):
    result = scan_files({"template.yaml": NOT_ACTION}, rules={"FG-IAM-009"})
    findings = sorted(by_rule(result, "FG-IAM-009"), key=lambda f: f.line)
    assert [(f.line, f.severity) for f in findings] == [(11, Severity.HIGH), (14, Severity.MEDIUM)]
    assert "NotAction iam:*" in findings[0].message
    assert "NotResource arn:aws:s3:::payroll/*" in findings[1].message
    assert {f.function for f in findings} == {"Worker"}
    assert {f.resource for f in findings} == {"WorkerRole"}


def test_deny_with_not_action_is_quiet(scan_files):
    result = scan_files({"template.yaml": DENY_NOT_ACTION}, rules={"FG-IAM-009"})
    assert by_rule(result, "FG-IAM-009") == []
