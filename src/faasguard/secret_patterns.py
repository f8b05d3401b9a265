"""Recognise credentials in literal strings: provider key formats, private keys, passwords.

Pure functions over text, shared by every rule that looks for secrets (environment
variables, template properties, handler source, ``.env`` files). Nothing here reads
files or knows about the model.

* :func:`find_secret` judges one value, optionally with the name it is assigned to
  (``DB_PASSWORD``, ``apiKey``): a known provider format anywhere in the value is a
  secret whatever the name; a literal under a password-like name is one unless it
  reads like a placeholder, a reference or an identifier.
* :func:`find_known_secrets` scans free text (a source file, a JSON blob) for the
  provider formats only, with offsets.
* :func:`looks_sensitive_name` tells a name that holds a secret (``CLIENT_SECRET``)
  from one that says where a secret lives (``SECRET_ARN``, ``TOKEN_TABLE``).
* :func:`mask` renders a secret for a message without revealing it.

False positives cost users trust, so the checks lean quiet: placeholders
(``changeme``, ``<your-key>``, ``${DB_PASSWORD}``), hashes under checksum names,
UUIDs, ARNs, URLs without credentials, numbers, booleans and short values are not
secrets.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from faasguard.code.modeldata import shared

Confidence = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class SecretMatch:
    """A secret found in a value: what kind, how sure, where, and a masked preview."""

    kind: str  # "AWS access key id", "GitHub token", "private key", "password-like variable" …
    confidence: Confidence
    start: int  # span of the secret inside the value
    end: int
    preview: str  # the secret masked for messages, never the full text

    @property
    def is_provider_format(self) -> bool:
        """A provider's key or token format (not a password that merely sits under a telling name)."""
        return self.kind not in (PASSWORD_LIKE, HIGH_ENTROPY, CONNECTION_PASSWORD)


PASSWORD_LIKE = "password-like variable"
MAX_VALUE_CHARS = 4096  # longer values are judged by provider formats only
HIGH_ENTROPY = "high-entropy string"
CONNECTION_PASSWORD = "password in connection string"


# -- known formats ----------------------------------------------------------------------

_B = r"(?<![A-Za-z0-9_])"  # left boundary: not glued to a longer token
_E = r"(?![A-Za-z0-9_])"  # right boundary
# Patterns must stay linear on hostile text. A format whose open-ended body may contain "-" (a JWT,
# an OpenAI key) starts only where no body character precedes: otherwise every "-eyJ" in
# "-eyJ-eyJ-eyJ…" is a start that scans to the end of the run (quadratic: 90k repeats took minutes).
_BD = r"(?<![A-Za-z0-9_\-])"

