"""Rules of the `network` category: what the network lets in and out.

Configuration-level rules (FG-NET-001…009) read security groups, subnets, VPC
endpoints and bucket policies from the model, joined to the functions that sit
behind them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from faasguard.findings import Severity
from faasguard.model import Application, DataStore, Function, NaclEntry, NetworkAcl, SecurityGroupRule, whole_internet
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix, sls_function, tf_function

# Ports whose exposure to the internet is an incident waiting to happen: remote administration and data stores.
ADMIN_PORTS = {
    22: "SSH",
    23: "Telnet",
    445: "SMB",
    1433: "SQL Server",
    1521: "Oracle",
    2049: "NFS",
    2375: "Docker",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5439: "Redshift",
    5601: "Kibana",
    5984: "CouchDB",
    6379: "Redis",
    9042: "Cassandra",
    9092: "Kafka",
    9200: "Elasticsearch",
    11211: "Memcached",
    27017: "MongoDB",
}
WEB_PORTS = {80, 443}
_ICMP = {"icmp", "icmpv6", "1", "58"}


def _sg_functions(app: Application) -> dict[str, list[Function]]:
    out: dict[str, list[Function]] = {}
    for fn in app.functions:
        for sg_id in fn.vpc.security_group_ids if fn.vpc else ():
            out.setdefault(sg_id, []).append(fn)
    return out


def _ports(r: SecurityGroupRule) -> str:
    if r.protocol in ("-1", "all") or r.from_port is None or r.to_port is None:
        return "all traffic"
    if r.from_port == r.to_port:
        return f"{r.protocol} port {r.from_port}"
    return f"{r.protocol} ports {r.from_port}-{r.to_port}"


def _all_traffic(r: SecurityGroupRule) -> bool:
    if r.protocol in ("-1", "all") or r.from_port is None or r.to_port is None:
        return True
    return min(r.from_port, r.to_port) <= 0 and max(r.from_port, r.to_port) >= 65535


def _used_by(functions: list[Function]) -> str:
    if not functions:
        return ""
    names = ", ".join(f.name for f in functions)
    return f", used by function{'s' if len(functions) > 1 else ''} {names}"


def _single(functions: list[Function]) -> str | None:
    return functions[0].name if len(functions) == 1 else None


@rule(
    "FG-NET-001",
    category="network",
    severity=Severity.MEDIUM,
    title="Security group open to the internet",
    over="security_groups",
)
def ingress_from_anywhere(app: Application) -> Iterator[Hit]:
    """
    A security group allows inbound traffic from `0.0.0.0/0` or `::/0` — or any
    other `/0` prefix (`192.168.1.0/0` and `0:0:0:0:0:0:0:0/0` are every address
    too). Groups and standalone rules are checked on their own, also when no
    function of the template uses them or the group is declared elsewhere.

    Anything the group is attached to — a database, a cache, an instance a
    function talks to — can be reached and attacked from the whole internet.
    High when the range includes remote administration or database ports (SSH,
    RDP, MySQL, PostgreSQL, SQL Server, MongoDB, Redis …), medium otherwise;
    HTTP/HTTPS-only rules (ports 80 and 443, e.g. on a load balancer) are not
    reported.

    Bad:

    ```yaml
    SecurityGroupIngress:
      - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 0.0.0.0/0}
    ```

    Fix: allow only the security group of the clients
    (`SourceSecurityGroupId: !Ref FunctionSecurityGroup`) or a narrow CIDR, and
    reach administration through SSM Session Manager instead of open ports.
    """
    users = _sg_functions(app)
    for sg_id in sorted(app.security_groups):
        sg = app.security_groups[sg_id]
        for r in sg.rules:
            if r.direction != "ingress" or not r.from_anywhere or r.protocol in _ICMP:
                continue
            exposed = [f"{name} ({port})" for port, name in ADMIN_PORTS.items() if r.covers_port(port)]
            if not exposed and r.from_port == r.to_port and r.from_port in WEB_PORTS:
                continue  # a public web endpoint (load balancer) is meant to be reachable
            functions = users.get(sg_id, [])
            reach = f", including {', '.join(exposed[:4])}{' …' if len(exposed) > 4 else ''}" if exposed else ""
            if r.cidr not in ("0.0.0.0/0", "::/0"):
                reach = " (a /0 prefix is every address)" + reach
            yield Hit(
                loc=r.loc,
                message=f"Security group {sg_id} allows {_ports(r)} from {r.cidr}{reach}{_used_by(functions)}",
                remediation=fix(
                    app.format,
                    cfn=f"Restrict the source of this rule of {sg_id} to the clients' security group or a known CIDR; "
                    "use SSM Session Manager for administration",
                    cdk=f"Use ec2.Peer.securityGroupId(...) or a known ec2.Peer.ipv4(cidr) instead of anyIpv4() in this "
                    f"addIngressRule of {sg_id}; use SSM Session Manager for administration",
                    terraform=f"Replace cidr_blocks 0.0.0.0/0 in this rule of {sg_id} with security_groups = [<clients' "
                    "security group id>] (referenced_security_group_id on aws_vpc_security_group_ingress_rule) or a "
                    "known CIDR; use SSM Session Manager for administration",
                ),
                resource=sg_id,
                function=_single(functions),
                severity=Severity.HIGH if exposed else None,
                key=f"ingress:{r.protocol}:{r.from_port}:{r.to_port}:{r.cidr}",
            )


@rule(
    "FG-NET-002",
    category="network",
    severity=Severity.LOW,
    title="Function security group allows all outbound traffic",
    over="functions",
)
def unrestricted_egress(app: Application) -> Iterator[Hit]:
    """
    A security group of a VPC function allows all outbound traffic to any
    address — explicitly (`IpProtocol: -1` to `0.0.0.0/0`), or implicitly because
    it declares no egress rule and AWS then adds allow-all.

    A function compromised through its event can send data anywhere and fetch
    a second stage from anywhere. Restricting egress is one of the few controls
    that still works after the code is compromised. Medium when the function is
    reachable from the internet.

    Bad:

    ```yaml
    FunctionSecurityGroup:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: orders function
        VpcId: !Ref Vpc
    ```

    Fix: declare the egress the function needs, e.g. HTTPS to the VPC endpoints'
    security group or a prefix list, and the database port to the database's
    security group:

    ```yaml
        SecurityGroupEgress:
          - {IpProtocol: tcp, FromPort: 443, ToPort: 443, DestinationPrefixListId: pl-63a5400a}
    ```
    """
    for sg_id, functions in sorted(_sg_functions(app).items()):
        sg = app.security_groups.get(sg_id)
        if sg is None:
            continue
        severity = Severity.MEDIUM if any(f.is_public for f in functions) else None
        if not sg.egress_declared and not sg.external:  # a group declared elsewhere may have egress rules there
            yield Hit(
                loc=sg.loc,
                message=f"Security group {sg_id} declares no egress rule, so AWS allows all outbound traffic"
                f"{_used_by(functions)}",
                remediation=fix(
                    app.format,
                    cfn=f"Add SecurityGroupEgress rules to {sg_id} for only the destinations and ports the function needs",
                    cdk=f"Set allowAllOutbound: false on the ec2.SecurityGroup {sg_id} and addEgressRule for only the "
                    "destinations and ports the function needs",
                ),
                resource=sg_id,
                function=_single(functions),
                severity=severity,
                key="egress:default",
            )
            continue
        for r in sg.rules:
            if r.direction != "egress" or not r.from_anywhere or not _all_traffic(r):
                continue
            yield Hit(
                loc=r.loc,
                message=f"Security group {sg_id} allows {_ports(r)} out to {r.cidr}{_used_by(functions)}",
                remediation=fix(
                    app.format,
                    cfn=f"Replace this rule of {sg_id} with egress to the destinations and ports the function needs "
                    "(e.g. HTTPS to the VPC endpoints' security group)",
                    cdk=f"Set allowAllOutbound: false on the ec2.SecurityGroup {sg_id} and addEgressRule for the "
                    "destinations and ports the function needs (e.g. HTTPS to the VPC endpoints' security group)",
                    terraform=f"Replace this egress rule of {sg_id} with egress blocks for the destinations and ports the "
                    "function needs (e.g. from_port = 443, to_port = 443, prefix_list_ids or security_groups of the VPC "
                    "endpoints)",
                ),
                resource=sg_id,
                function=_single(functions),
                severity=severity,
                key=f"egress:{r.protocol}:{r.cidr}",
            )


@rule("FG-NET-003", category="network", severity=Severity.MEDIUM, title="Function in a public subnet", over="functions")
def function_in_public_subnet(app: Application) -> Iterator[Hit]:
    """
    The function is attached to a subnet whose route table sends `0.0.0.0/0` to
    an internet gateway.

    Lambda never gives a function's network interface a public IP, so the
    function gets no internet access there anyway — teams then "fix" it by
    opening security groups or moving things around. Meanwhile the function
    shares a subnet (and network ACLs) with internet-facing resources, which
    defeats the point of putting it in a VPC.

    Bad: `VpcConfig.SubnetIds: [!Ref PublicSubnetA]` where `PublicSubnetA` is
    associated with a route table that has a route to an `AWS::EC2::InternetGateway`.

    Fix: attach the function to private subnets; give them a NAT gateway only if
    the function must reach the internet, and VPC endpoints for AWS services.
    """
    for fn in app.functions:
        if fn.vpc is None:
            continue
        public = [s for s in fn.vpc.subnet_ids if s in app.subnets and app.subnets[s].public]
        if not public:
            continue
        yield Hit(
            loc=fn.vpc.loc,
            message=f"Function {fn.name} is attached to public subnet{'s' if len(public) > 1 else ''} {', '.join(public)} "
            "(routed to an internet gateway)",
            remediation=fix(
                app.format,
                cfn=f"Attach {fn.name} to private subnets (no route to an internet gateway); add a NAT gateway or "
                "VPC endpoints for what it must reach",
                cdk=f"Set vpcSubnets: {{subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS}} (or PRIVATE_ISOLATED) on the "
                f"lambda.Function {fn.name}; add VPC endpoints for what it must reach",
                terraform="Set "
                + tf_function(fn.name, "vpc_config.subnet_ids", "vpc_subnet_ids")
                + " to private subnets (no route to an internet gateway); add a NAT gateway or VPC endpoints for what "
                "it must reach",
                serverless=f"Set {sls_function(fn.name, 'vpc.subnetIds')} (or provider.vpc.subnetIds) to private subnets "
                "(no route to an internet gateway); add a NAT gateway or VPC endpoints for what it must reach",
            ),
            resource=public[0],
            function=fn.name,
            key=",".join(sorted(public)),
        )


_GATEWAY_SERVICES = ("s3", "dynamodb")


def _uses_service(app: Application, fn: Function, service: str) -> bool:
    role = app.role_of(fn)
    if role is None:
        return False
    prefix = service + ":"
    return any(stmt.allows and any(a.lower().startswith(prefix) for a in stmt.actions) for stmt in role.statements)


@rule(
    "FG-NET-004",
    category="network",
    severity=Severity.LOW,
    title="VPC function without an S3 or DynamoDB endpoint",
    over="functions",
)
def missing_gateway_endpoint(app: Application) -> Iterator[Hit]:
    """
    The function runs in a VPC, its role uses S3 or DynamoDB, and the VPC has no
    endpoint for that service.

    Its calls to S3 or DynamoDB then leave through a NAT gateway and the
    internet (or fail when there is none). Traffic that could stay on the AWS
    network crosses it, costs NAT processing charges, and cannot be limited with
    an endpoint policy to your own buckets and tables — the usual control against
    exfiltration to an attacker's bucket.

    Bad: a function with `VpcConfig` and `S3CrudPolicy`, in a VPC with no
    `AWS::EC2::VPCEndpoint` for `com.amazonaws.<region>.s3`.

    Fix:

    ```yaml
    S3Endpoint:
      Type: AWS::EC2::VPCEndpoint
      Properties:
        VpcId: !Ref Vpc
        ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
        RouteTableIds: [!Ref PrivateRouteTable]
    ```

    Gateway endpoints for S3 and DynamoDB are free. Only reported when the
    function's subnets, and so its VPC, are in the template.
    """
    for fn in app.functions:
        if fn.vpc is None:
            continue
        vpcs: set[str] = {vpc for s in fn.vpc.subnet_ids if s in app.subnets and (vpc := app.subnets[s].vpc)}
        if not vpcs:
            continue
        for service in _GATEWAY_SERVICES:
            if not _uses_service(app, fn, service):
                continue
            if any(ep.service == service and ep.vpc in vpcs for ep in app.vpc_endpoints):
                continue
            vpc_names = ", ".join(sorted(vpcs))
            yield Hit(
                loc=fn.vpc.loc,
                message=f"Function {fn.name} calls {service} from VPC {vpc_names}, which has no {service} endpoint: "
                "the traffic leaves through a NAT gateway",
                remediation=fix(
                    app.format,
                    cfn=f"Add an AWS::EC2::VPCEndpoint for com.amazonaws.${{AWS::Region}}.{service} (Gateway type) "
                    f"to VPC {vpc_names}, with an endpoint policy limited to your own resources",
                    cdk=f"Call addGatewayEndpoint on the ec2.Vpc {vpc_names} with service: "
                    f"ec2.GatewayVpcEndpointAwsService.{'S3' if service == 's3' else 'DYNAMODB'}, and an endpoint policy "
                    "limited to your own resources (addToPolicy)",
                    terraform=f'Add resource "aws_vpc_endpoint" with vpc_id = {vpc_names}.id, service_name = '
                    f'"com.amazonaws.<region>.{service}", vpc_endpoint_type = "Gateway", route_table_ids of the '
                    "private subnets and a policy limited to your own resources",
                ),
                resource=sorted(vpcs)[0],
                function=fn.name,
                key=service,
            )


def _denies_insecure_transport(app: Application, bucket: str | None, policy_id: str) -> bool:
    for rp in app.resource_policies:
        if rp.kind != "s3" or (rp.id != policy_id and (bucket is None or rp.target != bucket)):
            continue
        for stmt in rp.statements:
            if stmt.allows:
                continue
            for _, key, values in stmt.conditions:
                if key.lower() == "aws:securetransport" and any(v.lower() == "false" for v in values):
                    return True
    return False


def _names_bucket(app: Application, store: DataStore, resource: str) -> bool:
    """Does a policy resource name this bucket: by reference, or by its literal ARN?"""
    if store.id in app.referenced_ids(resource):
        return True
    literal = store.name and not store.name.startswith("${")
    return bool(literal and re.match(r"arn:aws:s3:::" + re.escape(str(store.name)) + r"(?:/|$)", resource))


def _bucket_users(app: Application, bucket_id: str | None) -> list[Function]:
    store = next((d for d in app.data_stores if d.kind == "s3" and d.id == bucket_id), None)
    if store is None:
        return []
    users = []
    for fn in app.functions:
        role = app.role_of(fn)
        granted = role is not None and any(
            stmt.allows and any(a.lower().startswith("s3:") or a == "*" for a in stmt.actions)
            and any(_names_bucket(app, store, r) for r in stmt.resources)
            for stmt in role.statements
        )
        triggered = any(t.kind == "s3" and t.source == store.id for t in fn.triggers)
        if granted or triggered:
            users.append(fn)
    return users


@rule(
    "FG-NET-005",
    category="network",
    severity=Severity.MEDIUM,
    title="Bucket policy does not enforce TLS",
    over="resource_policies",
)
def bucket_policy_without_tls(app: Application) -> Iterator[Hit]:
    """
    An S3 bucket policy has no statement that denies requests made without TLS
    (`aws:SecureTransport` = `false`).

    S3 accepts plain HTTP. Any client — a misconfigured SDK, a script, a device —
    can then read or write the bucket's objects, and the credentials' signatures,
    in clear text on the network.

    Bad: a `AWS::S3::BucketPolicy` with only `Allow` statements.

    Fix: add

    ```yaml
    - Sid: DenyInsecureTransport
      Effect: Deny
      Principal: "*"
      Action: s3:*
      Resource: [!GetAtt Bucket.Arn, !Sub "${Bucket.Arn}/*"]
      Condition: {Bool: {aws:SecureTransport: false}}
    ```
    """
    seen: set[str] = set()
    for rp in app.resource_policies:
        if rp.kind != "s3" or rp.id in seen:
            continue
        seen.add(rp.id)
        if _denies_insecure_transport(app, rp.target, rp.id):
            continue
        functions = _bucket_users(app, rp.target)
        target = f" of bucket {rp.target}" if rp.target else ""
        yield Hit(
            loc=rp.loc,
            message=f"Bucket policy {rp.id}{target} does not deny requests without TLS (aws:SecureTransport)"
            f"{_used_by(functions)}",
            remediation=fix(
                app.format,
                cfn=f"Add a Deny statement for s3:* with Condition Bool aws:SecureTransport: false to {rp.id}",
                cdk=f"Set enforceSSL: true on the s3.Bucket of {rp.id}",
                terraform=f'Add a Deny statement for s3:* with Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }} '
                f"to the policy of {rp.id}",
            ),
            resource=rp.target or rp.id,
            function=_single(functions),
        )


@rule(
    "FG-NET-006",
    category="network",
    severity=Severity.MEDIUM,
    title="Bucket used by a function has no policy enforcing TLS",
    over="data_stores",
)
def bucket_without_policy(app: Application) -> Iterator[Hit]:
    """
    A function reads, writes or is triggered by an S3 bucket of the template, and
    the bucket has no bucket policy at all — so nothing makes S3 refuse plain HTTP.

    S3 accepts unencrypted HTTP requests unless a bucket policy denies them; the
    data the function processes can then be read or written in clear text by any
    other client of the bucket.

    Bad: an `AWS::S3::Bucket` used through `S3CrudPolicy` with no
    `AWS::S3::BucketPolicy` naming it.

    Fix: add a bucket policy with the `DenyInsecureTransport` statement shown in
    FG-NET-005 (in CDK: `enforceSSL: true`).
    """
    with_policy = {rp.target for rp in app.resource_policies if rp.kind == "s3" and rp.target}
    for store in app.data_stores:
        if store.kind != "s3" or store.id in with_policy:
            continue
        functions = _bucket_users(app, store.id)
        if not functions:
            continue
        yield Hit(
            loc=store.loc,
            message=f"Bucket {store.id} has no bucket policy, so it accepts requests without TLS{_used_by(functions)}",
            remediation=fix(
                app.format,
                cfn=f"Add an AWS::S3::BucketPolicy for {store.id} that denies s3:* when aws:SecureTransport is false",
                cdk=f"Set enforceSSL: true on the s3.Bucket {store.id}",
                terraform=f'Add resource "aws_s3_bucket_policy" for {store.id} that denies s3:* when '
                "aws:SecureTransport is false",
            ),
            resource=store.id,
            function=_single(functions),
        )


# -- API front doors checked on their own, whether or not a function of the source is behind them --

_MODERN_TLS = re.compile(r"TLS_?1_?[23]|TLS13", re.IGNORECASE)


@rule(
    "FG-NET-007",
    category="network",
    severity=Severity.MEDIUM,
    title="API custom domain accepts TLS below 1.2",
    over="api_domains",
)
def api_domain_old_tls(app: Application) -> Iterator[Hit]:
    """
    An API Gateway custom domain name negotiates TLS 1.0: its `SecurityPolicy` is
    `TLS_1_0`, or (REST APIs) it sets none and API Gateway falls back to `TLS_1_0`.

    TLS 1.0 and 1.1 have known weaknesses (BEAST, weak cipher suites), are
    deprecated by RFC 8996 and fail PCI DSS; a client can be downgraded to them
    and tokens sent to the API read on the way. Medium when `TLS_1_0` is written,
    low when the policy is left to the default.

    Bad:

    ```yaml
    ApiDomain:
      Type: AWS::ApiGateway::DomainName
      Properties:
        DomainName: api.example.com
        RegionalCertificateArn: !Ref Certificate
    ```

    Fix: `SecurityPolicy: TLS_1_2` (Terraform `security_policy = "TLS_1_2"`; SAM
    `Domain.SecurityPolicy: TLS_1_2`; CDK `securityPolicy: apigateway.SecurityPolicy.TLS_1_2`).
    """
    for domain in app.api_domains:
        policy = domain.security_policy
        if policy is not None and _MODERN_TLS.search(policy):
            continue
        if policy is None and domain.kind != "rest":
            continue  # API Gateway v2 domain names default to TLS 1.2
        if policy is not None and not re.search(r"TLS_?1_?[01]\b|TLS_1_0", policy, re.IGNORECASE):
            continue  # an unresolved value or a policy we do not know: no claim
        how = f"SecurityPolicy is {policy}" if policy else "no SecurityPolicy is set, so API Gateway uses TLS_1_0"
        yield Hit(
            loc=domain.loc,
            message=f"Custom domain {domain.name or domain.id}{f' ({domain.id})' if domain.name else ''} of API Gateway "
            f"accepts TLS 1.0 connections: {how}",
            remediation=fix(
                app.format,
                cfn=f"Set SecurityPolicy: TLS_1_2 on {domain.id}",
                sam=f"Set Domain.SecurityPolicy: TLS_1_2 on the API of {domain.id} (CloudFormation: SecurityPolicy on "
                "AWS::ApiGateway::DomainName)",
                cdk=f"Set securityPolicy: apigateway.SecurityPolicy.TLS_1_2 on the domain name {domain.id}",
                terraform=f'Set security_policy = "TLS_1_2" on {domain.id}'
                if domain.kind == "rest"
                else f'Set security_policy = "TLS_1_2" in the domain_name_configuration of {domain.id}',
            ),
            resource=domain.id,
            severity=None if policy else Severity.LOW,
            key=domain.id,
        )


@rule(
    "FG-NET-008",
    category="network",
    severity=Severity.MEDIUM,
    title="Function URL CORS allows every origin with credentials",
    over="functions",
)
def url_cors_any_origin_with_credentials(app: Application) -> Iterator[Hit]:
    """
    A Lambda function URL's CORS configuration allows every origin (`"*"`) and
    also allows credentials (cookies, `Authorization` headers).

    Any web page on any site can then call the function from a visitor's browser
    with the visitor's credentials and read the answer: a signed-in user who
    opens a malicious page has their session used against the function.

    Bad:

    ```yaml
    FunctionUrlConfig:
      AuthType: NONE
      Cors:
        AllowOrigins: ["*"]
        AllowCredentials: true
    ```

    Fix: list the front-end origins that call the function
    (`AllowOrigins: [https://app.example.com]`), or drop `AllowCredentials` when the
    function takes no cookies or credentials from browsers.
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        origins, credentials = fn.setting("url_cors_origins"), fn.setting("url_cors_credentials")
        if origins is None or credentials is None or credentials.value is not True or "*" not in tuple(origins.value):
            continue
        yield Hit(
            loc=origins.loc,
            message=f"Function URL of {fn.name} allows credentialed cross-origin requests from any origin "
            '(AllowOrigins contains "*" and AllowCredentials is true)',
            remediation=fix(
                app.format,
                cfn=f"Replace \"*\" in Cors.AllowOrigins of the function URL of {fn.name} with the front-end origins, "
                "or remove AllowCredentials",
                sam=f"Replace \"*\" in FunctionUrlConfig.Cors.AllowOrigins of {fn.name} with the front-end origins, "
                "or remove AllowCredentials",
                cdk=f"Set cors.allowedOrigins of addFunctionUrl on {fn.name} to the front-end origins, or "
                "allowCredentials: false",
                terraform=f"Replace \"*\" in cors.allow_origins of the function URL of {fn.name} with the front-end "
                "origins, or set allow_credentials = false",
                serverless=f"Replace \"*\" in {sls_function(fn.name, 'url.cors.allowedOrigins')} with the front-end "
                "origins, or remove allowCredentials",
            ),
            resource=fn.name,
            function=fn.name,
        )


