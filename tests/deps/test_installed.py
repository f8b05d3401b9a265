"""Packages installed into the project with ``pip install -r requirements.txt -t fn/``: dependencies, not project code.

The fixture is what pip leaves in a function's code directory: the package's files and a
``requests-2.19.0.dist-info/`` folder whose RECORD lists them with their hashes. The user expects
the vulnerable version reported at METADATA's ``Version:`` line, nothing reported from inside the
package, and their own code (and any file the package did not install) still scanned.
"""

from __future__ import annotations

import base64
import hashlib
import json
import textwrap
from pathlib import Path

import pytest

from faasguard.cli import main
from faasguard.interfaces import ScanOptions, ScanResult
from faasguard.scan import scan
from tests.conftest import by_rule

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fetch:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: fn/
      Layers: [!Ref Libs]
      Events:
        Get:
          Type: Api
          Properties: {Path: /fetch, Method: get}
  Libs:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
"""
APP = """\
import requests

TOKEN = "ghp_Zq8rT2vLx9KmB4nW7pY3sD6fH1jC5gA0eU2i"


def handler(event, context):
    return requests.get(event["queryStringParameters"]["url"]).text
"""
# Vendored code that the scan must not read as the project's: a secret and a shell sink reached by the handler.
REQUESTS_FILES = {
    "requests/__init__.py": "from .api import get\n",
    "requests/api.py": (
        'import os\n\nSTRIPE = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"\n\n\ndef get(url):\n    os.system("curl " + url)\n'
    ),
}
METADATA = "Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\nSummary: Python HTTP for Humans.\n\nlong description\n"
NOT_IN_RECORD = 'STRIPE_KEY = "sk_live_9fD28HqLyjWDarjtT1zdp7dc"\n'


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def digest(path: Path) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=").decode()


def pip_install(folder: Path, name: str, version: str, files: dict[str, str], metadata: str | None = None) -> Path:
    """What ``pip install NAME==VERSION -t FOLDER`` leaves: the files, and a dist-info whose RECORD hashes them."""
    info = folder / f"{name}-{version}.dist-info"
    write(folder, files)
    write(info, {"METADATA": metadata or f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", "INSTALLER": "pip\n",
                 "top_level.txt": f"{name}\n"})
    listed = [*files, f"{info.name}/METADATA", f"{info.name}/INSTALLER", f"{info.name}/top_level.txt"]
    rows = [f"{rel},{digest(folder / rel)},{(folder / rel).stat().st_size}" for rel in listed]
    (info / "RECORD").write_text("\n".join([*rows, f"{info.name}/RECORD,,"]) + "\n", encoding="utf-8")
    return info


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write(root, {"template.yaml": TEMPLATE, "fn/app.py": APP, "fn/requirements.txt": "requests==2.19.0\n",
                 "layer/python/.keep": ""})
    pip_install(root / "fn", "requests", "2.19.0", REQUESTS_FILES, METADATA)
    write(root, {"fn/requests/mine.py": NOT_IN_RECORD})  # the user's own module dropped into the package
    return root


def run(root: Path) -> ScanResult:
    return scan(root, ScanOptions(jobs=1))


def paths(result: ScanResult) -> set[str]:
    return {f.path for f in result.findings}


def test_vulnerable_installed_package_is_reported_at_its_metadata_version_line(project):
    result = run(project)
    [finding] = by_rule(result, "FG-SUP-010")
    assert (finding.path, finding.line) == ("fn/requests-2.19.0.dist-info/METADATA", 3)
    assert "requests 2.19.0 is affected by GHSA-x84v-xcm2-53pg" in finding.message
    assert "shipped by function Fetch" in finding.message
    assert finding.function == "Fetch"
    assert finding.remediation == (
        "Upgrade requests to 2.20.0 or later where it is installed (fn): require requests>=2.20.0 in fn/requirements.txt "
        "and re-install: `pip install --upgrade -r fn/requirements.txt -t fn`, then deploy the re-installed folder"
    )
    assert not result.errors


def test_installed_package_files_are_not_scanned_as_project_code(project):
    result = run(project)
    assert not {p for p in paths(result) if p.startswith("fn/requests/") and p != "fn/requests/mine.py"}
    # The call is the third-party requests.get (an outgoing URL from the event), not a walk into its vendored source.
    [ssrf] = by_rule(result, "FG-INJ-014")
    assert (ssrf.path, ssrf.line) == ("fn/app.py", 7)
    assert not by_rule(result, "FG-INJ-011")


def test_the_users_own_code_and_files_the_package_did_not_install_are_still_scanned(project):
    secrets = {(f.path, f.line) for f in by_rule(run(project), "FG-SEC-010")}
    assert secrets == {("fn/app.py", 3), ("fn/requests/mine.py", 1)}


def test_without_its_dist_info_the_vendored_package_is_scanned_as_before(project):
    for item in (project / "fn/requests-2.19.0.dist-info").iterdir():
        item.unlink()
    (project / "fn/requests-2.19.0.dist-info").rmdir()
    result = run(project)
    assert ("fn/requests/api.py", 3) in {(f.path, f.line) for f in by_rule(result, "FG-SEC-010")}
    assert by_rule(result, "FG-INJ-011")  # the handler's URL reaches os.system in the vendored copy
    [finding] = by_rule(result, "FG-SUP-010")
    assert finding.path == "fn/requirements.txt"


def test_a_vendored_file_edited_after_the_install_is_project_code_again(project):
    api = project / "fn/requests/api.py"
    api.write_text(api.read_text(encoding="utf-8") + "\n# patched by hand\n", encoding="utf-8")
    assert ("fn/requests/api.py", 3) in {(f.path, f.line) for f in by_rule(run(project), "FG-SEC-010")}


def test_exit_code_and_json_report(project, capsys):
    code = main(["scan", str(project), "--format", "json", "--fail-on", "high", "--no-cache", "-q"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    ids = {(f["rule_id"], f["path"]) for f in report["findings"]}
    assert ("FG-SUP-010", "fn/requests-2.19.0.dist-info/METADATA") in ids
    assert not [p for _, p in ids if p.startswith("fn/requests/") and p != "fn/requests/mine.py"]


def test_the_report_counts_the_files_left_out_as_installed(project, capsys):
    """A repository's own dist-info folders take files out of the scan: the summary says how many."""
    main(["scan", str(project), "--format", "json", "--fail-on", "none", "--no-cache", "-q"])
    scanned = json.loads(capsys.readouterr().out)["scanned"]
    # requests/__init__.py, requests/api.py and the dist-info's RECORD, INSTALLER and top_level.txt
    # (METADATA is read as the dependency); not fn/requests/mine.py, which RECORD does not list.
    assert scanned["installed_files"] == 5
    main(["scan", str(project), "--fail-on", "none", "--no-cache"])
    assert "5 files of installed packages (pip RECORD) read as dependencies, not scanned as code" in capsys.readouterr().out
    for item in (project / "fn/requests-2.19.0.dist-info").iterdir():
        item.unlink()
    main(["scan", str(project), "--format", "json", "--fail-on", "none", "--no-cache", "-q"])
    assert "installed_files" not in json.loads(capsys.readouterr().out)["scanned"]


