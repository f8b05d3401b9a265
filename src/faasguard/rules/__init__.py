"""The rules, one module per category. Importing this package registers them all."""

from faasguard.rules import (  # noqa: F401  (imported for their @rule registrations)
    attack_path,
    code_signing,
    iam,
    iam_cloud,
    iam_last_accessed,
    iam_risk,
    iam_takeover,
    injection,
    least_privilege,
    monitoring,
    network,
    resource_access,
    resources,
    secrets,
    supply_chain,
)
