"""Terraform (and Pulumi) resources at the edge of an application → the model: network ACLs, WAF
web ACL associations (REST APIs, CloudFront distributions, AppSync APIs) and log subscription filters.

Called by :meth:`faasguard.loaders.terraform.aws.AwsBuilder.build`; the counterpart of
:mod:`faasguard.loaders.cloudformation_perimeter`.

* ``aws_network_acl`` (``ingress``/``egress`` blocks or attribute lists, ``subnet_ids``),
  ``aws_default_network_acl`` (the VPC's default ACL: what it declares replaces AWS's allow-all
  entries), ``aws_network_acl_rule`` and ``aws_network_acl_association``;
* ``aws_wafv2_web_acl_association`` / ``aws_wafregional_web_acl_association`` (``resource_arn`` naming a
  stage or an API), ``aws_api_gateway_rest_api``, ``aws_appsync_graphql_api``,
  ``aws_cloudfront_distribution`` (``web_acl_id``, the APIs and function URLs its origins point at);
* ``aws_cloudwatch_log_subscription_filter`` (``log_group_name`` naming a log group or ``/aws/lambda/…``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from faasguard.loaders.terraform.module import Block, Module
from faasguard.loaders.terraform.refs import addresses_in, as_int
from faasguard.model import Application, LogSubscription, NaclEntry, NetworkAcl, WebEntry

_ASSOCIATIONS = {
    "aws_wafv2_web_acl_association": "web_acl_arn",
    "aws_wafregional_web_acl_association": "web_acl_id",
}
_API_TYPES = ("aws_api_gateway_rest_api", "aws_apigatewayv2_api", "aws_appsync_graphql_api")


def read(module: Module, app: Application) -> None:
    app.network_acls.extend(_network_acls(module))
    app.web_entries.extend(_web_entries(module))
    app.log_subscriptions.extend(_subscriptions(module))


def _addresses(module: Module, raw: Any) -> list[str]:
    """Addresses of this module that a value names, anywhere in it (``"${aws_api_gateway_stage.prod.arn}"``)."""
    texts = raw if isinstance(raw, list) else [raw]
    return [a for text in texts if isinstance(text, str) for a in addresses_in(text) if module.lookup(a) is not None]


# -- network ACLs -------------------------------------------------------------------------------


def _protocol(value: Any) -> str:
    text = str(value if value is not None else "-1").strip().lower()
    return {"tcp": "6", "udp": "17", "icmp": "1", "all": "-1"}.get(text, text)


def _entry(module: Module, block: Block, egress: bool, loc_attr: str | None = None) -> Iterator[NaclEntry]:
    s = module.scope
    action = str(s.scalar(block.get("action") if block.has("action") else block.get("rule_action")) or "").lower()
    number = block.get("rule_no") if block.has("rule_no") else block.get("rule_number")
    cidrs: list[str | None] = [c for c in (s.text(block.get("cidr_block")), s.text(block.get("ipv6_cidr_block"))) if c]
    loc = block.attr_loc(loc_attr) if loc_attr and block.has(loc_attr) else block.loc()
    for cidr in cidrs or [None]:
        yield NaclEntry(
            number=as_int(s.scalar(number)),
            egress=egress,
            allow=action == "allow",
            protocol=_protocol(s.scalar(block.get("protocol"))),
            from_port=as_int(s.scalar(block.get("from_port"))),
            to_port=as_int(s.scalar(block.get("to_port"))),
            cidr=cidr,
            loc=loc,
        )


def _network_acls(module: Module) -> Iterator[NetworkAcl]:
    s = module.scope
    entries: dict[str, list[NaclEntry]] = {}
    subnets: dict[str, list[str]] = {}
    blocks: dict[str, Block] = {}
    for acl in module.of_type("aws_network_acl", "aws_default_network_acl"):
        blocks[acl.address] = acl
        entries[acl.address] = []
        for direction in ("ingress", "egress"):
            for nested in acl.entries(direction):
                entries[acl.address].extend(_entry(module, nested, direction == "egress"))
        subnets[acl.address] = [module.target(v) or s.text(v) for v in _list(acl.get("subnet_ids"))]
    external: dict[str, Block] = {}
    for rule in module.of_type("aws_network_acl_rule"):
        acl_id = module.target(rule.get("network_acl_id")) or s.text(rule.get("network_acl_id"))
        if not acl_id:
            continue
        if acl_id not in entries:  # an ACL declared elsewhere: known by the rules added here
            entries[acl_id] = []
            external[acl_id] = rule
        egress = str(s.scalar(rule.get("egress"))).lower() == "true"
        entries[acl_id].extend(_entry(module, rule, egress, "cidr_block"))
    for assoc in module.of_type("aws_network_acl_association"):
        acl_id = module.target(assoc.get("network_acl_id")) or s.text(assoc.get("network_acl_id"))
        subnet = module.target(assoc.get("subnet_id")) or s.text(assoc.get("subnet_id"))
        if acl_id in entries and subnet:
            subnets.setdefault(acl_id, []).append(subnet)
    for acl_id, found in entries.items():
        owner = blocks.get(acl_id) or external[acl_id]
        default = owner.kind == "aws_default_network_acl"
        yield NetworkAcl(acl_id, owner.loc(), tuple(found), tuple(dict.fromkeys(subnets.get(acl_id, ()))), default)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


# -- WAF --------------------------------------------------------------------------------------------


def _web_entries(module: Module) -> Iterator[WebEntry]:
    s = module.scope
    protected: dict[str, str] = {}
    for assoc in module.of_type(*_ASSOCIATIONS):
        acl = s.text(assoc.get(_ASSOCIATIONS[assoc.kind])) or assoc.address
        for target in _addresses(module, assoc.get("resource_arn")):
            protected[target] = acl
            block = module.lookup(target)
            if block is not None and block.kind == "aws_api_gateway_stage":
                rest_api = module.target(block.get("rest_api_id"))
                if rest_api:
                    protected.setdefault(rest_api, acl)
    for api in module.of_type("aws_api_gateway_rest_api"):
        endpoint = api.block("endpoint_configuration")
        types = [t.upper() for t in s.texts(endpoint.get("types"))] if endpoint else []
        if "PRIVATE" in types:
            continue
        yield WebEntry(api.address, "rest", api.loc(), protected.get(api.address))
    for api in module.of_type("aws_appsync_graphql_api"):
        yield WebEntry(api.address, "appsync", api.loc(), protected.get(api.address))
    for dist in module.of_type("aws_cloudfront_distribution"):
        behind: list[str] = []
        for origin in dist.blocks("origin"):
            for target in _addresses(module, origin.get("domain_name")):
                kind = module.lookup(target).kind  # type: ignore[union-attr]
                if kind in _API_TYPES:
                    behind.append(target)
                elif kind == "aws_api_gateway_stage":
                    behind.append(module.target(module.lookup(target).get("rest_api_id")) or target)  # type: ignore[union-attr]
                elif kind == "aws_lambda_function_url":
                    function = module.target(module.lookup(target).get("function_name"))  # type: ignore[union-attr]
                    if function:
                        behind.append(function)
        acl = s.text(dist.get("web_acl_id")) if dist.has("web_acl_id") else ""
        loc = dist.attr_loc("web_acl_id") if dist.has("web_acl_id") else dist.loc()
        yield WebEntry(dist.address, "cloudfront", loc, acl or None, tuple(dict.fromkeys(behind)))


# -- log subscriptions ------------------------------------------------------------------------------


def _subscriptions(module: Module) -> Iterator[LogSubscription]:
    s = module.scope
    for block in module.of_type("aws_cloudwatch_log_subscription_filter"):
        raw = block.get("log_group_name")
        group = module.target(raw)
        name = s.text(raw)
        function = None
        if group is None and "/aws/lambda/" in name:
            named = [a for a in _addresses(module, raw) if a.startswith("aws_lambda_function.")]
            function = named[0] if named else None
            if function is None:
                tail = name.split("/aws/lambda/", 1)[1]
                function = next(
                    (f.address for f in module.of_type("aws_lambda_function") if s.scalar(f.get("function_name")) == tail),
                    None,
                )
        elif group is not None and group.startswith("aws_lambda_function."):
            function, group = group, None
        yield LogSubscription(block.address, block.loc(), group or name or None, function)
