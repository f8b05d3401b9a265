"""The Terraform loader: a module directory becomes one application, with references resolved and lines kept."""

from __future__ import annotations

import textwrap
from pathlib import Path

from faasguard.loaders.terraform.loader import TerraformLoader
from faasguard.loaders.terraform.refs import Scope, parse_jsonish, target
from faasguard.model import Application
from tests.conftest import by_rule

FUNCTION = """
resource "aws_lambda_function" "api" {
  function_name = "${local.prefix}-api"
  filename      = data.archive_file.api.output_path
  handler       = "app.handler"
  runtime       = "python3.12"
  role          = aws_iam_role.api.arn
  timeout       = 10
  kms_key_arn   = aws_kms_key.env.arn

  environment {
    variables = {
      STAGE       = var.stage
      TABLE       = aws_dynamodb_table.orders.name
      DB_PASSWORD = var.db_password
      GREETING    = "hello ${var.stage}"
    }
  }

  tracing_config {
    mode = "Active"
  }

  vpc_config {
    subnet_ids         = [aws_subnet.public.id]
    security_group_ids = [aws_security_group.api.id]
  }
}

data "archive_file" "api" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/api.zip"
}
"""

IAM = """
resource "aws_iam_role" "api" {
  name               = "api"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "api" {
  statement {
    sid       = "Read"
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = [aws_dynamodb_table.orders.arn]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["123456789012"]
    }
  }
}

resource "aws_iam_policy" "api" {
  policy = data.aws_iam_policy_document.api.json
}

resource "aws_iam_role_policy_attachment" "api" {
  role       = aws_iam_role.api.name
  policy_arn = aws_iam_policy.api.arn
}

resource "aws_iam_role_policy_attachment" "basic" {
  role       = aws_iam_role.api.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "legacy" {
  role   = aws_iam_role.api.id
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sqs:*",
      "Resource": "*"
    }
  ]
}
POLICY<spaces>
}
""".replace("<spaces>", "   ")  # trailing spaces after the heredoc marker, as in real files

REST = """
locals {
  prefix = "orders-${var.stage}"
}

variable "stage" {
  default = "dev"
}

variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_dynamodb_table" "orders" {
  name     = "${local.prefix}-orders"
  hash_key = "id"
}

resource "aws_kms_key" "env" {
  enable_key_rotation = true
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/lambda/${aws_lambda_function.api.function_name}"
  retention_in_days = 14
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name  = "api-errors"
  metric_name = "Errors"
  namespace   = "AWS/Lambda"
  dimensions = {
    FunctionName = aws_lambda_function.api.function_name
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "api" {
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.api.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}
"""


def _write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target_path = tmp_path / name
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target_path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _load(tmp_path: Path, files: dict[str, str]) -> tuple[list[Application], list[tuple[str, str]]]:
    _write(tmp_path, files)
    loader = TerraformLoader()
    apps, errors = [], []
    for path in sorted(tmp_path.glob("*.tf")):
        result = loader.load(path, path.read_text(encoding="utf-8"), tmp_path)
        apps.extend(result.applications)
        errors.extend(result.errors)
    return apps, errors


def _line(text: str, needle: str) -> int:
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_a_directory_is_one_application_loaded_by_its_first_file(tmp_path):
    apps, errors = _load(tmp_path, {"lambda.tf": FUNCTION, "iam.tf": IAM, "network.tf": REST})
    assert errors == []
    [app] = apps
    assert app.format == "terraform"
    assert [f.name for f in app.functions] == ["aws_lambda_function.api"]
    loader = TerraformLoader()
    for later in ("lambda.tf", "network.tf"):  # not the first file: nothing, whichever worker sees it
        path = tmp_path / later
        assert loader.load(path, path.read_text(), tmp_path).applications == []


def test_function_joins_role_code_logs_alarm_and_network_across_files(tmp_path):
    [app], _ = _load(tmp_path, {"lambda.tf": FUNCTION, "iam.tf": IAM, "network.tf": REST})
    [fn] = app.functions
    assert fn.role_id == "aws_iam_role.api"
    assert fn.runtime == "python3.12" and fn.runtime_loc is not None and fn.runtime_loc.line == _line(FUNCTION, "runtime")
    assert fn.runtime_loc.path == "lambda.tf"
    assert fn.code_dir == (tmp_path / "src").resolve()
    assert fn.timeout == 10 and fn.tracing == "Active"
    assert fn.env_kms_key == "${aws_kms_key.env.arn}"
    assert fn.vpc is not None and fn.vpc.subnet_ids == ("aws_subnet.public",)
    assert app.subnets["aws_subnet.public"].public is True
    [rule] = app.security_groups["aws_security_group.api"].rules
    assert (rule.direction, rule.cidr, rule.from_port, rule.loc.line) == ("ingress", "0.0.0.0/0", 443, _line(REST, "cidr_ipv4"))
    [group] = app.log_groups
    assert (group.function, group.retention_days) == ("aws_lambda_function.api", 14)
    [alarm] = app.alarms
    assert (alarm.function, alarm.metric) == ("aws_lambda_function.api", "Errors")


