"""Supply-chain dependency rules FG-SUP-010…026: each fires on its fixture and stays quiet on the clean twin."""

from __future__ import annotations

import json

import pytest

from faasguard.findings import Severity
from tests.conftest import by_rule

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: api/
      Events:
        Get:
          Type: Api
          Properties:
            Path: /items
            Method: get
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: worker/
"""


def lock(packages: dict[str, dict[str, object]], root: dict[str, object] | None = None) -> str:
    body = {"": root or {"name": "api", "dependencies": {}}}
    body.update({f"node_modules/{name}": entry for name, entry in packages.items()})
    return json.dumps({"name": "api", "lockfileVersion": 3, "requires": True, "packages": body}, indent=2)


def package_json(deps: dict[str, str], dev: dict[str, str] | None = None) -> str:
    return json.dumps({"name": "api", "dependencies": deps, "devDependencies": dev or {}}, indent=2)


NODE_VULNERABLE = {
    "template.yaml": TEMPLATE,
    "api/package.json": package_json({"lodash": "^4.17.0"}),
    "api/package-lock.json": lock(
        {"lodash": {"version": "4.17.15", "integrity": "sha512-x"}},
        {"name": "api", "dependencies": {"lodash": "^4.17.0"}},
    ),
}
NODE_FIXED = {
    "template.yaml": TEMPLATE,
    "api/package.json": package_json({"lodash": "^4.17.21"}),
    "api/package-lock.json": lock(
        {"lodash": {"version": "4.17.21", "integrity": "sha512-x"}},
        {"name": "api", "dependencies": {"lodash": "^4.17.21"}},
    ),
}


# -- FG-SUP-010 known vulnerability --------------------------------------------------------------------


def test_vulnerable_lock_entry_names_package_advisory_fix_and_function(scan_files):
    result = scan_files(NODE_VULNERABLE, rules={"FG-SUP-010"})
    [finding] = by_rule(result, "FG-SUP-010")
    assert (finding.path, finding.line) == ("api/package-lock.json", 12)
    assert finding.function == "Api" and finding.resource == "lodash@4.17.15"
    assert "lodash 4.17.15 is affected by GHSA-p6mc-m468-83gw (CVE-2020-8203)" in finding.message
    assert "CVSS 7.4 high" in finding.message and "first fixed in 4.17.19" in finding.message
    assert "Api behind a public trigger" in finding.message
    assert finding.severity == Severity.CRITICAL  # high, raised for the public API
    assert "Upgrade lodash to 4.17.19" in finding.remediation


def test_fixed_version_is_quiet(scan_files):
    result = scan_files(NODE_FIXED, rules={"FG-SUP-010", "FG-SUP-012"})
    assert by_rule(result, "FG-SUP-010") == [] and by_rule(result, "FG-SUP-012") == []


def test_private_function_keeps_the_advisory_severity(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "worker/requirements.txt": "jinja2==2.10\nrequests==2.31.0\n",
    }
    result = scan_files(files, rules={"FG-SUP-010"})
    [finding] = by_rule(result, "FG-SUP-010")
    assert (finding.path, finding.line, finding.function) == ("worker/requirements.txt", 1, "Worker")
    assert "GHSA-462w-v97r-4m45 (CVE-2019-10906, PYSEC-2019-217)" in finding.message
    assert finding.severity == Severity.HIGH


def test_dev_dependency_is_not_shipped(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "api/package.json": package_json({}, {"lodash": "4.17.15"}),
        "api/package-lock.json": lock({"lodash": {"version": "4.17.15", "dev": True}}),
    }
    assert by_rule(scan_files(files, rules={"FG-SUP-010"}), "FG-SUP-010") == []


def test_manifest_no_function_ships_is_still_checked(scan_files):
    result = scan_files({"tools/requirements.txt": "requests==2.19.0\n"}, rules={"FG-SUP-010"})
    [finding] = by_rule(result, "FG-SUP-010")
    assert finding.path == "tools/requirements.txt" and finding.function is None
    assert "not referenced by any function" in finding.message
    assert any(app.format == "manifest" and app.source == "tools/requirements.txt" for app in result.applications)


def test_transitive_dependency_remediation_mentions_the_parent(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "api/package.json": package_json({"mkdirp": "^0.5.1"}),
        "api/package-lock.json": lock(
            {"mkdirp": {"version": "0.5.1"}, "minimist": {"version": "0.0.8"}},
            {"name": "api", "dependencies": {"mkdirp": "^0.5.1"}},
        ),
    }
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-010"}), "FG-SUP-010")
    assert finding.resource == "minimist@0.0.8" and "transitive dependency" in finding.remediation


# -- FG-SUP-011 malicious ------------------------------------------------------------------------------


def test_malicious_package_is_critical(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "api/package.json": package_json({"crossenv": "1.0.0"}),
        "api/package-lock.json": lock({"crossenv": {"version": "1.0.0"}}, {"name": "api", "dependencies": {"crossenv": "1.0.0"}}),
    }
    result = scan_files(files, rules={"FG-SUP-010", "FG-SUP-011"})
    [finding] = by_rule(result, "FG-SUP-011")
    assert finding.severity == Severity.CRITICAL and "MAL-2022-1234" in finding.message
    assert by_rule(result, "FG-SUP-010") == []


def test_benign_package_is_not_malicious(scan_files):
    assert by_rule(scan_files(NODE_FIXED, rules={"FG-SUP-011"}), "FG-SUP-011") == []


# -- FG-SUP-012 unaudited ------------------------------------------------------------------------------


def test_missing_advisory_db_warns_and_lists_unaudited_packages(scan_files, tmp_path_factory):
    missing = tmp_path_factory.mktemp("empty") / "none"
    result = scan_files(NODE_VULNERABLE, rules={"FG-SUP-010", "FG-SUP-012"}, advisory_db=missing)
    assert by_rule(result, "FG-SUP-010") == []
    [finding] = by_rule(result, "FG-SUP-012")
    assert finding.path == "api/package-lock.json" and finding.function == "Api"
    assert "1 of 1 packages" in finding.message and "NOT checked" in finding.message
    assert "no npm advisory data: lodash@4.17.15" in finding.message
    messages = [m for path, m in result.warnings if path == "advisories"]
    assert any("does not exist: NO dependency was checked" in m for m in messages)


def test_unpinned_and_git_packages_are_listed_as_unaudited(scan_files):
    files = {"template.yaml": TEMPLATE, "worker/requirements.txt": "requests>=2\nmylib @ git+https://github.com/acme/mylib.git\n"}
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-012"}), "FG-SUP-012")
    assert "2 of 2 packages" in finding.message
    assert "no exact version (>=2) and no lock file: requests" in finding.message
    assert "installed from git" in finding.message


# -- FG-SUP-020 unpinned -------------------------------------------------------------------------------


def test_ranges_without_lock_fire_at_the_first_range(scan_files):
    files = {"template.yaml": TEMPLATE, "worker/requirements.txt": "boto3==1.34.0\nrequests>=2.20\nflask\n"}
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-020"}), "FG-SUP-020")
    assert (finding.path, finding.line, finding.function) == ("worker/requirements.txt", 2, "Worker")
    assert "2 dependencies unpinned" in finding.message and "requests >=2.20" in finding.message
    assert finding.related[0].line == 3


def test_exact_pins_or_a_lock_file_are_quiet(scan_files):
    pinned = {"template.yaml": TEMPLATE, "worker/requirements.txt": "requests==2.31.0\n"}
    assert by_rule(scan_files(pinned, rules={"FG-SUP-020"}), "FG-SUP-020") == []
    assert by_rule(scan_files(NODE_FIXED, rules={"FG-SUP-020"}), "FG-SUP-020") == []


# -- FG-SUP-021 lock out of sync -----------------------------------------------------------------------


def test_lock_out_of_sync_with_package_json(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "api/package.json": package_json({"lodash": "^4.17.21", "axios": "^1.6.0"}),
        "api/package-lock.json": lock({"lodash": {"version": "4.17.15"}}),
    }
    findings = by_rule(scan_files(files, rules={"FG-SUP-021"}), "FG-SUP-021")
    messages = sorted(f.message for f in findings)
    assert len(findings) == 2
    assert "declares axios ^1.6.0 but api/package-lock.json does not lock it" in messages[0]
    assert "declares lodash ^4.17.21 but api/package-lock.json locks 4.17.15" in messages[1]
    assert {f.line for f in findings} == {4, 5}


def test_lock_out_of_sync_with_pyproject_and_poetry(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "worker/pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.12"\nrequests = "^2.31"\n',
        "worker/poetry.lock": '[[package]]\nname = "requests"\nversion = "2.19.0"\ngroups = ["main"]\n',
    }
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-021"}), "FG-SUP-021")
    assert finding.line == 3 and "locks 2.19.0" in finding.message


def test_lock_in_sync_is_quiet(scan_files):
    assert by_rule(scan_files(NODE_FIXED, rules={"FG-SUP-021"}), "FG-SUP-021") == []


# -- FG-SUP-022 install scripts ------------------------------------------------------------------------


def test_install_script_fires_on_the_lock_entry(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "api/package.json": package_json({"esbuild": "0.19.2"}),
        "api/package-lock.json": lock({"esbuild": {"version": "0.19.2", "hasInstallScript": True}}),
    }
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-022"}), "FG-SUP-022")
    assert (finding.path, finding.line, finding.resource) == ("api/package-lock.json", 10, "esbuild@0.19.2")
    assert "install script" in finding.message and "--ignore-scripts" in finding.remediation


def test_no_install_script_is_quiet(scan_files):
    assert by_rule(scan_files(NODE_FIXED, rules={"FG-SUP-022"}), "FG-SUP-022") == []


# -- FG-SUP-023 / 024 git, URL and plain HTTP ---------------------------------------------------------


def test_git_and_http_dependencies(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "worker/requirements.txt": (
            "mylib @ git+https://github.com/acme/mylib.git@main\n"
            "pinned @ git+https://github.com/acme/pinned.git@0123456789abcdef0123456789abcdef01234567\n"
            "insecure @ http://files.example/insecure-1.0.tar.gz\n"
            "requests==2.31.0\n"
        ),
    }
    result = scan_files(files, rules={"FG-SUP-023", "FG-SUP-024"})
    git = {f.resource: f for f in by_rule(result, "FG-SUP-023")}
    assert set(git) == {"mylib", "pinned"}
    assert git["mylib"].line == 1 and git["mylib"].severity == Severity.MEDIUM and "without a commit pin" in git["mylib"].message
    assert git["pinned"].severity == Severity.LOW
    [http] = by_rule(result, "FG-SUP-024")
    assert (http.line, http.resource, http.severity) == (3, "insecure", Severity.HIGH)


def test_plain_http_registry_is_one_finding_per_lock(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "api/package-lock.json": lock({
            "a": {"version": "1.0.0", "resolved": "http://registry.example/a/-/a-1.0.0.tgz"},
            "b": {"version": "1.0.0", "resolved": "http://registry.example/b/-/b-1.0.0.tgz"},
        }),
    }
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-024"}), "FG-SUP-024")
    assert "2 packages in api/package-lock.json resolve from the registry http://registry.example" in finding.message


def test_registry_packages_are_quiet(scan_files):
    result = scan_files(NODE_FIXED, rules={"FG-SUP-023", "FG-SUP-024"})
    assert result.findings == []


# -- FG-SUP-025 typosquats -----------------------------------------------------------------------------


def test_typosquat_one_edit_from_popular(scan_files):
    files = {"template.yaml": TEMPLATE, "worker/requirements.txt": "reqeusts==2.31.0\nboto3==1.34.0\n"}
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-025"}), "FG-SUP-025")
    assert finding.line == 1 and "reqeusts is one edit away from the popular package requests" in finding.message


def test_popular_and_legitimate_neighbours_are_quiet(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "api/package.json": package_json({"safer-buffer": "2.1.2", "@aws-sdk/client-sso": "3.500.0", "lodash": "4.17.21"}),
    }
    assert by_rule(scan_files(files, rules={"FG-SUP-025"}), "FG-SUP-025") == []


# -- FG-SUP-026 aws-sdk v2 -----------------------------------------------------------------------------


def test_aws_sdk_v2_bundled(scan_files):
    files = {"template.yaml": TEMPLATE, "api/package.json": package_json({"aws-sdk": "^2.1500.0"})}
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-026"}), "FG-SUP-026")
    assert (finding.path, finding.line, finding.function) == ("api/package.json", 4, "Api")
    assert "@aws-sdk/client-s3" in finding.remediation


def test_modular_v3_client_or_dev_only_v2_is_quiet(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "api/package.json": package_json({"@aws-sdk/client-s3": "^3.500.0"}, {"aws-sdk": "^2.1500.0"}),
    }
    assert by_rule(scan_files(files, rules={"FG-SUP-026"}), "FG-SUP-026") == []


# -- attachment ----------------------------------------------------------------------------------------


def test_manifests_attach_by_code_dir_and_runtime(scan_files):
    files = {
        "template.yaml": TEMPLATE,
        "package.json": package_json({"aws-cdk-lib": "2.100.0"}),  # infrastructure, above both functions
        "worker/requirements.txt": "requests==2.31.0\n",
    }
    result = scan_files(files, rules={"FG-SUP-010"})
    [app] = [a for a in result.applications if a.format == "sam"]
    api_sets = app.dependencies["Api"]
    worker_sets = app.dependencies["Worker"]
    assert [s.anchor.path for s in api_sets] == ["package.json"]  # nearest npm set above api/
    assert [s.anchor.path for s in worker_sets] == ["worker/requirements.txt"]  # no npm set for a Python function


def test_broken_lock_is_an_error_entry_not_a_crash(scan_files):
    files = {"template.yaml": TEMPLATE, "api/package-lock.json": "{ broken"}
    result = scan_files(files, rules={"FG-SUP-010"})
    assert ("api/package-lock.json", "not valid JSON for a package-lock.json (line 1: Expecting property name enclosed "
            "in double quotes); its dependencies were not checked") in result.errors


LAYERED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  SharedDeps:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/shared/
      CompatibleRuntimes: [python3.12]
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: worker/
      Layers:
        - !Ref SharedDeps
"""


