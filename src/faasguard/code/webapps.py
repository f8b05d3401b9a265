"""Web applications on a function: the handler is the app (or a wrapper around it), its routes are the entry points.

A Flask, Django or FastAPI app deployed on Lambda has no ``def handler(event, context)``:

- serverless-wsgi generates ``wsgi_handler.handler`` at package time and serves the app that
  ``custom.wsgi.app`` names (the Serverless loader records it as the ``wsgi_app`` setting);
- Mangum, apig-wsgi and the like are a module-level assignment, ``handler = Mangum(app)``;
- a handler module may re-export the handler of another (``from app.main import handler``).

:func:`python_app_entry` resolves such a name to the statement that defines it; the
interpreter then walks the routes of the apps that statement names with request data
(see ``PyInterp.analyse_rest``). :func:`route_param_is_data` says which parameters of a
route the framework fills from the request: a FastAPI parameter typed ``int`` or a Flask
``<int:id>`` converter is a number when the route runs, and ``Depends(...)`` is the app's own.
Nothing here imports or runs the scanned code.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faasguard.code.javascript import JsFunc
from faasguard.code.modeldata import bundled
from faasguard.code.pymodule import walk
from faasguard.code.reach import identifiers
from faasguard.code.values import UNKNOWN, Taint, Val
from faasguard.secret_patterns import is_placeholder, mask

if TYPE_CHECKING:
    from tree_sitter import Node

    from faasguard.code.javascript import JsInterp
    from faasguard.code.python import PyInterp, PyModule

# Types a framework converts a request value to before the route runs (FastAPI/pydantic, Flask converters).
SAFE_ANNOTATIONS = {"int", "float", "bool", "UUID", "uuid.UUID", "datetime", "date", "time", "timedelta", "Decimal",
                    "datetime.datetime", "datetime.date", "PositiveInt", "NonNegativeInt", "conint", "confloat"}
DEPENDENCIES = {"Depends", "Security", "fastapi.Depends", "fastapi.Security"}
# Objects the framework hands a route that carry no request text: the response it will send, its task queue.
FRAMEWORK_OBJECTS = {"Response", "JSONResponse", "BackgroundTasks", "fastapi.Response", "fastapi.BackgroundTasks",
                     "starlette.responses.Response", "Session", "AsyncSession"}
FLASK_CONVERTER = re.compile(r"<\s*(int|float|uuid)\s*(?:\([^)]*\))?\s*:\s*(\w+)\s*>")
MAX_HOPS = 4
FuncNode = ast.FunctionDef | ast.AsyncFunctionDef


def python_app_entry(py: PyInterp, path: Path, name: str, hops: int = 0) -> bool:
    """Analyse ``name`` of module ``path`` when it is not a function: a module-level ``handler = Mangum(app)``, an
    alias of a function (``lambda_handler = main``) or a name imported from a local module. False when the module
    does not define ``name`` at all."""
    mod = py.module(path)
    if mod is None or mod.tree is None or hops > MAX_HOPS:
        return False
    for stmt in reversed(mod.tree.body):  # the last binding wins, as at import time
        value = _assigned(stmt, name)
        if value is not None:
            if isinstance(value, ast.Name) and value.id in mod.functions:
                return py.analyse_handler(path, value.id)
            if isinstance(value, ast.Name) and value.id != name:
                return python_app_entry(py, path, value.id, hops + 1) or _set_entry(py, mod, stmt)
            return _set_entry(py, mod, stmt)
        if isinstance(stmt, ast.ImportFrom) and stmt.module is not None:
            for alias in stmt.names:
                if (alias.asname or alias.name) == name:
                    target = py.local_import(mod, stmt.module, stmt.level)
                    if target is None:
                        return False  # a third-party handler (a framework's own entry point): nothing of ours to walk
                    if py.analyse_handler(target.path, alias.name):
                        return True
                    return python_app_entry(py, target.path, alias.name, hops + 1)
    return False


def _assigned(stmt: ast.stmt, name: str) -> ast.expr | None:
    if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
        return stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
        return stmt.value
    return None


def _set_entry(py: PyInterp, mod: PyModule, stmt: ast.stmt) -> bool:
    """``handler = Mangum(app)`` / ``app = Flask(__name__)``: the routes of the apps this statement names serve
    every request; the interpreter's reachability starts from its text."""
    py.handler_text = mod.text_of(stmt)
    return True


