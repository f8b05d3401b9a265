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
        npm_range = nodesemver.make_range(spec, loose=True)  # parsed once (valid_range, then satisfies, parsed it twice)
        return bool(npm_range.test(version, include_prerelease=True))
    except (ValueError, TypeError):  # a range nodesemver cannot read, or a version it cannot compare
        return True
