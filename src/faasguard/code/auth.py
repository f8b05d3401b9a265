"""When a verifier call does not verify: the ``unless`` conditions of shared.toml's verifier rows.

``jwt.decode(token, options={"verify_signature": False})`` reads the claims of any token,
signed or forged; so do PyJWT 1.x's ``verify=False`` and ``algorithms=["none"]``. A handler
that makes such a call has not authenticated its caller, whatever the callee's name says
(CWE-347): the route stays "unauthenticated" for FG-INJ-001 and the attack paths.
"""

from __future__ import annotations

import ast
from functools import cache

from faasguard.code.facts import AuthCheck
from faasguard.code.taint_model import ModelError, shared
from faasguard.model import Loc

CONDITIONS = {"signature-check-off", "algorithm-none"}
UNVERIFIED = "JWT decoded without a signature check"


@cache
def _decoders(language: str) -> dict[str, str]:
    """Calls that read a token's claims without verifying it (shared.toml unverified_decoder rows)."""
    return {call: row["label"] for row in shared().get("unverified_decoder", []) if row["language"] == language
            for call in row["call"]}


def python_auth_check(what: str | None, qual: str | None, node: ast.AST, loc: Loc) -> AuthCheck | None:
    """What a call the handler makes says about its caller: a verification (``what`` from the verifier rows), a
    token read without one (a verifier told not to verify, an unverified decoder), or nothing."""
    if qual is None:
        return None
    if what is not None:
        if python_verification_off(qual, node):
            return AuthCheck(UNVERIFIED, qual, loc, verified=False)
        return AuthCheck(what, qual, loc)
    label = _decoders("python").get(qual)
    return AuthCheck(label, qual, loc, verified=False) if label is not None else None


def js_auth_check(what: str | None, qual: str, loc: Loc) -> AuthCheck | None:
    if what is not None:
        return AuthCheck(what, qual, loc)
    label = _decoders("javascript").get(qual)
    return AuthCheck(label, qual, loc, verified=False) if label is not None else None


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