# (kind, confidence, pattern, group holding the secret). Ordered: the first match wins.
_FORMATS: tuple[tuple[str, Confidence, str, int], ...] = (
    ("private key", "high", r"-----BEGIN[A-Z0-9 ]{0,20}PRIVATE KEY( BLOCK)?-----", 0),
    ("AWS access key id", "high", _B + r"((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})" + _E, 1),
    ("GitHub token", "high", _B + r"(gh[pousr]_[A-Za-z0-9]{36,255})" + _E, 1),
    ("GitHub token", "high", _B + r"(github_pat_[A-Za-z0-9_]{60,255})" + _E, 1),
    ("GitLab token", "high", _B + r"(glpat-[A-Za-z0-9_\-]{20,})", 1),
    ("Slack webhook URL", "high", r"(https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9_/]{20,})", 1),
    ("Slack token", "high", _B + r"(xox[baprse]-[0-9A-Za-z]{8,}-[0-9A-Za-z-]{8,})", 1),
    ("Stripe live key", "high", _B + r"((?:sk|rk)_live_[0-9A-Za-z]{20,})" + _E, 1),
    ("Twilio API key", "high", _B + r"(SK[0-9a-f]{32})" + _E, 1),
    ("SendGrid API key", "high", _B + r"(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + _E, 1),
    ("Google API key", "high", _B + r"(AIza[0-9A-Za-z_\-]{35})" + r"(?![A-Za-z0-9_\-])", 1),
    ("Azure storage account key", "high", r"AccountKey=([A-Za-z0-9+/]{86}==)", 1),
    ("Azure shared access key", "high", r"SharedAccessKey=([A-Za-z0-9+/]{42,44}=?)", 1),
    ("OpenAI API key", "high", _BD + r"(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,})", 1),
    ("Anthropic API key", "high", _B + r"(sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_\-]{80,})", 1),
    ("npm token", "high", _B + r"(npm_[A-Za-z0-9]{36})" + _E, 1),
    ("PyPI token", "high", _B + r"(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})", 1),
    ("Shopify token", "high", _B + r"(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})" + _E, 1),
    ("Square token", "high", _B + r"(sq0(?:atp|csp)-[0-9A-Za-z_\-]{22,43})", 1),
    ("Mailchimp API key", "medium", _B + r"([0-9a-f]{32}-us[0-9]{1,2})" + _E, 1),
    ("Telegram bot token", "medium", _B + r"([0-9]{8,10}:AA[0-9A-Za-z_\-]{33})" + r"(?![A-Za-z0-9_\-])", 1),
    ("JSON Web Token", "medium", _BD + r"(eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})", 1),
)
_KNOWN = tuple((kind, conf, re.compile(pattern), group) for kind, conf, pattern, group in _FORMATS)
# Literal text each format must contain: a substring test is ~100x cheaper than running the
# regex over a whole source file, and almost every file contains none of them.
_ANCHORS: tuple[tuple[str, ...], ...] = (
    ("PRIVATE KEY",),
    ("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
    ("gho_", "ghp_", "ghu_", "ghs_", "ghr_"),
    ("github_pat_",),
    ("glpat-",),
    ("hooks.slack.com",),
    ("xox",),
    ("_live_",),
    ("SK",),
    ("SG.",),
    ("AIza",),
    ("AccountKey=",),
    ("SharedAccessKey=",),
    ("T3BlbkFJ",),
    ("sk-ant-",),
    ("npm_",),
    ("pypi-AgEIcHlwaS5vcmc",),
    ("shpat_", "shpca_", "shppa_", "shpss_"),
    ("sq0",),
    ("-us",),
    (":AA",),
    ("eyJ",),
)
assert len(_ANCHORS) == len(_KNOWN)
# One substring test per format; a format with several anchors is tested with one regex
# (re's literal-prefix search is ~5x faster than five `in` scans of a whole file).
_ANCHOR_TESTS: tuple[str | re.Pattern[str], ...] = tuple(
    anchors[0] if len(anchors) == 1 else re.compile("|".join(re.escape(a) for a in anchors)) for anchors in _ANCHORS
)
# The formats whose anchors all hold a character that is rare in code (a capital, a digit, "-" or ":"): one search
# for all of their anchors at once, each written to start at its first such character (``eyJ`` as ``J(?<=eyJ)``), skips
# every position without one, where testing the anchors one by one reads a whole file once each. Only a file where it
# finds one tests them one by one.
_RARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:")
_RARE_LED = tuple(all(any(char in _RARE for char in anchor) for anchor in anchors) for anchors in _ANCHORS)


def _from_rare(anchor: str) -> str:
    """A pattern that matches where ``anchor`` occurs, starting at its first rare character (a look-behind checks
    what comes before it)."""
    at = next(i for i, char in enumerate(anchor) if char in _RARE)
    head = f"(?<={re.escape(anchor[: at + 1])})" if at else ""
    return re.escape(anchor[at]) + head + re.escape(anchor[at + 1 :])


_RARE_ANCHORS = re.compile("|".join(_from_rare(a) for anchors, rare in zip(_ANCHORS, _RARE_LED, strict=True) if rare
                                    for a in anchors))
# What every text find_known_secrets finds something in contains: an anchor, the "://" of a URL, or
# (lower-cased) the "secret" of an AWS secret key's name or the "password"/"pwd" of a connection string.
# ``(?i)`` matches every character whose ``lower()`` is one of those letters (a test checks all of
# Unicode), so no text is skipped that the lower-cased tests would look at. One search of a short value
# costs less than the two dozen tests below; over a whole file those are cheaper (see _SHORT_TEXT).
_KNOWN_TRIGGER = re.compile("|".join(re.escape(a) for anchors in _ANCHORS for a in anchors) + r"|://|(?i:secret|password|pwd)")
_SHORT_TEXT = 512

# scheme://user:password@host — the password group must not be a template or placeholder.
_URL_PASSWORD = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@]*:([^\s@/]{1,200})@[^\s/@]+")
# What follows the "://" of every _URL_PASSWORD match (its pattern after "://", the host cut to one character).
_URL_TAIL = re.compile(r"[^\s:/@]*:[^\s@/]{1,200}@[^\s/@]")
# ADO.NET / JDBC style: "Server=db;User Id=app;Password=s3cret;" (only with a server or user beside it)
_KV_PASSWORD = re.compile(r"(?i)(?:^|[;\"'])\s*(?:password|pwd)\s*=\s*([^;'\"\s]+)")
# What a connection string has beside its password: ``server=…;``. Written as "a key, then a ';' somewhere
# after it" (see _kv_context) since ``key\s*=[^;]*;`` rescans to the end from every key (quadratic).
_KV_CONTEXT = re.compile(r"(?i)(?:server|host|data source|user id|uid|user|username|database|initial catalog)\s*=")
# What every _KV_PASSWORD match contains, for lower-cased ASCII text (a case-sensitive search is far cheaper).
_KV_KEY_LOWER = re.compile(r"(?:password|pwd)\s*=")
# The 40-character AWS secret access key; only trusted next to an AWS-ish name.
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])")
_AWS_SECRET_IN_TEXT = re.compile(
    r"(?i)aws_?secret_?(?:access_?)?key\s*[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
)


