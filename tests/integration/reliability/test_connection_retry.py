"""Connection failures: refused attempts are retried after 1, 2 and 4 s; data errors never are.

The engine under test opens its connections through a function that sends the first attempts to
a TCP port nobody listens on (the server refuses them), then to the real test database. The
retry's pauses are recorded by an injected ``sleep`` instead of being waited out.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg2
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.pool import NullPool
from warehouse_state import table_rows
from work_data_hub.config import Settings
from work_data_hub.io.loader import (
    DEFAULT_BACKOFF_S,
    DatabaseUnavailableError,
    RetryPolicy,
    WarehouseLoader,
)
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.plugins.registry import get_registry
from work_data_hub.testing.domain_runner import write_sample_file

pytestmark = pytest.mark.integration

TABLE = "retry_target"
FRAME = pd.DataFrame({"id": [1, 2, 3], "label": ["a", "b", "c"]})


def _closed_port() -> int:
    """A local TCP port with no listener: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FlakyConnections:
    """Opens connections to the test database after ``refusals`` refused attempts."""

    def __init__(self, engine: Engine, refusals: int) -> None:
        self.refusals = refusals
        self.attempts = 0
        self._real_args = engine.dialect.create_connect_args(engine.url)
        self._refused = {"host": "127.0.0.1", "port": _closed_port(), "user": "postgres"}

    def __call__(self) -> Any:
        """Return a new DBAPI connection, or raise ``psycopg2.OperationalError`` (refused)."""
        self.attempts += 1
        if self.attempts <= self.refusals:
            return psycopg2.connect(dbname="postgres", connect_timeout=2, **self._refused)
        args, kwargs = self._real_args
        return psycopg2.connect(*args, **kwargs)


@pytest.fixture
def target(wdh_engine: Engine) -> str:
    with wdh_engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE TABLE {TABLE} (id integer NOT NULL, label text)")
    return TABLE


def _flaky_engine(engine: Engine, refusals: int) -> tuple[Engine, FlakyConnections]:
    connections = FlakyConnections(engine, refusals)
    flaky = sa.create_engine("postgresql+psycopg2://", creator=connections, poolclass=NullPool)
    return flaky, connections


def _loader(engine: Engine, pauses: list[float]) -> WarehouseLoader:
    return WarehouseLoader(engine, retry=RetryPolicy(sleep=pauses.append))


def test_the_default_backoff_is_three_retries_within_ten_seconds() -> None:
    assert DEFAULT_BACKOFF_S == (1.0, 2.0, 4.0)
    assert RetryPolicy().backoff_s == DEFAULT_BACKOFF_S
    assert sum(DEFAULT_BACKOFF_S) < 10


@pytest.mark.parametrize(
    ("refusals", "pauses"), [(1, [1.0]), (2, [1.0, 2.0]), (3, [1.0, 2.0, 4.0])]
)
def test_refused_connections_are_retried_with_backoff_then_the_load_succeeds(
    wdh_engine: Engine, target: str, refusals: int, pauses: list[float]
) -> None:
    flaky, connections = _flaky_engine(wdh_engine, refusals)
    recorded: list[float] = []

    result = _loader(flaky, recorded).load_dataframe(FRAME, target, mode="append")

    assert recorded == pauses
    assert connections.attempts == refusals + 1
    assert result.rows_loaded == 3
    assert table_rows(wdh_engine, target) == [(1, "a"), (2, "b"), (3, "c")]


def test_a_permanent_failure_is_a_clear_error_after_three_retries(
    wdh_engine: Engine, target: str
) -> None:
    flaky, connections = _flaky_engine(wdh_engine, refusals=1_000)
    recorded: list[float] = []
    started = time.monotonic()

    with pytest.raises(DatabaseUnavailableError) as raised:
        _loader(flaky, recorded).load_dataframe(FRAME, target, mode="append")

    assert recorded == [1.0, 2.0, 4.0]
    assert sum(recorded) < 10
    assert time.monotonic() - started < 10
    assert connections.attempts == 4
    message = str(raised.value)
    assert "after 4 attempts" in message
    assert "retried after 1 s, 2 s, 4 s" in message
    assert "refused" in message
    assert table_rows(wdh_engine, target) == []


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (pd.DataFrame({"id": [1, None], "label": ["a", "b"]}), "null value"),
        (pd.DataFrame({"id": ["x"], "label": ["a"]}), "invalid input syntax"),
    ],
    ids=["not-null violation", "type error"],
)
def test_data_errors_are_not_retried_and_write_nothing(
    wdh_engine: Engine, target: str, frame: pd.DataFrame, error: str
) -> None:
    flaky, connections = _flaky_engine(wdh_engine, refusals=0)
    recorded: list[float] = []
    loader = _loader(flaky, recorded)

    with pytest.raises(psycopg2.Error, match=error):
        loader.load_dataframe(frame, target, mode="append")

    assert recorded == []
    assert connections.attempts == 1
    assert table_rows(wdh_engine, target) == []


def test_a_run_whose_first_connection_is_refused_retries_and_loads(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = get_registry().get("annuity_performance")
    frame = domain.sample("202411", 200, 5)
    file = write_sample_file(
        tmp_path / "month.xlsx", frame, file_type="excel", sheet=domain.definition.source.sheet
    )
    connections = FlakyConnections(wdh_engine, refusals=1)
    engine = sa.create_engine("postgresql+psycopg2://", creator=connections)
    started = time.monotonic()

    try:
        report = run_domain(RunRequest(domain.name, file=file), engine=engine, settings=settings)
    finally:
        engine.dispose()

    assert report.status == "succeeded", report.error
    assert time.monotonic() - started >= 1.0
    assert connections.attempts >= 2
    assert len(table_rows(wdh_engine, domain.definition.table)) == report.rows_loaded > 0
