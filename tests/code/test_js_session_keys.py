"""Express/Koa session middlewares signed with a literal secret: FG-SEC-010 (medium; a well-known default at low)."""

from __future__ import annotations

from tests.code.test_tables import facts


def _keys(tmp_path, code: str, name: str = "app.js") -> list[tuple[str, str | None, int | None]]:
    return sorted((s.kind, s.name, s.loc.line) for s in facts(tmp_path, name, code).secrets if "signing key" in s.kind)


def test_express_session_secret_literal(tmp_path):
    code = "\n".join(['const express = require("express");', 'const session = require("express-session");',
                      'const cookieParser = require("cookie-parser");', "const app = express();",
                      'app.use(session({ secret: "9f8Kq2LmZx7TvR4pW1sN", resave: false }));',
                      'app.use(cookieParser("keyboard cat"));',
                      "app.use(session({ secret: process.env.SESSION_SECRET }));  // from the environment: quiet",
                      "exports.handler = async (event) => ({ statusCode: 200 });", ""])
    assert _keys(tmp_path, code) == [("default session signing key", "cookie-parser", 6),
                                     ("session signing key", "express-session secret", 5)]


def test_esm_cookie_session_keys_array(tmp_path):
    code = "\n".join(['import cookieSession from "cookie-session";', 'import express from "express";',
                      "const app = express();", 'app.use(cookieSession({ name: "s", keys: ["b7Hq93LmPz0Xw5Rt", "changeme"] }));',
                      "export const handler = async (event) => ({ statusCode: 200 });", ""])
    assert _keys(tmp_path, code, "app.mjs") == [("default session signing key", "cookie-session keys", 4),
                                                        ("session signing key", "cookie-session keys", 4)]


def test_a_secret_key_outside_a_session_middleware_is_not_a_signing_key(tmp_path):
    code = "\n".join(['const session = require("express-session");',
                      'const other = configure({ secret: "9f8Kq2LmZx7TvR4pW1sN" });',
                      "exports.handler = async (event) => ({ statusCode: 200 });", ""])
    assert _keys(tmp_path, code) == []
