"""SAM semantics through the translator: Globals, policy templates, events, code on disk, lines."""

from pathlib import Path

from faasguard.loaders.template_loader import TemplateLoader

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 30
    Tracing: Active
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Orders:
    Type: AWS::Serverless::SimpleTable
  OrdersApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: Cognito
        Authorizers:
          Cognito:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc
  GetOrder:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/get_order/
      Handler: app.handler
      MemorySize: 256
      Environment:
        Variables:
          TABLE: !Ref Orders
          MODE: fast
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref Orders
        - AWSLambdaBasicExecutionRole
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref OrdersApi
            Path: /orders/{id}
            Method: get
        Health:
          Type: Api
          Properties:
            RestApiId: !Ref OrdersApi
            Path: /health
            Method: get
            Auth:
              Authorizer: NONE
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
"""


def load(tmp_path: Path, text: str = TEMPLATE):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    result = TemplateLoader().load(path, text, tmp_path)
    assert result.errors == []
    [app] = result.applications
    return app, result


def test_function_properties_merge_globals_and_keep_lines(tmp_path):
    app, result = load(tmp_path)
    assert result.warnings == []
    assert app.format == "sam"
    [fn] = app.functions
    assert fn.name == "GetOrder"
    assert (fn.runtime, fn.timeout, fn.memory, fn.tracing) == ("python3.12", 30, 256, "Active")
    assert fn.runtime_loc.line == 5  # written in Globals
    assert fn.timeout_loc.line == 6
    assert fn.memory_loc.line == 27
    assert fn.code_dir == (tmp_path / "src/get_order").resolve()
    env = {e.name: e for e in fn.environment}
    assert env["TABLE"].literal is False
    assert env["MODE"].literal is True and env["MODE"].value == "fast" and env["MODE"].loc.line == 31


def test_policy_templates_expand_to_concrete_actions(tmp_path):
    app, _ = load(tmp_path)
    role = app.role_of(app.functions[0])
    assert role is not None and role.id == "GetOrderRole"
    actions = {a for s in role.statements for a in s.actions}
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"} <= actions
    assert all("${Orders}" in r for s in role.statements for r in s.resources if "dynamodb" in r)
    assert any(p.name == "AWSLambdaBasicExecutionRole" for p in role.managed_policies)


def test_events_become_triggers_with_authentication(tmp_path):
    app, _ = load(tmp_path)
    triggers = {t.route or t.kind: t for t in app.functions[0].triggers}
    assert triggers["GET /orders/{id}"].authenticated is True
    assert triggers["GET /health"].authenticated is False
    assert triggers["GET /health"].public is True
    assert triggers["s3"].asynchronous is True
    [api] = app.apis
    assert api.id == "OrdersApi" and api.kind == "rest"
    assert {(r.path, r.authorization) for r in api.routes} == {
        ("/orders/{id}", "COGNITO_USER_POOLS"),
        ("/health", "NONE"),
    }


def test_untranslatable_sam_falls_back_with_a_warning(tmp_path):
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs14.x
      Handler: index.handler
      Policies:
        - NoSuchPolicyTemplate: {}
"""
    app, result = load(tmp_path, text)
    assert result.warnings and "SAM translation failed" in result.warnings[0][1]
    [fn] = app.functions
    assert fn.runtime == "nodejs14.x" and fn.runtime_loc.line == 6


def test_plain_cloudformation_joins_roles_logs_and_network(tmp_path):
    text = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref Role]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
  Queue:
    Type: AWS::SQS::Queue
  Igw:
    Type: AWS::EC2::InternetGateway
  Table:
    Type: AWS::EC2::RouteTable
  Default:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref Table
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw
  Public:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-1
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref Public
      RouteTableId: !Ref Table
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: fn
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
      VpcConfig:
        SubnetIds: [!Ref Public]
        SecurityGroupIds: [!Ref Sg]
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${Fn}
      RetentionInDays: 14
