"""The CloudFormation / SAM / CDK-output loader.

Templates are recognised by content, not by name: a YAML or JSON mapping with a
``Resources`` section whose entries have AWS resource types. SAM templates are
translated to CloudFormation with aws-sam-translator (imported lazily: it costs
0.3 s), after the pre-processing the translator needs offline — local
``CodeUri``s and OpenAPI files, image functions — and the translated template
goes through the same model builder as plain CloudFormation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from faasguard import limits
from faasguard.loaders import located_yaml, looks
from faasguard.loaders.cdk import name_by_construct
from faasguard.loaders.cloudformation_builder import LAYER_KEY, TemplateReader, build_application
from faasguard.loaders.interface import NO_VARIABLES, LoadResult
from faasguard.loaders.located_yaml import LDict, LList, LoadFailure, LStr, clone

_TEMPLATE_HINT = re.compile(r"AWS::|AWSTemplateFormatVersion")
_RESOURCE_TYPE = re.compile(r"(AWS|Custom|Alexa)::")
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_PLACEHOLDER_BUCKET = "s3://faasguard-placeholder/"
# Well-known JSON/YAML files that are never templates; skipping them saves reading big lock files.
_NOT_TEMPLATES = {
    "package-lock.json",
    "package.json",
    "tsconfig.json",
    "pnpm-lock.yaml",
    "composer.lock",
    "yarn.lock",
    # Serverless Framework and Azure Functions files have loaders of their own.
    "serverless.yml",
    "serverless.yaml",
    "serverless.json",
    "function.json",
    "host.json",
    "local.settings.json",
}


class TemplateLoader:
    name = "cloudformation"
    suffixes = (".yaml", ".yml", ".json", ".template")

    def wants(self, filename: str) -> bool:
        return filename.endswith(self.suffixes) and filename not in _NOT_TEMPLATES

    def claims(self, path: Path, text: str) -> bool:
        return bool(_TEMPLATE_HINT.search(text[:200_000]))

    def load(self, path: Path, text: str, root: Path, variables: Mapping[str, str] = NO_VARIABLES) -> LoadResult:
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
        result, refused = _cached_load(path, text, root, rel)
        for uri in refused:
            result.errors.append((rel, limits.outside_message(uri, "DefinitionUri")))
        return result


def _cached_load(path: Path, text: str, root: Path, rel: str) -> tuple[LoadResult, list[str]]:
    """The template's applications, errors and warnings, and the ``DefinitionUri``s refused for
    leaving the root: through the parse cache, keyed by the text, the path and the root, and
    used while the file system beside the template answers as it did (:mod:`.looks`)."""
    key = "".join(f"{len(part)}:{part}" for part in (str(path), str(root))) + text
    return looks.cached("template", key, lambda seen: _load(path, text, root, rel, seen))


def _load(path: Path, text: str, root: Path, rel: str, seen: looks.Looks) -> tuple[LoadResult, list[str]]:
    result = LoadResult()
    refused: list[str] = []
    try:
        template = located_yaml.parse(text)
    except LoadFailure as exc:
        result.errors.append((rel, str(exc)))
        return result, refused
    if not is_template(template):
        return result, refused
    fmt = "cdk" if _is_cdk(template, path) else "cloudformation"
    code_dirs = _cfn_code_dirs(template, path.parent, seen)
    skipped = resource_skips(template)  # from the resources as written, before any translation
    origin, sam_globals = None, None
    if is_sam(template):
        fmt = "sam"
        # The template is translated as it is, not a copy of it (the translator copies it again): what the model
        # reads of the template as written is kept aside first.
        written = _as_written(template)
        translated, sam_dirs, problem = translate_sam(template, path.parent, root, refused, seen, in_place=True)
        code_dirs.update(sam_dirs)
        if translated is None:
            result.warnings.append((rel, f"SAM translation failed ({problem}); analysed without SAM expansion"))
            written = located_yaml.parse(text)  # all of it as written, for the one-to-one reading
            translated = _sam_fallback(written)
        sam_globals = written.get("Globals") if isinstance(written.get("Globals"), Mapping) else None
        origin = _origin_finder(written)
        template = translated
    reader = TemplateReader(template, rel, path.parent, origin, sam_globals)
    app = build_application(reader, fmt, code_dirs)
    app.skipped.update(skipped)
    if fmt == "cdk":
        app = name_by_construct(app, template)  # findings name the construct to fix, not its logical id
    result.applications.append(app)
    return result, refused


def resource_skips(template: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """``Metadata: {faasguard: {skip: [FG-IAM-001, {id: FG-NET-001, reason: …}]}}`` per resource.

    The JSON-friendly twin of the inline ``faasguard:ignore`` comment (CDK output has no comments).
    An empty list skips every rule for that resource.
    """
    out: dict[str, frozenset[str]] = {}
    resources = template.get("Resources")
    for logical_id, res in resources.items() if isinstance(resources, Mapping) else ():
        meta = res.get("Metadata") if isinstance(res, Mapping) else None
        ours = meta.get("faasguard") if isinstance(meta, Mapping) else None
        skip = ours.get("skip") if isinstance(ours, Mapping) else None
        if isinstance(skip, list):
            ids = {str(s.get("id") if isinstance(s, Mapping) else s).strip().upper() for s in skip}
            out[str(logical_id)] = frozenset(i for i in ids if i and i != "NONE")
    return out


def is_template(value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    resources = value.get("Resources")
    if not isinstance(resources, Mapping) or not resources:
        return False
    types = [r.get("Type") for r in resources.values() if isinstance(r, Mapping)]
    return any(isinstance(t, str) and _RESOURCE_TYPE.match(t) for t in types) or (
        "AWSTemplateFormatVersion" in value and bool(types)
    )


def is_sam(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    if any(n == SAM_TRANSFORM for n in names):
        return True
    resources = template.get("Resources") or {}
    return any(isinstance(r, Mapping) and str(r.get("Type", "")).startswith("AWS::Serverless::") for r in resources.values())


def _is_cdk(template: Mapping[str, Any], path: Path) -> bool:
    resources = template.get("Resources") or {}
    if path.name.endswith(".template.json") and ("cdk.out" in path.parts or path.parent.name.endswith(".snapshot")):
        return True
    params = template.get("Parameters")
    if isinstance(params, Mapping) and "BootstrapVersion" in params and "CheckBootstrapVersion" in (template.get("Rules") or {}):
        return True  # every stack synthesized by CDK v2 checks its bootstrap version
    return any(
        isinstance(r, Mapping) and isinstance(r.get("Metadata"), Mapping) and "aws:cdk:path" in r["Metadata"]
        for r in resources.values()
    )


def _cfn_code_dirs(template: Mapping[str, Any], base: Path, seen: looks.Looks) -> dict[str, Path]:
    """Code on disk for plain CloudFormation: CDK asset metadata or a local ``Code`` path."""
    out = {}
    for logical_id, res in (template.get("Resources") or {}).items():
        kind = res.get("Type") if isinstance(res, Mapping) else None
        if kind not in ("AWS::Lambda::Function", "AWS::Lambda::LayerVersion"):
            continue
        key = str(logical_id) if kind == "AWS::Lambda::Function" else LAYER_KEY + str(logical_id)
        meta = res.get("Metadata")
        asset = meta.get("aws:asset:path") if isinstance(meta, Mapping) else None
        props = res.get("Properties") if isinstance(res.get("Properties"), Mapping) else {}
        code = props.get("Code") if kind == "AWS::Lambda::Function" else props.get("Content")
        if isinstance(asset, str):
            out[key] = seen.real(base / asset)
        elif isinstance(code, str) and "://" not in code:
            out[key] = seen.real(base / code)
    return out


def _as_written(template: Mapping[str, Any]) -> dict[str, Any]:
    """What the model reads of a SAM template as written once it is translated (:class:`TemplateReader`'s ``origin``
    and ``sam_globals``): each resource with its ``Properties``, their ``Events`` (each event and its
    ``Properties``) and ``Policies``, and ``Globals`` with its ``Function`` section. These are copied one level
    each, with their lines; what they hold is shared (the strings read there are immutable)."""
    out: dict[str, Any] = {"Resources": template.get("Resources"), "Globals": template.get("Globals")}
    for res in _copy_each(_copy_in(out, "Resources")):
        props = _copy_in(res, "Properties")
        if props is not None:
            for event in _copy_each(_copy_in(props, "Events")):
                _copy_in(event, "Properties")
            _copy_in(props, "Policies", list)
    globals_ = _copy_in(out, "Globals")
    if globals_ is not None:
        _copy_in(globals_, "Function")
    return out


def _copy_in(parent: dict[str, Any], key: str, kind: type = dict) -> Any:
    """``parent[key]`` replaced by its one-level copy (:func:`_one_level`) when it is a ``kind``: the copy, or None."""
    value = parent.get(key)
    if not isinstance(value, kind):
        return None
    copy = parent[key] = _one_level(value)
    return copy


def _copy_each(mapping: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each dict in ``mapping`` replaced by its one-level copy: the copies, in order."""
    copies: list[dict[str, Any]] = []
    for key, value in (mapping or {}).items():
        if isinstance(value, dict):
            copies.append(_one_level(value))
            mapping[key] = copies[-1]  # type: ignore[index]
    return copies


