"""Libraries that call AWS themselves (data/aws_libraries.toml) make least privilege incomplete.

A function that saves a PynamoDB model or reads an SSM parameter through Powertools
needs the grants those libraries use, which the engine does not see: FG-IAM-030/043 must not
call them unused, and FG-IAM-034 names the import. Every row of the table is exercised, in
CommonJS and ESM for npm packages.
"""

from __future__ import annotations

import json

import pytest

from faasguard.code.libraries import libraries
from tests.conftest import by_rule

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Todos:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: RUNTIME
      Handler: HANDLER
      CodeUri: src/
      Policies:
        - DynamoDBCrudPolicy: {TableName: todos}
"""

ROWS = libraries()


def _python_import(name: str) -> str:
    parent, _, child = name.rpartition(".")
    return f"from {parent} import {child}" if parent else f"import {name}"


def _scan(scan_files, language: str, import_line: str):
    if language == "python":
        code = f"import json\n{import_line}\n\n\ndef handler(event, context):\n    return {{'statusCode': 200}}\n"
        files = {"src/app.py": code, "template.yaml": TEMPLATE.replace("RUNTIME", "python3.12").replace("HANDLER", "app.handler")}
    else:
        code = f"{import_line}\n\nexport const handler = async () => ({{ statusCode: 200 }});\n"
        files = {"src/index.mjs": code,
                 "template.yaml": TEMPLATE.replace("RUNTIME", "nodejs20.x").replace("HANDLER", "index.handler")}
    return scan_files(files, rules={"FG-IAM-030", "FG-IAM-034", "FG-IAM-043"})


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for lib in ROWS:
        if lib.language == "python":
            cases.append((lib.language, lib.name, _python_import(lib.name)))
        else:
            cases.append((lib.language, lib.name, f'const lib = require("{lib.name}");'))
            cases.append((lib.language, lib.name, f'import * as lib from "{lib.name}/sub/path.js";'))
    return cases


@pytest.mark.parametrize(("language", "name", "import_line"), _cases(), ids=[f"{c[1]}:{c[2][:6]}" for c in _cases()])
def test_a_library_that_calls_aws_makes_no_unused_claim(scan_files, language, name, import_line):
    result = _scan(scan_files, language, import_line)
    assert by_rule(result, "FG-IAM-030") == [] and by_rule(result, "FG-IAM-043") == []
    [note] = by_rule(result, "FG-IAM-034")
    assert note.severity.name == "INFO"
    assert f":2: imports {name}, which calls AWS itself" in note.message if language == "python" else \
        f":1: imports {name}, which calls AWS itself" in note.message
    assert "Review by hand what the imported library calls" in note.remediation


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_without_such_an_import_the_unused_grants_are_reported(scan_files, language):
    result = _scan(scan_files, language, "import os" if language == "python" else 'import fs from "fs";')
    [unused] = by_rule(result, "FG-IAM-030")
    assert "never uses" in unused.message and "dynamodb:PutItem" in unused.message


def test_a_name_that_only_starts_like_a_row_does_not_match(scan_files):
    result = _scan(scan_files, "python", "import pynamodb_helpers_fake")
    assert by_rule(result, "FG-IAM-030"), "pynamodb_helpers_fake is not pynamodb"


def test_the_import_is_a_code_fact_in_the_json_report(tmp_path):
    from faasguard.cli import main

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "models.py").write_text("from pynamodb.models import Model\n\n\nclass Todo(Model):\n    pass\n")
    (tmp_path / "src" / "app.py").write_text("from models import Todo\n\n\ndef handler(event, context):\n    Todo.get('1')\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE.replace("RUNTIME", "python3.12").replace("HANDLER", "app.handler"))
    out = tmp_path / "report.json"
    assert main(["scan", str(tmp_path), "--format", f"json:{out}", "--show-facts", "--fail-on", "none", "--no-cache"]) == 0
    [function] = json.loads(out.read_text())["functions"]
    assert function["aws_libraries"] == [
        {"name": "pynamodb", "calls": "DynamoDB, through its models", "path": "src/models.py", "line": 1}
    ]
