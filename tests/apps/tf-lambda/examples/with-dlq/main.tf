provider "aws" {
  region = "eu-west-1"
}

module "lambda_function" {
  source = "terraform-aws-modules/lambda/aws"

  function_name = "with-dlq"
  handler       = "index.lambda_handler"
  runtime       = "python3.8"
  source_path   = "${path.module}/../../fixtures/python-app"

  cloudwatch_logs_retention_in_days = 14
}
