"""The shortcuts of find_secret and find_known_secrets skip only values the full checks find nothing in.

``find_known_secrets`` gives up at once on a short value without any format's anchor (``_KNOWN_TRIGGER``);
``find_secret`` stops after the provider formats when the name holds none of ``NAME_HINTS``. Each test here
compares the shortcut with the full path (the shortcuts switched off), so one that drops a secret fails.
"""

from __future__ import annotations

import re
import sys
from contextlib import ExitStack
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from faasguard import secret_patterns as sp

# Secrets of several formats, built from pieces so that this file does not trip secret scanners.
_SECRETS = [
    "AKIA" + "Q7ZR2LM4XV6TB7KP", "ASIA" + "Z7QR2LM4XV6TB7KP", "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "glpat-" + "x9Zq2Lm4Xv9Tb7Kp1Wn6", "xoxb-" + "12345678a-Zq2Lm4Xv9", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "SK" + "0123456789abcdef0123456789abcdef", "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "0123456789abcdef0123456789abcdef" + "-us12",
    "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "postgres://app:" + "S3cr3tPw@db.internal:5432/orders", "Server=db;User Id=app;" + "Password=Tr0ub4dor;",
    "Server=db;Uid=app;" + "Pwd=Tr0ub4dor;",
    "aws_secret_access_key=" + "q8UeLx2Jd9TzPm4Wn7Rb3Kc5Vh1Ys6Ag0Fi8E/o+",
    "-----BEGIN RSA PRIVATE KEY-----\\n" + "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\\n",
    "hunter2-Correct", "q8Zr2Lm4Xv9Tb7Kp1Wn6Yc3Hd5Gf0Js", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8ZLKEY",
]
_PIECES = [a for anchors in sp._ANCHORS for a in anchors] + [
    "://", "secret", "SECRET", "Password", "PWD", "pwd=", "\u017fecret", "\u212a", "\u0130", "=", ";", "@", ":", "/", "-",
    "server=db;", "user:", "'", '"', " ", "\n", "${X}", "<your-key>", "changeme", "example",
]
_NAME_WORDS = ["password", "passwd", "pass", "pwd", "pw", "creds", "cred", "credential", "auth", "bearer", "secret",
               "token", "apikey", "privatekey", "key", "api", "access", "master", "license", "app", "client", "webhook",
               "signing", "signature", "sig", "salt", "hmac", "jwt", "cookie", "aws", "db", "my", "user", "value",
               "config", "arn", "name", "hash", "x", "2"]

values = st.lists(st.one_of(st.sampled_from(_SECRETS), st.sampled_from(_PIECES), st.text(max_size=12)), max_size=5).map("".join)
names = st.one_of(
    st.none(), st.text(max_size=12),
    st.builds(lambda words, joint, upper: (joint.join(words)).upper() if upper else joint.join(words),
              st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=3), st.sampled_from(["_", "-", ".", ""]),
              st.booleans()),
)


def _full_path() -> ExitStack:
    """The shortcuts switched off: every value gets every check."""
    stack = ExitStack()
    stack.enter_context(mock.patch.object(sp, "_may_hold_secret", lambda name: True))
    stack.enter_context(mock.patch.object(sp, "_SHORT_TEXT", -1))
    stack.enter_context(mock.patch.object(sp, "_RARE_LED", (False,) * len(sp._RARE_LED)))
    return stack


@settings(max_examples=1500, deadline=None)
@given(values, names)
def test_find_secret_with_shortcuts_finds_what_the_full_checks_find(value: str, name: str | None) -> None:
    fast = sp.find_secret(value, name)
    known = list(sp.find_known_secrets(value))
    with _full_path():
        assert fast == sp.find_secret(value, name)
        assert known == list(sp.find_known_secrets(value))


