"""Rules of the `monitoring` category: an attack on a function would go unnoticed.

Configuration-level rules (FG-MON-001…009) read tracing, log groups, alarms,
failure destinations and API stage settings from the model.
"""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.code.facts import code_facts
from faasguard.findings import Related, Severity
from faasguard.model import Api, Application, Function, Role
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix, sls_function, sls_logical_id, tf_function


def _api_functions(api: Api) -> list[str]:
    return sorted({r.function for r in api.routes if r.function})


def _describe_functions(names: list[str]) -> str:
    if not names:
        return "no function in this template"
    return "function " + names[0] if len(names) == 1 else "functions " + ", ".join(names)


@rule(
    "FG-MON-001",
    category="monitoring",
    severity=Severity.LOW,
    title="Function tracing is off",
    providers=("aws",),
    over="functions",
)
def tracing_off(app: Application) -> Iterator[Hit]:
    """
    The function does not send traces to AWS X-Ray (`TracingConfig.Mode` / SAM
    `Tracing` is not set).

    Without traces, an investigation cannot follow a malicious request from the
    API through the function to the AWS calls it made (which table it read,
    which bucket it wrote), and slow or failing downstream calls stay invisible.

    Bad:

    ```yaml
    Orders:
      Type: AWS::Serverless::Function
      Properties:
        Runtime: python3.12
    ```

    Fix: `Tracing: Active` on the function (or in `Globals.Function`); in plain
    CloudFormation `TracingConfig: {Mode: Active}`. SAM adds the X-Ray write
    permissions to the generated role. `PassThrough` is accepted as a deliberate choice.
    """
    for fn in app.functions:
        if fn.provider != "aws" or fn.tracing:
            continue
        yield Hit(
            loc=fn.tracing_loc or fn.loc,
            message=f"Function {fn.name} has X-Ray tracing off: requests through it cannot be traced end to end",
            remediation=fix(
                app.format,
                sam="Set Tracing: Active on the function or in Globals.Function "
                "(CloudFormation: TracingConfig: {Mode: Active})",
                cfn=f"Set TracingConfig: {{Mode: Active}} on {fn.name} and allow xray:PutTraceSegments and "
                "xray:PutTelemetryRecords in its role (AWSXRayDaemonWriteAccess)",
                cdk=f"Set tracing: lambda.Tracing.ACTIVE on the lambda.Function {fn.name} (CDK adds the X-Ray permissions)",
                terraform="Set "
                + tf_function(
                    fn.name, 'tracing_config { mode = "Active" }', 'tracing_mode = "Active" and attach_tracing_policy = true'
                )
                + ("" if fn.name.startswith("module.") else ", and attach AWSXRayDaemonWriteAccess to its role"),
                serverless=f"Set provider.tracing.lambda: true (or {sls_function(fn.name, 'tracing')}: Active); "
                "the Framework adds the X-Ray permissions",
            ),
            resource=fn.name,
            function=fn.name,
        )


@rule(
    "FG-MON-002",
    category="monitoring",
    severity=Severity.LOW,
    title="Function logs are kept forever",
    providers=("aws",),
    over="functions",
)
def no_log_retention(app: Application) -> Iterator[Hit]:
    """
    No log group with a retention period holds the function's logs.

    When the template declares no `/aws/lambda/<function>` log group, Lambda
    creates one on the first invocation with *never expire* retention, outside
    the stack: logs (and whatever personal data or tokens a handler logs) pile up
    forever, unencrypted by your key, and are left behind when the stack is
    deleted. A declared log group without `RetentionInDays` behaves the same.

    Bad:

    ```yaml
    OrdersLogs:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: !Sub /aws/lambda/${Orders}
    ```

    Fix: declare the log group in the template with the retention your
    investigations need (e.g. `RetentionInDays: 90`), and point the function at it
    (`LoggingConfig.LogGroup`) or name it `/aws/lambda/<function name>`.
    """
    for fn in app.functions:
        if fn.provider != "aws":
            continue
        groups = [g for g in app.log_groups if g.function == fn.name]
        if not groups:
            yield Hit(
                loc=fn.loc,
                message=f"Function {fn.name} has no log group in the {_SOURCE_WORD.get(app.format, 'template')}: "
                "Lambda creates its /aws/lambda/ log group on first use with retention 'never expire'",
                remediation=_log_group_fix(app.format, fn.name),
                resource=fn.name,
                function=fn.name,
                key="no-log-group",
            )
            continue
        if any(g.retention_days for g in groups):
            continue
        for group in groups:
            yield Hit(
                loc=group.loc,
                message=f"Log group {group.id} of function {fn.name} has no RetentionInDays: its logs never expire",
                remediation=fix(
                    app.format,
                    cfn=f"Set RetentionInDays on {group.id} (e.g. 90, or what your compliance rules require)",
                    cdk=f"Set retention: logs.RetentionDays.THREE_MONTHS on the logs.LogGroup {group.id}",
                    terraform=f"Set cloudwatch_logs_retention_in_days = 90 in {fn.name}"
                    if fn.name.startswith("module.")
                    else f"Set retention_in_days on {group.id} (e.g. 90, or what your compliance rules require)",
                    serverless="Set provider.logRetentionInDays (e.g. 90, or what your compliance rules require)",
                ),
                resource=group.id,
                function=fn.name,
                key="no-retention",
            )


