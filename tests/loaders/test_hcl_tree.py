"""The tree-sitter Terraform parser gives what python-hcl2 7.3 gave, file for file.

The loader's readers (:mod:`faasguard.loaders.terraform.refs` re-reads ``${jsonencode(…)}``
text, :mod:`.module` reads block lines) were written against python-hcl2's dict, so
:mod:`faasguard.loaders.terraform.hcl_tree` must give the same dict. These tests compare
the two on every ``.tf`` file of the shared corpus (when it is beside the checkout), on
every ``.tf`` fixture of the test suite, and on snippets written here for each kind of
expression. The differences that remain are listed at the end, each with a test.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from faasguard.loaders.terraform import hcl_tree
from faasguard.loaders.terraform.loader import TerraformLoader, parse_hcl

hcl2 = pytest.importorskip("hcl2")

TESTS = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def normalised(text: str) -> str:
    """What the loader hands the parser: trailing blanks stripped, ``\\n`` line ends, a final newline."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def old(text: str) -> Any:
    try:
        return hcl2.loads(text, with_meta=True)
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def new(text: str) -> Any:
    """hcl_tree's dict without the one key python-hcl2 did not have (``__attribute_lines__``)."""
    try:
        return without_attribute_lines(hcl_tree.parse(text))
    except hcl_tree.HclError:
        return "error"


def without_attribute_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_attribute_lines(v) for k, v in value.items() if k != hcl_tree.ATTRIBUTE_LINES}
    if isinstance(value, list):
        return [without_attribute_lines(v) for v in value]
    return value


def same(text: str) -> bool:
    before, after = old(text), new(text)
    if isinstance(before, str) and isinstance(after, str):
        return True  # both reject it
    return before == after


