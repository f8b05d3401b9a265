"""Every name in the engine's tables (``[tables]`` of data/taint/<language>.toml, the SDK tables of shared.toml) does
what its table says, on a handler written for it: one generated line per row, checked by line."""

from __future__ import annotations

from pathlib import Path

from faasguard.code import modeldata, taint_model
from faasguard.code.analyzer import CodeAnalyzer, _Cache
from faasguard.code.engine import sdk_tables, tables
from faasguard.code.facts import CodeFacts
from faasguard.interfaces import AnalysisResult
from faasguard.model import Function, Loc

PY = tables("python")


def _raw(language: str) -> dict:
    return modeldata.bundled(f"{language}.toml")["tables"]


JS = tables("javascript")
SDK = sdk_tables()


def facts(tmp_path: Path, name: str, code: str, handler: str | None = "handler") -> CodeFacts:
    path = tmp_path / name
    path.write_text(code, encoding="utf-8")
    runtime = "python3.12" if name.endswith(".py") else "nodejs20.x"
    fn = Function(name="Fn", loc=Loc(name, 1), runtime=runtime, handler=f"{path.stem}.{handler or 'missing'}",
                  code_dir=tmp_path)
    result = AnalysisResult()
    out = CodeAnalyzer()._function(fn, _Cache(tmp_path.resolve(), result), result)
    assert out is not None, result.errors
    return out


def lines_of(code: str, marker: str) -> dict[int, str]:
    """line number → the row a generated line exercises (the text after ``marker``)."""
    return {n: line.rsplit(marker, 1)[1].strip() for n, line in enumerate(code.splitlines(), 1) if marker in line}


# ---- Python -------------------------------------------------------------------------------------------------


def test_python_db_connect_rows_are_per_invocation(tmp_path):
    imports = sorted({name.rsplit(".", 1)[0] for name in PY.db_connect})
    body = [f"    {name}()  # row: {name}" for name in sorted(PY.db_connect)]
    code = "\n".join([*(f"import {m}" for m in imports), "", "def handler(event, context):", *body, ""])
    found = {(p.loc.line, p.what) for p in facts(tmp_path, "app.py", code).per_invocation if p.kind == "db-connection"}
    assert found == set(lines_of(code, "# row:").items())


def test_python_logging_rows_log_the_event(tmp_path):
    rows = [f"    {lib}.{method}(event)  # row: {lib}.{method}" for lib in PY.log_libraries for method in sorted(PY.log_methods)]
    rows += [f"    {name}.info(event)  # row: {name}" for name in sorted(PY.logger_names)]
    rows += [f"    {call}(event)  # row: {call}" for call in sorted(PY.print_calls | PY.stream_writes)]
    code = "\n".join(["import sys", *(f"import {lib}" for lib in PY.log_libraries), "", "def handler(event, context):",
                      *rows, ""])
    found = {leak.loc.line for leak in facts(tmp_path, "app.py", code).log_leaks if leak.kind == "whole-event"}
    assert found == set(lines_of(code, "# row:"))


def test_python_structured_dump_row(tmp_path):
    (dump,) = PY.structured_dumps
    code = f"import json\n\ndef handler(event, context):\n    print({dump[:-2]}({{'a': 1}}))\n"
    assert facts(tmp_path, "app.py", code).logging.structured


def test_python_string_methods_keep_a_secret_and_predicates_stop_event_data(tmp_path):
    rows = [f"    print(password.{m}())  # row: {m}" for m in sorted(PY.string_methods)]
    stops = [f"    os.system(event['x'].{m}('a'))  # stop: {m}" for m in sorted(PY.predicates)]
    code = "\n".join(["import os", "", "def handler(event, context):", "    password = os.environ['DB_PASSWORD']", *rows,
                      *stops, "    os.system(event['x'].strip())  # control", ""])
    got = facts(tmp_path, "app.py", code)
    assert {leak.loc.line for leak in got.log_leaks if leak.kind == "secret"} == set(lines_of(code, "# row:"))
    assert {f.sink_loc.line for f in got.flows} == {len(code.splitlines())}