_SOURCE_WORD = {"terraform": "module", "serverless": "service"}


def _log_group_fix(fmt: str, function: str) -> str:
    """The fix in the words of the source the user edits."""
    if fmt in ("terraform", "pulumi"):
        address = function if function.startswith("aws_lambda_function.") else None
        name = f"${{{address}.function_name}}" if address else "<function name>"
        terraform = (
            f'Add resource "aws_cloudwatch_log_group" with name = "/aws/lambda/{name}" and retention_in_days = 90 '
            "(or set logging_config.log_group to a log group with retention)"
        )
    else:
        terraform = None
    return fix(
        fmt,
        cfn=f"Add an AWS::Logs::LogGroup named !Sub /aws/lambda/${{{function}}} with RetentionInDays "
        "(e.g. 90), or set LoggingConfig.LogGroup to a log group with retention",
        cdk=f"Give the lambda.Function {function} logGroup: new logs.LogGroup(this, 'Logs', "
        "{retention: logs.RetentionDays.THREE_MONTHS})",
        terraform=terraform,
        serverless="Set provider.logRetentionInDays (e.g. 90) so the Framework creates the log groups with retention",
    )


def _tf_function_name(function: str) -> str:
    if function.startswith("aws_lambda_function."):
        return f"{function}.function_name"
    if function.startswith("module."):
        return f"{function}.lambda_function_name"
    return '"<function name>"'


_FAILURE_METRICS = {"Errors", "Throttles"}


@rule(
    "FG-MON-003",
    category="monitoring",
    severity=Severity.LOW,
    title="No alarm on the function's errors or throttles",
    providers=("aws",),
    over="functions",
)
def no_error_alarm(app: Application) -> Iterator[Hit]:
    """
    No CloudWatch alarm watches the function's `Errors` or `Throttles` metric.

    Injection attempts, fuzzing and denial-of-wallet floods show up first as a
    burst of errors or throttles. With no alarm, nobody is told; the metrics sit
    in CloudWatch until someone happens to look.

    Bad: a function and no `AWS::CloudWatch::Alarm` whose `FunctionName`
    dimension names it.

    Fix:

    ```yaml
    OrdersErrors:
      Type: AWS::CloudWatch::Alarm
      Properties:
        Namespace: AWS/Lambda
        MetricName: Errors
        Dimensions: [{Name: FunctionName, Value: !Ref Orders}]
        Statistic: Sum
        Period: 60
        EvaluationPeriods: 1
        Threshold: 1
        ComparisonOperator: GreaterThanOrEqualToThreshold
        AlarmActions: [!Ref AlertsTopic]
    ```

    An alarm on a metric-math expression over the function's metrics counts too.
    """
    for fn in app.functions:
        if fn.provider != "aws":
            continue
        watched = [a for a in app.alarms if a.function == fn.name and (a.metric is None or a.metric in _FAILURE_METRICS)]
        if watched:
            continue
        yield Hit(
            loc=fn.loc,
            message=f"No CloudWatch alarm watches the Errors or Throttles of function {fn.name}",
            remediation=fix(
                app.format,
                cfn=f"Add an AWS::CloudWatch::Alarm on AWS/Lambda Errors (and Throttles) with the dimension "
                f"FunctionName: !Ref {fn.name} and an alarm action that reaches a person",
                cdk=f"Add {fn.name}.metricErrors().createAlarm(this, 'Errors', {{threshold: 1, evaluationPeriods: 1}}) "
                "(and metricThrottles()) with addAlarmAction(new cw_actions.SnsAction(alertsTopic))",
                terraform='Add resource "aws_cloudwatch_metric_alarm" with namespace = "AWS/Lambda", metric_name = '
                f'"Errors" (and one for "Throttles"), dimensions = {{ FunctionName = {_tf_function_name(fn.name)} }} '
                "and alarm_actions that reach a person",
                serverless="Add an AWS::CloudWatch::Alarm under resources.Resources on AWS/Lambda Errors (and Throttles) "
                f"with the dimension FunctionName: !Ref {sls_logical_id(fn.name)} and an alarm action that reaches a person",
            ),
            resource=fn.name,
            function=fn.name,
        )


