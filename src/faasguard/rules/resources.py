"""Rules of the `resources` category: exhaustion, runaway cost and cold-start traps.

Configuration-level rules (FG-RES-001…009) read timeouts, memory, reserved
concurrency and API throttling from the model.
"""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.code.facts import code_facts
from faasguard.findings import Severity
from faasguard.model import Api, Application, Function, Trigger
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix, sls_function, tf_function

LAMBDA_DEFAULT_TIMEOUT = 3
LAMBDA_MAX_TIMEOUT = 900
LAMBDA_DEFAULT_MEMORY = 128
LARGE_MEMORY = 3008  # the former maximum; above it few handlers need the memory, all pay for it
# How long API Gateway waits for the integration (seconds), by trigger kind.
API_WAIT = {"api": 29, "http-api": 30, "websocket": 29}


def _timeout(fn: Function) -> int:
    return fn.timeout if fn.timeout is not None else LAMBDA_DEFAULT_TIMEOUT


def _public_entry(fn: Function) -> str:
    for trigger in fn.triggers:
        if trigger.public:
            where = trigger.route or trigger.kind
            return f"{where} of {trigger.source}" if trigger.source and trigger.route else where
    return ""


def _caller_waits(trigger: Trigger) -> bool:
    """WebSocket clients wait only for $connect; other routes commonly answer through the connection later."""
    return trigger.kind != "websocket" or (trigger.route or "").endswith("$connect")


@rule(
    "FG-RES-001",
    category="resources",
    severity=Severity.MEDIUM,
    title="Function timeout exceeds what the API can wait",
    over="functions",
)
def timeout_beyond_api(app: Application) -> Iterator[Hit]:
    """
    The function sits behind API Gateway but its timeout is longer than API
    Gateway waits for it (29 s for REST and WebSocket APIs, 30 s for HTTP APIs).

    When the function is slow, the client gets a 504 while the function keeps
    running and billing to its own timeout (WebSocket APIs: only `$connect` is
    checked, other routes usually answer later through the connection); clients retry, and every retry starts
    another long invocation. An attacker who finds a slow path turns this into
    concurrency exhaustion for the whole account.

    Bad:

    ```yaml
    Timeout: 60
    Events:
      Report: {Type: Api, Properties: {Path: /report, Method: get}}
    ```

    Fix: set `Timeout` at or below the API's limit (e.g. `Timeout: 28`), and move
    long work to an asynchronous path (queue + worker, Step Functions) that the
    API only starts.
    """
    for fn in app.functions:
        waits = [(API_WAIT[t.kind], t) for t in fn.triggers if t.kind in API_WAIT and _caller_waits(t)]
        if not waits:
            continue
        wait, trigger = min(waits, key=lambda pair: pair[0])
        timeout = _timeout(fn)
        if timeout <= wait:
            continue
        via = f"route {trigger.route}" if trigger.route else "an API"
        api = f" of API {trigger.source}" if trigger.source else ""
        yield Hit(
            loc=fn.timeout_loc or fn.loc,
            message=f"Function {fn.name} has a {timeout} s timeout but API Gateway gives up after {wait} s on {via}{api}: "
            f"the caller gets a timeout error while the function runs on for up to {timeout - wait} s",
            remediation=fix(
                app.format,
                cfn=f"Lower Timeout of {fn.name} to at most {wait - 1} s, or make the long work asynchronous",
                cdk=f"Lower timeout of the lambda.Function {fn.name} to at most Duration.seconds({wait - 1}), "
                "or make the long work asynchronous",
                terraform=f"Set {tf_function(fn.name, f'timeout = {wait - 1}', f'timeout = {wait - 1}')} or lower, "
                "or make the long work asynchronous",
                serverless=f"Lower {sls_function(fn.name, 'timeout')} to at most {wait - 1}, "
                "or make the long work asynchronous",
            ),
            resource=fn.name,
            function=fn.name,
        )