def test_python_callback_rows_see_the_collection(tmp_path):
    calls = {"functools.reduce": "functools.reduce(lambda acc, h: os.system(h), event['hosts'])",
             "itertools.starmap": "list(itertools.starmap(lambda h: os.system(h), event['hosts']))",
             "sorted": "sorted(event['hosts'], key=lambda h: os.system(h))"}
    rows = [f"    {calls.get(name, f'list({name}(lambda h: os.system(h), event[{chr(39)}hosts{chr(39)}]))')}  # row: {name}"
            for name in sorted(PY.callbacks) if name not in ("min", "max", "reduce")]
    rows += [f"    {name}(event['hosts'], key=lambda h: os.system(h))  # row: {name}" for name in ("min", "max")]
    rows += ["    reduce(lambda acc, h: os.system(h), event['hosts'])  # row: reduce"]
    code = "\n".join(["import functools", "import itertools", "import os", "from functools import reduce as _r", "",
                      "reduce = _r", "", "def handler(event, context):", *rows, ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code).flows}
    assert found == set(lines_of(code, "# row:"))


def test_python_route_decorator_rows_make_routes(tmp_path):
    parts = ["import os", "import framework", "", "app = framework.App()", ""]
    for i, name in enumerate(sorted(PY.route_decorators)):
        parts += [f"@app.{name}('/r{i}')", f"def route_{i}(cmd):", f"    os.system(cmd)  # row: {name}", ""]
    code = "\n".join(parts)
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code, handler=None).flows}
    assert found == set(lines_of(code, "# row:"))


def test_python_subscript_client_rows(tmp_path):
    rows = [f"    {m}.Client()['db']['c'].find(json.loads(event['body']))  # row: {m}" for m in PY.subscript_clients]
    code = "\n".join(["import json", *(f"import {m}" for m in PY.subscript_clients), "", "def handler(event, context):",
                      *rows, ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code).flows if f.kind == "nosql"}
    assert found == set(lines_of(code, "# row:"))


def test_python_parsed_member_rows_may_be_query_objects(tmp_path):
    members = sorted(_raw("python")["parsed_members"])
    rows = [f"    coll.find(event['r'].{m}{'()' if m.startswith('get_') else ''})  # row: {m}" for m in members]
    code = "\n".join(["import pymongo", "", "coll = pymongo.MongoClient()['db']['c']", "", "def handler(event, context):",
                      *rows, "    coll.find(event['r'].text)  # control: a string is no query object", ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code).flows if f.kind == "nosql"}
    assert found == set(lines_of(code, "# row:"))


def test_python_mutator_rows_carry_data_into_the_receiver(tmp_path):
    rows = []
    for m in sorted(_raw("python")["mutators"]):
        rows += [f"    box_{m} = []", f"    box_{m}.{m}(event['x'])", f"    os.system(''.join(box_{m}))  # row: {m}"]
    code = "\n".join(["import hashlib", "import os", "", "def handler(event, context):", *rows,
                      "    digest = hashlib.sha256()", "    digest.update(event['x'])",
                      "    os.system(digest.hexdigest())  # control: a library object's update is not a list", ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code).flows}
    assert found == set(lines_of(code, "# row:"))


def test_python_source_rows_are_request_data(tmp_path):
    sources = sorted(taint_model.models("python").sources)
    rows = []
    for i, name in enumerate(sources):
        module, _, rest = name.partition("().")
        path, _, cls = module.rpartition(".")
        obj = f"{rest}" if "()" in name else ""
        if "()" in name:
            rows += [f"from {path} import {cls} as C{i}", f"o{i} = C{i}()"]
        else:
            rows += [f"import {path}" if path else ""]
        del obj
    body = []
    for i, name in enumerate(sources):
        if "()" in name:
            body.append(f"    os.system(o{i}.{name.partition('().')[2]}.x)  # row: {name}")
        else:
            body.append(f"    os.system({name}.x)  # row: {name}")
    code = "\n".join(["import os", *rows, "", "def handler(event, context):", *body, ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code).flows}
    assert found == set(lines_of(code, "# row:"))


