"""An asynchronous invocation's on-success destination is sent to by Lambda with the function's
role: its permission is never "unused" (FG-IAM-030), in every format that can declare one. Without
the destination the same grant is reported, so each test would fail if the destination were not read.
"""

from __future__ import annotations

import pytest

from tests.conftest import by_rule

CODE = "def handler(event, context):\n    return {'ok': True}\n"
DONE = "arn:aws:sqs:us-east-1:111122223333:done"

SAM = f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - {{Effect: Allow, Action: sqs:SendMessage, Resource: {DONE}}}
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess: {{Type: SQS, Destination: {DONE}}}
"""

SLS = f"""
service: orders
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - {{Effect: Allow, Action: sqs:SendMessage, Resource: "{DONE}"}}
functions:
  fn:
    handler: app.handler
    destinations:
      onSuccess: {DONE}
"""

TF_ROLE = """
data "archive_file" "fn" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/fn.zip"
}
resource "aws_iam_role" "fn" {
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole",
    Principal = {Service = "lambda.amazonaws.com"}}]})
}
resource "aws_iam_role_policy" "fn" {
  role   = aws_iam_role.fn.id
  policy = jsonencode({Version = "2012-10-17", Statement = [
    {Effect = "Allow", Action = "sqs:SendMessage", Resource = "DONE"}]})
}
""".replace("DONE", DONE)

TF = TF_ROLE + f"""
resource "aws_lambda_function" "fn" {{
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = data.archive_file.fn.output_path
}}
resource "aws_lambda_function_event_invoke_config" "fn" {{
  function_name = aws_lambda_function.fn.function_name
  destination_config {{
    on_success {{
      destination = "{DONE}"
    }}
  }}
}}
"""

FORMATS = {
    "sam": ("template.yaml", SAM, "      EventInvokeConfig:"),
    "serverless": ("serverless.yml", SLS, "    destinations:"),
    "terraform": ("main.tf", TF, 'resource "aws_lambda_function_event_invoke_config"'),
}


def _without_destination(text: str, marker: str) -> str:
    return text[: text.index(marker)]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_on_success_destination_permission_is_used(scan_files, fmt):
    name, text, marker = FORMATS[fmt]
    result = scan_files({name: text, "src/app.py": CODE, "app.py": CODE}, rules={"FG-IAM-030"})
    assert not [f for f in by_rule(result, "FG-IAM-030") if "sqs:SendMessage" in f.message]
    bare = scan_files({name: _without_destination(text, marker), "src/app.py": CODE, "app.py": CODE}, rules={"FG-IAM-030"})
    assert [f for f in by_rule(bare, "FG-IAM-030") if "sqs:SendMessage" in f.message], "control: unused without it"
