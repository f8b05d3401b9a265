"""Azure Functions projects: bindings, host.json and local.settings.json as users see them in findings."""

from __future__ import annotations

from tests.conftest import by_rule

KEY = "sk_live_51HqLyjWDarjtT1zdp7dcRk4mZ9vQ2xYbN8cT5gJ0aLsEw3uPf"
HOST = '{\n  "version": "2.0",\n  "functionTimeout": "00:07:30",\n  "extensions": {"http": {"routePrefix": "v1"}}\n}\n'


def http_function(auth_level: str | None) -> str:
    level = f'"authLevel": "{auth_level}", ' if auth_level else ""
    return (
        '{\n  "scriptFile": "__init__.py",\n  "bindings": [\n'
        f'    {{{level}"type": "httpTrigger", "direction": "in", "name": "req", "methods": ["get"], "route": "orders"}},\n'
        '    {"type": "http", "direction": "out", "name": "$return"}\n  ]\n}\n'
    )


def test_project_functions_triggers_and_settings(scan_files):
    result = scan_files(
        {
            "app/host.json": HOST,
            "app/Public/function.json": http_function("anonymous"),
            "app/Keyed/function.json": http_function(None),
            "app/Nightly/function.json": '{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 2 * * *"}]}',
            "app/local.settings.json": (
                '{\n  "IsEncrypted": false,\n  "Values": {\n    "FUNCTIONS_WORKER_RUNTIME": "python",\n'
                f'    "STRIPE_KEY": "{KEY}",\n'
                '    "DB_PASSWORD": "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/db/)"\n  }\n}\n'
            ),
        },
        rules={"FG-SEC-001"},
    )
    [app] = [a for a in result.applications if a.format == "azure-functions"]
    fns = {f.name: f for f in app.functions}
    assert set(fns) == {"Public", "Keyed", "Nightly"}
    public = fns["Public"]
    assert public.provider == "azure" and public.runtime == "python"
    assert (public.timeout, public.timeout_loc and public.timeout_loc.path) == (450, "app/host.json")
    assert public.handler == "__init__.main"
    [trigger] = public.triggers
    assert (trigger.kind, trigger.public, trigger.authenticated, trigger.route) == ("http", True, False, "GET /v1/orders")
    assert (trigger.loc.path, trigger.loc.line) == ("app/Public/function.json", 4)
    assert fns["Keyed"].triggers[0].authenticated is True  # authLevel defaults to "function": a key is required
    assert [(t.kind, t.public) for t in fns["Nightly"].triggers] == [("schedule", False)]
    env = {v.name: v for v in public.environment}
    assert env["DB_PASSWORD"].literal is False  # a Key Vault reference is not a secret in the file
    findings = by_rule(result, "FG-SEC-001")
    assert {(f.path, f.line) for f in findings} == {("app/local.settings.json", 5)}
    assert "STRIPE_KEY" in findings[0].message


def test_function_json_without_host_is_read_alone(scan_files):
    result = scan_files({"Hook/function.json": http_function("anonymous")})
    [app] = [a for a in result.applications if a.format == "azure-functions"]
    [fn] = app.functions
    assert fn.name == "Hook" and fn.triggers[0].route == "GET /api/orders"


def test_host_json_logging_off_switches_app_insights_off(scan_files):
    result = scan_files(
        {
            "host.json": '{\n  "version": "2.0",\n  "logging": {\n    "logLevel": {\n      "default": "None"\n    }\n  }\n}\n',
            "Fn/function.json": http_function("function"),
            "local.settings.json": '{"Values": {"APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=00000000"}}',
        }
    )
    [fn] = [f for a in result.applications if a.format == "azure-functions" for f in a.functions]
    setting = fn.setting("app_insights")
    assert setting is not None and setting.value is False
    assert (setting.loc.path, setting.loc.line) == ("host.json", 5)


def test_python_v2_project_is_one_function_app(scan_files):
    result = scan_files(
        {
            "svc/host.json": '{"version": "2.0"}',
            "svc/function_app.py": "import azure.functions as func\napp = func.FunctionApp()\n",
            "svc/local.settings.json": f'{{"Values": {{"STRIPE_KEY": "{KEY}"}}}}',
        },
        rules={"FG-SEC-001"},
    )
    [fn] = [f for a in result.applications if a.format == "azure-functions" for f in a.functions]
    assert (fn.name, fn.source_resource) == ("svc", "azure:function-app")
    assert [f.path for f in by_rule(result, "FG-SEC-001")] == ["svc/local.settings.json"]


def test_broken_and_foreign_files(scan_files):
    result = scan_files(
        {
            "app/host.json": '{"version": "2.0"}',
            "app/Bad/function.json": '{"bindings": [ {"type": ',
            "other/host.json": '{"port": 8080}',  # not an Azure Functions host.json
        }
    )
    assert [path for path, _ in result.errors] == ["app/Bad/function.json"]
    assert all(app.source != "other/host.json" for app in result.applications)