def test_boto3_resource_tables(tmp_path):
    make = {"table": "Table('t')", "bucket": "Bucket('b')", "object": "Object('b', 'k')", "queue": "Queue('u')",
            "topic": "Topic('arn')", "message": "Message('u', 'h')"}
    service = {kind: svc for kind, svc in SDK.resource_factories.values()}
    rows = [f"    boto3.resource('{service[kind]}').{make[kind]}.{method}()  # row: {kind}.{method} {op}"
            for kind, methods in sorted(SDK.resource_methods.items()) for method, op in sorted(methods.items())]
    rows += [f"    boto3.resource('{svc}').{factory}('x', 'y').delete()  # factory: {factory}"
             for factory, (_, svc) in sorted(SDK.resource_factories.items())]
    code = "\n".join(["import boto3", "", "def handler(event, context):", *rows, ""])
    got = facts(tmp_path, "app.py", code)
    calls = {(c.loc.line, c.operation) for c in got.sdk_calls}
    assert {(n, row.split()[-1]) for n, row in lines_of(code, "# row:").items()} <= calls
    assert set(lines_of(code, "# factory:")) <= {line for line, _ in calls}
    assert set(SDK.resource_methods) == set(make)


def test_credential_rows(tmp_path):
    method = {"AssumeRole": "assume_role", "AssumeRoleWithWebIdentity": "assume_role_with_web_identity",
              "AssumeRoleWithSAML": "assume_role_with_saml", "GetSessionToken": "get_session_token",
              "GetFederationToken": "get_federation_token", "GetCredentialsForIdentity": "get_credentials_for_identity"}
    rows = [f"    boto3.client('s3', **boto3.client('{svc}').{method[op]}()['Credentials']).list_buckets()  # row: {op}"
            for svc, op in sorted(SDK.credential_operations)]
    keywords = sorted(k for k in SDK.credential_parameters if k.startswith(("aws_", "botocore")))
    rows += [f"    boto3.client('s3', {k}=x).list_buckets()  # row: {k}" for k in keywords]
    code = "\n".join(["import boto3", "", "def handler(event, context):", "    x = event", *rows, ""])
    got = facts(tmp_path, "app.py", code)
    explicit = {c.loc.line for c in got.sdk_calls if c.operation == "ListBuckets" and c.explicit_credentials}
    assert explicit == set(lines_of(code, "# row:"))
    js_keys = sorted(SDK.credential_parameters - set(keywords))
    js_rows = [f"  await new S3Client({{ {k}: x }}).send(new ListBucketsCommand({{}}));  // row: {k}" for k in js_keys]
    js = "\n".join(['const { S3Client, ListBucketsCommand } = require("@aws-sdk/client-s3");', "",
                    "exports.handler = async (x) => {", *js_rows, "};", ""])
    got = facts(tmp_path, "index.js", js)
    assert {c.loc.line for c in got.sdk_calls if c.explicit_credentials} == set(lines_of(js, "// row:"))


# ---- JavaScript ---------------------------------------------------------------------------------------------


def _js_call(name: str) -> tuple[str, str]:
    """("mysql2/promise", "createConnection") for a qualified name; the module alone for a callable module."""
    head, _, rest = name.partition(".")
    return head, rest


def test_js_db_connect_rows_are_per_invocation(tmp_path):
    requires, rows = [], []
    for i, name in enumerate(sorted(JS.db_connect)):
        module, rest = _js_call(name)
        requires.append(f'const m{i} = require("{module}");')
        rows.append(f"  m{i}{'.' + rest if rest else ''}();  // row: {name}")
    code = "\n".join([*requires, "", "exports.handler = async (event) => {", *rows, "};", ""])
    found = {(p.loc.line, p.what) for p in facts(tmp_path, "index.js", code).per_invocation if p.kind == "db-connection"}
    assert found == set(lines_of(code, "// row:").items())


def test_js_logging_rows_log_the_event(tmp_path):
    requires = [f'const l{i} = require("{lib}")();' for i, lib in enumerate(JS.log_libraries)]
    rows = [f"  l{i}.{m}(event);  // row: {lib} {m}" for i, lib in enumerate(JS.log_libraries) for m in sorted(JS.log_methods)]
    rows += [f"  {name}.info(event);  // row: {name}" for name in sorted(JS.logger_names)]
    rows += [f"  {call}(event);  // row: {call}" for call in sorted(JS.print_calls)]
    code = "\n".join([*requires, "", "exports.handler = async (event) => {", *rows, "};", ""])
    got = facts(tmp_path, "index.js", code)
    assert {leak.loc.line for leak in got.log_leaks if leak.kind == "whole-event"} == set(lines_of(code, "// row:"))
    (dump,) = JS.structured_dumps
    code = f"exports.handler = async (event) => {{\n  console.log({dump[:-2]}({{ a: 1 }}));\n}};\n"
    assert facts(tmp_path, "index.js", code).logging.structured


