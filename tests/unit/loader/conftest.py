"""Fixtures for the loader's unit tests."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from structlog.testing import capture_logs
from work_data_hub.utils.logging import configure_logging


@pytest.fixture
def log_events() -> Iterator[list[MutableMapping[str, Any]]]:
    """Every structlog event emitted during the test, as dicts (``event`` is the message)."""
    configure_logging()
    with capture_logs() as events:
        yield events
