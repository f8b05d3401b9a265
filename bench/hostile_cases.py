"""Re-run every hostile case of issue 14 against the installed faasguard and print a table.

Each case builds a small hostile repository (and a fake home directory beside it, holding
credentials and a private key) in a temporary directory, runs ``python -m faasguard`` on it as a
user would, under a time limit, and checks what a user would see: the exit code, the ``errors``
entry, that no secret from outside the repository reaches any output, that no output holds a
raw control character. Nothing is committed as a large file: every case is generated here.

    python bench/hostile_cases.py            # all cases, a Markdown table on stdout
    python bench/hostile_cases.py -k regex   # only cases whose name holds "regex"

The exit status is 1 when a case does not behave as the issue asks, so CI or a reviewer can run it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LIMIT_S = 120.0  # a case that runs longer is a hang

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
"""
SECRET_ENV = "      Environment:\n        Variables:\n          DB_PASSWORD: Zq8kLm2pX4vB9nR7\n"
HANDLER = "def handler(event, context):\n    return 1\n"
ACCESS_KEY = "AKIAQWERTYUIOPASDFGH"
SECRET_KEY = "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"
KEY_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
OUTSIDE_SECRETS = (ACCESS_KEY, SECRET_KEY, KEY_BODY)
ENV_SECRET = "Zq8kLm2pX4vB9nR7"
CONTROL = "".join(chr(c) for c in [*range(0, 9), *range(11, 32), 127])


@dataclass
class Run:
    code: int | None  # None: killed at the time limit
    out: str
    err: str
    wall: float
    cpu: float
    files: dict[str, str] = field(default_factory=dict)  # reports written with -o / FORMAT:FILE

    def everything(self) -> str:
        return self.out + self.err + "".join(self.files.values())

    def report(self) -> dict:
        for text in [*self.files.values(), self.out]:
            try:
                doc = json.loads(text)
            except ValueError:
                continue
            if isinstance(doc, dict) and "findings" in doc:
                return doc
        return {}

    def errors(self) -> dict[str, str]:
        return {e["path"]: e["message"] for e in self.report().get("errors", [])}

    def rules(self) -> set[str]:
        return {f["rule_id"] for f in self.report().get("findings", [])}


@dataclass
class Case:
    name: str
    group: str
    build: Callable[[Path, Path], list[str]]  # (repo, home) -> faasguard arguments
    check: Callable[[Run, Path, Path], str]  # returns the behaviour; raises AssertionError when wrong


CASES: list[Case] = []


def case(name: str, group: str, build: Callable[[Path, Path], list[str]]) -> Callable[..., Callable[[Run, Path, Path], str]]:
    """Register the decorated check for the case ``build`` makes."""

    def register(check: Callable[[Run, Path, Path], str]) -> Callable[[Run, Path, Path], str]:
        CASES.append(Case(name, group, build, check))
        return check

    return register


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def json_scan(repo: Path, *extra: str) -> list[str]:
    return ["scan", str(repo), "--format", "json", "--no-cache", *extra]


def all_formats(repo: Path, *extra: str) -> list[str]:
    out = repo.parent / "out"
    args = ["scan", str(repo), "--no-cache", "--verbose", *extra]
    for fmt, name in (("json", "r.json"), ("text", "r.txt"), ("sarif", "r.sarif"), ("junit", "r.xml"),
                      ("html", "r.html"), ("markdown", "r.md")):
        args += ["--format", f"{fmt}:{out / name}"]
    return args


def no_outside_secret(run: Run) -> None:
    text = run.everything()
    for secret in OUTSIDE_SECRETS:
        assert secret not in text, f"{secret[:6]}… from outside the repository reached an output"


def expect(cond: bool, what: str) -> None:
    assert cond, what


# -- reading outside the scan root ---------------------------------------------------------------


def _tf_and_env_links(repo: Path, home: Path) -> list[str]:
    os.symlink(home / ".aws" / "credentials", repo / "main.tf")
    os.symlink(home / ".ssh" / "id_ed25519", repo / ".env")
    write(repo, {"template.yaml": SAM, "src/app.py": HANDLER})
    return all_formats(repo)


