"""Nothing outside the scan root is read or printed; the path that leaves it is named, relative."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from faasguard import limits
from faasguard.cli import main
from faasguard.scan import ScanOptions, scan
from tests.hostile.conftest import ACCESS_KEY, HANDLER, SAM, SECRET_KEY, report_text, write

FORMATS = ("text", "json", "sarif", "junit", "html")


def _assert_nothing_leaked(text: str, outside: Path) -> None:
    assert ACCESS_KEY not in text and ACCESS_KEY[:4] + "…" not in text
    assert SECRET_KEY not in text and SECRET_KEY[:4] not in text
    assert str(outside) not in text


@pytest.mark.parametrize("name", ["main.tf", ".env", "template.yaml", "config.json"])
def test_a_symlink_out_of_the_root_is_refused_and_named(repo: Path, outside: Path, name: str) -> None:
    os.symlink(outside / ".aws" / "credentials", repo / name)
    result = scan(repo, ScanOptions(jobs=1))
    assert result.findings == []
    errors = dict(result.errors)
    assert "leaves the scanned directory" in errors[name]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_shows_what_a_symlink_points_at(repo, outside, capsys, fmt) -> None:
    os.symlink(outside / ".aws" / "credentials", repo / "main.tf")
    os.symlink(outside / ".aws" / "credentials", repo / ".env")
    write(repo, {"template.yaml": SAM, "src/app.py": HANDLER})
    main(["scan", str(repo), "--format", fmt, "--quiet"])
    text = report_text(capsys)
    _assert_nothing_leaked(text, outside)
    assert "main.tf" in text


def test_policy_command_does_not_print_it_either(repo, outside, capsys) -> None:
    os.symlink(outside / ".aws" / "credentials", repo / "main.tf")
    write(repo, {"template.yaml": SAM, "src/app.py": HANDLER})
    main(["policy", str(repo)])
    _assert_nothing_leaked(report_text(capsys), outside)


def test_sam_code_uri_that_leaves_the_root_is_not_read(repo, outside) -> None:
    template = SAM.replace("CodeUri: src/", "CodeUri: ../home/.aws/").replace("app.handler", "stolen.handler")
    write(repo, {"template.yaml": template})
    result = scan(repo, ScanOptions(jobs=1))
    assert [f for f in result.findings if f.rule_id.startswith("FG-SEC")] == []
    assert all(not f.path.startswith(("/", "..")) for f in result.findings)
    (path, message), = result.errors
    assert path == "template.yaml"
    assert "code directory ../home/.aws of function Fn leaves the scanned directory" in message


def test_sam_code_uri_inside_the_root_is_still_read(repo) -> None:
    write(repo, {"template.yaml": SAM, "src/app.py": f'KEY = "{ACCESS_KEY}"\n' + HANDLER})
    result = scan(repo, ScanOptions(jobs=1))
    assert result.errors == []
    assert "FG-SEC-010" in {f.rule_id for f in result.findings}


@pytest.mark.parametrize("source_dir", ["../home/.aws", "ABSOLUTE"])
def test_terraform_source_dir_that_leaves_the_root_is_not_read(repo, outside, source_dir) -> None:
    source_dir = str(outside / ".aws") if source_dir == "ABSOLUTE" else source_dir
    write(repo, {"main.tf": f'''
data "archive_file" "zip" {{
  type        = "zip"
  source_dir  = "{source_dir}"
  output_path = "build/fn.zip"
}}
resource "aws_lambda_function" "fn" {{
  function_name    = "fn"
  role             = "arn:aws:iam::123456789012:role/fn"
  handler          = "stolen.handler"
  runtime          = "python3.12"
  filename         = data.archive_file.zip.output_path
  source_code_hash = data.archive_file.zip.output_base64sha256
}}
'''})
    result = scan(repo, ScanOptions(jobs=1))
    assert [f for f in result.findings if f.rule_id.startswith("FG-SEC")] == []
    (path, message), = result.errors
    assert path == "main.tf" and "leaves the scanned directory" in message
    assert str(outside) not in message and "../home/.aws" in message


def test_serverless_file_variable_out_of_the_root_is_not_read(repo, outside) -> None:
    write(outside, {"leak.yml": f"key: {ACCESS_KEY}\n"})
    write(repo, {"serverless.yml": (
        "service: s\nprovider: {name: aws, runtime: python3.12}\n"
        "functions:\n  f:\n    handler: app.handler\n    environment:\n      KEY: ${file(../home/leak.yml):key}\n"
    ), "app.py": HANDLER})
    result = scan(repo, ScanOptions(jobs=1))
    assert not [f for f in result.findings if f.rule_id.startswith("FG-SEC")]
    assert any("../home/leak.yml" in m and "leaves the scanned directory" in m for _, m in result.errors)


@pytest.mark.parametrize("shape", ["bad-next-line", "unterminated-heredoc", "key-as-token"])
def test_a_malformed_tf_holding_a_private_key_is_not_quoted(repo, shape) -> None:
    body = "MIIEowIBAAKCAQEA" + "q8Zr2Lm4" * 8
    key = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"
    escaped = key.replace("\n", "\\n")
    text = {
        "bad-next-line": f'resource "x" "y" {{\n  key = "{escaped}"\n  broken = = =\n}}\n',
        "unterminated-heredoc": f'resource "x" "y" {{\n  key = <<EOT\n{key}\n}}\n',
        "key-as-token": f'resource "x" "y" {{\n  key = {key}\n}}\n',
    }[shape]
    write(repo, {"main.tf": text})
    result = scan(repo, ScanOptions(jobs=1))
    (path, message), = result.errors
    assert path == "main.tf" and "not valid HCL at line" in message
    assert "q8Zr2Lm4" not in message and "MIIE" not in message


@pytest.mark.parametrize("include", ["../home/.aws/reqs.txt", "link.txt"])
def test_a_requirements_include_that_leaves_the_root_is_not_read(repo, outside, include) -> None:
    write(outside, {".aws/reqs.txt": "leakedpackage==1.0\n"})
    os.symlink(outside / ".aws" / "reqs.txt", repo / "link.txt")
    write(repo, {"template.yaml": SAM, "src/app.py": HANDLER, "requirements.txt": f"-r {include}\nrequests==2.32.0\n"})
    result = scan(repo, ScanOptions(jobs=1, online=False))
    text = repr(result.warnings) + repr(result.errors) + repr(result.findings)
    assert "leakedpackage" not in text and str(outside) not in text
    assert any("requirements.txt:1: included file" in m and "leaves the scanned directory" in m for _, m in result.warnings)


API_WITH_DEFINITION = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: DEFINITION
"""
OPENAPI = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /leaked-route-name:\n    get: {}\n"


