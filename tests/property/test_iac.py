"""Every infrastructure loader, fed valid documents with wrong types anywhere, ends in findings or
``errors`` entries: CloudFormation/SAM (YAML and JSON), CDK output, Serverless Framework,
Terraform (AWS, Azure, GCP), Pulumi (YAML programs and stack exports), Azure Functions."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from tests.property.strategies import hcl_expr, mutated, scan_survives, to_hcl, to_json, to_yaml

HANDLER = (
    "import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n    return s3.get_object(Bucket=event['b'], Key='k')\n"
)

STATEMENTS = [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": ["arn:aws:s3:::b/*", {"Fn::Sub": "${Bucket.Arn}/*"}]},
    {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": "*",
        "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
    },
]
SAM: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Transform": "AWS::Serverless-2016-10-31",
    "Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
    "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
    "Globals": {"Function": {"Timeout": 10, "Environment": {"Variables": {"TABLE": {"Ref": "Table"}}}}},
    "Resources": {
        "Fn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "app.handler",
                "CodeUri": "src/",
                "Policies": [
                    {"Statement": STATEMENTS},
                    "AWSLambdaBasicExecutionRole",
                    {"S3ReadPolicy": {"BucketName": {"Ref": "Bucket"}}},
                ],
                "Environment": {"Variables": {"DB_PASSWORD": "Zq8kLm2pX4vB9nR7", "BUCKET": {"Ref": "Bucket"}}},
                "Events": {
                    "Api": {"Type": "Api", "Properties": {"Path": "/x", "Method": "post", "Auth": {"Authorizer": "NONE"}}},
                    "Queue": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Queue", "Arn"]}}},
                },
                "FunctionUrlConfig": {"AuthType": "NONE"},
                "Layers": [{"Ref": "Layer"}],
                "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": [{"Ref": "Sg"}]},
            },
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ]
                },
                "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
                "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": STATEMENTS}}],
            },
        },
        "Plain": {
            "Type": "AWS::Lambda::Function",
            "Condition": "IsProd",
            "Properties": {
                "Runtime": "nodejs16.x",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": "exports.handler = async () => 1"},
            },
        },
        "Permission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"FunctionName": {"Ref": "Plain"}, "Action": "lambda:InvokeFunction", "Principal": "*"},
        },
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "b-${Stage}"}}},
        "BucketPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "Bucket"},
                "PolicyDocument": {
                    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]
                },
            },
        },
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}},
        "Sg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"SecurityGroupIngress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "-1"}]},
        },
        "Layer": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "layer/"}},
        "Api": {"Type": "AWS::ApiGateway::Method", "Properties": {"AuthorizationType": "NONE", "HttpMethod": "ANY"}},
        "Logs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${Fn}"}, "RetentionInDays": 7},
        },
    },
    "Outputs": {"Url": {"Value": {"Fn::Sub": "https://${ServerlessRestApi}.execute-api"}}},
}
CFN_KEYS = (
    "Properties",
    "Policies",
    "Statement",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "Principal",
    "Condition",
    "Events",
    "Environment",
    "Variables",
    "Handler",
    "Runtime",
    "CodeUri",
    "Type",
    "Metadata",
    "DependsOn",
    "Layers",
    "Role",
    "PolicyDocument",
    "ManagedPolicyArns",
    "Auth",
    "Authorizer",
    "FunctionUrlConfig",
    "AuthType",
    "KmsKeyArn",
    "ReservedConcurrentExecutions",
    "DeadLetterQueue",
    "Tracing",
    "Architectures",
    "ImageUri",
    "PackageType",
)


def _cdk(doc: Any) -> Any:
    if isinstance(doc, dict) and isinstance(doc.get("Resources"), dict):
        doc = {
            **doc,
            "Resources": {
                k: ({**v, "Metadata": {"aws:cdk:path": f"Stack/{k}/Resource"}} if isinstance(v, dict) else v)
                for k, v in doc["Resources"].items()
            },
        }
        doc.pop("Transform", None)
    return doc


CDK = _cdk(SAM)


@given(mutated(SAM, CFN_KEYS))
@example({**SAM, "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Policies": None, "Events": 5}}}})
@example(
    {
        **SAM,
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {"Statement": "s3:*"}}]}}
        },
    }
)
def test_sam_yaml(doc: Any) -> None:
    scan_survives({"template.yaml": to_yaml(doc), "src/app.py": HANDLER})


@given(mutated(SAM, CFN_KEYS))
def test_cloudformation_json(doc: Any) -> None:
    scan_survives({"template.json": to_json(doc), "src/app.py": HANDLER})


@given(mutated(CDK, CFN_KEYS))
def test_cdk_output(doc: Any) -> None:
    scan_survives({"cdk.out/Stack.template.json": to_json(doc), "cdk.out/manifest.json": '{"version": "36.0.0"}'})


SERVERLESS: dict[str, Any] = {
    "service": "orders",
    "frameworkVersion": "3",
    "custom": {"stage": "${opt:stage, 'dev'}", "table": "orders-${self:custom.stage}", "secret": "${ssm:/db/pw, 'hunter2'}"},
    "provider": {
        "name": "aws",
        "runtime": "python3.12",
        "stage": "${self:custom.stage}",
        "environment": {"TABLE": "${self:custom.table}", "API_KEY": "Zq8kLm2pX4vB9nR7"},
        "iam": {
            "role": {
                "statements": [
                    {"Effect": "Allow", "Action": ["dynamodb:*"], "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}, "/*"]]},
                    },
                ]
            }
        },
        "httpApi": {"authorizers": {"jwt": {"type": "jwt", "identitySource": "$request.header.Authorization"}}},
        "vpc": {"securityGroupIds": ["sg-1"], "subnetIds": ["subnet-1"]},
    },
    "functions": {
        "create": {
            "handler": "src/app.handler",
            "events": [
                {"http": {"path": "orders", "method": "post", "cors": True}},
                {"httpApi": {"path": "/x", "method": "GET", "authorizer": {"name": "jwt"}}},
                {"sqs": {"arn": {"Fn::GetAtt": ["Queue", "Arn"]}}},
                {"schedule": "rate(1 hour)"},
            ],
            "environment": {"SECRET": "${self:custom.secret}"},
            "url": {"authorizer": "none"},
            "iamRoleStatements": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            "layers": ["arn:aws:lambda:us-east-1:123456789012:layer:x:1"],
        },
        "worker": {"handler": "src/app.handler", "runtime": "nodejs14.x", "reservedConcurrency": 1},
    },
    "plugins": ["serverless-iam-roles-per-function"],
    "resources": {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Queue": {"Type": "AWS::SQS::Queue"}}},
}
SERVERLESS_KEYS = (
    "provider",
    "functions",
    "events",
    "handler",
    "environment",
    "iam",
    "role",
    "statements",
    "iamRoleStatements",
    "http",
    "httpApi",
    "authorizer",
    "custom",
    "resources",
    "url",
    "layers",
    "vpc",
    "runtime",
    "plugins",
    "package",
)


@given(mutated(SERVERLESS, SERVERLESS_KEYS))
@example({**SERVERLESS, "functions": {"f": {"handler": 5, "events": [{"http": "GET /x"}]}}})
@example({**SERVERLESS, "provider": {"name": "aws", "iam": {"role": {"statements": "s3:*"}}}})
def test_serverless(doc: Any) -> None:
    scan_survives({"serverless.yml": to_yaml(doc), "src/app.py": HANDLER})


def _ref(text: str) -> dict[str, str]:
    return {"__ref__": text}


POLICY = {
    "__call__": "jsonencode",
    "arg": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": _ref("aws_iam_role.r.arn")},
        ],
    },
}
TERRAFORM: dict[str, Any] = {
    "variable": {"stage": {"default": "dev", "type": _ref("string")}},
    "locals": {"name": "fn-${var.stage}", "tags": {"team": "x"}, "list": [1, 2]},
    "resource": {
        "aws_lambda_function": {
            "fn": {
                "function_name": "${local.name}",
                "runtime": "python3.12",
                "handler": "app.handler",
                "role": _ref("aws_iam_role.r.arn"),
                "filename": "fn.zip",
                "source_code_hash": {"__call__": "filebase64sha256", "arg": "fn.zip"},
                "environment": [{"variables": {"DB_PASSWORD": "Zq8kLm2pX4vB9nR7", "T": _ref("aws_dynamodb_table.t.name")}}],
                "vpc_config": [{"subnet_ids": ["subnet-1"], "security_group_ids": [_ref("aws_security_group.sg.id")]}],
                "tracing_config": [{"mode": "PassThrough"}],
            }
        },
        "aws_iam_role": {
            "r": {
                "assume_role_policy": {
                    "__call__": "jsonencode",
                    "arg": {
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                        ]
                    },
                }
            }
        },
        "aws_iam_role_policy": {"p": {"role": _ref("aws_iam_role.r.id"), "policy": POLICY}},
        "aws_iam_role_policy_attachment": {
            "a": {"role": _ref("aws_iam_role.r.name"), "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}
        },
        "aws_lambda_permission": {
            "p": {
                "function_name": _ref("aws_lambda_function.fn.function_name"),
                "action": "lambda:InvokeFunction",
                "principal": "*",
            }
        },
        "aws_lambda_function_url": {
            "u": {"function_name": _ref("aws_lambda_function.fn.function_name"), "authorization_type": "NONE"}
        },
        "aws_security_group": {
            "sg": {"ingress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}]}
        },
        "aws_dynamodb_table": {"t": {"name": "t", "hash_key": "id"}},
        "aws_apigatewayv2_route": {
            "r": {
                "api_id": "x",
                "route_key": "ANY /{proxy+}",
                "authorization_type": "NONE",
                "target": "integrations/${aws_apigatewayv2_integration.i.id}",
            }
        },
        "azurerm_linux_function_app": {
            "az": {
                "name": "az",
                "https_only": False,
                "app_settings": {"PASSWORD": "Zq8kLm2pX4vB9nR7"},
                "site_config": [{"ftps_state": "AllAllowed", "cors": [{"allowed_origins": ["*"]}]}],
                "identity": [{"type": "SystemAssigned"}],
                "auth_settings_v2": [{"auth_enabled": False}],
            }
        },
        "azurerm_role_assignment": {
            "ra": {
                "scope": "/subscriptions/x",
                "role_definition_name": "Owner",
                "principal_id": _ref("azurerm_linux_function_app.az.identity[0].principal_id"),
            }
        },
        "google_cloudfunctions2_function": {
            "g": {
                "name": "g",
                "build_config": [{"runtime": "python312", "entry_point": "main"}],
                "service_config": [
                    {
                        "ingress_settings": "ALLOW_ALL",
                        "service_account_email": "x@y",
                        "environment_variables": {"TOKEN": "Zq8kLm2pX4vB9nR7"},
                    }
                ],
            }
        },
        "google_cloudfunctions_function_iam_member": {
            "m": {
                "cloud_function": _ref("google_cloudfunctions2_function.g.name"),
                "role": "roles/cloudfunctions.invoker",
                "member": "allUsers",
            }
        },
        "google_project_iam_member": {"o": {"project": "p", "role": "roles/owner", "member": "serviceAccount:x@y"}},
    },
    "module": {
        "lambda": {
            "source": "terraform-aws-modules/lambda/aws",
            "function_name": "m",
            "handler": "app.handler",
            "runtime": "python3.12",
            "attach_policy_statements": True,
            "policy_statements": {"s3": {"effect": "Allow", "actions": ["s3:*"], "resources": ["*"]}},
        }
    },
}
BLOCKS = frozenset(
    {
        "environment",
        "vpc_config",
        "tracing_config",
        "ingress",
        "egress",
        "site_config",
        "cors",
        "identity",
        "auth_settings_v2",
        "build_config",
        "service_config",
        "statement",
        "principals",
        "condition",
    }
)
TF_KEYS = (
    "policy",
    "role",
    "handler",
    "runtime",
    "environment",
    "variables",
    "principal",
    "source_arn",
    "statement",
    "authorization_type",
    "app_settings",
    "member",
    "members",
    "role_definition_name",
    "filename",
    "source_dir",
)


@given(mutated(TERRAFORM, TF_KEYS))
@example(
    {
        **TERRAFORM,
        "resource": {
            "aws_iam_role_policy": {"p": {"role": "r", "policy": {"__call__": "jsonencode", "arg": {"Statement": "s3:*"}}}}
        },
    }
)
@example({**TERRAFORM, "resource": {"aws_lambda_function": {"fn": {"environment": 5, "vpc_config": [None]}}}})
def test_terraform(doc: Any) -> None:
    scan_survives({"main.tf": to_hcl(doc, BLOCKS), "app.py": HANDLER})


@given(
    st.lists(
        st.sampled_from(["{", "}", "[", "]", "=", '"x"', "resource", "a.b", "${", "1", "\n", "jsonencode(", ")", ","]),
        max_size=40,
    )
)
def test_terraform_token_soup(tokens: list[str]) -> None:
    base = to_hcl(TERRAFORM, BLOCKS)
    scan_survives({"main.tf": base + " ".join(tokens), "other.tf": " ".join(reversed(tokens))})


def test_hcl_writer_writes_what_python_hcl2_reads() -> None:
    """The writer the properties use makes valid Terraform from the base document (so mutations start from sense)."""
    from faasguard.loaders.terraform.loader import parse_hcl

    tree, problem = parse_hcl(to_hcl(TERRAFORM, BLOCKS))
    assert tree is not None, problem
    assert hcl_expr({"__call__": "f", "arg": [1, None]}) == "f([1, null])"


PULUMI: dict[str, Any] = {
    "name": "p",
    "runtime": "yaml",
    "variables": {
        "policy": {"fn::toJSON": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}
    },
    "resources": {
        "role": {
            "type": "aws:iam:Role",
            "properties": {
                "assumeRolePolicy": {
                    "fn::toJSON": {
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                        ]
                    }
                }
            },
        },
        "policy": {"type": "aws:iam:RolePolicy", "properties": {"role": "${role.id}", "policy": "${policy}"}},
        "fn": {
            "type": "aws:lambda:Function",
            "properties": {
                "runtime": "python3.12",
                "handler": "app.handler",
                "role": "${role.arn}",
                "code": {"fn::fileArchive": "./src"},
                "environment": {"variables": {"DB_PASSWORD": "Zq8kLm2pX4vB9nR7"}},
            },
        },
        "url": {"type": "aws:lambda:FunctionUrl", "properties": {"functionName": "${fn.name}", "authorizationType": "NONE"}},
    },
    "outputs": {"url": "${url.functionUrl}"},
}
PULUMI_EXPORT: dict[str, Any] = {
    "version": 3,
    "deployment": {
        "manifest": {},
        "resources": [
            {
                "urn": "urn:pulumi:dev::p::aws:lambda/function:Function::fn",
                "type": "aws:lambda/function:Function",
                "inputs": {
                    "runtime": "python3.12",
                    "handler": "app.handler",
                    "role": "arn:aws:iam::1:role/r",
                    "environment": {"variables": {"API_KEY": "Zq8kLm2pX4vB9nR7"}},
                },
                "outputs": {"arn": "arn:aws:lambda:us-east-1:1:function:fn"},
            },
            {
                "urn": "urn:pulumi:dev::p::aws:iam/rolePolicy:RolePolicy::p",
                "type": "aws:iam/rolePolicy:RolePolicy",
                "inputs": {"role": "r", "policy": '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'},
            },
        ],
    },
}
PULUMI_KEYS = ("resources", "type", "properties", "variables", "policy", "role", "environment", "inputs", "outputs", "urn")


@given(mutated(PULUMI, PULUMI_KEYS))
@example({**PULUMI, "resources": {"fn": {"type": 5, "properties": [1]}, "policy": None}})
def test_pulumi_yaml(doc: Any) -> None:
    scan_survives({"Pulumi.yaml": to_yaml(doc), "src/app.py": HANDLER})


@given(mutated(PULUMI_EXPORT, PULUMI_KEYS))
def test_pulumi_stack_export(doc: Any) -> None:
    text = to_json(doc)
    if '"urn:pulumi:' not in text:  # what makes the loader read a JSON file as an export
        text = text[:-1] + ', "x": "urn:pulumi:", "deployment": 1}' if text.endswith("}") else text
    scan_survives({"stack.json": text})


HOST = {"version": "2.0", "extensions": {"http": {"routePrefix": "api"}}, "logging": {"logLevel": {"default": "Information"}}}
FUNCTION = {
    "scriptFile": "__init__.py",
    "entryPoint": "main",
    "bindings": [
        {
            "authLevel": "anonymous",
            "type": "httpTrigger",
            "direction": "in",
            "name": "req",
            "methods": ["get", "post"],
            "route": "x/{id}",
        },
        {"type": "http", "direction": "out", "name": "$return"},
        {"type": "blob", "direction": "in", "name": "b", "path": "c/{id}", "connection": "Storage"},
    ],
}
SETTINGS = {
    "IsEncrypted": False,
    "Values": {
        "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zq8kLm2pX4vB9nR7==",
        "FUNCTIONS_WORKER_RUNTIME": "python",
    },
    "Host": {"CORS": "*"},
    "ConnectionStrings": {},
}
AZURE_KEYS = (
    "bindings",
    "authLevel",
    "type",
    "direction",
    "methods",
    "route",
    "Values",
    "scriptFile",
    "entryPoint",
    "extensions",
)


@given(mutated({"host": HOST, "function": FUNCTION, "settings": SETTINGS}, AZURE_KEYS))
@example({"host": HOST, "function": {"bindings": "httpTrigger"}, "settings": {"Values": None}})
@example({"host": [], "function": {"bindings": [5, None, {"type": ["httpTrigger"]}]}, "settings": []})
@example({"host": HOST, "function": {"bindings": [{**FUNCTION["bindings"][0], "methods": 7}]}, "settings": SETTINGS})
@example({"host": HOST, "function": {"bindings": [{**FUNCTION["bindings"][0], "methods": True}]}, "settings": SETTINGS})
def test_azure_functions(docs: Any) -> None:
    parts = docs if isinstance(docs, dict) else {}
    files = {
        "app/host.json": to_json(parts.get("host", docs)),
        "app/HttpFn/function.json": to_json(parts.get("function", docs)),
        "app/local.settings.json": to_json(parts.get("settings", docs)),
        "app/HttpFn/__init__.py": (
            "import azure.functions as func\ndef main(req):\n    return func.HttpResponse(req.params.get('x'))\n"
        ),
    }
    if '"bindings"' not in files["app/HttpFn/function.json"]:
        files["app/HttpFn/function.json"] = (
            files["app/HttpFn/function.json"][:-1] + ', "bindings": 0}'
            if files["app/HttpFn/function.json"].endswith("}")
            else files["app/HttpFn/function.json"]
        )
    scan_survives(files)