def test_the_secrets_above_are_found() -> None:
    """The generated values reach every branch: a provider format, a password under its name, a weak name."""
    assert all(sp.find_secret(s) is not None for s in _SECRETS[:16])
    assert sp.find_secret("hunter2-Correct", "DB_PASSWORD") is not None
    assert sp.find_secret("q8Zr2Lm4Xv9Tb7Kp1Wn6Yc3Hd5Gf0Js", "signing_key") is not None
    assert sp.find_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8ZLKEY"[:40], "aws_secret_access_key") is not None


def test_every_anchor_and_lowered_word_is_a_trigger() -> None:
    for anchors in sp._ANCHORS:
        for anchor in anchors:
            assert sp._KNOWN_TRIGGER.search(anchor), anchor
    for word in ("://", "secret", "password", "pwd", "SECRET", "PassWord", "PWD"):
        assert sp._KNOWN_TRIGGER.search(word), word


def test_ignore_case_covers_every_character_that_lowers_to_a_trigger_letter() -> None:
    """find_known_secrets tests ``"secret" in text.lower()``: ``(?i)`` must match each character lowered to one of
    those letters (Kelvin sign, long s), and no character lowers to several characters among them."""
    letters = set("secretpasswordpwd")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        lowered = char.lower()
        for letter in set(lowered) & letters:
            assert len(lowered) == 1 and re.fullmatch(f"(?i:{letter})", char), hex(code)


def test_every_word_a_secret_name_needs_holds_a_name_hint() -> None:
    words = sp._SENSITIVE_TOKENS | set(sp._SENSITIVE_WORDS) | set(sp._SENSITIVE_COMPOUNDS) | sp._WEAK_TOKENS | {"key"}
    for word in words:
        assert any(hint in word for hint in sp.NAME_HINTS), word


_AROUND_ANCHORS = ["SK", "sk", "-us", "-US", "0123456789abcdef", "deadbeef", "1", "12", "_", " ", "\n", "aws", "AWS", "Aws",
                   "_secret", "SECRET", "_access", "_key", "KEY", "=", ":", "'", '"', "/", "+", "awssecretkey",
                   "q8UeLx2Jd9TzPm4Wn7Rb3Kc5Vh1Ys6Ag0Fi8E/o+", "Q8UELX2JD9TZPM4WN7RB3KC5VH1YS6AG0FI8E/O+",
                   "SK" + "0123456789abcdef" * 2, "0123456789abcdef" * 2 + "-us1", "0123456789abcdef" * 2 + "-us12",
                   "aws_secret_access_key=" + "q8UeLx2Jd9TzPm4Wn7Rb3Kc5Vh1Ys6Ag0Fi8E/o+",
                   # a key whose last characters start a second match: finditer does not look inside the first
                   "aws_secret_key=" + "A" * 28 + "awssecretkey:" + "q8UeLx2Jd9TzPm4Wn7Rb3Kc5Vh1Ys6Ag0Fi8E/o+"]
ascii_texts = st.lists(st.one_of(st.sampled_from(_AROUND_ANCHORS), st.text(alphabet=st.characters(max_codepoint=127),
                                                                             max_size=5)), max_size=14).map("".join)


@settings(max_examples=1500, deadline=None)
@given(ascii_texts)
def test_matching_where_the_anchor_puts_a_match_finds_what_finditer_finds(text: str) -> None:
    """Twilio and Mailchimp keys are tried where their anchor puts a match, the AWS secret key of free text where
    "aws" occurs (ASCII text): the same matches as scanning every position."""
    patterns = {kind: pattern for kind, _, pattern, _ in sp._KNOWN}
    cases = [(patterns[kind], text, anchor, offset) for kind, (anchor, offset) in sp._ANCHOR_AT.items()]
    cases.append((sp._AWS_SECRET_IN_TEXT, text.lower(), "aws", 0))
    for pattern, haystack, anchor, offset in cases:
        fast = [m.span() for m in sp._matches_at(pattern, text, sp._occurrences(haystack, anchor, offset))]
        assert fast == [m.span() for m in pattern.finditer(text)], pattern.pattern