def test_variables_and_locals_resolve_and_unknowns_stay_unknown(tmp_path):
    [app], _ = _load(tmp_path, {"lambda.tf": FUNCTION, "iam.tf": IAM, "network.tf": REST})
    env = {e.name: e for e in app.functions[0].environment}
    assert (env["STAGE"].literal, env["STAGE"].value) == (True, "dev")
    assert (env["GREETING"].literal, env["GREETING"].value) == (True, "hello dev")
    assert (env["DB_PASSWORD"].literal, env["DB_PASSWORD"].value) == (False, None)  # a variable without default
    assert (env["TABLE"].literal, env["TABLE"].value) == (False, None)  # a resource attribute
    assert env["DB_PASSWORD"].loc.line == _line(FUNCTION, "DB_PASSWORD")
    [table] = [d for d in app.data_stores if d.kind == "dynamodb"]
    assert table.name == "orders-dev-orders"


def test_policies_from_documents_attachments_and_heredocs(tmp_path):
    [app], errors = _load(tmp_path, {"lambda.tf": FUNCTION, "iam.tf": IAM, "network.tf": REST})
    assert errors == []  # the heredoc's closing marker has trailing spaces: python-hcl2 alone rejects it
    role = app.roles["aws_iam_role.api"]
    [trust] = role.trust
    assert trust.principals == ("Service:lambda.amazonaws.com",)
    by_action = {s.actions[0]: s for s in role.statements}
    read = by_action["dynamodb:GetItem"]
    assert read.sid == "Read" and read.resources == ("${aws_dynamodb_table.orders.arn}",)
    assert read.conditions == (("StringEquals", "aws:SourceAccount", ("123456789012",)),)
    assert (read.loc.path, read.loc.line) == ("iam.tf", _line(IAM, 'sid       = "Read"') - 1)
    legacy = by_action["sqs:*"]
    assert (legacy.loc.path, legacy.loc.line) == ("iam.tf", _line(IAM, '"Effect": "Allow"'))
    [managed] = role.managed_policies
    assert managed.name == "AWSLambdaBasicExecutionRole"
    assert managed.loc.line == _line(IAM, 'policy_arn = "arn:aws:iam::aws:policy/service-role')


def test_wildcard_in_a_heredoc_policy_is_reported_at_its_statement(scan_files):
    result = scan_files({"lambda.tf": FUNCTION, "iam.tf": IAM, "network.tf": REST}, rules={"FG-IAM-001"})
    [finding] = by_rule(result, "FG-IAM-001")
    assert (finding.path, finding.line) == ("iam.tf", _line(IAM, '"Effect": "Allow"'))
    assert finding.function == "aws_lambda_function.api" and "sqs:*" in finding.message


def test_a_file_that_does_not_parse_is_an_error_and_the_module_still_loads(tmp_path):
    broken = 'resource "aws_iam_role" "x" {\n  name = \n'
    apps, errors = _load(tmp_path, {"a_broken.tf": broken, "lambda.tf": FUNCTION, "network.tf": REST})
    [(path, message)] = errors
    assert path == "a_broken.tf" and "not valid HCL" in message
    [app] = apps
    assert [f.name for f in app.functions] == ["aws_lambda_function.api"]


MODULE = """
module "orders" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "orders"
  handler       = "app.handler"
  runtime       = "python3.12"
  source_path   = "${path.module}/src"
  tracing_mode  = "Active"

  environment_variables = {
    API_TOKEN = "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB"
  }

  cloudwatch_logs_retention_in_days = 30

  attach_policy_statements = true
  policy_statements = {
    dynamodb = {
      effect    = "Allow"
      actions   = ["dynamodb:GetItem"]
      resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]
    }
    everything = {
      effect    = "Allow"
      actions   = ["s3:*"]
      resources = ["*"]
    }
  }

  create_lambda_function_url = true
}

module "layer" {
  source       = "terraform-aws-modules/lambda/aws"
  create_layer = true
  layer_name   = "deps"
}
"""


