"""Does a version satisfy a declared range, in the ecosystem's own semantics (PEP 440 or npm semver)."""

from __future__ import annotations

import nodesemver
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version


def satisfies(ecosystem: str, version: str, spec: str) -> bool:
    """True when ``version`` is inside ``spec``; unparseable input counts as satisfied (nothing to report)."""
    if ecosystem == "PyPI":
        try:
            return SpecifierSet(spec).contains(Version(version), prereleases=True)
        except (InvalidSpecifier, InvalidVersion):
            return True
    try:
        if nodesemver.valid_range(spec, loose=True) is None:
            return True
        return bool(nodesemver.satisfies(version, spec, loose=True, include_prerelease=True))
    except (ValueError, TypeError):
        return True