def _one_level(value: Any) -> Any:
    """A copy of a dict or list that holds the same values, with its lines."""
    if isinstance(value, dict):
        out: Any = LDict(value) if isinstance(value, LDict) else dict(value)
    else:
        out = LList(value) if isinstance(value, LList) else list(value)
    if hasattr(value, "__dict__"):
        out.__dict__.update(value.__dict__)
    return out


def _origin_finder(original: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    """Map a generated logical id (``GetOrderFnRole``) to the SAM resource it came from."""
    resources = original.get("Resources") or {}
    ids = sorted((str(k) for k in resources), key=len, reverse=True)

    def find(logical_id: str) -> Any:
        if logical_id in resources:
            return resources[logical_id]
        for candidate in ids:
            if logical_id.startswith(candidate):
                return resources[candidate]
        if logical_id.startswith("ServerlessRestApi") or logical_id.startswith("ServerlessHttpApi"):
            return next(
                (r for r in resources.values() if isinstance(r, Mapping) and "Events" in (r.get("Properties") or {})), None
            )
        return None

    return find


# -- SAM ----------------------------------------------------------------------------


def translate_sam(
    template: Mapping[str, Any],
    base: Path,
    root: Path | None = None,
    refused: list[str] | None = None,
    seen: looks.Looks | None = None,
    in_place: bool = False,
) -> tuple[dict[str, Any] | None, dict[str, Path], str]:
    """Translate SAM to CloudFormation offline. Returns (template or None, code dirs, problem).

    The template is left as it is, unless ``in_place``: then the pre-processing and the translator change it.

    Not cached by itself: the whole model built from the template is (see :func:`_cached_load`), and a
    translation cached beside it would be pickled on every first scan for the rare change that keeps the
    template's text but not what it looked at on disk.
    """
    prepared: Any = template if in_place else clone(template)
    code_dirs = _prepare_sam(prepared, base, seen or looks.Looks(), root, refused)
    translated, problem = _translate(prepared)
    return translated, code_dirs, problem


def _translate(prepared: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    try:
        translator = _translator()
        from samtranslator.model.exceptions import InvalidDocumentException, InvalidTemplateException

        return _plain(translator.translate(prepared, {})), ""
    except (InvalidDocumentException, InvalidTemplateException) as exc:
        causes = getattr(exc, "causes", None) or [exc]
        return None, "; ".join(str(getattr(c, "message", c)) for c in causes[:2])
    except Exception as exc:
        return None, f"{type(exc).__name__}: {str(exc)[:200]}"


_ATOMS = frozenset((str, LStr, int, float, bool, type(None)))
_KEYS = frozenset((str, LStr))


def _plain(value: Any) -> Any:
    """The translation with samtranslator's own ``Py27Dict``/``Py27UniStr`` turned into plain values, in
    the order they iterate in: they emulate Python 2.7's ordering, which a pickled copy (the parse cache)
    would lose. Located values keep their lines. A plain dict or list holding nothing to turn is the value
    itself; one that holds some is a copy with those replaced (nothing samtranslator returned is changed)."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    out: Any
    if kind is LDict or kind is dict:  # iterates in insertion order
        changed: dict[Any, Any] | None = None
        rekey = False
        for k, v in value.items():
            if type(v) not in _ATOMS:
                new = _plain(v)
                if new is not v:
                    if changed is None:
                        changed = {}
                    changed[k] = new
            if type(k) not in _KEYS:
                rekey = True
        if changed is None and not rekey:
            return value
        out = LDict(value) if kind is LDict else dict(value)  # copied in C, then what is not plain replaced
        if changed is not None:
            for k, new in changed.items():
                out[k] = new
        if rekey:
            out = kind({k if type(k) in _KEYS else str(k): v for k, v in out.items()})
        if kind is LDict:
            out.__dict__.update(value.__dict__)
        return out
    if isinstance(value, dict):
        out = {
            k if type(k) in _KEYS else str(k): v if type(v) in _ATOMS else _plain(v) for k, v in value.items()
        }
        if isinstance(value, LDict):
            out = LDict(out)
            out.__dict__.update(value.__dict__)
        return out
    if isinstance(value, list):
        items: list[Any] | None = None
        if kind is list or kind is LList:
            for index, v in enumerate(value):
                if type(v) not in _ATOMS:
                    new = _plain(v)
                    if new is not v:
                        if items is None:
                            items = list(value)
                        items[index] = new
            if items is None:
                return value
        else:
            items = [v if type(v) in _ATOMS else _plain(v) for v in value]
        if isinstance(value, LList):
            out = LList(items)
            out.__dict__.update(value.__dict__)
            return out
        return items
    if isinstance(value, str):
        return str(value)
    return value


_TRANSLATOR: Any = None


def _translator() -> Any:
    global _TRANSLATOR
    if _TRANSLATOR is None:
        import samtranslator.metrics.method_decorator as metrics

        # Every step of a translation is timed for CloudWatch metrics that nothing here publishes:
        # the steps imported from here on are left as they are written, without the timing wrapper.
        metrics.cw_timer = _untimed
        import boto3
        import samtranslator.translator.translator as translator_module
        from samtranslator.parser.parser import Parser
        from samtranslator.plugins.policies.policy_templates_plugin import PolicyTemplatesForResourcePlugin
        from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor
        from samtranslator.translator.translator import Translator

        # The translator re-validates its bundled policy templates against a JSON schema on every
        # call (30 ms, three quarters of a translation). They never change: validate once.
        processor = PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())
        translator_module.make_policy_template_for_function_plugin = lambda: PolicyTemplatesForResourcePlugin(processor)
        # Likewise it indexes the resource classes of its own modules (inspect.getmembers) on every call.
        translator_module.ResourceTypeResolver = _shared_resolvers(translator_module.ResourceTypeResolver)
        # Steps imported before, if any, record their latency in a process-wide list that only grows: not kept.
        metrics._send_cw_metric = lambda *args, **kwargs: None
        _faster_copies()
        _faster_resources(translator_module)

        for name in ("samtranslator", "botocore", "boto3"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        session = boto3.Session(region_name="us-east-1", aws_access_key_id="offline", aws_secret_access_key="offline")
        _TRANSLATOR = (Translator, Parser, _SettledSession(session))
    translator_cls, parser_cls, session = _TRANSLATOR
    return translator_cls(None, parser_cls(), boto_session=session)


class _SettledSession:
    """The boto3 session samtranslator is given, with its region asked once.

    A translation asks the session for its region four times; each answer walks botocore's configuration
    chain (instance variables, then environment, then config files), where the session's own ``region_name``
    was set and is found first. Anything else is asked of the session itself."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.region_name = session.region_name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _untimed(_func: Any = None, name: str | None = None, prefix: str | None = None) -> Any:
    """samtranslator's ``cw_timer`` decorator without the timing: the function itself."""
    return (lambda func: func) if _func is None else _func


def _faster_copies() -> None:
    """The same results with less work, in three places samtranslator spends a third of a translation.

    * ``SamResourceType.has_value`` iterates over the enum for every resource it looks at: a set.
    * ``Py27Dict.__deepcopy__`` (OpenAPI documents are copied for each event added to them) sends
      every key and value through ``copy.deepcopy``: strings and numbers, which that returns
      unchanged without remembering them, are taken as they are, and lists and samtranslator's own
      containers go to their copier without ``copy.deepcopy``'s generic dispatch (remembered alike).
      Plain dicts inside them, and the documents the API editors copy in and out, take the same path.
    * ``Py27Keys.__deepcopy__`` re-inserts every key into an emulated Python 2.7 hash table. Where
      the keys land depends only on the keys (their Python 2.7 hashes and equality) and their order,
      so the layout is remembered per key tuple and the copy is given the same keys in the same slots.
    """
    import copy

    from samtranslator.open_api import open_api as open_api_module
    from samtranslator.sdk.resource import SamResourceType
    from samtranslator.swagger import swagger as swagger_module
    from samtranslator.utils import py27hash_fix

    values = frozenset(item.value for item in SamResourceType)
    any_value = SamResourceType.has_value

    def has_value(cls: Any, value: str) -> bool:
        try:
            return value in values
        except TypeError:  # unhashable: only equality can tell
            return bool(any_value(value))

    SamResourceType.has_value = classmethod(has_value)  # type: ignore[assignment,method-assign]

    deepcopy = copy.deepcopy
    same = frozenset((str, LStr, int, float, bool, type(None), py27hash_fix.Py27UniStr, py27hash_fix.Py27LongInt))
    plain_setitem, plain_items = dict.__setitem__, dict.items
    missing = object()

    def copy_of(value: Any, memo: dict[int, Any]) -> Any:
        """``copy.deepcopy(value, memo)``: samtranslator's containers and located values are handed to their
        copier directly, remembered in ``memo`` as ``copy.deepcopy`` remembers them."""
        copier = copiers.get(type(value))
        if copier is None:
            return deepcopy(value, memo)
        found = memo.get(id(value), missing)
        if found is missing:
            found = memo[id(value)] = copier(value, memo)
        return found

    def dict_deepcopy(self: Any, memo: dict[int, Any]) -> Any:
        result = self.__class__.__new__(self.__class__)
        for name, value in self.__dict__.items():
            setattr(result, name, copy_of(value, memo))
        for key, value in plain_items(self):
            plain_setitem(
                result,
                key if type(key) in same else copy_of(key, memo),
                value if type(value) in same else copy_of(value, memo),
            )
        return result

    def list_copy(self: list[Any], memo: dict[int, Any]) -> list[Any]:
        out: list[Any] = []
        memo[id(self)] = out  # before the items, as copy.deepcopy does
        out.extend(value if type(value) in same else copy_of(value, memo) for value in self)
        return out

    keys_cls = py27hash_fix.Py27Keys
    keys_deepcopy = keys_cls.__deepcopy__
    dummy = keys_cls.DUMMY
    layouts: dict[tuple[Any, ...], tuple[tuple[int, ...], tuple[int, ...], int, int, int]] = {}

    def keys_copy(self: Any, memo: dict[int, Any]) -> Any:
        order = self.keyorder
        keys = list(map(order.__getitem__, sorted(order)))  # Py27Keys.keys(), deleted ones included
        if keys.count(dummy):
            keys = [k for k in keys if k is not dummy]
        if not same.issuperset(map(type, keys)) or len(layouts) > 50_000:
            return keys_deepcopy(self, memo)
        signature = tuple(keys)
        layout = layouts.get(signature)
        if layout is None:
            built = keys_deepcopy(self, memo)
            position = {id(k): i for i, k in enumerate(keys)}
            layouts[signature] = (
                tuple(built.keyorder), tuple(position[id(k)] for k in built.keyorder.values()),
                built.size, built.fill, built.mask,
            )
            return built
        slots, indexes, size, fill, mask = layout
        out = keys_cls.__new__(keys_cls)
        out.debug = False
        out.keyorder = dict(zip(slots, map(keys.__getitem__, indexes)))
        out.size, out.fill, out.mask = size, fill, mask
        return out

    def plain_dict_copy(self: dict[Any, Any], memo: dict[int, Any]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        memo[id(self)] = out  # before the entries, as copy.deepcopy does
        for key, value in self.items():
            out[key if type(key) in same else copy_of(key, memo)] = value if type(value) in same else copy_of(value, memo)
        return out

    copiers: dict[type, Callable[[Any, dict[int, Any]], Any]] = {
        py27hash_fix.Py27Dict: dict_deepcopy,
        keys_cls: keys_copy,
        list: list_copy,
        dict: plain_dict_copy,
        LDict: LDict.__deepcopy__,
        LList: LList.__deepcopy__,
    }

    py27hash_fix.Py27Dict.__deepcopy__ = dict_deepcopy  # type: ignore[method-assign]
    keys_cls.__deepcopy__ = keys_copy  # type: ignore[method-assign]

    def document_copy(document: Any) -> Any:
        """``copy.deepcopy(document)``, as the API editors take and give their documents."""
        return copy_of(document, {})

    swagger_module._deepcopy = document_copy
    open_api_module._deepcopy = document_copy


def _faster_resources(translator_module: Any) -> None:
    """The same results with less work, in two places a translation spends a fifth of its time.

    * ``Resource.__init__`` sets each of a resource's properties (a function has 60) to None through
      ``__setattr__``, which checks that the name is a property. Where that check always passes (the
      class keeps samtranslator's ``__setattr__``, and no property name is a descriptor on the class),
      the properties go into the instance's ``__dict__`` at once, in the same order.
    * ``translate`` ends by walking the whole output to rename ``DependsOn`` targets whose logical ids
      changed (layer versions); with none changed, the walk sets every value to itself: skipped.
    """
    import inspect

    from samtranslator.model import Resource
    from samtranslator.utils.actions import ResolveDependsOn

    original_init = Resource.__init__
    plain: dict[type, bool] = {}

    def init(
        self: Any, logical_id: Any, relative_id: Any = None, depends_on: Any = None, attributes: Any = None
    ) -> None:
        cls = type(self)
        simple = plain.get(cls)
        if simple is None:
            names = getattr(cls, "property_types", None)
            simple = plain[cls] = (
                type(names) is dict
                and cls.__setattr__ is Resource.__setattr__
                and not any(hasattr(inspect.getattr_static(cls, name, None), "__set__") for name in names)
            )
        if not simple:
            original_init(self, logical_id, relative_id, depends_on, attributes)
            return
        self.logical_id = self._validate_logical_id(logical_id)
        self.relative_id = relative_id
        self.depends_on = depends_on
        self.__dict__.update(dict.fromkeys(cls.property_types))
        self.resource_attributes = {}
        if attributes is not None:
            for attr, value in attributes.items():
                self.set_resource_attribute(attr, value)

    init.__wrapped__ = original_init  # type: ignore[attr-defined]
    Resource.__init__ = init  # type: ignore[method-assign]
    _faster_implicit_api_paths()
    _quiet_implicit_apis()
    _faster_traversal()
    _faster_iteration()

    traverse = translator_module.traverse

    def traverse_if_renamed(value: Any, actions: list[Any]) -> Any:
        if all(type(action) is ResolveDependsOn and not action.resolution_data for action in actions):
            return value
        return traverse(value, actions)

    translator_module.traverse = traverse_if_renamed


def _faster_implicit_api_paths() -> None:
    """The same result with less work where the implicit-API plugin spends a sixth of a translation.

    After adding the events' paths, ``_maybe_add_conditions_to_implicit_api_paths`` copies each managed API's
    definition into an editor, makes conditional every path whose methods all carry a condition, and puts a
    copy of the editor's document back. When no path is made conditional (no API event of a function with a
    ``Condition``), the document put back is a copy of the one taken out, equal to it: nothing to do but the
    plugin's ``template.set`` of each API. Whether that is so is asked with the plugin's own lookups, on the
    documents as they are; anything else (a path to make conditional, a document the editor would refuse, a
    lookup that fails) goes to the plugin's own method, which then does all of it as shipped.
    """
    from samtranslator.plugins.api.implicit_api_plugin import ImplicitApiPlugin

    original = ImplicitApiPlugin._maybe_add_conditions_to_implicit_api_paths

    def untouched(plugin: Any, api_id: Any, document: Any) -> bool:
        for path in document["paths"]:
            conditions = {condition for _, condition in plugin.api_conditions[api_id][path].items()}
            if conditions and None not in conditions:
                return False
        return True

    def add_conditions(self: Any, template: Any) -> Any:
        managed = [(api_id, api) for api_id, api in template.iterate({self.SERVERLESS_API_RESOURCE_TYPE})
                   if api.properties.get("__MANAGE_SWAGGER")]
        try:
            plain = all(
                _editor_accepts(self.EDITOR_CLASS, api.properties.get("DefinitionBody"))
                and untouched(self, api_id, api.properties["DefinitionBody"])
                for api_id, api in managed
            )
        except Exception:
            plain = False
        if not plain:
            return original(self, template)
        for api_id, api in managed:
            template.set(api_id, api)
        return None

    add_conditions.__wrapped__ = original  # type: ignore[attr-defined]
    ImplicitApiPlugin._maybe_add_conditions_to_implicit_api_paths = add_conditions  # type: ignore[method-assign]


def _quiet_implicit_apis() -> None:
    """No implicit API, and none of its work, for a template without events of the plugin's kind.

    Each implicit-API plugin (REST ``Api`` events, HTTP ``HttpApi`` events) adds a ``ServerlessRestApi`` /
    ``ServerlessHttpApi`` resource with a new OpenAPI document to every template, walks the functions and state
    machines for its events, copies every managed API's document through an editor and back, and removes the
    resource again when no event gave it a path. Where no function or state machine has an event of the plugin's
    kind (asked with the plugin's own ``_get_api_events``, on the resources its own ``iterate`` yields), no resource
    has the implicit API's id, and every managed API of the plugin's type has a document the editor takes and no
    paths (the plugin's path step would fail on a path without events), the plugin leaves the template as it was
    (documents put back equal to themselves): it is not run. Anything else, or a question that fails, runs it.
    """
    from samtranslator.plugins.api.implicit_api_plugin import ImplicitApiPlugin
    from samtranslator.sdk.resource import SamResourceType
    from samtranslator.sdk.template import SamTemplate

    original = ImplicitApiPlugin.on_before_transform_template
    holders = {SamResourceType.Function.value, SamResourceType.StateMachine.value}

    def quiet(plugin: Any, template_dict: Any) -> bool:
        resources = template_dict.get("Resources")
        if not isinstance(resources, dict) or plugin.IMPLICIT_API_LOGICAL_ID in resources:
            return False
        template = SamTemplate(template_dict)
        if any(plugin._get_api_events(resource) for _, resource in template.iterate(holders)):
            return False
        for _, api in template.iterate({plugin.SERVERLESS_API_RESOURCE_TYPE}):
            if api.properties.get("__MANAGE_SWAGGER"):
                document = api.properties.get("DefinitionBody")
                if not _editor_accepts(plugin.EDITOR_CLASS, document) or document["paths"]:
                    return False
        return True

    def on_before_transform_template(self: Any, template_dict: Any) -> Any:
        try:
            skip = quiet(self, template_dict)
        except Exception:
            skip = False
        if not skip:
            return original(self, template_dict)
        self.existing_implicit_api_resource = None  # what the plugin takes from a template without one
        return None

    on_before_transform_template.__wrapped__ = original  # type: ignore[attr-defined]
    ImplicitApiPlugin.on_before_transform_template = on_before_transform_template  # type: ignore[method-assign]


def _editor_accepts(editor_cls: Any, document: Any) -> bool:
    """Whether ``editor_cls(document)`` (samtranslator's Swagger or OpenAPI editor) succeeds: it raises on anything else."""
    from samtranslator.open_api.open_api import OpenApiEditor
    from samtranslator.utils.utils import dict_deep_get

    if not document or not editor_cls.is_valid(document):
        return False
    if editor_cls is OpenApiEditor:
        for path in ("components.securitySchemes", "definitions", "tags", "info"):
            dict_deep_get(document, path)  # raises where the editor would
    return True


def _faster_traversal() -> None:
    """The same walk in one call per value instead of three.

    ``IntrinsicsResolver._traverse`` (parameter, resource and logical-id references: every translation walks its
    whole output with it) calls the resolver method on every value, which returns any value that is not an intrinsic
    (a dict of one supported key) as it is, then walks dicts and lists through two more methods. Here the resolver
    method is called only on an intrinsic, and each dict entry and list item is set to what its walk returns, in the
    same order, through the container's own ``__setitem__``, as there. A resolver method other than the resolver's
    own three, or a subclass that changes how an intrinsic is recognised, is walked by the original.
    """
    from samtranslator.intrinsics.resolver import IntrinsicsResolver

    original = IntrinsicsResolver._traverse
    own = {
        IntrinsicsResolver._try_resolve_parameter_refs,
        IntrinsicsResolver._try_resolve_sam_resource_refs,
        IntrinsicsResolver._try_resolve_sam_resource_id_refs,
    }
    recognise = IntrinsicsResolver._is_intrinsic_dict

    def traverse(self: Any, input_value: Any, resolution_data: Any, resolver_method: Any) -> Any:
        bound_to: Any = getattr(resolver_method, "__self__", None)
        if (
            getattr(resolver_method, "__func__", None) not in own
            or bound_to is not self
            or type(bound_to)._is_intrinsic_dict is not recognise
        ):
            return original(self, input_value, resolution_data, resolver_method)
        supported = self.supported_intrinsics

        def walk(value: Any) -> Any:
            if len(resolution_data) == 0:
                return value
            if isinstance(value, dict):
                if len(value) == 1 and next(iter(value.keys())) in supported:
                    value = resolver_method(value, resolution_data)
                    if not isinstance(value, dict):
                        return walk_list(value) if isinstance(value, list) else value
                for key, item in value.items():
                    value[key] = walk(item)
                return value
            if isinstance(value, list):
                return walk_list(value)
            return value

        def walk_list(value: list[Any]) -> list[Any]:
            for index, item in enumerate(value):
                value[index] = walk(item)
            return value

        return walk(input_value)

    traverse.__wrapped__ = original  # type: ignore[attr-defined]
    IntrinsicsResolver._traverse = traverse  # type: ignore[method-assign]


def _faster_iteration() -> None:
    """The same resources with less work: every plugin walks the template once per resource type it handles.

    ``SamTemplate.iterate(types)`` wraps each resource in a ``SamResource`` and asks whether it is valid before it
    looks at the type. A resource whose ``Type`` is not a string among ``types`` is never yielded; wrapping it can
    only raise, on a ``Condition`` that is not a string, so such a resource (a dict with a string ``Condition`` or
    none) is passed over at once. Everything else goes through as shipped, in the same order.
    """
    from samtranslator.sdk.resource import SamResource
    from samtranslator.sdk.template import SamTemplate

    original = SamTemplate.iterate
    shipped = (SamResource.__init__, SamResource.valid)

    def iterate(self: Any, resource_types: set[str] | None = None) -> Any:
        if not resource_types or (SamResource.__init__, SamResource.valid) != shipped:
            yield from original(self, resource_types)
            return
        for logical_id, resource_dict in self.resources.items():
            if isinstance(resource_dict, dict):
                kind = resource_dict.get("Type")
                if not isinstance(kind, str) or kind not in resource_types:
                    condition = resource_dict.get("Condition")
                    if not condition or isinstance(condition, str):
                        continue
            resource = SamResource(resource_dict)
            if resource.valid() and resource.type in resource_types:
                yield logical_id, resource

    iterate.__wrapped__ = original  # type: ignore[attr-defined]
    SamTemplate.iterate = iterate  # type: ignore[method-assign]


def _shared_resolvers(resolver_cls: Any) -> Any:
    """``ResourceTypeResolver(*modules)``, built once per set of modules: it only maps type names to classes."""
    built: dict[tuple[Any, ...], Any] = {}

    def resolver(*modules: Any) -> Any:
        if modules not in built:
            built[modules] = resolver_cls(*modules)
        return built[modules]

    return resolver


def _is_local(uri: Any) -> bool:
    return isinstance(uri, str) and not uri.startswith(("s3://", "https://", "http://"))


def _prepare_sam(
    template: dict[str, Any],
    base: Path,
    seen: looks.Looks,
    root: Path | None = None,
    refused: list[str] | None = None,
) -> dict[str, Path]:
    """Rewrite what the translator cannot take offline; return each function's code dir.
    A definition file (``DefinitionUri``) is read through ``seen``, which remembers its text. A definition
    outside ``root`` is never read: its URI is added to ``refused``. The file system is seen through ``seen``."""
    globals_fn = ((template.get("Globals") or {}).get("Function") or {}) if isinstance(template.get("Globals"), Mapping) else {}
    if not isinstance(globals_fn, Mapping):
        globals_fn = {}
    code_dirs: dict[str, Path] = {}
    globals_code_uri = globals_fn.get("CodeUri")  # before it is replaced by a placeholder below
    if _is_local(globals_code_uri):
        globals_fn["CodeUri"] = _PLACEHOLDER_BUCKET + "globals.zip"  # type: ignore[index]
    resources = template.get("Resources") or {}
    for logical_id, res in resources.items():
        if not isinstance(res, dict):
            continue
        props = res.setdefault("Properties", LDict())
        if not isinstance(props, dict):
            continue
        kind = res.get("Type")
        if kind == "AWS::Serverless::Function":
            is_image = (props.get("PackageType") or globals_fn.get("PackageType")) == "Image"
            if is_image:
                if not props.get("ImageUri") and not globals_fn.get("ImageUri"):
                    props["ImageUri"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/placeholder:latest"
                props.pop("CodeUri", None)
                meta = res.get("Metadata")
                if isinstance(meta, Mapping) and isinstance(meta.get("DockerContext"), str):
                    code_dirs[str(logical_id)] = seen.real(base / meta["DockerContext"])
                continue
            if props.get("InlineCode") is not None:
                continue
            original = props.get("CodeUri", globals_code_uri)
            if original is None or _is_local(original):
                code_dirs[str(logical_id)] = seen.real(base / (original or "."))
                props["CodeUri"] = _PLACEHOLDER_BUCKET + f"{logical_id}.zip"
            elif not isinstance(original, str | Mapping) or (isinstance(original, Mapping) and "Bucket" not in original):
                props["CodeUri"] = _PLACEHOLDER_BUCKET + f"{logical_id}.zip"
        elif kind in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::Serverless::StateMachine"):
            uri = props.get("DefinitionUri")
            if _is_local(uri) and root is not None and not seen.inside(base / str(uri), root):
                if refused is not None:
                    refused.append(str(uri))
                props["DefinitionUri"] = _PLACEHOLDER_BUCKET + "definition.yaml"
            elif _is_local(uri):
                definition = _definition_text(base / str(uri), seen)
                body = _parse_definition(definition)
                if body is not None and kind != "AWS::Serverless::StateMachine":
                    props.pop("DefinitionUri")
                    props["DefinitionBody"] = body
                else:
                    props["DefinitionUri"] = _PLACEHOLDER_BUCKET + "definition.yaml"
        elif kind == "AWS::Serverless::LayerVersion" and _is_local(props.get("ContentUri")):
            code_dirs[LAYER_KEY + str(logical_id)] = seen.real(base / str(props["ContentUri"]))
            props["ContentUri"] = _PLACEHOLDER_BUCKET + "layer.zip"
        elif kind == "AWS::Serverless::Application":
            # Translating a nested application asks the Serverless Application Repository over
            # the network; a nested stack is what it becomes, so say that directly.
            res["Type"] = "AWS::CloudFormation::Stack"
            res["Properties"] = {"TemplateURL": "https://faasguard-placeholder.s3.amazonaws.com/app.yaml"}
    return code_dirs


def _definition_text(path: Path, seen: looks.Looks) -> str:
    """A definition file's text; "" when it cannot be read."""
    try:
        if not seen.is_file(path) or seen.size(path) > 5_000_000:
            return ""
        return seen.text(path)
    except (OSError, UnicodeDecodeError):
        return ""


def _parse_definition(text: str) -> Any:
    """The located document of a definition file's text; None when there is none."""
    try:
        return located_yaml.loads(text) if text else None
    except LoadFailure:
        return None


_SAM_TO_LAMBDA = {
    "Tracing": lambda v: ("TracingConfig", {"Mode": v}),
    "DeadLetterQueue": lambda v: ("DeadLetterConfig", {"TargetArn": v.get("TargetArn")} if isinstance(v, Mapping) else {}),
}


def _sam_fallback(template: Mapping[str, Any]) -> dict[str, Any]:
    """When translation fails, keep what maps one to one: functions with Globals merged."""
    out = dict(template)
    globals_ = template.get("Globals")
    globals_fn = globals_.get("Function") if isinstance(globals_, Mapping) else None
    resources = {}
    for logical_id, res in (template.get("Resources") or {}).items():
        if isinstance(res, Mapping) and res.get("Type") == "AWS::Serverless::Function":
            props = LDict(globals_fn if isinstance(globals_fn, Mapping) else {})
            own = res.get("Properties")
            props.update(own if isinstance(own, Mapping) else {})
            for key, convert in _SAM_TO_LAMBDA.items():
                if key in props:
                    new_key, value = convert(props.pop(key))
                    props[new_key] = value
            if isinstance(res.get("Properties"), LDict):
                props.key_lines = dict(getattr(globals_fn, "key_lines", {}))
                props.key_lines.update(res["Properties"].key_lines)
            new = LDict(res)
            new.line, new.end_line = getattr(res, "line", 0), getattr(res, "end_line", 0)
            new["Type"] = "AWS::Lambda::Function"
            new["Properties"] = props
            resources[logical_id] = new
        else:
            resources[logical_id] = res
    out["Resources"] = resources
    return out