def route_param_is_data(node: ast.FunctionDef | ast.AsyncFunctionDef, param: ast.arg, default: ast.expr | None) -> bool:
    """Whether the framework fills ``param`` of route ``node`` with text from the request."""
    if default is not None and isinstance(default, ast.Call) and ast.unparse(default.func) in DEPENDENCIES:
        return False  # FastAPI dependency: the app computes it (a DB session, the current user)
    annotation = param.annotation
    if annotation is not None:
        text = ast.unparse(annotation)
        base = text.split("[", 1)[0]
        if base in ("Optional", "typing.Optional") and "[" in text:
            base = text[text.index("[") + 1 : text.rindex("]")].strip()
        if base.split("(", 1)[0] in SAFE_ANNOTATIONS or base in FRAMEWORK_OBJECTS:
            return False
        if base.startswith("Annotated[") and "Depends(" in text:
            return False
    for decorator in node.decorator_list:
        path = decorator.args[0] if isinstance(decorator, ast.Call) and decorator.args else None
        if isinstance(path, ast.Constant) and isinstance(path.value, str) \
                and any(m.group(2) == param.arg for m in FLASK_CONVERTER.finditer(path.value)):
            return False
    return True


def model_fields(tree: ast.Module | None, cls: str) -> dict[str, bool] | None:
    """Field → holds text, of a data class defined in ``tree`` (annotated fields, no ``__init__`` of its own: a
    pydantic model, a @dataclass, a NamedTuple); None for any other class. ``count: int`` holds no text."""
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls), None) if tree else None
    if node is None or any(isinstance(n, ast.FunctionDef) and n.name == "__init__" for n in node.body):
        return None
    fields = {}
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            text = ast.unparse(item.annotation)
            base = text.split("[", 1)[0]
            if base in ("Optional", "typing.Optional") and "[" in text:
                base = text[text.index("[") + 1 : text.rindex("]")].strip()
            fields[item.target.id] = base.split("(", 1)[0] not in SAFE_ANNOTATIONS
    return fields or None


def route_defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """Parameter name → its default expression (positional and keyword-only)."""
    positional = node.args.posonlyargs + node.args.args
    out: dict[str, ast.expr] = {}
    for arg, default in zip(positional[len(positional) - len(node.args.defaults):], node.args.defaults, strict=True):
        out[arg.arg] = default
    for arg, kw_default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
        if kw_default is not None:
            out[arg.arg] = kw_default
    return out


def route_args(mod: PyModule, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Val]:
    """The arguments a route of the handler's app runs with: request data where the framework passes it."""
    defaults = route_defaults(node)
    return [_request_model(mod, a, Val(taint=Taint(a.arg, mod.loc(node), whole=True)))
            if route_param_is_data(node, a, defaults.get(a.arg)) else UNKNOWN for a in node.args.posonlyargs + node.args.args]


def _request_model(mod: PyModule, param: ast.arg, val: Val) -> Val:
    """``async def run(q: Query)``: a FastAPI body model of the app's own code, whose fields typed int hold no text
    (the instance value the Python adapter gives objects of local classes)."""
    cls = param.annotation.id if isinstance(param.annotation, ast.Name) else None
    fields = model_fields(mod.tree, cls) if cls in mod.classes else None
    typed = tuple((name, UNKNOWN) for name, text in (fields or {}).items() if not text)
    return replace(val, func=("instance", mod, cls), items=typed or None) if fields else val


# -- the app's session signing key ------------------------------------------------------------------------------
# Flask signs its session cookie with app.secret_key (config SECRET_KEY), Flask-JWT-Extended its tokens with
# JWT_SECRET_KEY, Flask-WTF its CSRF tokens with WTF_CSRF_SECRET_KEY, Django everything with settings.SECRET_KEY:
# whoever knows the value can forge a logged-in session. The literal IS the key (never the name of a secret held
# elsewhere), so the generic secret heuristics, which read a slug as a secret's name, do not apply.
SIGNING_KEYS = {"SECRET_KEY", "JWT_SECRET_KEY", "WTF_CSRF_SECRET_KEY"}
CONFIG_UPDATES = {"update", "from_mapping", "setdefault"}
CONFIG_LOADERS = {"from_envvar", "from_pyfile", "from_prefixed_env", "from_file", "from_object"}
CONFIG_CLASS = re.compile(r"(?:Config|Settings|Configuration)$")
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
SIGNING_KEY = "session signing key"
DEFAULT_SIGNING_KEY = "default session signing key"  # "dev", "changeme": the first words an attacker tries
WEAK_KEYS = {"dev", "development", "secret", "secretkey", "secret-key", "secret_key", "changeme", "change-me", "change_me",
             "default", "test", "testing", "keyboard cat", "mysecret", "my-secret", "supersecret", "super-secret",
             "super_secret", "your-secret-key", "your_secret_key", "yoursecretkey", "replace-me", "development key",
             "dev-key", "dev_key", "devkey", "insecure", "s3cr3t", "password", "flask", "django"}


