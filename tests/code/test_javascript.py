"""JavaScript/TypeScript handlers: Serverless-Goat injection, SDK v2/v3 facts, dynamic calls."""

from pathlib import Path

from faasguard.code import jsmodule
from tests.code.conftest import template
from tests.conftest import by_rule

# Serverless-Goat: the document URL from the query string goes into a shell command.
GOAT = """
const child_process = require('child_process');
const AWS = require('aws-sdk');
const s3 = new AWS.S3();

exports.handler = async (event) => {
  let documentUrl = event.queryStringParameters.document_url;
  let txt = child_process.execSync(`curl --silent -L ${documentUrl} | ./bin/catdoc -`).toString();
  const key = 'key';
  await s3.putObject({ Bucket: process.env.BUCKET_NAME, Key: key, Body: txt }).promise();
  return { statusCode: 200, body: txt };
};
"""

GOAT_FIXED = """
const { execFileSync } = require('child_process');
const ALLOWED = new Set(['https://docs.example.com/a.doc']);

exports.handler = async (event) => {
  const documentUrl = event.queryStringParameters.document_url;
  if (!ALLOWED.has(documentUrl)) {
    return { statusCode: 400 };
  }
  const out = execFileSync('curl', ['--silent', '-L', documentUrl]).toString();
  execFileSync('ls', ['/tmp'], { shell: true });
  return { statusCode: 200, body: out };
};
"""

NODE = template(("Goat", "nodejs20.x", "src/", "index.handler"))


def test_serverless_goat_exec_sync_with_url_from_query_string(scan_files):
    result = scan_files({"template.yaml": NODE, "src/index.js": GOAT})
    [finding] = by_rule(result, "FG-INJ-011")
    assert (finding.path, finding.line, finding.function) == ("src/index.js", 7, "Goat")
    assert "event.queryStringParameters.document_url" in finding.message
    assert "child_process.execSync" in finding.message
    assert [r.line for r in finding.related] == [6, 6, 7]
    facts = result.applications[0].code["Goat"]
    [put] = facts.sdk_calls
    assert (put.service, put.operation, put.resource, put.resource_env, put.sdk, put.loc.line) == (
        "s3", "PutObject", None, "BUCKET_NAME", "aws-sdk-v2", 9)


def test_fixed_goat_is_quiet(scan_files):
    result = scan_files({"template.yaml": NODE, "src/index.js": GOAT_FIXED})
    assert [f.rule_id for f in result.findings if f.rule_id.startswith("FG-INJ-01")] == []


def test_typescript_v3_send_command_and_destructured_event(scan_files):
    code = """
import { S3Client, GetObjectCommand, paginateListObjectsV2 } from "@aws-sdk/client-s3";
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { readFileSync } from "fs";

const s3 = new S3Client({});
const BUCKET = process.env.DOCS_BUCKET!;

export const handler = async ({ pathParameters }: APIGatewayProxyEvent): Promise<unknown> => {
  const name = pathParameters!.name as string;
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: name }));
  const sm = new SecretsManagerClient({});
  const secret = await sm.send(new GetSecretValueCommand({ SecretId: "prod/db" }));
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: "archive-bucket" })) {
    console.log(page);
  }
  console.log("secret", secret);
  return readFileSync(`/var/task/docs/${name}`);
};
"""
    files = {"template.yaml": template(("Docs", "nodejs20.x", "src/", "app.handler")), "src/app.ts": code}
    result = scan_files(files)
    facts = result.applications[0].code["Docs"]
    calls = {(c.service, c.operation, c.resource, c.resource_env, c.sdk, c.loc.line) for c in facts.sdk_calls}
    assert calls == {
        ("s3", "GetObject", None, "DOCS_BUCKET", "aws-sdk-v3", 11),
        ("secretsmanager", "GetSecretValue", "prod/db", None, "aws-sdk-v3", 13),
        ("s3", "ListObjectsV2", "archive-bucket", None, "aws-sdk-v3", 14),
    }
    [path] = by_rule(result, "FG-INJ-015")
    assert path.line == 18 and "event.pathParameters (line 9)" in path.message and "fs.readFileSync" in path.message
    assert [f.line for f in by_rule(result, "FG-RES-010")] == [13]
    assert [f.line for f in by_rule(result, "FG-RES-011")] == [12]
    assert [f.line for f in by_rule(result, "FG-SEC-012")] == [17]


