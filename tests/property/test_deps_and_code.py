"""Lock files and manifests with wrong types anywhere, and function source that is broken or calls
the SDK with nonsense arguments, end in findings, warnings or ``errors`` entries, never in an
exception or an "internal error"."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from tests.property.strategies import STRINGS, mutated, scan_survives, to_json, to_toml, to_yaml

# A function for the dependency files to belong to.
SAM = json.dumps(
    {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "src/"},
            },
            "Js": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Runtime": "nodejs20.x", "Handler": "index.handler", "CodeUri": "web/"},
            },
        },
    }
)
PY = "def handler(event, context):\n    return 1\n"
JS = "exports.handler = async (event) => 1;\n"

PACKAGE_LOCK = {
    "name": "web",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {"name": "web", "dependencies": {"lodash": "^4.17.0"}, "devDependencies": {"jest": "^29"}},
        "node_modules/lodash": {
            "version": "4.17.20",
            "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
            "integrity": "sha512-x",
        },
        "node_modules/jest": {"version": "29.0.0", "dev": True},
        "node_modules/a/node_modules/b": {"version": "1.0.0", "optional": True},
    },
    "dependencies": {"lodash": {"version": "4.17.20", "requires": {"x": "1"}}},
}
PACKAGE_JSON = {
    "name": "web",
    "version": "1.0.0",
    "main": "index.js",
    "dependencies": {"lodash": "^4.17.0", "left-pad": "git+https://x"},
    "devDependencies": {"jest": "29"},
    "workspaces": ["packages/*"],
    "overrides": {"x": "1"},
}
PIPFILE_LOCK = {
    "_meta": {"hash": {"sha256": "x"}, "requires": {"python_version": "3.12"}},
    "default": {
        "requests": {"version": "==2.19.0", "hashes": ["sha256:x"], "markers": "python_version >= '3'"},
        "flask": {"git": "https://x", "ref": "y"},
    },
    "develop": {"pytest": {"version": "==8.0.0"}},
}
POETRY_LOCK = {
    "package": [
        {
            "name": "requests",
            "version": "2.19.0",
            "optional": False,
            "python-versions": ">=3",
            "category": "main",
            "dependencies": {"urllib3": ">=1.21"},
            "source": {"type": "git", "url": "https://x"},
        },
        {"name": "pytest", "version": "8.0.0", "category": "dev", "groups": ["dev"]},
    ],
    "metadata": {"lock-version": "2.0", "python-versions": "^3.12", "content-hash": "x"},
}
UV_LOCK = {
    "version": 1,
    "requires-python": ">=3.12",
    "package": [
        {
            "name": "app",
            "version": "0.1.0",
            "source": {"editable": "."},
            "dependencies": [{"name": "requests"}],
            "dev-dependencies": {"dev": [{"name": "pytest"}]},
        },
        {"name": "requests", "version": "2.19.0", "source": {"registry": "https://pypi.org/simple"}},
    ],
}
PYPROJECT = {
    "project": {
        "name": "app",
        "version": "1",
        "dependencies": ["requests==2.19.0", "flask>=2"],
        "optional-dependencies": {"dev": ["pytest"]},
    },
    "tool": {"poetry": {"dependencies": {"python": "^3.12", "django": {"version": "3.0", "optional": True}}}},
}
PNPM_LOCK = {
    "lockfileVersion": "9.0",
    "importers": {".": {"dependencies": {"lodash": {"specifier": "^4", "version": "4.17.20"}}}},
    "packages": {"lodash@4.17.20": {"resolution": {"integrity": "sha512-x"}}},
    "snapshots": {"lodash@4.17.20": {"dependencies": {"x": "1.0.0"}}},
}
LOCK_KEYS = (
    "packages",
    "dependencies",
    "version",
    "name",
    "dev",
    "default",
    "develop",
    "package",
    "source",
    "importers",
    "lockfileVersion",
    "requires",
    "optional",
    "resolved",
    "specifier",
    "category",
    "groups",
    "markers",
)


def _deps(files: dict[str, str]) -> None:
    scan_survives({"template.json": SAM, "src/app.py": PY, "web/index.js": JS, **files})


@given(mutated(PACKAGE_LOCK, LOCK_KEYS))
@example({"lockfileVersion": 3, "packages": {"node_modules/x": "1.0.0", "": None}})
@example({"lockfileVersion": 1, "dependencies": {"x": {"version": 5, "dependencies": [1]}}})
@example({"lockfileVersion": 3, "packages": {"node_modules/x": {"version": "1.0.0", "resolved": [""]}}})  # was AttributeError
@example({"lockfileVersion": 3, "packages": {"": {"dependencies": [{}, 1]}, "node_modules/x": {"version": "1"}}})  # was TypeError
def test_package_lock(doc: Any) -> None:
    _deps({"web/package-lock.json": to_json(doc)})


@given(mutated(PACKAGE_JSON, LOCK_KEYS))
def test_package_json(doc: Any) -> None:
    _deps({"web/package.json": to_json(doc)})


@given(mutated(PIPFILE_LOCK, LOCK_KEYS))
@example({"default": {"requests": "==2.19.0", "x": {"version": ["==1"]}}, "develop": None})
def test_pipfile_lock(doc: Any) -> None:
    _deps({"src/Pipfile.lock": to_json(doc)})


@given(mutated(POETRY_LOCK, LOCK_KEYS))
def test_poetry_lock(doc: Any) -> None:
    _deps({"src/poetry.lock": to_toml(doc)})


@given(mutated(UV_LOCK, LOCK_KEYS))
@example({"version": 1, "package": 0.0})  # each of these was a TypeError or AttributeError
@example(
    {
        "version": 1,
        "package": [
            {"name": "app", "source": {"editable": "."}, "dependencies": [{"name": []}], "dev-dependencies": {"dev": 1.5}}
        ],
    }
)
@example(
    {
        "version": 1,
        "package": [{"name": "app", "source": {"editable": "."}, "dependencies": 2.0, "dev-dependencies": [["x"], False]}],
    }
)
def test_uv_lock(doc: Any) -> None:
    _deps({"src/uv.lock": to_toml(doc)})


@given(mutated(PYPROJECT, (*LOCK_KEYS, "project", "tool", "poetry", "optional-dependencies")))
@example({"project": {"dependencies": 5, "optional-dependencies": [None, 1]}, "tool": 7.5})  # was AttributeError
@example({"project": {"optional-dependencies": {"dev": 6665556}}, "dependency-groups": [1], "tool": {"poetry": {"group": [1]}}})
def test_pyproject(doc: Any) -> None:
    _deps({"src/pyproject.toml": to_toml(doc)})


@given(mutated(PNPM_LOCK, LOCK_KEYS))
@example({"lockfileVersion": "9.0", "importers": {".": {"dependencies": True}}, "packages": {}})  # was TypeError
@example(
    {
        "lockfileVersion": "9.0",
        "importers": {".": {"dependencies": [{"*": 1}]}},
        "snapshots": {"lodash@4.17.20": {"dependencies": -4.5}},
    }
)  # was AttributeError
def test_pnpm_lock(doc: Any) -> None:
    _deps({"web/pnpm-lock.yaml": to_yaml(doc)})


LINES = [
    "requests==2.19.0",
    "flask>=2,<3",
    "-r other.txt",
    "-c c.txt",
    "-e git+https://x#egg=y",
    "--index-url https://x",
    "x @ https://y/z.whl",
    "pkg[extra]==1 ; python_version < '3'",
    "--hash=sha256:abc",
    "\\",
    "# c",
    "==",
    "[x]",
    "a==1.0.0rc1",
    '"lodash@^4":',
    '  version "4.17.20"',
    '  resolved "https://x"',
    "  dependencies:",
    '    x "1"',
    "lodash@4:",
    '"a@1", "a@^1":',
    "__metadata:",
    "  version: 6",
    '"b@npm:1":',
    "  version: 1.0.0",
    '  resolution: "b@npm:1.0.0"',
]


@given(st.lists(st.sampled_from(LINES) | st.sampled_from(STRINGS) | st.text(max_size=12), max_size=12))
def test_requirements_and_yarn_lock_text(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    _deps({"src/requirements.txt": text, "src/other.txt": text, "web/yarn.lock": text})


# -- function source ---------------------------------------------------------------------------

ARGS = [
    "event",
    "event['body']",
    "None",
    "5",
    "[]",
    "{}",
    "'s3'",
    "f'{event}'",
    "*event",
    "**event",
    "lambda: 1",
    "os.environ['X']",
    "client",
    "x.y",
    "(1, 2)",
    "'a' + event['k']",
    "...",
    "b'x'",
]
CALLS = [
    "boto3.client({0})",
    "boto3.resource({0}).Table({1})",
    "s3.get_object(Bucket={0}, Key={1})",
    "subprocess.run({0}, shell={1})",
    "os.system({0})",
    "eval({0})",
    "requests.get({0}, verify={1})",
    "cursor.execute({0}, {1})",
    "getattr(boto3, {0})({1})",
    "client.invoke(FunctionName={0}, Payload={1})",
    "open({0}).read()",
    "pickle.loads({0})",
    "yaml.load({0}, Loader={1})",
    "boto3.client('sts').assume_role(RoleArn={0})",
    "{0}.{1}",
    "{0}[{1}]",
]
PY_HEAD = "import os, boto3, subprocess, requests, pickle, yaml\ns3 = boto3.client('s3')\nclient = boto3.client('lambda')\n"


@given(
    st.lists(
        st.tuples(st.sampled_from(CALLS), st.sampled_from(ARGS), st.sampled_from(ARGS), st.sampled_from(["", "x = ", "return "])),
        min_size=1,
        max_size=6,
    )
)
@example([("boto3.client({0})", "5", "None", "x = "), ("{0}.{1}", "x", "5", "return ")])
def test_python_handlers_with_odd_sdk_calls(calls: list[tuple[str, str, str, str]]) -> None:
    body = "".join(f"    {prefix}{call.format(a, b)}\n" for call, a, b, prefix in calls)
    scan_survives({"template.json": SAM, "src/app.py": PY_HEAD + "def handler(event, context):\n" + body + "    return 1\n"})


JS_ARGS = [
    "event",
    "event.body",
    "null",
    "5",
    "[]",
    "{}",
    "'s3'",
    "`${event.x}`",
    "...event",
    "() => 1",
    "process.env.X",
    "undefined",
    "new Date()",
    "event['k'] + 'x'",
    "require('x')",
]
JS_CALLS = [
    "new S3Client({0})",
    "client.send(new GetObjectCommand({{Bucket: {0}, Key: {1}}}))",
    "child_process.exec({0})",
    "eval({0})",
    "s3.getObject({{Bucket: {0}}}).promise()",
    "db.query({0}, {1})",
    "fetch({0}, {1})",
    "require({0})",
    "lambda.invoke({{FunctionName: {0}, Payload: {1}}})",
    "{0}[{1}]",
    "res.send({0})",
    "fs.readFileSync({0})",
]
JS_HEAD = (
    "const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');\nconst child_process = require('child_process');\n"
    "const AWS = require('aws-sdk');\nconst s3 = new AWS.S3();\nconst lambda = new AWS.Lambda();\n"
    "const client = new S3Client({});\n"
)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(JS_CALLS),
            st.sampled_from(JS_ARGS),
            st.sampled_from(JS_ARGS),
            st.sampled_from(["", "const x = ", "return ", "await "]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_js_handlers_with_odd_sdk_calls(calls: list[tuple[str, str, str, str]]) -> None:
    body = "".join(f"  {prefix}{call.format(a, b)};\n" for call, a, b, prefix in calls)
    scan_survives(
        {
            "template.json": SAM,
            "src/app.py": PY,
            "web/index.js": JS_HEAD + "exports.handler = async (event) => {\n" + body + "};\n",
        }
    )


TOKENS = [
    "def",
    "handler",
    "(",
    ")",
    ":",
    "\n",
    "    ",
    "return",
    "event",
    "[",
    "]",
    "'x'",
    "=",
    "import",
    "boto3",
    ".",
    "client",
    ",",
    "lambda",
    "async",
    "await",
    "{",
    "}",
    "=>",
    "const",
    "exports",
    ";",
    "`",
    "${",
    "class",
    "@",
    "*",
    "**",
]


@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_broken_source_text(tokens: list[str]) -> None:
    text = " ".join(tokens)
    scan_survives({"template.json": SAM, "src/app.py": PY + text, "web/index.js": JS + text, "src/helper.py": text})