def test_lambda_module_inputs_map_to_function_role_and_logs(tmp_path):
    (tmp_path / "src").mkdir()
    [app], _ = _load(tmp_path, {"main.tf": MODULE})
    [fn] = app.functions  # the layer-only call creates no function
    assert fn.name == "module.orders" and fn.runtime == "python3.12" and fn.tracing == "Active"
    assert fn.timeout == 3 and fn.memory == 128  # the module's defaults
    assert fn.code_dir == (tmp_path / "src").resolve()
    assert fn.role_id == "module.orders.aws_iam_role.lambda"
    assert fn.url_auth_type == "NONE" and fn.is_public
    [group] = app.log_groups
    assert (group.function, group.retention_days) == ("module.orders", 30)
    sids = {s.sid for s in app.roles[fn.role_id].statements}
    assert {"dynamodb", "everything"} <= sids


def test_lambda_module_findings_point_at_the_inputs(scan_files):
    files = {"main.tf": MODULE, "src/app.py": "def handler(e, c):\n    return 1\n"}
    result = scan_files(files, rules={"FG-IAM-001", "FG-IAM-006"})
    [wild] = by_rule(result, "FG-IAM-001")
    assert (wild.line, wild.function) == (_line(MODULE, "everything = {"), "module.orders")
    [url] = by_rule(result, "FG-IAM-006")
    assert url.line == _line(MODULE, "create_lambda_function_url")


AZURE_GCP = """
resource "azurerm_linux_function_app" "orders" {
  name = "orders"
  app_settings = {
    DB_PASSWORD = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db)"
    STRIPE_KEY  = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
  }
  site_config {
    application_stack {
      python_version = "3.9"
    }
  }
}

resource "google_cloudfunctions2_function" "api" {
  name = "api"
  build_config {
    runtime     = "nodejs20"
    entry_point = "handler"
  }
  service_config {
    available_memory = "512M"
    environment_variables = {
      MODE = "prod"
    }
    secret_environment_variables {
      key     = "DB_PASSWORD"
      secret  = "db-password"
      version = "latest"
    }
    ingress_settings = "ALLOW_INTERNAL_ONLY"
  }
}

resource "google_cloud_run_service_iam_member" "public" {
  service = google_cloudfunctions2_function.api.name
  role    = "roles/run.invoker"
  member  = "allUsers"
}
"""


def test_azure_and_gcp_functions_map_to_the_same_model(tmp_path):
    [app], _ = _load(tmp_path, {"main.tf": AZURE_GCP})
    azure, gcp = app.functions
    assert (azure.provider, azure.runtime) == ("azure", "python:3.9")
    env = {e.name: e for e in azure.environment}
    assert env["DB_PASSWORD"].literal is False  # a Key Vault reference is not a literal
    assert env["STRIPE_KEY"].literal is True and env["STRIPE_KEY"].loc.line == _line(AZURE_GCP, "STRIPE_KEY")
    assert (gcp.provider, gcp.runtime, gcp.handler, gcp.memory) == ("gcp", "nodejs20", "handler", 512)
    gcp_env = {e.name: e for e in gcp.environment}
    assert gcp_env["MODE"].literal is True and gcp_env["DB_PASSWORD"].literal is False
    [trigger] = gcp.triggers
    assert (trigger.kind, trigger.public, trigger.authenticated) == ("http", False, False)  # internal-only ingress


def test_azure_and_gcp_findings_from_existing_rules(scan_files):
    result = scan_files({"main.tf": AZURE_GCP}, rules={"FG-SEC-001", "FG-SUP-001", "FG-NET-054", "FG-IAM-051"})
    [secret] = by_rule(result, "FG-SEC-001")
    assert (secret.line, secret.function) == (_line(AZURE_GCP, "STRIPE_KEY"), "azurerm_linux_function_app.orders")
    [runtime] = [f for f in by_rule(result, "FG-SUP-001") if f.function == "azurerm_linux_function_app.orders"]
    assert runtime.line == _line(AZURE_GCP, "python_version") and "python:3.9" in runtime.message
    assert by_rule(result, "FG-NET-054") == []  # ingress is internal-only
    [public] = by_rule(result, "FG-IAM-051")
    assert public.line == _line(AZURE_GCP, 'member  = "allUsers"')