def test_fixed_version_installed_is_quiet(project):
    info = project / "fn/requests-2.19.0.dist-info"
    (info / "METADATA").write_text(METADATA.replace("2.19.0", "2.32.3"), encoding="utf-8")
    assert not by_rule(run(project), "FG-SUP-010")


def test_layer_python_folder_is_shipped_by_the_functions_that_use_the_layer(project):
    pip_install(project / "layer/python", "jinja2", "2.10", {"jinja2/__init__.py": "__version__ = '2.10'\n"})
    [finding] = [f for f in by_rule(run(project), "FG-SUP-010") if "jinja2" in f.message.lower()]
    assert (finding.path, finding.line) == ("layer/python/jinja2-2.10.dist-info/METADATA", 3)
    assert "shipped by function Fetch" in finding.message
    assert "`pip install --upgrade 'jinja2>=2.10.1' -t layer/python`" in finding.remediation


def test_layer_requirements_beside_python_are_what_python_holds(project):
    """sam build's layer layout: layer/requirements.txt, installed into layer/python/. One set: the installed
    versions are its lock (no "unpinned" finding, no second report of the same package from the manifest)."""
    pip_install(project / "layer/python", "jinja2", "2.10", {"jinja2/__init__.py": "__version__ = '2.10'\n"})
    write(project, {"layer/requirements.txt": "jinja2>=2\n"})
    result = run(project)
    [finding] = [f for f in by_rule(result, "FG-SUP-010") if "jinja2" in f.message.lower()]
    assert (finding.path, finding.line) == ("layer/python/jinja2-2.10.dist-info/METADATA", 3)
    assert finding.remediation == (
        "Upgrade jinja2 to 2.10.1 or later where it is installed (layer/python): require jinja2>=2.10.1 in "
        "layer/requirements.txt and re-install: `pip install --upgrade -r layer/requirements.txt -t layer/python`, "
        "then deploy the re-installed folder"
    )
    assert not [f for f in result.findings if f.path == "layer/requirements.txt"]