def _behind(app: Application, entry_id: str) -> list[str]:
    """The functions of the application that an API invokes (or a distribution forwards to)."""
    names: set[str] = set()
    functions = {f.name for f in app.functions}
    for api in app.apis:
        if api.id == entry_id:
            names.update(r.function for r in api.routes if r.function)
    for entry in app.web_entries:
        if entry.id == entry_id:
            for target in entry.behind:
                names.update([target] if target in functions else _behind(app, target) if target != entry_id else [])
    return sorted(names)


def _open_route(app: Application, api_id: str) -> bool:
    return any(
        r.authorization == "NONE" and not r.api_key_required and r.method != "OPTIONS" and r.integration != "mock"
        for api in app.apis
        if api.id == api_id
        for r in api.routes
    )


_WAF_WHAT = {"rest": "REST API", "appsync": "AppSync GraphQL API", "cloudfront": "CloudFront distribution"}


@rule("FG-NET-010", category="network", severity=Severity.LOW, title="Public API without a WAF web ACL", over="web_entries")
def api_without_waf(app: Application) -> Iterator[Hit]:
    """
    A public REST API (edge-optimized or regional, not `PRIVATE`), an AppSync
    GraphQL API, or a CloudFront distribution in front of an API or a function URL
    has no AWS WAF web ACL associated with it in the source: no
    `AWS::WAFv2::WebACLAssociation` (or legacy `AWS::WAFRegional::WebACLAssociation`)
    naming the API or one of its stages, no `WebACLId` on a distribution in front of
    it (`aws_wafv2_web_acl_association`, `web_acl_id` in Terraform).

    Without a web ACL nothing stands between the internet and the functions behind
    the API but their own code: no rate-based rule against floods and credential
    stuffing, no managed rule groups against common injection payloads and known
    bad inputs, no IP reputation lists. Each request that gets through is billed and
    runs a function. Low; medium when a route of the API has no authorization at
    all. An API fronted by a distribution that has a web ACL is not reported. HTTP
    APIs (API Gateway v2) cannot take a web ACL and are not reported: put a
    CloudFront distribution with a web ACL in front of them instead.

    Bad:

    ```yaml
    Api:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
    ```

    Fix: associate a regional web ACL with the stage:

    ```yaml
    ApiWaf:
      Type: AWS::WAFv2::WebACLAssociation
      Properties:
        ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod
        WebACLArn: !GetAtt WebAcl.Arn
    ```

    (`WebACLId` on a distribution takes a `CLOUDFRONT`-scope web ACL.) A web ACL
    managed centrally (AWS Firewall Manager) is not visible in the source: suppress
    the finding with that justification.
    """
    # An API behind a distribution is judged with it: protected by the distribution's web ACL, or
    # reported once, on the distribution, when neither has one.
    fronted = {target for entry in app.web_entries if entry.kind == "cloudfront" for target in entry.behind}
    for entry in app.web_entries:
        if entry.web_acl or entry.id in fronted:
            continue
        if entry.kind == "cloudfront" and not entry.behind:
            continue  # a distribution of static content, not an API
        if entry.kind == "cloudfront" and all(b in {e.id for e in app.web_entries if e.web_acl} for b in entry.behind):
            continue  # every API behind it has its own web ACL
        functions = _behind(app, entry.id)
        what = _WAF_WHAT[entry.kind]
        front = f" in front of {', '.join(entry.behind)}" if entry.kind == "cloudfront" else ""
        open_route = entry.kind == "rest" and _open_route(app, entry.id)
        yield Hit(
            loc=entry.loc,
            message=f"{what} {entry.id}{front} has no WAF web ACL associated in this source"
            + (", and a route of it needs no authorization" if open_route else "")
            + _used_by_api(functions),
            remediation=_waf_fix(app.format, entry.id, entry.kind),
            resource=entry.id,
            function=_single_name(functions),
            severity=Severity.MEDIUM if open_route else None,
        )


