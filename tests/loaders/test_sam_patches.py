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
    "conditional-paths-rest-and-http": """\
        Transform: AWS::Serverless-2016-10-31
        Conditions:
          IsOn: !Equals [!Ref Flag, "on"]
          IsOff: !Not [!Condition IsOn]
        Parameters:
          Flag: {Type: String, Default: "on"}
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties: {StageName: v1}
          Http:
            Type: AWS::Serverless::HttpApi
          Plain:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: s3://bucket/p.zip
              Handler: p.handler
              Runtime: python3.12
              Events:
                Mixed: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /mixed, Method: get}}
                Free: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /free, Method: GET}}
          Gated:
            Type: AWS::Serverless::Function
            Condition: IsOn
            Properties:
              CodeUri: s3://bucket/g.zip
              Handler: g.handler
              Runtime: python3.12
              Events:
                Mixed: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /mixed, Method: post}}
                Only: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /only, Method: get}}
                Implicit: {Type: Api, Properties: {Path: /implicit, Method: get}}
                HttpOnly: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /gated, Method: GET}}
                HttpImplicit: {Type: HttpApi, Properties: {Path: /hi, Method: GET}}
          Other:
            Type: AWS::Serverless::Function
            Condition: IsOff
            Properties:
              CodeUri: s3://bucket/o.zip
              Handler: o.handler
              Runtime: python3.12
              Events:
                Implicit: {Type: Api, Properties: {Path: /implicit, Method: post}}
                HttpOnly: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /gated, Method: POST}}
        Outputs:
          Stage: {Value: !Ref Api.Stage}
          Url: {Value: !Sub "https://${Http}.execute-api.${AWS::Region}.amazonaws.com/${Api.Stage}"}
          Arn: {Value: !GetAtt [Gated.Arn]}
        """,
    "unconditional-implicit-apis": """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          One:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: s3://bucket/one.zip
              Handler: one.handler
              Runtime: nodejs20.x
              AutoPublishAlias: live
              Events:
                A: {Type: Api, Properties: {Path: /a, Method: get}}
                B: {Type: Api, Properties: {Path: /a, Method: put}}
                H: {Type: HttpApi}
        Outputs:
          Alias: {Value: !Ref One.Alias}
          Version: {Value: !GetAtt One.Version.Version}
        """,
    "region-named-alias-no-http-events": """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: s3://bucket/fn.zip
              Handler: fn.handler
              Runtime: python3.12
              AutoPublishAlias: !Ref AWS::Region
              Events:
                A: {Type: Api, Properties: {Path: /a, Method: get}}
                Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
          Queue: {Type: AWS::SQS::Queue}
          Explicit:
            Type: AWS::Serverless::HttpApi
            Properties: {StageName: v1}
        Outputs:
          Alias: {Value: !Ref Fn.Alias}
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
    from samtranslator.intrinsics.resolver import IntrinsicsResolver
    from samtranslator.plugins.api.implicit_api_plugin import ImplicitApiPlugin

    assert IntrinsicsResolver._traverse.__qualname__.startswith("_faster_traversal")
    assert ImplicitApiPlugin._maybe_add_conditions_to_implicit_api_paths.__qualname__.startswith(
        "_faster_implicit_api_paths"
    )


def _fragment(seed: int) -> object:
    """A template fragment: nested dicts (plain and samtranslator's Py27Dict) and lists, with intrinsics that
    resolve (to parameters, derived resource references, renamed logical ids) and intrinsics that do not."""
    import random

    from samtranslator.utils.py27hash_fix import Py27Dict

    rng = random.Random(seed)
    leaves = [
        lambda: {"Ref": "Env"}, lambda: {"Ref": "Fn.Alias"}, lambda: {"Ref": "Old"}, lambda: {"Ref": "Other"},
        lambda: {"Fn::GetAtt": ["Fn.Alias", "Arn"]}, lambda: {"Fn::GetAtt": "Old.Arn"},
        lambda: {"Fn::Sub": "${Env}-${Fn.Alias}-${Old.Arn}"}, lambda: {"Fn::Sub": ["${X}", {"X": {"Ref": "Env"}}]},
        lambda: {"Fn::Join": ["", [{"Ref": "Env"}]]}, lambda: "text", lambda: 3, lambda: None, lambda: [],
        lambda: {"Ref": "Env", "Extra": 1},
    ]

    def build(depth: int) -> object:
        if depth > 3 or rng.random() < 0.3:
            return rng.choice(leaves)()
        if rng.random() < 0.5:
            return [build(depth + 1) for _ in range(rng.randint(0, 3))]
        out = Py27Dict() if rng.random() < 0.5 else {}
        for index in range(rng.randint(0, 3)):
            out[f"K{index}"] = build(depth + 1)
        return out

    return build(0)


def test_the_shortcut_walk_resolves_as_samtranslators_own() -> None:
    """Parameter, resource and logical-id resolution over generated fragments: the shortcut's result (and what it
    did to its input) against samtranslator's own walk on an equal copy, in iteration order."""
    import copy

    template_loader._translator()
    from samtranslator.intrinsics.resolver import IntrinsicsResolver
    from samtranslator.intrinsics.resource_refs import SupportedResourceReferences

    shortcut = IntrinsicsResolver._traverse
    original = shortcut.__wrapped__
    refs = SupportedResourceReferences()
    refs.add("Fn", "Alias", "FnAliaslive")
    runs = [
        ({"Env": "prod"}, "resolve_parameter_refs", ()),
        ({}, "resolve_parameter_refs", ()),
        ({}, "resolve_sam_resource_refs", (refs,)),
        ({}, "resolve_sam_resource_id_refs", ({"Old": "New"},)),
    ]
    for seed in range(300):
        for parameters, method, args in runs:
            fragment = _fragment(seed)
            theirs = copy.deepcopy(fragment)
            resolver = IntrinsicsResolver(parameters)
            ours = getattr(resolver, method)(fragment, *args)
            IntrinsicsResolver._traverse = original
            try:
                expected = getattr(resolver, method)(theirs, *args)
            finally:
                IntrinsicsResolver._traverse = shortcut
            assert json.dumps(ours) == json.dumps(expected), (seed, method)
            assert json.dumps(fragment) == json.dumps(theirs), (seed, method)


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
    assert swagger._deepcopy.__qualname__.startswith("_faster_copies")  # copies without the timing