SNIPPETS = {
    "literals": 'a = 1\nb = -2\nc = 1.50\nd = -2.25\ne = true\nf = false\ng = null\nh = "s"\ni = 1.5e3\n',
    "escapes": 'a = "q\\"uote"\nb = "back\\\\slash"\nc = "n\\nl\\t"\nd = "\\u00e9"\ne = "$${literal}"\n',
    "templates": 'a = "p${var.x}q"\nb = "${"in"}"\nc = "${true}"\nd = "${null}"\ne = "%{ if var.a }x%{ endif }y${z}"\n',
    "references": (
        "a = var.x\nb = local.y.z\nc = aws_iam_role.r.arn\nd = x[0]\ne = x[\"k\"]\nf = x.0.y\n"
        "g = x[*].id\nh = x.*.id\ni = x[*].a[0]\nj = data.aws_iam_policy_document.p.json\nk = module.m.out\n"
        "type = string\nl = list(string)\nm = (var.a)\n"
    ),
    "operators": (
        "a = var.x == true ? 1 : 2\nb = null == x || y == null\nc = (1 + 2) * 3\nd = !var.on\ne = - 1\n"
        "f = a ? b : c ? d : e\ng = a + b * c - d / e % f\nh = a >= b && c != d\ni = -var.x\nj = [\n  -2,\n  -2.5\n]\n"
    ),
    "functions": (
        'a = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = ["s3:*"], '
        'Resource = "${aws_s3_bucket.b.arn}/*"}]})\n'
        'b = f([a, "b"], {c = "d${e}"}, null, true)\nc = merge(var.a, {x = 1}...)\nd = file("${path.module}/p.json")\n'
        "e = provider::aws::arn_parse(var.arn)\nf = lookup(var.m, \"k\", null)\ng = f()\n"
    ),
    "collections": (
        'a = [1, "two", var.x, [3], {k = "v"}]\nb = {"${var.a}" = 1, (var.b) = 2, a.b = 3, 4 = 5, "q" = 6, k: 7}\n'
        "c = {\n  x = 1,\n  y = 2 # comment\n  z = 3\n}\nd = []\ne = {}\nf = [\n  1,\n  2,\n]\n"
    ),
    "for": (
        "a = [for x in var.l : x.a if x.b]\nb = {for k, v in var.m : k => v... if v}\n"
        "c = {for s in var.l : s.name => s}\nd = [for k, v in var.m : \"${k}=${v}\"]\n"
    ),
    "heredocs": (
        "a = <<EOT\nline ${var.x}\n  \\n two\nEOT\nb = <<-EOT\n    indented\n      more\n\n    EOT\n"
        'c = <<EOF\n{"Version": "2012-10-17", "a": "${b}"}\nEOF\nd = jsonencode(<<EOT\nx\nEOT\n)\n'
    ),
    "blocks": (
        "# comment\nterraform {\n  required_version = \">= 1.0\"\n}\n\n"
        'resource "aws_lambda_function" "fn" {\n  function_name = "f"\n  environment {\n    variables = {\n'
        '      A = "b"\n    }\n  }\n  dynamic "x" {\n    for_each = var.l\n    content { y = x.value }\n  }\n}\n'
        'resource "aws_lambda_function" "two" { runtime = "python3.12" }\nlocals {}\n'
        'module "m" {\n  source = "./m"\n}\n/* block\ncomment */\nvariable "v" {\n  type = map(string)\n  default = {}\n}\n'
        'data "aws_iam_policy_document" "p" {\n  statement {\n    actions = ["s3:GetObject"]\n  }\n  statement {\n'
        '    actions = ["s3:PutObject"]\n  }\n}\n'
    ),
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_each_kind_of_expression_reads_as_python_hcl2_read_it(name: str) -> None:
    text = normalised(SNIPPETS[name])
    assert old(text) == new(text)


NAMES = ["a", "var.x", "local.y", "aws_iam_role.r.arn", "each.value", "count.index", "module.m.out", "string"]
LEAVES = ["7", "-3", "1.5", "-2.25", "true", "false", "null", '"s"', '"a\\"b"', '"x\\\\y"', '"n\\nl"', '"p${var.x}q"',
          '"$${lit}"', '"%{ if a }x%{ endif }"', '"${"in"}"', '"${true}"', '"${null}"']
OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"]


def expression(rng: random.Random, depth: int = 0) -> str:
    """A random HCL expression of every kind python-hcl2 read (a generator of our own, seeded)."""
    if depth > 3 or rng.random() < 0.25:
        return rng.choice(LEAVES + NAMES)
    sub = lambda: expression(rng, depth + 1)  # noqa: E731
    return rng.choice([
        lambda: "[" + ", ".join(sub() for _ in range(rng.randint(0, 3))) + rng.choice(["", ","]) + "]",
        lambda: "{" + rng.choice([" ", "\n"]).join(
            rng.choice(["k", '"q"', "(var.k)", "1", "a.b", '"${x}"']) + rng.choice([" = ", ": "]) + sub() + rng.choice(["", ","])
            for _ in range(rng.randint(0, 3))) + "}",
        lambda: rng.choice(["jsonencode", "merge", "lookup", "format", "provider::aws::arn_parse"])
        + "(" + ", ".join(sub() for _ in range(rng.randint(0, 3))) + rng.choice(["", "..."]) + ")",
        lambda: f"{sub()} ? {sub()} : {sub()}",
        lambda: f"{sub()} {rng.choice(OPERATORS)} {sub()} {rng.choice(OPERATORS)} {sub()}",
        lambda: f"({sub()})",
        lambda: rng.choice(["!", "-"]) + rng.choice([*NAMES, f"({sub()})", "1"]),
        lambda: f"[for {rng.choice(['x', 'k, v'])} in {sub()} : {sub()}{rng.choice(['', ' if ' + sub()])}]",
        lambda: f"{{for k, v in {sub()} : k => {sub()}{rng.choice(['', '...'])}}}",
        lambda: rng.choice(NAMES) + rng.choice([".*.id", "[*].id", "[0]", '["k"]', ".0", "[var.i]"]),
        lambda: rng.choice(["<<EOT\n  a ${b}\n  \\n x\nEOT\n", "<<-EOT\n    a\n      b ${c}\n\n    EOT\n"]),
        lambda: "[\n  " + ",\n  ".join(sub() for _ in range(rng.randint(1, 3))) + " # c\n]",
        lambda: f"f({sub()}).a" + rng.choice(["", "[0]", ".b"]),
        lambda: f'"a${{{sub()}}}b"',
    ])()


def test_random_expressions_read_as_python_hcl2_read_them() -> None:
    rng = random.Random(14)
    differ, compared = [], 0
    for n in range(300):
        body = "".join(f"  a{i} = {expression(rng)}\n" for i in range(rng.randint(1, 3)))
        text = f'resource "aws_x" "n{n}" {{\n{body}  nested {{\n    z = {expression(rng, 1)}\n  }}\n}}\n'
        before, after = old(text), new(text)
        if isinstance(before, dict) and isinstance(after, dict):
            compared += 1
            if before != after:
                differ.append(text)
        elif isinstance(before, dict):  # python-hcl2 read what tree-sitter-hcl rejects
            differ.append(text)
    assert compared > 200 and differ == []


def test_what_the_loader_reads_from_a_policy_and_its_lines() -> None:
    parsed, problem = parse_hcl(normalised(SNIPPETS["functions"] + SNIPPETS["blocks"]))
    assert problem == "" and parsed is not None
    assert parsed["a"].startswith('${jsonencode({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"')
    assert '"Resource": "${aws_s3_bucket.b.arn}/*"' in parsed["a"]  # quotes inside ${…} are not escaped
    fn = parsed["resource"][0]["aws_lambda_function"]["fn"]
    assert (fn["__start_line__"], fn["__end_line__"]) == (13, 24)
    assert fn["environment"][0]["__start_line__"] == 15
    assert parsed["resource"][1]["aws_lambda_function"]["two"]["__start_line__"] == 25


UNBALANCED = """\
resource "aws_lambda_function" "fn" {
  function_name = "f"
  description   = <<EOT
A heredoc with an unbalanced { brace
EOT
  environment {
    variables = {
      runtime = "not the function's runtime"
    }
  }
  runtime = "python3.7"
  handler = "app.handler" # a comment with a { brace
  role    = aws_iam_role.r.arn
}
"""


def test_attribute_lines_are_exact_where_searching_the_text_went_wrong(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(UNBALANCED)
    result = TerraformLoader().load(tmp_path / "main.tf", UNBALANCED, tmp_path)
    [fn] = result.applications[0].functions
    assert fn.runtime == "python3.7" and fn.runtime_loc is not None and fn.runtime_loc.line == 11
    parsed = hcl_tree.parse(UNBALANCED)
    lines = parsed["resource"][0]["aws_lambda_function"]["fn"][hcl_tree.ATTRIBUTE_LINES]
    assert lines == {"function_name": 2, "description": 3, "environment": 6, "runtime": 11, "handler": 12, "role": 13}


def test_every_tf_fixture_of_the_test_suite_reads_the_same() -> None:
    files = sorted(TESTS.rglob("*.tf"))
    assert len(files) >= 3
    assert [f.relative_to(TESTS).as_posix() for f in files if not same(normalised(f.read_text(encoding="utf-8-sig")))] == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the checkout")
def test_every_corpus_tf_file_reads_the_same() -> None:
    files = sorted(CORPUS.rglob("*.tf"))
    assert len(files) > 400
    differ = []
    for path in files:
        try:
            text = normalised(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            continue
        if not same(text):
            differ.append(path.relative_to(CORPUS).as_posix())
    assert differ == []


# -- the differences, each on purpose or accepted ------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("x = <<A\nhi\nA\n", "hi"),  # a one-letter heredoc marker (python-hcl2 wanted two)
        ('x = "${~ var.a ~}"\n', "${var.a}"),  # template strip markers
    ],
)
def test_valid_terraform_python_hcl2_rejected_is_read(text: str, value: str) -> None:
    assert old(text).startswith("error")
    assert new(text) == {"x": value}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("x = 1e5\n", 1),  # an exponent without a fraction: tree-sitter-hcl 1.2 does not read it
        ('x = "a\x00"\n', 1),  # a NUL character inside a string
        ("x = {\n  a = b\n  (var.k) = 1\n}\n", 3),  # a parenthesised key after a bare reference: read as a call
    ],
)
def test_what_tree_sitter_hcl_rejects_is_an_error_with_its_line(text: str, line: int) -> None:
    assert isinstance(old(text), dict)
    parsed, problem = parse_hcl(text)
    assert parsed is None and problem.startswith(f"not valid HCL at line {line} (")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('resource "x" "y" {\n  a = 1\n  broken = = =\n}\n', "not valid HCL at line 3 (unexpected text, column 12)"),
        ('resource "x" "y" {\n  a = 1\n', "not valid HCL at line 3 (missing '}', column 1)"),
        ('x = "abc\n', "not valid HCL at line 2 (missing closing quote, column 1)"),
        ("x = <<EOT\nabc\n", "not valid HCL at line 3 (missing closing heredoc marker, column 1)"),
        ("a = 1\na = 2\n", "not valid HCL at line 2 (attribute a defined twice)"),
        ("x = " + "[" * 150 + "]" * 150 + "\n", "nesting too deep to parse; skipped"),
        ("x = 1" + " + 1" * 5_000 + "\n", "nesting too deep to parse; skipped"),
    ],
)
def test_syntax_errors_say_where_without_quoting(text: str, expected: str) -> None:
    parsed, problem = parse_hcl(text)
    assert parsed is None and problem.startswith(expected)


