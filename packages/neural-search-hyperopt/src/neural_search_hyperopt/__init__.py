"""neural-search-hyperopt: a Neural DSL plugin package."""

from __future__ import annotations

__version__ = "0.1.0"
