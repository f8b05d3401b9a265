"""Remediation text in the words of the source the user edits.

One application model comes from SAM, CloudFormation, CDK output, serverless.yml or
Terraform, but the fix a user applies is written in one of them: `Tracing: Active`
in SAM, `tracing_config { mode = "Active" }` in Terraform, `provider.tracing.lambda:
true` in serverless.yml, `tracing: lambda.Tracing.ACTIVE` in CDK code. A rule states
its fix once per format with :func:`fix`, which picks the one for ``app.format`` and
falls back where the formats share their syntax: SAM to CloudFormation (a SAM template
is CloudFormation), serverless.yml to CloudFormation (what it does not model itself
goes under ``resources.Resources``), CDK to CloudFormation (the synthesized template
names the same properties), Pulumi to Terraform (its AWS provider is generated from Terraform's, with
the same arguments in camelCase), and every other format to CloudFormation.

The small helpers below name where a function-level setting goes in Terraform and
serverless.yml, so rules do not each rebuild the same phrase.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

_PULUMI_TABLE = Path(__file__).resolve().parents[1] / "data" / "pulumi_types.toml"


def fix(
    fmt: str,
    *,
    cfn: str,
    sam: str | None = None,
    cdk: str | None = None,
    terraform: str | None = None,
    serverless: str | None = None,
) -> str:
    """The remediation for source format ``fmt`` (``Application.format``)."""
    # Pulumi's AWS provider is generated from Terraform's: the same resources and arguments (in camelCase).
    if fmt == "sam":
        chosen = sam
    elif fmt == "terraform" or fmt == "pulumi":
        chosen = terraform
    elif fmt == "serverless":
        chosen = serverless
    elif fmt == "cdk":
        chosen = cdk
    else:
        return cfn
    return chosen if chosen is not None else cfn


def tf_function(function: str, attribute: str, module_input: str | None = None) -> str:
    """Where a setting of a Terraform function goes: ``timeout = 28 on aws_lambda_function.orders``.

    A function from the terraform-aws-modules/lambda module (``module.orders``) takes the
    module's input instead, when it has one.
    """
    if function.startswith("module.") and module_input is not None:
        return f"{module_input} in {function}"
    if function.startswith("aws_lambda_function."):
        return f"{attribute} on {function}"
    return f"{attribute} on the aws_lambda_function {function}"


def sls_function(function: str, key: str) -> str:
    """A per-function key of serverless.yml: ``functions.orders.timeout``."""
    return f"functions.{function}.{key}"


def sls_logical_id(function: str) -> str:
    """The CloudFormation logical id the Framework gives a function (``get-user`` → ``GetDashuserLambdaFunction``).

    The same normalisation as the serverless.yml loader's, for fixes written under
    ``resources.Resources`` that must refer to the function.
    """
    text = function.replace("-", "Dash").replace("_", "Underscore")
    return text[:1].upper() + text[1:] + "LambdaFunction"


@functools.cache
def cdk_runtime(runtime: str) -> str:
    """The aws-cdk-lib ``lambda.Runtime`` constant of a runtime id (``nodejs22.x`` → ``NODEJS_22_X``)."""
    return re.sub(r"^([a-z]+)(\d)", r"\1_\2", runtime).replace(".", "_").upper()


@functools.cache
def _pulumi_arguments() -> re.Pattern[str]:
    words = tomllib.loads(_PULUMI_TABLE.read_text(encoding="utf-8"))["wording"]["arguments"]
    word = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    # A whole argument name (or a path of them: service_config.ingress_settings), not part of an
    # address (aws_lambda_function.orders) or an interpolation; then what follows it: `=` or `{`.
    return re.compile(rf"(?<![\w.${{/-])((?:{word})(?:\.(?:{word}))*)(?![\w(])(\s*=(?!=)\s*|\s*\{{)?")


_ASSIGN = re.compile(r"\b([a-z]\w*) = ")


def camel(name: str) -> str:
    """``code_signing_config_arn`` → ``codeSigningConfigArn`` (how Pulumi names a Terraform argument)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def pulumi_words(text: str) -> str:
    """Terraform argument names in a message or fix, as a Pulumi program writes them.

    Pulumi's AWS and Google providers are generated from Terraform's, with the same arguments in
    camelCase; ``name = value`` and ``name { a = b }`` become ``name: value`` and ``name: { a: b }``.
    Only the arguments listed in ``data/pulumi_types.toml`` are renamed, so user data (an
    environment variable called ``db_password``) is never rewritten.
    """
    out: list[str] = []
    position = 0
    pattern = _pulumi_arguments()
    for match in pattern.finditer(text):
        if match.start() < position:
            continue  # inside a block already rewritten
        out.append(text[position : match.start()])
        name = ".".join(camel(part) for part in match.group(1).split("."))
        tail = match.group(2) or ""
        position = match.end()
        if tail.strip() == "=":
            out.append(name + ": ")
        elif tail.strip() == "{":
            close = text.find("}", position)
            inner = text[position:close] if close >= 0 else ""
            out.append(name + ": {" + _ASSIGN.sub(r"\1: ", pulumi_words(inner)))
            position = close if close >= 0 else position
        else:
            out.append(name)
    out.append(text[position:])
    return "".join(out)
