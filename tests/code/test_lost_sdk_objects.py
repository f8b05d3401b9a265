"""SDK clients the walk cannot follow (kept in an object, passed to a call it does not know) make least privilege
incomplete (FG-IAM-034 info), never a false "never uses" (FG-IAM-030); a module that exports one client is followed."""

from __future__ import annotations

from faasguard.code.engine import tables
from faasguard.findings import Severity
from tests.code.test_tables import facts, lines_of
from tests.conftest import by_rule

SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Create:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: {runtime}
      Handler: {handler}
      CodeUri: src/
      Policies:
        - DynamoDBCrudPolicy: {{TableName: todos}}
"""
RULES = {"FG-IAM-030", "FG-IAM-034"}


def _js_repo(store: str, use: str) -> dict[str, str]:
    return {
        "template.yaml": SAM.format(runtime="nodejs20.x", handler="create.create"),
        "src/dynamodb.js": f"""
            const AWS = require("aws-sdk");
            class Repo {{
              constructor() {{ {store} = new AWS.DynamoDB.DocumentClient(); }}
              save(item) {{ return {use}.put({{ TableName: "todos", Item: item }}).promise(); }}
            }}
            module.exports = {{ Repo }};
            """,
        "src/create.js": """
            const { Repo } = require("./dynamodb");
            const repo = new Repo();
            module.exports.create = async (event) => {
              await repo.save({ id: 1 });
              return {};
            };
            """,
    }


def test_js_client_kept_on_this_is_followed_into_the_methods(scan_files):
    result = scan_files(_js_repo("this.db", "this.db"), rules=RULES)
    (unused,) = by_rule(result, "FG-IAM-030")
    assert "9 action(s)" in unused.message and "PutItem" not in unused.message
    assert by_rule(result, "FG-IAM-034") == []


def test_js_client_kept_where_the_engine_does_not_look_makes_least_privilege_incomplete(scan_files):
    result = scan_files(_js_repo('this.clients["db"]', 'this.clients["db"]'), rules=RULES)
    assert by_rule(result, "FG-IAM-030") == []
    (note,) = by_rule(result, "FG-IAM-034")
    assert note.severity == Severity.INFO and note.function == "Create"


def _python_repo(store: str, use: str) -> dict[str, str]:
    return {
        "template.yaml": SAM.format(runtime="python3.12", handler="app.handler"),
        "src/db.py": f"""
            import boto3

            class Repo:
                def __init__(self):
                    {store} = boto3.resource("dynamodb").Table("todos")

                def save(self, item):
                    {use}.put_item(Item=item)
            """,
        "src/app.py": """
            from db import Repo

            repo = Repo()

            def handler(event, context):
                repo.save({"id": "1"})
            """,
    }


def test_python_client_kept_on_self_is_followed_into_the_methods(scan_files):
    result = scan_files(_python_repo("self.table", "self.table"), rules=RULES)
    (unused,) = by_rule(result, "FG-IAM-030")
    assert "9 action(s)" in unused.message and "PutItem" not in unused.message
    assert by_rule(result, "FG-IAM-034") == []


def test_python_client_kept_where_the_engine_does_not_look_makes_least_privilege_incomplete(scan_files):
    result = scan_files(_python_repo('self.tables["todos"]', 'self.tables["todos"]'), rules=RULES)
    assert by_rule(result, "FG-IAM-030") == []
    assert [f.severity for f in by_rule(result, "FG-IAM-034")] == [Severity.INFO]


def test_js_module_exporting_one_client_is_followed(tmp_path):
    (tmp_path / "dynamodb.js").write_text('const AWS = require("aws-sdk");\n'
                                          "module.exports = new AWS.DynamoDB.DocumentClient();\n", encoding="utf-8")
    code = "\n".join(['const dynamodb = require("./dynamodb");', "exports.handler = async (event) => {",
                      '  await dynamodb.put({ TableName: "todos", Item: {} }).promise();', "};", ""])
    got = facts(tmp_path, "index.js", code)
    assert [(c.loc.line, c.operation, c.resource) for c in got.sdk_calls] == [(3, "PutItem", "todos")]
    assert got.dynamic_sdk == ()


def test_client_passed_to_an_unknown_call_is_lost_but_not_to_the_sdk(tmp_path):
    code = "\n".join(['const AWS = require("aws-sdk");', 'const AWSXRay = require("aws-xray-sdk-core");',
                      'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");',
                      'const { DynamoDBDocumentClient } = require("@aws-sdk/lib-dynamodb");',
                      "const s3 = wrapIt(new AWS.S3());  // lost",
                      "const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));  // followed",
                      "exports.handler = async (event) => {};", ""])
    assert [loc.line for loc in facts(tmp_path, "index.js", code).dynamic_sdk] == [5]
    code = "\n".join(["import boto3", "import wrapt", "", "s3 = wrapt.wrap(boto3.client('s3'))  # lost",
                      "ddb = boto3.resource('dynamodb')", "table = ddb.Table('t')  # followed", "",
                      "def handler(event, context):", "    table.get_item(Key={})", ""])
    got = facts(tmp_path, "app.py", code)
    assert [loc.line for loc in got.dynamic_sdk] == [4]
    assert [c.operation for c in got.sdk_calls] == ["GetItem"]


def test_member_of_a_client_passed_on_is_not_the_client(tmp_path):
    code = "\n".join(["import boto3", "import logging", "", "logger = logging.getLogger()", "",
                      "def handler(event, context):", "    table = boto3.resource('dynamodb').Table('t')",
                      "    logger.info('table %s', table.name)", "    table.put_item(Item={})", ""])
    got = facts(tmp_path, "app.py", code)
    assert got.dynamic_sdk == () and [c.operation for c in got.sdk_calls] == ["PutItem"]


def test_sdk_wrapper_rows_return_the_client(tmp_path):
    rows = [f"  await AWSXRay.{name}(new AWS.S3()).listBuckets({{}}).promise();  // row: {name}"
            for name in sorted(tables("javascript").sdk_wrappers)]
    code = "\n".join(['const AWS = require("aws-sdk");', 'const AWSXRay = require("aws-xray-sdk-core");',
                      "exports.handler = async (event) => {", *rows, "};", ""])
    got = facts(tmp_path, "index.js", code)
    assert {(c.loc.line, c.operation) for c in got.sdk_calls} == {(n, "ListBuckets") for n in lines_of(code, "// row:")}
    assert got.dynamic_sdk == ()