def _used_by_api(functions: list[str]) -> str:
    if not functions:
        return ""
    return f"; it invokes function{'s' if len(functions) > 1 else ''} {', '.join(functions)}"


def _single_name(functions: list[str]) -> str | None:
    return functions[0] if len(functions) == 1 else None


def _waf_fix(fmt: str, entry_id: str, kind: str) -> str:
    if kind == "cloudfront":
        return fix(
            fmt,
            cfn=f"Set DistributionConfig.WebACLId on {entry_id} to the ARN of a CLOUDFRONT-scope AWS::WAFv2::WebACL "
            "(rate-based rule and the AWS managed rule groups)",
            cdk=f"Pass webAclId (a CLOUDFRONT-scope wafv2.CfnWebACL's attrArn) to the cloudfront.Distribution {entry_id}",
            terraform=f"Set web_acl_id on {entry_id} to the arn of a CLOUDFRONT-scope aws_wafv2_web_acl "
            "(rate_based_statement and the AWS managed rule groups)",
            serverless=f"Set resources.Resources.{entry_id}.Properties.DistributionConfig.WebACLId to a CLOUDFRONT-scope "
            "web ACL's ARN",
        )
    arn = "!GetAtt Api.Arn" if kind == "appsync" else "the stage ARN (arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>)"
    return fix(
        fmt,
        cfn=f"Add an AWS::WAFv2::WebACLAssociation with ResourceArn {arn.replace('Api', entry_id)} and WebACLArn of a "
        "REGIONAL-scope AWS::WAFv2::WebACL (rate-based rule and the AWS managed rule groups)",
        cdk=f"Add a wafv2.CfnWebACLAssociation with resourceArn = the ARN of {entry_id}"
        + ("" if kind == "appsync" else "'s deploymentStage (stage.stageArn)")
        + " and webAclArn = a REGIONAL-scope wafv2.CfnWebACL's attrArn",
        terraform=f'Add resource "aws_wafv2_web_acl_association" with resource_arn = the arn of {entry_id}'
        + ("" if kind == "appsync" else "'s aws_api_gateway_stage")
        + " and web_acl_arn = a REGIONAL-scope aws_wafv2_web_acl (rate_based_statement and the AWS managed rule groups)",
        serverless="Add an AWS::WAFv2::WebACLAssociation under resources.Resources with ResourceArn "
        "!Sub arn:aws:apigateway:${AWS::Region}::/restapis/${ApiGatewayRestApi}/stages/${sls:stage} and a REGIONAL-scope "
        "web ACL's WebACLArn",
    )


