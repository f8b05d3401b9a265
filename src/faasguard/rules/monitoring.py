"""Rules of the `monitoring` category."""

from __future__ import annotations
