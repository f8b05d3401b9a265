"""The call-step and guard tables of data/taint/<language>.toml ([tables]): what a method of tainted data returns, which
calls read the environment or serialise, which tests vouch for a value. One generated line per row, checked by line."""

from __future__ import annotations

from pathlib import Path

from faasguard.code.engine import tables
from faasguard.code.javascript import JsModule
from faasguard.code.python import PyModule
from tests.code.test_tables import facts, lines_of

PY = tables("python")
JS = tables("javascript")


def _flows(tmp_path: Path, name: str, code: str, kind: str | None = None) -> set[int]:
    return {f.sink_loc.line for f in facts(tmp_path, name, code).flows if kind is None or f.kind == kind}


def test_python_getters_read_one_member(tmp_path):
    rows = [f"    os.system(event.{m}('cmd'))  # row: {m}" for m in sorted(PY.getters)]
    code = "\n".join(["import os", "", "def handler(event, context):", *rows, ""])
    got = facts(tmp_path, "app.py", code)
    assert {f.sink_loc.line for f in got.flows} == set(lines_of(code, "# row:"))
    assert all(PY.get_access.format("cmd") in f.source for f in got.flows)


def test_js_getters_read_one_member(tmp_path):
    rows = [f"  cp.execSync(new URLSearchParams(event.body).{m}('cmd'));  // row: {m}" for m in sorted(JS.getters)]
    code = "\n".join(['const cp = require("child_process");', "", "exports.handler = async (event) => {", *rows, "};", ""])
    got = facts(tmp_path, "index.js", code)
    assert {f.sink_loc.line for f in got.flows} == set(lines_of(code, "// row:"))
    assert all(JS.get_access.format("cmd") in f.source for f in got.flows)


def test_python_builders_and_templates_keep_a_fixed_host(tmp_path):
    """A string assembled from a URL with a constant host keeps that start: no SSRF (strip() is not a builder)."""
    rows = [f"    requests.get(('https://api.example/' + event['p']).{m}('a', 'b'))  # row: {m}" for m in sorted(PY.builders)]
    rows += [f"    requests.get('https://api.example/{{}}'.{m}(event['p']))  # row: {m}" for m in sorted(PY.templates)]
    code = "\n".join(["import requests", "", "def handler(event, context):", *rows,
                      "    requests.get(('https://api.example/' + event['p']).strip())  # control", ""])
    found = _flows(tmp_path, "app.py", code, "ssrf")
    assert found == set(lines_of(code, "# control")) and not found & set(lines_of(code, "# row:"))


def test_python_joiners_keep_a_secret_among_event_data(tmp_path):
    rows = [f"    print(' '.{m}([event['x'], os.environ['DB_PASSWORD']]))  # row: {m}" for m in sorted(PY.joiners)]
    code = "\n".join(["import os", "", "def handler(event, context):", *rows,
                      "    print(sep.join([event['x'], os.environ['DB_PASSWORD']]))  # control", ""])
    got = facts(tmp_path, "app.py", code)
    assert {leak.loc.line for leak in got.log_leaks if leak.kind == "secret"} == set(lines_of(code, "# row:"))


def test_js_builders_assemble_a_query(tmp_path):
    rows = [f"  await db.query(event.q.{m}('a'));  // row: {m}" for m in sorted(JS.builders)]
    code = "\n".join(["exports.handler = async (event, db) => {", *rows, "  await db.query(event.q.trim());  // control",
                      "};", ""])
    assert _flows(tmp_path, "index.js", code, "sql") == set(lines_of(code, "// row:"))


def test_environment_rows_read_secrets(tmp_path):
    rows = [f"    print({call}('DB_PASSWORD'))  # row: {call}" for call in sorted(PY.env_getters)]
    rows += [f"    print({name}['DB_PASSWORD'])  # row: {name}" for name in sorted(PY.environ)]
    code = "\n".join(["import os", "", "def handler(event, context):", *rows, "    print(os.getenv('TABLE'))  # control", ""])
    got = facts(tmp_path, "app.py", code)
    assert {leak.loc.line for leak in got.log_leaks if leak.kind == "secret"} == set(lines_of(code, "# row:"))
    rows = [f"  console.log({name}.DB_PASSWORD);  // row: {name}" for name in sorted(JS.environ)]
    code = "\n".join(["exports.handler = async (event) => {", *rows, "  console.log(process.env.TABLE);  // control", "};", ""])
    got = facts(tmp_path, "index.js", code)
    assert {leak.loc.line for leak in got.log_leaks if leak.kind == "secret"} == set(lines_of(code, "// row:"))


