provider "aws" {
  region = "eu-west-1"
}

resource "aws_sqs_queue" "dlq" {
  name = "complete-dlq"
}

module "lambda_function" {
  source = "terraform-aws-modules/lambda/aws"

  function_name = "complete-lambda"
  handler       = "index.lambda_handler"
  runtime       = "python3.12"
  source_path   = "${path.module}/../../fixtures/python-app"
  timeout       = 30

  tracing_mode          = "Active"
  attach_tracing_policy = true
  dead_letter_target_arn = aws_sqs_queue.dlq.arn
  attach_dead_letter_policy = true

  attach_policy_json = true
  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["xray:*"]
      Resource = ["*"]
    }]
  })

  environment_variables = {
    SERVERLESS = "true"
  }
}

module "lambda_function_node" {
  source = "terraform-aws-modules/lambda/aws"

  function_name = "complete-node"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  source_path   = "${path.module}/../../fixtures/node-app"
}
