"""The naming tables of shared.toml (shells, sensitive words, SDK class and command names, boto3 helpers): every row
does what its table says on a handler written for it, one generated line per row, checked by line."""

from __future__ import annotations

from pathlib import Path

from faasguard.code.modeldata import shared
from faasguard.code.python import PyModule
from tests.code.test_tables import facts, lines_of

DATA = shared()


def test_shell_program_and_flag_rows_run_the_next_word(tmp_path):
    rows = [f"    subprocess.run(['{prog}', '-c', event['cmd']])  # row: {prog}" for prog in DATA["shell_programs"]]
    rows += [f"    subprocess.run(['/bin/bash', '{flag}', event['cmd']])  # row: {flag}" for flag in DATA["shell_flags"]]
    code = "\n".join(["import subprocess", "", "def handler(event, context):", *rows,
                      "    subprocess.run(['python3', '-c', event['cmd']])  # control: not a shell",
                      "    subprocess.run(['bash', '-x', event['cmd']])  # control: not a command flag", ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code).flows if f.kind == "shell"}
    assert found == set(lines_of(code, "# row:"))


def test_sensitive_word_rows_make_a_file_worth_walking_for_literals():
    for word in DATA["sensitive_words"]:
        mod = PyModule.parse(Path("a.py"), "a.py", f"x = {{'my_{word.upper()}_x': 'value-{word}'}}\n")
        assert list(mod.string_literals()) == [(f"my_{word.upper()}_x", f"value-{word}", 1)], word
    assert list(PyModule.parse(Path("a.py"), "a.py", "x = {'colour': 'blue'}\n").string_literals()) == []


def test_aws_sdk_v2_class_rows_name_the_service(tmp_path):
    rows = [f"  await new AWS.{cls}().someCall({{}}).promise();  // row: {svc}" for cls, svc in DATA["sdk_v2_classes"].items()]
    code = "\n".join(['const AWS = require("aws-sdk");', "", "exports.handler = async (event) => {", *rows, "};", ""])
    calls = {(c.loc.line, c.service) for c in facts(tmp_path, "index.js", code).sdk_calls}
    assert calls == set(lines_of(code, "// row:").items())


def test_lib_dynamodb_command_rows_name_the_operation(tmp_path):
    names = sorted(DATA["lib_dynamodb"])
    rows = [f'  await doc.send(new {name}Command({{ TableName: "t" }}));  // row: {DATA["lib_dynamodb"][name]}'
            for name in names]
    code = "\n".join([f'const {{ DynamoDBDocumentClient, {", ".join(n + "Command" for n in names)} }} = '
                      'require("@aws-sdk/lib-dynamodb");',
                      'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");',
                      "const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));", "",
                      "exports.handler = async (event) => {", *rows, "};", ""])
    calls = {(c.loc.line, c.operation) for c in facts(tmp_path, "index.js", code).sdk_calls}
    assert calls == set(lines_of(code, "// row:").items())


def test_boto3_injected_and_non_call_rows(tmp_path):
    make = {"s3": "boto3.client('s3')", "dynamodb": "boto3.resource('dynamodb').Table('t')"}
    rows = [f"    {make[svc]}.{method}('a', 'b', 'c')  # row: {op}"
            for svc, methods in sorted(DATA["boto3_injected"].items()) for method, op in sorted(methods.items())]
    rows += [f"    boto3.client('sqs').{name}()  # none: {name}" for name in DATA["boto3_non_calls"]]
    code = "\n".join(["import boto3", "", "def handler(event, context):", *rows, ""])
    calls = {(c.loc.line, c.operation) for c in facts(tmp_path, "app.py", code).sdk_calls}
    assert calls == set(lines_of(code, "# row:").items())


def test_boto3_file_parameter_rows_name_the_local_path(tmp_path):
    """Each row's Filename position gets event data: a path traversal there, and only there."""
    make = {"client": "boto3.client('s3')", "bucket": "boto3.resource('s3').Bucket('b')",
            "object": "boto3.resource('s3').Object('b', 'k')"}
    rows = []
    for kind, methods in sorted(DATA["boto3_file_parameters"].items()):
        for method, names in sorted(methods.items()):
            path = ", ".join("event['path']" if name == "Filename" else f"'{name.lower()}'" for name in names)
            rows.append(f"    {make[kind]}.{method}({path})  # row: {kind}.{method}")
            other = ", ".join("'/tmp/x'" if name == "Filename" else "event['path']" for name in names)
            rows.append(f"    {make[kind]}.{method}({other})  # control: event data in the bucket or key")
    code = "\n".join(["import boto3", "", "def handler(event, context):", *rows, ""])
    found = {f.sink_loc.line for f in facts(tmp_path, "app.py", code).flows if f.kind == "path"}
    assert found == set(lines_of(code, "# row:"))
