"""The loader's shortcuts inside samtranslator give samtranslator's own translation.

``template_loader._translator`` replaces a few samtranslator internals with faster equivalents
(``_faster_copies``, ``_faster_resources``). Each template below is translated twice, in two fresh
processes with the same hash seed: once by samtranslator as shipped, once through the loader's
translator; the two outputs, in their iteration order, must be the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from faasguard.loaders import template_loader

TEMPLATES = {
    "api-events-policies-conditions": """\
        Transform: AWS::Serverless-2016-10-31
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
          IsEu: !Equals [!Ref AWS::Region, eu-west-1]
        Parameters:
          Env: {Type: String, Default: dev}
        Globals:
          Function: {Runtime: python3.12, Timeout: 10, Tracing: Active}
        Resources:
          Table: {Type: AWS::Serverless::SimpleTable}
          Queue: {Type: AWS::SQS::Queue}
          Reader:
            Type: AWS::Serverless::Function
            Condition: IsProd
            DependsOn: [Queue]
            Properties:
              CodeUri: s3://bucket/reader.zip
              Handler: app.read
              AutoPublishAlias: live
              DeploymentPreference: {Type: Canary10Percent5Minutes}
              Policies:
                - DynamoDBReadPolicy: {TableName: !Ref Table}
                - SQSSendMessagePolicy: {QueueName: !GetAtt Queue.QueueName}
                - Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]
              Events:
                Get: {Type: Api, Properties: {Path: "/items/{id}", Method: get}}
                Put: {Type: Api, Properties: {Path: "/items/{id}", Method: put}}
                Work: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn, BatchSize: 5}}
                Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day)}}
          Writer:
            Type: AWS::Serverless::Function
            Condition: IsEu
            Properties:
              InlineCode: "def handler(e, c): pass"
              Handler: index.handler
              Events:
                Post: {Type: Api, Properties: {Path: "/items/{id}", Method: post}}
                Http: {Type: HttpApi, Properties: {Path: /h, Method: GET}}
        Outputs:
          Alias: {Value: !Ref Reader.Alias}
        """,
    "explicit-apis-layers-depends-on": """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Deps:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: s3://bucket/layer.zip, CompatibleRuntimes: [nodejs20.x]}
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              Cors: "'*'"
              Auth:
                DefaultAuthorizer: Tokens
                Authorizers:
                  Tokens: {FunctionArn: !GetAtt Auth.Arn}
          Http:
            Type: AWS::Serverless::HttpApi
            Properties:
              CorsConfiguration: {AllowOrigins: ["https://example.com"]}
          Auth:
            Type: AWS::Serverless::Function
            DependsOn: Deps
            Properties:
              CodeUri: s3://bucket/auth.zip
              Handler: auth.handler
              Runtime: nodejs20.x
              Layers: [!Ref Deps]
          Handler:
            Type: AWS::Serverless::Function
            DependsOn: [Deps, Auth]
            Properties:
              CodeUri: s3://bucket/h.zip
              Handler: h.handler
              Runtime: nodejs20.x
              FunctionUrlConfig: {AuthType: NONE}
              Events:
                A: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: any, Auth: {Authorizer: NONE}}}
                B: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /b, Method: GET}}
                C: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/c/{x}", Method: get}}
          Machine:
            Type: AWS::Serverless::StateMachine
            Properties:
              Definition: {StartAt: S, States: {S: {Type: Pass, End: true}}}
              Policies: [LambdaInvokePolicy: {FunctionName: !Ref Handler}]
              Events:
                Go: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /go, Method: post}}
        """,
    "invalid-resource": """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Broken:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: s3://b/k.zip, Handler: a.b, Runtime: python3.12, Nonsense: 1}
        """,
}

_SCRIPT = """
import copy, json, sys
from faasguard.loaders import located_yaml, template_loader

names = json.loads(sys.argv[2])
texts = json.loads(sys.stdin.read())
if sys.argv[1] == "shipped":
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")

    def translate(template):
        try:
            return Translator(None, Parser(), boto_session=session).translate(template, {})
        except InvalidDocumentException as exc:
            return "; ".join(str(getattr(c, "message", c)) for c in exc.causes)
else:
    def translate(template):
        result, problem = template_loader._translate(template)
        return result if result is not None else problem

out = {}
for name in names:
    first = translate(located_yaml.loads(texts[name]))
    again = translate(located_yaml.loads(texts[name]))  # the second time takes what was remembered
    out[name] = [json.dumps(first), json.dumps(again)]
print(json.dumps(out))
"""


def _translations(mode: str) -> dict[str, list[str]]:
    texts = {name: textwrap.dedent(text) for name, text in TEMPLATES.items()}
    env = dict(os.environ, PYTHONHASHSEED="7")
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, mode, json.dumps(list(texts))],
        input=json.dumps(texts), capture_output=True, text=True, env=env, check=True, timeout=300,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def shipped() -> dict[str, list[str]]:
    return _translations("shipped")


@pytest.fixture(scope="module")
def ours() -> dict[str, list[str]]:
    return _translations("faasguard")


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_the_loaders_translation_is_samtranslators(name: str, shipped: dict, ours: dict) -> None:
    assert ours[name] == shipped[name]
    if name != "invalid-resource":
        assert '"AWS::Lambda::Function"' in ours[name][0]
    else:
        assert "Nonsense" in ours[name][0]


def test_the_shortcuts_are_installed() -> None:
    template_loader._translator()
    import samtranslator.translator.translator as translator_module
    from samtranslator.model import Resource

    assert Resource.__init__.__qualname__.startswith("_faster_resources")
    assert translator_module.traverse.__qualname__.startswith("_faster_resources")


def test_a_resource_starts_as_samtranslators_own_would() -> None:
    """Every resource class samtranslator defines, built by the shortcut and by the original."""
    template_loader._translator()
    from samtranslator.model import Resource

    shortcut = Resource.__init__
    original = shortcut.__wrapped__
    assert original.__qualname__ == "Resource.__init__"
    classes, pending = [], [Resource]
    while pending:
        cls = pending.pop()
        classes.append(cls)
        pending.extend(cls.__subclasses__())
    classes = [cls for cls in classes if not getattr(cls, "__abstractmethods__", None)]
    assert len(classes) > 50
    for cls in classes:
        for attributes in (None, {"Condition": "C", "DependsOn": ["X"]}):
            fast, slow = cls.__new__(cls), cls.__new__(cls)
            try:
                original(slow, "Logical1", "rel", ["Dep"], attributes)
            except Exception as exc:  # the shortcut must fail the same way
                with pytest.raises(type(exc)):
                    shortcut(fast, "Logical1", "rel", ["Dep"], attributes)
                continue
            shortcut(fast, "Logical1", "rel", ["Dep"], attributes)
            assert list(vars(fast).items()) == list(vars(slow).items()), cls


def test_translation_steps_are_not_timed() -> None:
    """The CloudWatch timing wrapper is left off the steps samtranslator decorates with it."""
    template_loader._translator()
    from samtranslator.model.sam_resources import SamFunction
    from samtranslator.swagger import swagger

    assert not hasattr(SamFunction.to_cloudformation, "__wrapped__")
    assert swagger._deepcopy is __import__("copy").deepcopy
