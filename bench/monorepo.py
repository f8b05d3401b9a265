"""Generate a synthetic serverless monorepo of N functions, to measure how a scan grows.

    python bench/monorepo.py OUT_DIR --functions 2000
    python bench/monorepo.py OUT_DIR --curve 250,500,1000,2000 [--repeat 2]

With ``--curve``, one monorepo per size is written under OUT_DIR and scanned
(``faasguard scan --format json``, cold and warm parse cache), and the growth of wall
time, CPU time (all processes) and peak memory (PSS of the process tree) is printed.

The repository is a mix of services of 5 functions each, in turn a SAM template
(Python handlers), a serverless.yml (Node.js handlers) and a Terraform module (Python
handlers), every function with its handler file, and every service with its
dependency manifest. Handlers call AWS SDKs, read the event and the environment, and a
few have the flaws faasguard looks for (a shell command from the event, a wildcard
policy), so the analyzers and rules do real work. Output is deterministic for a given N.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

PER_SERVICE = 5

_PY_HANDLER = '''import json
import os

import boto3

TABLE = os.environ["TABLE_NAME"]
dynamodb = boto3.resource("dynamodb")
s3 = boto3.client("s3")


def handler(event, context):
    table = dynamodb.Table(TABLE)
    body = json.loads(event.get("body") or "{{}}")
    item = {{"id": body.get("id", "{name}"), "payload": body}}
    table.put_item(Item=item)
    s3.put_object(Bucket=os.environ["BUCKET"], Key="{name}/" + item["id"], Body=json.dumps(item))
{extra}    return {{"statusCode": 200, "body": json.dumps({{"ok": True, "function": "{name}"}})}}
'''

_PY_FLAW = '''    import subprocess
    subprocess.run("convert " + body.get("file", ""), shell=True)
'''

_JS_HANDLER = '''const {{ DynamoDBClient, GetItemCommand }} = require("@aws-sdk/client-dynamodb");
const {{ SQSClient, SendMessageCommand }} = require("@aws-sdk/client-sqs");

const ddb = new DynamoDBClient({{}});
const sqs = new SQSClient({{}});

module.exports.handler = async (event) => {{
  const id = event.pathParameters && event.pathParameters.id;
  const item = await ddb.send(new GetItemCommand({{ TableName: process.env.TABLE_NAME, Key: {{ id: {{ S: id }} }} }}));
  await sqs.send(new SendMessageCommand({{ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(item) }}));
{extra}  return {{ statusCode: 200, body: JSON.stringify({{ function: "{name}" }}) }};
}};
'''

_JS_FLAW = '''  const {{ exec }} = require("child_process");
  exec("ls " + event.queryStringParameters.dir);
'''


def _sam(service: str, names: list[str], flawed: set[str]) -> str:
    out = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Transform: AWS::Serverless-2016-10-31",
        f"Description: {service}",
        "Globals:",
        "  Function:",
        "    Runtime: python3.12",
        "    Timeout: 10",
        "Resources:",
        "  Table:",
        "    Type: AWS::Serverless::SimpleTable",
        "  Bucket:",
        "    Type: AWS::S3::Bucket",
    ]
    for name in names:
        policies = ["      - AWSLambdaBasicExecutionRole"]
        if name in flawed:
            policies += [
                "      - Statement:",
                "          - Effect: Allow",
                "            Action: '*'",
                "            Resource: '*'",
            ]
        else:
            policies += ["      - DynamoDBCrudPolicy:", "          TableName: !Ref Table",
                         "      - S3WritePolicy:", "          BucketName: !Ref Bucket"]
        out += [
            f"  {name}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            f"      CodeUri: src/{name}/",
            "      Handler: app.handler",
            "      Environment:",
            "        Variables:",
            "          TABLE_NAME: !Ref Table",
            "          BUCKET: !Ref Bucket",
            "      Policies:",
            *policies,
            "      Events:",
            "        Api:",
            "          Type: Api",
            "          Properties:",
            f"            Path: /{name.lower()}",
            "            Method: post",
        ]
    return "\n".join(out) + "\n"


def _serverless(service: str, names: list[str], flawed: set[str]) -> str:
    out = [
        f"service: {service}",
        "frameworkVersion: '3'",
        "provider:",
        "  name: aws",
        "  runtime: nodejs20.x",
        "  environment:",
        "    TABLE_NAME: ${self:service}-table",
        "    QUEUE_URL: { Ref: Queue }",
        "  iam:",
        "    role:",
        "      statements:",
        "        - Effect: Allow",
        "          Action: ['dynamodb:GetItem', 'sqs:SendMessage']",
        "          Resource: '*'",
        "functions:",
    ]
    for name in names:
        out += [
            f"  {name}:",
            f"    handler: src/{name}/handler.handler",
            "    events:",
            "      - httpApi:",
            f"          path: /{name.lower()}/{{id}}",
            "          method: get",
        ]
    out += ["resources:", "  Resources:", "    Queue:", "      Type: AWS::SQS::Queue"]
    return "\n".join(out) + "\n"


def _terraform(service: str, names: list[str], flawed: set[str]) -> str:
    out = [
        'resource "aws_dynamodb_table" "table" {',
        f'  name         = "{service}"',
        '  billing_mode = "PAY_PER_REQUEST"',
        '  hash_key     = "id"',
        '  attribute {',
        '    name = "id"',
        '    type = "S"',
        '  }',
        '}',
        '',
        'resource "aws_s3_bucket" "bucket" {',
        f'  bucket = "{service}-data"',
        '}',
        '',
        'resource "aws_iam_role" "role" {',
        f'  name = "{service}-role"',
        '  assume_role_policy = jsonencode({',
        '    Version = "2012-10-17"',
        '    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]',
        '  })',
        '}',
        '',
        'resource "aws_iam_role_policy" "policy" {',
        '  role = aws_iam_role.role.id',
        '  policy = jsonencode({',
        '    Version = "2012-10-17"',
        '    Statement = [{',
        '      Effect   = "Allow"',
        '      Action   = ["dynamodb:PutItem", "s3:PutObject", "s3:*"]',
        '      Resource = "*"',
        '    }]',
        '  })',
        '}',
    ]
    for name in names:
        out += [
            '',
            f'data "archive_file" "{name}" {{',
            '  type        = "zip"',
            f'  source_dir  = "${{path.module}}/src/{name}"',
            f'  output_path = "${{path.module}}/build/{name}.zip"',
            '}',
            '',
            f'resource "aws_lambda_function" "{name}" {{',
            f'  function_name    = "{service}-{name}"',
            f'  filename         = data.archive_file.{name}.output_path',
            '  handler          = "app.handler"',
            '  runtime          = "python3.12"',
            '  role             = aws_iam_role.role.arn',
            '  environment {',
            '    variables = {',
            '      TABLE_NAME = aws_dynamodb_table.table.name',
            '      BUCKET     = aws_s3_bucket.bucket.bucket',
            '    }',
            '  }',
            '}',
        ]
    return "\n".join(out) + "\n"


def generate(root: Path, functions: int) -> int:
    """Write a monorepo of ``functions`` functions under ``root``; returns the number of files written."""
    files = 0

    def write(path: Path, text: str) -> None:
        nonlocal files
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files += 1

    services = (functions + PER_SERVICE - 1) // PER_SERVICE
    made = 0
    for index in range(services):
        count = min(PER_SERVICE, functions - made)
        made += count
        kind = ("sam", "serverless", "terraform")[index % 3]
        service = f"svc-{index:04d}"
        base = root / "services" / service
        names = [f"Fn{index:04d}x{i}" for i in range(count)]
        flawed = {names[0]} if index % 4 == 0 else set()
        if kind == "serverless":
            write(base / "serverless.yml", _serverless(service, names, flawed))
            deps = {"@aws-sdk/client-dynamodb": "3.600.0", "@aws-sdk/client-sqs": "3.600.0"}
            write(base / "package.json", json.dumps({"name": service, "version": "1.0.0", "dependencies": deps}) + "\n")
            for name in names:
                write(base / "src" / name / "handler.js",
                      _JS_HANDLER.format(name=name, extra=_JS_FLAW.format() if name in flawed else ""))
        else:
            if kind == "sam":
                write(base / "template.yaml", _sam(service, names, flawed))
            else:
                write(base / "main.tf", _terraform(service, names, flawed))
            write(base / "requirements.txt", "boto3==1.34.0\nrequests==2.31.0\n")
            for name in names:
                write(base / "src" / name / "app.py", _PY_HANDLER.format(name=name, extra=_PY_FLAW if name in flawed else ""))
    return files


def curve(out: Path, sizes: list[int], repeat: int, src: Path | None = None) -> None:
    import os
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from measure import installed_env, median_run, run

    env = installed_env(src or Path(__file__).resolve().parents[1] / "src")  # from bytecode, as installed
    print("functions  files   | cold cache: wall    cpu   peak MB  | warm cache: wall    cpu   peak MB")
    for size in sizes:
        repo = out / f"monorepo-{size}"
        if not repo.exists():
            generate(repo, size)
        files = sum(1 for p in repo.rglob("*") if p.is_file())
        rows: dict[str, list] = {"cold": [], "warm": []}
        for index in range(repeat):
            cache = out / f"cache-{size}-{index}"
            shutil.rmtree(cache, ignore_errors=True)
            cmd = [sys.executable, "-m", "faasguard", "scan", str(repo), "--format", "json", "-o", os.devnull, "-q",
                   "--fail-on", "none", "--cache-dir", str(cache)]
            rows["cold"].append(run(cmd, env=env))
            rows["warm"].append(run(cmd, env=env))
            shutil.rmtree(cache, ignore_errors=True)
        cold, warm = median_run(rows["cold"]), median_run(rows["warm"])
        print(f"{size:>9} {files:>6}   | {cold.wall_s:14.2f} {cold.cpu_s:6.2f} {cold.peak_mb:8.0f}  | "
              f"{warm.wall_s:14.2f} {warm.cpu_s:6.2f} {warm.peak_mb:8.0f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--functions", type=int, default=250)
    parser.add_argument("--curve", help="comma-separated sizes: generate, scan and measure each")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--src", type=Path, help="src directory of the faasguard to measure (default: this one)")
    args = parser.parse_args()
    if args.curve:
        curve(args.out, [int(n) for n in args.curve.split(",")], args.repeat, args.src)
        return 0
    files = generate(args.out, args.functions)
    print(f"{args.out}: {args.functions} functions in {files} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