def test_layer_dependencies_are_shipped_by_the_functions_that_use_the_layer(scan_files):
    files = {
        "template.yaml": LAYERED,
        "worker/app.py": "def handler(event, context):\n    return event\n",
        "layers/shared/requirements.txt": "requests==2.19.0\n",
    }
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-010"}), "FG-SUP-010")
    assert finding.path == "layers/shared/requirements.txt" and finding.line == 1
    assert finding.function == "Worker"
    assert "shipped by function Worker" in finding.message


SERVERLESS_LAYERED = """
service: shop
provider:
  name: aws
  runtime: python3.12
layers:
  deps:
    path: layers/deps
functions:
  worker:
    handler: worker/app.handler
    layers:
      - Ref: DepsLambdaLayer
"""

TERRAFORM_LAYERED = """
data "archive_file" "deps" {
  type        = "zip"
  source_dir  = "${path.module}/layers/deps"
  output_path = "${path.module}/deps.zip"
}

resource "aws_lambda_layer_version" "deps" {
  layer_name = "deps"
  filename   = data.archive_file.deps.output_path
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = "arn:aws:iam::123456789012:role/worker"
  runtime       = "python3.12"
  handler       = "app.handler"
  layers        = [aws_lambda_layer_version.deps.arn]
}
"""