def _nacl_functions(app: Application) -> dict[str, list[Function]]:
    out: dict[str, list[Function]] = {}
    for fn in app.functions:
        for subnet in fn.vpc.subnet_ids if fn.vpc else ():
            out.setdefault(subnet, []).append(fn)
    return out


def _nacl_ports(entry: NaclEntry) -> str:
    if entry.all_traffic:
        return "all traffic"
    proto = {"6": "tcp", "17": "udp"}.get(entry.protocol, entry.protocol)
    if entry.from_port is None or entry.to_port is None:
        return f"all {proto} ports"
    if entry.from_port == entry.to_port:
        return f"{proto} port {entry.from_port}"
    return f"{proto} ports {entry.from_port}-{entry.to_port}"


def _denied_first(acl: NetworkAcl, entry: NaclEntry, port: int | None) -> bool:
    """Does a lower-numbered inbound deny entry from the whole internet decide first for ``port`` (None: every port)?"""
    for other in acl.entries:
        if other.egress or other.allow or not whole_internet(other.cidr) or other.number is None or entry.number is None:
            continue
        if other.number < entry.number and (other.all_traffic or (port is not None and other.covers_port(port))):
            return True
    return False


@rule(
    "FG-NET-011",
    category="network",
    severity=Severity.MEDIUM,
    title="Network ACL allows all traffic or admin ports from the internet",
    over="network_acls",
)
def nacl_open_to_internet(app: Application) -> Iterator[Hit]:
    """
    A network ACL has an inbound `allow` entry from `0.0.0.0/0` or `::/0` (any
    `/0` prefix) for all traffic (protocol `-1`) or for a remote administration or
    database port (SSH 22, RDP 3389, MySQL 3306, PostgreSQL 5432, SQL Server 1433,
    Redis 6379, MongoDB 27017 …), and no lower-numbered `deny` entry from the
    internet decides first. Checked on its own, also when no function of the source
    sits in the ACL's subnets; the message names the functions whose subnets are
    associated with it when they are known.

    A network ACL is the subnet-wide layer under the security groups: when it lets
    everything in, a single security group opened by mistake exposes whatever sits
    in the subnet — the function's database, cache, or the instances it calls. The
    subnets of VPC functions should not accept connections from the internet at all
    (a function needs only return traffic on ephemeral ports).

    Bad:

    ```yaml
    InboundAll:
      Type: AWS::EC2::NetworkAclEntry
      Properties:
        NetworkAclId: !Ref PrivateAcl
        RuleNumber: 100
        Protocol: -1
        RuleAction: allow
        CidrBlock: 0.0.0.0/0
    ```

    Fix: allow inbound only from the VPC's CIDR and the ephemeral ports
    (1024-65535) for return traffic, and deny administration ports from
    `0.0.0.0/0` with a low-numbered `deny` entry.
    """
    users = _nacl_functions(app)
    for acl in app.network_acls:
        functions = sorted({f.name: f for s in acl.subnets for f in users.get(s, [])}.values(), key=lambda f: f.name)
        for entry in acl.entries:
            if entry.egress or not entry.allow or not whole_internet(entry.cidr):
                continue
            if entry.all_traffic:
                if _denied_first(acl, entry, None):
                    continue
                exposed: list[str] = []
            else:
                exposed = [
                    f"{name} ({port})" for port, name in ADMIN_PORTS.items()
                    if entry.covers_port(port) and not _denied_first(acl, entry, port)
                ]
                if not exposed:
                    continue
            reach = f", including {', '.join(exposed[:4])}{' …' if len(exposed) > 4 else ''}" if exposed else ""
            number = f" (rule {entry.number})" if entry.number is not None else ""
            yield Hit(
                loc=entry.loc,
                message=f"Network ACL {acl.id} allows {_nacl_ports(entry)} in from {entry.cidr}{number}{reach}"
                + _in_subnets_of(functions),
                remediation=fix(
                    app.format,
                    cfn=f"Replace this AWS::EC2::NetworkAclEntry of {acl.id} with inbound entries for the VPC CIDR and the "
                    "ephemeral ports 1024-65535 only, and add a lower-numbered RuleAction: deny entry for ports 22 and 3389 "
                    "from 0.0.0.0/0",
                    cdk=f"Replace this entry of the ec2.NetworkAcl {acl.id} (addEntry with ec2.AclCidr.anyIpv4()) with "
                    "entries for the VPC CIDR and ec2.AclTraffic.tcpPortRange(1024, 65535) only, and deny ports 22 and "
                    "3389 from anywhere with a lower ruleNumber",
                    terraform=f'Narrow this entry of {acl.id} to cidr_block = the VPC CIDR and from_port = 1024, to_port = '
                    '65535 for return traffic, and add a lower-numbered rule with action = "deny" for ports 22 and 3389 '
                    'from 0.0.0.0/0',
                ),
                resource=acl.id,
                function=_single(functions),
                severity=Severity.HIGH if functions and entry.all_traffic else None,
                key=f"nacl:{entry.number}:{entry.protocol}:{entry.from_port}:{entry.to_port}:{entry.cidr}",
            )


