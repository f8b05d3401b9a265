"""Rules of the `injection` category: event data reaching what it should not.

Configuration-level rules (FG-INJ-001…009) look at the API front door: who may
call a route, and whether API Gateway validates what they send.
"""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.findings import Severity
from faasguard.model import Api, Application, Route
from faasguard.registry import Hit, rule

_BODY_METHODS = {"POST", "PUT", "PATCH", "ANY"}


def _routes_to_functions(app: Application) -> Iterator[tuple[Api, Route]]:
    """Routes that invoke a function of this application; CORS preflight (OPTIONS) is left out."""
    for api in app.apis:
        for route in api.routes:
            if route.function is None or route.method == "OPTIONS":
                continue
            if api.kind == "websocket" and route.path != "$connect":
                continue  # WebSocket authorization is decided once, on $connect
            yield api, route


@rule("FG-INJ-001", category="injection", severity=Severity.MEDIUM, title="API route has no authorizer")
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
    """
    for api, route in _routes_to_functions(app):
        if route.authorization != "NONE" or route.api_key_required:
            continue
        yield Hit(
            loc=route.loc,
            message=f"Route {route.method} {route.path} of API {api.id} invokes function {route.function} "
            "without any authorization: anyone can call it",
            remediation=f"Add an authorizer (Cognito, JWT, Lambda or AWS_IAM) to {route.method} {route.path}, "
            f"or a DefaultAuthorizer on {api.id}",
            resource=api.id,
            function=route.function,
            key=f"{route.method} {route.path}",
        )


@rule("FG-INJ-002", category="injection", severity=Severity.LOW, title="REST API does not validate request bodies")
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
    """
    for api, route in _routes_to_functions(app):
        if api.kind != "rest" or route.method not in _BODY_METHODS or route.request_validator is not False:
            continue
        open_route = route.authorization == "NONE" and not route.api_key_required
        yield Hit(
            loc=route.loc,
            message=f"{route.method} {route.path} of REST API {api.id} passes request bodies to function {route.function} "
            "without validating them" + (" (and the route is unauthenticated)" if open_route else ""),
            remediation=f"Add a request validator with ValidateRequestBody: true and a request model to {route.method} "
            f"{route.path} (SAM: RequestModel with ValidateBody: true)",
            resource=api.id,
            function=route.function,
            severity=Severity.MEDIUM if open_route else None,
            key=f"{route.method} {route.path}",
        )


@rule("FG-INJ-003", category="injection", severity=Severity.LOW, title="API route is protected by an API key only")
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
    for api, route in _routes_to_functions(app):
        if route.authorization != "NONE" or not route.api_key_required:
            continue
        yield Hit(
            loc=route.loc,
            message=f"Route {route.method} {route.path} of API {api.id} invokes function {route.function} "
            "with only an API key as protection",
            remediation=f"Add an authorizer (Cognito, JWT, Lambda or AWS_IAM) to {route.method} {route.path}; keep the API key "
            "for usage plans",
            resource=api.id,
            function=route.function,
            key=f"{route.method} {route.path}",
        )