@pytest.mark.parametrize(
    ("config_name", "config", "function"),
    [("serverless.yml", SERVERLESS_LAYERED, "worker"), ("main.tf", TERRAFORM_LAYERED, "aws_lambda_function.worker")],
)
def test_serverless_and_terraform_layers_ship_their_dependencies(scan_files, config_name, config, function):
    files = {config_name: config, "layers/deps/requirements.txt": "requests==2.19.0\n"}
    [finding] = by_rule(scan_files(files, rules={"FG-SUP-010"}), "FG-SUP-010")
    assert finding.path == "layers/deps/requirements.txt" and finding.line == 1
    assert finding.function == function


def test_a_lock_file_over_the_size_limit_is_an_error_and_the_scan_goes_on(tmp_path, monkeypatch):
    from faasguard.scan import ScanOptions, scan

    monkeypatch.setattr("faasguard.deps.analyzer.MAX_MANIFEST_BYTES", 2 * 2**20)
    (tmp_path / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {}}' + " " * (2 * 2**20 + 1))
    (tmp_path / "requirements.txt").write_text("requests==2.31.0\n")
    result = scan(tmp_path, ScanOptions(jobs=1))
    assert ("package-lock.json", "over 2 MB; not read as a package-lock") in result.errors
    assert not any(path == "requirements.txt" for path, _ in result.errors)


