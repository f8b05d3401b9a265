"""Each manifest and lock format: packages, versions, lines, dev/direct flags and origins."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from faasguard.deps import source_for
from faasguard.deps.interface import Manifest, ParseError


def parse(tmp_path: Path, name: str, text: str, files: dict[str, str] | None = None) -> Manifest:
    for other, body in (files or {}).items():
        (tmp_path / other).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / other).write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    body = textwrap.dedent(text).lstrip("\n")
    path.write_text(body, encoding="utf-8")
    source = source_for(path.name)
    assert source is not None, name
    return source.parse(path, body, name)


def by_name(manifest: Manifest) -> dict[str, object]:
    return {d.name: d for d in manifest.dependencies}


def test_requirements_pins_ranges_hashes_extras_markers_and_includes(tmp_path):
    m = parse(
        tmp_path,
        "requirements.txt",
        """
        # app dependencies
        -r common.txt
        -c constraints.txt
        --index-url https://pypi.example/simple
        requests[security,socks]==2.19.0 \\
            --hash=sha256:abc \\
            --hash=sha256:def
        flask>=2.0,<3  # a range
        pywin32==306; sys_platform == "win32"
        django==4.2.*
        mylib @ git+https://github.com/acme/mylib.git@v1.0
        -e git+https://github.com/acme/other.git#egg=other
        https://files.example/pkgs/thing-1.0.tar.gz
        """,
        files={"common.txt": "jinja2==2.10\n", "constraints.txt": "urllib3<2\n"},
    )
    deps = by_name(m)
    assert deps["requests"].version == "2.19.0" and deps["requests"].hashed and deps["requests"].extras == ("security", "socks")
    assert deps["requests"].line == 5
    assert deps["flask"].version is None and deps["flask"].spec == "<3,>=2.0"
    assert deps["pywin32"].marker == 'sys_platform == "win32"'
    assert deps["django"].version is None  # a wildcard is a range
    assert deps["mylib"].origin == "git"
    assert deps["other"].origin == "git" and deps["other"].line == 12
    assert deps["thing"].origin == "url"
    assert deps["jinja2"].version == "2.10" and deps["jinja2"].file == "common.txt" and deps["jinja2"].line == 1
    assert "urllib3" not in deps  # constraints pin, they do not declare
    assert m.includes == ("common.txt", "constraints.txt")


def test_requirements_include_cycle_and_missing_include_do_not_crash(tmp_path):
    m = parse(tmp_path, "requirements.txt", "-r requirements.txt\n-r missing.txt\nsix==1.16.0\n")
    assert [d.name for d in m.dependencies] == ["six"]
    assert any("missing.txt" in w for w in m.warnings)


def test_requirements_dev_file_is_not_shipped(tmp_path):
    m = parse(tmp_path, "requirements-dev.txt", "pytest==8.0.0\n")
    assert m.dependencies[0].dev


def test_poetry_lock_groups_and_sources(tmp_path):
    m = parse(
        tmp_path,
        "poetry.lock",
        '''
        [[package]]
        name = "colorama"
        version = "0.4.5"
        optional = false
        groups = ["main"]
        files = [{file = "colorama-0.4.5.tar.gz", hash = "sha256:e6c6"}]

        [[package]]
        name = "pytest"
        version = "8.0.0"
        groups = ["dev"]

        [[package]]
        name = "mylib"
        version = "1.0.0"
        category = "main"

        [package.source]
        type = "git"
        url = "https://github.com/acme/mylib.git"
        reference = "main"
        ''',
    )
    deps = by_name(m)
    assert m.is_lock and deps["colorama"].version == "0.4.5" and deps["colorama"].line == 2 and deps["colorama"].hashed
    assert deps["pytest"].dev
    assert deps["mylib"].origin == "git" and deps["mylib"].url == "https://github.com/acme/mylib.git"


def test_pipfile_lock_default_and_develop(tmp_path):
    doc = {
        "_meta": {"hash": {"sha256": "x"}, "pipfile-spec": 6},
        "default": {"requests": {"hashes": ["sha256:a"], "version": "==2.19.0"}},
        "develop": {"pytest": {"version": "==8.0.0"}, "requests": {"version": "==2.19.0"}},
    }
    m = parse(tmp_path, "Pipfile.lock", json.dumps(doc, indent=4))
    deps = by_name(m)
    assert deps["requests"].version == "2.19.0" and not deps["requests"].dev and deps["requests"].line == 9
    assert deps["pytest"].dev


def test_uv_lock_skips_the_project_and_marks_dev_groups(tmp_path):
    m = parse(
        tmp_path,
        "uv.lock",
        '''
        version = 1
        requires-python = ">=3.12"

        [[package]]
        name = "app"
        version = "0.1.0"
        source = { editable = "." }
        dependencies = [{ name = "requests" }]

        [package.dev-dependencies]
        dev = [{ name = "pytest" }]

        [[package]]
        name = "requests"
        version = "2.19.0"
        source = { registry = "https://pypi.org/simple" }
        sdist = { url = "https://files.example/requests-2.19.0.tar.gz", hash = "sha256:x" }

        [[package]]
        name = "pytest"
        version = "8.0.0"
        source = { registry = "https://pypi.org/simple" }

        [[package]]
        name = "forked"
        version = "1.0.0"
        source = { git = "https://github.com/acme/forked?rev=main#0123456789abcdef0123456789abcdef01234567" }
        ''',
    )
    deps = by_name(m)
    assert "app" not in deps
    assert deps["requests"].version == "2.19.0" and deps["requests"].line == 14 and not deps["requests"].dev
    assert deps["pytest"].dev
    assert deps["forked"].origin == "git"


def test_pyproject_pep621_groups_and_poetry(tmp_path):
    m = parse(
        tmp_path,
        "pyproject.toml",
        '''
        [project]
        name = "app"
        dependencies = [
            "requests>=2.19",
            "jinja2==2.10",
        ]

        [project.optional-dependencies]
        s3 = ["boto3"]

        [dependency-groups]
        dev = ["pytest>=8"]

        [tool.poetry.dependencies]
        python = "^3.12"
        flask = "^2.3.0"
        zeta = {version = "~1.2", optional = true}
        mylib = {git = "https://github.com/acme/mylib.git"}

        [tool.poetry.group.test.dependencies]
        moto = "5.0.0"
        ''',
    )
    deps = by_name(m)
    assert deps["requests"].spec == ">=2.19" and deps["requests"].line == 4
    assert deps["jinja2"].version == "2.10"
    assert deps["boto3"].optional
    assert deps["pytest"].dev
    assert deps["flask"].spec == ">=2.3.0,<3" and deps["flask"].line == 16
    assert deps["zeta"].spec == ">=1.2,<1.3" and deps["zeta"].optional
    assert deps["mylib"].origin == "git"
    assert deps["moto"].version == "5.0.0" and deps["moto"].dev
    assert "python" not in deps


PACKAGE_LOCK_V3 = """
{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "dependencies": {
        "lodash": "^4.17.0"
      },
      "devDependencies": {
        "jest": "^29.0.0"
      }
    },
    "node_modules/lodash": {
      "version": "4.17.15",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz",
      "integrity": "sha512-x"
    },
    "node_modules/jest": {
      "version": "29.0.0",
      "dev": true
    },
    "node_modules/esbuild": {
      "version": "0.19.2",
      "hasInstallScript": true
    },
    "node_modules/foo/node_modules/minimist": {
      "version": "1.2.0"
    },
    "node_modules/forked": {
      "version": "1.0.0",
      "resolved": "git+ssh://git@github.com/acme/forked.git#0123456789abcdef0123456789abcdef01234567"
    }
  }
}
"""


def test_package_lock_v3_every_transitive_package(tmp_path):
    m = parse(tmp_path, "package-lock.json", PACKAGE_LOCK_V3)
    deps = by_name(m)
    assert deps["lodash"].version == "4.17.15" and deps["lodash"].direct and deps["lodash"].line == 16
    assert deps["jest"].dev
    assert deps["esbuild"].install_script and not deps["esbuild"].direct
    assert deps["minimist"].version == "1.2.0" and deps["minimist"].line == 29
    assert deps["forked"].origin == "git"


def test_package_lock_v1_nested(tmp_path):
    m = parse(
        tmp_path,
        "package-lock.json",
        """
        {
          "name": "app",
          "lockfileVersion": 1,
          "dependencies": {
            "lodash": {
              "version": "4.17.15",
              "integrity": "sha512-x"
            },
            "mkdirp": {
              "version": "0.5.1",
              "requires": {"minimist": "0.0.8"},
              "dependencies": {
                "minimist": {
                  "version": "0.0.8",
                  "dev": true
                }
              }
            }
          }
        }
        """,
    )
    deps = [(d.name, d.version, d.line, d.dev) for d in m.dependencies]
    assert deps == [("lodash", "4.17.15", 5, False), ("mkdirp", "0.5.1", 9, False), ("minimist", "0.0.8", 13, True)]


def test_yarn_classic(tmp_path):
    m = parse(
        tmp_path,
        "yarn.lock",
        '''
        # THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
        # yarn lockfile v1


        "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
          version "7.12.13"
          resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
          integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
          dependencies:
            "@babel/highlight" "^7.12.13"

        lodash@^4.17.0:
          version "4.17.15"
          resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.15.tgz"
        ''',
    )
    deps = by_name(m)
    assert deps["@babel/code-frame"].version == "7.12.13" and deps["@babel/code-frame"].line == 5
    assert deps["lodash"].version == "4.17.15" and deps["lodash"].line == 12
    assert "@babel/highlight" not in deps  # a dependency edge, not an entry


def test_yarn_berry(tmp_path):
    m = parse(
        tmp_path,
        "yarn.lock",
        '''
        __metadata:
          version: 6
          cacheKey: 8

        "app@workspace:.":
          version: 0.0.0-use.local
          resolution: "app@workspace:."
          languageName: unknown
          linkType: soft

        "lodash@npm:^4.17.0":
          version: 4.17.15
          resolution: "lodash@npm:4.17.15"
          checksum: 1234
          languageName: node
          linkType: hard

        "forked@https://github.com/acme/forked.git#commit=abc":
          version: 1.0.0
          resolution: "forked@https://github.com/acme/forked.git#commit=abc"
          linkType: hard
        ''',
    )
    deps = by_name(m)
    assert "app" not in deps
    assert deps["lodash"].version == "4.17.15" and deps["lodash"].line == 11 and deps["lodash"].hashed
    assert deps["forked"].origin == "git"


@pytest.mark.parametrize(
    ("lock", "key_line"),
    [
        (
            """
            lockfileVersion: 5.4
            specifiers:
              lodash: ^4.17.0
            dependencies:
              lodash: 4.17.15
            packages:
              /lodash/4.17.15:
                resolution: {integrity: sha512-x}
                dev: false
              /esbuild/0.19.2:
                resolution: {integrity: sha512-y}
                requiresBuild: true
                dev: true
            """,
            7,
        ),
        (
            """
            lockfileVersion: '6.0'
            dependencies:
              lodash:
                specifier: ^4.17.0
                version: 4.17.15
            packages:
              /lodash@4.17.15:
                resolution: {integrity: sha512-x}
                dev: false
              /esbuild@0.19.2:
                resolution: {integrity: sha512-y}
                requiresBuild: true
                dev: true
            """,
            7,
        ),
        (
            """
            lockfileVersion: '9.0'
            importers:
              .:
                dependencies:
                  lodash:
                    specifier: ^4.17.0
                    version: 4.17.15
                devDependencies:
                  esbuild:
                    specifier: ^0.19.0
                    version: 0.19.2
            packages:
              lodash@4.17.15:
                resolution: {integrity: sha512-x}
              esbuild@0.19.2:
                resolution: {integrity: sha512-y}
            snapshots:
              lodash@4.17.15: {}
              esbuild@0.19.2: {}
            """,
            13,
        ),
    ],
    ids=["v5", "v6", "v9"],
)
def test_pnpm_lock_versions(tmp_path, lock, key_line):
    m = parse(tmp_path, "pnpm-lock.yaml", lock)
    deps = by_name(m)
    assert deps["lodash"].version == "4.17.15" and deps["lodash"].line == key_line and not deps["lodash"].dev
    assert deps["lodash"].direct
    assert deps["esbuild"].version == "0.19.2" and deps["esbuild"].dev


def test_package_json_sections_aliases_and_urls(tmp_path):
    m = parse(
        tmp_path,
        "package.json",
        """
        {
          "name": "app",
          "dependencies": {
            "lodash": "^4.17.0",
            "left-pad": "1.3.0",
            "fresh": "latest",
            "lodash4": "npm:lodash@4.17.21",
            "forked": "github:acme/forked",
            "short": "acme/short#v1",
            "tarball": "http://files.example/x.tgz",
            "local": "file:../local"
          },
          "devDependencies": {
            "jest": "^29.0.0"
          }
        }
        """,
    )
    deps = [(d.name, d.version, d.spec, d.origin, d.dev, d.line) for d in m.dependencies]
    assert ("lodash", None, "^4.17.0", "registry", False, 4) in deps
    assert ("left-pad", "1.3.0", "1.3.0", "registry", False, 5) in deps
    assert ("fresh", None, None, "registry", False, 6) in deps
    assert ("lodash", "4.17.21", "4.17.21", "registry", False, 7) in deps
    assert ("forked", None, None, "git", False, 8) in deps
    assert ("short", None, None, "git", False, 9) in deps
    assert ("tarball", None, None, "url", False, 10) in deps
    assert ("local", None, None, "path", False, 11) in deps
    assert ("jest", None, "^29.0.0", "registry", True, 14) in deps


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("package-lock.json", "{not json"),
        ("package.json", "[1, 2]"),
        ("poetry.lock", "[[package]\nname="),
        ("Pipfile.lock", "{"),
        ("yarn.lock", "lodash@^4:\n  version \"1\"\nthis is not yarn\n"),
        ("pnpm-lock.yaml", "packages: [unclosed"),
    ],
)
def test_invalid_files_raise_parse_error_with_a_sentence(tmp_path, name, text):
    with pytest.raises(ParseError) as err:
        parse(tmp_path, name, text)
    assert str(err.value)