@pytest.mark.parametrize(("definition", "inside"), [("../home/api.yaml", False), ("api.yaml", True)])
def test_sam_definition_uri_that_leaves_the_root_is_not_read(repo, outside, capsys, definition, inside) -> None:
    write(outside, {"api.yaml": OPENAPI})
    write(repo, {"template.yaml": API_WITH_DEFINITION.replace("DEFINITION", definition), "api.yaml": OPENAPI})
    main(["scan", str(repo), "--format", "json", "--verbose"])
    text = report_text(capsys)
    if inside:
        assert "leaves the scanned directory" not in text and "/leaked-route-name" in text
    else:
        assert "DefinitionUri ../home/api.yaml leaves the scanned directory" in text
        assert "/leaked-route-name" not in text


def test_no_output_names_the_users_home_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The advisory warnings name the database under the user cache as ``~/.cache/...``: a CI log or a
    shared report never shows the home directory (nor any other absolute path outside the root)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("FAASGUARD_ADVISORY_DB", raising=False)
    repo = write(tmp_path / "repo", {"template.yaml": SAM, "src/app.py": HANDLER, "src/requirements.txt": "requests==2.19.0\n"})
    out = tmp_path / "out"
    args = ["scan", str(repo), "--no-cache", "--verbose"]
    for fmt in ("text", "json", "sarif", "junit", "html", "markdown"):
        args += ["--format", f"{fmt}:{out / fmt}"]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        main(args)
    texts = {fmt: (out / fmt).read_text(encoding="utf-8") for fmt in ("text", "json", "sarif", "junit", "html", "markdown")}
    texts["stderr"] = stderr.getvalue()
    for fmt, text in texts.items():
        assert str(home) not in text, fmt
        assert str(tmp_path) not in text.replace(str(repo), "").replace(str(out), ""), fmt  # only paths the user gave
    (warning,) = [w["message"] for w in json.loads(texts["json"])["warnings"] if "advisory database" in w["message"]]
    assert warning.startswith("advisory database ~/.cache/faasguard/advisories does not exist")
    assert "--advisory-db ~/.cache/faasguard/advisories" in warning