"""
    app, _ = load(tmp_path, text)
    [fn] = app.functions
    role = app.role_of(fn)
    assert role is not None and [s.actions for s in role.statements] == [("sqs:SendMessage",)]
    assert role.statements[0].loc.line == 18
    assert app.subnets["Public"].public is True
    assert fn.vpc is not None and fn.vpc.subnet_ids == ("Public",) and fn.vpc.security_group_ids == ("Sg",)
    [rule] = app.security_groups["Sg"].rules
    assert rule.from_anywhere and rule.covers_port(22) and (rule.loc.line, rule.loc.end_line) == (47, 50)
    [logs] = app.log_groups
    assert logs.function == "Fn" and logs.retention_days == 14


def test_managed_policy_points_at_its_policies_entry_and_aliases_resolve(tmp_path):
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      AutoPublishAlias: live
      FunctionUrlConfig:
        AuthType: NONE
      Policies:
        - AmazonS3FullAccess
"""
    app, _ = load(tmp_path, text)
    [fn] = app.functions
    role = app.role_of(fn)
    [policy] = [p for p in role.managed_policies if p.name == "AmazonS3FullAccess"]
    assert policy.loc.line == 12
    assert fn.url_auth_type == "NONE"
    assert any(t.kind == "function-url" and t.authenticated is False for t in fn.triggers)
    assert all(p.function == "Fn" for p in app.permissions)


def test_code_uri_in_globals_locates_the_code(tmp_path):
    text = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: src/
    Runtime: python3.12
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
"""
    app, result = load(tmp_path, text)
    assert result.warnings == []
    [fn] = app.functions
    assert fn.code_dir == (tmp_path / "src").resolve()


CACHED = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: api.yaml
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code
      Handler: app.handler
      Runtime: python3.12
"""


def _openapi(route: str) -> str:
    return f"openapi: 3.0.1\ninfo: {{title: t, version: '1'}}\npaths:\n  {route}:\n    get: {{}}\n"


def test_a_cached_template_is_loaded_again_when_what_it_reads_beside_it_changes(tmp_path, monkeypatch):
    """The parse cache keeps a template's model with what loading saw beside it: an edited
    ``DefinitionUri`` file or a ``CodeUri`` link pointing elsewhere gives today's model, not the cached one."""
    from faasguard import cache
    from faasguard.loaders import template_loader

    repo = tmp_path / "repo"
    for version in ("v1", "v2"):
        (repo / version).mkdir(parents=True)
    (repo / "code").symlink_to("v1")
    (repo / "template.yaml").write_text(CACHED)
    parse_cache = cache.ParseCache(tmp_path / "cache")
    translations = 0
    translate = template_loader._translate

    def counted(prepared):  # type: ignore[no-untyped-def]
        nonlocal translations
        translations += 1
        return translate(prepared)

    def seen() -> tuple[set[str], Path | None]:
        with cache.active(parse_cache):
            result = TemplateLoader().load(repo / "template.yaml", CACHED, repo)
        [app] = result.applications
        [fn] = app.functions
        return {r.path for api in app.apis for r in api.routes}, fn.code_dir

    monkeypatch.setattr(template_loader, "_translate", counted)
    (repo / "api.yaml").write_text(_openapi("/first"))
    assert seen() == ({"/first"}, repo / "v1")
    assert seen() == ({"/first"}, repo / "v1") and translations == 1  # from the cache
    (repo / "api.yaml").write_text(_openapi("/second"))
    assert seen() == ({"/second"}, repo / "v1") and translations == 2
    (repo / "code").unlink()
    (repo / "code").symlink_to("v2")
    assert seen() == ({"/second"}, repo / "v2")
    (repo / "code").unlink()
    (repo / "code").symlink_to("v1")
    (repo / "api.yaml").write_text(_openapi("/first"))
    translations = 0
    assert seen() == ({"/first"}, repo / "v1") and translations == 0  # the first entry again


def test_sam_copies_keep_python27_key_order():
    """samtranslator emulates Python 2.7's dict order; the faster copies must land every key where its own would."""
    import copy

    from faasguard.loaders import template_loader

    template_loader._translator()  # installs them
    from samtranslator.utils.py27hash_fix import Py27Dict, Py27Keys, Py27UniStr

    original = Py27Dict()
    for i in range(40):
        original[f"/path{i}" if i % 3 else Py27UniStr(f"Key{i}")] = Py27Dict({"get": {"n": i}})
    for i in range(0, 40, 7):
        del original[f"/path{i}" if i % 3 else Py27UniStr(f"Key{i}")]
    expected = Py27Keys()  # what samtranslator's own copy does: each key added again, in Python 2.7 order
    for key in original.keylist:
        expected.add(key)
    for _ in range(2):  # the second copy takes the remembered layout
        copied = copy.deepcopy(original)
        assert list(copied.keys()) == expected.keys()  # after deletions, not always the order of the original
        assert (copied.keylist.keyorder, copied.keylist.size, copied.keylist.fill, copied.keylist.mask) == (
            expected.keyorder, expected.size, expected.fill, expected.mask)
        assert copied == original and copied["/path1"] is not original["/path1"]