# -- comments anywhere, lines, heredocs, nested blocks, interpolation: what the converter gave before it read each
# node's type once and took a node's first and last child without filtering comments (tree-sitter puts none there)

COMMENTED = """\
# a comment before everything
resource /* kind */ "aws_lambda_function" /* name */ "fn" { # after the brace
  function_name = /* before */ "f-${var.stage}" /* after */
  role          = aws_iam_role.r.arn # a reference
  timeout       = var.long ? 900 : 30
  layers        = [ /* first */ aws_lambda_layer_version.l.arn, /* second */ "arn:aws:lambda:x:1:layer:y:2", ]
  description   = <<-EOT
    Made for ${var.team} # not a comment
      indented "quoted" line
    EOT
  environment {
    variables = {
      /* a key */ TABLE = aws_dynamodb_table.t.name /* its value */
      "QUOTED" = "q\\"uote"
      (var.dynamic_key) = 1
      PATHS = join(",", [for s in var.paths : upper(s) if s != ""])
    }
  }
  dynamic "vpc_config" {
    for_each = var.subnets[*].id
    content {
      subnet_ids         = vpc_config.value
      security_group_ids = [aws_security_group.sg.id, data.aws_security_group.d.ids.0]
    }
  }
  tags = merge(local.tags, { Name = "fn", Count = -1, Neg = - 2, Expr = 1 + 2 * 3 })
}

data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*", "arn:aws:s3:::x/${jsonencode({a = "b"})}"]
  }
}

locals {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow" # inline
      Action   = ["logs:*"]
      Resource = "*"
    }]
  })
  heredoc = <<EOF
{"Statement": [{"Effect": "Deny", "Resource": "${aws_s3_bucket.b.arn}"}]}
EOF
  splat = { for k, v in var.m : k => v... if v != null }
}
"""

