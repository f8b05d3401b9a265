"""What counts as a secret: provider formats, password-like names, and the look-alikes that do not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faasguard.secret_patterns import (
    HIGH_ENTROPY,
    PASSWORD_LIKE,
    find_known_secrets,
    find_secret,
    is_placeholder,
    looks_sensitive_name,
    mask,
    name_tokens,
    shannon_entropy,
)

# Built from pieces so that this file itself does not trip secret scanners.
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GITHUB_PAT = "github_pat_" + "11ABCDEFG0" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7nP9rS2tU4wX6zA8cE0gI2kM4oQ6"
AWS_SECRET = "q8Ue" + "Lx2Jd9TzPm4Wn7Rb3Kc5Vh1Ys6Ag0Fi8E/o+"  # 40 characters
AZURE_KEY = "Zm9v" + "YmFy" * 20 + "aGk1MnE="[:2] + "=="
JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("value", "name", "kind"),
    [
        ("AKIA" + "QWERTYUIOPASDFGH", None, "AWS access key id"),
        ("ASIA" + "QWERTYUIOPASDFGH", "SOMETHING", "AWS access key id"),
        (AWS_SECRET, "AWS_SECRET_ACCESS_KEY", "AWS secret access key"),
        (AWS_SECRET, "awsSecretKey", "AWS secret access key"),
        (GITHUB, "CI", "GitHub token"),
        (GITHUB_PAT, None, "GitHub token"),
        ("glpat-" + "abcdEFGH1234ijklMNOP", None, "GitLab token"),
        ("xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", None, "Slack token"),
        ("https://hooks.slack.com/services/" + "T0123ABCD/B0123ABCD/aBcDeFgHiJkLmNoPqRsTuVwX", "HOOK", "Slack webhook URL"),
        ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", None, "Stripe live key"),
        ("rk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", None, "Stripe live key"),
        ("SK" + "0123456789abcdef0123456789abcdef", None, "Twilio API key"),
        ("SG." + "aBcDeFgHiJkLmNoPqRsTuV" + "." + "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFg", None, "SendGrid API key"),
        ("AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "MAPS", "Google API key"),
        ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + AZURE_KEY + ";", "CONN", "Azure storage account key"),
        (JWT, None, "JSON Web Token"),
        (PEM, "SIGNING_KEY", "private key"),
        ("postgres://app:S3cr3tPw@db.internal:5432/orders", "DATABASE_URL", "password in connection string"),
        ("mongodb+srv://" + "svc:Qz8pL2mN@cluster0.abcde.mongodb.net/db", "MONGO", "password in connection string"),
        ("redis://:Rz9xK2pQ@cache.internal:6379", "REDIS", "password in connection string"),
        ("Server=db;User Id=app;Password=Pa55w0rd!;", "CONN", "password in connection string"),
        ("hunter2!!", "DB_PASSWORD", PASSWORD_LIKE),
        ("mysecretpassword", "dbPassword", PASSWORD_LIKE),
        ("Xy7!qP9#mK2$", "apiKey", PASSWORD_LIKE),
        ("c2e1f0a9b8d7c6e5f4a3b2c1d0e9f8a7", "API_KEY", PASSWORD_LIKE),  # 32 hex is a key here, not a checksum
        ("Zt6vB1nQ8wK3", "CLIENT_SECRET", PASSWORD_LIKE),
        ("Kq3vN8xZp2Lm7Rt5Yw9Bc4Hd6Jf1Gs0TaUeVi", "SIGNING_SALT", HIGH_ENTROPY),
    ],
)
def test_secrets_are_found(value: str, name: str | None, kind: str) -> None:
    match = find_secret(value, name)
    assert match is not None
    assert match.kind == kind
    assert match.start < match.end <= len(value)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY_ID"),  # the AWS documentation key
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY"),
        ("AKIAXXXXXXXXXXXXXXXX", "AWS_ACCESS_KEY_ID"),
        ("changeme", "DB_PASSWORD"),
        ("CHANGE_ME", "DB_PASSWORD"),
        ("<your-api-key>", "API_KEY"),
        ("your_api_key_here", "API_KEY"),
        ("${DB_PASSWORD}", "DB_PASSWORD"),
        ("{{resolve:secretsmanager:db:SecretString:password}}", "DB_PASSWORD"),
        ("xxxxxxxx", "TOKEN"),
        ("********", "PASSWORD"),
        ("TODO", "API_KEY"),
        ("dummy-token", "TOKEN"),
        ("test1234", "PASSWORD"),
        ("example-secret", "CLIENT_SECRET"),
        ("password", "DB_PASSWORD"),
        ("DB_PASSWORD", "PASSWORD_ENV_VAR"),
        ("orders-tokens", "TOKEN_TABLE"),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "SECRET_ARN"),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "DB_SECRET"),
        ("prod/orders/db", "DB_SECRET"),
        ("orders-db-credentials", "SECRET_NAME"),
        ("/orders/prod/db-password", "PASSWORD_PARAMETER"),
        ("/orders/prod/db-password", "DB_PASSWORD"),
        ("https://auth.example.com/oauth2/token", "TOKEN_URL"),
        ("https://auth.example.com/oauth2/token", "AUTH_SERVER"),
        ("postgres://db.internal:5432/orders", "DATABASE_URL"),
        ("postgres://app:${DbPassword}@db.internal:5432/orders", "DATABASE_URL"),
        ("postgres://{user}:{password}@db.internal/orders", "DATABASE_URL"),
        ("true", "USE_SECRETS"),
        ("3600", "TOKEN_TTL"),
        ("3600", "TOKEN"),
        ("x-api-key", "API_KEY_HEADER"),
        ("cognito", "AUTH"),
        ("550e8400-e29b-41d4-a716-446655440000", "API_KEY"),
        ("5f4dcc3b5aa765d61d8327deb882cf99", "PASSWORD_HASH"),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", "CODE_SHA1"),
        ("Kq3vN8xZp2Lm7Rt5Yw9Bc4Hd6Jf1Gs0TaUeVi", "BUCKET_NAME"),
        ("abc12", "PASSWORD"),  # too short to judge
        ("admin@example.com", "ADMIN_EMAIL"),
        ("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----", "PRIVATE_KEY"),
        ("hello world, this is a description", "SECRET_DESCRIPTION"),
        ("", "PASSWORD"),
        ("   ", "PASSWORD"),
    ],
)
def test_look_alikes_are_not_secrets(value: str, name: str) -> None:
    assert find_secret(value, name) is None


def test_none_value_is_not_a_secret() -> None:
    assert find_secret(None, "PASSWORD") is None


@pytest.mark.parametrize(
    "name",
    ["DB_PASSWORD", "dbPassword", "db-pass", "apiKey", "API_KEY", "CLIENT_SECRET", "GITHUB_TOKEN", "STRIPE_SECRET_KEY",
     "PRIVATE_KEY", "privateKey", "AuthToken", "PASSPHRASE", "SERVICE_CREDENTIALS", "USER_POOL_CLIENT_SECRET", "PWD"],
)
def test_sensitive_names(name: str) -> None:
    assert looks_sensitive_name(name)


@pytest.mark.parametrize(
    "name",
    ["SECRET_ARN", "SECRET_NAME", "SECRET_ID", "TOKEN_TABLE", "TOKEN_TABLE_NAME", "PASSWORD_PARAMETER", "API_KEY_HEADER",
     "SORT_KEY", "PARTITION_KEY", "KMS_KEY_ID", "PUBLIC_KEY", "TABLE_NAME", "TOKEN_TTL", "TOKEN_ISSUER", "PASSWORD_MIN_LENGTH",
     "SECRETS_MANAGER_ENDPOINT", "DB_SECRET_ARN", "AUTH_TYPE", "AUTH0_CLIENT_PUBLIC_KEY", "PASSWORD_ITERATIONS", "", None],
)
def test_reference_names(name: str | None) -> None:
    assert not looks_sensitive_name(name)


def test_name_tokens_split_camel_and_snake_case() -> None:
    assert name_tokens("dbPassword") == ["db", "password"]
    assert name_tokens("APIKey") == ["api", "key"]
    assert name_tokens("CLIENT_SECRET_ARN") == ["client", "secret", "arn"]


def test_placeholders() -> None:
    assert is_placeholder("<your-key>")
    assert is_placeholder("${self:custom.secret}")
    assert is_placeholder("replace-me")
    assert not is_placeholder("Zt6vB1nQ8wK3")
    # a generated key that happens to contain "Test" in camel case is not a placeholder
    assert not is_placeholder("aQ9TestZk3Lm7Rt5Yw9Bc4Hd6Jf1")


def test_masks_never_reveal_the_secret() -> None:
    key = "AKIA" + "QWERTYUIOPASDFGH"
    match = find_secret(key)
    assert match is not None
    assert match.preview == "AKIA…(20 chars)"
    assert "QWERTY" not in match.preview
    password = find_secret("hunter2!!", "DB_PASSWORD")
    assert password is not None and password.preview == "…(9 chars)"
    url = find_secret("postgres://app:S3cr3tPw@db.internal:5432/orders", "DATABASE_URL")
    assert url is not None
    assert "S3cr3tPw" not in url.preview and "postgres://app:****@db.internal" in url.preview
    assert mask(PEM) == "-----BEGIN RSA PRIVATE KEY-----…"


def test_confidence() -> None:
    generated = find_secret("Zt6vB1nQ8wK3pL5mR7sT9", "API_TOKEN")
    typed = find_secret("hunter2!!", "DB_PASSWORD")
    assert generated is not None and generated.confidence == "high"
    assert typed is not None and typed.confidence == "medium"
    assert not typed.is_provider_format
    key = find_secret("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc")
    assert key is not None and key.is_provider_format and key.confidence == "high"


def test_known_secrets_in_free_text_with_offsets() -> None:
    key = "AKIA" + "QWERTYUIOPASDFGH"
    text = f'client = boto3.client("s3", aws_access_key_id="{key}",\n    aws_secret_access_key="{AWS_SECRET}")\n'
    matches = list(find_known_secrets(text))
    assert [m.kind for m in matches] == ["AWS access key id", "AWS secret access key"]
    assert text[matches[0].start : matches[0].end] == key
    assert text[matches[1].start : matches[1].end] == AWS_SECRET


def test_free_text_without_secrets() -> None:
    text = 'password = os.environ["DB_PASSWORD"]\nurl = f"postgres://{user}:{password}@{host}/db"\n'
    assert list(find_known_secrets(text)) == []


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == 2.0


# Tokens find_secret reacts to, words it does not, and the ways names join them.
_NAME_TOKENS = ["password", "passwd", "pass", "pwd", "pw", "creds", "cred", "credential", "auth", "bearer", "secret",
                "token", "apikey", "privatekey", "key", "api", "access", "master", "license", "app", "client", "webhook",
                "signing", "signature", "sig", "salt", "hmac", "jwt", "cookie", "aws", "db", "my", "user", "value",
                "config", "data", "x", "2"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_NAME_TOKENS), min_size=1, max_size=4), st.sampled_from(["_", "-", ".", "", "camel"]),
       st.booleans())
def test_every_name_read_as_a_secret_makes_a_python_file_worth_walking(tokens: list[str], joint: str, upper: bool) -> None:
    """The literal walk of a Python file is skipped when its text holds none of shared.toml's sensitive words: every
    name find_secret reads as holding a secret must contain one, or its secrets are never looked for."""
    from faasguard.code.pymodule import _sensitive_hint

    if joint == "camel":
        name = tokens[0] + "".join(t.capitalize() for t in tokens[1:])
    else:
        name = joint.join(tokens)
    name = name.upper() if upper else name
    for value in ("hunter2-Correct", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", "q8Zr2Lm4Xv9Tb7Kp1Wn6Yc3Hd5Gf0Js"):
        if find_secret(value, name) is not None and find_secret(value, None) is None:
            assert _sensitive_hint(f"{name} = {value!r}\n"), name
