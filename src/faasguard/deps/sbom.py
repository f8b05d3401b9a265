"""``faasguard scan --sbom cyclonedx FILE``: a CycloneDX 1.6 SBOM of every function's dependencies.

Built with ``cyclonedx-python-lib``. Each function is an ``application`` component
that depends on the packages it ships (by purl); packages of manifests no function
points at hang off a component for their manifest. Dev-only packages are left out,
as they are not deployed. The serial number is derived from the content, so the
same scan gives the same SBOM apart from its timestamp.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from faasguard import __version__
from faasguard.deps.facts import DependencySet, Installed
from faasguard.model import Application


def _package(item: Installed) -> Component:
    dep = item.dependency
    purl = PackageURL.from_string(dep.purl)
    properties = [Property(name="faasguard:manifest", value=item.manifest.path)]
    if item.unaudited_reason:
        properties.append(Property(name="faasguard:unaudited", value=item.unaudited_reason))
    if item.audit is not None and item.audit.advisories:
        properties.append(Property(name="faasguard:advisories", value=", ".join(a.id for a in item.audit.advisories)))
    return Component(
        type=ComponentType.LIBRARY,
        name=dep.name,
        version=dep.version,
        purl=purl,
        bom_ref=dep.purl if dep.version else f"{dep.purl}#{item.manifest.path}",
        properties=properties,
    )


def build_bom(apps: Iterable[Application]) -> Bom:
    bom = Bom()
    root = Component(type=ComponentType.APPLICATION, name="scanned project", bom_ref="faasguard:scan-root")
    bom.metadata.component = root
    bom.metadata.properties.add(Property(name="faasguard:version", value=__version__))
    packages: dict[str, Component] = {}
    owners: list[tuple[Component, list[Component]]] = []
    for app in apps:
        for owner, sets in sorted(app.dependencies.items()):
            if not isinstance(sets, tuple):
                continue
            dep_sets = [s for s in sets if isinstance(s, DependencySet)]
            if not dep_sets:
                continue
            if owner:
                ref = f"function:{app.source}#{owner}"
                holder = Component(type=ComponentType.APPLICATION, name=owner, bom_ref=ref, properties=[
                    Property(name="faasguard:source", value=app.source),
                ])
            else:
                holder = Component(type=ComponentType.APPLICATION, name=dep_sets[0].anchor.path,
                                   bom_ref=f"manifest:{dep_sets[0].anchor.path}")
            shipped = []
            for dep_set in dep_sets:
                for item in dep_set.installed:
                    component = _package(item)
                    ref = str(component.bom_ref.value)
                    packages.setdefault(ref, component)
                    shipped.append(packages[ref])
            owners.append((holder, shipped))
    bom.register_dependency(root, [holder for holder, _ in owners])
    for holder, shipped in owners:
        bom.components.add(holder)
        for component in shipped:
            bom.components.add(component)
        bom.register_dependency(holder, shipped)
    text = "\n".join(sorted(str(c.bom_ref.value) for c in bom.components))
    bom.serial_number = uuid.UUID(hashlib.sha256(text.encode()).hexdigest()[:32])
    return bom


def cyclonedx_json(apps: Iterable[Application]) -> str:
    return JsonV1Dot6(build_bom(apps)).output_as_string(indent=2) + "\n"
