"""Resolve CloudFormation intrinsic functions as far as a static reader honestly can.

Three questions matter to the model builder:

* *which resource does this value name?* ``!Ref Role``, ``!GetAtt Role.Arn`` and
  ``!Sub "${Role.Arn}"`` all name ``Role`` (:meth:`Intrinsics.target`);
* *is this value a literal the author typed?* (:func:`is_literal`) — references,
  dynamic references (``{{resolve:…}}``) and imports are not, and must never be
  reported as hard-coded secrets;
* *what does it read like?* (:meth:`Intrinsics.text`) — ``arn:aws:s3:::${Bucket}/*`` for
  messages and for ARN comparison, with parameters replaced by their defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# "{" cannot occur in a variable name; excluding it keeps "${${${…" (60k openers) linear.
_SUB_VAR = re.compile(r"\$\{([^}!{]+)\}")
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


def is_literal(value: Any) -> bool:
    """A plain scalar the template author wrote, not a reference of any kind."""
    if isinstance(value, bool | int | float):
        return True
    if not isinstance(value, str):
        return False
    return "{{resolve:" not in value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


_PLAIN_GETATT = re.compile(r"([A-Za-z0-9]+)\.(Arn|[A-Z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)?)")


class Intrinsics:
    """Intrinsic resolution within one template (its resources and parameters)."""

    def __init__(self, resources: Mapping[str, Any], parameters: Mapping[str, Any] | None = None):
        self.resources = resources
        self.parameters = parameters or {}

    def target(self, value: Any) -> str | None:
        """The logical id of the resource that ``value`` refers to, if it refers to exactly one.

        A plain ``"Role.Arn"`` string whose first part is a resource of the template reads as
        ``Fn::GetAtt`` (JSON templates written without the intrinsic, as some published fixtures are).
        """
        if isinstance(value, str):
            match = _PLAIN_GETATT.fullmatch(value)
            return match.group(1) if match and match.group(1) in self.resources else None
        if isinstance(value, Mapping) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref" and isinstance(arg, str) and arg in self.resources:
                return arg
            if fn == "Fn::GetAtt":
                name = arg[0] if isinstance(arg, list) and arg else arg.split(".")[0] if isinstance(arg, str) else None
                return name if isinstance(name, str) and name in self.resources else None
            if fn == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) and arg else arg
                if isinstance(text, str):
                    names = {m.split(".")[0] for m in _SUB_VAR.findall(text)}
                    hits = [n for n in names if n in self.resources]
                    if len(hits) == 1:
                        return hits[0]
                    if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], Mapping):
                        inner = [t for v in arg[1].values() if (t := self.target(v))]
                        if len(inner) == 1:
                            return inner[0]
            if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                inner = [t for v in as_list(arg[1]) if (t := self.target(v))]
                if len(inner) == 1:
                    return inner[0]
            if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                return self.target(arg[1]) or self.target(arg[2])
        return None

    def targets(self, value: Any) -> list[str]:
        """Every resource a list (or single value) refers to."""
        return [t for v in as_list(value) if (t := self.target(v))]

    def parameter_default(self, name: str) -> Any:
        param = self.parameters.get(name)
        if isinstance(param, Mapping):
            return param.get("Default")
        return None

    def scalar(self, value: Any) -> Any:
        """A literal value: the value itself, or a parameter's default. None when unknown."""
        if isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, Mapping) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref" and isinstance(arg, str):
                default = self.parameter_default(arg)
                return default if isinstance(default, bool | int | float | str) else None
            if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                return self.scalar(arg[1])
        return None

    def text(self, value: Any) -> str:
        """A readable rendering: literals as they are, references as ``${Name}``."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        if isinstance(value, list):
            return ",".join(self.text(v) for v in value)
        if isinstance(value, Mapping) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref" and isinstance(arg, str):
                if arg in PSEUDO:
                    return PSEUDO[arg]
                default = self.parameter_default(arg)
                if arg not in self.resources and isinstance(default, str | int) and default != "":
                    return str(default)
                return "${" + arg + "}"
            if fn == "Fn::GetAtt":
                parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return "${" + ".".join(self.text(p) for p in parts) + "}"
            if fn == "Fn::Sub":
                template, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
                if not isinstance(template, str):
                    return self.text(template)

                def sub(match: re.Match[str]) -> str:
                    name = match.group(1)
                    if isinstance(variables, Mapping) and name in variables:
                        return self.text(variables[name])
                    if name in PSEUDO:
                        return PSEUDO[name]
                    default = self.parameter_default(name)
                    if name not in self.resources and isinstance(default, str | int) and default != "":
                        return str(default)
                    return match.group(0)

                return _SUB_VAR.sub(sub, template)
            if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                return self.text(arg[0]).join(self.text(v) for v in as_list(arg[1]))
            if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                return self.text(arg[1])
            if fn == "Fn::ImportValue":
                return "${Import:" + self.text(arg) + "}"
            return "${" + fn + "}"
        return str(value)

    def is_reference(self, value: Any) -> bool:
        """True when the value is computed by CloudFormation rather than typed in."""
        if isinstance(value, Mapping):
            if len(value) == 1:
                (fn, arg), = value.items()
                if fn == "Fn::Sub":
                    template = arg[0] if isinstance(arg, list) and arg else arg
                    return not isinstance(template, str) or bool(_SUB_VAR.search(template)) or "{{resolve:" in template
                if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                    return any(self.is_reference(v) for v in as_list(arg[1]))
            return True
        return not is_literal(value)