def test_a_layer_installed_into_site_packages_is_audited(project):
    """`pip install -t layer/python/lib/python3.12/site-packages`: the runtime puts that folder on sys.path, so
    its packages ship with the layer; they are audited like python/'s, and their files are not project code."""
    site = project / "layer/python/lib/python3.12/site-packages"
    pip_install(site, "jinja2", "2.10", {"jinja2/__init__.py": 'TOKEN = "ghp_Zq8rT2vLx9KmB4nW7pY3sD6fH1jC5gA0eU2i"\n'})
    write(project, {"layer/requirements.txt": "jinja2>=2\n"})
    result = run(project)
    [finding] = [f for f in by_rule(result, "FG-SUP-010") if "jinja2" in f.message.lower()]
    assert (finding.path, finding.line) == ("layer/python/lib/python3.12/site-packages/jinja2-2.10.dist-info/METADATA", 3)
    assert finding.function == "Fetch"  # the function that uses the layer
    assert not [f for f in result.findings if f.path == "layer/requirements.txt"]  # one set, its lock installed
    assert not [f for f in result.findings if "/site-packages/jinja2/" in f.path]


def test_other_site_packages_folders_are_still_skipped(project):
    """A virtualenv's or a build folder's site-packages is the developer's environment, not what ships."""
    for folder in ("fn/.venv/lib/python3.12/site-packages", "fn/env/lib/python3.12/site-packages", "build/site-packages"):
        pip_install(project / folder, "jinja2", "2.10", {"jinja2/__init__.py": "x = 1\n"})
    write(project, {"fn/env/pyvenv.cfg": "home = /usr/bin\n"})
    result = run(project)
    assert not [f for f in result.findings if "site-packages" in f.path]


def test_malformed_metadata_is_an_error_not_a_guess(project):
    (project / "fn/requests-2.19.0.dist-info/METADATA").write_text("Metadata-Version: 2.1\nName: requests\n", encoding="utf-8")
    result = run(project)
    assert not by_rule(result, "FG-SUP-010") or all(f.path == "fn/requirements.txt" for f in by_rule(result, "FG-SUP-010"))
    assert ("fn/requests-2.19.0.dist-info/METADATA",
            "distribution metadata has no Version header; what is installed here is unknown; its dependencies were not checked"
            ) in result.errors


def test_invalid_version_is_an_error(project):
    (project / "fn/requests-2.19.0.dist-info/METADATA").write_text(METADATA.replace("2.19.0", "two"), encoding="utf-8")
    [(path, message)] = run(project).errors
    assert path == "fn/requests-2.19.0.dist-info/METADATA"
    assert message.startswith("distribution metadata names 'requests' version 'two', which is not a valid")


def test_egg_info_with_installed_files(tmp_path):
    root = tmp_path / "p"
    write(root, {
        "template.yaml": TEMPLATE, "fn/app.py": APP, "layer/python/.keep": "",
        **{f"fn/{k}": v for k, v in REQUESTS_FILES.items()},
        "fn/requests.egg-info/PKG-INFO": "Metadata-Version: 1.1\nName: requests\nVersion: 2.19.0\n",
        "fn/requests.egg-info/installed-files.txt": "../requests/__init__.py\n../requests/api.py\nPKG-INFO\n",
    })
    result = run(root)
    [finding] = by_rule(result, "FG-SUP-010")
    assert (finding.path, finding.line) == ("fn/requests.egg-info/PKG-INFO", 3)
    assert not {p for p in paths(result) if p.startswith("fn/requests/")}


