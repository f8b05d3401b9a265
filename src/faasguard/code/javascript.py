"""JavaScript and TypeScript handlers (CommonJS and ES modules): the engine's adapter over tree-sitter trees.

The files are parsed by :mod:`faasguard.code.jsmodule`. :class:`JsInterp`
mirrors :class:`faasguard.code.python.PyInterp`: the handler's event parameter is
tainted, local ``require``/``import`` targets are followed, and sinks, AWS SDK
v2/v3 calls, logging and per-invocation set-up are recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from tree_sitter import Node

from faasguard.code import resolve
from faasguard.code.auth import js_auth_check
from faasguard.code.engine import NO_GUARD, Engine, Guard, Walker, sdk_attribute
from faasguard.code.facts import AuthCheck
from faasguard.code.jsmodule import FUNCTION_TYPES, TABLES, JsModule, _prop_name, _string_value, _text
from faasguard.code.reach import identifiers
from faasguard.code.taint_model import CallSite, html_response
from faasguard.code.values import UNKNOWN, Collector, Taint, Val, join, whole_join
from faasguard.model import Loc

LAMBDA_CALLBACK = "<lambda callback>"  # a Node handler's third parameter: callback(error, response) answers the request
WHOLE_MODULE = "<module.exports>"  # the exports entry of a module that exports one value (module.exports = client)
EXPRESSION_WRAPPERS = {"parenthesized_expression", "non_null_expression", "as_expression", "satisfies_expression",
                       "type_assertion", "await_expression"}


@dataclass(frozen=True, eq=False)
class JsFunc:
    module: JsModule
    node: Node  # function_declaration | arrow_function | function_expression | method_definition
    closure: dict[str, Val] | None = None  # the enclosing function's variables, for a nested function


@dataclass(frozen=True, eq=False)
class JsClass:
    """A class of the function's own code (``instance``: an object made with ``new``): its methods are followed."""

    module: JsModule
    methods: dict[str, Node]
    instance: bool = False

    def method(self, name: str, this: Val) -> Val | None:
        node = self.methods.get(name)
        return Val(func=JsFunc(self.module, node, {"this": this})) if node is not None else None


def _js_class(mod: JsModule, node: Node) -> JsClass:
    body = node.child_by_field_name("body")
    return JsClass(mod, {_text(m.child_by_field_name("name")): m for m in (body.named_children if body is not None else ())
                         if m.type == "method_definition"})


@dataclass(frozen=True, eq=False)
class JsExports:
    module: JsModule


