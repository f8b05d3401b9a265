"""One expectation table for every source format: the same rule concept, written in each format.

Each concept names the rule that must fire. For a format where the concept
exists, ``tests/fixtures/formats/<format>/<concept>/fires/`` must produce exactly
that finding (file, line, function, message fragment) and ``…/quiet/`` — the
same project with the mistake fixed — must produce none.

To add a format: write its fixture pairs and add one entry to ``EXPECTATIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass

# concept → the rule that checks it
CONCEPTS: dict[str, str] = {
    "wildcard-action": "FG-IAM-001",
    "literal-secret-in-env": "FG-SEC-001",
    "unauthenticated-route": "FG-INJ-001",
    "public-function-url": "FG-IAM-006",
    "log-retention": "FG-MON-002",
    "async-without-dlq": "FG-MON-004",
    "timeout-exceeds-api": "FG-RES-001",
    "tracing-off": "FG-MON-001",
    "sensitive-action-any-resource": "FG-IAM-002",
    "admin-managed-policy": "FG-IAM-003",
    "permission-without-source": "FG-IAM-004",
    "public-invoke-permission": "FG-IAM-005",
    "shared-role": "FG-IAM-007",
    "env-without-kms": "FG-SEC-002",
    "secret-without-rotation": "FG-SEC-003",
    "no-error-alarm": "FG-MON-003",
    "api-access-logging-off": "FG-MON-005",
    "body-without-validation": "FG-INJ-002",
    "deprecated-runtime": "FG-SUP-001",
    "maximum-timeout": "FG-RES-002",
    "public-without-concurrency": "FG-RES-003",
    "api-without-throttling": "FG-RES-004",
    "open-ingress": "FG-NET-001",
    "public-subnet": "FG-NET-003",
    "bucket-policy-without-tls": "FG-NET-005",
    # Azure Functions / Google Cloud Functions concepts with no AWS equivalent (Terraform only so far)
    "plain-http": "FG-NET-050",
    "old-tls": "FG-NET-051",
    "ftp-deploy": "FG-NET-052",
    "cors-any-origin": "FG-NET-053",
    "gcp-open-ingress": "FG-NET-054",
    "subscription-admin": "FG-IAM-050",
    "public-invoker": "FG-IAM-051",
    "primitive-role": "FG-IAM-052",
    "default-service-account": "FG-IAM-053",
    "no-app-insights": "FG-MON-050",
}


@dataclass(frozen=True)
class Expect:
    path: str  # the file the finding points at, relative to the fixture directory
    line: int
    function: str | None  # the function the finding names, as the format names it (None: the rule names none)
    message: str  # a fragment the message must contain


_CDK = "cdk.out/MyStack.template.json"
_TF_ORDERS = "aws_lambda_function.orders"

# format → concept → what the ``fires`` fixture must report
EXPECTATIONS: dict[str, dict[str, Expect]] = {
    "sam": {
        "wildcard-action": Expect("template.yaml", 11, "Thumbnail", "allows s3:*"),
        "literal-secret-in-env": Expect("template.yaml", 12, "Checkout", "STRIPE_KEY"),
        "unauthenticated-route": Expect("template.yaml", 10, "Orders", "POST /orders"),
        "public-function-url": Expect("template.yaml", 10, "Webhook", "AuthType NONE"),
        "log-retention": Expect("template.yaml", 10, "Orders", "OrdersLogs"),
        "async-without-dlq": Expect("template.yaml", 4, "Orders", "sns (OrderEvents)"),
        "timeout-exceeds-api": Expect("template.yaml", 9, "Report", "60 s timeout"),
        "tracing-off": Expect("template.yaml", 4, "Orders", "X-Ray tracing off"),
        "sensitive-action-any-resource": Expect("template.yaml", 11, "Orders", "dynamodb:PutItem, dynamodb:Query on every"),
        "admin-managed-policy": Expect("template.yaml", 10, "Orders", "AmazonDynamoDBFullAccess"),
        "permission-without-source": Expect("template.yaml", 14, "Orders", "Permission UploadPermission lets s3.amazonaws.com"),
        "public-invoke-permission": Expect("template.yaml", 14, "Orders", "Permission OpenInvoke lets any principal"),
        "shared-role": Expect("template.yaml", 4, "NightlyExport", "Role SharedRole is shared by 2 functions"),
        "env-without-kms": Expect("template.yaml", 12, "Orders", "(DB_PASSWORD)"),
        "secret-without-rotation": Expect("template.yaml", 16, None, "Secret DbSecret has no rotation"),
        "no-error-alarm": Expect("template.yaml", 4, "Orders", "function Orders"),
        "api-access-logging-off": Expect("template.yaml", 4, "Orders", "API Api (rest) writes no access logs"),
        "body-without-validation": Expect("template.yaml", 32, "Orders", "POST /orders of REST API Api"),
        "deprecated-runtime": Expect("template.yaml", 6, "Orders", "nodejs16.x"),
        "maximum-timeout": Expect("template.yaml", 9, "Orders", "maximum timeout (900 s)"),
        "public-without-concurrency": Expect("template.yaml", 25, "Orders", "POST /orders of Api"),
        "api-without-throttling": Expect("template.yaml", 4, "Orders", "API Api has no throttling"),
        "open-ingress": Expect("template.yaml", 27, "Orders", "FunctionSecurityGroup allows tcp port 5432 from 0.0.0.0/0"),
        "public-subnet": Expect("template.yaml", 9, "Orders", "public subnet PublicSubnet"),
        "bucket-policy-without-tls": Expect("template.yaml", 6, "Thumbnail", "UploadsPolicy of bucket Uploads"),
    },
    "cloudformation": {
        "wildcard-action": Expect("template.yaml", 17, "Orders", "allows s3:*"),
        "literal-secret-in-env": Expect("template.yaml", 23, "Orders", "STRIPE_KEY"),
        "unauthenticated-route": Expect("template.yaml", 37, "Orders", "POST /orders"),
        "public-function-url": Expect("template.yaml", 24, "Orders", "AuthType NONE"),
        "log-retention": Expect("template.yaml", 21, "Orders", "OrdersLogs"),
        "async-without-dlq": Expect("template.yaml", 14, "Orders", "sns (Alerts)"),
        "timeout-exceeds-api": Expect("template.yaml", 20, "Report", "60 s timeout"),
        "tracing-off": Expect("template.yaml", 14, "Orders", "X-Ray tracing off"),
        "sensitive-action-any-resource": Expect("template.yaml", 15, "Orders", "dynamodb:PutItem, dynamodb:Query on every"),
        "admin-managed-policy": Expect("template.yaml", 13, "Orders", "AmazonDynamoDBFullAccess"),
        "permission-without-source": Expect("template.yaml", 25, "Orders", "Permission UploadPermission lets s3.amazonaws.com"),
        "public-invoke-permission": Expect("template.yaml", 25, "Orders", "Permission OpenInvoke lets any principal"),
        "shared-role": Expect("template.yaml", 4, "NightlyExport", "Role OrdersRole is shared by 2 functions"),
        "env-without-kms": Expect("template.yaml", 23, "Orders", "(DB_PASSWORD)"),
        "secret-without-rotation": Expect("template.yaml", 24, None, "Secret DbSecret has no rotation"),
        "no-error-alarm": Expect("template.yaml", 14, "Orders", "function Orders"),
        "api-access-logging-off": Expect("template.yaml", 58, "Orders", "API Api (rest) writes no access logs"),
        "body-without-validation": Expect("template.yaml", 32, "Orders", "POST /orders of REST API Api"),
        "deprecated-runtime": Expect("template.yaml", 16, "Orders", "python3.8"),
        "maximum-timeout": Expect("template.yaml", 17, "Orders", "maximum timeout (900 s)"),
        "public-without-concurrency": Expect("template.yaml", 14, "Orders", "POST /orders of Api"),
        "api-without-throttling": Expect("template.yaml", 58, "Orders", "API Api has no throttling"),
        "open-ingress": Expect("template.yaml", 38, "Orders", "FunctionSecurityGroup allows tcp port 5432 from 0.0.0.0/0"),
        "public-subnet": Expect("template.yaml", 20, "Orders", "public subnet PublicSubnet"),
        "bucket-policy-without-tls": Expect("template.yaml", 6, "Thumbnail", "UploadsPolicy of bucket Uploads"),
    },
    "serverless": {
        "wildcard-action": Expect("serverless.yml", 8, "thumbnail", "policy provider.iam.role.statements"),
        "literal-secret-in-env": Expect("serverless.yml", 7, "checkout", "STRIPE_KEY"),
        "unauthenticated-route": Expect("serverless.yml", 9, "orders", "POST /orders"),
        "public-function-url": Expect("serverless.yml", 8, "webhook", "AuthType NONE"),
        "log-retention": Expect("serverless.yml", 6, "worker", "WorkerLogGroup"),
        "async-without-dlq": Expect("serverless.yml", 6, "notify", "sns"),
        "timeout-exceeds-api": Expect("serverless.yml", 8, "report", "60 s timeout"),
        "tracing-off": Expect("serverless.yml", 6, "orders", "X-Ray tracing off"),
        "sensitive-action-any-resource": Expect("serverless.yml", 8, "orders", "dynamodb:PutItem, dynamodb:Query on every"),
        "admin-managed-policy": Expect("serverless.yml", 8, "orders", "AmazonDynamoDBFullAccess"),
        "permission-without-source": Expect("serverless.yml", 15, "orders", "lets s3.amazonaws.com invoke orders"),
        "public-invoke-permission": Expect("serverless.yml", 15, "orders", "call lambda:InvokeFunction on orders"),
        "shared-role": Expect("serverless.yml", 6, "orders", "orders is public (POST /orders) while nightlyExport"),
        "env-without-kms": Expect("serverless.yml", 7, "orders", "(DB_PASSWORD)"),
        "secret-without-rotation": Expect("serverless.yml", 13, None, "Secret DbSecret has no rotation"),
        "no-error-alarm": Expect("serverless.yml", 6, "orders", "function orders"),
        "api-access-logging-off": Expect("serverless.yml", 2, "orders", "API ApiGatewayRestApi (rest) writes no access logs"),
        "body-without-validation": Expect("serverless.yml", 17, "orders", "POST /orders of REST API ApiGatewayRestApi"),
        "deprecated-runtime": Expect("serverless.yml", 4, "orders", "nodejs16.x"),
        "maximum-timeout": Expect("serverless.yml", 8, "orders", "maximum timeout (900 s)"),
        "public-without-concurrency": Expect("serverless.yml", 13, "orders", "POST /orders of ApiGatewayRestApi"),
        "api-without-throttling": Expect("serverless.yml", 6, "orders", "API ApiGatewayRestApi has no throttling"),
        "open-ingress": Expect("serverless.yml", 22, "orders", "FunctionSecurityGroup allows tcp port 5432 from 0.0.0.0/0"),
        "public-subnet": Expect("serverless.yml", 5, "orders", "public subnet PublicSubnet"),
        "bucket-policy-without-tls": Expect("serverless.yml", 19, "thumbnail", "UploadsBucketPolicy of bucket UploadsBucket"),
    },
    "cdk": {  # named by construct path (aws:cdk:path), not by logical id
        "wildcard-action": Expect(_CDK, 28, "MyStack/Api/Handler", "Role MyStack/Api/Handler/ServiceRole"),
        "literal-secret-in-env": Expect(_CDK, 65, "MyStack/Api/Handler", "STRIPE_KEY"),
        "tracing-off": Expect(_CDK, 47, "MyStack/Api/Handler", "Function MyStack/Api/Handler has X-Ray tracing off"),
        "unauthenticated-route": Expect(_CDK, 184, "MyStack/Api/Handler", "Route POST /orders of API MyStack/Api/RestApi"),
        "public-function-url": Expect(_CDK, 65, "MyStack/Api/Handler", "AuthType NONE"),
        "log-retention": Expect(_CDK, 3, "MyStack/Api/Handler", "Log group MyStack/HandlerLogs"),
        "async-without-dlq": Expect(_CDK, 43, "MyStack/Api/Handler", "sns (MyStack/OrderEvents)"),
        "timeout-exceeds-api": Expect(_CDK, 55, "MyStack/Api/Handler", "60 s timeout"),
        "sensitive-action-any-resource": Expect(_CDK, 65, "MyStack/Api/Handler", "dynamodb:PutItem, dynamodb:Query on every"),
        "admin-managed-policy": Expect(_CDK, 54, "MyStack/Api/Handler", "AmazonDynamoDBFullAccess"),
        "permission-without-source": Expect(_CDK, 72, "MyStack/Api/Handler", "Permission MyStack/Api/Handler/S3Invoke lets s3"),
        "public-invoke-permission": Expect(_CDK, 72, "MyStack/Api/Handler", "Permission MyStack/Api/Handler/OpenInvoke lets any"),
        "shared-role": Expect(_CDK, 3, "MyStack/Api/Handler", "Role MyStack/SharedRole is shared by 2 functions"),
        "env-without-kms": Expect(_CDK, 63, "MyStack/Api/Handler", "(DB_PASSWORD)"),
        "secret-without-rotation": Expect(_CDK, 3, None, "Secret MyStack/DbSecret has no rotation"),
        "no-error-alarm": Expect(_CDK, 37, "MyStack/Api/Handler", "function MyStack/Api/Handler"),
        "api-access-logging-off": Expect(_CDK, 89, "MyStack/Api/Handler", "API MyStack/Api/RestApi (rest) writes no access logs"),
        "body-without-validation": Expect(_CDK, 183, "MyStack/Api/Handler", "POST /orders of REST API MyStack/Api/RestApi"),
        "deprecated-runtime": Expect(_CDK, 53, "MyStack/Api/Handler", "nodejs16.x"),
        "maximum-timeout": Expect(_CDK, 54, "MyStack/Api/Handler", "maximum timeout (900 s)"),
        "public-without-concurrency": Expect(_CDK, 37, "MyStack/Api/Handler", "POST /orders of MyStack/Api/RestApi"),
        "api-without-throttling": Expect(_CDK, 89, "MyStack/Api/Handler", "API MyStack/Api/RestApi has no throttling"),
        "open-ingress": Expect(_CDK, 100, "MyStack/Api/Handler", "Handler/SecurityGroup allows tcp port 5432 from 0.0.0.0/0"),
        "public-subnet": Expect(_CDK, 222, "MyStack/Api/Handler", "public subnet MyStack/Vpc/PublicSubnet1/Subnet"),
        "bucket-policy-without-tls": Expect(_CDK, 11, "MyStack/Api/Handler", "of bucket MyStack/Uploads does not deny"),
    },
    # Terraform: functions are named by their address; every fixture is one module directory (main.tf).
    "terraform": {
        "wildcard-action": Expect("main.tf", 23, "aws_lambda_function.thumbnail", "allows s3:*"),
        "literal-secret-in-env": Expect("main.tf", 10, "aws_lambda_function.checkout", "STRIPE_KEY"),
        "unauthenticated-route": Expect("main.tf", 31, "aws_lambda_function.orders", "POST /orders"),
        "public-function-url": Expect("main.tf", 19, "aws_lambda_function.webhook", "AuthType NONE"),
        "log-retention": Expect("main.tf", 17, "aws_lambda_function.worker", "aws_cloudwatch_log_group.worker"),
        "async-without-dlq": Expect("main.tf", 1, "aws_lambda_function.notify", "sns"),
        "timeout-exceeds-api": Expect("main.tf", 7, "aws_lambda_function.orders", "60 s timeout"),
        "tracing-off": Expect("main.tf", 1, "aws_lambda_function.orders", "X-Ray tracing off"),
        "sensitive-action-any-resource": Expect("main.tf", 18, _TF_ORDERS, "dynamodb:PutItem, dynamodb:Query on every"),
        "admin-managed-policy": Expect("main.tf", 24, _TF_ORDERS, "AmazonDynamoDBFullAccess"),
        "permission-without-source": Expect("main.tf", 21, _TF_ORDERS, "aws_lambda_permission.uploads lets s3.amazonaws.com"),
        "public-invoke-permission": Expect("main.tf", 21, _TF_ORDERS, "aws_lambda_permission.open lets any principal"),
        "shared-role": Expect("main.tf", 17, "aws_lambda_function.nightly_export", "Role aws_iam_role.lambda is shared by 2"),
        "env-without-kms": Expect("main.tf", 11, _TF_ORDERS, "(DB_PASSWORD)"),
        "secret-without-rotation": Expect("main.tf", 23, None, "Secret aws_secretsmanager_secret.db has no rotation"),
        "no-error-alarm": Expect("main.tf", 1, _TF_ORDERS, "function aws_lambda_function.orders"),
        "api-access-logging-off": Expect("main.tf", 56, _TF_ORDERS, "API aws_api_gateway_rest_api.api (rest) writes no access"),
        "body-without-validation": Expect("main.tf", 32, _TF_ORDERS, "POST /orders of REST API aws_api_gateway_rest_api.api"),
        "deprecated-runtime": Expect("main.tf", 5, _TF_ORDERS, "nodejs16.x"),
        "maximum-timeout": Expect("main.tf", 7, _TF_ORDERS, "maximum timeout (900 s)"),
        "public-without-concurrency": Expect("main.tf", 1, _TF_ORDERS, "POST /orders of aws_api_gateway_rest_api.api"),
        "api-without-throttling": Expect("main.tf", 61, _TF_ORDERS, "API aws_api_gateway_rest_api.api has no throttling"),
        "open-ingress": Expect("main.tf", 31, _TF_ORDERS, "aws_security_group.orders allows tcp port 5432 from 0.0.0.0/0"),
        "public-subnet": Expect("main.tf", 8, _TF_ORDERS, "public subnet aws_subnet.public"),
        "bucket-policy-without-tls": Expect(
            "main.tf", 67, "aws_lambda_function.thumbnail", "aws_s3_bucket_policy.uploads of bucket aws_s3_bucket.uploads"
        ),
        "plain-http": Expect("main.tf", 7, "azurerm_linux_function_app.orders", "https_only is false"),
        "old-tls": Expect("main.tf", 13, "azurerm_linux_function_app.orders", "TLS 1.0"),
        "ftp-deploy": Expect("main.tf", 13, "azurerm_linux_function_app.orders", "ftps_state is AllAllowed"),
        "cors-any-origin": Expect("main.tf", 14, "azurerm_linux_function_app.orders", "any origin"),
        "gcp-open-ingress": Expect("main.tf", 1, "google_cloudfunctions_function.api", "ingress_settings is not set (ALLOW_ALL)"),
        "subscription-admin": Expect("main.tf", 29, "azurerm_linux_function_app.orders", "Contributor of the whole subscription"),
        "public-invoker": Expect("main.tf", 18, "google_cloudfunctions_function.api", "allUsers"),
        "primitive-role": Expect("main.tf", 17, "google_cloudfunctions_function.api", "holds roles/editor"),
        "default-service-account": Expect("main.tf", 1, "google_cloudfunctions_function.api", "default service account"),
        "no-app-insights": Expect("main.tf", 1, "azurerm_linux_function_app.orders", "Application Insights"),
    },
    "azure-functions": {
        "literal-secret-in-env": Expect("local.settings.json", 6, "Checkout", "STRIPE_KEY"),
    },
}


def cases() -> list[tuple[str, str, str, Expect]]:
    """(format, concept, rule id, expectation) for every entry, in a stable order."""
    return [
        (fmt, concept, CONCEPTS[concept], expect)
        for fmt, by_concept in sorted(EXPECTATIONS.items())
        for concept, expect in sorted(by_concept.items())
    ]
