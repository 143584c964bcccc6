"""credcat: a static-site catalog generator for micro-credentials."""
from __future__ import annotations

__version__ = "0.1.0"
