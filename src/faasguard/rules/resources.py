"""Rules of the `resources` category."""

from __future__ import annotations
