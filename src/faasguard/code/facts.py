"""What the code analyzer learns about one function's source, as frozen dataclasses.

The analyzer (:mod:`faasguard.code.analyzer`) stores one :class:`CodeFacts` per
function in ``Application.code[function.name]``; loose source and config files
that no function points at get a ``format="source"`` application whose
``code`` is keyed by the file's relative path. Rules and the least-privilege
IAM analysis read only these facts, never the source.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from faasguard.findings import Related
from faasguard.model import Application, Loc


class TaintKind(StrEnum):
    """What a sink does with attacker data: the one vocabulary of the models, the rules and the attack paths."""

    SQL = "sql"
    SHELL = "shell"
    CODE = "code"
    DESERIALIZATION = "deserialization"
    SSRF = "ssrf"
    PATH = "path"
    NOSQL = "nosql"
    TEMPLATE = "template"
    XSS = "xss"


# kind → (what the sink takes, the attack's name, the rule that reports it)
KINDS: dict[TaintKind, tuple[str, str, str]] = {
    TaintKind.SQL: ("SQL query", "SQL injection", "FG-INJ-010"),
    TaintKind.SHELL: ("shell command", "command injection", "FG-INJ-011"),
    TaintKind.CODE: ("code evaluation", "code injection", "FG-INJ-012"),
    TaintKind.DESERIALIZATION: ("deserialisation", "unsafe deserialisation", "FG-INJ-013"),
    TaintKind.SSRF: ("outgoing request URL", "server-side request forgery", "FG-INJ-014"),
    TaintKind.PATH: ("file path", "path traversal", "FG-INJ-015"),
    TaintKind.NOSQL: ("NoSQL query", "NoSQL injection", "FG-INJ-016"),
    TaintKind.TEMPLATE: ("template source", "template injection", "FG-INJ-017"),
    TaintKind.XSS: ("HTML response", "reflected cross-site scripting", "FG-INJ-018"),
}
KIND_NAMES: dict[str, str] = {kind.value: names[0] for kind, names in KINDS.items()}
ATTACK_NAMES: dict[str, str] = {kind.value: names[1] for kind, names in KINDS.items()}
RULE_OF_KIND: dict[str, str] = {kind.value: names[2] for kind, names in KINDS.items()}


@dataclass(frozen=True)
class SdkCall:
    """One AWS SDK call the code makes."""

    service: str  # boto3 client name: "s3", "dynamodb", "sqs", "secretsmanager" …
    operation: str  # botocore operation name, PascalCase: "GetObject", "PutItem", "ListObjectsV2"
    resource: str | None  # literal bucket/table/queue/function name or ARN, when resolvable
    resource_env: str | None  # environment variable the resource comes from (os.environ["TABLE"])
    loc: Loc
    sdk: str  # "boto3" | "aws-sdk-v2" | "aws-sdk-v3"
    via: str = "client"  # client | resource | paginator | waiter | document-client
    # the client was built with credentials of its own (access keys, an assumed role's session): the call does not
    # act as the function's execution role, so least privilege must not count it against that role
    explicit_credentials: bool = False
    # DynamoDB Query/Scan: the IndexName the request names ("*" when computed), "" when it names none, None when the
    # request is not known whole (**params) or the operation reads no index
    index_name: str | None = None
    # S3 object calls: the constant start of the Key ("clickstream/" of f"clickstream/{day}.json"), when known
    key_prefix: str | None = None


@dataclass(frozen=True)
class FlowStep:
    """One hop of a taint path: where the tainted value went next."""

    loc: Loc
    note: str  # e.g. "url = event['queryStringParameters']['url']"


@dataclass(frozen=True)
class TaintFlow:
    """Attacker-controlled data from the event reaching a dangerous sink."""

    kind: str  # a TaintKind value: sql | shell | code | deserialization | ssrf | path | nosql | template | xss
    source: str  # what the attacker controls, e.g. event["queryStringParameters"]["url"]
    source_loc: Loc
    sink: str  # the call, e.g. child_process.execSync
    sink_loc: Loc
    steps: tuple[FlowStep, ...] = ()  # from the source to the sink, in order
    handler: str | None = None  # the function the flow starts in


@dataclass(frozen=True)
class SecretLiteral:
    """A credential written into source or a config file."""

    kind: str  # what faasguard.secret_patterns recognised, e.g. "AWS access key id"
    name: str | None  # the variable/key it is assigned to, when there is one
    loc: Loc
    redacted: str  # a short, safe preview such as "AKIA…MPLE"


@dataclass(frozen=True)
class LogLeak:
    """A logging call that writes a whole event or a secret-holding variable."""

    kind: str  # "whole-event" | "secret"
    what: str  # the expression logged: "event", "password"
    call: str  # print | console.log | logger.info …
    loc: Loc


@dataclass(frozen=True)
class PerInvocation:
    """Something created inside the handler on every invocation instead of once per container."""

    kind: str  # "sdk-client" | "db-connection" | "secret-fetch"
    what: str  # boto3.client('s3'), pymysql.connect, get_secret_value …
    loc: Loc
    handler: str


@dataclass(frozen=True)
class LibraryUse:
    """The code imports a library that calls AWS itself (data/aws_libraries.toml): its calls are not followed."""

    name: str  # pynamodb, dynamoose, @middy/ssm …
    calls: str  # what it calls: "DynamoDB, through its models"
    loc: Loc  # the import


@dataclass(frozen=True)
class AuthCheck:
    """The handler verifies its caller in code: a JWT, a webhook signature (shared.toml verifier rows)."""

    what: str  # "JWT verification" | "request signature check" | "JWT decoded without a signature check"
    call: str  # jwt.decode, crypto.timingSafeEqual …
    loc: Loc
    verified: bool = True  # False: the call reads a token's claims without checking who signed it (CWE-347)


@dataclass(frozen=True)
class LoggingFacts:
    prints: tuple[Loc, ...] = ()  # print / console.log calls
    structured: bool = False  # logging/structlog/aws_lambda_powertools/pino/winston … in use


@dataclass(frozen=True)
class CodeFacts:
    function: str
    entry: str | None  # relative path of the handler's entry file
    handler: str | None  # handler function name
    files: tuple[str, ...]  # every source file analysed for this function (entry + followed local imports)
    sdk_calls: tuple[SdkCall, ...] = ()
    dynamic_sdk: tuple[Loc, ...] = ()  # client/service/operation computed at run time: policy incomplete
    signed_outside_sdk: tuple[Loc, ...] = ()  # pre-signed URLs, the role's credentials signing requests: incomplete
    flows: tuple[TaintFlow, ...] = ()
    secrets: tuple[SecretLiteral, ...] = ()
    log_leaks: tuple[LogLeak, ...] = ()
    per_invocation: tuple[PerInvocation, ...] = ()
    logging: LoggingFacts = LoggingFacts()
    language: str | None = None  # python | javascript | typescript | config
    resolved: bool = True  # False when the entry file could not be found
    auth_checks: tuple[AuthCheck, ...] = ()  # verifier calls the handler's walk reached
    authorizer: bool = False  # the entry file answers an API Gateway authorizer (a policyDocument / isAuthorized)
    aws_libraries: tuple[LibraryUse, ...] = ()  # imports of libraries that call AWS themselves: policy incomplete


def code_facts(app: Application) -> Iterator[tuple[str | None, CodeFacts]]:
    """(function name, facts) for each analysed function; the name is None for loose source files."""
    for key, facts in app.code.items():
        if isinstance(facts, CodeFacts):
            yield (None if app.format == "source" else key), facts


def auth_in_code(app: Application, function: str | None) -> AuthCheck | None:
    """The first verifier call (JWT, webhook signature) the function's handler makes, if any."""
    facts = app.code.get(function) if function else None
    checks = getattr(facts, "auth_checks", ()) if isinstance(facts, CodeFacts) else ()
    return next((c for c in checks if c.verified), None)