def _in_subnets_of(functions: list[Function]) -> str:
    if not functions:
        return ""
    names = ", ".join(f.name for f in functions)
    return f"; its subnets hold function{'s' if len(functions) > 1 else ''} {names}"


# -- Azure Functions and Google Cloud Functions (FG-NET-050..069) ------------------------------
# These read Function.settings, which the Terraform loader fills for azurerm function apps and
# google Cloud Functions (see faasguard.loaders.terraform.azure / .gcp for the names).


@rule("FG-NET-050", category="network", severity=Severity.MEDIUM, title="Function endpoint accepts plain HTTP", over="functions")
def plain_http_allowed(app: Application) -> Iterator[Hit]:
    """
    An Azure function app without `https_only = true` (the azurerm default is false),
    or a 1st-gen Google Cloud Function with `https_trigger_security_level = "SECURE_OPTIONAL"`,
    answers plain-HTTP requests.

    Function keys, bearer tokens and request bodies then cross the network in clear
    text, where anyone on the path can read or replay them.

    Bad:

    ```hcl
    resource "azurerm_linux_function_app" "orders" {
      https_only = false
    }
    ```

    Fix: `https_only = true` on the function app; for Google Cloud Functions
    `https_trigger_security_level = "SECURE_ALWAYS"`.
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        setting = fn.setting("https_only")
        if setting is None or setting.value is not False:
            continue
        fix = (
            'Set https_trigger_security_level = "SECURE_ALWAYS" on the function'
            if fn.provider == "gcp"
            else "Set https_only = true on the function app so HTTP requests are redirected to HTTPS"
        )
        how = "is not set (the azurerm default is false)" if not setting.explicit else "is false"
        what = "https_trigger_security_level is SECURE_OPTIONAL" if fn.provider == "gcp" else f"https_only {how}"
        yield Hit(
            loc=setting.loc,
            message=f"Function {fn.name} accepts plain-HTTP requests: {what}",
            remediation=fix,
            resource=fn.name,
            function=fn.name,
        )


def _tls_below_1_2(version: object) -> bool:
    try:
        return float(str(version)) < 1.2
    except ValueError:
        return False


@rule("FG-NET-051", category="network", severity=Severity.MEDIUM, title="Function app accepts TLS below 1.2", over="functions")
def old_tls(app: Application) -> Iterator[Hit]:
    """
    The function app's minimum TLS version (`site_config.minimum_tls_version`, or
    `min_tls_version` on the legacy `azurerm_function_app`) is 1.0 or 1.1.

    TLS 1.0 and 1.1 have known weaknesses (BEAST, weak cipher suites), are
    deprecated by RFC 8996 and fail PCI DSS; a client can be downgraded to them.

    Bad:

    ```hcl
    site_config {
      minimum_tls_version = "1.0"
    }
    ```

    Fix: `minimum_tls_version = "1.2"` (the azurerm default) or `"1.3"`.
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        setting = fn.setting("min_tls_version")
        if setting is None or not _tls_below_1_2(setting.value):
            continue
        yield Hit(
            loc=setting.loc,
            message=f"Function app {fn.name} accepts TLS {setting.value} connections",
            remediation='Set minimum_tls_version = "1.2" (or "1.3") in site_config',
            resource=fn.name,
            function=fn.name,
        )