@case("`.tf` → ~/.aws/credentials, `.env` → ~/.ssh/id_ed25519 (symlinks)", "outside the root", _tf_and_env_links)
def _(run: Run, repo: Path, home: Path) -> str:
    no_outside_secret(run)
    errors = run.errors()
    expect("leaves the scanned directory" in errors.get("main.tf", "") and "leaves" in errors.get(".env", ""), str(errors))
    return "both refused: `errors` entry per file naming it; no key in any of 6 formats"


def _policy_link(repo: Path, home: Path) -> list[str]:
    os.symlink(home / ".aws" / "credentials", repo / "main.tf")
    write(repo, {"template.yaml": SAM, "src/app.py": "import boto3\n" + HANDLER})
    return ["policy", str(repo), "--format", "terraform"]


@case("`faasguard policy` with `main.tf` → credentials", "outside the root", _policy_link)
def _(run: Run, repo: Path, home: Path) -> str:
    no_outside_secret(run)
    expect("leaves the scanned directory" in run.err, run.err)
    return "refused on stderr (relative path); no key printed"


def _code_uri(repo: Path, home: Path) -> list[str]:
    write(home, {".aws/stolen.py": f'KEY = "{ACCESS_KEY}"\n' + HANDLER})
    write(repo, {"template.yaml": SAM.replace("app.handler", "stolen.handler").replace("src/", "../home/.aws/")})
    return json_scan(repo)


@case("SAM `CodeUri: ../home/.aws`", "outside the root", _code_uri)
def _(run: Run, repo: Path, home: Path) -> str:
    no_outside_secret(run)
    expect(any("leaves the scanned directory" in m for m in run.errors().values()), str(run.errors()))
    return "code not read; `errors` entry `CodeUri ../home/.aws leaves the scanned directory`"


def _code_uri_abs(repo: Path, home: Path) -> list[str]:
    write(home, {".aws/stolen.py": f'KEY = "{ACCESS_KEY}"\n' + HANDLER})
    write(repo, {"template.yaml": SAM.replace("app.handler", "stolen.handler").replace("src/", str(home / ".aws") + "/")})
    return json_scan(repo)


@case("SAM `CodeUri:` absolute path", "outside the root", _code_uri_abs)
def _(run: Run, repo: Path, home: Path) -> str:
    no_outside_secret(run)
    expect(str(home) not in run.out, "absolute path in the report")
    expect(any("leaves the scanned directory" in m for m in run.errors().values()), str(run.errors()))
    return "not read; error names it relative to the root (`../home/.aws`), no absolute path"


def _handler_up(repo: Path, home: Path) -> list[str]:
    write(home, {"stolen.py": f'KEY = "{ACCESS_KEY}"\n' + HANDLER})
    write(repo, {"template.yaml": SAM.replace("app.handler", "../../home/stolen.handler"), "src/app.py": HANDLER})
    return json_scan(repo)


@case("SAM `Handler: ../../home/stolen.handler`", "outside the root", _handler_up)
def _(run: Run, repo: Path, home: Path) -> str:
    no_outside_secret(run)
    return "handler outside not read; no key in the report"


def _tf_source_dir(repo: Path, home: Path) -> list[str]:
    write(home, {".aws/stolen.py": f'KEY = "{ACCESS_KEY}"\n' + HANDLER})
    write(repo, {"main.tf": '''
data "archive_file" "zip" {
  type        = "zip"
  source_dir  = "../home/.aws"
  output_path = "build/fn.zip"
}
resource "aws_lambda_function" "fn" {
  function_name    = "fn"
  role             = "arn:aws:iam::123456789012:role/fn"
  handler          = "stolen.handler"
  runtime          = "python3.12"
  filename         = data.archive_file.zip.output_path
}
'''})
    return json_scan(repo)


@case("Terraform `source_dir = \"../home/.aws\"`", "outside the root", _tf_source_dir)
def _(run: Run, repo: Path, home: Path) -> str:
    no_outside_secret(run)
    expect("leaves the scanned directory" in run.errors().get("main.tf", ""), str(run.errors()))
    return "not read; `errors` entry on main.tf naming `../home/.aws`"


def _sls_file(repo: Path, home: Path) -> list[str]:
    write(home, {"leak.yml": f"key: {ACCESS_KEY}\n"})
    write(repo, {"serverless.yml": (
        "service: s\nprovider: {name: aws, runtime: python3.12}\n"
        "functions:\n  f:\n    handler: app.handler\n    environment:\n      KEY: ${file(../home/leak.yml):key}\n"
    ), "app.py": HANDLER})
    return json_scan(repo)