class JsInterp(Engine):
    """The JavaScript/TypeScript adapter of the engine: analyses the files of one function."""

    language = "javascript"
    param_format = "{}: …"

    def __init__(self, load: Callable[[Path], JsModule | None], code_dir: Path | None, out: Collector) -> None:
        super().__init__(load, code_dir, out)
        self.files: dict[Path, JsModule] = {}
        self.exports: dict[Path, dict[str, Val]] = {}
        self.registered: dict[Path, set[str]] = {}  # handlers registered by name (functions.http("name", fn))
        self.functions: dict[Path, list[Node]] = {}
        self.inner: set[int] = set()  # functions met while walking a function: reachable when it is
        self.branch_names: dict[int, set[str]] = {}  # identifiers of an else/catch branch, by node id
        self.routes: dict[Path, list[JsFunc]] = {}  # app.get("/x", (req, res) => …) callbacks, per file
        self.fields: dict[int, dict[str, Val]] = {}  # SDK objects a class keeps on this (this.db = …), by class
        self.parsed_body = False  # event.body is an object: a middleware parsed it (webapps.js_wrapped_entry)

    def module(self, path: Path) -> JsModule | None:
        if path in self.files:
            return self.files[path]
        mod = self.load(path)
        if mod is None:
            return None
        self.files[path] = mod
        self.globals[path] = {}
        self.exports[path] = {}
        self.functions[path] = []
        if mod.log_library:
            self.out.structured = True
        frame = JsFrame(self, mod, self.globals[path], None, 0, is_module=True)
        frame.block(mod.root.named_children)
        return mod

    def analyse_handler(self, path: Path, name: str) -> bool:
        mod = self.module(path)
        if mod is None:
            return False
        exports = self.exports[path]
        target = exports.get(name) or self.globals[path].get(name)
        if target is not None and target.qual is not None and target.qual.startswith(TABLES.web_wrappers):
            self.handler_text = _text(mod.root)  # serverless(app): the app's routes serve every request
            self.walk_routes(None, name)
            return True
        if target is None or not isinstance(target.func, JsFunc):
            return False
        params = _params(target.func.node)
        args: list[Val] = []
        if params:
            first = 1 if len(params) > 1 and _text(params[0]) in TABLES.context_params else 0  # Azure: (context, req)
            args.extend(UNKNOWN for _ in range(first))
            name_text = _text(params[first]) if params[first].type == "identifier" else "event"
            args.append(Val(taint=Taint(name_text, mod.loc(params[first]), whole=True)))
            if first == 0 and len(params) >= 3 and params[2].type == "identifier":  # (event, context, callback)
                args.extend((UNKNOWN, Val(qual=LAMBDA_CALLBACK)))
        self.handler_text = _text(target.func.node)
        self.call_function(target.func, args, {}, name, 0, True)
        glob = self.globals[path]
        if any((glob[n].qual or "").startswith(TABLES.web_wrappers) for n in identifiers(self.handler_text) if n in glob):
            self.walk_routes(None, name)  # (event, context) => wrapped(event, context), wrapped = serverless(app)
        return True

    def walk_routes(self, path: Path | None, handler: str | None) -> None:
        """Route callbacks of a web app on Lambda (serverless-http): the request is the attacker's, res renders it."""
        for file, funcs in list(self.routes.items()):
            if path is not None and file != path:
                continue
            for fn in funcs:
                params = _params(fn.node)
                req = _text(params[0]) if params and params[0].type == "identifier" else "req"
                args = [Val(taint=Taint(req, fn.module.loc(fn.node), whole=True)), Val(qual="express.response")]
                self.call_function(fn, args, {}, handler, 1, False)

    def analyse_rest(self) -> None:
        """Every function no context reached yet, with unknown arguments: only SDK calls can be found there.

        Without taint (no event parameter) the walk can only find SDK calls and logging, so files
        that never mention the AWS SDK are only searched for console calls, by query."""
        if self.handler_text is None and self.routes:
            self.walk_routes(None, None)  # no handler known: the app's routes are the entry points
        if not any(mod.uses_sdk for mod in self.files.values()):
            for mod in self.files.values():
                self.out.prints.update(mod.console_calls())
            return
        pending = True
        while pending:
            pending = False
            reach = self.reachable()
            for path, nodes in list(self.functions.items()):
                mod = self.files[path]
                for node in list(nodes):
                    if node.id not in self.done and (reach is None or node.id in reach or node.id in self.inner):
                        pending = True
                        self.call_function(JsFunc(mod, node), [], {}, None, self.MAX_DEPTH, False)

    def call_function(self, ref: JsFunc, args: list[Val], kwargs: dict[str, Val], handler: str | None, depth: int,
                      in_handler: bool) -> Val:
        node = ref.node
        key = self.memo_key(node.id, args, {}, in_handler, ref.closure)
        known = self.summary(key)
        if known is not None:
            return known
        env = dict(self.globals.get(ref.module.path, {}))
        if ref.closure:
            env.update(ref.closure)
        frame = JsFrame(self, ref.module, env, handler, depth, in_handler=in_handler)
        for i, param in enumerate(_params(node)):
            frame.bind(param, args[i] if i < len(args) else UNKNOWN, None)
        body = node.child_by_field_name("body")
        if body is not None:
            try:
                if body.type == "statement_block":
                    frame.block(body.named_children)
                else:
                    frame.returned = frame.eval(body)
            except RecursionError:
                pass
        self.returns[key] = frame.returned
        return frame.returned

    def field(self, cls: JsClass, this: Val, name: str) -> Val | None:
        """An SDK object the class keeps on ``this`` (``this.db = new DocumentClient()`` in its constructor, walked
        first with ``this`` bound)."""
        ctor = cls.methods.get("constructor")
        if ctor is not None and ctor.id not in self.done:
            self.call_function(JsFunc(cls.module, ctor, {"this": this}), [], {}, None, self.MAX_DEPTH, False)
        return self.fields.get(id(cls.methods), {}).get(name)

    def require(self, mod: JsModule, spec: str) -> Val:
        path = resolve.js_module(spec, mod.path, self.code_dir)
        if path is None:
            return Val(qual=spec)
        target = self.module(path)
        if target is None:
            return UNKNOWN
        whole = self.exports.get(path, {}).get(WHOLE_MODULE)
        return whole if whole is not None else Val(func=JsExports(target))


