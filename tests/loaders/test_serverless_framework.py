"""serverless.yml → the application model: what users see once the rules run on it."""

from __future__ import annotations

from faasguard.model import Application
from faasguard.scan import ScanResult
from tests.conftest import by_rule

KEY = "sk_live_51HqLyjWDarjtT1zdp7dcRk4mZ9vQ2xYbN8cT5gJ0aLsEw3uPf"


def only_app(result: ScanResult) -> Application:
    [app] = [a for a in result.applications if a.format == "serverless"]
    return app


def test_secret_reached_through_self_variable_is_reported_at_the_env_line(scan_files):
    result = scan_files(
        {
            "serverless.yml": f"""
            service: payments
            custom:
              stripeKey: {KEY}
            provider:
              name: aws
              runtime: nodejs20.x
              environment:
                STRIPE_KEY: ${{self:custom.stripeKey}}
                DB_PASSWORD: ${{ssm:/payments/db-password}}
            functions:
              charge:
                handler: src/charge.handler
            """
        },
        rules={"FG-SEC-001"},
    )
    [finding] = by_rule(result, "FG-SEC-001")
    assert (finding.path, finding.line, finding.function) == ("serverless.yml", 8, "charge")
    env = {v.name: v for v in only_app(result).functions[0].environment}
    assert env["DB_PASSWORD"].literal is False and env["DB_PASSWORD"].value is None


def test_env_variable_from_the_command_line_can_make_a_literal(scan_files):
    files = {
        "serverless.yml": """
        service: payments
        provider:
          name: aws
          environment:
            STRIPE_KEY: ${env:STRIPE_KEY}
        functions:
          charge:
            handler: app.handler
        """
    }
    assert by_rule(scan_files(files, rules={"FG-SEC-001"}), "FG-SEC-001") == []
    [finding] = by_rule(scan_files(files, rules={"FG-SEC-001"}, variables={"STRIPE_KEY": KEY}), "FG-SEC-001")
    assert finding.line == 5


def test_shared_role_and_legacy_statements(scan_files):
    result = scan_files(
        {
            "serverless.yml": """
            service: media
            provider:
              name: aws
              iamRoleStatements:
                - Effect: Allow
                  Action: ["dynamodb:*"]
                  Resource: "*"
              iamManagedPolicies:
                - arn:aws:iam::aws:policy/AdministratorAccess
            functions:
              resize:
                handler: app.resize
              upload:
                handler: app.upload
            """
        },
        rules={"FG-IAM-001", "FG-IAM-003", "FG-IAM-007"},
    )
    [wildcard] = by_rule(result, "FG-IAM-001")  # one provider statement: one finding for both functions
    assert (wildcard.line, wildcard.functions, wildcard.resource) == (5, ("resize", "upload"), "IamRoleLambdaExecution")
    assert {f.line for f in by_rule(result, "FG-IAM-003")} == {9}
    [shared] = by_rule(result, "FG-IAM-007")
    assert "resize" in shared.message and "upload" in shared.message


def test_per_function_roles_plugin_gives_each_function_its_own_role(scan_files):
    result = scan_files(
        {
            "serverless.yml": """
            service: media
            plugins:
              - serverless-iam-roles-per-function
            provider:
              name: aws
              iam:
                role:
                  statements:
                    - Effect: Allow
                      Action: s3:GetObject
                      Resource: arn:aws:s3:::media/*
            functions:
              resize:
                handler: app.resize
                iamRoleStatements:
                  - Effect: Allow
                    Action: s3:*
                    Resource: "*"
              list:
                handler: app.list
            """
        },
        rules={"FG-IAM-001"},
    )
    app = only_app(result)
    roles = {f.name: f.role_id for f in app.functions}
    assert roles == {"resize": "ResizeIamRoleLambdaExecution", "list": "IamRoleLambdaExecution"}
    [finding] = by_rule(result, "FG-IAM-001")
    assert (finding.line, finding.function, finding.resource) == (16, "resize", "ResizeIamRoleLambdaExecution")
    resize_role = app.roles["ResizeIamRoleLambdaExecution"]
    assert not any("s3:GetObject" in s.actions for s in resize_role.statements)  # no inheritance by default


