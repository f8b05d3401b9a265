provider "aws" {
  region = "eu-west-1"
}

module "lambda_function" {
  source = "terraform-aws-modules/lambda/aws"

  function_name = "simple-lambda"
  handler       = "index.lambda_handler"
  runtime       = "python3.8"
  source_path   = "${path.module}/../../fixtures/python-app"
}
