"""Rules of the `network` category."""

from __future__ import annotations