def test_function_statements_without_the_plugin_are_ignored_and_say_so(scan_files):
    """The Framework ignores ``functions.<name>.iamRoleStatements`` unless serverless-iam-roles-per-function is a
    plugin: the function has the shared role, and the scan warns that the statements do nothing."""
    result = scan_files(
        {
            "serverless.yml": """
            service: media
            provider:
              name: aws
            functions:
              resize:
                handler: app.resize
                iamRoleStatements:
                  - Effect: Allow
                    Action: s3:GetObject
                    Resource: arn:aws:s3:::media/*
            """
        },
    )
    app = only_app(result)
    assert [f.role_id for f in app.functions] == ["IamRoleLambdaExecution"]
    assert not any("s3:GetObject" in s.actions for s in app.roles["IamRoleLambdaExecution"].statements)
    assert ("serverless.yml", "functions.resize.iamRoleStatements is ignored: it needs the serverless-iam-roles-per-function "
            "plugin, which `plugins` does not list, so function resize runs with the shared role IamRoleLambdaExecution"
            ) in result.warnings


def test_events_become_triggers(scan_files):
    result = scan_files(
        {
            "serverless.yml": """
            service: shop
            provider:
              name: aws
              httpApi:
                authorizers:
                  jwt: {identitySource: $request.header.Authorization, issuerUrl: https://id.example.com}
            functions:
              api:
                handler: app.api
                events:
                  - http: GET orders
                  - http: {path: admin, method: post, private: true}
                  - http: {path: me, method: get, authorizer: {type: COGNITO_USER_POOLS, arn: arn:aws:cognito-idp:x}}
                  - httpApi: {path: /v2/orders, method: get, authorizer: {name: jwt}}
              worker:
                handler: app.worker
                events:
                  - s3: uploads
                  - sqs: {arn: arn:aws:sqs:us-east-1:123456789012:jobs}
                  - schedule: rate(5 minutes)
                  - stream: {type: dynamodb, arn: arn:aws:dynamodb:us-east-1:1:table/t/stream/x}
                  - eventBridge: {pattern: {source: [shop]}}
              chat:
                handler: app.chat
                events:
                  - websocket: {route: $connect}
                  - websocket: $default
            """
        },
        rules={"FG-INJ-001"},
    )
    fns = {f.name: f for f in only_app(result).functions}
    api = [(t.kind, t.route, t.authenticated, t.loc.line) for t in fns["api"].triggers]
    assert api == [
        ("api", "GET /orders", False, 11),
        ("api", "POST /admin", True, 12),
        ("api", "GET /me", True, 13),
        ("http-api", "GET /v2/orders", True, 14),
    ]
    worker = [(t.kind, t.asynchronous, t.public) for t in fns["worker"].triggers]
    assert worker == [
        ("s3", True, False), ("sqs", False, False), ("schedule", True, False), ("dynamodb", False, False),
        ("eventbridge", True, False),
    ]
    assert [(t.route, t.authenticated) for t in fns["chat"].triggers] == [("$connect", False), ("$default", False)]
    unauthenticated = {(f.line, f.function) for f in by_rule(result, "FG-INJ-001")}
    assert unauthenticated == {(11, "api"), (26, "chat")}  # key, Cognito and JWT routes are protected; $default rides on $connect
    role = only_app(result).roles["IamRoleLambdaExecution"]
    generated = {a for s in role.statements if s.policy.startswith("generated") for a in s.actions}
    assert {"sqs:ReceiveMessage", "dynamodb:GetRecords", "logs:PutLogEvents"} <= generated


def test_resources_join_the_service_and_security_group_findings_point_into_them(scan_files):
    result = scan_files(
        {
            "serverless.yml": """
            service: vpc-app
            provider:
              name: aws
              vpc:
                securityGroupIds: [!Ref LambdaSG]
                subnetIds: [subnet-1]
            functions:
              query:
                handler: app.query
                role: QueryRole
            resources:
              - ${file(resources/network.yml)}
              - Resources:
                  QueryRole:
                    Type: AWS::IAM::Role
                    Properties:
                      AssumeRolePolicyDocument:
                        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
                      Policies:
                        - PolicyName: all
                          PolicyDocument:
                            Statement:
                              - {Effect: Allow, Action: "rds:*", Resource: "*"}
            """,
            "resources/network.yml": """
            Resources:
              LambdaSG:
                Type: AWS::EC2::SecurityGroup
                Properties:
                  GroupDescription: lambda
                  SecurityGroupIngress:
                    - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
            """,
        },
        rules={"FG-NET-001", "FG-IAM-001"},
    )
    app = only_app(result)
    [fn] = app.functions
    assert fn.role_id == "QueryRole" and fn.vpc is not None and fn.vpc.security_group_ids == ("LambdaSG",)
    [open_sg] = by_rule(result, "FG-NET-001")
    assert (open_sg.path, open_sg.line) == ("resources/network.yml", 7)
    [wildcard] = by_rule(result, "FG-IAM-001")
    assert (wildcard.path, wildcard.line, wildcard.resource) == ("serverless.yml", 23, "QueryRole")