def test_home_relative() -> None:
    home = Path.home()
    assert limits.home_relative(home / ".cache" / "x") == "~/.cache/x"
    assert limits.home_relative(home) == "~"
    assert limits.home_relative("/opt/osv") == "/opt/osv"  # not under the home directory: as given


def test_code_uris_through_links_and_dot_dots_are_confined_as_realpath_says(repo, outside) -> None:
    """Each function's CodeUri leaves the root or not as ``limits.inside`` (``os.path.realpath``) says, through folder
    links in and out of the root, ``..`` after a link, a link loop, a missing folder, and several functions sharing
    parents: the functions named in errors are exactly those whose code leaves, and the others' code is read."""
    write(repo, {"src/a/app.py": HANDLER, "src/b/app.py": HANDLER})
    os.symlink(repo / "src", repo / "in")  # a link that stays inside
    os.symlink(outside / ".aws", repo / "out")  # a link that leaves
    os.symlink(repo / "src" / "a", repo / "src" / "deep")  # a link inside a folder others share
    (repo / "src" / "a" / "up").symlink_to(outside)  # inside, then out through a link below it
    uris = ["src/a", "src/b", "in/a", "in/deep", "out", "out/..", "in/..", "in/../..", "src/a/up", "src/a/up/..",
            "src/a/up/../repo/src", "missing", "missing/x", "src/deep/../b", "out/../repo/src/a", "./src/./b"]
    functions = "".join(
        f"  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: {uri}\n"
        f"      Handler: app.handler\n      Runtime: python3.12\n"
        for i, uri in enumerate(uris)
    )
    write(repo, {"template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n" + functions})
    result = scan(repo, ScanOptions(jobs=1))
    refused = {m.split(" of function ")[1].split()[0] for p, m in result.errors if "code directory" in m}
    expected = {f"Fn{i}" for i, uri in enumerate(uris) if not limits.inside(repo / uri, repo)}
    assert expected == {"Fn4", "Fn5", "Fn7", "Fn8", "Fn9", "Fn14"}  # the tree is what it means
    assert refused == expected
    functions_read = {fn for app in result.applications for fn in app.code}
    assert {"Fn0", "Fn1", "Fn2"} <= functions_read and not functions_read & expected