def test_python_attribute_getters_of_a_client_are_dynamic_calls(tmp_path):
    rows = [f"    {g}(boto3.client('s3'), event['op'])  # row: {g}" for g in sorted(PY.attribute_getters)]
    code = "\n".join(["import boto3", "", "def handler(event, context):", *rows, "    getattr(context, event['op'])  # control",
                      ""])
    dynamic = {loc.line for loc in facts(tmp_path, "app.py", code).dynamic_sdk}
    assert dynamic == set(lines_of(code, "# row:"))


def test_stringify_and_whole_keeper_rows(tmp_path):
    for n, call in enumerate(sorted(PY.stringify)):
        code = f"import json\n\ndef handler(event, context):\n    print({call}({{'a': 1}}))\n"
        assert facts(tmp_path, f"s{n}.py", code).logging.structured, call
    for n, call in enumerate(sorted(JS.stringify)):
        code = f"exports.handler = async (event) => {{\n  console.log({call}({{ a: 1 }}));\n}};\n"
        assert facts(tmp_path, f"s{n}.js", code).logging.structured, call
    rows = [f"    print({call}(event))  # row: {call}" for call in sorted(PY.whole_keepers)]
    code = "\n".join(["import json", "import urllib.parse", "", "def handler(event, context):", *rows,
                      "    print(urllib.parse.quote(event))  # control: a part of it", ""])
    got = facts(tmp_path, "app.py", code)
    assert {leak.loc.line for leak in got.log_leaks if leak.kind == "whole-event"} == set(lines_of(code, "# row:"))
    rows = [f"  console.log({call}(event));  // row: {call}" for call in sorted(JS.whole_keepers)]
    code = "\n".join(['const path = require("path");', "exports.handler = async (event) => {", *rows,
                      "  console.log(path.basename(event));  // control: a part of it", "};", ""])
    got = facts(tmp_path, "index.js", code)
    assert {leak.loc.line for leak in got.log_leaks if leak.kind == "whole-event"} == set(lines_of(code, "// row:"))


def test_pass_prefix_rows_pass_the_data_on(tmp_path):
    rows = [f"    os.system({prefix}anything(event['p']))  # row: {prefix}" for prefix in PY.pass_prefixes]
    code = "\n".join(["import os", "import base64", "import urllib.parse", "import mylib", "",
                      "def handler(event, context):", *rows, "    os.system(mylib.anything(event['p']))  # control", ""])
    assert _flows(tmp_path, "app.py", code) == set(lines_of(code, "# row:"))
    rows = [f"  cp.execSync({prefix}anything(event.p));  // row: {prefix}" for prefix in JS.pass_prefixes]
    code = "\n".join(['const cp = require("child_process");', 'const path = require("path");', 'const url = require("url");',
                      'const querystring = require("querystring");', 'const mylib = require("mylib");',
                      "exports.handler = async (event) => {", *rows, "  cp.execSync(mylib.anything(event.p));  // control",
                      "};", ""])
    assert _flows(tmp_path, "index.js", code) == set(lines_of(code, "// row:"))


def test_js_identity_wrapper_rows(tmp_path):
    rows = [f"  await util.{name}(cp.exec)(event.cmd);  // row: {name}" for name in sorted(JS.identity_wrappers)]
    code = "\n".join(['const cp = require("child_process");', 'const util = require("util");',
                      "exports.handler = async (event) => {", *rows, "};", ""])
    assert _flows(tmp_path, "index.js", code) == set(lines_of(code, "// row:"))