@rule(
    "FG-RES-002",
    category="resources",
    severity=Severity.LOW,
    title="Function timeout is at the 15-minute maximum",
    providers=("aws",),
    over="functions",
)
def maximum_timeout(app: Application) -> Iterator[Hit]:
    """
    The function's timeout is 900 s, the most Lambda allows.

    A maximum timeout is usually a guess rather than a measurement. A handler that
    hangs on a slow dependency — or is made to, by a crafted event — holds a
    concurrency slot and bills for fifteen minutes per invocation.

    Bad: `Timeout: 900`

    Fix: measure the function's real duration (CloudWatch `Duration` p99) and set
    the timeout a little above it; split genuinely long jobs with Step Functions.
    """
    for fn in app.functions:
        if fn.timeout is None or fn.timeout < LAMBDA_MAX_TIMEOUT:
            continue
        yield Hit(
            loc=fn.timeout_loc or fn.loc,
            message=f"Function {fn.name} has the maximum timeout ({fn.timeout} s): a hung invocation bills for 15 minutes",
            remediation=fix(
                app.format,
                cfn=f"Set Timeout of {fn.name} a little above its measured p99 duration",
                cdk=f"Set timeout of the lambda.Function {fn.name} a little above its measured p99 duration",
                terraform=f"Set {tf_function(fn.name, 'timeout', 'timeout')} a little above its measured p99 duration",
                serverless=f"Set {sls_function(fn.name, 'timeout')} a little above its measured p99 duration",
            ),
            resource=fn.name,
            function=fn.name,
        )


@rule(
    "FG-RES-003",
    category="resources",
    severity=Severity.MEDIUM,
    title="Public function without reserved concurrency",
    providers=("aws",),
    over="functions",
)
def public_without_concurrency_limit(app: Application) -> Iterator[Hit]:
    """
    The function can be invoked from the internet (API route, function URL) and
    has no `ReservedConcurrentExecutions`.

    A flood of requests — malicious or a retry storm — scales it up to the
    account's whole concurrency quota: every other function in the account and
    region is throttled (denial of service) and the bill grows with every
    request (denial of wallet).

    Bad: an `Api` or `HttpApi` event, or a `FunctionUrlConfig`, and no
    `ReservedConcurrentExecutions`.

    Fix: `ReservedConcurrentExecutions: 50` (sized to the expected peak), plus
    throttling on the API (see FG-RES-004).
    """
    for fn in app.functions:
        if not fn.is_public or fn.reserved_concurrency is not None:
            continue
        yield Hit(
            loc=fn.loc,
            message=f"Function {fn.name} is reachable from the internet ({_public_entry(fn)}) and has no reserved "
            "concurrency: a flood of requests can take the whole account's concurrency",
            remediation=fix(
                app.format,
                cfn=f"Set ReservedConcurrentExecutions on {fn.name} to its expected peak concurrency",
                cdk=f"Set reservedConcurrentExecutions on the lambda.Function {fn.name} to its expected peak concurrency",
                terraform=f"Set {tf_function(fn.name, 'reserved_concurrent_executions', 'reserved_concurrent_executions')} "
                "to its expected peak concurrency",
                serverless=f"Set {sls_function(fn.name, 'reservedConcurrency')} to its expected peak concurrency",
            ),
            resource=fn.name,
            function=fn.name,
        )


@rule("FG-RES-004", category="resources", severity=Severity.MEDIUM, title="API without throttling", over="apis")
def api_without_throttling(app: Application) -> Iterator[Hit]:
    """
    The API Gateway API that invokes the function sets no throttling: no stage
    `ThrottlingRateLimit`/`ThrottlingBurstLimit` and no usage plan.

    Only the account-wide default (10,000 requests per second shared by every
    API in the region) applies, so one client can drive the functions behind it
    as fast as it likes, starve every other API and run up the bill.

    Bad:

    ```yaml
    Api:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
    ```

    Fix:

    ```yaml
        MethodSettings:
          - {ResourcePath: "/*", HttpMethod: "*", ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50}
    ```

    (`DefaultRouteSettings` on HTTP APIs), or a usage plan with `Throttle`.

    An API whose functions are defined elsewhere (an API stack apart from the
    functions' stack, a Terraform module whose functions live in the caller) is
    reported on its own, at low, when the source deploys it (a stage) and routes
    requests to some backend.
    """
    for api in app.apis:
        if api.throttling is not None or api.has_usage_plan:
            continue
        functions = sorted({r.function for r in api.routes if r.function})
        if not functions:
            # An API whose functions live elsewhere (another stack, the caller module): the API alone,
            # when this source deploys it (a stage) and routes it somewhere; low, what it calls is not known here.
            callable_routes = [r for r in api.routes if r.integration != "mock" and r.method != "OPTIONS"]
            if api.stage_loc is None or not callable_routes or api.endpoint_type == "PRIVATE":
                continue
            yield Hit(
                loc=api.stage_loc,
                message=f"API {api.id} has no throttling or usage plan; its {len(callable_routes)} "
                f"route{'s' if len(callable_routes) > 1 else ''} "
                + " or ".join(
                    sorted({_BACKEND_WORDS.get(r.integration, _BACKEND_WORDS[None])[len(callable_routes) > 1]
                            for r in callable_routes})
                ),
                remediation=_throttling_fix(app.format, api),
                resource=api.id,
                severity=Severity.LOW,
            )
            continue
        names = ("function " if len(functions) == 1 else "functions ") + ", ".join(functions)
        yield Hit(
            loc=api.stage_loc or api.loc,
            message=f"API {api.id} has no throttling or usage plan; it invokes {names}",
            remediation=_throttling_fix(app.format, api),
            resource=api.id,
            function=functions[0] if len(functions) == 1 else None,
        )


