"""Hypothesis settings for the property tests.

CI runs a fixed, derandomized set of examples per test (``faasguard`` profile: fast and the same
on every run). ``HYPOTHESIS_PROFILE=explore`` draws fresh random examples, many more of them,
to look for new crashes; a crash found that way is fixed and kept as an ``@example``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # a loaded CI machine makes per-example timing meaningless
    "database": None,  # nothing written into the working tree
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
settings.register_profile("faasguard", max_examples=25, derandomize=True, **_COMMON)
# HYPOTHESIS_EXAMPLES caps an exploration run (one loader at a time on a shared machine).
settings.register_profile("explore", max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "500")), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "faasguard"))