def test_log_groups_follow_log_retention(scan_files):
    result = scan_files(
        {
            "serverless.yml": """
            service: logs
            provider:
              name: aws
              logRetentionInDays: 14
            functions:
              a:
                handler: app.a
              b:
                handler: app.b
                logRetentionInDays: 3
              c:
                handler: app.c
                disableLogs: true
            """
        }
    )
    groups = {g.function: (g.name, g.retention_days, g.loc.line) for g in only_app(result).log_groups}
    assert groups == {"a": ("/aws/lambda/logs-dev-a", 14, 4), "b": ("/aws/lambda/logs-dev-b", 3, 10)}


def test_framework_defaults_are_what_gets_deployed(scan_files):
    result = scan_files({"serverless.yml": "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: app.f}\n"})
    [fn] = only_app(result).functions
    assert (fn.memory, fn.timeout, fn.memory_loc, fn.code_dir) == (1024, 6, None, result.root)


def test_azure_and_google_services_and_unsupported_providers(scan_files):
    result = scan_files(
        {
            "azure/serverless.yml": """
            service: bot
            provider: {name: azure, runtime: nodejs18}
            plugins: [serverless-azure-functions]
            functions:
              hello:
                handler: handler.hello
                events:
                  - http: true
                    x-azure-settings:
                      authLevel: anonymous
                  - http: true
                    x-azure-settings: {direction: out, name: res}
            """,
            "ow/serverless.yml": "service: x\nprovider: {name: openwhisk}\nfunctions:\n  f: {handler: h.main}\n",
        }
    )
    [app] = [a for a in result.applications if a.format == "serverless"]
    [fn] = app.functions
    assert fn.provider == "azure"
    assert [(t.kind, t.public, t.authenticated) for t in fn.triggers] == [("http", True, False)]
    assert any(path == "ow/serverless.yml" and "provider `openwhisk` is not analysed" in msg for path, msg in result.warnings)


def test_broken_file_is_an_error_entry(scan_files):
    result = scan_files({"serverless.yml": "service: x\nprovider:\n  name: aws\n  runtime: [unclosed\n"})
    assert result.applications == [] or all(a.format != "serverless" for a in result.applications)
    assert [path for path, _ in result.errors] == ["serverless.yml"]


def test_resources_name_functions_by_the_frameworks_logical_ids_and_deployed_names(scan_files):
    # `resources` can only reach a function through what the Framework calls it: OrdersLambdaFunction,
    # or the deployed name `<service>-<stage>-<function>`.
    result = scan_files(
        {
            "serverless.yml": """
            service: shop
            provider:
              name: aws
              runtime: python3.12
            functions:
              orders:
                handler: app.handler
              get-user:
                handler: users.handler
            resources:
              Resources:
                OpenInvoke:
                  Type: AWS::Lambda::Permission
                  Properties:
                    FunctionName: !GetAtt OrdersLambdaFunction.Arn
                    Action: lambda:InvokeFunction
                    Principal: "*"
                OrdersErrors:
                  Type: AWS::CloudWatch::Alarm
                  Properties:
                    Namespace: AWS/Lambda
                    MetricName: Errors
                    Dimensions: [{Name: FunctionName, Value: !Ref OrdersLambdaFunction}]
                UserThrottles:
                  Type: AWS::CloudWatch::Alarm
                  Properties:
                    Namespace: AWS/Lambda
                    MetricName: Throttles
                    Dimensions: [{Name: FunctionName, Value: shop-dev-get-user}]
            """
        },
        rules={"FG-IAM-005", "FG-MON-003"},
    )
    app = only_app(result)
    assert [(p.id, p.function) for p in app.permissions] == [("OpenInvoke", "orders")]
    assert sorted((a.id, a.function) for a in app.alarms) == [("OrdersErrors", "orders"), ("UserThrottles", "get-user")]
    [public] = by_rule(result, "FG-IAM-005")
    assert (public.line, public.function) == (17, "orders")  # the Principal line
    assert "lambda:InvokeFunction on orders" in public.message
    assert by_rule(result, "FG-MON-003") == []