START, END, ATTRIBUTES = hcl_tree.START_LINE, hcl_tree.END_LINE, hcl_tree.ATTRIBUTE_LINES
COMMENTED_READ = {
    "resource": [{"aws_lambda_function": {"fn": {
        "function_name": "f-${var.stage}",
        "role": "${aws_iam_role.r.arn}",
        "timeout": "${var.long ? 900 : 30}",
        "layers": ["${aws_lambda_layer_version.l.arn}", "arn:aws:lambda:x:1:layer:y:2"],
        "description": 'Made for ${var.team} # not a comment\n  indented "quoted" line',
        "environment": [{
            "variables": {"TABLE": "${aws_dynamodb_table.t.name}", "QUOTED": 'q"uote', "${(var.dynamic_key)}": 1,
                          "PATHS": '${join(",", [for s in var.paths : upper(s) if s != ""])}'},
            START: 11, END: 18, ATTRIBUTES: {"variables": 12},
        }],
        "dynamic": [{"vpc_config": {
            "for_each": "${var.subnets[*].id}",
            "content": [{
                "subnet_ids": "${vpc_config.value}",
                "security_group_ids": ["${aws_security_group.sg.id}", "${data.aws_security_group.d.ids[0]}"],
                START: 21, END: 24, ATTRIBUTES: {"subnet_ids": 22, "security_group_ids": 23},
            }],
            START: 19, END: 25, ATTRIBUTES: {"for_each": 20, "content": 21},
        }}],
        "tags": '${merge(local.tags, {"Name": "fn", "Count": -1, "Neg": "${-2}", "Expr": "${1 + 2 * 3}"})}',
        START: 2, END: 27,
        ATTRIBUTES: {"function_name": 3, "role": 4, "timeout": 5, "layers": 6, "description": 7, "environment": 11,
                     "dynamic": 19, "tags": 26},
    }}}],
    "data": [{"aws_iam_policy_document": {"p": {
        "statement": [{
            "actions": ["s3:GetObject"],
            "resources": ["${aws_s3_bucket.b.arn}/*", 'arn:aws:s3:::x/${jsonencode({"a": "b"})}'],
            START: 30, END: 33, ATTRIBUTES: {"actions": 31, "resources": 32},
        }],
        START: 29, END: 34, ATTRIBUTES: {"statement": 30},
    }}}],
    "locals": [{
        "policy": '${jsonencode({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:*"], '
                  '"Resource": "*"}]})}',
        "heredoc": '{"Statement": [{"Effect": "Deny", "Resource": "${aws_s3_bucket.b.arn}"}]}',
        "splat": "${{for k , v in var.m : k => v ... if v != null}}",
        START: 36, END: 49, ATTRIBUTES: {"policy": 37, "heredoc": 45, "splat": 48},
    }],
}


