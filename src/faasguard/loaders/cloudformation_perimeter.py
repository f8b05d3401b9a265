"""CloudFormation resources at the edge of an application → the model: network ACLs, WAF web ACL
associations (REST APIs, CloudFront distributions, AppSync APIs) and log subscription filters.

Read by :func:`faasguard.loaders.cloudformation_builder.build_application` for CloudFormation, SAM,
``cdk.out`` and ``serverless.yml`` (whose ``resources`` are CloudFormation). The builder only joins
resources by reference; rules judge them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from faasguard.loaders.intrinsics import as_list
from faasguard.model import Application, LogSubscription, NaclEntry, NetworkAcl, WebEntry

if TYPE_CHECKING:
    from faasguard.loaders.cloudformation_builder import TemplateReader

_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")
_ASSOCIATIONS = {
    "AWS::WAFv2::WebACLAssociation": "WebACLArn",
    "AWS::WAFRegional::WebACLAssociation": "WebACLId",
}
_PUBLIC_REST_TYPES = ("AWS::ApiGateway::RestApi",)


def read(reader: TemplateReader, app: Application) -> None:
    app.network_acls.extend(_network_acls(reader))
    app.web_entries.extend(_web_entries(reader))
    app.log_subscriptions.extend(_subscriptions(reader))


def referenced(reader: TemplateReader, value: Any) -> list[str]:
    """Logical ids of this template that ``value`` refers to (``!Ref``, ``!GetAtt``, ``${X}`` in ``!Sub``/``!Join``)."""
    ids = [t for t in reader.fn.targets(value) if t in reader.resources]
    for name in _REFERENCE.findall(reader.fn.text(value)):
        if name in reader.resources and name not in ids:
            ids.append(name)
    return ids


# -- network ACLs -------------------------------------------------------------------------------


def _protocol(value: Any) -> str:
    text = str(value if value is not None else "-1").strip().lower()
    return {"tcp": "6", "udp": "17", "icmp": "1", "all": "-1"}.get(text, text)


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _network_acls(reader: TemplateReader) -> Iterator[NetworkAcl]:
    fn = reader.fn
    entries: dict[str, list[NaclEntry]] = {}
    locs = {}
    for acl_id, _ in reader.of_type("AWS::EC2::NetworkAcl"):
        entries[acl_id] = []
        locs[acl_id] = reader.resource_loc(acl_id)
    for entry_id, props in reader.of_type("AWS::EC2::NetworkAclEntry"):
        acl = fn.target(props.get("NetworkAclId")) or fn.text(props.get("NetworkAclId"))
        if not acl:
            continue
        if acl not in entries:  # an ACL declared elsewhere: known by the entries added here
            entries[acl] = []
            locs[acl] = reader.resource_loc(entry_id)
        ports = props.get("PortRange")
        ports = ports if isinstance(ports, Mapping) else {}
        egress = fn.scalar(props.get("Egress"))
        cidr = fn.scalar(props.get("CidrBlock")) or fn.scalar(props.get("Ipv6CidrBlock"))
        entries[acl].append(
            NaclEntry(
                number=_int(fn.scalar(props.get("RuleNumber"))),
                egress=egress is True or str(egress).lower() == "true",
                allow=str(fn.scalar(props.get("RuleAction")) or "").lower() == "allow",
                protocol=_protocol(fn.scalar(props.get("Protocol"))),
                from_port=_int(fn.scalar(ports.get("From"))),
                to_port=_int(fn.scalar(ports.get("To"))),
                cidr=str(cidr) if cidr else None,
                loc=reader.resource_loc(entry_id),
            )
        )
    subnets: dict[str, list[str]] = {}
    for _, assoc in reader.of_type("AWS::EC2::SubnetNetworkAclAssociation"):
        acl = fn.target(assoc.get("NetworkAclId")) or fn.text(assoc.get("NetworkAclId"))
        subnet = fn.target(assoc.get("SubnetId")) or fn.text(assoc.get("SubnetId"))
        if acl and subnet:
            subnets.setdefault(acl, []).append(subnet)
    for acl_id, found in entries.items():
        yield NetworkAcl(acl_id, locs[acl_id], tuple(found), tuple(subnets.get(acl_id, ())))


# -- WAF --------------------------------------------------------------------------------------------


def _web_entries(reader: TemplateReader) -> Iterator[WebEntry]:
    fn = reader.fn
    protected: dict[str, str] = {}
    for assoc_id, props in reader.of_type(*_ASSOCIATIONS):
        acl = fn.text(props.get(_ASSOCIATIONS[str(reader.type_of(assoc_id))])) or assoc_id
        for target in referenced(reader, props.get("ResourceArn")):
            protected[target] = acl
            stage = reader.resources.get(target)
            if reader.type_of(target) == "AWS::ApiGateway::Stage" and isinstance(stage, Mapping):
                stage_props = stage.get("Properties")
                api = fn.target(stage_props.get("RestApiId")) if isinstance(stage_props, Mapping) else None
                if api:
                    protected.setdefault(api, acl)
    for api_id, props in reader.of_type(*_PUBLIC_REST_TYPES):
        config = props.get("EndpointConfiguration")
        types = [str(fn.scalar(t)).upper() for t in as_list(config.get("Types"))] if isinstance(config, Mapping) else []
        if "PRIVATE" in types:
            continue
        yield WebEntry(api_id, "rest", reader.resource_loc(api_id), protected.get(api_id))
    for api_id, _ in reader.of_type("AWS::AppSync::GraphQLApi"):
        yield WebEntry(api_id, "appsync", reader.resource_loc(api_id), protected.get(api_id))
    for dist_id, props in reader.of_type("AWS::CloudFront::Distribution"):
        config = props.get("DistributionConfig")
        config = config if isinstance(config, Mapping) else {}
        behind: list[str] = []
        for origin in as_list(config.get("Origins")):
            if isinstance(origin, Mapping):
                behind.extend(_origin_targets(reader, origin.get("DomainName")))
        web_acl = fn.text(config.get("WebACLId")) if config.get("WebACLId") is not None else None
        yield WebEntry(dist_id, "cloudfront", reader.resource_loc(dist_id), web_acl or None, tuple(dict.fromkeys(behind)))


def _origin_targets(reader: TemplateReader, domain: Any) -> Iterator[str]:
    """APIs and functions (through their URL) an origin's domain name points at."""
    for target in referenced(reader, domain):
        kind = reader.type_of(target)
        if kind in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api", "AWS::AppSync::GraphQLApi"):
            yield target
        elif kind == "AWS::Lambda::Url":
            res = reader.resources[target]
            props = res.get("Properties") if isinstance(res, Mapping) else None
            function = reader.function_of(props.get("TargetFunctionArn")) if isinstance(props, Mapping) else None
            if function:
                yield function


# -- log subscriptions ------------------------------------------------------------------------------


def _subscriptions(reader: TemplateReader) -> Iterator[LogSubscription]:
    fn = reader.fn
    for sub_id, props in reader.of_type("AWS::Logs::SubscriptionFilter"):
        raw = props.get("LogGroupName")
        group = fn.target(raw)
        name = fn.text(raw)
        function = None
        if "/aws/lambda/" in name:
            tail = name.split("/aws/lambda/", 1)[1]
            ids = referenced(reader, tail)
            function = next((reader.function_of({"Ref": i}) for i in ids if reader.function_of({"Ref": i})), None)
            if function is None:
                function = next(
                    (
                        fid
                        for fid, p in reader.of_type("AWS::Lambda::Function")
                        if p.get("FunctionName") is not None and fn.text(p.get("FunctionName")) == tail
                    ),
                    None,
                )
        yield LogSubscription(sub_id, reader.resource_loc(sub_id), group or name or None, function)