def test_js_callbacks_and_predicates(tmp_path):
    rows = [f"  event.hosts.{m}((h) => cp.execSync(h));  // row: {m}" for m in sorted(JS.callbacks)]
    stops = [f"  cp.execSync(event.x.{m}('a'));  // stop: {m}" for m in sorted(JS.predicates)]
    stops += [f"  cp.execSync('count ' + JSON.stringify(event.x?.{m} ?? 0));  // stop: {m}" for m in sorted(JS.number_members)]
    rows += ["  cp.execSync('count ' + event.x['length']);  // row: a member named by a string is the attacker's"]
    code = "\n".join(['const cp = require("child_process");', "", "exports.handler = async (event) => {", *rows, *stops,
                      "};", ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "index.js", code).flows}
    assert found == set(lines_of(code, "// row:"))


def test_js_web_app_rows(tmp_path):
    parts = ['const cp = require("child_process");']
    for i, lib in enumerate(JS.web_apps):
        parts.append(f'const app{i} = require("{lib}")();')
        for m in sorted(JS.route_methods):
            parts.append(f'app{i}.{m}("/x", (req, res) => cp.execSync(req.query.c));  // row: {lib} {m}')
    code = "\n".join([*parts, ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "index.js", code, handler=None).flows}
    assert found == set(lines_of(code, "// row:"))


def test_js_web_wrapper_rows(tmp_path):
    for i, wrapper in enumerate(JS.web_wrappers):
        code = "\n".join(['const cp = require("child_process");', 'const app = require("express")();',
                          f'const wrap = require("{wrapper}");',
                          'app.post("/run", (req, res) => res.send(cp.execSync(req.body.cmd)));  // row',
                          "module.exports.handler = wrap(app);", ""])
        got = facts(tmp_path, f"w{i}.js", code)
        assert [f.sink_loc.line for f in got.flows] == [4], wrapper


def test_js_body_parser_rows_make_the_body_an_object(tmp_path):
    for i, parser in enumerate(_raw("javascript")["body_parsers"]):
        module, _, member = parser.partition(".")
        load = f'const {{ {member}: parse }} = require("{module}");' if member else f'const parse = require("{module}");'
        code = "\n".join(['const middy = require("@middy/core");', 'const { MongoClient } = require("mongodb");', load,
                          'const users = new MongoClient("mongodb://db").db("app").collection("users");',
                          "const base = async (event) => {",
                          "  await users.findOne({ name: event.body.name });  // row",
                          "  await users.findOne({ name: event.queryStringParameters.name });  // control: a string",
                          "};", "exports.handler = middy(base).use(parse());", ""])
        got = facts(tmp_path, f"m{i}.js", code)
        assert [f.sink_loc.line for f in got.flows] == [6], parser
    unparsed = code.replace("middy(base).use(parse())", "middy(base)")
    assert list(facts(tmp_path, "plain.js", unparsed).flows) == []


def test_js_lodash_style_pass_rows(tmp_path):
    rows = {"lodash/get": 'const get = require("lodash/get");\nconst out = get(event, "q");',
            "lodash-es.get": 'const { get } = require("lodash-es");\nconst out = get(event, "q");',
            "dot-prop.getProperty": 'const { getProperty } = require("dot-prop");\nconst out = getProperty(event, "q");'}
    names = [p for p in taint_model.models("javascript").pass_through if p.startswith(("lodash", "dot-prop"))]
    for i, name in enumerate(sorted(names)):
        fn = name.split(".", 1)[1] if name.startswith("lodash.") else ""
        body = rows.get(name) or f'const _ = require("lodash");\nconst out = _.{fn}({{}}, event);'
        code = "\n".join(['const cp = require("child_process");', "exports.handler = async (event) => {", body,
                          "  cp.execSync(String(out));  // row", "};", ""])
        got = facts(tmp_path, f"p{i}.js", code)
        assert [f.sink_loc.line for f in got.flows] == list(lines_of(code, "// row")), name


