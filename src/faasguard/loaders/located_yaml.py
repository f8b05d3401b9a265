"""YAML and JSON with a line number on every node, and CloudFormation's short tags.

Built on PyYAML's ``compose()`` with the libyaml C parser: composing gives a node
tree where every node, scalars included, carries its position. We then build
plain Python values ourselves, which lets us

* attach lines (``LDict.line``, ``LDict.key_lines``, ``LList.item_lines``, ``LStr.line``),
* turn ``!Ref x`` / ``!GetAtt A.B`` / ``!Sub …`` into their long forms,
* keep the last value of a duplicate key, as CloudFormation does, instead of rejecting it,
* keep YAML 1.1 dates (``Version: 2012-10-17``) as text,
* refuse alias bombs and absurd nesting with a clear error instead of running out of memory.
"""

from __future__ import annotations

import json
import operator
import re
from typing import Any

import yaml

from faasguard import cache

try:
    from yaml import CSafeLoader as _Base
except ImportError:  # pragma: no cover - wheels ship libyaml
    from yaml import SafeLoader as _Base  # type: ignore[assignment]

_PLAIN_TAGS: dict[str, str] = {}  # a plain scalar's implicit tag (int, bool, null, ... or str), by its text
_RESOLVER = yaml.resolver.Resolver()  # the safe loaders' resolver


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """libyaml's composer calls back into Python for every node: these callbacks do the least.

    There are no path resolvers (``yaml.add_path_resolver``) in a safe loader, so descending and
    ascending have nothing to record; a plain scalar's implicit tag depends on its text alone, so it
    is remembered (bounded), and every other node gets the default tag of its kind, as in PyYAML.
    Descending and ascending are C functions that ignore their arguments: the cheapest calls there are."""

    descend_resolver = staticmethod(operator.is_)  # type: ignore[assignment]  # (node, index): nothing to record
    ascend_resolver = staticmethod(tuple)  # type: ignore[assignment]  # (): nothing to record

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is _SCALAR:
            if not implicit[0]:
                return _STR
            tag = _PLAIN_TAGS.get(value)
            return tag if tag is not None else _plain_tag(value)
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


def _plain_tag(value: str) -> str:
    """The implicit tag of a plain scalar's text, as PyYAML's safe resolver gives it (remembered)."""
    tag = _PLAIN_TAGS.get(value)
    if tag is None:
        tag = str(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)))
        if len(_PLAIN_TAGS) > 200_000:
            _PLAIN_TAGS.clear()
        _PLAIN_TAGS[value] = tag
    return tag

MAX_NODES = 1_000_000
MAX_DEPTH = 400


class LoadFailure(Exception):
    """The file is not loadable; the message is a sentence for the user."""


class LDict(dict[str, Any]):
    """A mapping that remembers where it and each of its keys were written."""

    line: int = 0
    end_line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line) if hasattr(self, "key_lines") else self.line

    def __deepcopy__(self, memo: dict[int, Any]) -> LDict:
        # copy.deepcopy's generic path costs ~10x more; SAM translation deep-copies whole templates.
        # A shallow copy first (in C), then each value that is not immutable replaced, in its place.
        out = LDict(self)
        for k, v in self.items():
            if type(v) not in _SHARED:
                out[k] = clone(v)
        out.__dict__.update(self.__dict__)
        return out


class LList(list[Any]):
    line: int = 0
    end_line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[index] if index < len(lines) else self.line

    def __deepcopy__(self, memo: dict[int, Any]) -> LList:
        out = LList([v if type(v) in _SHARED else clone(v) for v in self])
        out.__dict__.update(self.__dict__)
        return out


class LStr(str):
    line: int = 0
    end_line: int = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> LStr:
        return self  # immutable, as in clone(): copy.deepcopy would rebuild it through __reduce_ex__


_SHARED = frozenset((str, LStr, int, float, bool, type(None)))  # immutable: a copy is the value itself