def test_comments_between_any_tokens_lines_heredocs_and_nested_blocks_read_as_before() -> None:
    """python-hcl2 rejected comments between block labels, so this compares to what the converter gave before."""
    parsed = hcl_tree.parse(COMMENTED)
    assert parsed == COMMENTED_READ
    fn, expected = parsed["resource"][0]["aws_lambda_function"]["fn"], COMMENTED_READ["resource"][0]["aws_lambda_function"]["fn"]
    assert list(fn) == list(expected)  # the order of keys too


@pytest.mark.parametrize(
    "text",
    [
        "a = /*c*/ 1 /*d*/\n", "b = x. /*c*/ y\n", "c = [ /*c*/ 1, /*c*/ ]\n", "d = f( /*c*/ 1 /*d*/ )\n",
        "e = { /*a*/ k /*b*/ = /*c*/ 1 /*d*/ }\n", "f = var.x[ /*a*/ 0 /*b*/ ]\n",
        "g = a /*x*/ ? /*y*/ b /*z*/ : /*w*/ c\n", "h = x[*] /*a*/ .y\n", "j = x /*a*/ [0]\n",
        "k = {for /*a*/ k, v in m : k => v /*b*/}\n", "l = 1 /*a*/ + /*b*/ 2\n", "m = (/*a*/ var.x /*b*/)\n",
        'resource /*a*/ "x" /*b*/ y /*c*/ { /*d*/ a = 1 /*e*/ }\n',
    ],
)
def test_a_comment_inside_an_expression_or_a_block_header_changes_nothing(text: str) -> None:
    parsed = new(text)
    assert isinstance(parsed, dict) and parsed == new(re.sub(r"/\*\w\*/", "", text))