@rule(
    "FG-NET-052",
    category="network",
    severity=Severity.MEDIUM,
    title="Function app allows plain FTP deployment",
    over="functions",
)
def ftp_allowed(app: Application) -> Iterator[Hit]:
    """
    The function app's `site_config.ftps_state` is `AllAllowed` (the default of the
    legacy `azurerm_function_app`): deployment credentials and code can be sent over
    unencrypted FTP.

    Anyone who captures the FTP login can replace the function's code.

    Bad:

    ```hcl
    site_config {
      ftps_state = "AllAllowed"
    }
    ```

    Fix: `ftps_state = "Disabled"` (deploy with zip deploy or run-from-package), or
    `"FtpsOnly"` if FTP deployment is really needed.
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        setting = fn.setting("ftps_state")
        if setting is None or str(setting.value) != "AllAllowed":
            continue
        how = "ftps_state is AllAllowed" if setting.explicit else "ftps_state is not set and defaults to AllAllowed"
        yield Hit(
            loc=setting.loc,
            message=f"Function app {fn.name} accepts deployments over plain FTP: {how}",
            remediation='Set ftps_state = "Disabled" in site_config (or "FtpsOnly" if FTP deployment is required)',
            resource=fn.name,
            function=fn.name,
        )


@rule("FG-NET-053", category="network", severity=Severity.MEDIUM, title="Function app CORS allows every origin", over="functions")
def cors_any_origin(app: Application) -> Iterator[Hit]:
    """
    `site_config.cors.allowed_origins` contains `"*"`: any web page, on any site, can
    call the function from a visitor's browser and read the response.

    Combined with cookie or token authentication this lets a malicious page act as
    the signed-in user; even without it, it invites abuse of the API from anywhere.

    Bad:

    ```hcl
    cors {
      allowed_origins = ["*"]
    }
    ```

    Fix: list the front-end origins that call the function
    (`["https://app.example.com"]`).
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        setting = fn.setting("cors_origins")
        if setting is None or "*" not in tuple(setting.value or ()):
            continue
        yield Hit(
            loc=setting.loc,
            message=f"Function app {fn.name} allows cross-origin requests from any origin (allowed_origins contains \"*\")",
            remediation='Replace "*" in cors.allowed_origins with the origins of the front ends that call the function',
            resource=fn.name,
            function=fn.name,
        )


