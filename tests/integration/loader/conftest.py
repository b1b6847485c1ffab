"""Fixtures for the loader's integration tests: loaders on the test's fresh migrated database.

Under ``--import-mode=importlib`` test folders are not on ``sys.path``; this folder is added so
that its test modules can share ``loader_support.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from structlog.testing import capture_logs
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.loader import WarehouseLoader
from work_data_hub.utils.logging import configure_logging

HELPERS = str(Path(__file__).resolve().parent)
if HELPERS not in sys.path:
    sys.path.insert(0, HELPERS)

from loader_support import NO_WAIT, MakeLoader  # noqa: E402


@pytest.fixture
def make_loader(wdh_database: str) -> Iterator[MakeLoader]:
    """Build loaders on the test's database (keyword arguments go to ``WarehouseLoader``, ``url``
    replaces the database URL); each is disconnected after the test."""
    engines: list[Engine] = []

    def build(**options: Any) -> WarehouseLoader:
        options.setdefault("retry", NO_WAIT)
        engine = create_engine_for(options.pop("url", wdh_database))
        engines.append(engine)
        return WarehouseLoader(engine, **options)

    yield build
    for engine in engines:
        engine.dispose()


@pytest.fixture(params=["copy", "batched"])
def loader(request: pytest.FixtureRequest, make_loader: MakeLoader) -> WarehouseLoader:
    """A loader whose loads all go through COPY, or all through batched INSERTs of 3 rows."""
    if request.param == "copy":
        return make_loader(copy_threshold=0)
    return make_loader(copy_threshold=10**9, batch_size=3)


@pytest.fixture
def log_events() -> Iterator[list[MutableMapping[str, Any]]]:
    """Every structlog event emitted during the test, as dicts (``event`` is the message)."""
    configure_logging()
    with capture_logs() as events:
        yield events