@case("Serverless `${file(../home/leak.yml)}`", "outside the root", _sls_file)
def _(run: Run, repo: Path, home: Path) -> str:
    no_outside_secret(run)
    expect(any("leaves the scanned directory" in m for m in run.errors().values()), str(run.errors()))
    return "not read; `errors` entry naming `../home/leak.yml`"


def _definition_uri(repo: Path, home: Path) -> list[str]:
    write(home, {"api.yaml": "openapi: 3.0.1\npaths:\n  /internal-admin-route: {get: {}}\n"})
    write(repo, {"template.yaml": SAM + "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
                 "      DefinitionUri: ../home/api.yaml\n", "src/app.py": HANDLER})
    return json_scan(repo)


@case("SAM `DefinitionUri: ../home/api.yaml`", "outside the root", _definition_uri)
def _(run: Run, repo: Path, home: Path) -> str:
    expect("internal-admin-route" not in run.everything(), "a route from the outside file reached the report")
    expect(any("leaves the scanned directory" in m for m in run.errors().values()), str(run.errors()))
    return "not read; `errors` entry; no route name from it in the report"


def _requirements_include(repo: Path, home: Path) -> list[str]:
    write(home, {"reqs.txt": "leakedpackage==1.0\n"})
    write(repo, {"template.yaml": SAM, "src/app.py": HANDLER, "src/requirements.txt": "-r ../../home/reqs.txt\n"})
    return json_scan(repo)


@case("requirements `-r ../../home/reqs.txt`", "outside the root", _requirements_include)
def _(run: Run, repo: Path, home: Path) -> str:
    expect("leakedpackage" not in run.out, "the outside include was read")
    return "include not read; warning names it"


def _malformed_tf_key(repo: Path, home: Path) -> list[str]:
    key = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n"
    write(repo, {"main.tf": f'resource "x" "y" {{\n  key = {key}\n}}\n'})
    return all_formats(repo)


@case("malformed `.tf` holding a private key", "outside the root", _malformed_tf_key)
def _(run: Run, repo: Path, home: Path) -> str:
    no_outside_secret(run)
    expect("not valid HCL" in run.errors().get("main.tf", ""), str(run.errors()))
    return "`errors` entry `not valid HCL at line N`; key body not quoted"


# -- the repository's own .faasguard.yaml --------------------------------------------------------


def _config_case(name: str, files: dict[str, str | bytes], expected: str) -> None:
    def build(repo: Path, home: Path) -> list[str]:
        write(repo, {"template.yaml": SAM, "src/app.py": HANDLER, **files})
        return ["scan", str(repo), "--quiet"]

    def check(run: Run, repo: Path, home: Path) -> str:
        expect(run.code == 2 and expected in run.err and "Traceback" not in run.err, run.err[-300:])
        expect(not (repo.parent / "outside").exists(), "wrote outside the root")
        return f"usage error: `{expected}…`"

    CASES.append(Case(name, ".faasguard.yaml", build, check))