def _async_sources(fn: Function) -> str:
    parts = []
    for trigger in fn.triggers:
        if trigger.asynchronous:
            parts.append(f"{trigger.kind} ({trigger.source})" if trigger.source else trigger.kind)
    return ", ".join(dict.fromkeys(parts))


@rule(
    "FG-MON-004",
    category="monitoring",
    severity=Severity.MEDIUM,
    title="Asynchronous function without a dead-letter queue",
    providers=("aws",),
    over="functions",
)
def async_without_dlq(app: Application) -> Iterator[Hit]:
    """
    The function is invoked asynchronously (S3, SNS, EventBridge, schedules …)
    but has neither a dead-letter queue nor an on-failure destination.

    Lambda retries a failed asynchronous event twice and then drops it silently.
    Events that crash the handler — including malicious ones crafted to — vanish
    without a trace, and so does the evidence.

    Bad:

    ```yaml
    Thumbnail:
      Type: AWS::Serverless::Function
      Properties:
        Events:
          Upload: {Type: S3, Properties: {Bucket: !Ref Uploads, Events: s3:ObjectCreated:*}}
    ```

    Fix: keep failed events and alarm on them:

    ```yaml
        EventInvokeConfig:
          DestinationConfig:
            OnFailure: {Type: SQS}
    ```

    or `DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt FailedEvents.Arn}`
    (CloudFormation: `DeadLetterConfig`, or an `AWS::Lambda::EventInvokeConfig`).
    """
    for fn in app.functions:
        if not fn.is_async or fn.dead_letter_target or fn.on_failure_destination:
            continue
        related = tuple(
            Related(t.loc.path, t.loc.line, f"asynchronous trigger: {t.kind}")
            for t in fn.triggers
            if t.asynchronous and t.loc.line
        )
        yield Hit(
            loc=fn.loc,
            message=f"Function {fn.name} is invoked asynchronously by {_async_sources(fn)} but has no dead-letter queue "
            "or on-failure destination: events that fail after the retries are dropped",
            remediation=fix(
                app.format,
                sam="Add EventInvokeConfig.DestinationConfig.OnFailure (or a DeadLetterQueue) pointing at an SQS queue, "
                "and alarm on its depth",
                cfn=f"Add an AWS::Lambda::EventInvokeConfig for {fn.name} with DestinationConfig.OnFailure (or "
                "DeadLetterConfig.TargetArn on the function) pointing at an SQS queue, and alarm on its depth",
                cdk=f"Set onFailure: new destinations.SqsDestination(queue) (or deadLetterQueue: queue) on the "
                f"lambda.Function {fn.name}, and alarm on the queue's depth",
                terraform='Add resource "aws_lambda_function_event_invoke_config" with destination_config { on_failure '
                f"{{ destination = <SQS queue ARN> }} }} for {fn.name} (or "
                + tf_function(fn.name, "dead_letter_config { target_arn = <SQS queue ARN> }", "dead_letter_target_arn")
                + "), and alarm on the queue's depth",
                serverless=f"Set {sls_function(fn.name, 'destinations.onFailure')} to the ARN of an SQS queue, "
                "and alarm on its depth",
            ),
            resource=fn.name,
            function=fn.name,
            related=related,
        )


