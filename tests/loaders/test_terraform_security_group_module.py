"""terraform-aws-modules/security-group inputs read as security group rules (FG-NET-001 on a module call)."""

from __future__ import annotations

import pytest

from faasguard.findings import Severity
from faasguard.loaders.terraform.aws import sg_rule_table
from faasguard.rules.network import ADMIN_PORTS
from tests.conftest import ScanFiles, by_rule


@pytest.mark.parametrize("name", sorted(sg_rule_table()))
def test_every_named_rule_of_the_table(scan_files: ScanFiles, name: str) -> None:
    """Each row opens its ports: reported when they include an admin/data port or all traffic, quiet for web ports."""
    low, high, protocol = sg_rule_table()[name]
    text = f"""
    module "sg" {{
      source              = "terraform-aws-modules/security-group/aws"
      name                = "db"
      vpc_id              = "vpc-1"
      ingress_cidr_blocks = ["0.0.0.0/0"]
      ingress_rules       = ["{name}"]
    }}
    """
    findings = by_rule(scan_files({"main.tf": text}, rules={"FG-NET-001"}), "FG-NET-001")
    exposes_admin = protocol == "-1" or any(low <= port <= high for port in ADMIN_PORTS)
    if protocol == "-1" or low != high or low not in (80, 443):
        assert len(findings) == 1 and findings[0].resource == "module.sg" and findings[0].line == 5
        assert findings[0].severity == (Severity.HIGH if exposes_admin else Severity.MEDIUM)
    else:
        assert findings == []  # HTTP/HTTPS from the internet is what a load balancer is for


def test_ingress_with_cidr_blocks_and_presets(scan_files: ScanFiles) -> None:
    text = """
    module "db_sg" {
      source  = "terraform-aws-modules/security-group/aws//modules/postgresql"
      name    = "db"
      vpc_id  = "vpc-1"
      ingress_cidr_blocks = ["%s"]
    }
    module "ops" {
      source = "terraform-aws-modules/security-group/aws"
      name   = "ops"
      vpc_id = "vpc-1"
      ingress_with_cidr_blocks = [
        { from_port = 6379, to_port = 6379, protocol = "tcp", cidr_blocks = "10.0.0.0/8,%s" },
        { rule = "ssh-tcp", cidr_blocks = "%s" },
      ]
    }
    """
    open_ = scan_files({"main.tf": text % ("0.0.0.0/0", "0.0.0.0/0", "::/0")}, rules={"FG-NET-001"})
    found = sorted((f.resource, f.line, f.message.split(" from ")[0]) for f in by_rule(open_, "FG-NET-001"))
    assert found == [
        ("module.db_sg", 5, "Security group module.db_sg allows tcp port 5432"),
        ("module.ops", 11, "Security group module.ops allows tcp port 22"),
        ("module.ops", 11, "Security group module.ops allows tcp port 6379"),
    ]
    closed = scan_files({"main.tf": text % ("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16")}, rules={"FG-NET-001"})
    assert by_rule(closed, "FG-NET-001") == []