def clone(value: Any) -> Any:
    """A deep copy of located values that keeps their lines (strings are immutable: shared)."""
    kind = type(value)
    if kind in _SHARED:
        return value
    if kind is LDict or kind is LList or isinstance(value, LDict | LList):
        return value.__deepcopy__({})
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


_SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
}
_SCALAR_RESOLVE = {
    "tag:yaml.org,2002:null": None,
}


def _intrinsic_name(tag: str) -> str:
    return _SHORT_TAGS.get(tag, "Fn::" + tag[1:])


_SCALAR = yaml.ScalarNode
_MAPPING = yaml.MappingNode
_SEQUENCE = yaml.SequenceNode
_STR = "tag:yaml.org,2002:str"
_QUOTED = frozenset(("'", '"', "|", ">"))


class _Builder:
    """Located values from composed nodes. The hot paths (plain strings, mappings of them) are
    written out inline: a template has hundreds of thousands of nodes."""

    def __init__(self) -> None:
        self.count = 0

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise LoadFailure(
                f"the document expands to more than {MAX_NODES:,} nodes (a YAML alias bomb?); skipped"
            )
        if depth > MAX_DEPTH:
            raise LoadFailure(f"nesting is deeper than {MAX_DEPTH} levels; skipped")
        tag = node.tag
        if tag[:1] == "!" and tag[:2] != "!!":
            return self._intrinsic(node, depth)
        kind = type(node)
        if kind is _SCALAR:
            if tag == _STR:
                return _located_str(node)
            return self._scalar(node)  # type: ignore[arg-type]
        if kind is _MAPPING:
            return self._mapping(node, depth)  # type: ignore[arg-type]
        if kind is _SEQUENCE:
            return self._sequence(node, depth)  # type: ignore[arg-type]
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, depth)
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

    def _intrinsic(self, node: yaml.Node, depth: int) -> LDict:
        name = _intrinsic_name(node.tag)
        if isinstance(node, yaml.ScalarNode):
            value: Any = _located_str(node)
            if name == "Fn::GetAtt":
                value = LList(value.split(".", 1))
                value.line = node.start_mark.line + 1
        else:
            value = self._mapping(node, depth) if isinstance(node, yaml.MappingNode) else self._sequence(node, depth)  # type: ignore[arg-type]
        out = LDict({name: value})
        out.line = node.start_mark.line + 1
        out.end_line = node.end_mark.line + 1
        out.key_lines = {name: out.line}
        return out

    def _mapping(self, node: yaml.MappingNode, depth: int) -> LDict:
        out = LDict()
        out.line = node.start_mark.line + 1
        out.end_line = _end_line(node)
        key_lines: dict[str, int] = {}
        out.key_lines = key_lines
        build = self.build
        child = depth + 1
        shallow = child <= MAX_DEPTH
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _STR and type(key_node) is _SCALAR and shallow:
                # A string key (nearly all of them) and a string value (most of them): what build() would
                # do, without the calls.
                self.count += 1
                if self.count > MAX_NODES:
                    raise LoadFailure(
                        f"the document expands to more than {MAX_NODES:,} nodes (a YAML alias bomb?); skipped"
                    )
                key: Any = _located_str(key_node)
                if value_node.tag == _STR and type(value_node) is _SCALAR:
                    self.count += 1
                    if self.count > MAX_NODES:
                        raise LoadFailure(
                            f"the document expands to more than {MAX_NODES:,} nodes (a YAML alias bomb?); skipped"
                        )
                    out[key] = _located_str(value_node)
                else:
                    out[key] = build(value_node, child)
                key_lines[key_node.value] = key_node.start_mark.line + 1
                continue
            elif key_tag == "tag:yaml.org,2002:merge":
                merged = build(value_node, child)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, LDict):
                        for k, v in part.items():
                            out.setdefault(k, v)
                            key_lines.setdefault(k, part.line_of(k))
                continue
            else:
                key = build(key_node, child)
                if isinstance(key, dict | list):
                    key = str(key)
                key = LStr(key) if not isinstance(key, LStr) else key
            out[key] = build(value_node, child)
            key_lines[str(key)] = key_node.start_mark.line + 1
        return out

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> LList:
        build = self.build
        child = depth + 1
        items = node.value
        out = LList([build(item, child) for item in items])
        out.line = node.start_mark.line + 1
        out.end_line = _end_line(node)
        out.item_lines = [item.start_mark.line + 1 for item in items]
        return out

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.style in _QUOTED:
            return _located_str(node)
        value = _plain_value(node.tag, node.value)
        return _located_str(node) if value is _TEXT else value