def test_top_level_names_the_package_when_there_is_no_record(project):
    (project / "fn/requests-2.19.0.dist-info/RECORD").unlink()
    result = run(project)
    # requests/ is the package top_level.txt names: every file under it, mine.py included, is the package's.
    assert not {p for p in paths(result) if p.startswith("fn/requests/")}
    assert ("fn/app.py", 3) in {(f.path, f.line) for f in by_rule(result, "FG-SEC-010")}


def test_record_entries_outside_the_install_folder_own_nothing(project):
    record = project / "fn/requests-2.19.0.dist-info/RECORD"
    app = project / "fn/app.py"
    record.write_text(record.read_text(encoding="utf-8") + f"../fn/app.py,{digest(app)},1\n/etc/passwd,sha256=x,1\n",
                      encoding="utf-8")
    write(project, {"other/app.py": APP})
    (project / "fn/requests-2.19.0.dist-info/RECORD").write_text(
        record.read_text(encoding="utf-8") + f"../other/app.py,{digest(project / 'other/app.py')},1\n", encoding="utf-8")
    secrets = {(f.path, f.line) for f in by_rule(run(project), "FG-SEC-010")}
    assert {("fn/app.py", 3), ("other/app.py", 3)} <= secrets


def test_a_file_named_metadata_outside_a_dist_info_folder_is_not_a_distribution(scan_files):
    result = scan_files({".github/metadata": "owner: team\n", "docs/METADATA": "Name: x\nVersion: 1\n"})
    assert not result.errors
    assert not result.findings


def test_folder_naming_another_version_warns(project):
    info = project / "fn/requests-2.19.0.dist-info"
    (info / "METADATA").write_text(METADATA.replace("2.19.0", "2.18.4"), encoding="utf-8")
    result = run(project)
    assert ("fn/requests-2.19.0.dist-info/METADATA",
            "its folder requests-2.19.0.dist-info names another distribution than its metadata (requests 2.18.4); "
            "the metadata is taken as what is installed") in result.warnings
    [finding] = by_rule(result, "FG-SUP-010")
    assert finding.message.startswith("requests 2.18.4 is affected")


@pytest.mark.parametrize("header", ["Version: 2.19.0", "version: 2.19.0", "VERSION:2.19.0"])
def test_version_line_is_found_whatever_the_header_case(tmp_path, header):
    from faasguard.deps.installed_dist import InstalledSource

    text = textwrap.dedent(f"""\
        Metadata-Version: 2.1
        Name: requests
        Summary: a long
          folded summary
        {header}

        Version: 9.9.9 in the description
        """)
    manifest = InstalledSource().parse(tmp_path / "requests-2.19.0.dist-info" / "METADATA", text, "x/METADATA")
    [dep] = manifest.dependencies
    assert (dep.name, dep.version, dep.line, dep.file) == ("requests", "2.19.0", 5, "x/METADATA")


def test_a_damaged_record_owns_only_its_well_formed_rows(project):
    record = project / "fn/requests-2.19.0.dist-info/RECORD"
    record.write_text("x" * 200_000 + ",sha256=y,1\n\x00,\x00\n" + record.read_text(encoding="utf-8"), encoding="utf-8")
    result = run(project)
    assert not result.errors
    assert not {p for p in paths(result) if p.startswith("fn/requests/") and p != "fn/requests/mine.py"}


def test_the_parse_cache_follows_a_dist_info_added_or_removed_between_scans(project, tmp_path):
    info = project / "fn/requests-2.19.0.dist-info"
    hidden = tmp_path / "hidden"
    info.rename(hidden)  # first scan: requests/ is plain project code, walked from the handler

    def scan_cached() -> set[tuple[str, str]]:
        result = scan(project, ScanOptions(jobs=1, cache_dir=tmp_path / "cache"))
        return {(f.rule_id, f.path) for f in result.findings if f.rule_id.startswith(("FG-INJ", "FG-SEC"))}

    walked = {("FG-INJ-011", "fn/requests/api.py"), ("FG-SEC-010", "fn/requests/api.py")}
    assert walked <= scan_cached()
    hidden.rename(info)  # pip installed it: a cached analysis of the handler must not be reused
    installed = scan_cached()
    assert not walked & installed and ("FG-INJ-014", "fn/app.py") in installed
    assert scan_cached() == installed  # warm
    info.rename(hidden)
    assert walked <= scan_cached()


