"""Rules of the `injection` category."""

from __future__ import annotations