def _params(node: Node) -> list[Node]:
    params = node.child_by_field_name("parameters")
    if params is None:
        single = node.child_by_field_name("parameter")
        return [single] if single is not None else []
    out = []
    for p in params.named_children:
        if p.type in ("required_parameter", "optional_parameter"):
            pattern = p.child_by_field_name("pattern")
            if pattern is not None:
                out.append(pattern)
        elif p.type not in ("comment", "this"):
            out.append(p)
    return out


class JsFrame(Walker):
    """One function body (or module body) being walked, read from the tree-sitter tree."""

    interp: JsInterp
    mod: JsModule

    def text(self, node: Node | None) -> str:
        """The source text of ``node`` (a slice of the file's bytes: faster than ``node.text``)."""
        return self.mod.source[node.start_byte:node.end_byte].decode("utf-8", "replace") if node is not None else ""

    # ---- statements ----------------------------------------------------------------------------------------

    def block(self, nodes: list[Node]) -> None:
        for node in nodes:
            self.stmt(node)

    def stmt(self, node: Node) -> None:
        t = node.type
        if t == "expression_statement":
            for child in node.named_children:
                self.eval(child)
        elif t in ("lexical_declaration", "variable_declaration"):
            for decl in node.named_children:
                if decl.type == "variable_declarator":
                    value = decl.child_by_field_name("value")
                    name = decl.child_by_field_name("name")
                    if name is not None:
                        val = self.eval(value) if value is not None else UNKNOWN
                        self.derive(name, value, val)
                        self.bind(name, val, decl)
        elif t in ("function_declaration", "generator_function_declaration"):
            name = node.child_by_field_name("name")
            self._register(node)
            if name is not None:
                self.set_name(self.text(name), Val(func=JsFunc(self.mod, node, None if self.is_module else self.env)))
        elif t == "class_declaration":
            body = node.child_by_field_name("body")
            for member in body.named_children if body is not None else []:
                if member.type == "method_definition":
                    self._register(member)
            name = node.child_by_field_name("name")
            if name is not None:
                self.set_name(self.text(name), Val(func=_js_class(self.mod, node)))
        elif t == "export_statement":
            self.export(node)
        elif t == "import_statement":
            self.import_stmt(node)
        elif t == "return_statement":
            for child in node.named_children:
                self.give_back(self.eval(child), self.mod.loc(node))
        elif t == "if_statement":
            self.if_stmt(node)
        elif t in ("for_in_statement",):
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            item = self.eval(right) if right is not None else UNKNOWN
            if left is not None:
                self.bind(left, Val(taint=item.taint, sdk=item.sdk), node)
            body = node.child_by_field_name("body")
            if body is not None:
                self.stmt(body)
        elif t == "statement_block":
            self.block(node.named_children)
        elif t == "try_statement":
            for child in node.named_children:
                if child.type == "catch_clause":
                    self.branch(child)
                else:
                    self.stmt(child)
        elif t in ("for_statement", "while_statement", "do_statement", "catch_clause", "finally_clause",
                   "else_clause", "switch_statement", "switch_body", "switch_case", "switch_default", "labeled_statement",
                   "throw_statement", "with_statement"):
            for child in node.named_children:
                if child.type in ("statement_block", "expression_statement", "lexical_declaration", "variable_declaration",
                                  "if_statement", "for_statement", "for_in_statement", "while_statement", "try_statement",
                                  "return_statement", "catch_clause", "finally_clause", "else_clause", "switch_body",
                                  "switch_case", "switch_default", "throw_statement", "do_statement", "switch_statement",
                                  "function_declaration"):
                    self.stmt(child)
                elif child.type not in ("comment", "identifier", "property_identifier"):
                    self.eval(child)

    def _register(self, node: Node) -> None:
        self.interp.functions.setdefault(self.mod.path, []).append(node)
        if not self.is_module:
            self.interp.inner.add(node.id)

    def export(self, node: Node) -> None:
        exports = self.interp.exports.setdefault(self.mod.path, {})
        decl = node.child_by_field_name("declaration")
        if decl is not None:
            self.stmt(decl)
            if decl.type in ("function_declaration", "generator_function_declaration", "class_declaration"):
                name = decl.child_by_field_name("name")
                if name is not None:
                    exports[self.text(name)] = self.env.get(self.text(name), UNKNOWN)
            else:
                for d in decl.named_children:
                    name = d.child_by_field_name("name") if d.type == "variable_declarator" else None
                    if name is not None and name.type == "identifier":
                        exports[self.text(name)] = self.env.get(self.text(name), UNKNOWN)
            return
        value = node.child_by_field_name("value")
        if value is not None:
            exports["default"] = self.eval(value)
        for child in node.named_children:
            if child.type == "export_clause":
                for spec in child.named_children:
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or name
                    if name is not None:
                        exports[self.text(alias)] = self.env.get(self.text(name), UNKNOWN)

    def import_stmt(self, node: Node) -> None:
        source = node.child_by_field_name("source")
        if source is None:
            return
        spec = _string_value(source)
        target = self.interp.require(self.mod, spec)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    default = self._member(target, "default", part) if isinstance(target.func, JsExports) else target
                    self.set_name(self.text(part), default)
                elif part.type == "namespace_import":
                    for ident in part.named_children:
                        self.set_name(self.text(ident), target)
                elif part.type == "named_imports":
                    for spec_node in part.named_children:
                        name = spec_node.child_by_field_name("name")
                        alias = spec_node.child_by_field_name("alias") or name
                        if name is not None:
                            self.set_name(self.text(alias), self._member(target, self.text(name), spec_node))

    def if_stmt(self, node: Node) -> None:
        cond = node.child_by_field_name("condition")
        guard = NO_GUARD
        if cond is not None:
            self.eval(cond)
            guard = self.guards(cond)
        saved = self.enter_if(guard)
        consequence = node.child_by_field_name("consequence")
        if consequence is not None:
            self.stmt(consequence)
        self.leave_if(guard, saved)
        alternative = node.child_by_field_name("alternative")
        if alternative is not None:
            self.branch(alternative)
        self.after_if(guard, consequence is not None and _bails(consequence))

    def branch(self, node: Node) -> None:
        """Walk an alternative (else, catch); a name tainted on the other path stays tainted after both."""
        names = self.interp.branch_names.get(node.id)
        if names is None:
            names = self.interp.branch_names[node.id] = set(_identifiers(node))
        before = self.tainted(names)
        self.stmt(node)
        self.merge(before)

    def guards(self, cond: Node) -> Guard:
        """Names an allow-list test vouches for (inside the body, or after a body that bails out), URLs whose host it
        checks (after a body that bails out), and whether it tests for a value not made yet (lazy set-up).

        Only a test of the variable itself counts (``allowed.includes(period)``, ``mode === "fast"``);
        ``detail.action === "rebuild"`` vouches for nothing else of the event.
        """
        text = self.text(cond)
        lazy = text.startswith("(!") or "== null" in text or "=== undefined" in text or "=== null" in text
        inner = cond.named_children[0] if cond.type == "parenthesized_expression" and cond.named_children else cond
        negate = False
        if inner.type == "unary_expression" and self.text(inner).startswith("!"):
            negate = True
            inner = inner.named_children[0] if inner.named_children else inner
            while inner.type == "parenthesized_expression" and inner.named_children:
                inner = inner.named_children[0]
        checked: set[str] = set()
        hosts: set[str] = set()
        positive = True
        if inner.type == "call_expression":
            func = inner.child_by_field_name("function")
            name = self.text(func.child_by_field_name("property")) if func is not None and func.type == "member_expression" \
                else self.text(func)
            if name in TABLES.guard_calls or name.startswith(TABLES.guard_prefixes):
                args = inner.child_by_field_name("arguments")
                parts = list(args.named_children) if args is not None else []
                if name in TABLES.receiver_guards and func is not None and func.type == "member_expression":
                    parts = [func.child_by_field_name("object")]  # type: ignore[list-item]
                for part in parts:
                    if part is not None and part.type == "identifier" and self.text(part) in self.derived:
                        hosts.add(self.derived[self.text(part)])  # ALLOWED.has(host), host = new URL(url).hostname
                    elif part is not None and part.type == "identifier" and self._tainted(self.text(part)):
                        (hosts if name in TABLES.host_prefix_calls else checked).add(self.text(part))
                    elif part is not None and part.type == "member_expression" and \
                            self.text(part.child_by_field_name("property")) in TABLES.host_attributes:
                        hosts |= {n for n in _identifiers(part) if self._tainted(n)}
        elif inner.type == "binary_expression":
            op = self.text(inner.child_by_field_name("operator"))
            if op in ("===", "==", "!==", "!="):
                positive = op in ("===", "==")
                right = inner.child_by_field_name("right")
                left = inner.child_by_field_name("left")
                if any(x is not None and x.type in ("string", "number") for x in (left, right)):
                    checked = {self.text(x) for x in (left, right)
                               if x is not None and x.type == "identifier" and self._tainted(self.text(x))}
        if negate:
            positive = not positive
        hosts -= checked
        if positive:
            return Guard(frozenset(checked), lazy=lazy)
        return Guard(after=frozenset(checked), hosts_after=frozenset(hosts), lazy=lazy)

    def _tainted(self, name: str) -> bool:
        val = self.env.get(name)
        return val is not None and val.taint is not None

    def derive(self, target: Node, value: Node | None, val: Val) -> None:
        """``const host = new URL(url).hostname``: remember that ``host`` is ``url``'s host (an allow-list test of
        ``host`` then fixes where ``url`` goes); any other assignment forgets it."""
        if target.type != "identifier":
            return
        name = self.text(target)
        self.derived.pop(name, None)
        if value is not None and value.type == "member_expression" and val.taint is not None and \
                self.text(value.child_by_field_name("property")) in TABLES.host_attributes:
            url = value.child_by_field_name("object")  # the URL itself, or new URL(url) / url.parse(url)
            if url is not None and url.type in ("new_expression", "call_expression"):
                args = url.child_by_field_name("arguments")
                url = args.named_children[0] if args is not None and args.named_children else None
            if url is not None and url.type == "identifier" and self._tainted(self.text(url)):
                self.derived[name] = self.text(url)  # new URL(body.url).hostname vouches for no other member of body

    def bind(self, target: Node, val: Val, stmt: Node | None) -> None:
        t = target.type
        if t in ("identifier", "shorthand_property_identifier_pattern"):
            name = self.text(target)
            self.bind_name(name, val, self.mod.loc(stmt) if stmt is not None else None,
                           self.mod.snippet(stmt) if stmt is not None else "")
        elif t == "object_pattern":
            for prop in target.named_children:
                if prop.type == "shorthand_property_identifier_pattern":
                    self.bind(prop, self._member(val, self.text(prop), prop), stmt)
                elif prop.type == "pair_pattern":
                    key = prop.child_by_field_name("key")
                    value = prop.child_by_field_name("value")
                    if key is not None and value is not None:
                        self.bind(value, self._member(val, _prop_name(key), prop), stmt)
                elif prop.type == "object_assignment_pattern":
                    left = prop.child_by_field_name("left")
                    if left is not None:
                        self.bind(left, self._member(val, self.text(left), prop), stmt)
                elif prop.type == "rest_pattern":
                    for ident in prop.named_children:
                        self.bind(ident, val, stmt)
        elif t == "array_pattern":
            for item in target.named_children:
                self.bind(item, Val(taint=val.taint, secret=val.secret), stmt)
        elif t == "assignment_pattern":
            left = target.child_by_field_name("left")
            if left is not None:
                self.bind(left, val, stmt)
        elif t == "rest_pattern":
            for ident in target.named_children:
                self.bind(ident, val, stmt)
        elif t == "member_expression":
            self.assign_member(target, val, stmt)
        elif t == "subscript_expression":  # clients["s3"] = new S3Client(): a known object keeps it, others lose it
            obj, index = target.child_by_field_name("object"), self.eval(target.child_by_field_name("index"))
            loc = self.mod.loc(stmt) if stmt is not None else None
            if obj is not None and obj.type == "identifier" and index.const is not None:
                self.set_member(self.text(obj), index.const, val, loc, self.mod.snippet(stmt) if stmt is not None else "")
            else:
                self.lost_sdk(val, self.mod.loc(target))

    def assign_member(self, target: Node, val: Val, stmt: Node | None) -> None:
        obj = target.child_by_field_name("object")
        prop = self.text(target.child_by_field_name("property"))
        text = self.text(obj)
        exports = self.interp.exports.setdefault(self.mod.path, {})
        if text in ("exports", "module.exports"):
            exports[prop] = val
            return
        if text == "module" and prop == "exports":
            if val.items is not None:
                exports.update(dict(val.items))
            elif isinstance(val.func, JsFunc):
                exports["default"] = val
            else:
                exports[WHOLE_MODULE] = val  # module.exports = new AWS.DynamoDB.DocumentClient(): require() gives it
            return
        if obj is not None and obj.type == "identifier":  # response.body = html
            self.set_member(text, prop, val, self.mod.loc(stmt) if stmt is not None else None,
                            self.mod.snippet(stmt) if stmt is not None else "")
        elif obj is not None and obj.type == "this" and val.sdk is not None and isinstance(this := self.env.get("this"), Val) \
                and isinstance(this.func, JsClass):
            self.interp.fields.setdefault(id(this.func.methods), {})[prop] = val  # this.db = new DocumentClient()
        else:
            self.lost_sdk(val, self.mod.loc(target))  # an object the engine does not model: not followed into it

    # ---- expressions ---------------------------------------------------------------------------------------

    def eval(self, node: Node | None) -> Val:
        if node is None:
            return UNKNOWN
        t = node.type
        if t == "identifier":
            name = self.text(node)
            return self.env.get(name) or Val(qual=name)
        if t == "string":
            return Val(const=_string_value(node))
        if t in ("true", "false", "number", "null", "undefined", "regex"):
            return Val(const=self.text(node)) if t == "true" else UNKNOWN
        if t in EXPRESSION_WRAPPERS:
            children = node.named_children
            return self.eval(children[0]) if children else UNKNOWN
        if t == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            return self._member(self.eval(obj), self.text(prop), node)
        if t == "subscript_expression":
            base = self.eval(node.child_by_field_name("object"))
            index = self.eval(node.child_by_field_name("index"))
            if index.const is not None:
                return self._member(base, index.const, node, subscript=True)
            index_node = node.child_by_field_name("index")
            if base.taint is not None and index_node is not None and index_node.type == "number":
                return Val(taint=self.access(base.taint, f"[{self.text(index_node)}]", self.mod.loc(node)))
            if base.sdk is not None:
                self.out.dynamic_sdk.add(self.mod.loc(node))
            if base.taint is not None:
                return Val(taint=self.access(base.taint, "[…]", self.mod.loc(node)))
            return Val(secret=base.secret) if base.secret else UNKNOWN
        if t == "call_expression":
            return self.call(node, new=False)
        if t == "new_expression":
            return self.call(node, new=True)
        if t == "template_string":
            parts = [self.eval(sub.named_children[0]) if sub.type == "template_substitution" and sub.named_children
                     else Val(const=self.text(sub)) if sub.type == "string_fragment" else UNKNOWN
                     for sub in node.named_children if sub.type in ("template_substitution", "string_fragment")]
            if any(sub.type == "template_substitution" for sub in node.named_children):
                return whole_join(parts)
            return Val(const=self.text(node)[1:-1])
        if t == "binary_expression":
            left = self.eval(node.child_by_field_name("left"))
            right = self.eval(node.child_by_field_name("right"))
            op = self.text(node.child_by_field_name("operator"))
            if op in ("||", "??", "&&"):
                return left if left.taint is not None or left.sdk or left.env else right
            if op == "+":
                if left.const is not None and right.const is not None:
                    return Val(const=left.const + right.const)
                return whole_join([left, right])
            return UNKNOWN
        if t in ("assignment_expression", "augmented_assignment_expression"):
            target = node.child_by_field_name("left")
            assigned = self.eval(node.child_by_field_name("right"))
            if t == "augmented_assignment_expression" and target is not None:
                op = self.text(node.child_by_field_name("operator"))
                assigned = whole_join([self.eval(target), assigned]) if op == "+=" else assigned
            if target is not None:
                self.derive(target, node.child_by_field_name("right"), assigned)
                self.bind(target, assigned, node)
            return assigned
        if t == "ternary_expression":
            self.eval(node.child_by_field_name("condition"))
            a = self.eval(node.child_by_field_name("consequence"))
            b = self.eval(node.child_by_field_name("alternative"))
            return a if a.taint is not None or b.taint is None else b
        if t == "object":
            items: list[tuple[str, Val]] = []
            vals: list[Val] = []
            for prop in node.named_children:
                if prop.type == "pair":
                    key = prop.child_by_field_name("key")
                    val = self.eval(prop.child_by_field_name("value"))
                    vals.append(val)
                    if key is not None:
                        items.append((_prop_name(key), val))
                elif prop.type == "shorthand_property_identifier":
                    val = self.env.get(self.text(prop), UNKNOWN)
                    vals.append(val)
                    items.append((self.text(prop), val))
                elif prop.type == "spread_element":
                    val = self.eval(prop.named_children[0]) if prop.named_children else UNKNOWN
                    vals.append(val)
                    if val.items:
                        items.extend(val.items)
                elif prop.type == "method_definition":
                    self._register(prop)
                    method_name = prop.child_by_field_name("name")
                    if method_name is not None:
                        items.append((self.text(method_name), Val(func=JsFunc(self.mod, prop))))
            taint = next((v.taint for v in vals if v.taint is not None), None)
            return Val(taint=taint, items=tuple(items))
        if t == "array":
            vals = [self.eval(c) for c in node.named_children]
            tainted = [v for v in vals if v.taint is not None or v.secret]
            out = join(*tainted) if tainted else UNKNOWN
            return Val(taint=out.taint, secret=out.secret, items=tuple((str(i), v) for i, v in enumerate(vals)),
                       prefix=out.prefix)
        if t in FUNCTION_TYPES:
            self._register(node)
            return Val(func=JsFunc(self.mod, node, None if self.is_module else self.env))
        if t in ("spread_element", "unary_expression", "sequence_expression", "update_expression", "yield_expression"):
            vals = [self.eval(c) for c in node.named_children]
            if t == "unary_expression":
                return UNKNOWN
            return vals[-1] if vals else UNKNOWN
        if t == "class":
            return Val(func=_js_class(self.mod, node))
        if t == "this":
            return self.env.get("this", UNKNOWN)
        return UNKNOWN

    def _member(self, base: Val, prop: str, node: Node, subscript: bool = False) -> Val:
        if isinstance(base.func, JsClass):  # service.handle, this.connection, Repo.find (static)
            bound = base.func.method(prop, base)
            if bound is not None:
                return bound
            field = self.interp.field(base.func, base, prop) if base.func.instance else None
            if field is not None:
                return field
        if isinstance(base.func, JsExports):
            target = base.func.module
            exports = self.interp.exports.get(target.path, {})
            if prop in exports:
                return exports[prop]
            if prop == "default" and exports.get("default") is None:
                return Val(items=tuple(exports.items()))
            return self.interp.globals.get(target.path, {}).get(prop, UNKNOWN)
        if base.items is not None:  # a member of a known object is that member, not the whole object's taint
            for key, val in base.items:
                if key == prop:
                    return val
        if base.sdk is not None:
            return sdk_attribute(base.sdk, prop)
        if base.taint is not None and not subscript and prop in TABLES.number_members:  # body.length: a number
            return UNKNOWN
        if base.taint is not None:  # event.methodArn: API Gateway writes it, not the caller
            out = self.field(base.taint, f'["{prop}"]' if subscript else f".{prop}", self.mod.loc(node))
            if prop == "body" and base.taint.whole and self.interp.parsed_body and out.taint is not None:
                out = out.with_taint(replace(out.taint, parsed=True))  # middy's JSON body parser ran
            return out
        if base.qual is not None:
            if base.qual in self.interp.tables.environ:
                return self.env_val(prop)
            return Val(qual=f"{base.qual}.{prop}")
        if base.secret:
            return Val(secret=base.secret)
        return UNKNOWN

    # ---- calls ---------------------------------------------------------------------------------------------

    def call(self, node: Node, new: bool) -> Val:
        func = node.child_by_field_name("constructor" if new else "function")
        receiver: Val | None = None
        method: str | None = None
        if func is not None and func.type == "member_expression":
            obj = func.child_by_field_name("object")
            receiver = self.eval(obj)
            method = self.text(func.child_by_field_name("property"))
            callee = self._member(receiver, method, func)
        elif func is not None and func.type == "subscript_expression":
            receiver = self.eval(func.child_by_field_name("object"))
            index = self.eval(func.child_by_field_name("index"))
            method = index.const
            callee = self._member(receiver, method, func) if method else UNKNOWN
            if method is None and receiver.sdk is not None:
                self.out.dynamic_sdk.add(self.mod.loc(node))
                return UNKNOWN
        else:
            callee = self.eval(func)
        arg_nodes = node.child_by_field_name("arguments")
        args = [self.eval(a) for a in arg_nodes.named_children if a.type != "comment"] if arg_nodes is not None else []
        loc = self.mod.loc(node)
        qual = callee.qual if callee.qual and callee.sdk is None else None

        if not new and func is not None and func.type == "identifier" and "require" not in self.env \
                and self.text(func) == "require":
            if args and args[0].const is not None:
                return self.interp.require(self.mod, args[0].const)
            return UNKNOWN
        if method == "bind" and receiver is not None and isinstance(receiver.func, JsFunc):
            return receiver  # service.handle.bind(service)
        if new and isinstance(callee.func, JsClass):
            cls = replace(callee.func, instance=True)
            instance = Val(func=cls)
            ctor = cls.methods.get("constructor")
            if ctor is not None and any(a.taint for a in args) and self.depth < JsInterp.MAX_DEPTH:
                self.interp.call_function(JsFunc(cls.module, ctor, {"this": instance}), args, {}, self.handler,
                                          self.depth + 1, self.in_handler)
            return instance
        if qual == LAMBDA_CALLBACK:  # callback(null, {statusCode, headers: {"Content-Type": "text/html"}, body})
            html = html_response(args[1]) if len(args) > 1 and self.handler else None
            if html is not None and html.taint is not None:
                self.out.flow("xss", html.taint, "HTML response body (Content-Type: text/html) passed to callback", loc,
                              self.handler)
            return UNKNOWN
        if qual in TABLES.handler_registrations and self.is_module and len(args) > 1 and args[0].const \
                and isinstance(args[1].func, JsFunc):  # functions.http("thumbnail", (req, res) => …)
            self.interp.exports[self.mod.path].setdefault(args[0].const, args[1])
            self.interp.registered.setdefault(self.mod.path, set()).add(args[0].const)
            return UNKNOWN
        site = CallSite(qual, method, receiver, args, {}, new=new, callee=callee, syntax=node)
        if isinstance(callee.func, JsFunc) and receiver is not None and isinstance(receiver.func, JsClass) \
                and func is not None and self.logger_wrapper(self.text(func.child_by_field_name("object")), site, loc):
            return UNKNOWN  # const logger = new AppLogger(); logger.info("x", { event })
        if isinstance(callee.func, JsFunc):
            note = f"passed to {self.text(func)}(): {self.mod.snippet(node)}"
            return self.call_local(callee.func, site, loc, note, note)
        return self.call_site(site, loc)

    def verify(self, label: str | None, qual: str | None, site: CallSite, loc: Loc) -> AuthCheck | None:
        return js_auth_check(label, qual, loc) if qual else None

    def line_text(self, loc: Loc) -> str:
        return self.mod.snippet_at(loc)

    def run_callbacks(self, site: CallSite) -> None:
        """Functions passed to a call run with the variables around them (closures): walk them here.

        ``hosts.map((h) => execSync("ping " + h))`` and ``promise.then((x) => …)`` feed the receiver's data to the
        callback's first parameter; ``app.get("/x", (req, res) => …)`` registers a route, walked with a tainted
        request when the function's handler serves that app (see :meth:`JsInterp.analyse_handler`).
        """
        funcs = [a.func for a in site.args if isinstance(a.func, JsFunc)]
        if not funcs:
            return
        if self.is_route(site):
            for fn in funcs:
                self.interp.routes.setdefault(self.mod.path, []).append(fn)
            if not self.is_module:
                self.interp.walk_routes(self.mod.path, self.handler)
            return
        if self.is_module or self.depth >= JsInterp.MAX_DEPTH:
            return
        feed = self.callback_feed(site, methods_only=True)
        for fn in funcs:
            self.interp.call_function(fn, [feed] if feed is not UNKNOWN else [], {}, self.handler, self.depth + 1,
                                      self.in_handler)


def _identifiers(node: Node) -> Iterator[str]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in ("identifier", "shorthand_property_identifier"):
            yield _text(current)
        stack.extend(current.named_children)


def _bails(node: Node) -> bool:
    if node.type in ("return_statement", "throw_statement", "continue_statement", "break_statement"):
        return True
    if node.type == "statement_block" and node.named_children:
        return _bails(node.named_children[-1])
    return False