def test_the_shortcut_iteration_yields_as_samtranslators_own() -> None:
    """Resources of every shape, iterated by type: the same (logical id, type, properties), or the same error."""
    template_loader._translator()
    from samtranslator.sdk.template import SamTemplate

    shortcut = SamTemplate.iterate
    original = shortcut.__wrapped__
    resources = {
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "a.b"}},
        "Gated": {"Type": "AWS::Serverless::Function", "Condition": "IsOn"},
        "Api": {"Type": "AWS::Serverless::Api", "Condition": "IsOn", "Properties": {}},
        "Queue": {"Type": "AWS::SQS::Queue"},
        "NoType": {"Properties": {}},
        "ListType": {"Type": ["AWS::Serverless::Function"]},
        "Empty": {},
    }
    bad_condition = {"Type": "AWS::SQS::Queue", "Condition": {"Fn::Equals": [1, 1]}}
    kinds = [None, set(), {"AWS::Serverless::Function"}, {"AWS::Serverless::Api", "AWS::Serverless::HttpApi"}, {"X"}]
    for extra in ({}, {"Bad": bad_condition}, {"Text": "not a resource"}):
        template = SamTemplate({"Resources": {**resources, **extra}})
        for types in kinds:
            outcomes = []
            for iterate in (original, shortcut):
                try:
                    outcomes.append([(i, r.type, r.properties) for i, r in iterate(template, types)])
                except Exception as exc:  # the shortcut must fail the same way
                    outcomes.append(type(exc).__name__)
            assert outcomes[0] == outcomes[1], (extra, types)