def test_the_anchored_formats_are_found_in_a_file() -> None:
    twilio, mailchimp = "SK" + "0123456789abcdef" * 2, "0123456789abcdef" * 2 + "-us12"
    text = f'TASK = "x"\nsid = "{twilio}"\nkey = "{mailchimp}"\naws_secret_access_key = "{_SECRETS[14][22:]}"\n'
    assert [m.kind for m in sp.find_known_secrets(text)] == ["Twilio API key", "Mailchimp API key", "AWS secret access key"]


_URL_PIECES = ["https", "postgres", "a", "ab", "x+y.z-w", "://", ":", "@", "/", " ", "\n", "user", "pa55", "host", ":@",
               "5432", "mongodb+srv://app:S3cr3t@db", "https://docs.example.com/a:b@c", "@" * 3, ":" * 3,
               "ab://u:pw@h", "u:pw@h", "@h", "://:p@h", "ab://u:p:q@h"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_URL_PIECES), st.text(max_size=4)), max_size=12).map("".join))
def test_url_passwords_are_the_regex_matches(text: str) -> None:
    """Anchored attempts before each "://" whose tail can be user:password@host find finditer's matches."""
    assert [m.span() for m in sp._url_password_matches(text)] == [m.span() for m in sp._URL_PASSWORD.finditer(text)]


_FILLER = ["def f(x):\n    return x\n", "# a comment line\n", "value = compute(item, other)\n", "x" * 40, "\n" * 3]
long_texts = st.builds(lambda parts, filler: "".join(p + filler[i % len(filler)] for i, p in enumerate(parts)) * 2,
                       st.lists(values, max_size=6), st.lists(st.sampled_from(_FILLER), min_size=1, max_size=4))


_RARE_LED_ANCHORS = [a for anchors, led in zip(sp._ANCHORS, sp._RARE_LED, strict=True) if led for a in anchors]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_RARE_LED_ANCHORS), st.sampled_from([a[1:] for a in _RARE_LED_ANCHORS]),
                          st.sampled_from([a[:-1] for a in _RARE_LED_ANCHORS]), st.text(max_size=3)), max_size=6).map("".join))
def test_an_anchor_written_from_its_rare_character_matches_where_the_anchor_occurs(text: str) -> None:
    for anchor in _RARE_LED_ANCHORS:
        assert (re.search(sp._from_rare(anchor), text) is not None) == (anchor in text), anchor


@settings(max_examples=800, deadline=None)
@given(long_texts)
def test_a_file_without_a_rare_led_anchor_skips_those_formats_only(text: str) -> None:
    """One search for the anchors that hold a capital, a digit, "-" or ":" stands for testing each of them: a whole
    file's secrets are those found testing every anchor."""
    known = list(sp.find_known_secrets(text))
    with mock.patch.object(sp, "_RARE_LED", (False,) * len(sp._RARE_LED)):
        assert known == list(sp.find_known_secrets(text))


def test_the_rare_led_formats_are_those_whose_anchors_all_hold_a_rare_character() -> None:
    rare = [kind for (kind, *_), led in zip(sp._KNOWN, sp._RARE_LED, strict=True) if led]
    assert rare == ["private key", "AWS access key id", "GitLab token", "Twilio API key", "SendGrid API key",
                    "Google API key", "Azure storage account key", "Azure shared access key", "OpenAI API key",
                    "Anthropic API key", "PyPI token", "Square token", "Mailchimp API key", "Telegram bot token",
                    "JSON Web Token"]
    text = "x = 1\n" * 200 + 'sid = "' + "SK" + "0123456789abcdef" * 2 + '"\n'  # a long file: one search finds the anchor
    assert len(text) > sp._SHORT_TEXT and [m.kind for m in sp.find_known_secrets(text)] == ["Twilio API key"]