# What the routes of an API with no function of the source call, for FG-RES-004's message.
_BACKEND_WORDS = {  # (one route, several routes)
    "lambda": ("invokes a function defined elsewhere", "invoke functions defined elsewhere"),
    "aws": ("calls an AWS service directly", "call AWS services directly"),
    "http": ("proxies to an HTTP backend", "proxy to HTTP backends"),
    None: ("has no integration in this source", "have integrations not in this source"),
}


def _throttling_fix(fmt: str, api: Api) -> str:
    rest = api.kind == "rest"
    return fix(
        fmt,
        cfn=f"Set ThrottlingRateLimit and ThrottlingBurstLimit on the stage of {api.id} "
        "(MethodSettings, or DefaultRouteSettings on HTTP APIs), or attach a usage plan with Throttle",
        cdk=f"Set deployOptions: {{throttlingRateLimit: 100, throttlingBurstLimit: 50}} on the apigateway.RestApi {api.id}, "
        "or add a usage plan with throttle (api.addUsagePlan)"
        if rest
        else f"Set ThrottlingRateLimit and ThrottlingBurstLimit in the DefaultRouteSettings of the stage of {api.id}",
        terraform=f'Add resource "aws_api_gateway_method_settings" for {api.id} with method_path = "*/*" and settings '
        "{ throttling_rate_limit = 100, throttling_burst_limit = 50 }, or an aws_api_gateway_usage_plan with "
        "throttle_settings"
        if rest
        else f"Set default_route_settings {{ throttling_rate_limit = 100, throttling_burst_limit = 50 }} on the "
        f"aws_apigatewayv2_stage of {api.id}",
        serverless="Set provider.apiGateway.usagePlan.throttle {rateLimit: 100, burstLimit: 50}"
        if rest
        else "Set resources.extensions.HttpApiStage.Properties.DefaultRouteSettings {ThrottlingRateLimit: 100, "
        "ThrottlingBurstLimit: 50} (the Framework has no httpApi throttling setting)"
        if api.kind == "http"
        else None,
    )


@rule(
    "FG-RES-005",
    category="resources",
    severity=Severity.LOW,
    title="Public function runs with the default 128 MB",
    providers=("aws",),
    over="functions",
)
def default_memory_public(app: Application) -> Iterator[Hit]:
    """
    A function reachable from the internet keeps Lambda's default 128 MB of memory.

    Lambda allocates CPU in proportion to memory: at 128 MB a handler gets a
    fraction of a vCPU, so each request runs longer and holds its concurrency
    slot longer. Under load — or a deliberate flood — the function hits its
    concurrency limit and the API's timeout far sooner than it needs to, and
    slow cold starts make it worse.

    Bad: an `Api` event and no `MemorySize` (or `MemorySize: 128`).

    Fix: measure and set `MemorySize` (often 512–1024 MB makes a request both
    faster and no more expensive); AWS Lambda Power Tuning finds the best value.
    """
    for fn in app.functions:
        if not fn.is_public or fn.provider != "aws" or fn.package_type == "Image":
            continue
        memory = fn.memory if fn.memory is not None else LAMBDA_DEFAULT_MEMORY
        if memory > LAMBDA_DEFAULT_MEMORY:
            continue
        stated = "the default 128 MB" if fn.memory is None else "128 MB"
        yield Hit(
            loc=fn.memory_loc or fn.loc,
            message=f"Public function {fn.name} ({_public_entry(fn)}) runs with {stated} and the CPU share that comes with it",
            remediation=fix(
                app.format,
                cfn=f"Measure {fn.name} and set MemorySize (e.g. 512); AWS Lambda Power Tuning finds the cheapest fast setting",
                cdk=f"Measure {fn.name} and set memorySize on the lambda.Function (e.g. 512); AWS Lambda Power Tuning "
                "finds the cheapest fast setting",
                terraform=f"Measure the function and set {tf_function(fn.name, 'memory_size', 'memory_size')} (e.g. 512); "
                "AWS Lambda Power Tuning finds the cheapest fast setting",
                serverless=f"Measure {fn.name} and set {sls_function(fn.name, 'memorySize')} (e.g. 512); AWS Lambda "
                "Power Tuning finds the cheapest fast setting",
            ),
            resource=fn.name,
            function=fn.name,
        )


