"""Users add taint model rows for their own wrappers in .faasguard.yaml (taint-models), documented in docs/taint-models.md."""

from faasguard.cli import main
from tests.code.conftest import template
from tests.conftest import by_rule

CODE = '''
from shop import db


def handler(event, context):
    sku = event["pathParameters"]["sku"]
    db.run_sql("SELECT * FROM stock WHERE sku = '" + sku + "'")
    db.run_sql("SELECT * FROM stock WHERE sku = %(sku)s", {"sku": sku})
    return db.fetch_one(sku)
'''

CONFIG = """
taint-models:
  python:
    sink:
      - {kind: sql, method: run_sql, receiver: [shop.db], argument: [0, query], label: "shop.db.run_sql"}
"""


def test_config_adds_a_sink_for_an_in_house_wrapper(tmp_path, capsys):
    (tmp_path / "src").mkdir()
    (tmp_path / "template.yaml").write_text(template(("Stock", "python3.12", "src/", "app.handler")))
    (tmp_path / "src" / "app.py").write_text(CODE.lstrip())
    assert main(["scan", str(tmp_path), "--rule", "FG-INJ-010", "--format", "text", "--fail-on", "none"]) == 0
    assert "FG-INJ-010" not in capsys.readouterr().out  # the bundled models do not know shop.db
    (tmp_path / ".faasguard.yaml").write_text(CONFIG)
    assert main(["scan", str(tmp_path), "--rule", "FG-INJ-010", "--format", "text", "--fail-on", "none"]) == 0
    out = capsys.readouterr().out
    assert "FG-INJ-010" in out and "src/app.py:6" in out and "shop.db.run_sql" in out
    assert "src/app.py:7" not in out  # the parameterised call stays quiet


def test_a_bad_row_is_a_clear_usage_error(tmp_path, capsys):
    (tmp_path / "template.yaml").write_text(template(("Stock", "python3.12", "src/", "app.handler")))
    (tmp_path / ".faasguard.yaml").write_text("taint-models:\n  python:\n    sink:\n      - {kind: sqli, call: x.run}\n")
    assert main(["scan", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "taint-models.python sink #1: unknown kind 'sqli'" in err


def test_options_carry_the_rows_and_a_later_scan_without_them_forgets_them(scan_files):
    rows = {"python": {"sink": [{"kind": "sql", "method": "run_sql", "receiver": ["shop.db"], "argument": [0]}]}}
    files = {"template.yaml": template(("Stock", "python3.12", "src/", "app.handler")), "src/app.py": CODE}
    assert [f.line for f in by_rule(scan_files(files, rules={"FG-INJ-010"}, taint_models=rows), "FG-INJ-010")] == [6]
    assert by_rule(scan_files(files, rules={"FG-INJ-010"}), "FG-INJ-010") == []