def mask(secret: str, *, min_length_to_show: int = 16) -> str:
    """``AKIA…(20 chars)``: enough to find the value, never enough to use it.

    Secrets shorter than ``min_length_to_show`` (passwords) show no character at all.
    """
    secret = secret.strip()
    header = re.match(r"-----BEGIN[A-Z0-9 ]*-----", secret)
    if header:
        return header.group(0) + "…"
    visible = 4 if len(secret) >= min_length_to_show else 0
    return f"{secret[:visible]}…({len(secret)} chars)"


_mask = mask


def find_known_secrets(text: str) -> Iterator[SecretMatch]:
    """Every provider-format secret in ``text`` (credentials in URLs included), in order of position."""
    if len(text) <= _SHORT_TEXT:
        if _KNOWN_TRIGGER.search(text) is None:
            return
        rare = True
    else:
        rare = _RARE_ANCHORS.search(text) is not None
    found: list[SecretMatch] = []
    for (kind, conf, pattern, group), anchor, rare_led in zip(_KNOWN, _ANCHOR_TESTS, _RARE_LED, strict=True):
        if (rare_led and not rare) or (anchor not in text if isinstance(anchor, str) else anchor.search(text) is None):
            continue
        at = _ANCHOR_AT.get(kind)
        for m in pattern.finditer(text) if at is None else _matches_at(pattern, text, _occurrences(text, *at)):
            secret = m.group(group)
            if _is_example(secret) or (kind == "private key" and not _has_key_body(text, m.end())):
                continue
            found.append(SecretMatch(kind, conf, m.start(group), m.end(group), _mask(secret)))
    lowered = text.lower()
    aws = _AWS_SECRET_IN_TEXT.finditer(text) if not text.isascii() else \
        _matches_at(_AWS_SECRET_IN_TEXT, text, _occurrences(lowered, "aws", 0))  # ASCII: lowered has text's offsets
    for m in aws if "secret" in lowered else ():
        if _random_enough(m.group(1)) and not _is_example(m.group(1)):
            found.append(SecretMatch("AWS secret access key", "high", m.start(1), m.end(1), _mask(m.group(1))))
    for pattern in (_URL_PASSWORD, _KV_PASSWORD):
        matches: Iterator[re.Match[str]]
        if pattern is _URL_PASSWORD:
            if "://" not in text:
                continue
            matches = _url_password_matches(text)
        else:
            if text.isascii() and not _KV_KEY_LOWER.search(lowered):
                continue
            if not (("password" in lowered or "pwd" in lowered) and _kv_context(text)):
                continue
            matches = pattern.finditer(text)
        for m in matches:
            password = m.group(1)
            if not _placeholder_password(password):
                preview = text[m.start() : m.start(1)] + "****" + text[m.end(1) : m.end()]
                if pattern is _KV_PASSWORD:
                    preview = "Password=****"
                found.append(SecretMatch(CONNECTION_PASSWORD, "high", m.start(1), m.end(1), preview.strip(" ;?&")))
    found.sort(key=lambda s: (s.start, -s.end))
    kept: list[SecretMatch] = []
    for match in found:  # overlapping hits (a JWT inside a URL) count once
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    yield from kept