def test_document_client_rows(tmp_path):
    rows = [f'  await doc.{m}({{ TableName: "t" }}).promise();  // row: {op}' for m, op in sorted(SDK.document_client.items())]
    code = "\n".join(['const AWS = require("aws-sdk");', "const doc = new AWS.DynamoDB.DocumentClient();", "",
                      "exports.handler = async (event) => {", *rows, "};", ""])
    calls = {(c.loc.line, c.operation) for c in facts(tmp_path, "index.js", code).sdk_calls}
    assert calls == {(n, op) for n, op in lines_of(code, "// row:").items()}


def test_hand_written_copies_keep_every_field():
    """Val.with_taint and Taint.step copy without dataclasses.replace (hot paths): a new field must be copied too."""
    from dataclasses import fields, replace

    from faasguard.code.values import SdkObj, Taint, Val

    taint = Taint("event", Loc("a.py", 1), (), parsed=True, whole=True, cleaned=frozenset({"sql"}))
    full = Val(taint, "c", "E", "q", SdkObj("s3", "client", "boto3"), "s", True, object(), (("k", Val()),), "p")
    assert all(getattr(full, f.name) not in (None, False) for f in fields(Val))
    other = Taint("x", Loc("b.py", 2))
    assert full.with_taint(other) == replace(full, taint=other)
    stepped = taint.step(Loc("a.py", 3), "note")
    assert replace(stepped, steps=()) == taint and len(stepped.steps) == 1
    assert all(getattr(taint, f.name) not in (None, False, ()) for f in fields(Taint) if f.name != "steps")


def test_python_partial_rows_bind_the_function_and_its_keywords(tmp_path):
    rows = [f"    {name}(subprocess.run, shell=True)(event['cmd'])  # row: {name}" for name in sorted(PY.partials)]
    rows += [f"    {name}(subprocess.run, check=True)(['ls', event['cmd']])  # control: no shell" for name in sorted(PY.partials)]
    code = "\n".join(["import functools", "import subprocess", "", "def handler(event, context):", *rows, ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code).flows}
    assert found == set(lines_of(code, "# row:"))


def test_js_handler_registration_rows_name_the_handler(tmp_path):
    rows = sorted(JS.handler_registrations)
    lines = ["const ff = require('@google-cloud/functions-framework');", "const { execSync } = require('child_process');", ""]
    for n, qual in enumerate(rows):
        method = qual.rsplit(".", 1)[1]
        lines += [f"ff.{method}('h{n}', (req, res) => {{", f"  execSync('ls ' + req.x);  // row: {qual}", "});"]
    lines += ["ff.other('h9', (req) => { execSync('ls ' + req.x); });  // control: not a registration", ""]
    code = "\n".join(lines)
    found: set[int] = set()
    for n in [*range(len(rows)), 9]:
        found |= {f.sink_loc.line for f in facts(tmp_path, "index.js", code, handler=f"h{n}").flows}
    assert found == set(lines_of(code, "// row:"))


def test_slash_remover_and_splitter_rows_keep_a_path_in_its_directory(tmp_path):
    rows = [f"    open('/tmp/' + event['k'].{m}('/', '-'))  # row: {m}" for m in sorted(PY.slash_removers)]
    rows += [f"    open('/tmp/' + event['k'].{m}('/')[-1])  # row: {m}" for m in sorted(PY.slash_splitters)]
    rows += [f"    open('/tmp/' + event['k'].{m}('/', 1)[0])  # control: maxsplit" for m in sorted(PY.slash_splitters)]
    rows += [f"    open('/tmp/' + event['k'].{m}('/', '-/'))  # control: puts a / back" for m in sorted(PY.slash_removers)]
    code = "\n".join(["def handler(event, context):", *rows, ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code).flows if f.kind == "path"}
    assert found == set(lines_of(code, "# control:"))
    js_rows = [f"  fs.readFileSync('/tmp/' + event.k.{m}('/', '-'));  // row: {m}" for m in sorted(JS.slash_removers)]
    js_rows += ["  fs.readFileSync('/tmp/' + event.k.replace('/', '-'));  // control: the first / only"]
    js = "\n".join(["const fs = require('fs');", "exports.handler = async (event) => {", *js_rows, "};", ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "index.js", js).flows if f.kind == "path"}
    assert found == set(lines_of(js, "// control:"))