def _api_templates() -> list[dict]:
    """Templates for the implicit-API plugins: events of each kind or none, explicit APIs managed or not, with
    documents the editors take or refuse, with or without paths, and a resource that already has the implicit id."""
    import itertools

    from samtranslator.open_api.open_api import OpenApiEditor
    from samtranslator.swagger.swagger import SwaggerEditor

    events = {
        "none": None,
        "sqs": {"Q": {"Type": "SQS", "Properties": {"Queue": "arn:aws:sqs:us-east-1:1:q"}}},
        "api": {"A": {"Type": "Api", "Properties": {"Path": "/a", "Method": "get"}}},
        "http": {"H": {"Type": "HttpApi", "Properties": {"Path": "/h", "Method": "GET"}}},
        "list": [{"Type": "Api"}],
        "empty-event": {"E": None},
    }
    swagger, openapi = SwaggerEditor.gen_skeleton(), OpenApiEditor.gen_skeleton()
    with_path = copy.deepcopy(swagger)
    with_path["paths"]["/x"] = {"get": {}}
    bodies = {
        "absent": None,
        "swagger": swagger,
        "openapi": openapi,
        "with-path": with_path,
        "not-a-document": {"paths": {}},
        "openapi-bad-info": {**copy.deepcopy(openapi), "info": "text"},
    }
    out = []
    for (event_name, fn_events), api_type, (body_name, body), managed, taken in itertools.product(
        events.items(),
        ["AWS::Serverless::Api", "AWS::Serverless::HttpApi", None],
        bodies.items(),
        [True, False],
        [None, "ServerlessRestApi", "ServerlessHttpApi"],
    ):
        fn: dict = {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "a.b", "Runtime": "python3.12"}}
        if fn_events is not None:
            fn["Properties"]["Events"] = copy.deepcopy(fn_events)
        resources: dict = {"Fn": fn, "Machine": {"Type": "AWS::Serverless::StateMachine", "Properties": {}}}
        if api_type is not None:
            props: dict = {"StageName": "v1"}
            if body is not None:
                props["DefinitionBody"] = copy.deepcopy(body)
            if managed:
                props["__MANAGE_SWAGGER"] = True
            resources["Explicit"] = {"Type": api_type, "Properties": props}
        if taken:
            resources[taken] = {"Type": "AWS::SNS::Topic"}
        out.append({"Resources": resources, "_case": (event_name, api_type, body_name, managed, taken)})
    return out


import copy  # noqa: E402


def test_the_implicit_api_plugins_skip_only_what_changes_nothing() -> None:
    """Each implicit-API plugin run by the shortcut and by itself on equal templates: the same template after it (in
    iteration order), the same remembered resource, or the same error."""
    template_loader._translator()
    from samtranslator.plugins.api.implicit_api_plugin import ImplicitApiPlugin
    from samtranslator.plugins.api.implicit_http_api_plugin import ImplicitHttpApiPlugin
    from samtranslator.plugins.api.implicit_rest_api_plugin import ImplicitRestApiPlugin

    shortcut = ImplicitApiPlugin.on_before_transform_template
    original = shortcut.__wrapped__
    skipped = 0
    for template in _api_templates():
        case = template.pop("_case")
        for plugin_cls in (ImplicitRestApiPlugin, ImplicitHttpApiPlugin):
            outcomes = []
            for run in (original, shortcut):
                plugin, document = plugin_cls(), copy.deepcopy(template)
                ImplicitApiPlugin._maybe_remove_implicit_api, removed = _counting(ImplicitApiPlugin._maybe_remove_implicit_api)
                try:
                    run(plugin, document)
                    kept = plugin.existing_implicit_api_resource
                    outcome: object = (json.dumps(document), json.dumps(kept and kept.resource_dict))
                except Exception as exc:  # the shortcut must fail the same way
                    outcome = type(exc).__name__
                finally:
                    ImplicitApiPlugin._maybe_remove_implicit_api = _counting.original
                outcomes.append(outcome)
                if run is shortcut and not removed:
                    skipped += 1
            assert outcomes[0] == outcomes[1], (case, plugin_cls.__name__)
    assert skipped > 100  # the shortcut is taken


def _counting(method):  # type: ignore[no-untyped-def]
    """``method`` and a list that gets an entry for each call."""
    _counting.original = method  # type: ignore[attr-defined]
    calls: list[int] = []

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return method(*args, **kwargs)

    return counted, calls


def test_the_translator_is_given_the_sessions_region() -> None:
    """The session samtranslator is given answers its region as the boto3 session does (a translation names
    resources after it: see the region-named-alias template above), and anything else as the session."""
    import boto3

    translator = template_loader._translator()
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="offline", aws_secret_access_key="offline")
    assert translator.boto_session.region_name == session.region_name == "us-east-1"
    assert translator.boto_session.profile_name == session.profile_name


