"""Rules of the `secrets` category: credentials kept where they can leak.

Secret recognition (provider formats, password-like names, placeholders) lives in
:mod:`faasguard.secret_patterns`; these rules apply it to what the model holds.
Messages never print a secret: they name the variable and show a masked preview.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from faasguard.code.facts import code_facts
from faasguard.findings import Severity
from faasguard.model import Application, EnvVar, Function, Loc
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix, sls_function, tf_function
from faasguard.secret_patterns import SecretMatch, find_secret, looks_sensitive_name, shannon_entropy


def _severity(match: SecretMatch) -> Severity:
    if match.confidence == "low":
        return Severity.LOW
    if match.is_provider_format and match.confidence == "high":
        return Severity.CRITICAL
    return Severity.HIGH


@rule("FG-SEC-001", category="secrets", severity=Severity.HIGH, title="Secret as a literal in a function's environment")
def literal_secret_in_environment(app: Application) -> Iterator[Hit]:
    """
    A function's environment variable holds a credential typed into the template:
    a provider key (AWS access key, GitHub, Slack, Stripe, SendGrid, Google …), a
    private key, a connection string with a password, or a literal under a
    password-like name (`DB_PASSWORD`, `API_KEY`, `CLIENT_SECRET`).

    The value is then in the repository and its history, in every build artefact,
    in the CloudFormation stack, and readable by anyone allowed
    `lambda:GetFunctionConfiguration`. It cannot be rotated without a deploy.

    Bad:

    ```yaml
    Environment:
      Variables:
        STRIPE_KEY: sk_live_51H...
    ```

    Fix: store the value in Secrets Manager or SSM Parameter Store (SecureString)
    and pass a reference — the secret's ARN or parameter name, for the function to fetch
    (and cache) at run time, e.g. with the AWS Parameters and Secrets Lambda extension or
    Powertools' parameters utility. Not `{{resolve:secretsmanager:…}}`: CloudFormation
    resolves it at deploy time and writes the plain value into the function's
    configuration. Then rotate the exposed credential: it has been committed.

    References (`!Ref`, `!GetAtt`, `{{resolve:…}}`, ARNs), placeholders such as
    `changeme` or `<your-key>` and names that point at a secret (`SECRET_ARN`,
    `TOKEN_TABLE`) are not reported.
    """
    seen: dict[tuple[Loc, str], list[tuple[Function, EnvVar, SecretMatch]]] = {}
    for fn in app.functions:
        for var in fn.environment:
            if not var.literal or var.value is None:
                continue
            match = find_secret(var.value, var.name)
            if match is not None:
                seen.setdefault((var.loc, var.name), []).append((fn, var, match))
    # A variable in SAM Globals is inherited by every function: one finding, naming them all.
    for (loc, name), hits in seen.items():
        fn, var, match = hits[0]
        names = [h[0].name for h in hits]
        where = f"function {names[0]}" if len(names) == 1 else f"functions {', '.join(names)}"
        yield Hit(
            loc=loc,
            message=f"Environment variable {name} of {where} holds a literal {match.kind} ({match.preview})",
            remediation=_other_cloud_secret_fix(fn, name) or fix(
                app.format,
                cfn=f"Move the value of {name} to Secrets Manager or SSM Parameter Store (SecureString), pass "
                "its ARN in the environment and fetch it at run time (a {{resolve:...}} reference would write the value "
                "back into the function's configuration), and rotate the exposed credential",
                cdk=f"Move the value of {name} to a secretsmanager.Secret, pass secret.secretArn in the environment "
                "and secret.grantRead(fn), fetch it at run time, and rotate the exposed credential",
                terraform=f"Move the value of {name} to an aws_secretsmanager_secret (or an aws_ssm_parameter of type "
                "SecureString), pass its ARN in the environment and fetch it at run time, and rotate the exposed credential",
                serverless=f"Move the value of {name} to Secrets Manager or SSM Parameter Store (SecureString), pass its "
                "name or ARN in the environment and fetch it at run time (a ${ssm:...} variable would write the value "
                "back into the function's configuration), and rotate the exposed credential",
            ),
            resource=fn.name,
            function=fn.name,
            severity=_severity(match),
            key=name,
        )


def _other_cloud_secret_fix(fn: Function, name: str) -> str | None:
    """Where a Google or Azure function keeps a secret instead of a plain environment variable."""
    if fn.provider == "gcp":
        where = "service_config" if fn.source_resource.endswith("cloudfunctions2_function") else "the function"
        return (f"Move the value of {name} to a google_secret_manager_secret (with a version), expose it through a "
                f"secret_environment_variables block on {where} (key = \"{name}\", secret, version) instead of "
                "environment_variables, grant the function's service account roles/secretmanager.secretAccessor on that "
                "secret, and rotate the exposed credential")
    if fn.provider == "azure":
        return (f"Move the value of {name} to an azurerm_key_vault_secret and set the app setting to a Key Vault "
                "reference (@Microsoft.KeyVault(SecretUri=...)) read with the function app's managed identity, and "
                "rotate the exposed credential")
    return None


@rule(
    "FG-SEC-002",
    category="secrets",
    severity=Severity.MEDIUM,
    title="Sensitive environment without a customer KMS key",
    providers=("aws",),
    over="functions",
)
def environment_without_kms_key(app: Application) -> Iterator[Hit]:
    """
    A function's environment holds sensitive variables (`DB_PASSWORD`, `API_TOKEN`
    …) and the function sets no `KmsKeyArn`. Lambda then encrypts the environment
    with the AWS managed key, which every principal allowed
    `lambda:GetFunctionConfiguration` can use: the values show in plain text in
    the console, the API and `aws lambda get-function-configuration`. Values
    resolved from Secrets Manager or parameters at deploy time land there too.

    Bad:

    ```yaml
    Environment:
      Variables:
        API_TOKEN: !Ref ApiToken
    ```

    Fix: best, pass only the secret's ARN and fetch the value at run time; else set
    `KmsKeyArn` to a customer managed key whose policy only the function's role (and
    administrators) may use for `kms:Decrypt`.

    Medium when a variable holds a literal secret (FG-SEC-001 reports the value
    itself), low when the sensitive variables hold references.
    """
    for fn in app.functions:
        if fn.env_kms_key:
            continue
        literal_secrets = {v.name for v in fn.environment if v.literal and find_secret(v.value, v.name)}
        sensitive = [v for v in fn.environment if v.name in literal_secrets or looks_sensitive_name(v.name)]
        if not sensitive:
            continue
        names = ", ".join(v.name for v in sensitive)
        yield Hit(
            loc=sensitive[0].loc,
            message=f"Function {fn.name} keeps sensitive environment variables ({names}) encrypted only with the "
            "AWS managed key: no KmsKeyArn",
            remediation=fix(
                app.format,
                cfn="Pass the secret's ARN and fetch the value at run time, or set KmsKeyArn to a customer "
                "managed KMS key that only this function's role may use to decrypt",
                cdk="Pass the secret's ARN and fetch the value at run time, or set environmentEncryption on the "
                "lambda.Function to a kms.Key that only this function's role may use to decrypt",
                terraform="Pass the secret's ARN and fetch the value at run time, or set "
                + tf_function(fn.name, "kms_key_arn", "kms_key_arn")
                + " to an aws_kms_key that only this function's role may use to decrypt",
                serverless="Pass the secret's ARN and fetch the value at run time, or set provider.kmsKeyArn (or "
                f"{sls_function(fn.name, 'kmsKeyArn')}) to a customer managed KMS key that only this function's role "
                "may use to decrypt",
            ),
            resource=fn.name,
            function=fn.name,
            severity=None if literal_secrets else Severity.LOW,
            key=names,
        )


@rule("FG-SEC-003", category="secrets", severity=Severity.MEDIUM, title="Secrets Manager secret without rotation", over="secrets")
def secret_without_rotation(app: Application) -> Iterator[Hit]:
    """
    An `AWS::SecretsManager::Secret` has no `AWS::SecretsManager::RotationSchedule`.
    A leaked value stays valid until someone notices and changes it by hand.

    Bad:

    ```yaml
    DbSecret:
      Type: AWS::SecretsManager::Secret
      Properties:
        GenerateSecretString: {SecretStringTemplate: '{"username":"app"}', GenerateStringKey: password}
    ```

    Fix: add a rotation schedule, e.g. for an RDS secret

    ```yaml
    DbSecretRotation:
      Type: AWS::SecretsManager::RotationSchedule
      Properties:
        SecretId: !Ref DbSecret
        HostedRotationLambda: {RotationType: PostgreSQLSingleUser}
        RotationRules: {AutomaticallyAfterDays: 30}
    ```

    For third-party API keys that cannot rotate automatically, rotate them on a
    schedule by hand and suppress this finding with the reason.
    """
    for secret in app.secrets:
        if secret.rotated:
            continue
        yield Hit(
            loc=secret.loc,
            message=f"Secret {secret.id} has no rotation schedule",
            remediation=fix(
                app.format,
                cfn=f"Add an AWS::SecretsManager::RotationSchedule with SecretId: !Ref {secret.id} "
                "(a hosted rotation Lambda for databases) and RotationRules",
                cdk=f"Call addRotationSchedule on the secretsmanager.Secret {secret.id} with a hostedRotation "
                "(e.g. HostedRotation.postgreSqlSingleUser()) and automaticallyAfter: Duration.days(30)",
                terraform=f'Add resource "aws_secretsmanager_secret_rotation" with secret_id = {secret.id}.id, '
                "rotation_lambda_arn and rotation_rules { automatically_after_days = 30 }",
                serverless=f"Add an AWS::SecretsManager::RotationSchedule under resources.Resources with SecretId: "
                f"!Ref {secret.id} (a hosted rotation Lambda for databases) and RotationRules",
            ),
            resource=secret.id,
        )


@rule("FG-SEC-004", category="secrets", severity=Severity.HIGH, title="Secret value written into the template", over="secrets")
def literal_secret_string(app: Application) -> Iterator[Hit]:
    """
    An `AWS::SecretsManager::Secret` gives its `SecretString` as a literal. The
    secret is then in the repository, its history and the stack's template, which
    defeats the point of Secrets Manager.

    Bad:

    ```yaml
    ApiKey:
      Type: AWS::SecretsManager::Secret
      Properties:
        SecretString: '{"key": "0c8f5b1e..."}'
    ```

    Fix: let Secrets Manager generate it (`GenerateSecretString`), or create the
    secret without a value and set it out of band (`aws secretsmanager
    put-secret-value`); then rotate the committed value.
    """
    for secret in app.secrets:
        if secret.literal_value_loc is None:
            continue
        yield Hit(
            loc=secret.literal_value_loc,
            message=f"Secret {secret.id} has its SecretString written as a literal in the template",
            remediation="Use GenerateSecretString, or create the secret empty and set its value outside the "
            "template; rotate the value that was committed",
            resource=secret.id,
        )


def _aws_managed_secrets_key(key: str) -> bool:
    """``alias/aws/secretsmanager`` (or its ARN) written out is the same AWS managed key as none at all."""
    return key.strip().lower().endswith("alias/aws/secretsmanager")


@rule(
    "FG-SEC-005",
    category="secrets",
    severity=Severity.LOW,
    title="Secrets Manager secret without a customer KMS key",
    over="secrets",
)
def secret_without_cmk(app: Application) -> Iterator[Hit]:
    """
    An `AWS::SecretsManager::Secret` sets no `KmsKeyId`, so it is encrypted with the
    account's `aws/secretsmanager` key. Anyone with `secretsmanager:GetSecretValue`
    on the secret can read it; a customer managed key adds a second, separately
    audited gate (its key policy) and makes cross-account sharing possible.

    Bad:

    ```yaml
    DbSecret:
      Type: AWS::SecretsManager::Secret
      Properties:
        GenerateSecretString: {...}
    ```

    `KmsKeyId: alias/aws/secretsmanager` written out is the same managed key.

    Fix: `KmsKeyId: !Ref SecretsKey`, a customer managed key with rotation on, whose
    policy allows `kms:Decrypt` only to the roles that read the secret.
    """
    for secret in app.secrets:
        if secret.kms_key and not _aws_managed_secrets_key(secret.kms_key):
            continue
        how = f"KmsKeyId names {secret.kms_key}" if secret.kms_key else "no KmsKeyId"
        yield Hit(
            loc=secret.loc,
            message=f"Secret {secret.id} is encrypted with the AWS managed key: {how}",
            remediation=fix(
                app.format,
                cfn="Set KmsKeyId to a customer managed KMS key whose policy lets only the reading roles decrypt",
                cdk=f"Set encryptionKey on the secretsmanager.Secret {secret.id} to a kms.Key whose policy lets only "
                "the reading roles decrypt",
                terraform=f"Set kms_key_id on {secret.id} to an aws_kms_key whose policy lets only the reading roles decrypt",
            ),
            resource=secret.id,
        )


# -- code: credentials in source and config files, secrets in logs (faasguard.code facts) ----------------


# Kinds of literal below the rule's high: a password that merely sits under a telling name, a web app's session
# signing key (forged sessions, not a cloud credential), and a well-known default key ("dev", "changeme"), which is
# at low as Bandit's B105 reports it: a default the deployment may replace, but one attackers try first.
CODE_SECRET_SEVERITY = {"password-like variable": Severity.MEDIUM, "session signing key": Severity.MEDIUM,
                        "default session signing key": Severity.LOW}


@rule(
    "FG-SEC-010",
    category="secrets",
    severity=Severity.HIGH,
    title="Credential written into source or a config file",
    over="code",
)
def secret_in_code(app: Application) -> Iterator[Hit]:
    """
    A credential is a literal in function source or a config file (`.env`,
    `config.json`, `*.properties`, `settings.py`): an AWS key, a provider token, a
    private key, a connection string with a password, or a password-like variable.
    Anyone who can read the repository or the deployment package has it, and it
    cannot be rotated without a release.

    A web app's session signing key is one too (`app.secret_key`, `SECRET_KEY`,
    `JWT_SECRET_KEY`, `WTF_CSRF_SECRET_KEY` in code, `config.update(...)` or Django
    settings; `session({secret})`, `cookieSession({keys})`, `cookieParser(secret)` in
    Express/Koa): whoever knows it forges logged-in sessions (medium). A well-known
    default such as `"dev"` or `"changeme"` is reported at low, as Bandit's B105 does,
    unless the module replaces it from the environment or a config file.

    Bad: `DB_PASSWORD = "Tr0ub4dor&3"`

    Fix: keep it in Secrets Manager or SSM Parameter Store (SecureString), grant the
    function read access, fetch it once per container, and rotate the exposed value.
    """
    seen: set[tuple[str, int | None, str]] = set()
    for function, facts in code_facts(app):
        for found in facts.secrets:
            where = (found.loc.path, found.loc.line, found.kind)
            if where in seen:  # a file shared by several functions: report it once
                continue
            seen.add(where)
            what = f"{found.kind} {found.redacted}" + (f" assigned to {found.name}" if found.name else "")
            owner = f" (code of function {function})" if function else ""
            yield Hit(
                loc=found.loc,
                message=f"{what} is written into {found.loc.path}{owner}",
                remediation="Move the value to Secrets Manager or SSM Parameter Store (SecureString), read it at run time, "
                "and rotate the exposed credential",
                resource=found.name or found.kind,
                function=function,
                severity=CODE_SECRET_SEVERITY.get(found.kind),
                key=f"{found.kind}:{found.name}",
            )


@rule("FG-SEC-011", category="secrets", severity=Severity.MEDIUM, title="Handler logs the whole event", over="code")
def whole_event_logged(app: Application) -> Iterator[Hit]:
    """
    `print(event)` / `console.log(event)` (or `JSON.stringify(event)`) writes the full
    request to CloudWatch Logs: authorization headers, cookies, tokens and personal data
    end up readable by everyone with log access and kept for the log retention period.

    Fix: log the fields you need (`requestContext.requestId`, the route) with a
    structured logger, never the raw event.
    """
    for function, facts in code_facts(app):
        for leak in facts.log_leaks:
            if leak.kind != "whole-event":
                continue
            yield Hit(
                loc=leak.loc,
                message=f"Function {function or facts.function} writes the whole event ({leak.what}) to its logs "
                f"with {leak.call}",
                remediation="Log only the fields you need (request id, route, object key) and never the raw event, "
                "which carries headers, tokens and personal data",
                resource=leak.call,
                function=function,
                key=f"{leak.call}:{leak.what}",
            )


@rule("FG-SEC-012", category="secrets", severity=Severity.HIGH, title="Secret written to the logs", over="code")
def secret_logged(app: Application) -> Iterator[Hit]:
    """
    A variable that holds a secret (a `get_secret_value` result, a `*_PASSWORD`
    environment variable, a `token`) is printed or logged, so the secret is stored in
    CloudWatch Logs in clear text.

    Fix: do not log secrets; if you must show that one is set, log a boolean or its
    last four characters.
    """
    for function, facts in code_facts(app):
        for leak in facts.log_leaks:
            if leak.kind != "secret":
                continue
            yield Hit(
                loc=leak.loc,
                message=f"Function {function or facts.function} writes {leak.what} (a secret) to its logs with {leak.call}",
                remediation="Remove the secret from the log call; log whether it is set, never its value",
                resource=leak.what,
                function=function,
                key=f"{leak.call}:{leak.what}",
            )


# -- secrets that IAM and other resources hand out ------------------------------------------

# (Terraform resource type or None for any CloudFormation resource, attribute) whose value is a secret.
def _load_secret_sources() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    doc = tomllib.loads((Path(__file__).resolve().parents[1] / "data" / "secret_attributes.toml").read_text())
    return {kind: frozenset(attrs) for kind, attrs in doc["attributes"].items()}, dict(doc["dynamic"])


_SECRET_ATTRIBUTES, _SECRET_REFERENCES = _load_secret_sources()


def _whole_or_sensitive_field(reference: str) -> bool:
    """``{{resolve:secretsmanager:db:SecretString:password}}`` copies the password; ``...:username}}``
    copies a field that is not a secret, and the whole ``SecretString`` copies them all."""
    _, found, rest = reference.partition(":SecretString:")
    field = rest.split(":", 1)[0].split("}}", 1)[0] if found else ""
    return not field or looks_sensitive_name(field)


def _secret_attribute(var: EnvVar) -> str | None:
    """``aws_iam_access_key.ci.secret`` / ``!GetAtt CiKey.SecretAccessKey`` / ``{{resolve:secretsmanager:x}}``:
    the secret the variable copies, or None."""
    if var.reference:
        for marker, what in _SECRET_REFERENCES.items():
            if marker in var.reference and _whole_or_sensitive_field(var.reference):
                return what
    if not var.ref or not var.ref_attr:
        return None
    kind = var.ref.removeprefix("data.").split(".", 1)[0] if "." in var.ref else "*"
    if var.ref_attr in _SECRET_ATTRIBUTES.get(kind, ()) or var.ref_attr in _SECRET_ATTRIBUTES["*"]:
        return f"{var.ref}.{var.ref_attr}"
    return None


@rule(
    "FG-SEC-006",
    category="secrets",
    severity=Severity.HIGH,
    title="Secret attribute of another resource copied into a function's environment",
    over="functions",
)
def secret_attribute_in_environment(app: Application) -> Iterator[Hit]:
    """
    An environment variable is set from a resource attribute that *is* a secret: an
    IAM access key's secret (`aws_iam_access_key.x.secret`, `!GetAtt Key.SecretAccessKey`),
    a generated password (`random_password.x.result`), a Secrets Manager secret value
    (`aws_secretsmanager_secret_version.x.secret_string`), a database master password,
    a Cognito client secret, a private key — or a deploy-time reference to a secret:
    `{{resolve:secretsmanager:…}}` in CloudFormation/SAM,
    `${ssm:/aws/reference/secretsmanager/…}` or `${ssm:/path~true}` in the Serverless
    Framework. The table is `data/secret_attributes.toml`.

    The deployment resolves it, so the secret is stored in plain text in the function's
    configuration (readable with `lambda:GetFunctionConfiguration`, shown in the console)
    and in the Terraform state or CloudFormation template. A long-lived access key
    handed to a function is also a credential that outlives the function's own role.

    Fix: pass the secret's ARN or name and fetch it at run time (Secrets Manager with
    caching, or the Parameters and Secrets Lambda extension); give the function a role
    instead of an access key.
    """
    for fn in app.functions:
        for var in fn.environment:
            source = _secret_attribute(var)
            if source is None:
                continue
            yield Hit(
                loc=var.loc,
                message=f"Environment variable {var.name} of function {fn.name} is set from {source}: the secret is "
                "stored in plain text in the function's configuration",
                remediation=fix(
                    app.format,
                    cfn=f"Pass the secret's ARN in {var.name} (!Ref of an AWS::SecretsManager::Secret) and read it at "
                    "run time; use the function's role instead of an access key",
                    terraform=f"Pass the secret's ARN in {var.name} (aws_secretsmanager_secret.x.arn) and read it at run "
                    "time; use the function's role instead of an access key",
                    serverless=f"Pass the secret's name or ARN in {var.name} (not a ${{ssm:}} variable, which the "
                    "Framework resolves at deploy time) and read it at run time with the Parameters and Secrets "
                    "Lambda extension or Powertools' parameters utility",
                ),
                resource=fn.name,
                function=fn.name,
                key=f"{var.name}:{source}",
            )


def _generated_credential(value: str) -> bool:
    """A long random token: mixed character classes, high entropy, not an ARN, URL, path, UUID or hex digest."""

    text = value.strip()
    if not 20 <= len(text) <= 256 or any(c.isspace() for c in text):
        return False
    if text.startswith(("/", "{", "[", "$")) or any(c in text for c in ".:@,;"):  # paths, JSON, ARNs, URLs, hosts
        return False
    if re.fullmatch(r"[0-9a-fA-F-]+", text):  # UUIDs, hex digests, commit ids
        return False
    if sum(bool(re.search(r"[A-Z]?[a-z]{4,}", part)) for part in re.split(r"[-_]", text)) >= 2:
        return False  # generated resource names: MyStack-OrdersQueue4F2A-1X2Y
    if re.search(r"[a-z]{8,}", text):
        return False  # words, not randomness: KinesisFirehoselamfhsdestination623CCD9C (a CDK physical name)
    classes = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[+/=_\-]"))
    return classes >= 3 and shannon_entropy(text) >= 4.2


@rule(
    "FG-SEC-007",
    category="secrets",
    severity=Severity.MEDIUM,
    title="High-entropy literal in a function's environment",
    over="functions",
)
def high_entropy_environment_value(app: Application) -> Iterator[Hit]:
    """
    An environment variable holds a literal that looks generated — long, random, of
    mixed character classes — whatever its name. A name ending in `_ID`
    (`EC2_SECRET_KEY_ID`) or without a password-like word does not make a key harmless.

    FG-SEC-001 reports literals with a known format or a password-like name; this rule
    catches the rest by entropy. ARNs, URLs, paths, UUIDs and hex digests are not
    reported.

    Fix: if it is a credential, move it to Secrets Manager or SSM Parameter Store and
    rotate it; if it is not, suppress the finding with the reason.
    """
    for fn in app.functions:
        for var in fn.environment:
            if not var.literal or not var.value or find_secret(var.value, var.name) is not None:
                continue
            if not _generated_credential(var.value):
                continue
            yield Hit(
                loc=var.loc,
                message=f"Environment variable {var.name} of function {fn.name} holds a high-entropy literal "
                f"({mask_value(var.value)}) that looks like a generated credential",
                remediation=fix(
                    app.format,
                    cfn=f"If {var.name} is a credential, move it to Secrets Manager or SSM Parameter Store (SecureString), "
                    "pass its ARN instead and rotate it",
                    terraform=f"If {var.name} is a credential, move it to an aws_secretsmanager_secret, pass its ARN "
                    "instead and rotate it",
                ),
                resource=fn.name,
                function=fn.name,
                key=var.name,
            )


def mask_value(value: str) -> str:
    text = value.strip()
    return f"{text[:4]}…{len(text)} characters"
