"""The rules, one module per category. Importing this package registers them all."""

from faasguard.rules import (  # noqa: F401  (imported for their @rule registrations)
    attack_path,
    iam,
    injection,
    monitoring,
    network,
    resources,
    secrets,
    supply_chain,
)
