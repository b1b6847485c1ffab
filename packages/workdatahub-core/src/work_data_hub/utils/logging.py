"""Structured JSON logging on structlog: ``get_logger(name)`` is the only entry point."""

from __future__ import annotations

import logging
from typing import Any

import structlog


def get_logger(name: str) -> Any:
    """Return a structlog logger bound to ``name``."""
    return structlog.get_logger(name)