STORE_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Store:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: store/
"""
STORE_APP = """\
import boto3

s3 = boto3.client("s3")


def handler(event, context):
    return s3.get_object(Bucket="orders", Key=event["key"])["Body"].read()
"""
# The shape of boto3's own code: the client is built from a name computed at run time.
BOTO3_FILES = {
    "boto3/__init__.py": "from boto3.session import Session\n\n\ndef client(*args, **kwargs):\n"
                         "    return Session().client(*args, **kwargs)\n",
    "boto3/session.py": "import importlib\n\n\nclass Session:\n    def client(self, service_name, **kwargs):\n"
                        "        module = importlib.import_module('botocore.' + service_name)\n"
                        "        return getattr(module, 'make_' + service_name)(**kwargs)\n",
}


def test_an_installed_boto3_is_the_sdk_so_least_privilege_sees_the_calls(tmp_path, capsys):
    root = tmp_path / "p"
    write(root, {"template.yaml": STORE_TEMPLATE, "store/app.py": STORE_APP})
    pip_install(root / "store", "boto3", "1.35.0", BOTO3_FILES)
    assert main(["policy", str(root), "--function", "Store"]) == 0
    [policy] = json.loads(capsys.readouterr().out)["functions"]
    assert policy["complete"] is True and policy["incomplete_because"] == []
    s3 = {"Sid": "S3", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::orders/*"}
    assert s3 in policy["policy"]["Statement"]


def test_records_naming_one_file_many_times_read_it_once(project, monkeypatch):
    """A hostile tree: a thousand RECORD rows in each of twenty dist-info folders name the same file."""
    from faasguard import installed

    api = project / "fn/requests/api.py"
    for n in range(20):
        info = project / f"fn/requests-{n}.0.dist-info"
        write(info, {"METADATA": f"Name: requests\nVersion: {n}.0\n", "RECORD": f"requests/api.py,{digest(api)},1\n" * 1000})
    reads: list[Path] = []
    read = installed.limits.read_bytes
    monkeypatch.setattr(installed.limits, "read_bytes", lambda path, *a, **k: reads.append(path) or read(path, *a, **k))
    owned = installed.owned_files(p for p in project.rglob("*") if p.is_file())
    assert api in owned
    assert reads.count(api) == 1


NEW_REQUESTS_FILES = {
    "requests/__init__.py": "from .api import get\n__version__ = '2.31.0'\n",
    "requests/api.py": "def get(url):\n    return url\n",
}


def test_metadata_left_over_by_an_upgrade_is_not_reported_as_installed(project):
    """pip install -t fn --upgrade requests==2.31.0 leaves requests-2.19.0.dist-info behind (pypa/pip#13763):
    the files in fn/ are 2.31.0's, so 2.19.0's advisory would be a false claim."""
    pip_install(project / "fn", "requests", "2.31.0", NEW_REQUESTS_FILES)
    result = run(project)
    assert not by_rule(result, "FG-SUP-010")
    assert not by_rule(result, "FG-SUP-012")
    assert ("fn/requests-2.19.0.dist-info/METADATA",
            "left over from an earlier install: requests 2.31.0 is what is installed in fn (the files there are those its "
            "RECORD lists), not 2.19.0; delete fn/requests-2.19.0.dist-info so that no tool reports the old version"
            ) in result.warnings


def test_two_versions_whose_files_cannot_be_told_apart_are_unaudited_not_guessed(project):
    pip_install(project / "fn", "requests", "2.31.0", NEW_REQUESTS_FILES)
    (project / "fn/requests/api.py").write_text("def get(url):\n    return url  # patched\n", encoding="utf-8")
    result = run(project)
    assert not by_rule(result, "FG-SUP-010")
    [unaudited] = by_rule(result, "FG-SUP-012")
    assert unaudited.message == (
        "2 of 2 packages in the folder fn (installed with pip install -t) were NOT checked for known vulnerabilities "
        "(metadata of 2 versions (2.19.0, 2.31.0) is installed in fn and whose files are there could not be told: "
        "requests@2.19.0, requests@2.31.0); shipped by function Fetch"
    )