def signing_key_literals(tree: ast.Module | None, hints: list[int] | None = None) -> list[tuple[str, str | bytes, int]]:
    """(name, literal, line) of every session signing key a Python module sets to a literal.

    ``app.secret_key = "…"``, ``app.config["SECRET_KEY"] = "…"``, ``app.config.update(SECRET_KEY="…")`` (or a
    dict), and ``SECRET_KEY = "…"`` at module level or in a config class (Django settings, Flask config objects).
    A default the module then replaces from configuration (``app.config.from_envvar(...)``, a later non-literal
    assignment) is left to :func:`signing_key_facts`, which keeps only real-looking values then.

    With ``hints`` (:meth:`PyModule.quote_lines`), statements without a literal are not walked: each key found is one."""
    if tree is None:
        return []
    found: list[tuple[str, str | bytes, int]] = []
    settings = {id(n) for n in _settings_statements(tree)}  # where a bare SECRET_KEY = "…" is a setting
    for node in walk(tree, hints):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            literal = _literal(node.value)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = _key_target(target)
                if name is not None and literal is not None and (id(node) in settings or not isinstance(target, ast.Name)):
                    found.append((name, literal, node.value.lineno))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CONFIG_UPDATES \
                and "config" in ast.unparse(node.func.value):
            pairs = [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    pairs += [(k.value, v) for k, v in zip(arg.keys, arg.values, strict=True)
                              if isinstance(k, ast.Constant) and isinstance(k.value, str)]
                elif isinstance(arg, ast.Call) and ast.unparse(arg.func) == "dict":
                    pairs += [(kw.arg, kw.value) for kw in arg.keywords if kw.arg]
            for key, value in pairs:
                literal = _literal(value)
                if key in SIGNING_KEYS and literal is not None:
                    found.append((str(key), literal, value.lineno))
    return found


def _settings_statements(tree: ast.Module) -> list[ast.stmt]:
    """Module-level statements (Django settings, a Flask config module) and the bodies of config classes
    (``class ProductionConfig: SECRET_KEY = …``); not a library class's ``SECRET_KEY = 'AWS_SECRET_ACCESS_KEY'``."""
    out: list[ast.stmt] = []
    todo = list(tree.body)
    while todo:
        stmt = todo.pop()
        out.append(stmt)
        if isinstance(stmt, ast.If | ast.Try):
            todo += stmt.body + stmt.orelse + (stmt.finalbody if isinstance(stmt, ast.Try) else [])
        elif isinstance(stmt, ast.ClassDef) and CONFIG_CLASS.search(stmt.name):
            todo += stmt.body
    return out


def _literal(node: ast.expr) -> str | bytes | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes) and node.value:
        if isinstance(node.value, str) and ENV_NAME.fullmatch(node.value.strip()):
            return None  # SECRET_KEY = "DJANGO_SECRET_KEY": the name of the variable that holds it
        return node.value
    return None


def _key_target(target: ast.expr) -> str | None:
    if isinstance(target, ast.Attribute) and target.attr == "secret_key":
        return f"{ast.unparse(target.value)}.secret_key"
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and target.slice.value in SIGNING_KEYS \
            and "config" in ast.unparse(target.value):
        return str(target.slice.value)
    if isinstance(target, ast.Name) and target.id in SIGNING_KEYS:
        return target.id
    return None


def _replaced_later(tree: ast.Module) -> bool:
    """The module loads its configuration from the environment or a file, or sets a key from a non-literal."""
    for node in walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CONFIG_LOADERS:
            return True
        if isinstance(node, ast.Assign) and _literal(node.value) is None and any(_key_target(t) for t in node.targets):
            return True
    return False


def is_default_key(value: str | bytes) -> bool:
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    return len(text) < 8 or text.lower() in WEAK_KEYS or is_placeholder(text)


