"""Print least-privilege policies (``faasguard policy``) as JSON, YAML, CloudFormation or Terraform.

Every format carries the same content: per function, the statements its code and
configuration need, and — when the analysis could not see everything — the reasons
the policy may be incomplete, so nobody pastes a policy that will fail at run time
without being told.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from faasguard.iam.least_privilege import FunctionPolicy, PolicyStatement, analyse
from faasguard.model import Application
from faasguard.report.escape import one_line

FORMATS = ("json", "yaml", "cfn", "terraform")
_ONE_REF = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9]+))?\}")


def collect(apps: list[Application], function: str | None = None) -> list[tuple[str, FunctionPolicy]]:
    """(source file, policy) for every AWS function of ``apps``, or only the one named ``function``."""
    out = []
    for app in sorted(apps, key=lambda a: a.source):
        iam = analyse(app)
        for fn in app.functions:
            if fn.provider != "aws" or (function and fn.name != function):
                continue
            out.append((app.source, iam.policies[fn.name]))
    return out


def as_data(policies: list[tuple[str, FunctionPolicy]]) -> dict[str, Any]:
    return {
        "functions": [
            {
                "function": p.function,
                "source": source,
                "role": p.role,
                "complete": p.complete,
                "incomplete_because": list(p.gaps),
                "may_also_need": list(p.may_also_need),
                "policy": p.document(),
            }
            for source, p in policies
        ]
    }


def render(policies: list[tuple[str, FunctionPolicy]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(as_data(policies), indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(as_data(policies), sort_keys=False, width=200)
    if fmt == "cfn":
        return "".join(_cfn(source, p) for source, p in policies)
    if fmt == "terraform":
        return "".join(_terraform(source, p) for source, p in policies)
    raise ValueError(f"unknown format {fmt}")


def _header(source: str, p: FunctionPolicy, comment: str) -> str:
    # Names come from the scanned files: one_line keeps a newline in them from ending the comment.
    lines = [f"{comment} Function {one_line(p.function)} ({one_line(source)}), role {one_line(p.role or '(none)')}"]
    if p.complete:
        lines.append(f"{comment} complete: every SDK call in the code was mapped")
    for gap in p.gaps:
        lines.append(f"{comment} INCOMPLETE: {one_line(gap)}")
    if p.may_also_need:  # not granted below: they depend on the request (an S3 document, a KMS-encrypted queue …)
        lines.append(f"{comment} may also need, depending on the request: {one_line(', '.join(p.may_also_need))}")
    return "\n".join(lines) + "\n"


def _cfn_value(resource: str) -> Any:
    if resource == "*":
        return "*"
    whole = _ONE_REF.fullmatch(resource)
    if whole:
        logical, attr = whole.groups()
        return {"Fn::GetAtt": [logical, attr]} if attr else {"Ref": logical}
    text = resource.replace("arn:aws:", "arn:${AWS::Partition}:", 1) if resource.startswith("arn:aws:") else resource
    return {"Fn::Sub": text} if "${" in text else text


class _CfnDumper(yaml.SafeDumper):
    pass


def _tagged(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    if len(data) == 1:
        ((key, value),) = data.items()
        if key == "Ref":
            return dumper.represent_scalar("!Ref", value)
        if key == "Fn::Sub":
            return dumper.represent_scalar("!Sub", value, style='"')
        if key == "Fn::GetAtt":
            return dumper.represent_scalar("!GetAtt", ".".join(value))
    return dumper.represent_dict(data)


_CfnDumper.add_representer(dict, _tagged)


def _cfn(source: str, p: FunctionPolicy) -> str:
    statements = []
    for s in p.statements:
        resources = [_cfn_value(r) for r in s.resources]
        statements.append(
            {
                "Sid": s.sid,
                "Effect": "Allow",
                "Action": list(s.actions),
                "Resource": resources if len(resources) > 1 else resources[0],
            }
        )
    body = {
        "Policies": [
            {
                "PolicyName": f"{p.function}LeastPrivilege",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            }
        ]
    }
    return _header(source, p, "#") + yaml.dump(body, Dumper=_CfnDumper, sort_keys=False, width=200) + "\n"


_TF_PSEUDO = {
    "${AWS::Region}": "${data.aws_region.current.name}",
    "${AWS::AccountId}": "${data.aws_caller_identity.current.account_id}",
    "${AWS::Partition}": "${data.aws_partition.current.partition}",
}


# A ${...} the policy keeps live: a plain reference (a placeholder such as ${OrdersTable.Arn}, or
# data.aws_region.current.name); any other ${ or %{ in a name from the scanned files is escaped, so
# that a bucket named ${file("~/.ssh/id_rsa")} stays text and is never evaluated by Terraform.
_TF_LIVE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_.\-]*\}")
_TF_SPECIAL = re.compile(r"[\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]|\$\{|%\{")
_TF_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "%{": "%%{"}


def _hcl_quoted(text: str) -> str:
    """``text`` as an HCL string literal: quotes, backslashes and control characters escaped, and only
    plain references left live in ``${...}``."""

    def escape(match: re.Match[str]) -> str:
        found = match.group(0)
        if found == "${":
            return found if _TF_LIVE.match(text, match.start()) else "$${"
        if found in _TF_ESCAPES:
            return _TF_ESCAPES[found]
        return "\\ufffd" if 0xD800 <= ord(found) <= 0xDFFF else f"\\u{ord(found):04x}"

    return '"' + _TF_SPECIAL.sub(escape, text) + '"'


def _tf_string(text: str) -> str:
    for cfn, tf in _TF_PSEUDO.items():
        text = text.replace(cfn, tf)
    return _hcl_quoted(text)


def _terraform(source: str, p: FunctionPolicy) -> str:
    name = re.sub(r"[^a-z0-9_]", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", p.function).lower())
    out = [_header(source, p, "#")]
    if any("${" in r and not any(k in r for k in _TF_PSEUDO) for s in p.statements for r in s.resources):
        out.append("# ${Name} placeholders name resources of the template: replace them with their Terraform references\n")
    out.append(f'data "aws_iam_policy_document" "{name}_least_privilege" {{\n')
    for s in p.statements:
        out.append("  statement {\n")
        out.append(f"    sid       = {_hcl_quoted(s.sid)}\n")
        out.append('    effect    = "Allow"\n')
        out.append(f"    actions   = [{', '.join(_hcl_quoted(a) for a in s.actions)}]\n")
        out.append(f"    resources = [{', '.join(_tf_string(r) for r in s.resources)}]\n")
        out.append("  }\n")
    out.append("}\n\n")
    return "".join(out)


# -- one-line statements for a finding's remediation (FG-IAM-030, 031, 032) ---------------------


def inline(statements: Sequence[PolicyStatement], app: Application) -> str:
    """``statements`` on one line, in the syntax of the source ``app`` came from.

    Terraform gets the ``Statement`` list of a ``jsonencode`` policy with references such
    as ``aws_dynamodb_table.orders.arn``; serverless.yml gets flow-style YAML entries for
    ``provider.iam.role.statements`` with ``!GetAtt OrdersTable.Arn``; every other format
    the JSON documents. A finding's remediation is one line, and HCL blocks with more
    than one argument cannot be written on one line, so the ``aws_iam_policy_document``
    form is left to ``faasguard policy --format terraform``.
    """
    if app.format == "terraform":
        items = []
        for s in statements:
            actions = ", ".join(json.dumps(a) for a in s.actions)
            resources = ", ".join(_tf_expression(_named(r, app)) for r in s.resources)
            items.append(f'{{ Sid = {json.dumps(s.sid)}, Effect = "Allow", Action = [{actions}], Resource = [{resources}] }}')
        return f"[{', '.join(items)}]"
    if app.format == "serverless":
        entries = []
        for s in statements:
            values = [_flow_yaml(_cfn_value(_named(r, app))) for r in s.resources]
            resource = f"[{', '.join(values)}]" if len(values) > 1 else values[0]
            actions = ", ".join(_flow_yaml(a) for a in s.actions)
            entries.append(f"{{Sid: {_flow_yaml(s.sid)}, Effect: Allow, Action: [{actions}], Resource: {resource}}}")
        return f"[{', '.join(entries)}]"
    return json.dumps([s.document() for s in statements], separators=(", ", ": "))


def _named(resource: str, app: Application) -> str:
    """A canonical ARN of one of the app's own resources written back as its reference.

    ``arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders`` becomes
    ``${aws_dynamodb_table.orders.arn}`` in Terraform and ``${OrdersTable.Arn}`` in
    serverless.yml (``${WorkerLambdaFunction.Arn}`` for a function of the file); a
    suffix such as ``/index/*`` is kept.
    """
    from faasguard.iam.least_privilege import Resources
    from faasguard.rules.wording import sls_logical_id

    if resource == "*":
        return resource
    res = Resources(app)
    functions = {f.name for f in app.functions}
    for logical in sorted(res.kinds, key=len, reverse=True):
        arn = res.arn(logical)
        if resource != arn and not resource.startswith(arn + "/"):
            continue
        rest = resource[len(arn):]
        if app.format == "terraform":
            if logical.startswith("module.") and logical in functions:
                return "${" + logical + ".lambda_function_arn}" + rest
            return "${" + logical + ".arn}" + rest
        if logical in functions:
            return "${" + sls_logical_id(logical) + ".Arn}" + rest
        if res.kinds[logical] in ("sns", "secretsmanager"):
            return "${" + logical + "}" + rest  # Ref of a topic or secret is its ARN
        return "${" + logical + ".Arn}" + rest
    return resource


def _tf_expression(resource: str) -> str:
    """An HCL expression: a bare reference when the text is exactly one ``${…}``, else a string."""
    whole = re.fullmatch(r"\$\{([^}]+)\}", resource)
    if whole and "::" not in whole.group(1):
        return whole.group(1)
    return _tf_string(resource)


def _flow_yaml(value: Any) -> str:
    """One value of a flow-style YAML mapping, with CloudFormation's short-form tags."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "Ref":
            return f"!Ref {inner}"
        if key == "Fn::GetAtt":
            return f"!GetAtt {'.'.join(inner)}"
        if key == "Fn::Sub":
            return f"!Sub {json.dumps(inner)}"
    text = str(value)
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9:/._*?-]*", text) and ": " not in text:
        return text
    return json.dumps(text)