_TEXT = object()  # a plain scalar that stays text


def _plain_value(tag: str, text: str) -> Any:
    """The value of a plain scalar with its resolved tag, or :data:`_TEXT` when it stays a string."""
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() in ("true", "yes", "on", "y")
    if tag == "tag:yaml.org,2002:int":
        for base in (10, 0):
            try:
                return int(text.replace("_", ""), base)
            except ValueError:
                continue
        return _TEXT
    if tag == "tag:yaml.org,2002:float":
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return _TEXT
    return _TEXT


def _expanded_size(node: yaml.Node, memo: dict[int, int], depth: int = 0) -> int:
    """How many nodes building would create, counting each alias use; memoised, so cheap."""
    known = memo.get(id(node))
    if known is not None:
        return known
    if depth > MAX_DEPTH:
        raise LoadFailure(f"nesting is deeper than {MAX_DEPTH} levels; skipped")
    memo[id(node)] = MAX_NODES + 1  # a node that contains itself expands forever
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(item, memo, depth + 1) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(
            _expanded_size(k, memo, depth + 1) + _expanded_size(v, memo, depth + 1) for k, v in node.value
        )
    memo[id(node)] = size
    return size


def _end_line(node: yaml.Node) -> int:
    """The last line that holds part of the node (a block ends where its last value ends)."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value and node.flow_style is not True:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    end = node.end_mark
    return end.line if end.column == 0 and end.line > node.start_mark.line else end.line + 1


def _located_str(node: yaml.Node) -> LStr:
    out = LStr(node.value)
    start, end = node.start_mark.line, node.end_mark
    # Most scalars sit on one line; a block scalar ends at column 0 of the line after its text.
    last = end.line
    attributes = out.__dict__
    attributes["line"] = start + 1
    attributes["end_line"] = start + 1 if last == start else (last if end.column == 0 else last + 1)
    return out


def loads(text: str) -> Any:
    """Parse one YAML (or JSON) document into located values (through the parse cache).

    Raises :class:`LoadFailure` with a user-facing sentence for anything unloadable.
    """
    return cache.memo("yaml", text, lambda: _loads(text))


def parse(text: str) -> Any:
    """:func:`loads` without the parse cache, for a caller that caches what it derives from the text."""
    return _loads(text)


def _loads(text: str) -> Any:
    if text.lstrip(" \t\r\n")[:1] == "{":
        value = _loads_json(text)
        if value is not _NOT_JSON:
            return value
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise LoadFailure(f"{where}{exc.problem or exc.context or 'invalid YAML'}") from None
    except yaml.YAMLError as exc:
        raise LoadFailure(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise LoadFailure(f"nesting is deeper than {MAX_DEPTH} levels; skipped") from None
    if node is None:
        return None
    try:
        # Only anchors (`&name`) can make a document expand beyond its text: skip the count without one.
        if "&" in text and _expanded_size(node, {}) > MAX_NODES:
            raise LoadFailure(
                f"the document expands to more than {MAX_NODES:,} nodes (a YAML alias bomb?); skipped"
            )
        return _Builder().build(node)
    except RecursionError:
        raise LoadFailure(f"nesting is deeper than {MAX_DEPTH} levels; skipped") from None


# -- JSON -------------------------------------------------------------------------------
# A JSON document is YAML, and what libyaml and the builder above make of it is rebuilt here from
# its tokens, in a tenth of the time: CDK output is JSON, often megabytes of it. Whatever this path
# cannot promise to read exactly as YAML does goes to YAML instead (:data:`_NOT_JSON`).

_NOT_JSON = object()
_JSON_TOKEN = re.compile(r'([ \t\r\n,:]*)("[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|[^ \t\r\n,:\[\]{}"]+)')
# What YAML reads differently from JSON, or refuses: line breaks other than \n and \r\n (inside a string
# YAML folds them), characters YAML does not print, escaped surrogates (YAML refuses them).
_YAML_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")
_LONE_CR = re.compile("\r(?!\n)")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONGEST_KEY = 1000  # YAML refuses a flow key longer than 1024 characters: leave those to it


def _json_safe(text: str) -> bool:
    """Whether YAML reads the text as JSON does (given that it is JSON)."""
    if text.isascii():  # JSON allows no other control characters than these, and only between tokens
        if "\x7f" in text:
            return False
    elif _YAML_UNPRINTABLE.search(text):
        return False
    if "\r" in text and _LONE_CR.search(text):
        return False
    return not ("\\u" in text and _SURROGATE_ESCAPE.search(text))


def _loads_json(text: str) -> Any:
    """The located values YAML would give for a JSON document whose top is a mapping, or :data:`_NOT_JSON`."""
    try:
        json.loads(text)  # strict JSON: what follows reads only valid documents
    except (ValueError, RecursionError):
        return _NOT_JSON
    if not _json_safe(text):
        return _NOT_JSON
    tokens = _JSON_TOKEN.findall(text)
    if len(tokens) > MAX_NODES:
        return _NOT_JSON
    line = 1
    # Each open container: [value, its lines (key_lines or item_lines), its line, and in a mapping the pending
    # key, its line and its text]
    stack: list[list[Any]] = []
    top: list[Any] = [None, None, 0, None, 0, ""]  # the document
    in_dict = False
    for separator, token in tokens:
        if "\n" in separator:
            line += separator.count("\n")
        first = token[0]
        if first == '"':
            chars = token[1:-1] if "\\" not in token else json.loads(token)
            value: Any = LStr(chars)
            attributes = value.__dict__
            attributes["line"] = attributes["end_line"] = line
            if in_dict:
                if top[3] is None:
                    if len(token) > _LONGEST_KEY:
                        return _NOT_JSON
                    top[3], top[4], top[5] = value, line, chars
                    continue
                top[0][top[3]] = value
                top[1][top[5]] = top[4]
                top[3] = None
                continue
            start = line
        elif first == "{" or first == "[":
            if len(stack) >= MAX_DEPTH // 2:
                return _NOT_JSON
            stack.append(top)
            in_dict = first == "{"
            container: Any = LDict() if in_dict else LList()
            container.line = line
            lines: Any = {} if in_dict else []
            if in_dict:
                container.key_lines = lines
            else:
                container.item_lines = lines
            top = [container, lines, line, None, 0, ""]
            continue
        elif first == "}" or first == "]":
            value = top[0]
            value.end_line = line
            start = top[2]
            top = stack.pop()
            in_dict = type(top[0]) is LDict
        else:
            value = _plain_value(_plain_tag(token), token)
            if value is _TEXT:
                value = LStr(token)
                attributes = value.__dict__
                attributes["line"] = attributes["end_line"] = line
            start = line
        if in_dict:
            top[0][top[3]] = value
            top[1][top[5]] = top[4]
            top[3] = None
        elif top[0] is None:
            return value  # the document is complete (json.loads read nothing after it)
        else:
            top[0].append(value)
            top[1].append(start)
    return _NOT_JSON


def line_of(value: Any, default: int = 0) -> int:
    return int(getattr(value, "line", 0) or default)


def end_line_of(value: Any, default: int = 0) -> int:
    return int(getattr(value, "end_line", 0) or default)