def test_code_directories_through_link_loops_are_confined_as_realpath_says(repo, outside) -> None:
    """The same for code directories a loader could not resolve (a link loop, a link to a missing folder, a NUL byte)."""
    from faasguard.model import Application, Function, Loc
    from faasguard.scan import _confine_code

    os.symlink(repo / "loop", repo / "loop")
    os.symlink(repo / "b", repo / "a")
    os.symlink(repo / "a", repo / "b")
    os.symlink(outside / "gone", repo / "dangling")
    os.symlink(repo / "x" / "y", repo / "forward")
    os.symlink(repo / "src", repo / "in")
    names = ["in/../..", "in/..", "loop", "loop/x", "a", "a/x", "b/../x", "dangling", "dangling/x", "dangling/..",
             "forward", "forward/..", "x/y/..", "x\0y", "", "."]
    app = Application(root=repo, format="sam", source="template.yaml")
    app.functions.extend(Function(name=f"Fn{i}", loc=Loc("template.yaml"), code_dir=repo / name)
                         for i, name in enumerate(names))
    refused = {m.split(" of function ")[1].split()[0] for _, m in _confine_code([app], repo)}
    assert refused == {f"Fn{i}" for i, name in enumerate(names) if not limits.inside(repo / name, repo)}
    assert {"Fn0", "Fn7", "Fn8", "Fn9", "Fn13"} <= refused and not refused & {"Fn1", "Fn14"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_code_uri_into_a_link_loop_costs_only_its_function(repo: Path, tmp_path: Path, jobs: int) -> None:
    """A CodeUri into a loop of links (``loop -> loop``, ``a -> b -> a``) is named in a warning; the template's other
    resources are still checked (the loader's Path.resolve raised, and the whole template became an internal error)."""
    os.symlink(repo / "loop", repo / "loop")
    os.symlink(repo / "b", repo / "a")
    os.symlink(repo / "a", repo / "b")
    functions = "".join(
        f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: {uri}\n"
        f"      Handler: app.handler\n      Runtime: python3.12\n"
        for name, uri in (("LoopFn", "loop/"), ("PairFn", "a"), ("GoodFn", "src/"))
    )
    admin = "      Policies:\n        - AdministratorAccess\n"
    write(repo, {"template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n" + functions + admin})
    for cache_dir in (None, tmp_path / "cache", tmp_path / "cache"):  # no cache, a first scan, a warm one
        result = scan(repo, ScanOptions(jobs=jobs, cache_dir=cache_dir))
        assert result.errors == []
        admin_findings = [f for f in result.findings if f.rule_id == "FG-IAM-003"]
        assert [(f.resource, f.line) for f in admin_findings] == [("GoodFnRole", 22)]  # the AdministratorAccess line
        warned = {m.split(" of function ")[1].split()[0] for _, m in result.warnings if "loop of symbolic links" in m}
        assert warned == {"LoopFn", "PairFn"}


def test_real_folder_is_realpath_through_links_loops_and_depth(repo: Path, outside: Path) -> None:
    """limits.real_folder, which the loaders, the code analyzer and the code-directory check share, gives
    os.path.realpath's answer for links, loops, '..' after a link and missing folders, raises its ValueError for a
    NUL byte, and needs no recursion for a path thousands of folders deep."""
    os.symlink(repo / "loop", repo / "loop")
    os.symlink(repo / "b", repo / "a")
    os.symlink(repo / "a", repo / "b")
    os.symlink(outside, repo / "out")
    (repo / "src" / "x").mkdir(parents=True)
    os.symlink(repo / "src" / "x", repo / "in")
    names = ["loop", "loop/x", "a", "b/c", "out", "out/..", "out/../repo", "in", "in/..", "in/../x", "missing/y",
             "src/./x", "src//x", "/".join(["d"] * 3_000)]
    known: dict[str, str] = {}
    for name in names:
        folder = str(repo / name)
        assert limits.real_folder(folder, known) == os.path.realpath(folder), name
        assert limits.real_folder(folder, known) == os.path.realpath(folder), name  # remembered
    with pytest.raises(ValueError):
        limits.real_folder(str(repo / "x\0y"), known)


def test_source_files_that_are_link_loops_are_one_error_each(repo: Path) -> None:
    """A handler-looking source file that is a loop of links cannot be read: one error names it (it was skipped
    without a word), and the rest of the code is still analysed."""
    write(repo, {"template.yaml": SAM, "src/app.py": HANDLER, "src/other.py": 'API_KEY = "sk-' + "q7Zr" * 12 + '"\n'})
    os.symlink("self.py", repo / "src" / "self.py")
    os.symlink("b.js", repo / "src" / "a.js")
    os.symlink("a.js", repo / "src" / "b.js")
    result = scan(repo, ScanOptions(jobs=1))
    looping = sorted(path for path, message in result.errors if "symbolic links" in message)
    assert looping == ["src/a.js", "src/b.js", "src/self.py"]
    assert any(f.path == "src/other.py" for f in result.findings)  # the readable code was still searched