@rule("FG-MON-005", category="monitoring", severity=Severity.MEDIUM, title="API stage without access logging", over="apis")
def api_access_logging_off(app: Application) -> Iterator[Hit]:
    """
    The API Gateway stage writes no access logs.

    Access logs are the only record of who called the API — source IP, identity,
    route, status, latency. Without them an attack through the API (credential
    stuffing, injection probing, scraping) leaves nothing to investigate.

    Bad:

    ```yaml
    Api:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
    ```

    Fix:

    ```yaml
        AccessLogSetting:
          DestinationArn: !GetAtt ApiAccessLogs.Arn
          Format: '{"id":"$context.requestId","ip":"$context.identity.sourceIp","status":"$context.status"}'
    ```

    (`AccessLogSettings` on an `AWS::Serverless::HttpApi` or `AWS::ApiGatewayV2::Stage`.)
    """
    for api in app.apis:
        if api.access_logging is not False:
            continue
        functions = _api_functions(api)
        yield Hit(
            loc=api.stage_loc or api.loc,
            message=f"API {api.id} ({api.kind}) writes no access logs; it invokes {_describe_functions(functions)}",
            remediation=_access_log_fix(app.format, api),
            resource=api.id,
            function=functions[0] if len(functions) == 1 else None,
        )


_SLS_LOGS_KEY = {"rest": "restApi", "http": "httpApi", "websocket": "websocket"}


def _access_log_fix(fmt: str, api: Api) -> str:
    rest = api.kind == "rest"
    return fix(
        fmt,
        cfn=f"Set AccessLogSetting (REST) or AccessLogSettings (HTTP/WebSocket) on the stage of {api.id}, "
        "with a log group that has a retention period",
        cdk=f"Set deployOptions: {{accessLogDestination: new apigateway.LogGroupLogDestination(logGroup), "
        f"accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields()}} on the apigateway.RestApi {api.id}, "
        "with a log group that has a retention period"
        if rest
        else f"Set accessLogSettings on the stage of {api.id}, with a log group that has a retention period",
        terraform=f"Add access_log_settings {{ destination_arn = <log group ARN>, format = ... }} to the "
        f"{'aws_api_gateway_stage' if rest else 'aws_apigatewayv2_stage'} of {api.id}, with a log group that has a "
        "retention period",
        serverless=f"Set provider.logs.{_SLS_LOGS_KEY.get(api.kind, 'restApi')}: true (and provider.logRetentionInDays)",
    )


@rule("FG-MON-006", category="monitoring", severity=Severity.LOW, title="REST API stage tracing is off", over="apis")
def api_tracing_off(app: Application) -> Iterator[Hit]:
    """
    The REST API stage does not send traces to AWS X-Ray (`TracingEnabled`).

    The trace of a request then starts at the function, so the API's share of it
    (authorizer, validation, integration latency) and the caller's request are
    missing when you investigate. HTTP APIs do not support X-Ray and are not
    reported.

    Bad:

    ```yaml
    Api:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
    ```

    Fix: `TracingEnabled: true` on the `AWS::Serverless::Api` or the
    `AWS::ApiGateway::Stage`.
    """
    for api in app.apis:
        if api.kind != "rest" or api.tracing is not False:
            continue
        functions = _api_functions(api)
        yield Hit(
            loc=api.stage_loc or api.loc,
            message=f"REST API {api.id} has X-Ray tracing off; it invokes {_describe_functions(functions)}",
            remediation=fix(
                app.format,
                sam=f"Set TracingEnabled: true on {api.id}",
                cfn=f"Set TracingEnabled: true on the stage of {api.id}",
                cdk=f"Set deployOptions: {{tracingEnabled: true}} on the apigateway.RestApi {api.id}",
                terraform=f"Set xray_tracing_enabled = true on the aws_api_gateway_stage of {api.id}",
                serverless="Set provider.tracing.apiGateway: true",
            ),
            resource=api.id,
            function=functions[0] if len(functions) == 1 else None,
        )


def _grants_log_writes(role: Role) -> bool:
    for stmt in role.statements:
        if not stmt.allows:
            continue
        if stmt.not_actions:
            return True  # NotAction grants almost everything; do not guess
        for action in stmt.actions:
            lowered = action.lower()
            if lowered in ("*", "logs:*", "logs:putlogevents", "logs:put*") or lowered.startswith("${"):
                return True
    return False