def signing_key_facts(tree: ast.Module | None, hints: list[int] | None = None) -> list[tuple[str, str, str, int]]:
    """(kind, name, masked value, line): a real-looking key is a ``session signing key``; a well-known default
    (``dev``, ``changeme``) a ``default session signing key``, unless the module replaces it from configuration.
    ``hints`` as for :func:`signing_key_literals`."""
    literals = signing_key_literals(tree, hints)
    if not literals or tree is None:
        return []
    replaced = _replaced_later(tree)
    out = []
    for name, value, line in literals:
        size = f"…({len(value)} bytes)" if isinstance(value, bytes) else mask(value, min_length_to_show=24)
        if is_default_key(value):
            if not replaced:
                out.append((DEFAULT_SIGNING_KEY, name, size, line))
        else:
            out.append((SIGNING_KEY, name, size, line))
    return out


# Express/Koa/Fastify session middlewares sign their cookie with a secret: session({secret: "…"}),
# cookieSession({keys: ["…"]}), cookieParser("…"). A literal there is the key (whoever reads it forges sessions).
JS_SESSION_MODULES = ("express-session", "cookie-session", "cookie-parser", "@fastify/session", "@fastify/secure-session",
                      "@fastify/cookie", "koa-session", "client-sessions")
JS_SESSION_KEYS = {"secret", "secrets", "keys", "key"}
# Every module of JS_SESSION_MODULES names one of these (a test checks): a file without either imports none of them.
JS_SESSION_WORDS = (b"session", b"cookie")
JS_SESSION_IMPORT = re.compile(
    rb"""(?:(?:const|let|var)\s+(\w+)\s*=\s*require\(\s*|import\s+(\w+)\s+from\s+)["']([@\w/.-]+)["']""")


def js_signing_key_facts(source: bytes, root: Node) -> list[tuple[str, str, str, int]]:
    """(kind, name, masked value, line) of each literal secret given to a session middleware of the file."""
    if not any(word in source for word in JS_SESSION_WORDS):  # the regex over every file found no import then
        return []
    names = {(m.group(1) or m.group(2)).decode(): m.group(3).decode() for m in JS_SESSION_IMPORT.finditer(source)
             if m.group(3).decode() in JS_SESSION_MODULES}
    if not names:
        return []
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type != "call_expression" or _node_text(node.child_by_field_name("function")) not in names:
            continue
        module = names[_node_text(node.child_by_field_name("function"))]
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        values: list[tuple[str, Node]] = []
        if first is not None and first.type in ("string", "array"):  # cookieParser("…") / cookieParser(["…"])
            values.append((module, first))
        elif first is not None and first.type == "object":
            for pair in first.named_children:
                key = _node_text(pair.child_by_field_name("key")).strip("'\"")
                value = pair.child_by_field_name("value")
                if pair.type == "pair" and key in JS_SESSION_KEYS and value is not None:
                    values.append((f"{module} {key}", value))
        for name, value in values:
            for literal in [value] if value.type == "string" else value.named_children if value.type == "array" else []:
                if literal.type != "string":
                    continue
                text = _node_text(literal)[1:-1]
                if not text:
                    continue
                kind = DEFAULT_SIGNING_KEY if is_default_key(text) else SIGNING_KEY
                out.append((kind, name, mask(text, min_length_to_show=24), literal.start_point[0] + 1))
    return out


# -- routers an app mounts -----------------------------------------------------------------------------------
MOUNTS = {"register_blueprint", "include_router", "include_app", "mount", "add_url_rule_group"}


def mount_routers(py: PyInterp) -> None:
    """``app.register_blueprint(bp)`` / ``app.include_router(items.router)`` in the analysed files: the routes of
    ``bp`` and ``router`` serve the handler's requests as much as the app's own, so their names join the text the
    interpreter matches route decorators (and reachability) against."""
    if py.handler_text is None:
        return
    names: set[str] = set()
    for mod in list(py.files.values()):
        if mod.tree is None or not any(m in mod.text for m in MOUNTS):
            continue
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MOUNTS:
                for arg in node.args[:2]:
                    if isinstance(arg, ast.Name | ast.Attribute):
                        names.add(ast.unparse(arg))
    if names:
        py.handler_text += "\n" + " ".join(sorted(names))


# -- JavaScript handlers wrapped in a call ---------------------------------------------------------------------
JS_FUNCTIONS = {"arrow_function", "function_expression", "function"}


