"""Azure Functions projects (``host.json``, ``*/function.json``, ``local.settings.json``) → the model.

An Azure Functions project is a directory with a ``host.json`` and one folder
per function holding its ``function.json`` bindings. ``host.json`` anchors the
project: loading it reads the function folders beside it and the
``local.settings.json`` whose ``Values`` become every function's app settings
(the environment). A ``function.json`` without a ``host.json`` above it is read
on its own. Projects written in the Python v2 or Node v4 programming model
declare their functions in code, not in ``function.json``; the function app
itself is then modelled as one function so its settings are still checked.

What maps to the model: an HTTP trigger with ``authLevel: anonymous`` is a public,
unauthenticated trigger (``function``/``admin`` keys count as authentication);
app settings are literal unless they are Key Vault references
(``@Microsoft.KeyVault(…)``); ``host.json`` gives the timeout and whether
Application Insights telemetry is switched off. Azure-only facts go to
``Function.settings`` with the names the Terraform azurerm loader uses
(``app_insights``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from faasguard.loaders import located_yaml
from faasguard.loaders.interface import NO_VARIABLES, LoadResult
from faasguard.loaders.located_yaml import LDict, LoadFailure, end_line_of, line_of
from faasguard.model import Application, EnvVar, Function, Loc, Setting, Trigger

HOST = "host.json"
FUNCTION = "function.json"
SETTINGS = "local.settings.json"
CONSUMPTION_MEMORY_MB = 1536  # the Consumption plan's memory per instance
DEFAULT_TIMEOUT_S = 300  # functionTimeout default on the Consumption plan
_KEY_VAULT_REF = re.compile(r"^\s*@Microsoft\.KeyVault\(", re.IGNORECASE)
_INSIGHTS_SETTINGS = ("APPINSIGHTS_INSTRUMENTATIONKEY", "APPLICATIONINSIGHTS_CONNECTION_STRING")
_RUNTIME_BY_SUFFIX = {
    ".py": "python",
    ".js": "node",
    ".mjs": "node",
    ".ts": "node",
    ".ps1": "powershell",
    ".dll": "dotnet",
    ".jar": "java",
}
_TRIGGER_KINDS = {
    "httptrigger": "http",
    "timertrigger": "schedule",
    "queuetrigger": "queue",
    "servicebustrigger": "queue",
    "blobtrigger": "blob",
    "eventgridtrigger": "eventgrid",
    "eventhubtrigger": "stream",
    "cosmosdbtrigger": "stream",
}
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$")


class AzureFunctionsLoader:
    name = "azure-functions"

    def wants(self, filename: str) -> bool:
        return filename in (HOST, FUNCTION, SETTINGS)

    def claims(self, path: Path, text: str) -> bool:
        name = path.name.lower()
        if name == FUNCTION:
            return '"bindings"' in text
        if name == HOST:
            return bool(re.search(r'"version"\s*:\s*"2\.0"', text))  # every Functions v2+ host.json says so
        return name == SETTINGS

    def load(self, path: Path, text: str, root: Path, variables: Mapping[str, str] = NO_VARIABLES) -> LoadResult:
        result = LoadResult()
        name = path.name.lower()
        if name == SETTINGS or (name == FUNCTION and (path.parent.parent / HOST).is_file()):
            return result  # read with the project's host.json
        project = _Project(path.parent if name == HOST else path.parent.parent, root, result)
        if name == HOST:
            project.host = project.read(path, text)
            if project.host is None:
                return result
            functions = [d / FUNCTION for d in sorted(project.dir.iterdir()) if (d / FUNCTION).is_file()]
        else:
            functions = [path]
        project.settings = project.read_optional(project.dir / SETTINGS)
        app = Application(root=project.dir, source=project.rel(path), format="azure-functions")
        for fn_path in functions:
            config = project.read(fn_path, text if fn_path == path else None)
            if isinstance(config, Mapping):
                app.functions.append(project.function(fn_path, config))
            elif config is not None:
                result.errors.append((project.rel(fn_path), "function.json must be a JSON object with `bindings`; skipped"))
        declared_in_code = (project.dir / "function_app.py").is_file() or project.settings is not None
        if not functions and name == HOST and declared_in_code:
            app.functions.append(project.function_app(path))
        result.applications.append(app)
        return result


class _Project:
    def __init__(self, directory: Path, root: Path, result: LoadResult):
        self.dir = directory
        self.root = root
        self.result = result
        self.host: Any = None
        self.settings: Any = None

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.as_posix()

    def read(self, path: Path, text: str | None = None) -> Any:
        try:
            if text is None:
                text = path.read_text(encoding="utf-8-sig")
            return located_yaml.loads(text)
        except LoadFailure as exc:
            self.result.errors.append((self.rel(path), str(exc)))
        except (OSError, UnicodeDecodeError) as exc:
            self.result.errors.append((self.rel(path), f"could not be read: {exc}"))
        return None

    def read_optional(self, path: Path) -> Any:
        return self.read(path) if path.is_file() else None

    # -- app-wide facts ---------------------------------------------------------------
    def environment(self) -> tuple[EnvVar, ...]:
        values = self.settings.get("Values") if isinstance(self.settings, Mapping) else None
        if not isinstance(values, Mapping):
            return ()
        rel = self.rel(self.dir / SETTINGS)
        out = []
        for key, value in values.items():
            line = values.line_of(key) if isinstance(values, LDict) else 0
            loc = Loc(rel, line or None, line or None)
            if value is None or isinstance(value, dict | list):
                out.append(EnvVar(str(key), None, False, loc))
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            literal = not _KEY_VAULT_REF.match(text)
            out.append(EnvVar(str(key), text if literal else None, literal, loc))
        return tuple(out)

    def setting_value(self, name: str) -> tuple[Any, Loc | None]:
        values = self.settings.get("Values") if isinstance(self.settings, Mapping) else None
        if isinstance(values, LDict) and name in values:
            line = values.line_of(name)
            return values[name], Loc(self.rel(self.dir / SETTINGS), line, line)
        return None, None

    def timeout(self) -> tuple[int, Loc | None]:
        if isinstance(self.host, LDict) and isinstance(self.host.get("functionTimeout"), str):
            match = _TIMESPAN.match(self.host["functionTimeout"].strip())
            if match:
                days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
                line = self.host.line_of("functionTimeout")
                return ((days * 24 + hours) * 60 + minutes) * 60 + seconds, Loc(self.rel(self.dir / HOST), line, line)
        return DEFAULT_TIMEOUT_S, None

    def app_insights(self, fallback: Loc) -> Setting:
        """Telemetry is on when a connection string is set and host.json does not switch logging off."""
        off = self._telemetry_off()
        if off is not None:
            return Setting("app_insights", False, off)
        for name in _INSIGHTS_SETTINGS:
            value, loc = self.setting_value(name)
            if value:
                return Setting("app_insights", True, loc or fallback)
        return Setting("app_insights", False, fallback, explicit=False)

    def _telemetry_off(self) -> Loc | None:
        logging = self.host.get("logging") if isinstance(self.host, Mapping) else None
        if not isinstance(logging, Mapping):
            return None
        for block in (logging.get("logLevel"), _get(logging, "applicationInsights", "logLevel")):
            if isinstance(block, LDict) and str(block.get("default", "")).strip().lower() == "none":
                line = block.line_of("default")
                return Loc(self.rel(self.dir / HOST), line, line)
        return None

    def runtime(self, script: str | None) -> tuple[str | None, Loc | None]:
        value, loc = self.setting_value("FUNCTIONS_WORKER_RUNTIME")
        if isinstance(value, str) and value:
            return value, loc
        suffix = Path(script).suffix.lower() if script else ""
        return _RUNTIME_BY_SUFFIX.get(suffix), None

    # -- functions --------------------------------------------------------------------
    def function(self, path: Path, config: Mapping[str, Any]) -> Function:
        rel = self.rel(path)
        loc = Loc(rel, line_of(config) or 1, end_line_of(config) or None)
        script = config.get("scriptFile") if isinstance(config.get("scriptFile"), str) else None
        entry = config.get("entryPoint") if isinstance(config.get("entryPoint"), str) else None
        runtime, runtime_loc = self.runtime(script)
        timeout, timeout_loc = self.timeout()
        triggers = []
        bindings = config.get("bindings")
        for binding in bindings if isinstance(bindings, list) else []:
            trigger = self.trigger(binding, path.parent.name, rel)
            if trigger is not None:
                triggers.append(trigger)
        return Function(
            name=path.parent.name,
            loc=loc,
            provider="azure",
            runtime=runtime,
            runtime_loc=runtime_loc,
            handler=_handler(script, entry, runtime),
            code_dir=path.parent.resolve(),
            memory=CONSUMPTION_MEMORY_MB,
            timeout=timeout,
            timeout_loc=timeout_loc,
            environment=self.environment(),
            triggers=tuple(triggers),
            source_resource="azure:function.json",
            settings=(self.app_insights(loc),),
        )

    def function_app(self, host_path: Path) -> Function:
        """A project whose functions are declared in code: the app is the unit its settings apply to."""
        loc = Loc(self.rel(host_path), line_of(self.host) or 1, end_line_of(self.host) or None)
        runtime, runtime_loc = self.runtime(None)
        timeout, timeout_loc = self.timeout()
        return Function(
            name=self.dir.resolve().name,
            loc=loc,
            provider="azure",
            runtime=runtime,
            runtime_loc=runtime_loc,
            code_dir=self.dir.resolve(),
            memory=CONSUMPTION_MEMORY_MB,
            timeout=timeout,
            timeout_loc=timeout_loc,
            environment=self.environment(),
            source_resource="azure:function-app",
            settings=(self.app_insights(loc),),
        )

    def trigger(self, binding: Any, function_name: str, rel: str) -> Trigger | None:
        if not isinstance(binding, LDict):
            return None
        kind = str(binding.get("type", "")).lower()
        if not kind.endswith("trigger"):
            return None
        line = binding.line_of("authLevel") if "authLevel" in binding else binding.line
        loc = Loc(rel, line or None, line or None)
        if kind == "httptrigger":
            level = str(binding.get("authLevel") or "function").strip().lower()
            listed = binding.get("methods")
            listed = [listed] if isinstance(listed, str) else listed if isinstance(listed, list) else []
            methods = ",".join(str(m).upper() for m in listed) or "ANY"
            route = f"{methods} /{self.route_prefix()}{binding.get('route') or function_name}".replace("//", "/")
            return Trigger("http", None, loc, public=True, authenticated=level != "anonymous", route=route)
        source = binding.get("queueName") or binding.get("topicName") or binding.get("path") or binding.get("eventHubName")
        return Trigger(_TRIGGER_KINDS.get(kind, "other"), str(source) if isinstance(source, str) else None, loc)

    def route_prefix(self) -> str:
        prefix = _get(self.host, "extensions", "http", "routePrefix")
        prefix = "api" if prefix is None else str(prefix).strip("/")
        return f"{prefix}/" if prefix else ""


def _handler(script: str | None, entry: str | None, runtime: str | None) -> str | None:
    """In the ``module.function`` form the code analyzer reads (``__init__.main`` for a v1 Python function)."""
    if runtime == "python":
        script = script or "__init__.py"
    elif runtime == "node":
        script = script or "index.js"
    if not script or Path(script).suffix.lower() not in (".py", ".js", ".mjs", ".cjs", ".ts"):
        return script
    default = "main" if runtime == "python" or script.endswith(".py") else "default"
    return f"{script.rsplit('.', 1)[0]}.{entry or default}"


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node