def _one_edit_by_every_name(ecosystem: str, name: str) -> str | None:
    """FG-SUP-025's answer as first written: every popular name of a near length tried in turn."""
    from faasguard.deps import typosquat
    from faasguard.deps.interface import normalize

    norm = normalize(ecosystem, name)
    if norm in typosquat.popular(ecosystem) or norm in typosquat._allowed(ecosystem):
        return None
    candidates = [norm] + ([norm.split("/", 1)[1]] if ecosystem == "npm" and norm.startswith("@") and "/" in norm else [])
    for candidate in candidates:
        if len(candidate) < typosquat.MIN_LENGTH or (candidate != norm and candidate in typosquat.popular(ecosystem)):
            continue
        for length in (len(candidate) - 1, len(candidate), len(candidate) + 1):
            for target in typosquat._by_length(ecosystem).get(length, []):
                if typosquat.one_edit(candidate, target) and not typosquat._same_scope(candidate, target):
                    return target
    return None


@pytest.mark.parametrize("ecosystem", ["npm", "PyPI"])
def test_typosquat_index_answers_as_trying_every_popular_name(ecosystem):
    """The deletion index finds the same popular package as trying each one, for every kind of edit of each."""
    import random

    from faasguard.deps import typosquat

    rng = random.Random(14)
    names = sorted(typosquat.popular(ecosystem))
    tried = hits = 0
    for name in names:
        for position in range(len(name) + 1):
            letter = rng.choice("abcdefghijklmnopqrstuvwxyz-._0123456789")
            variants = [name[:position] + letter + name[position:], name[:position] + letter + name[position + 1 :],
                        name[:position] + name[position + 1 :], name[:position] + name[position + 1 : position + 2]
                        + name[position : position + 1] + name[position + 2 :], "@acme/" + name, "@aws-sdk/" + name]
            for variant in variants:
                typosquat.imitates.cache_clear()
                expected = _one_edit_by_every_name(ecosystem, variant)
                assert typosquat.imitates(ecosystem, variant) == expected, variant
                tried += 1
                hits += expected is not None
    assert tried > 10_000 and hits > 1_000