def test_python_guard_rows_vouch_inside_the_body(tmp_path):
    parts = ["import os", "import requests", "from urllib.parse import urlparse", "", "def handler(event, context):",
             "    x = event['x']"]
    for name in sorted(PY.guard_calls - PY.host_prefix_calls):
        parts += [f"    if x.{name}():", f"        os.system(x)  # row: {name}"]
    for prefix in PY.guard_prefixes:
        parts += [f"    if {prefix}thing(x):", f"        os.system(x)  # row: {prefix}"]
    for fold in sorted(PY.case_folds):
        parts += [f"    if x.{fold}() in ('a', 'b'):", f"        os.system(x)  # row: {fold}"]
    for attr in sorted(PY.host_attributes):
        parts += [f"    if urlparse(x).{attr} in ('api.example',):", f"        requests.get(x)  # row: {attr}"]
    for name in sorted(PY.host_prefix_calls):
        parts += [f"    if x.{name}('https://api.example/'):", f"        requests.get(x)  # row: {name}"]
    parts += ["    if other(x):", "        os.system(x)  # control", ""]
    code = "\n".join(parts)
    found = _flows(tmp_path, "app.py", code)
    assert found == set(lines_of(code, "# control")) and not found & set(lines_of(code, "# row:"))


def test_js_guard_rows_vouch_inside_the_body(tmp_path):
    parts = ['const cp = require("child_process");', 'const axios = require("axios");', "",
             "exports.handler = async (event) => {", "  const x = event.x;"]
    for name in sorted(JS.guard_calls - JS.receiver_guards):
        parts += [f"  if (ALLOWED.{name}(x)) {{", f"    cp.execSync(x);  // row: {name}", "  }"]
    for name in sorted(JS.receiver_guards - JS.host_prefix_calls):
        parts += [f"  if (x.{name}(/^[a-z]+$/)) {{", f"    cp.execSync(x);  // row: {name}", "  }"]
    for prefix in JS.guard_prefixes:
        parts += [f"  if ({prefix}Thing(x)) {{", f"    cp.execSync(x);  // row: {prefix}", "  }"]
    for i, attr in enumerate(sorted(JS.host_attributes)):  # a host check counts after a body that bails out
        parts += [f"  const h{i} = event.h;", f"  if (!HOSTS.includes(new URL(h{i}).{attr})) {{", "    return;", "  }",
                  f"  await axios.get(h{i});  // row: {attr}"]
    for i, name in enumerate(sorted(JS.host_prefix_calls)):
        parts += [f"  const u{i} = event.u;", f"  if (!u{i}.{name}('https://api.example/')) {{", "    return;", "  }",
                  f"  await axios.get(u{i});  // row: {name}"]
    parts += ["  if (other(x)) {", "    cp.execSync(x);  // control", "  }", "};", ""]
    code = "\n".join(parts)
    found = _flows(tmp_path, "index.js", code)
    assert found == set(lines_of(code, "// control")) and not found & set(lines_of(code, "// row:"))


def test_python_cache_decorator_rows_make_set_up_once(tmp_path):
    parts = ["import boto3", "import functools", ""]
    for i, name in enumerate(sorted(PY.cache_decorators)):
        parts += [f"@functools.{name}", f"def make{i}():", f"    return boto3.client('s3')  # row: {name}", ""]
    parts += ["def plain():", "    return boto3.client('s3')  # control", "", "def handler(event, context):",
              *(f"    make{i}()" for i in range(len(PY.cache_decorators))), "    plain()", ""]
    code = "\n".join(parts)
    got = {p.loc.line for p in facts(tmp_path, "app.py", code).per_invocation if p.kind == "sdk-client"}
    assert got == set(lines_of(code, "# control"))


def test_sdk_module_rows_mark_files_that_use_the_sdk():
    for name in PY.sdk_modules:
        assert PyModule.parse(Path("a.py"), "a.py", f"import {name}\n").uses_sdk, name
    assert not PyModule.parse(Path("a.py"), "a.py", "import requests\n").uses_sdk
    for name in JS.sdk_modules:
        assert JsModule.parse(Path("a.js"), "a.js", f'const x = require("{name}");\n', "javascript").uses_sdk, name
    assert not JsModule.parse(Path("a.js"), "a.js", 'const x = require("axios");\n', "javascript").uses_sdk


def test_js_context_param_rows_put_the_request_second(tmp_path):
    for i, name in enumerate(sorted(JS.context_params)):
        code = "\n".join(['const cp = require("child_process");', f"exports.handler = async ({name}, req) => {{",
                          "  cp.execSync(req.query.cmd);  // row", "};", ""])
        assert _flows(tmp_path, f"c{i}.js", code) == {3}, name
    code = "\n".join(['const cp = require("child_process");', "exports.handler = async (evt, req) => {",
                      "  cp.execSync(req.query.cmd);  // control: req is not the event", "};", ""])
    assert _flows(tmp_path, "control.js", code) == set()