def test_expression_helpers():
    assert target("${aws_iam_role.lambda[0].arn}") == "aws_iam_role.lambda"
    assert target("${data.archive_file.zip.output_path}") == "data.archive_file.zip"
    assert target("${module.lambda.lambda_function_arn}") == "module.lambda"
    assert target("${var.role_arn}") is None and target("arn:aws:iam::1:role/x") is None
    # python-hcl2 prints jsonencode arguments with unescaped quotes inside ${...}
    parsed = parse_jsonish('{"Resource": ["${local.arns["a"]}", "${aws_s3_bucket.b.arn}/*"], "N": 3}')
    assert parsed == {"Resource": ['${local.arns["a"]}', "${aws_s3_bucket.b.arn}/*"], "N": 3}
    scope = Scope({"env": "prod"}, {"arns": {"a": "arn:aws:s3:::a"}}, Path("."), Path("."))
    encoded = '${jsonencode({"R": "${local.arns["a"]}", "E": "${var.env}-x"})}'
    assert scope.value(encoded) == {"R": "arn:aws:s3:::a", "E": "prod-x"}
    assert scope.is_literal("${var.missing}") is False and scope.is_literal("$${not.an.expression}") is True


def test_scanning_one_tf_file_reads_its_whole_module(tmp_path):
    from faasguard.scan import ScanOptions, scan

    (tmp_path / "a_main.tf").write_text(
        'resource "aws_lambda_function" "api" {\n'
        '  function_name = "api"\n'
        "  role          = aws_iam_role.lambda.arn\n"
        '  runtime       = "python3.8"\n'
        '  handler       = "app.handler"\n'
        "}\n"
    )
    (tmp_path / "b_iam.tf").write_text('resource "aws_iam_role" "lambda" {\n  name = "lambda"\n}\n')
    result = scan(tmp_path / "b_iam.tf", ScanOptions(rules={"FG-SUP-001"}, jobs=1))
    [fn] = [fn for app in result.applications for fn in app.functions]
    assert fn.role_id == "aws_iam_role.lambda"
    [finding] = result.findings
    assert (finding.path, finding.line) == ("a_main.tf", 4)


def test_a_role_grant_on_a_bucket_makes_the_function_its_user(scan_files):
    result = scan_files(
        {
            "main.tf": """
            resource "aws_lambda_function" "thumbnail" {
              function_name = "thumbnail"
              filename      = "thumbnail.zip"
              handler       = "app.handler"
              runtime       = "python3.12"
              role          = aws_iam_role.thumbnail.arn
            }

            resource "aws_iam_role" "thumbnail" {
              name               = "thumbnail"
              assume_role_policy = "{}"
            }

            resource "aws_iam_role_policy" "uploads" {
              role = aws_iam_role.thumbnail.id
              policy = jsonencode({
                Statement = [{ Effect = "Allow", Action = "s3:PutObject", Resource = "${aws_s3_bucket.uploads.arn}/*" }]
              })
            }

            resource "aws_s3_bucket" "uploads" {
              bucket = "orders-uploads"
            }
            """
        },
        rules={"FG-NET-006"},
    )
    [finding] = by_rule(result, "FG-NET-006")
    assert finding.function == "aws_lambda_function.thumbnail"



CACHED_MODULE = """
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  filename      = data.archive_file.zip.output_path
  handler       = "app.handler"
  runtime       = "python3.12"
  role          = "arn:aws:iam::123456789012:role/r"
  environment {
    variables = {
      MODE = file("${path.module}/mode.txt")
    }
  }
}

data "archive_file" "zip" {
  type        = "zip"
  source_dir  = "${path.module}/code"
  output_path = "${path.module}/fn.zip"
}
"""


def test_a_cached_module_is_loaded_again_when_what_it_reads_beside_it_changes(tmp_path):
    """The parse cache keeps a module's model with what loading saw beside it: a changed ``file()``
    or a ``source_dir`` link pointing elsewhere gives today's model, not the cached one."""
    from faasguard import cache

    repo = tmp_path / "repo"
    for version in ("v1", "v2"):
        (repo / version).mkdir(parents=True)
    (repo / "code").symlink_to("v1")
    _write(repo, {"main.tf": CACHED_MODULE, "mode.txt": "fast"})
    parse_cache = cache.ParseCache(tmp_path / "cache")

    def seen() -> tuple[str, Path | None]:
        with cache.active(parse_cache):
            apps, errors = _load(repo, {})
        assert errors == []
        [fn] = apps[0].functions
        return {e.name: e.value for e in fn.environment}["MODE"], fn.code_dir

    assert seen() == ("fast", repo / "v1")
    hits = parse_cache.hits
    assert seen() == ("fast", repo / "v1") and parse_cache.hits == hits + 1  # the module's model, from the cache
    (repo / "mode.txt").write_text("slow")
    assert seen() == ("slow", repo / "v1")
    (repo / "code").unlink()
    (repo / "code").symlink_to("v2")
    assert seen() == ("slow", repo / "v2")
    (repo / "mode.txt").write_text("fast")
    (repo / "code").unlink()
    (repo / "code").symlink_to("v1")
    assert seen() == ("fast", repo / "v1")