@rule(
    "FG-RES-006",
    category="resources",
    severity=Severity.LOW,
    title="Public function with very large memory",
    providers=("aws",),
    over="functions",
)
def large_memory_public(app: Application) -> Iterator[Hit]:
    """
    A function reachable from the internet is configured with more than 3008 MB.

    Every invocation is billed for the memory configured, whether it uses it
    or not: at 10 GB a request costs 80 times what it costs at 128 MB, which
    multiplies what a request flood costs you (denial of wallet).

    Bad: `MemorySize: 10240` on a function behind an API.

    Fix: measure the memory the function actually uses (`Max Memory Used` in its
    REPORT log lines) and size it to that with some headroom; put reserved
    concurrency and API throttling in front of functions that genuinely need a lot.
    """
    for fn in app.functions:
        if not fn.is_public or fn.memory is None or fn.memory <= LARGE_MEMORY:
            continue
        yield Hit(
            loc=fn.memory_loc or fn.loc,
            message=f"Public function {fn.name} ({_public_entry(fn)}) is billed for {fn.memory} MB per invocation, "
            f"{fn.memory // LAMBDA_DEFAULT_MEMORY} times the minimum",
            remediation=fix(
                app.format,
                cfn=f"Size MemorySize of {fn.name} to its measured Max Memory Used plus headroom",
                cdk=f"Size memorySize of the lambda.Function {fn.name} to its measured Max Memory Used plus headroom",
                terraform=f"Size {tf_function(fn.name, 'memory_size', 'memory_size')} to its measured Max Memory Used "
                "plus headroom",
                serverless=f"Size {sls_function(fn.name, 'memorySize')} to its measured Max Memory Used plus headroom",
            ),
            resource=fn.name,
            function=fn.name,
        )


# -- code: set-up repeated on every invocation (faasguard.code facts) ------------------------------------


def _per_invocation(app: Application, kind: str, what: str, remediation: str) -> Iterator[Hit]:
    for function, facts in code_facts(app):
        if function is None:
            continue
        for item in facts.per_invocation:
            if item.kind != kind:
                continue
            yield Hit(
                loc=item.loc,
                message=f"Function {function} {what} {item.what} inside its handler {item.handler}, on every invocation",
                remediation=remediation,
                resource=item.what,
                function=function,
                key=f"{item.kind}:{item.what}",
            )


@rule("FG-RES-010", category="resources", severity=Severity.MEDIUM, title="Secret fetched on every invocation", over="code")
def secret_per_invocation(app: Application) -> Iterator[Hit]:
    """
    The handler calls `get_secret_value` / `GetParameter` (or `GetSecretValueCommand`)
    each time it runs. Every request pays the latency, the account's Secrets Manager
    and SSM rate limits are reached under load (throttled invocations fail), and the
    bill grows with traffic.

    Fix: fetch the secret once at module level (or cache it with a TTL, e.g. the AWS
    Parameters and Secrets Lambda Extension or Powertools `parameters`).
    """
    yield from _per_invocation(app, "secret-fetch", "fetches the secret with",
                               "Fetch the secret once per container (module level or a cached helper with a TTL) "
                               "instead of inside the handler")


@rule("FG-RES-011", category="resources", severity=Severity.LOW, title="SDK client created on every invocation", over="code")
def client_per_invocation(app: Application) -> Iterator[Hit]:
    """
    An AWS SDK client (`boto3.client`, `new AWS.S3()`, `new S3Client()`) is created
    inside the handler, so every invocation repeats credential lookup and connection
    set-up: slower requests and more cold-start cost under load.

    Fix: create clients at module level, outside the handler, and reuse them.
    """
    yield from _per_invocation(app, "sdk-client", "creates", "Create the client once at module level, outside the "
                               "handler, and reuse it across invocations")


@rule(
    "FG-RES-012",
    category="resources",
    severity=Severity.LOW,
    title="Database connection opened on every invocation",
    over="code",
)
def connection_per_invocation(app: Application) -> Iterator[Hit]:
    """
    The handler opens a database connection (`pymysql.connect`, `new Pool()`,
    `MongoClient`) each time it runs. Under load this exhausts the database's
    connection limit and adds a handshake to every request.

    Fix: open the connection lazily once per container (module level, or
    `if conn is None:` in the handler), or use RDS Proxy.
    """
    yield from _per_invocation(app, "db-connection", "opens a connection with",
                               "Open the connection once per container (module level or a lazily initialised global) "
                               "or put RDS Proxy in front of the database")