@rule("FG-MON-007", category="monitoring", severity=Severity.MEDIUM, title="Function role cannot write logs", over="functions")
def role_cannot_log(app: Application) -> Iterator[Hit]:
    """
    The function's role defined in the template grants no `logs:PutLogEvents`
    (neither a statement nor a managed policy such as `AWSLambdaBasicExecutionRole`).

    Lambda then silently drops everything the function prints: errors, stack
    traces and the application's own security logging never reach CloudWatch,
    and nobody notices until they are needed.

    Bad:

    ```yaml
    OrdersRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument: ...
        Policies:
          - PolicyName: data
            PolicyDocument:
              Statement:
                - {Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Orders.Arn}
    ```

    Fix: add `arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`
    to `ManagedPolicyArns`, or allow `logs:CreateLogStream` and `logs:PutLogEvents`
    on the function's log group.
    """
    for fn in app.functions:
        role = app.role_of(fn)
        if fn.provider != "aws" or role is None or role.external or not role.statements:
            continue  # no statements seen: its policies are attached where this source does not show them
        if role.managed_policies or _grants_log_writes(role):
            continue  # any managed policy may grant it (AWSLambdaBasicExecutionRole does); do not guess
        yield Hit(
            loc=role.loc,
            message=f"Role {role.id} of function {fn.name} does not allow logs:PutLogEvents: the function's logs are dropped",
            remediation=fix(
                app.format,
                cfn=f"Attach AWSLambdaBasicExecutionRole to {role.id}, or allow logs:CreateLogStream and logs:PutLogEvents "
                "on the function's log group",
                terraform=f'Add resource "aws_iam_role_policy_attachment" for {role.id} with policy_arn = '
                '"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", or allow logs:CreateLogStream and '
                "logs:PutLogEvents on the function's log group",
            ),
            resource=role.id,
            function=fn.name,
        )


# -- Azure Functions (FG-MON-050..069) ----------------------------------------------------------