@rule(
    "FG-NET-054",
    category="network",
    severity=Severity.HIGH,
    title="Public Cloud Function accepts traffic from anywhere",
    over="functions",
)
def gcp_ingress_open(app: Application) -> Iterator[Hit]:
    """
    A Google Cloud Function that `allUsers` or `allAuthenticatedUsers` may invoke
    also has `ingress_settings = "ALLOW_ALL"` (the default): anyone on the internet
    can call it directly, with no load balancer, Cloud Armor or IAP in front.

    Bad:

    ```hcl
    resource "google_cloudfunctions_function" "api" {
      trigger_http = true
      # ingress_settings defaults to ALLOW_ALL
    }
    resource "google_cloudfunctions_function_iam_member" "public" {
      role   = "roles/cloudfunctions.invoker"
      member = "allUsers"
    }
    ```

    Fix: `ingress_settings = "ALLOW_INTERNAL_AND_GCLB"` and put an HTTPS load
    balancer with Cloud Armor in front, or `"ALLOW_INTERNAL_ONLY"` for internal
    callers; and drop the `allUsers` invoker unless the function really is public.
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        ingress, invokers = fn.setting("ingress"), fn.setting("public_invokers")
        if fn.provider != "gcp" or ingress is None or invokers is None or not invokers.value:
            continue
        if str(ingress.value) != "ALLOW_ALL":
            continue
        how = 'ingress_settings is "ALLOW_ALL"' if ingress.explicit else "ingress_settings is not set (ALLOW_ALL)"
        yield Hit(
            loc=ingress.loc,
            message=f"Function {fn.name} can be invoked by {', '.join(invokers.value)} and {how}: "
            "it is open to the whole internet",
            remediation='Set ingress_settings = "ALLOW_INTERNAL_AND_GCLB" behind a load balancer with Cloud Armor '
            '(or "ALLOW_INTERNAL_ONLY"), and remove the allUsers invoker binding unless the function must be public',
            resource=fn.name,
            function=fn.name,
        )


@rule(
    "FG-NET-055",
    category="network",
    severity=Severity.LOW,
    title="Cloud Function accepts traffic from any network",
    over="functions",
)
def gcp_ingress_allow_all(app: Application) -> Iterator[Hit]:
    """
    A Google Cloud Function has `ingress_settings = "ALLOW_ALL"` — or does not set
    it, and `ALLOW_ALL` is the default — so its HTTPS endpoint accepts requests from
    the whole internet, not only from the project's VPC or a load balancer. (When
    `allUsers` may also invoke it, FG-NET-054 reports it instead, at high.)

    IAM still checks the caller, but the endpoint is reachable by anyone holding a
    stolen token or key, bypasses VPC Service Controls perimeters, and no Cloud
    Armor policy can sit in front of it. Event-triggered functions (Pub/Sub,
    Storage) need no internet ingress at all.

    Bad:

    ```hcl
    resource "google_cloudfunctions2_function" "orders" {
      service_config {
        ingress_settings = "ALLOW_ALL"
      }
    }
    ```

    Fix: `ingress_settings = "ALLOW_INTERNAL_ONLY"` for functions called from
    inside the VPC or by events, or `"ALLOW_INTERNAL_AND_GCLB"` behind an HTTPS load
    balancer with Cloud Armor.
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        ingress, invokers = fn.setting("ingress"), fn.setting("public_invokers")
        if fn.provider != "gcp" or ingress is None or str(ingress.value) != "ALLOW_ALL":
            continue
        if invokers is not None and invokers.value:
            continue  # FG-NET-054
        gen2 = fn.source_resource.endswith("cloudfunctions2_function")
        where = "service_config.ingress_settings" if gen2 else "ingress_settings"
        how = f'{where} is "ALLOW_ALL"' if ingress.explicit else f"{where} is not set (the default is ALLOW_ALL)"
        yield Hit(
            loc=ingress.loc,
            message=f"Function {fn.name} accepts requests from any network: {how}",
            remediation=f'Set {where} = "ALLOW_INTERNAL_ONLY" (event-triggered or internal callers), or '
            '"ALLOW_INTERNAL_AND_GCLB" behind an HTTPS load balancer with Cloud Armor',
            resource=fn.name,
            function=fn.name,
        )