def js_wrapped_entry(js: JsInterp, path: Path, name: str) -> bool:
    """``exports.handler = withDurableExecution(async (event, ctx) => …)``, ``awslambda.streamifyResponse(…)``,
    ``middy(baseHandler).use(…)``, ``metricScope((metrics) => async (event) => …)``: the function the wrapper is
    given receives the event. Analysed as the handler; False when ``name`` is not exported as such a call."""
    mod = js.module(path)
    if mod is None:
        return False
    value = _js_export_value(mod.root, name)
    fn = _wrapped_function(value, js.globals.get(path, {}), 0) if value is not None else None
    if fn is None:
        return False
    js.exports[path][name] = Val(func=fn if isinstance(fn, JsFunc) else JsFunc(mod, fn))  # type: ignore[arg-type]
    globs = js.globals.get(path, {})
    parsers = tuple(bundled("javascript.toml")["tables"]["body_parsers"])
    # middy(h).use(httpJsonBodyParser()) or middy().use(…).handler(h): event.body reaches h parsed
    js.parsed_body = any((globs[n].qual or "").startswith(parsers) for n in identifiers(_node_text(value)) if n in globs)
    return js.analyse_handler(path, name)


def _js_export_value(root: Node, name: str) -> Node | None:
    """The right-hand side of ``exports.name = …`` / ``module.exports.name = …`` / ``export const name = …``."""
    for stmt in root.named_children:
        node = stmt.named_children[0] if stmt.type in ("export_statement", "expression_statement") and stmt.named_children \
            else None
        if node is None:
            continue
        if node.type == "assignment_expression":
            left = _node_text(node.child_by_field_name("left"))
            if left in (f"exports.{name}", f"module.exports.{name}"):
                return node.child_by_field_name("right")
        elif node.type in ("lexical_declaration", "variable_declaration") and stmt.type == "export_statement":
            for decl in node.named_children:
                if decl.type == "variable_declarator" and _node_text(decl.child_by_field_name("name")) == name:
                    return decl.child_by_field_name("value")
    return None


def _wrapped_function(node: Node | None, globs: dict[str, Val], depth: int) -> object | None:
    """The function a wrapper call is given (a node, or a module function's ``JsFunc``)."""
    if node is None or depth > MAX_HOPS:
        return None
    if node.type in ("await_expression", "parenthesized_expression") and node.named_children:
        return _wrapped_function(node.named_children[0], globs, depth + 1)
    if node.type in JS_FUNCTIONS and depth > 0:
        body = node.child_by_field_name("body")
        inner = _wrapped_function(body, globs, depth + 1) if body is not None and body.type in JS_FUNCTIONS else None
        return inner or node  # metrics => async (event) => …: the function it returns is the handler
    if node.type == "identifier" and depth > 0:
        val = globs.get(_node_text(node))
        return val.func if val is not None and val.func is not None else None
    if node.type != "call_expression":
        return None
    args = node.child_by_field_name("arguments")
    for arg in args.named_children if args is not None else ():
        found = _wrapped_function(arg, globs, depth + 1)
        if found is not None:
            return found
    callee = node.child_by_field_name("function")
    if callee is not None and callee.type == "member_expression":  # middy(handler).use(…): the inner call
        return _wrapped_function(callee.child_by_field_name("object"), globs, depth + 1)
    return None


def _node_text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


# -- Django: the views a project's URLconf routes to --------------------------------------------------------------
# serverless-wsgi's custom.wsgi.app names `mysite.wsgi.application`; Django finds the settings through
# DJANGO_SETTINGS_MODULE, the URLconf through settings.ROOT_URLCONF, and the views through its urlpatterns. None of
# these is an import, so the interpreter would never load the views: follow the strings the way Django does.
DJANGO_ROUTES = {"path", "re_path", "url"}
DJANGO_CONVERTER = re.compile(r"<\s*(?:(\w+)\s*:)?\s*(\w+)\s*>")
DJANGO_SAFE_CONVERTERS = {"int", "uuid"}
# the handler methods of a class-based view (View.dispatch calls the one named by the request method)
DJANGO_VIEW_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
MAX_URLCONFS = 32