def test_lib_dynamodb_document_client_commands_map_to_dynamodb_operations(scan_files):
    code = """
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function handler(event) {
  const body = JSON.parse(event.body);
  await ddb.send(new PutCommand({ TableName: "orders", Item: body }));
  return ddb.send(new QueryCommand({
    TableName: process.env.TABLE,
    KeyConditionExpression: "pk = " + body.customer,
  }));
}
"""
    files = {"template.yaml": template(("Orders", "nodejs20.x", "src/", "index.handler")), "src/index.mjs": code}
    result = scan_files(files)
    facts = result.applications[0].code["Orders"]
    calls = [(c.service, c.operation, c.resource, c.resource_env, c.loc.line) for c in facts.sdk_calls]
    assert calls == [("dynamodb", "PutItem", "orders", None, 8), ("dynamodb", "Query", None, "TABLE", 9)]
    [nosql] = by_rule(result, "FG-INJ-016")
    assert nosql.line == 9 and "KeyConditionExpression" in nosql.message


def test_v2_document_client_and_dynamic_calls(scan_files):
    code = """
const AWS = require('aws-sdk');
const docs = new AWS.DynamoDB.DocumentClient();
const sqs = new AWS.SQS();

module.exports.handler = async (event) => {
  await docs.get({ TableName: process.env.ORDERS, Key: { id: event.pathParameters.id } }).promise();
  await sqs.sendMessage({ QueueUrl: process.env.QUEUE_URL, MessageBody: 'x' }).promise();
  const op = event.op;
  return sqs[op]({}).promise();
};
"""
    files = {"template.yaml": template(("Api", "nodejs18.x", "./", "handler.handler")), "handler.cjs": code}
    result = scan_files(files)
    facts = result.applications[0].code["Api"]
    assert [(c.service, c.operation, c.resource_env) for c in facts.sdk_calls] == [
        ("dynamodb", "GetItem", "ORDERS"), ("sqs", "SendMessage", "QUEUE_URL")]
    assert [loc.line for loc in facts.dynamic_sdk] == [9]


def test_broken_javascript_still_yields_facts_for_the_rest(scan_files):
    code = """
const { exec } = require('child_process');
function broken( {
exports.handler = (event) => { exec('ping ' + event.host); };
"""
    result = scan_files({"template.yaml": NODE, "src/index.js": code})
    assert any(p == "src/index.js" and "syntax error" in m for p, m in result.errors)


def test_the_import_query_is_compiled_by_the_first_file_that_asks(monkeypatch):
    """Before the fork only the per-file query is compiled; a module's imports compile theirs when first asked and
    give the same answer as with every query compiled beforehand."""
    source = 'const x = require("dynamoose");\nimport y from "@middy/ssm";\nexport { z } from "./local";\n'
    monkeypatch.setattr(jsmodule, "_QUERIES", {})
    jsmodule.compile_queries({jsmodule.JS})
    assert [text for _, text in jsmodule._QUERIES] == [jsmodule._FILE_FACTS]
    lazy = list(jsmodule.JsModule.parse(Path("a.js"), "a.js", source, "javascript").imports())
    assert len(jsmodule._QUERIES) == 2
    monkeypatch.setattr(jsmodule, "_QUERIES", {})
    for text in (jsmodule._FILE_FACTS, jsmodule._IMPORTS):
        jsmodule._query(jsmodule.JS, text)
    assert list(jsmodule.JsModule.parse(Path("a.js"), "a.js", source, "javascript").imports()) == lazy
    assert lazy == [("dynamoose", 1), ("@middy/ssm", 2), ("./local", 3)]
