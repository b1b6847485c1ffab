"""Fixtures for the pipeline-framework tests: captured log events, a context, a fake sleep.

Under ``--import-mode=importlib`` test folders are not on ``sys.path``; this folder is added so
that its test modules can share the small steps in ``pipeline_fakes.py``.
"""

import sys
from collections.abc import Iterator, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs
from work_data_hub.domain.pipelines import PipelineContext
from work_data_hub.utils.logging import configure_logging

HELPERS = str(Path(__file__).resolve().parent)
if HELPERS not in sys.path:
    sys.path.insert(0, HELPERS)


@pytest.fixture
def log_events() -> Iterator[list[MutableMapping[str, Any]]]:
    """Every structlog event emitted during the test, as dicts (``event`` is the message)."""
    configure_logging()
    with capture_logs() as events:
        yield events


@pytest.fixture
def context() -> PipelineContext:
    """A fixed context, so tests do not depend on the clock or random ids."""
    return PipelineContext(
        pipeline_name="test",
        execution_id="exec-1",
        timestamp=datetime(2024, 11, 1, tzinfo=UTC),
        config={"nested": {"key": [1, 2]}},
    )


@pytest.fixture
def fake_sleep() -> Any:
    """A ``sleep`` replacement (``pipeline_fakes.FakeSleep``): retries record delays, never wait."""
    from pipeline_fakes import FakeSleep

    return FakeSleep()