@rule(
    "FG-MON-050",
    category="monitoring",
    severity=Severity.LOW,
    title="Azure function app without Application Insights",
    over="functions",
)
def azure_no_app_insights(app: Application) -> Iterator[Hit]:
    """
    The Azure function app has no Application Insights connection: no
    `APPLICATIONINSIGHTS_CONNECTION_STRING` (or `APPINSIGHTS_INSTRUMENTATIONKEY`) app
    setting and no `site_config.application_insights_connection_string`.

    This is Azure's equivalent of tracing being off: failed and slow invocations,
    exceptions and the dependencies a request called are not recorded, so an attack
    or an outage goes unnoticed and cannot be reconstructed.

    Bad:

    ```hcl
    resource "azurerm_linux_function_app" "orders" {
      site_config {}
    }
    ```

    Fix: create an `azurerm_application_insights` resource and set
    `site_config.application_insights_connection_string` to its `connection_string`.
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        insights = fn.setting("app_insights")
        if fn.provider != "azure" or insights is None or insights.value:
            continue
        yield Hit(
            loc=fn.loc,
            message=f"Function app {fn.name} sends no telemetry to Application Insights",
            remediation="Set site_config.application_insights_connection_string to the connection_string of an "
            "azurerm_application_insights resource",
            resource=fn.name,
            function=fn.name,
        )


# -- code: logging facts (faasguard.code) ---------------------------------------------------------------


@rule("FG-MON-010", category="monitoring", severity=Severity.LOW, title="Function logs with print only", over="code")
def print_only_logging(app: Application) -> Iterator[Hit]:
    """
    The function's code writes logs only with `print` / `console.log` and uses no
    logging library. Unstructured lines have no level, no request id and no fields,
    so metric filters and alarms on errors or suspicious input cannot be built on them.

    Fix: use a structured logger (`logging` with a JSON formatter, AWS Lambda Powertools
    `Logger`, `pino`) and log the request id with each line.
    """
    for function, facts in code_facts(app):
        if function is None or facts.logging.structured or not facts.logging.prints:
            continue
        first = facts.logging.prints[0]
        count = len(facts.logging.prints)
        yield Hit(
            loc=first,
            message=f"Function {function} logs only with print/console ({count} call{'s' if count != 1 else ''}, first at "
            f"{first}) and uses no structured logging library",
            remediation="Use a structured logger (Python logging with a JSON formatter or AWS Lambda Powertools Logger; "
            "pino or Powertools in Node.js) and include the request id",
            resource=facts.entry,
            function=function,
            key="print-only",
        )


# -- API stages checked on their own, whether or not a function of the source is behind them ------


@rule("FG-SEC-020", category="secrets", severity=Severity.MEDIUM, title="API stage logs full requests and responses", over="apis")
def api_data_trace(app: Application) -> Iterator[Hit]:
    """
    An API Gateway stage has data trace on (`DataTraceEnabled: true` in its method
    or route settings): API Gateway writes the full request and response of every
    call — bodies, query strings, headers other than the few it redacts — to its
    execution log group.

    Passwords, tokens, card numbers and personal data that callers send or the
    function returns then sit in CloudWatch Logs, readable by everyone with
    `logs:GetLogEvents` on the account and kept as long as the log group is. AWS
    advises against data trace for production APIs.

    Bad:

    ```yaml
    MethodSettings:
      - ResourcePath: "/*"
        HttpMethod: "*"
        LoggingLevel: INFO
        DataTraceEnabled: true
    ```

    Fix: `DataTraceEnabled: false` (keep `LoggingLevel: ERROR` or `INFO` and access
    logs); turn data trace on only for a short debugging session on a non-production
    stage. Terraform: `data_trace_enabled = false` in the `settings` of
    `aws_api_gateway_method_settings`; serverless.yml: `provider.logs.restApi.fullExecutionData: false`.
    """
    for api in app.apis:
        if not api.data_trace:
            continue
        functions = _api_functions(api)
        rest = api.kind == "rest"
        yield Hit(
            loc=api.data_trace_loc or api.stage_loc or api.loc,
            message=f"API {api.id} ({api.kind}) logs full requests and responses (data trace); it invokes "
            f"{_describe_functions(functions)}",
            remediation=fix(
                app.format,
                cfn=f"Set DataTraceEnabled: false in the {'MethodSettings' if rest else 'route settings'} of the stage of "
                f"{api.id}; keep LoggingLevel ERROR or INFO and access logs",
                cdk=f"Set deployOptions: {{dataTraceEnabled: false}} on the apigateway.RestApi {api.id}"
                if rest
                else f"Set dataTraceEnabled: false in the route settings of the stage of {api.id}",
                terraform=f"Set data_trace_enabled = false in the settings of the aws_api_gateway_method_settings of {api.id}"
                if rest
                else f"Set data_trace_enabled = false in the default_route_settings / route_settings of the "
                f"aws_apigatewayv2_stage of {api.id}",
                serverless=f"Set provider.logs.{_SLS_LOGS_KEY.get(api.kind, 'restApi')}.fullExecutionData: false",
            ),
            resource=api.id,
            function=functions[0] if len(functions) == 1 else None,
        )


# -- log forwarding (FG-MON-020) ---------------------------------------------------------------------

_SECRET_READS = ("secretsmanager:getsecretvalue", "secretsmanager:get*", "secretsmanager:*")
_BROKER_TRIGGERS = ("kafka", "mq", "other")


def _handles_secrets(app: Application, fn: Function) -> str | None:
    """Why the function provably handles a secret, or None: an environment variable naming a Secrets
    Manager secret, a role statement allowing ``secretsmanager:GetSecretValue``, or code calling it."""
    secrets = {s.id for s in app.secrets}
    for var in fn.environment:
        text = var.value or ""
        if var.ref in secrets or "arn:aws:secretsmanager:" in text or "{{resolve:secretsmanager" in text:
            return f"its environment variable {var.name} names a Secrets Manager secret"
    role = app.role_of(fn)
    # Kafka, Amazon MQ and DocumentDB event sources authenticate with a secret read through the function's
    # role by the Lambda service itself: the permission alone does not show the function handles it.
    brokered = any(t.kind in _BROKER_TRIGGERS for t in fn.triggers)
    for statement in role.statements if role and not brokered else ():
        if statement.allows and any(a.lower() in _SECRET_READS for a in statement.actions):
            return f"its role {role.id} allows secretsmanager:GetSecretValue"  # type: ignore[union-attr]
    facts = app.code.get(fn.name)
    for call in getattr(facts, "sdk_calls", ()):
        if call.service == "secretsmanager" and call.operation == "GetSecretValue":
            return f"its code calls GetSecretValue ({call.loc})"
    return None


def _forwarded(app: Application) -> tuple[set[str], bool]:
    """Functions whose logs a subscription filter of this source forwards; and whether a filter names a log
    group this source cannot tie to a function (then nothing can be said)."""
    groups = {g.id: g for g in app.log_groups}
    names = {g.name: g for g in app.log_groups if g.name}
    functions = {f.name for f in app.functions}
    forwarded: set[str] = set()
    unknown = False
    for sub in app.log_subscriptions:
        group = groups.get(sub.log_group or "") or names.get(sub.log_group or "")
        function = sub.function or (group.function if group else None)
        if function in functions:
            forwarded.add(function)  # type: ignore[arg-type]
        else:
            unknown = unknown or group is None
    return forwarded, unknown


@rule(
    "FG-MON-020",
    category="monitoring",
    severity=Severity.INFO,
    title="Logs of a function handling secrets are not forwarded",
    providers=("aws",),
    over="functions",
)
def sensitive_logs_not_forwarded(app: Application) -> Iterator[Hit]:
    """
    A function that handles secrets writes its logs to a CloudWatch log group that
    no subscription filter forwards to a central store (a log archive account, a
    SIEM): no `AWS::Logs::SubscriptionFilter` (`aws_cloudwatch_log_subscription_filter`)
    on its log group, no `logSubscription` of serverless-plugin-log-subscription, no
    log-forwarding plugin (Datadog, Papertrail, Logz.io, Sumo Logic, New Relic,
    Lumigo, Coralogix) in `serverless.yml`.

    "Handles secrets" is only what the source proves: an environment variable that
    names a Secrets Manager secret (a reference to a secret of the template, a
    secret ARN, `{{resolve:secretsmanager:…}}`), a role statement allowing
    `secretsmanager:GetSecretValue` (not for a function fed by Kafka, Amazon MQ or
    DocumentDB, whose event source reads its broker secret through that role), or
    handler code calling `GetSecretValue`. Table
    or variable names that merely suggest personal data are not guessed at. When a
    subscription filter names a log group the source cannot tie to a function, nothing
    is reported.

    Logs kept only in the function's own account can be read, altered or deleted by
    whoever compromises that account — exactly when they are needed for the
    investigation — and are not correlated with the rest of the organisation's
    security events. Informational; the team turns it off with `log-forwarding: false`
    in `.faasguard.yaml` when forwarding is organisation-wide (an account-level
    subscription filter policy, a central Firehose) and invisible in the source.

    Fix:

    ```yaml
    OrdersLogsToArchive:
      Type: AWS::Logs::SubscriptionFilter
      Properties:
        LogGroupName: !Ref OrdersLogGroup
        FilterPattern: ""
        DestinationArn: !Sub arn:aws:logs:${AWS::Region}:${LogArchiveAccount}:destination:central
    ```
    """
    forwarded, unknown = _forwarded(app)
    if unknown:
        return
    for fn in app.functions:
        if fn.name in forwarded:
            continue
        why = _handles_secrets(app, fn)
        if why is None:
            continue
        group = next((g for g in app.log_groups if g.function == fn.name), None)
        target = f"the log group {group.id}" if group else f"the log group /aws/lambda/<name of {fn.name}>"
        tf_group = f"{group.id}.name" if group and group.id.startswith("aws_") else (
            f'"/aws/lambda/${{{fn.name}.function_name}}"' if fn.name.startswith("aws_lambda_function.") else target
        )
        yield Hit(
            loc=group.loc if group else fn.loc,
            message=f"Function {fn.name} handles secrets ({why}) and no subscription filter forwards its logs "
            "to a central store",
            remediation=fix(
                app.format,
                cfn=f"Add an AWS::Logs::SubscriptionFilter on {target} with DestinationArn of your central log "
                "destination (a CloudWatch Logs destination, Kinesis or Firehose stream)",
                cdk=f"Add a logs.SubscriptionFilter on the log group of {fn.name} (destination: a "
                "logs-destinations.KinesisDestination or a cross-account destination)",
                terraform=f"Add an aws_cloudwatch_log_subscription_filter with log_group_name = {tf_group} and "
                "destination_arn = your central log destination",
                serverless=f"Add serverless-plugin-log-subscription with custom.logSubscription.destinationArn and "
                f"functions.{fn.name}.logSubscription: true, or an AWS::Logs::SubscriptionFilter under resources.Resources",
            ),
            resource=group.id if group else fn.name,
            function=fn.name,
        )
