"""Connection failures are retried after 1 s, 2 s and 4 s; data errors never are."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import pandas as pd
import psycopg2
import pytest
import sqlalchemy as sa
from loader_support import MakeLoader, execute, table_rows
from sqlalchemy import Engine
from work_data_hub.io.loader import DatabaseUnavailableError, RetryPolicy, WarehouseLoader

pytestmark = pytest.mark.integration


class RefusingConnect:
    """A DBAPI connect function that refuses the first ``refusals`` attempts."""

    def __init__(self, url: str, refusals: int) -> None:
        self.url = url
        self.refusals = refusals
        self.attempts = 0

    def __call__(self) -> Any:
        self.attempts += 1
        if self.attempts <= self.refusals:
            raise psycopg2.OperationalError("could not connect to server: Connection refused")
        return psycopg2.connect(self.url.replace("postgresql+psycopg2://", "postgresql://", 1))


@pytest.fixture
def pauses() -> list[float]:
    return []


def flaky_loader(url: str, refusals: int, pauses: list[float]) -> tuple[WarehouseLoader, Any]:
    connect = RefusingConnect(url, refusals)
    engine = sa.create_engine("postgresql+psycopg2://", creator=connect, pool_pre_ping=True)
    return WarehouseLoader(engine, retry=RetryPolicy(sleep=pauses.append)), connect


def test_transient_connection_failures_are_retried_then_the_load_succeeds(
    wdh_database: str,
    wdh_engine: Engine,
    pauses: list[float],
    log_events: list[MutableMapping[str, Any]],
) -> None:
    execute(wdh_engine, "CREATE TABLE t (n integer)")
    loader, connect = flaky_loader(wdh_database, refusals=2, pauses=pauses)

    result = loader.load_dataframe(pd.DataFrame({"n": [1, 2]}), "t")
    loader.engine.dispose()

    assert result.rows_loaded == 2
    assert table_rows(wdh_engine, "t") == [(1,), (2,)]
    assert connect.attempts == 3
    assert pauses == [1.0, 2.0]
    retries = [
        event for event in log_events if event["event"] == "database connection failed, retrying"
    ]
    assert [(event["log_level"], event["attempt"], event["retry_in_s"]) for event in retries] == [
        ("warning", 1, 1.0),
        ("warning", 2, 2.0),
    ]


def test_a_permanent_failure_raises_after_three_retries(
    wdh_database: str, pauses: list[float]
) -> None:
    loader, connect = flaky_loader(wdh_database, refusals=100, pauses=pauses)

    with (
        pytest.raises(DatabaseUnavailableError, match="after 4 attempts") as raised,
        loader.transaction(),
    ):
        pass

    assert connect.attempts == 4
    assert pauses == [1.0, 2.0, 4.0]
    assert sum(pauses) < 10
    assert "retried after 1 s, 2 s, 4 s" in str(raised.value)
    assert isinstance(raised.value.__cause__, sa.exc.OperationalError)


def test_an_unreachable_server_is_named_without_its_password(
    make_loader: MakeLoader, pauses: list[float], log_events: list[MutableMapping[str, Any]]
) -> None:
    loader = make_loader(
        url="postgresql://loader:s3cret-pw@127.0.0.1:1/warehouse",
        retry=RetryPolicy(sleep=pauses.append),
    )

    with pytest.raises(DatabaseUnavailableError) as raised:
        loader.load_dataframe(pd.DataFrame({"n": [1]}), "t")

    message = str(raised.value)
    assert "postgresql+psycopg2://loader:***@127.0.0.1:1/warehouse" in message
    assert "s3cret-pw" not in message + repr(loader) + repr(log_events)
    assert pauses == [1.0, 2.0, 4.0]


def test_data_errors_are_never_retried(
    wdh_database: str, wdh_engine: Engine, pauses: list[float]
) -> None:
    execute(wdh_engine, "CREATE TABLE t (n integer PRIMARY KEY)", "INSERT INTO t VALUES (1)")
    loader, connect = flaky_loader(wdh_database, refusals=0, pauses=pauses)

    with pytest.raises(psycopg2.errors.UniqueViolation):
        loader.load_dataframe(pd.DataFrame({"n": [1]}), "t")
    loader.engine.dispose()

    assert (connect.attempts, pauses) == (1, [])
    assert table_rows(wdh_engine, "t") == [(1,)]