# The npm ranges FG-SUP-021 reads, with a locked version inside or outside each: (range, version, in range).
NPM_RANGES = [
    ("^4.17.21", "4.17.21", True), ("^4.17.21", "4.17.15", False), ("~1.2.0", "1.2.9", True), ("~1.2.0", "1.3.0", False),
    (">=2 <3 || 4.x", "4.1.0", True), (">=2 <3 || 4.x", "3.0.0", False), ("1.2.3 - 2.0.0", "1.9.9", True),
    ("1.2.3 - 2.0.0", "2.0.1", False), ("^1.0.0-beta.1", "1.0.0-beta.2", True), ("^1.0.0", "1.1.0-rc.1", True),
    ("1.x", "2.0.0", False), ("*", "0.0.1", True), ("latest", "1.0.0", True), ("not a range!", "1.0.0", True),
    ("=v1.2.3", "1.2.3", True), ("<=1.0.0", "1.0.1", False), ("^0.0.3", "0.0.4", False), ("", "9.9.9", True),
]


def test_lock_out_of_sync_reads_npm_ranges_as_npm_does(scan_files):
    """A locked version outside the declared range (npm semantics: carets, tildes, hyphens, unions, x-ranges,
    pre-releases) is reported; one inside it, or a range nodesemver cannot read (a dist-tag), is not."""
    declared = {f"pkg-{i}": spec for i, (spec, _, _) in enumerate(NPM_RANGES)}
    locked = {f"pkg-{i}": {"version": version} for i, (_, version, _) in enumerate(NPM_RANGES)}
    files = {"template.yaml": TEMPLATE, "api/package.json": package_json(declared), "api/package-lock.json": lock(locked)}
    findings = by_rule(scan_files(files, rules={"FG-SUP-021"}), "FG-SUP-021")
    assert {f.resource for f in findings} == {f"pkg-{i}" for i, (_, _, inside) in enumerate(NPM_RANGES) if not inside}
    for finding in findings:
        spec, version, _ = NPM_RANGES[int(finding.resource.split("-")[1])]
        assert f"declares {finding.resource} {spec} but api/package-lock.json locks {version}" in finding.message


def test_npm_ranges_are_parsed_once_with_the_answers_of_valid_range_then_satisfies():
    import nodesemver

    from faasguard.deps.versions import satisfies

    def two_parses(version: str, spec: str) -> bool:  # what satisfies did before it parsed the range once
        try:
            if nodesemver.valid_range(spec, loose=True) is None:
                return True
            return bool(nodesemver.satisfies(version, spec, loose=True, include_prerelease=True))
        except (ValueError, TypeError):
            return True

    versions = ["0.0.1", "1.0.0", "1.2.3", "1.2.4-beta.1", "2.0.0", "v3.1.0", "1.2", "x", "", "1.2.3.4", "01.2.3"]
    specs = [s for s, _, _ in NPM_RANGES] + ["1.2.3 || >=9", "<1.2.3", ">1.2.3-alpha", "~>1.2", "^", "1.2.3 -", "||"]
    made = 0
    parse = nodesemver.make_range

    def counting(*args, **kwargs):
        nonlocal made
        made += 1
        return parse(*args, **kwargs)

    nodesemver.make_range = counting
    try:
        assert [satisfies("npm", v, s) for v in versions for s in specs] == [two_parses(v, s) for v in versions for s in specs]
        made = 0
        satisfies("npm", "1.2.3", "^1.0.0")
        assert made == 1
    finally:
        nodesemver.make_range = parse
