"""``RetryPolicy`` retries connection failures after each pause, and nothing else."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import psycopg2
import pytest
from sqlalchemy import exc as sa_exc
from work_data_hub.io.loader import DEFAULT_BACKOFF_S, DatabaseUnavailableError, RetryPolicy
from work_data_hub.io.loader.retry import is_connection_failure

pytestmark = pytest.mark.unit

TARGET = "postgresql+psycopg2://etl:***@db:5432/warehouse"


class Flaky:
    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "connected"


def refused(password: str = "") -> sa_exc.OperationalError:
    detail = f'connection to "db" failed: Connection refused, password={password} rejected'
    return sa_exc.OperationalError("connect", {}, psycopg2.OperationalError(detail))


def test_the_default_backoff_is_one_two_four_seconds() -> None:
    assert DEFAULT_BACKOFF_S == (1.0, 2.0, 4.0)
    assert RetryPolicy().backoff_s == DEFAULT_BACKOFF_S


def test_connection_failures_are_retried_until_one_attempt_succeeds(
    log_events: list[MutableMapping[str, Any]],
) -> None:
    pauses: list[float] = []
    operation = Flaky([refused(), refused()])

    result = RetryPolicy(sleep=pauses.append).call(operation, target=TARGET)

    assert (result, operation.calls, pauses) == ("connected", 3, [1.0, 2.0])
    assert [(event["log_level"], event["attempt"], event["attempts"]) for event in log_events] == [
        ("warning", 1, 4),
        ("warning", 2, 4),
    ]


def test_after_three_retries_the_failure_is_raised_with_the_target_and_the_reason(
    log_events: list[MutableMapping[str, Any]],
) -> None:
    pauses: list[float] = []
    last = refused(password="hunter2")
    operation = Flaky([refused("hunter2"), refused(), refused(), last])

    with pytest.raises(DatabaseUnavailableError) as raised:
        RetryPolicy(sleep=pauses.append).call(operation, target=TARGET)

    assert operation.calls == 4
    assert pauses == [1.0, 2.0, 4.0]
    assert raised.value.__cause__ is last
    assert str(raised.value) == (
        f"could not connect to {TARGET} after 4 attempts (retried after 1 s, 2 s, 4 s): "
        'connection to "db" failed: Connection refused, password=*** rejected'
    )
    assert len(log_events) == 3
    assert "hunter2" not in repr(log_events)


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.IntegrityError("insert", {}, psycopg2.IntegrityError("duplicate key")),
        sa_exc.DataError("insert", {}, psycopg2.DataError("bad number")),
        sa_exc.ProgrammingError("select", {}, psycopg2.ProgrammingError("no such table")),
        psycopg2.errors.UniqueViolation("duplicate key"),
        ValueError("not a database error"),
    ],
)
def test_other_errors_are_raised_at_once(error: Exception) -> None:
    pauses: list[float] = []
    operation = Flaky([error])

    with pytest.raises(type(error)):
        RetryPolicy(sleep=pauses.append).call(operation, target=TARGET)

    assert (operation.calls, pauses) == (1, [])
    assert not is_connection_failure(error)


def test_driver_and_pool_disconnects_count_as_connection_failures() -> None:
    assert is_connection_failure(psycopg2.OperationalError("server closed the connection"))
    assert is_connection_failure(sa_exc.DisconnectionError("stale"))
    assert is_connection_failure(refused())