def test_plain_turns_samtranslators_values_and_leaves_its_input_alone() -> None:
    """``_plain`` over generated fragments (plain dicts and lists, samtranslator's Py27Dict, Py27UniStr keys and
    values): the same values in the same order, nothing of samtranslator's types left, the fragment unchanged, and a
    fragment with nothing to turn given back as it is."""
    from samtranslator.utils.py27hash_fix import Py27Dict, Py27UniStr

    def kinds(value: object) -> set[type]:
        found = {type(value)}
        if isinstance(value, dict):
            for k, v in value.items():
                found |= kinds(k) | kinds(v)
        elif isinstance(value, list):
            for v in value:
                found |= kinds(v)
        return found

    turned = 0
    for seed in range(300):
        fragment = _fragment(seed)
        if isinstance(fragment, dict) and seed % 3 == 0:
            fragment[Py27UniStr("U")] = [Py27UniStr("u"), {"k": Py27UniStr("v")}]
        before = json.dumps(fragment)
        out = template_loader._plain(fragment)
        assert json.dumps(out) == before == json.dumps(fragment), seed
        assert not kinds(out) & {Py27Dict, Py27UniStr}, seed
        if not kinds(fragment) & {Py27Dict, Py27UniStr}:
            assert out is fragment
        else:
            turned += 1
    assert turned > 100


_MORE = {
    "globals-local-code-policies": """\
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Runtime: python3.12
            Timeout: 30
            Tracing: Active
            CodeUri: src/
            Environment: {Variables: {STAGE: dev}}
        Resources:
          Table: {Type: AWS::Serverless::SimpleTable}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Policies:
                - AWSLambdaBasicExecutionRole
                - DynamoDBCrudPolicy: {TableName: !Ref Table}
                - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
              Events:
                Get: {Type: Api, Properties: {Path: /items, Method: get}}
                Any: {Type: HttpApi, Properties: {Path: /h, Method: ANY}}
                Q: {Type: SQS, Properties: {Queue: arn:aws:sqs:us-east-1:1:q}}
          Other:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: other/
              Handler: o.handler
              DeadLetterQueue: {Type: SQS, TargetArn: arn:aws:sqs:us-east-1:1:dlq}
        """,
    "fails-after-changes": """\
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function: {Runtime: nodejs20.x, CodeUri: src/, Tracing: Active}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Policies: [AWSLambdaBasicExecutionRole]
              Events:
                Get: {Type: Api, Properties: {Path: /a, Method: get}}
          Broken:
            Type: AWS::Serverless::Function
            Properties: {Handler: a.b, Nonsense: 1, DeadLetterQueue: {Type: SQS, TargetArn: x}}
        """,
}


def test_translating_the_template_itself_builds_what_translating_a_copy_built(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The loader translates a SAM template in place and reads the template as written from what it kept aside
    (or, when translation fails, from the text again). The model is the one built the earlier way: a copy
    translated, the template as parsed read for lines, Globals and the fallback."""
    from collections.abc import Mapping

    from faasguard.loaders import located_yaml, looks
    from faasguard.loaders.cloudformation_builder import TemplateReader, build_application

    def earlier(path, text):  # type: ignore[no-untyped-def]
        template = located_yaml.parse(text)
        code_dirs = template_loader._cfn_code_dirs(template, path.parent, looks.Looks())
        skipped = template_loader.resource_skips(template)
        sam_globals = template.get("Globals") if isinstance(template.get("Globals"), Mapping) else None
        translated, sam_dirs, _ = template_loader.translate_sam(template, path.parent, tmp_path, [], looks.Looks())
        code_dirs.update(sam_dirs)
        if translated is None:
            translated = template_loader._sam_fallback(template)
        reader = TemplateReader(translated, "t.yaml", path.parent, template_loader._origin_finder(template), sam_globals)
        app = build_application(reader, "sam", code_dirs)
        app.skipped.update(skipped)
        return app

    failed = 0
    for name, text in {**TEMPLATES, **_MORE}.items():
        text = textwrap.dedent(text)
        path = tmp_path / "t.yaml"
        path.write_text(text)
        result, _ = template_loader._load(path, text, tmp_path, "t.yaml", looks.Looks())
        failed += bool(result.warnings)
        assert result.applications == [earlier(path, text)], name
    assert failed == 2  # the fallback is compared too
