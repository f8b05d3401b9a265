"""Rules of the `secrets` category."""

from __future__ import annotations
