"""Python handlers, read with the standard :mod:`ast` module (never imported, never run).

:class:`PyModule` is one parsed file (parsed once per scan and shared by every
function that uses it). :class:`PyInterp` walks the handler with its event
parameter tainted, follows calls into local functions (in the same file or in
local modules) with the abstract values of their arguments, and records sinks
reached by event data, AWS SDK calls, logging and per-invocation set-up in a
:class:`~faasguard.code.values.Collector`.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from faasguard.code import resolve
from faasguard.code.auth import python_auth_check
from faasguard.code.engine import PATH_ONLY, TEMPORARY_CREDENTIALS, Engine, Guard, Walker, parsed, sdk_attribute, tables
from faasguard.code.facts import AuthCheck
from faasguard.code.pymodule import FuncNode, PyModule, decorator_name, walk
from faasguard.code.reach import identifiers
from faasguard.code.taint_model import CallSite
from faasguard.code.values import UNKNOWN, Collector, Taint, Val, cleaned, whole_join
from faasguard.code.webapps import model_fields, route_args
from faasguard.model import Loc

TABLES = tables("python")


def _constant_table(node: ast.Dict | ast.List | ast.Tuple | ast.Set) -> bool:
    values = node.values if isinstance(node, ast.Dict) else node.elts
    return len(values) > 32 and all(isinstance(v, ast.Constant) for v in values)


@dataclass(frozen=True, eq=False)
class FuncRef:
    module: PyModule
    node: FuncNode
    owner: str | None = None  # class name, for methods
    closure: dict[str, Val] | None = None  # the enclosing function's variables, for a nested def


@dataclass(frozen=True, eq=False)
class Partial:
    """``functools.partial(subprocess.run, shell=True)``: the function, its receiver and the arguments bound to it."""

    callee: Val
    receiver: Val | None
    method: str | None
    args: tuple[Val, ...]
    kwargs: tuple[tuple[str, Val], ...]
    shell: bool


def _qual_base(qual: str) -> str:
    return qual.replace("()", "")


class PyInterp(Engine):
    """The Python adapter of the engine: analyses the Python files of one function."""

    language = "python"

    def __init__(self, load: Callable[[Path], PyModule | None], code_dir: Path | None, out: Collector) -> None:
        super().__init__(load, code_dir, out)
        self.files: dict[Path, PyModule] = {}
        self.fields: dict[tuple[Path, str], dict[str, Val]] = {}  # SDK objects kept on self, by class

    # ---- modules -------------------------------------------------------------------------------------------

    def module(self, path: Path) -> PyModule | None:
        if path in self.files:
            return self.files[path]
        mod = self.load(path)
        if mod is None:
            return None
        self.files[path] = mod
        self.globals[path] = {}
        if mod.log_library:
            self.out.structured = True
        if mod.tree is not None:
            frame = Frame(self, mod, self.globals[path], handler=None, depth=0, is_module=True)
            frame.block(mod.tree.body)
        return mod

    def analyse_handler(self, path: Path, name: str) -> bool:
        mod = self.module(path)
        if mod is None or mod.tree is None:
            return False
        node = mod.functions.get(name)
        if node is None:
            return False
        params = [a.arg for a in node.args.posonlyargs + node.args.args]
        args: list[Val] = []
        if params:
            event = Val(taint=Taint(params[0], mod.loc(node), whole=True))
            typed = (node.args.posonlyargs + node.args.args)[0].annotation
            # @event_parser(model=Order) def handler(event: Order, ...): the model's fields typed int hold no text
            args.append(_instance(mod, typed.id, [event]) if isinstance(typed, ast.Name) and typed.id in mod.classes else event)
        self.handler_text = mod.text_of(node)
        self.call_function(FuncRef(mod, node), args, {}, handler=name, depth=0, in_handler=True)
        return True

    def analyse_rest(self) -> None:
        """Every function in the analysed files that no context reached yet, with unknown arguments.

        Without taint the walk can only find SDK calls and logging, so files that never mention
        boto3 are only searched for print calls."""
        if not any(mod.uses_sdk or ("@" in mod.text and mod.units().routes) for mod in self.files.values()):
            for mod in self.files.values():
                self.out.prints.update(mod.print_calls())
            return
        pending = True
        while pending:
            pending = False
            reach = self.reachable()
            for mod in list(self.files.values()):
                funcs = [(f, None) for f in mod.functions.values()] + \
                        [(m, cls) for cls, methods in mod.classes.items() for m in methods.values()]
                routes = mod.units().routes
                for node, owner in funcs:
                    if id(node) not in self.done and (reach is None or id(node) in reach):
                        pending = True
                        if id(node) in routes and (reach is None or routes[id(node)] in identifiers(self.handler_text or "")):
                            # @app.route("/users/<user_id>") of the app this handler serves: the framework passes request data
                            self.call_route(mod, node, route_args(mod, node))
                        else:
                            self.call_function(FuncRef(mod, node, owner), [], {}, handler=None, depth=self.MAX_DEPTH,
                                               in_handler=False)
                for lam in mod.units().lambdas:
                    if id(lam) not in self.done and (reach is None or id(lam) in reach):
                        pending = True
                        self.done.add(id(lam))
                        frame = Frame(self, mod, dict(self.globals.get(mod.path, {})), handler=None, depth=self.MAX_DEPTH)
                        with contextlib.suppress(RecursionError):
                            frame.lambda_body(lam, UNKNOWN)

    def field(self, mod: PyModule, cls: str, attr: str) -> Val | None:
        """An SDK object a method of ``cls`` keeps on ``self`` (``self.table = …`` in ``__init__``, walked first)."""
        init = mod.classes.get(cls, {}).get("__init__")
        if init is not None and id(init) not in self.done:
            self.call_function(FuncRef(mod, init, cls), [], {}, handler=None, depth=self.MAX_DEPTH, in_handler=False)
        return self.fields.get((mod.path, cls), {}).get(attr)

    def call_route(self, mod: PyModule, node: FuncNode, args: list[Val]) -> Val:
        """A route of a web app: the framework calls it with request data (``args``), outside the handler."""
        return self.call_function(FuncRef(mod, node), args, {}, handler=None, depth=1, in_handler=False)

    def call_function(self, ref: FuncRef, args: list[Val], kwargs: dict[str, Val], handler: str | None, depth: int,
                      in_handler: bool) -> Val:
        node = ref.node
        key = self.memo_key(id(node), args, kwargs, in_handler, ref.closure)
        known = self.summary(key)
        if known is not None:
            return known
        env = dict(self.globals.get(ref.module.path, {}))
        if ref.closure:
            env.update(ref.closure)
        params = [a.arg for a in node.args.posonlyargs + node.args.args]
        if ref.owner and params and params[0] in ("self", "cls"):
            if params[0] == "self":  # self.table: the fields of the class (SDK objects its methods keep there)
                env["self"] = Val(func=("instance", ref.module, ref.owner))
            params = params[1:]
        for i, name in enumerate(params):
            env[name] = args[i] if i < len(args) else kwargs.get(name, UNKNOWN)
        for a in node.args.kwonlyargs:
            env[a.arg] = kwargs.get(a.arg, UNKNOWN)
        cached = any(decorator_name(d) in TABLES.cache_decorators for d in node.decorator_list)
        frame = Frame(self, ref.module, env, handler=handler, depth=depth, in_handler=in_handler and not cached)
        with contextlib.suppress(RecursionError):
            frame.block(node.body)
        self.returns[key] = frame.returned
        return frame.returned

    def local_import(self, mod: PyModule, name: str, level: int) -> PyModule | None:
        path = resolve.python_module(name, level, mod.path, self.code_dir)
        if path is None:
            return None
        return self.module(path)


class Frame(Walker):
    """One function body (or module body) being walked, read from :mod:`ast`."""

    interp: PyInterp
    mod: PyModule

    # ---- statements ----------------------------------------------------------------------------------------

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Expr):
            self.eval(node.value)
        elif isinstance(node, ast.Assign):
            val = self.eval(node.value)
            for target in node.targets:
                self.assign(target, val, node)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value), node)
        elif isinstance(node, ast.AugAssign):
            val = whole_join([self.eval(node.target), self.eval(node.value)])
            self.assign(node.target, val, node)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                self.give_back(self.eval(node.value), self.mod.loc(node))
        elif isinstance(node, ast.If):
            self.if_stmt(node)
        elif isinstance(node, ast.For | ast.AsyncFor):
            item = self.eval(node.iter)
            self.assign(node.target, Val(taint=item.taint, sdk=item.sdk, secret=item.secret), node)
            self.block(node.body)
            self.block(node.orelse)
        elif isinstance(node, ast.While):
            self.eval(node.test)
            self.block(node.body)
            self.block(node.orelse)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for with_item in node.items:
                context = self.eval(with_item.context_expr)
                if with_item.optional_vars is not None:
                    self.assign(with_item.optional_vars, context, node)
            self.block(node.body)
        elif isinstance(node, ast.Try | ast.TryStar):
            self.block(node.body)
            for handler in node.handlers:
                if handler.name:
                    self.env[handler.name] = UNKNOWN
                self.branch(handler.body, self.tainted_names(handler.body))
            self.block(node.orelse)
            self.block(node.finalbody)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                local_mod = self.interp.local_import(self.mod, alias.name, 0)
                if local_mod is not None and (alias.asname or "." not in alias.name):
                    self.env[local] = Val(func=local_mod)
                else:
                    self.env[local] = Val(qual=alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            self.import_from(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if not self.is_module:
                self.env[node.name] = Val(func=FuncRef(self.mod, node, closure=self.env))  # sees the variables around it
                self.interp.files.setdefault(self.mod.path, self.mod)
            else:
                self.env[node.name] = Val(func=FuncRef(self.mod, node))
        elif isinstance(node, ast.ClassDef):
            self.env[node.name] = Val(func=("class", self.mod, node.name))
        elif isinstance(node, ast.Global | ast.Nonlocal):
            self.globals_declared.update(node.names)
        elif isinstance(node, ast.Match):
            self.eval(node.subject)
            for case in node.cases:
                self.block(case.body)
        elif isinstance(node, ast.Raise | ast.Assert | ast.Delete):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.eval(child)

    def import_from(self, node: ast.ImportFrom) -> None:
        target = self.interp.local_import(self.mod, node.module or "", node.level) if (node.module or node.level) else None
        for alias in node.names:
            local = alias.asname or alias.name
            if alias.name == "*":
                continue
            if target is not None:
                if alias.name in target.functions:
                    self.env[local] = Val(func=FuncRef(target, target.functions[alias.name]))
                    continue
                val = self.interp.globals.get(target.path, {}).get(alias.name)
                if val is not None:
                    self.env[local] = val
                    continue
                sub = self.interp.local_import(target, alias.name, 1) if target.path.name == "__init__.py" else None
                if sub is not None:
                    self.env[local] = Val(func=sub)
                    continue
                if alias.name in target.classes:
                    self.env[local] = Val(func=("class", target, alias.name))
                    continue
                self.env[local] = UNKNOWN
            else:
                base = "." * node.level + (node.module or "")
                qual = f"{base}.{alias.name}" if base else alias.name
                self.env[local] = self.source(qual, self.mod.loc(node)) or Val(qual=qual)

    def if_stmt(self, node: ast.If) -> None:
        self.eval(node.test)
        guard = self.guards(node.test)
        saved = self.enter_if(guard)
        self.block(node.body)
        self.leave_if(guard, saved)
        self.branch(node.orelse, self.tainted_names(node.orelse))
        self.after_if(guard, bool(node.body) and isinstance(node.body[-1], ast.Return | ast.Raise | ast.Continue | ast.Break))

    def tainted_names(self, body: list[ast.stmt]) -> dict[str, Val]:
        """The tainted values of the names ``body`` assigns: an alternative branch must not wash them out."""
        if not body or not any(val.taint is not None for val in self.env.values()):
            return {}
        return self.tainted(self.mod.stored_names(body))

    def branch(self, body: list[ast.stmt], before: dict[str, Val]) -> None:
        """Walk an alternative (else, except); a name tainted on the other path stays tainted after both."""
        self.block(body)
        self.merge(before)

    def guards(self, test: ast.expr) -> Guard:
        """Names an allow-list test vouches for, and URLs whose host it checks: inside the body, or after a body that bails out.

        Only a test of the name itself counts: ``if fmt not in ALLOWED`` vouches for ``fmt``, while
        ``if event["action"] == "rebuild"`` vouches for nothing (the rest of the event stays the attacker's).
        ``if urlparse(url).hostname not in HOSTS`` (or a host variable derived from ``url``) makes ``url`` safe
        to fetch, and only that.
        """
        lazy = bool(_is_lazy_guard(test))
        negate = False
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            negate, test = True, test.operand
        checked: set[str] = set()
        hosts: set[str] = set()
        positive = True
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            op = test.ops[0]
            if isinstance(op, ast.In | ast.Eq | ast.NotIn | ast.NotEq):
                positive = isinstance(op, ast.In | ast.Eq)
                checked = self._checked(test.left)
                hosts = self._hosts(test.left)
                if not checked and not hosts and isinstance(op, ast.Eq | ast.NotEq):
                    checked = self._checked(test.comparators[0])
                    hosts = self._hosts(test.comparators[0])
        elif isinstance(test, ast.Call):
            func = test.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in TABLES.guard_calls or name.startswith(TABLES.guard_prefixes):
                parts = ([func.value] if isinstance(func, ast.Attribute) else []) + list(test.args)
                for part in parts:
                    checked |= self._checked(part)
                    hosts |= self._hosts(part)
                if name in TABLES.host_prefix_calls:
                    hosts, checked = hosts | checked, set()  # url.startswith("https://api.example/") fixes the host only
        if negate:
            positive = not positive
        hosts -= checked
        if positive:
            return Guard(frozenset(checked), frozenset(hosts), lazy=lazy)
        return Guard(after=frozenset(checked), hosts_after=frozenset(hosts), lazy=lazy)

    def _checked(self, expr: ast.expr) -> set[str]:
        while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and not expr.args \
                and expr.func.attr in TABLES.case_folds:
            expr = expr.func.value
        return {expr.id} if isinstance(expr, ast.Name) and self._tainted(expr.id) and expr.id not in self.derived else set()

    def _hosts(self, expr: ast.expr) -> set[str]:
        if isinstance(expr, ast.Name):
            source = self.derived.get(expr.id)
            return {source} if source else set()
        if isinstance(expr, ast.Attribute) and expr.attr in TABLES.host_attributes:
            return {n.id for n in walk(expr.value) if isinstance(n, ast.Name) and self._tainted(n.id)}
        return set()

    def _tainted(self, name: str) -> bool:
        val = self.env.get(name)
        return val is not None and val.taint is not None

    def assign(self, target: ast.expr, val: Val, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            name = target.id
            value = getattr(stmt, "value", None)
            if isinstance(value, ast.Attribute) and value.attr in TABLES.host_attributes and val.taint is not None:
                sources = self._hosts(value)
                if sources:
                    self.derived[name] = next(iter(sources))
            elif name in self.derived:
                del self.derived[name]
            self.bind_name(name, val, self.mod.loc(stmt), self.mod.snippet(stmt))
        elif isinstance(target, ast.Tuple | ast.List):
            part = Val(taint=val.taint, secret=val.secret) if val.items is None else None
            for i, elt in enumerate(target.elts):
                item = part or (val.items[i][1] if val.items and i < len(val.items) else UNKNOWN)
                self.assign(elt.value if isinstance(elt, ast.Starred) else elt, item, stmt)
        elif isinstance(target, ast.Subscript | ast.Attribute):
            base = target.value
            key = target.slice if isinstance(target, ast.Subscript) else None
            inst = self.env.get(base.id) if isinstance(base, ast.Name) else None
            if isinstance(target, ast.Attribute) and val.sdk is not None and inst is not None \
                    and isinstance(inst.func, tuple) and inst.func[0] == "instance":
                self.interp.fields.setdefault((inst.func[1].path, inst.func[2]), {})[target.attr] = val  # self.table = …
            elif isinstance(base, ast.Name):
                const = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
                self.set_member(base.id, const, val, self.mod.loc(stmt), self.mod.snippet(stmt))
            else:
                self.lost_sdk(val, self.mod.loc(stmt))  # self.clients["s3"] = boto3.client("s3")
            self.eval(target.value)

    # ---- expressions ---------------------------------------------------------------------------------------

    def eval(self, node: ast.expr) -> Val:
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            return Val(qual=node.id)
        if isinstance(node, ast.Constant):
            return Val(const=node.value) if isinstance(node.value, str) else UNKNOWN
        if isinstance(node, ast.Attribute):
            base = self.eval(node.value)
            return self.attribute(base, node.attr, node)
        if isinstance(node, ast.Subscript):
            base = self.eval(node.value)
            key = self.eval(node.slice)
            return self.subscript(base, key, node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.JoinedStr):
            parts = [self.eval(v.value) if isinstance(v, ast.FormattedValue) else
                     Val(const=v.value) if isinstance(v, ast.Constant) and isinstance(v.value, str) else UNKNOWN
                     for v in node.values]
            return whole_join(parts) if any(p.taint or p.secret for p in parts) else UNKNOWN
        if isinstance(node, ast.BinOp):
            left, right = self.eval(node.left), self.eval(node.right)
            if left.const is not None and right.const is not None and isinstance(node.op, ast.Add):
                return Val(const=left.const + right.const)
            return whole_join([left, right])
        if isinstance(node, ast.BoolOp):
            vals = [self.eval(v) for v in node.values]
            return next((v for v in vals if v.taint is not None), next((v for v in vals if v.sdk or v.env), vals[-1]))
        if isinstance(node, ast.IfExp):
            self.eval(node.test)
            a, b = self.eval(node.body), self.eval(node.orelse)
            return a if a.taint is not None or b.taint is None else b
        if isinstance(node, ast.Await):
            return self.eval(node.value)
        if isinstance(node, ast.Dict | ast.List | ast.Tuple | ast.Set) and _constant_table(node):
            return UNKNOWN  # a data table (code points, mime types…): nothing to taint, costly to model
        if isinstance(node, ast.Dict):
            items: list[tuple[str, Val]] = []
            vals = []
            for k, v in zip(node.keys, node.values):
                val = self.eval(v)
                vals.append(val)
                if k is None:
                    continue
                kv = self.eval(k)
                if kv.const is not None:
                    items.append((kv.const, val))
            out = whole_join(vals) if any(v.taint for v in vals) else UNKNOWN
            return replace(out, items=tuple(items), built=False)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            vals = [self.eval(e) for e in node.elts]
            out = whole_join(vals) if any(v.taint or v.secret for v in vals) else UNKNOWN
            return replace(out, items=tuple((str(i), v) for i, v in enumerate(vals)), built=False)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            for gen in node.generators:
                it = self.eval(gen.iter)
                self.assign(gen.target, Val(taint=it.taint, sdk=it.sdk), ast.Pass(lineno=node.lineno))
            elt = node.value if isinstance(node, ast.DictComp) else node.elt
            return whole_join([self.eval(elt)])
        if isinstance(node, ast.Starred):
            return self.eval(node.value)
        if isinstance(node, ast.NamedExpr):
            val = self.eval(node.value)
            self.env[node.target.id] = val
            return val
        if isinstance(node, ast.Compare | ast.UnaryOp):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.eval(child)
            return UNKNOWN
        if isinstance(node, ast.Lambda):
            if not self.is_module:  # module-level lambdas run when called: analyse_rest walks the reachable ones
                self.lambda_body(node, UNKNOWN)
            return UNKNOWN
        if isinstance(node, ast.FormattedValue):
            return self.eval(node.value)
        return UNKNOWN

    def lambda_body(self, node: ast.Lambda, arg: Val) -> Val:
        """Walk a lambda where it is written: it sees the variables around it (a closure); its parameters hold ``arg``."""
        params = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
        saved = {name: self.env[name] for name in params if name in self.env}
        for name in params:
            self.env[name] = arg
        try:
            return self.eval(node.body)
        finally:
            for name in params:
                self.env.pop(name, None)
            self.env.update(saved)

    def attribute(self, base: Val, attr: str, node: ast.AST) -> Val:
        if isinstance(base.func, PyModule):
            mod = base.func
            if attr in mod.functions:
                return Val(func=FuncRef(mod, mod.functions[attr]))
            val = self.interp.globals.get(mod.path, {}).get(attr)
            if val is not None:
                return val
            sub = self.interp.local_import(mod, attr, 1) if mod.path.name == "__init__.py" else None
            return Val(func=sub) if sub is not None else UNKNOWN
        if isinstance(base.func, tuple) and base.func[0] == "instance":  # repo.by_customer(x), order.sku
            _, mod, cls = base.func
            method = mod.classes.get(cls, {}).get(attr)
            if method is not None:
                return Val(func=FuncRef(mod, method, cls))
            field = self.interp.field(mod, cls, attr)
            if field is not None:
                return field
            typed = next((v for k, v in base.items or () if k == attr), None)
            if typed is not None:
                return typed
        if base.sdk is not None:
            return sdk_attribute(base.sdk, attr)
        if base.taint is not None:
            out = self.field(base.taint, f".{attr}", self.mod.loc(node))
            return parsed(out) if attr in TABLES.parsed_members else out
        if base.secret:
            return Val(secret=base.secret)
        if base.qual is not None:
            qual = f"{base.qual}.{attr}"
            return self.source(qual, self.mod.loc(node)) or Val(qual=qual)
        return UNKNOWN

    def subscript(self, base: Val, key: Val, node: ast.Subscript) -> Val:
        if base.qual in self.interp.tables.environ and key.const is not None:
            return self.env_val(key.const)
        if base.items is not None and key.const is not None and base.taint is not None:
            found = next((v for k, v in base.items if k == key.const), None)
            if found is not None:  # a member of a known dict is that member, not the whole dict's taint
                return found
        if base.taint is not None:
            text = f'["{key.const}"]' if key.const is not None else "[…]"
            part = self.field(base.taint, text, self.mod.loc(node))
            return cleaned(part, PATH_ONLY) if _slash_piece(node) else part  # key.split("/")[-1]
        if base.items is not None and key.const is not None:
            for k, v in base.items:
                if k == key.const:
                    return v
        if base.secret:
            return Val(secret=base.secret)
        if base.sdk is not None:
            return Val(sdk=base.sdk)
        if base.qual == TEMPORARY_CREDENTIALS:
            return base  # sts.assume_role(...)["Credentials"]["AccessKeyId"]
        if base.qual is not None and base.qual.startswith(TABLES.subscript_clients):
            return Val(qual=base.qual + "[]")  # client["db"]["collection"]
        return UNKNOWN

    # ---- calls ---------------------------------------------------------------------------------------------

    def call(self, node: ast.Call) -> Val:
        func = node.func
        receiver: Val | None = None
        method: str | None = None
        if isinstance(func, ast.Attribute):
            receiver = self.eval(func.value)
            method = func.attr
            callee = self.attribute(receiver, method, func)
        else:
            callee = self.eval(func)
        args = [UNKNOWN if isinstance(a, ast.Lambda) else self.eval(a) for a in node.args]
        kwargs: dict[str, Val] = {}
        splat: list[Val] = []
        for kw in node.keywords:
            if kw.arg is None:
                splat.append(self.eval(kw.value))
            elif not isinstance(kw.value, ast.Lambda):
                kwargs[kw.arg] = self.eval(kw.value)
        shell = _shell_true(node)
        if isinstance(callee.func, Partial):  # run(cmd) where run = functools.partial(subprocess.run, shell=True)
            bound = callee.func
            callee, receiver, method = bound.callee, bound.receiver, bound.method
            args, kwargs = [*bound.args, *args], {**dict(bound.kwargs), **kwargs}
            shell = shell if any(kw.arg == "shell" for kw in node.keywords) else bound.shell
        loc = self.mod.loc(node)
        qual = _qual_base(callee.qual) if callee.qual and not callee.sdk else None
        if qual in TABLES.partials and args and node.args and not isinstance(node.args[0], ast.Lambda | ast.Starred):
            first = node.args[0]
            bound_receiver = self.eval(first.value) if isinstance(first, ast.Attribute) else None
            bound_method = first.attr if isinstance(first, ast.Attribute) else None
            return Val(func=Partial(args[0], bound_receiver, bound_method, tuple(args[1:]), tuple(kwargs.items()), shell))
        site = CallSite(qual, method, receiver, args, kwargs, shell, tuple(splat), _whole(node), False, callee, node)
        lambdas = [a for a in node.args if isinstance(a, ast.Lambda)] + \
                  [kw.value for kw in node.keywords if isinstance(kw.value, ast.Lambda)]
        if lambdas:  # map(lambda h: run(h), hosts): the lambda runs here, with the data around it
            feed = self.callback_feed(site, methods_only=False)
            for lam in lambdas:
                self.lambda_body(lam, feed)
        if method in TABLES.mutators and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and receiver \
                and (receiver.items is not None or receiver.taint is not None) and any(a.taint for a in args):
            self.env[func.value.id] = replace(whole_join([receiver, *args]), items=None)  # parts.append(event["x"])
        if isinstance(callee.func, FuncRef) and callee.func.owner and isinstance(func, ast.Attribute) \
                and isinstance(func.value, ast.Name) and self.logger_wrapper(func.value.id, site, loc):
            return UNKNOWN
        if isinstance(callee.func, FuncRef):
            ref = callee.func
            self.interp.files.setdefault(ref.module.path, ref.module)
            name, snippet = ref.node.name, self.mod.snippet(node)
            return self.call_local(ref, site, loc, f"passed to {name}() in {self.mod.rel}: {snippet}",
                                   f"passed to {name}(): {snippet}")
        if isinstance(callee.func, tuple) and callee.func[0] == "class":
            _, mod, cls = callee.func
            init = mod.classes.get(cls, {}).get("__init__")
            if init is not None and self.depth < PyInterp.MAX_DEPTH and any(a.taint or a.sdk for a in args):
                self.interp.call_function(FuncRef(mod, init, cls), args, kwargs, self.handler, self.depth + 1, self.in_handler)
            return _instance(mod, cls, [*args, *kwargs.values(), *splat])
        return self.call_site(site, loc)

    def verify(self, label: str | None, qual: str | None, site: CallSite, loc: Loc) -> AuthCheck | None:
        return python_auth_check(label, qual, site.syntax, loc)  # type: ignore[arg-type]

    def line_text(self, loc: Loc) -> str:
        return self.mod.lines[loc.line - 1].strip() if loc.line else ""


def _slash_piece(node: ast.Subscript) -> bool:
    """``key.split("/")[-1]``: one piece of a string split on every "/" (an integer index), so it holds no "/"."""
    call, index = node.value, node.slice
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
        index = index.operand
    return isinstance(index, ast.Constant) and type(index.value) is int and isinstance(call, ast.Call) \
        and isinstance(call.func, ast.Attribute) and call.func.attr in TABLES.slash_splitters and len(call.args) == 1 \
        and not call.keywords and isinstance(call.args[0], ast.Constant) and call.args[0].value == "/"  # no maxsplit


def _whole(node: ast.Call) -> bool:
    """The call's keyword arguments are all written out: no ``**params`` and no ``*args``."""
    return all(kw.arg is not None for kw in node.keywords) and not any(isinstance(a, ast.Starred) for a in node.args)


def _shell_true(node: ast.Call) -> bool:
    for kw in node.keywords:
        if kw.arg == "shell":
            return not (isinstance(kw.value, ast.Constant) and not kw.value.value)
    return False





def _is_lazy_guard(test: ast.expr) -> int:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return 1
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is):
        other = test.comparators[0]
        return int(isinstance(other, ast.Constant) and other.value is None)
    return 0


def _instance(mod: PyModule, cls: str, args: list[Val]) -> Val:
    """An object of a class of the function's own code: its methods are followed (repo.by_customer(x)). A data
    class built from event data (pydantic model, @dataclass) carries it, except in fields typed as numbers, dates, UUIDs."""
    fields = model_fields(mod.tree, cls)
    tainted = [a for a in args if a.taint is not None] if fields is not None else []
    out = replace(whole_join(tainted), built=False) if tainted else UNKNOWN
    typed = tuple((name, UNKNOWN) for name, text in fields.items() if not text) if tainted and fields else ()
    return replace(out, func=("instance", mod, cls), items=typed or None)