def _laughs() -> str:
    lines = ["var:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


_config_case("`advisory-db: ../outside`", {".faasguard.yaml": "advisory-db: ../outside\n"}, "advisory-db ../outside leaves")
_config_case("`baseline: /dev/zero`", {".faasguard.yaml": "baseline: /dev/zero\n"}, "baseline /dev/zero leaves")
_config_case("billion-laughs `var:`", {".faasguard.yaml": _laughs()}, "alias bomb")
_config_case("50k-deep config", {".faasguard.yaml": "var: " + "[" * 50_000 + "]" * 50_000 + "\n"}, "nesting")
_config_case("100k-deep baseline JSON", {".faasguard.yaml": "baseline: b.json\n", "b.json": "[" * 100_000 + "]" * 100_000},
             "nested too deeply")
_config_case("non-UTF-8 config", {".faasguard.yaml": "fail-on: high # caf\xe9\n".encode("latin-1")}, "not UTF-8 text")


def _skip_all(repo: Path, home: Path) -> list[str]:
    every = "[iam, secrets, network, monitoring, resources, injection, supply-chain]"
    write(repo, {".faasguard.yaml": f"skip-categories: {every}\n", "template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
    return json_scan(repo)


@case("config that skips every category", ".faasguard.yaml", _skip_all)
def _(run: Run, repo: Path, home: Path) -> str:
    silenced = run.report()["scanned"]["suppressed_by"]["config"]
    expect(silenced >= 4, f"only {silenced} counted")
    return f"exit {run.code}, but the summary counts {silenced} findings silenced by the config"


def _ignore_in_string(repo: Path, home: Path) -> list[str]:
    write(repo, {"template.yaml": SAM + '      Environment:\n        Variables:\n          NOTE: "faasguard:ignore"\n'
                 "          DB_PASSWORD: Zq8kLm2pX4vB9nR7\n", "src/app.py": HANDLER})
    return json_scan(repo, "--rule", "FG-SEC-001")


@case("`faasguard:ignore` inside a YAML string", ".faasguard.yaml", _ignore_in_string)
def _(run: Run, repo: Path, home: Path) -> str:
    expect("FG-SEC-001" in run.rules(), "suppressed by a string value")
    return "does not suppress (only comments do)"


def _db_untouched(repo: Path, home: Path) -> list[str]:
    db = repo.parent / "osv"
    write(db, {"PyPI/GHSA-x.json": json.dumps({
        "id": "GHSA-x", "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]}]}],
    })})
    write(repo, {"template.yaml": SAM, "src/app.py": HANDLER, "src/requirements.txt": "requests==2.19.0\n"})
    (repo.parent / "before.txt").write_text(_snapshot(db))
    return json_scan(repo, "--advisory-db", str(db), "--fail-on", "none")


def _snapshot(db: Path) -> str:
    return "\n".join(f"{p.relative_to(db)} {p.stat().st_size} {p.stat().st_mtime_ns}" for p in sorted(db.rglob("*")))


@case("`--advisory-db DIR` given as input", ".faasguard.yaml", _db_untouched)
def _(run: Run, repo: Path, home: Path) -> str:
    db = repo.parent / "osv"
    expect(_snapshot(db) == (repo.parent / "before.txt").read_text(), "the database directory changed")
    expect("GHSA-x" in run.out, "the database was not read")
    return "read, never written (same files, sizes and times)"


# -- regular-expression backtracking ----------------------------------------------------------------


def _text_case(name: str, files: dict[str, str]) -> None:
    def build(repo: Path, home: Path) -> list[str]:
        write(repo, {"template.yaml": SAM, "src/app.py": HANDLER, **files})
        return json_scan(repo)

    def check(run: Run, repo: Path, home: Path) -> str:
        expect(run.code in (0, 1), f"exit {run.code}")
        expect(not any("limit per file" in m for m in run.errors().values()), "hit the time budget")
        return "linear: scanned, no timeout"

    CASES.append(Case(name, "backtracking", build, check))


_text_case("`.env` `A=x` + 150k spaces + `y`", {".env": "A=x" + " " * 150_000 + "y\n"})
_text_case("90k × `-eyJ` (JWT pattern)", {".env": "T=" + "-eyJ" * 90_000 + "\n"})
_text_case("120k × `-sk-` (OpenAI pattern)", {".env": "T=" + "-sk-" * 120_000 + "T3BlbkFJ\n"})
_text_case("`password=x` + 150k × `user=`", {".env": "X=password=x" + "user=" * 150_000 + "\n"})
_text_case("`DB_PASSWORD=` + 60k × `{{`", {".env": "DB_PASSWORD=" + "{{" * 60_000 + "\n"})
_text_case("`!Sub` of 60k × `${`", {"template.yaml": SAM + '      Environment:\n        Variables:\n          X: !Sub "'
                                    + "${" * 60_000 + '"\n'})
_text_case("requirements line of 100k spaces", {"src/requirements.txt": "requests" + " " * 100_000 + "x\n"})


# -- reference bombs --------------------------------------------------------------------------------


def _tf_locals(repo: Path, home: Path) -> list[str]:
    locals_ = "".join(f'  l{i} = "${{local.l{i + 1}}}${{local.l{i + 1}}}"\n' for i in range(23))
    write(repo, {"main.tf": f'locals {{\n{locals_}  l23 = "x"\n}}\nresource "aws_lambda_function" "f" {{\n'
                 '  function_name = local.l0\n  role = "arn:aws:iam::123456789012:role/x"\n  handler = "app.handler"\n'
                 '  runtime = "python3.12"\n  filename = "f.zip"\n}\n'})
    return json_scan(repo)


@case("23 Terraform locals `${local.next}${local.next}`", "reference bombs", _tf_locals)
def _(run: Run, repo: Path, home: Path) -> str:
    expect(run.code in (0, 1, 2), f"exit {run.code}")
    return "bounded: loads, the doubled value is cut at the expansion limit"


def _sls_refs(repo: Path, home: Path) -> list[str]:
    custom = "".join(f"  a{i}: [${{self:custom.a{i + 1}}}, ${{self:custom.a{i + 1}}}, ${{self:custom.a{i + 1}}}]\n"
                     for i in range(14))
    write(repo, {"serverless.yml": f"service: s\nprovider: {{name: aws, runtime: python3.12}}\ncustom:\n{custom}  a14: x\n"
                 "functions:\n  f:\n    handler: app.handler\n    environment:\n      X: ${self:custom.a0}\n",
                 "app.py": HANDLER})
    return json_scan(repo)


@case("serverless `${self:custom.aN}` × 3 per level, 14 levels", "reference bombs", _sls_refs)
def _(run: Run, repo: Path, home: Path) -> str:
    expect(run.code in (0, 1), f"exit {run.code}")
    return "bounded: the file is loaded with a warning at the expansion limit"


# -- crashes ---------------------------------------------------------------------------------------------


def _deep(name: str, text: str) -> Callable[[Path, Path], list[str]]:
    def build(repo: Path, home: Path) -> list[str]:
        write(repo, {name: text, "template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
        return json_scan(repo)

    return build


def _deep_check(name: str) -> Callable[[Run, Path, Path], str]:
    def check(run: Run, repo: Path, home: Path) -> str:
        expect(run.errors().get(name, "").startswith("nested too deeply"), str(run.errors()))
        expect("FG-SEC-001" in run.rules(), "the rest of the scan did not go on")
        return "`errors` entry `nested too deeply…`; the rest is scanned"

    return check


CASES.append(Case("1,000-deep `config.json`", "crashes", _deep("config.json", "[" * 1_000 + "]" * 1_000),
                  _deep_check("config.json")))
CASES.append(Case("100k-deep `local.settings.json`", "crashes",
                  _deep("local.settings.json", '{"Values":' + "[" * 100_000 + "]" * 100_000 + "}"),
                  _deep_check("local.settings.json")))


def _latin1(repo: Path, home: Path) -> list[str]:
    write(repo / os.fsdecode(b"caf\xe9"), {"template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
    return ["scan", str(repo), "--no-cache", "--format", "text", "-o", str(repo.parent / "out" / "r.txt")]


@case("latin-1 file name, text `-o`", "crashes", _latin1)
def _(run: Run, repo: Path, home: Path) -> str:
    text = run.files.get("r.txt", "")
    expect(run.code == 1 and "caf\\xe9/template.yaml" in text, f"exit {run.code}: {text[:200]}")
    return "report written; the name shown as `caf\\xe9/template.yaml`"


def _output_case(name: str, extra: Callable[[Path], list[str]], expected: str) -> None:
    def build(repo: Path, home: Path) -> list[str]:
        write(repo, {"template.yaml": SAM, "src/app.py": HANDLER})
        return ["scan", str(repo), "--quiet", "--no-cache", *extra(repo)]

    def check(run: Run, repo: Path, home: Path) -> str:
        expect(run.code == 2 and expected in run.err and "Traceback" not in run.err, f"exit {run.code}: {run.err[-200:]}")
        return f"exit 2, `{expected}`"

    CASES.append(Case(name, "crashes", build, check))


_output_case("`-o` a directory", lambda repo: ["-o", str(repo)], "it is a directory")
_output_case("`-o /dev/full`", lambda repo: ["-o", "/dev/full"], "No space left on device")
_output_case("`--sbom` into a directory", lambda repo: ["--sbom", "cyclonedx", str(repo)], "it is a directory")


# -- unsafe output ------------------------------------------------------------------------------------

EVIL = "Fn\\e]0;pwned\\a\\e[2J]]>\\x01"


def _evil_names(repo: Path, home: Path) -> list[str]:
    template = SAM.replace("  Fn:", f'  "{EVIL}":') + SECRET_ENV
    write(repo, {"t\x1b[31mred ]]> %.yaml": template, "src/app.py": HANDLER})
    return all_formats(repo)


@case("ESC/BEL, `]]>`, SOH in resource and file names", "unsafe output", _evil_names)
def _(run: Run, repo: Path, home: Path) -> str:
    import xml.etree.ElementTree as ET

    for name, text in [("stderr", run.err), *run.files.items()]:
        if name != "r.json" and name != "r.sarif":
            expect(not any(c in text for c in CONTROL), f"raw control character in {name}")
        expect(ENV_SECRET not in text, f"secret in {name}")
    ET.fromstring(run.files["r.xml"])
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(run.files["r.sarif"])["runs"][0]["results"]}
    expect(uris == {"t%1B%5B31mred%20%5D%5D%3E%20%25.yaml"}, str(uris))
    return "shown as `\\x1b…`; JUnit parses; SARIF uri `t%1B%5B31mred…`; secret masked in all 6"


def _policy_injection(repo: Path, home: Path) -> list[str]:
    name = 'x\\nresource \\"null_resource\\" \\"pwn\\" {\\n  provisioner \\"local-exec\\" { command = \\"id\\" }\\n}\\n#'
    write(repo, {
        "template.json": json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Fn": {
            "Type": "AWS::Serverless::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "src/", "FunctionName": "n",
                "Environment": {"Variables": {"BUCKET": 'b${file("/etc/passwd")}'}}}}}}).replace('"Fn"', f'"{name}"'),
        "src/app.py": "import os, boto3\ndef handler(e, c):\n    return boto3.client('s3').get_object("
                      "Bucket=os.environ['BUCKET'], Key='k')\n",
    })
    return ["policy", str(repo), "--format", "terraform"]


@case("function name with newlines / bucket `${file(...)}` → `policy --format terraform`", "unsafe output", _policy_injection)
def _(run: Run, repo: Path, home: Path) -> str:
    lines = run.out.splitlines()
    expect(not any(line.startswith("resource") for line in lines), "a live resource block")
    expect('${file("' not in run.out, "a live function call")
    return "name stays in one `#` comment; `${file(` written `$${file(`"


def _sls_default(repo: Path, home: Path) -> list[str]:
    write(repo, {"serverless.yml": "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  f:\n"
                 "    handler: app.handler\n    environment:\n      DB: ${ssm:/db/${opt:region}/pw, 'Zq8kLm2pX4vB9nR7'}\n",
                 "app.py": HANDLER})
    return all_formats(repo)


@case("literal default of an unresolved serverless variable", "unsafe output", _sls_default)
def _(run: Run, repo: Path, home: Path) -> str:
    expect(ENV_SECRET not in run.everything(), "the default was echoed")
    return "warning shows `${ssm:/db/${opt:region}/pw, …}`; the default never printed"


# -- signals ----------------------------------------------------------------------------------------------


def _many(repo: Path, home: Path) -> list[str]:
    for i in range(200):
        write(repo / f"svc{i:03}", {"template.yaml": SAM, "src/app.py": HANDLER})
    return ["SIGTERM"]


@case("SIGTERM to the scan while 2 workers run", "signals", _many)
def _(run: Run, repo: Path, home: Path) -> str:
    expect(run.code == -signal.SIGTERM, f"exit {run.code}")
    expect(run.out == "SIGTERM-EOF", run.out)
    return "workers end first; the output pipe sees EOF; exit by SIGTERM"


# -- parser bombs and limits ---------------------------------------------------------------------------------


def _bomb(name: str, files: Callable[[], dict[str, str | bytes]], expected: str | None) -> None:
    def build(repo: Path, home: Path) -> list[str]:
        write(repo, {"template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER, **files()})
        return json_scan(repo)

    def check(run: Run, repo: Path, home: Path) -> str:
        expect(run.code == 1, f"exit {run.code}: {run.err[-300:]}")
        expect("FG-SEC-001" in run.rules(), "the rest of the scan did not go on")
        messages = [m for m in run.errors().values() if "internal error" in m]
        expect(not messages, str(messages))
        if expected is None:
            return "read, no error; the rest is scanned"
        found = [f"{p}: {m}" for p, m in run.errors().items() if expected in m]
        expect(bool(found), f"no `{expected}` in {run.errors()}")
        return f"`errors` entry `{found[0][:70]}`; the rest is scanned"

    CASES.append(Case(name, "parser bombs and limits", build, check))


def _alias_bomb() -> dict[str, str | bytes]:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, cur in zip("abcdefghi", "bcdefghij", strict=True):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    return {"bomb/template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n" + "\n".join(lines) + "\n"}


_bomb("YAML alias bomb (10^10 nodes)", _alias_bomb, "alias")
CFN = "AWSTemplateFormatVersion: '2010-09-09'\n"
_bomb("100k-deep YAML template", lambda: {"deep/template.yaml": CFN + "Resources: " + "[" * 100_000 + "]" * 100_000 + "\n"},
      "nesting depth")
_bomb("100k-deep JSON template", lambda: {"deep/template.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources":'
                                          + "[" * 100_000 + "]" * 100_000 + "}"}, "nesting depth")
_bomb("100k-deep HCL", lambda: {"deep/main.tf": "locals {\n  x = " + "[" * 100_000 + "]" * 100_000 + "\n}\n"}, "too deep")
_bomb("100k-deep Python handler", lambda: {"src/deep.py": "x = " + "(" * 100_000 + ")" * 100_000 + "\n",
                                           "src/app.py": "import deep\n" + HANDLER}, None)
_bomb("100k-deep JavaScript", lambda: {"web/index.js": "x = " + "[" * 100_000 + "]" * 100_000 + ";\n"}, None)
_bomb("binary file named template.yaml", lambda: {"bin/template.yaml": b"\x00\x01\x02" * 1000}, "binary")
_bomb("CRLF + BOM template", lambda: {"crlf/template.yaml": ("\ufeff" + SAM + SECRET_ENV).replace("\n", "\r\n")}, None)
_bomb("100k-entry package-lock.json", lambda: {"web/package-lock.json": json.dumps({
    "lockfileVersion": 3, "packages": {f"node_modules/p{i}": {"version": "1.0.0"} for i in range(100_000)}})}, None)
_bomb("file over 20 MB", lambda: {"big/template.yaml": "# " + "x" * (21 * 2**20) + "\n"}, "limit")


def _symlink_loop(repo: Path, home: Path) -> list[str]:
    write(repo, {"template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
    os.symlink("..", repo / "src" / "loop")
    os.symlink("b", repo / "a.yaml")
    os.symlink("a.yaml", repo / "b")
    return json_scan(repo)


@case("symlink loops (`src/loop → ..`, `a.yaml ↔ b`)", "parser bombs and limits", _symlink_loop)
def _(run: Run, repo: Path, home: Path) -> str:
    expect(run.code == 1 and "FG-SEC-001" in run.rules(), f"exit {run.code}")
    return "each file read once; the loop is an `errors` entry or skipped"


def _fifos(repo: Path, home: Path) -> list[str]:
    write(repo, {"template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
    for name in ("main.tf", ".env", "serverless.yml", "package-lock.json", "src/helper.py"):
        os.mkfifo(repo / name)
    return json_scan(repo)


@case("named pipes as main.tf, .env, serverless.yml, lock file, module", "parser bombs and limits", _fifos)
def _(run: Run, repo: Path, home: Path) -> str:
    refused = [p for p, m in run.errors().items() if "not a regular file" in m]
    expect(len(refused) >= 4 and "FG-SEC-001" in run.rules(), str(run.errors()))
    return f"{len(refused)} `errors` entries `not a regular file…`; no hang"


def _nothing_runs(repo: Path, home: Path) -> list[str]:
    marker = repo.parent / "IMPORTED"
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    write(repo, {"template.yaml": SAM + SECRET_ENV, "src/app.py": payload + "import helper\n" + HANDLER,
                 "src/helper.py": payload, "src/setup.py": payload, "src/conftest.py": payload,
                 "src/index.js": f"require('fs').writeFileSync({str(marker)!r}, 'x');\n"})
    return json_scan(repo)


@case("handler/helper/setup.py/conftest.py whose import writes a marker", "nothing executed", _nothing_runs)
def _(run: Run, repo: Path, home: Path) -> str:
    expect(not (repo.parent / "IMPORTED").exists(), "a scanned file was executed")
    return "nothing imported or run (marker absent); findings reported"


def _advisory_path(repo: Path, home: Path) -> list[str]:
    write(repo, {"template.yaml": SAM, "src/app.py": HANDLER, "src/requirements.txt": "requests==2.19.0\n"})
    return all_formats(repo)


@case("no advisory database in the user cache", "no path outside the root", _advisory_path)
def _(run: Run, repo: Path, home: Path) -> str:
    for name, text in [("stdout", run.out), ("stderr", run.err), *run.files.items()]:
        expect(str(home) not in text, f"{name} holds the home directory {home}")
    expect("~/.cache/faasguard/advisories" in run.files["r.json"], "the warning does not name the database")
    return "warning names `~/.cache/faasguard/advisories`; no absolute home path in any output"


# -- running ------------------------------------------------------------------------------------------------


def _run(args: list[str], home: Path, repo: Path) -> Run:
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "PYTHONIOENCODING": "utf-8"}
    env.pop("FAASGUARD_ADVISORY_DB", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    if args == ["SIGTERM"]:
        return _sigterm(repo, env, started, before)
    command = [sys.executable, "-m", "faasguard", *args]
    try:
        proc = subprocess.run(command, capture_output=True, timeout=LIMIT_S, env=env, stdin=subprocess.DEVNULL)
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = None, exc.stdout or b"", exc.stderr or b""
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    run = Run(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), wall, cpu)
    out_dir = repo.parent / "out"
    if out_dir.is_dir():
        run.files = {p.name: p.read_text(encoding="utf-8", errors="replace") for p in out_dir.iterdir() if p.is_file()}
    return run


def _sigterm(repo: Path, env: dict[str, str], started: float, before: resource.struct_rusage) -> Run:
    """Start a scan with two workers, send SIGTERM once both exist, and wait for EOF on its output."""
    import select

    proc = subprocess.Popen([sys.executable, "-m", "faasguard", "scan", str(repo), "--jobs", "2", "--no-cache"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + LIMIT_S
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            except OSError:
                children = []
            if len(children) >= 2:
                break
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.stdout is not None
        eof = False
        while time.monotonic() < deadline and not eof:
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            eof = bool(ready) and not os.read(proc.stdout.fileno(), 65536)
        code = proc.wait(10)
        out = "SIGTERM-EOF" if eof else "no EOF"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Run(code, out, "", time.monotonic() - started, cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", help="only cases whose name or group holds this text")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if not args.k or args.k.lower() in (c.name + c.group).lower()]
    print("| group | case | behaviour | exit | wall s | CPU s | as asked |")
    print("|---|---|---|---|---|---|---|")
    failed = 0
    for c in cases:
        with tempfile.TemporaryDirectory(prefix="faasguard-hostile-") as tmp:
            base = Path(tmp)
            repo, home = base / "repo", base / "home"
            repo.mkdir()
            write(home, {".aws/credentials": f"[default]\naws_access_key_id = {ACCESS_KEY}\n"
                                             f"aws_secret_access_key = {SECRET_KEY}\n",
                         ".ssh/id_ed25519": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY_BODY}\n"
                                            "-----END OPENSSH PRIVATE KEY-----\n"})
            arguments = c.build(repo, home)
            run = _run(arguments, home, repo)
            try:
                if run.code is None:
                    raise AssertionError(f"still running after {LIMIT_S:g} s")
                expect("Traceback" not in run.err, "traceback: " + run.err[-300:])
                behaviour, ok = c.check(run, repo, home), "yes"
            except (AssertionError, KeyError, ValueError) as exc:
                behaviour, ok = f"**{type(exc).__name__}: {str(exc)[:150]}**", "**NO**"
                failed += 1
        code = "timeout" if run.code is None else str(run.code)
        behaviour = behaviour.replace("|", "\\|").replace("\n", " ")
        print(f"| {c.group} | {c.name} | {behaviour} | {code} | {run.wall:.1f} | {run.cpu:.1f} | {ok} |", flush=True)
    print(f"\n{len(cases) - failed} of {len(cases)} cases behave as issue 14 asks.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
