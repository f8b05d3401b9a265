"""Rules of the `supply-chain` category."""

from __future__ import annotations