# Formats whose every match begins a fixed distance before an anchor: "SK" starts a Twilio key, "-us" follows the 32
# hex digits of a Mailchimp one. Their regexes open with a look-behind, so re tries them at every position of a file
# that holds the anchor anywhere ("TASK", "-use"); tried only where the anchor puts a match, they find the same ones.
_ANCHOR_AT: dict[str, tuple[str, int]] = {"Twilio API key": ("SK", 0), "Mailchimp API key": ("-us", 32)}


def _occurrences(text: str, anchor: str, offset: int) -> Iterator[int]:
    """Where a match would start for each occurrence of ``anchor`` in ``text`` (``offset`` characters before it)."""
    found = text.find(anchor)
    while found >= 0:
        if found >= offset:
            yield found - offset
        found = text.find(anchor, found + 1)


def _matches_at(pattern: re.Pattern[str], text: str, starts: Iterator[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` when every position where ``pattern`` matches is among ``starts`` (in increasing
    order): the leftmost match at or after the end of the last one, as finditer finds them (no match is empty)."""
    end = 0
    for start in starts:
        if start >= end:
            m = pattern.match(text, start)
            if m is not None:
                yield m
                end = m.end()


def _kv_context(text: str) -> bool:
    """``_KV_CONTEXT`` followed by a ``;`` later in the text (the old ``key\\s*=[^;]*;``), in linear time."""
    last = text.rfind(";")
    return last > 0 and _KV_CONTEXT.search(text, 0, last) is not None


def _url_password_matches(text: str) -> Iterator[re.Match[str]]:
    """``_URL_PASSWORD.finditer(text)``, trying the pattern only where a match can start.

    A match starts with a 2-21 character scheme before ``://``, so the leftmost match at or
    after ``pos`` starts within 21 characters before the first ``://`` found at ``pos + 2`` or
    later: anchored attempts there find the same matches as scanning every position. Such a
    match's ``://`` is that one (a scheme holds no ":"), so none is tried where what follows it
    cannot be the rest of a match (``_URL_TAIL``: most URLs have no credentials).
    """
    pos = 0
    while True:
        sep = text.find("://", pos + 2)
        if sep < 0:
            return
        if _URL_TAIL.match(text, sep + 3) is None:  # a match through this "://" needs its user:password@host
            pos = sep - 1
            continue
        for start in range(max(pos, sep - 21), sep - 1):
            m = _URL_PASSWORD.match(text, start)
            if m is not None:
                yield m
                pos = m.end()
                break
        else:
            pos = sep - 1


def _has_key_body(text: str, after_header: int) -> bool:
    """A PEM header followed by real key material, not ``-----BEGIN PRIVATE KEY-----\\n...``."""
    body = text[after_header : after_header + 400].replace("\\n", "\n")
    return len(re.sub(r"[^A-Za-z0-9+/]", "", body.split("-----END", 1)[0])) >= 40


# -- names ------------------------------------------------------------------------------

_SENSITIVE_WORDS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "privatekey", "credential")
_SENSITIVE_TOKENS = {"pass", "pwd", "pw", "creds", "cred", "auth", "bearer"}
_KEY_QUALIFIERS = {
    "api", "access", "secret", "private", "signing", "encryption", "master", "hmac", "license", "app", "client",
    "account", "webhook", "subscription", "consumer", "service",
}
_SENSITIVE_COMPOUNDS = ("apikey", "accesskey", "secretkey", "privatekey", "clientsecret", "authtoken")
# Words that, after the sensitive word, turn the name into a pointer to where a secret lives.
_REFERENCE_TOKENS = {
    "arn", "name", "names", "table", "id", "ids", "parameter", "param", "params", "path", "url", "uri", "endpoint",
    "region", "bucket", "queue", "topic", "ttl", "expiry", "expires", "expiration", "header", "type", "length", "len",
    "min", "max", "field", "attribute", "attr", "prefix", "suffix", "store", "ssm", "location", "ref", "version",
    "stage", "policy", "count", "enabled", "enable", "disabled", "rotation", "timeout", "duration", "lifetime", "kms",
    "file", "dir", "issuer", "audience", "use", "scope", "manager", "provider", "service", "source", "lambda",
    "function", "role", "hash", "rules", "regex", "pattern", "format", "mode", "strategy", "flag", "required",
    "validity", "days", "seconds", "minutes", "hours", "cache", "size", "limit", "host", "port", "label", "tag",
    "key_id", "keyid", "sm", "vault", "index", "gsi", "column", "attempts", "retries", "policies", "reset", "mount",
    "env", "var", "variable", "resource", "secrets", "arns", "algorithm", "alg", "generator", "lookup",
    "cookie", "query", "claim", "claims", "level", "strength", "complexity", "validator", "iterations", "rounds", "public", "pub",
}
# The weak names of generated tokens (a long random value under them is a low-confidence secret).
_WEAK_TOKENS = {"key", "signature", "sig", "salt", "hmac", "jwt", "bearer", "cookie"}
# Every name find_secret reads as holding a secret (a sensitive token or word, a qualified key, a weak
# name) contains one of these, lower-cased (a test checks each word of the lists above): without one,
# only a provider format in the value is a secret. The code analyzer's gate reads the same row.
NAME_HINTS = tuple(shared()["sensitive_words"])
_CHECKSUM_TOKENS = {
    "hash", "checksum", "sha", "sha1", "sha256", "sha512", "md5", "digest", "etag", "fingerprint", "commit",
    "revision", "sum", "crc",
}
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def name_tokens(name: str) -> list[str]:
    """``dbPassword`` → ``["db", "password"]``; ``CLIENT_SECRET_ARN`` → ``["client", "secret", "arn"]``."""
    return [t.lower() for t in _CAMEL.findall(name)]


def _sensitive_index(tokens: list[str]) -> int | None:
    """Position of the last word that makes the name sensitive, or None."""
    hit = None
    for i, tok in enumerate(tokens):
        qualified_key = tok == "key" and i > 0 and tokens[i - 1].endswith(tuple(_KEY_QUALIFIERS))
        if tok in _SENSITIVE_TOKENS or any(word in tok for word in _SENSITIVE_WORDS + _SENSITIVE_COMPOUNDS) or qualified_key:
            hit = i
    return hit


def looks_sensitive_name(name: str | None) -> bool:
    """A name that holds a secret: ``DB_PASSWORD``, ``apiKey``, ``CLIENT_SECRET``, ``GITHUB_TOKEN``.

    Names that point at a secret are not: ``SECRET_ARN``, ``SECRET_NAME``,
    ``TOKEN_TABLE``, ``PASSWORD_PARAMETER``, ``API_KEY_HEADER``.
    """
    if not name:
        return False
    tokens = name_tokens(name)
    index = _sensitive_index(tokens)
    if index is None:
        return False
    return not any(tok in _REFERENCE_TOKENS for tok in tokens[index + 1 :])


def _aws_secret_name(tokens: list[str]) -> bool:
    joined = "".join(tokens)
    return "secretaccesskey" in joined or ("aws" in tokens and ("secret" in joined or "key" in tokens))


# -- values that are not secrets --------------------------------------------------------

_PLACEHOLDER_WORDS = {
    "changeme", "change", "replace", "replaceme", "your", "yours", "example", "examples", "dummy", "test", "testing",
    "sample", "placeholder", "todo", "fixme", "tbd", "redacted", "fake", "mock", "none", "null", "nil", "undefined",
    "foo", "bar", "foobar", "baz", "xxx", "na", "unset", "notset", "default", "insert", "here", "enter", "secret",
    "password", "token", "key", "value", "my", "some", "demo",
}
_FILLER_WORDS = _PLACEHOLDER_WORDS - {"secret", "password", "token", "key", "value", "my", "some", "demo", "default", "here"}
# Template syntax: ``${X}``, ``$(X)``, ``{{X}}``, ``#{X}``, ``%(x)s``, ``<your key>``, ``$NAME``, ``%NAME%``.
# The open/close pairs are tested by _has_template with str.find: as regexes (``\$\{[^}]*\}``) every
# opener of "${${${…" rescans to the end (quadratic).
_TEMPLATE = re.compile(r"<[^<>]{1,60}>|^\$[A-Za-z_][A-Za-z0-9_]*$|^%[A-Za-z_]+%$")


def _has_template(text: str) -> bool:
    for opener, closer in (("${", "}"), ("$(", ")"), ("#{", "}")):
        start = text.find(opener)
        if start >= 0 and text.find(closer, start + 2) >= 0:
            return True
    if "{{" in text:
        for line in text.split("\n"):  # ``{{.*?}}``: "." stops at a line end
            start = line.find("{{")
            if start >= 0 and line.find("}}", start + 2) >= 0:
                return True
    if "%(" in text:  # ``%\([^)]*\)s``: an opener before the first ")" that is followed by "s"
        previous = -1
        close = text.find(")")
        while close >= 0:
            if text.startswith(")s", close) and text.find("%(", previous + 1, close) >= 0:
                return True
            previous, close = close, text.find(")", close + 1)
    return bool(_TEMPLATE.search(text))
_FILLER = re.compile(r"example|x{3,}|\*{3,}|\.\.\.|…|change.?me|replace.?me|your.?(?:api|secret|key|token|pass)|do.?not.?use")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?$", re.I)
_BOOLEAN = {"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "enable", "disable", "y", "n"}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_./][a-z0-9]+)+$")
_HOST = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?::\d+)?$")
_PASSWORD_TOKENS = {"password", "passwd", "pwd", "pass", "pw", "passphrase"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://")


def _words(value: str) -> set[str]:
    return {t.lower() for t in _CAMEL.findall(value)} | {t.lower() for t in re.split(r"[^A-Za-z0-9]+", value) if t}


def _is_example(secret: str) -> bool:
    """AWS documentation keys (``AKIAIOSFODNN7EXAMPLE``) and obvious fillers (``AKIAXXXXXXXXXXXXXXXX``)."""
    upper = secret.upper()
    return "EXAMPLE" in upper or "XXXXXXXX" in upper or re.search(r"(.)\1{7,}", secret) is not None


def is_placeholder(value: str) -> bool:
    """``changeme``, ``<your-api-key>``, ``${DB_PASSWORD}``, ``xxxx``, ``TODO``, ``dummy-token`` …"""
    text = value.strip().strip("'\"")
    if not text or _has_template(text):
        return True
    if re.fullmatch(r"(.)\1+", text) or re.fullmatch(r"[x*.#?_\-]+", text, re.I):
        return True
    lowered = text.lower()
    if _FILLER.search(lowered):
        return True
    if len(text) >= 24 and _random_enough(text) and shannon_entropy(text) >= 4.0:
        return False  # generated keys contain camel-case "Test" or "Na" by chance
    words = _words(text)
    # A two-letter filler ("na") counts only as the whole value: "Na" is a camel-case piece of many
    # generated keys (NaTmbB7qXQR3XMPskyXkPMA).
    if {w for w in words if len(w) > 2 or w == lowered} & _FILLER_WORDS:
        return True
    # "my-secret", "some_password", "default-token": words only, and all of them filler
    return bool(words) and words <= _PLACEHOLDER_WORDS and not re.search(r"\d", text)


def _placeholder_password(password: str) -> bool:
    lowered = password.lower()
    return (
        is_placeholder(password)
        or lowered in ("password", "pass", "passwd", "pwd", "secret", "p", "x")
        or password.startswith(("$", "%", "{", "<", ":"))
    )


def _not_a_secret(value: str, tokens: list[str]) -> bool:
    """Values that cannot be a password whatever their name says."""
    text = value.strip()
    if len(text) < 6 or is_placeholder(text):
        return True
    if text.lower() in _BOOLEAN or _NUMBER.match(text):
        return True
    if text.startswith(("arn:", "/", "./", "../", "~/", "s3://", "ssm:", "secretsmanager:", "resolve:")):
        return True  # an ARN, a parameter path or a file: where the secret lives
    if _URL.match(text) or _HOST.match(text) or _EMAIL.match(text):
        return True
    if any(ch.isspace() for ch in text):
        return True  # prose, not a credential
    if _ENV_NAME.match(text):
        return True  # DB_PASSWORD: the name of another variable
    if _SLUG.match(text) and ("/" in text or not set(tokens) & _PASSWORD_TOKENS):
        return True  # prod/db/credentials, my-app-secret: the name of a secret, not its value
    if _UUID.match(text):
        return True
    if not set(tokens) & _PASSWORD_TOKENS and (text.isalpha() or len(text) < 8):
        return True  # AUTH=cognito, API_KEY=abc123: keys and tokens are long and generated; passwords need not be
    if _HEX.match(text) and len(text) in (32, 40, 64, 128) and set(tokens) & _CHECKSUM_TOKENS:
        return True
    return text.lower() in {t.lower() for t in tokens} or text.lower() == "".join(tokens)


# -- entropy ----------------------------------------------------------------------------


def shannon_entropy(text: str) -> float:
    """Bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _random_enough(text: str) -> bool:
    """Mixed character classes and high entropy: what generated keys look like."""
    classes = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 2 and shannon_entropy(text) >= 3.5


_TOKENISH = re.compile(r"^[A-Za-z0-9+/=_\-.~]{32,}$")


# -- the entry point --------------------------------------------------------------------


def find_secret(value: str | None, name: str | None = None) -> SecretMatch | None:
    """The secret in ``value`` (assigned to ``name``, when known), or None.

    In order: a provider format anywhere in the value (high confidence, name
    ignored); a 40-character AWS secret key under an AWS-ish name; any literal
    under a password-like name that is not a placeholder, reference or identifier
    (medium, high when it also looks generated); a long random token under a
    weakly suggestive name such as ``SIGNATURE`` or ``KEY`` (low).
    """
    if value is None:
        return None
    text = str(value)
    if not text.strip():
        return None
    known = next(find_known_secrets(text), None)
    if known is not None:
        return known
    if not name or not _may_hold_secret(name):
        return None  # what follows needs a sensitive or weak token in the name (see NAME_HINTS)
    tokens = name_tokens(name)
    stripped = text.strip()
    if len(stripped) > MAX_VALUE_CHARS:
        return None  # a page of text is not a password; provider formats inside it were looked for above
    start = text.find(stripped)
    span = (start, start + len(stripped))
    if tokens and _aws_secret_name(tokens) and looks_sensitive_name(name):
        m = _AWS_SECRET.fullmatch(stripped)
        if m and _random_enough(stripped) and not _is_example(stripped):
            return SecretMatch("AWS secret access key", "high", *span, _mask(stripped))
    if _not_a_secret(stripped, tokens):
        return None
    if looks_sensitive_name(name):
        confidence: Confidence = "high" if len(stripped) >= 16 and _random_enough(stripped) else "medium"
        return SecretMatch(PASSWORD_LIKE, confidence, *span, mask(stripped, min_length_to_show=24))
    generated = _TOKENISH.match(stripped) and not _HEX.match(stripped) and shannon_entropy(stripped) >= 4.2
    if set(tokens) & _WEAK_TOKENS and generated and _random_enough(stripped):
        index = max(i for i, t in enumerate(tokens) if t in _WEAK_TOKENS)
        if not any(t in _REFERENCE_TOKENS for t in tokens[index + 1 :]):
            return SecretMatch(HIGH_ENTROPY, "low", *span, _mask(stripped))
    return None


def _may_hold_secret(name: str) -> bool:
    """Whether ``name`` contains one of :data:`NAME_HINTS` (the tokens find_secret reads are ASCII words of the
    name, lower-cased: each is a piece of ``name.lower()``)."""
    lowered = name.lower()
    return any(word in lowered for word in NAME_HINTS)