def django_views(py: PyInterp, entry: Path) -> int:
    """Walk the views the project's URLconf routes to, their request (and non-numeric path parameters) tainted.
    Returns how many views were walked (0: not a Django project, or its URLconf is not in the code)."""
    mod = py.module(entry)
    if mod is None or mod.tree is None or "DJANGO_SETTINGS_MODULE" not in mod.text:
        return 0
    settings_name = next((_const(c.args[1]) for c in ast.walk(mod.tree) if isinstance(c, ast.Call) and len(c.args) == 2
                          and _const(c.args[0]) == "DJANGO_SETTINGS_MODULE" and _const(c.args[1])), None)
    settings = py.local_import(mod, settings_name, 0) if settings_name else None
    if settings is None or settings.tree is None:
        return 0
    root = next((_const(s.value) for s in settings.tree.body if isinstance(s, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "ROOT_URLCONF" for t in s.targets)), None)
    urls = py.local_import(settings, root, 0) if root else None
    walked = 0
    todo: list[tuple[PyModule, str]] = [(urls, "")] if urls is not None else []
    seen: set[Path] = set()
    while todo and len(seen) < MAX_URLCONFS:
        urlconf, _ = todo.pop()
        if urlconf.path in seen or urlconf.tree is None:
            continue
        seen.add(urlconf.path)
        for call in (n for n in ast.walk(urlconf.tree) if isinstance(n, ast.Call)):
            name = ast.unparse(call.func).rsplit(".", 1)[-1]
            if name not in DJANGO_ROUTES or len(call.args) < 2:
                continue
            route, view = _const(call.args[0]) or "", call.args[1]
            if isinstance(view, ast.Call) and ast.unparse(view.func).rsplit(".", 1)[-1] == "include" and view.args:
                target = _const(view.args[0])
                included = py.local_import(urlconf, target, 0) if target else None
                if included is not None:
                    todo.append((included, route))
                continue
            if isinstance(view, ast.Call) and isinstance(view.func, ast.Attribute) and view.func.attr == "as_view":
                walked += _walk_class_view(py, urlconf, view.func.value, route)  # OrderView.as_view()
                continue
            found = _view_function(py, urlconf, view)
            if found is not None:
                walked += _walk_view(py, found[0], found[1], route)
    return walked


def _walk_class_view(py: PyInterp, urlconf: PyModule, cls: ast.expr, route: str) -> int:
    """A class-based view: Django calls its get/post/… handler methods with the request (self is the view)."""
    found = _view_function(py, urlconf, cls, classes=True)
    if found is None:
        return 0
    mod, name = found
    walked = 0
    for method, node in mod.classes.get(name, {}).items():
        if method in DJANGO_VIEW_METHODS:
            walked += _walk_view(py, mod, node, route, bound=True)
    return walked


def _const(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _view_function(py: PyInterp, urlconf: PyModule, view: ast.expr, classes: bool = False) -> tuple[PyModule, Any] | None:
    """``views.post_detail`` / ``post_detail`` (imported or local) → the module and function node; with ``classes``,
    ``views.PostView`` → the module and the class name."""
    parts = ast.unparse(view).split(".")
    if not all(p.isidentifier() for p in parts):
        return None

    def pick(mod: PyModule, name: str) -> tuple[PyModule, Any] | None:
        if classes:
            return (mod, name) if name in mod.classes else None
        return (mod, mod.functions[name]) if name in mod.functions else None

    if len(parts) == 1 and pick(urlconf, parts[0]) is not None:
        return pick(urlconf, parts[0])
    head, func = parts[0], parts[-1]
    for stmt in urlconf.tree.body if urlconf.tree is not None else []:
        if isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                bound = alias.asname or alias.name
                if bound != head:
                    continue
                if len(parts) == 1:  # from .views import post_detail
                    target = py.local_import(urlconf, stmt.module or "", stmt.level)
                else:  # from . import views / from blog import views
                    target = py.local_import(urlconf, ".".join(p for p in (stmt.module, alias.name) if p), stmt.level)
                if target is not None and pick(target, func) is not None:
                    return pick(target, func)
        elif isinstance(stmt, ast.Import) and len(parts) > 1:
            for alias in stmt.names:
                if (alias.asname or alias.name.split(".")[0]) == head:
                    dotted = alias.name if alias.asname else ".".join(parts[:-1])
                    target = py.local_import(urlconf, dotted, 0)
                    if target is not None and pick(target, func) is not None:
                        return pick(target, func)
    return None


def _walk_view(py: PyInterp, mod: PyModule, node: FuncNode, route: str, bound: bool = False) -> int:
    safe = {m.group(2) for m in DJANGO_CONVERTER.finditer(route) if m.group(1) in DJANGO_SAFE_CONVERTERS}
    params = node.args.posonlyargs + node.args.args
    args = [UNKNOWN if p.arg in safe or (bound and i == 0) else Val(taint=Taint(p.arg, mod.loc(node), whole=True))
            for i, p in enumerate(params)]
    py.call_route(mod, node, args)
    return 1
