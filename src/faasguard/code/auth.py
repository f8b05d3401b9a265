"""When a verifier call does not verify: the ``unless`` conditions of shared.toml's verifier rows.

``jwt.decode(token, options={"verify_signature": False})`` reads the claims of any token,
signed or forged; so do PyJWT 1.x's ``verify=False`` and ``algorithms=["none"]``. A handler
that makes such a call has not authenticated its caller, whatever the callee's name says
(CWE-347): the route stays "unauthenticated" for FG-INJ-001 and the attack paths.
"""

from __future__ import annotations

import ast
from functools import cache

from faasguard.code.taint_model import ModelError, shared

CONDITIONS = {"signature-check-off", "algorithm-none"}


@cache
def _unless(language: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for row in shared().get("verifier", []):
        if row["language"] != language:
            continue
        conditions = tuple(row.get("unless", ()))
        unknown = set(conditions) - CONDITIONS
        if unknown:
            raise ModelError(f"shared.toml verifier: unknown condition(s) {', '.join(sorted(unknown))}")
        for call in row["call"]:
            out[call] = conditions
    return out


def python_verification_off(qual: str | None, node: ast.AST) -> bool:
    """True when the verifier call ``node`` (to ``qual``) is told not to check the signature."""
    conditions = _unless("python").get(qual or "", ())
    if not conditions or not isinstance(node, ast.Call):
        return False
    keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
    if "signature-check-off" in conditions and (_false(keywords.get("verify")) or _option_off(keywords.get("options"))):
        return True
    return "algorithm-none" in conditions and _lists_none(keywords.get("algorithms"))


def _false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _option_off(node: ast.expr | None) -> bool:
    """``{"verify_signature": False}`` or ``dict(verify_signature=False)``."""
    if isinstance(node, ast.Dict):
        return any(isinstance(k, ast.Constant) and k.value == "verify_signature" and _false(v)
                   for k, v in zip(node.keys, node.values, strict=True))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return any(kw.arg == "verify_signature" and _false(kw.value) for kw in node.keywords)
    return False


def _lists_none(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.lower() == "none"
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(_lists_none(e) for e in node.elts)
    return False