def flow_related(flow: TaintFlow) -> tuple[Related, ...]:
    """The path from the event to the sink, as related locations (SARIF codeFlows)."""
    related = [Related(flow.source_loc.path, flow.source_loc.line, f"source: {flow.source}")]
    related += [Related(step.loc.path, step.loc.line, step.note) for step in flow.steps]
    related.append(Related(flow.sink_loc.path, flow.sink_loc.line, f"sink: {flow.sink}"))
    return tuple(related)


def flow_message(flow: TaintFlow, function: str) -> str:
    hops = f" via {len(flow.steps)} step{'s' if len(flow.steps) != 1 else ''}" if flow.steps else ""
    return (
        f"Function {function}: {flow.source} (line {flow.source_loc.line}) reaches the {KIND_NAMES.get(flow.kind, flow.kind)} "
        f"of {flow.sink} at {flow.sink_loc}{hops}"
    )


def facts_document(apps: list[Application]) -> list[dict[str, object]]:
    """Per-function code facts for ``faasguard scan --format json --show-facts``."""

    def loc(value: Loc) -> dict[str, object]:
        return {"path": value.path, "line": value.line}

    out: list[dict[str, object]] = []
    for app in apps:
        for function, facts in code_facts(app):
            if function is None:
                continue
            out.append({
                "name": function,
                "path": facts.entry,
                "handler": facts.handler,
                "language": facts.language,
                "files": list(facts.files),
                "sdk_calls": [
                    {"service": c.service, "operation": c.operation, "resource": c.resource, "resource_env": c.resource_env,
                     "sdk": c.sdk, "explicit_credentials": c.explicit_credentials, "index_name": c.index_name,
                     "key_prefix": c.key_prefix, **loc(c.loc)}
                    for c in facts.sdk_calls
                ],
                "dynamic_sdk": [loc(d) for d in facts.dynamic_sdk],
                "signed_outside_sdk": [loc(d) for d in facts.signed_outside_sdk],
                "aws_libraries": [{"name": u.name, "calls": u.calls, **loc(u.loc)} for u in facts.aws_libraries],
                "flows": [
                    {"kind": f.kind, "source": f.source, "source_line": f.source_loc.line, "sink": f.sink, **loc(f.sink_loc),
                     "steps": [{**loc(s.loc), "note": s.note} for s in f.steps]}
                    for f in facts.flows
                ],
                "secrets": [{"kind": s.kind, "name": s.name, **loc(s.loc)} for s in facts.secrets],
                "log_leaks": [{"kind": x.kind, "what": x.what, "call": x.call, **loc(x.loc)} for x in facts.log_leaks],
                "per_invocation": [{"kind": x.kind, "what": x.what, **loc(x.loc)} for x in facts.per_invocation],
                "structured_logging": facts.logging.structured,
            })
    return sorted(out, key=lambda item: (str(item["path"]), str(item["name"])))
