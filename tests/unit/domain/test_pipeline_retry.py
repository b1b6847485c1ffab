"""Which errors are transient: a whitelist by name, HTTP 429/503, never data errors."""

import importlib

import pytest
import requests
import sqlalchemy.exc
from work_data_hub.domain.pipelines import backoff_delay, http_status, is_transient

pytestmark = pytest.mark.unit

# Imported by name: psycopg2 ships no type stubs.
psycopg2 = importlib.import_module("psycopg2")


class _Response:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


class StatusError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def _http_error(status: int) -> requests.HTTPError:
    response = requests.Response()
    response.status_code = status
    return requests.HTTPError(f"HTTP {status}", response=response)


@pytest.mark.parametrize(
    "error",
    [
        psycopg2.OperationalError("could not connect to server"),
        sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("connection reset")),
        sqlalchemy.exc.DisconnectionError("gone"),
        requests.Timeout("read timed out"),
        requests.ConnectionError("refused"),
        TimeoutError("timed out"),
        ConnectionRefusedError(),
        _http_error(429),
        _http_error(503),
        StatusError(503),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transient_errors_are_retried(error: Exception) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        KeyError("x"),
        psycopg2.IntegrityError("duplicate"),
        sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate")),
        requests.exceptions.JSONDecodeError("x", "doc", 0),
        _http_error(500),
        _http_error(404),
        RuntimeError("bug"),
        FileNotFoundError("missing.xlsx"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_other_errors_are_not_retried(error: Exception) -> None:
    assert not is_transient(error)


def test_a_data_error_that_also_inherits_a_whitelisted_type_is_not_retried() -> None:
    class TimeoutValueError(TimeoutError, ValueError):
        pass

    assert not is_transient(TimeoutValueError())


def test_the_whitelist_can_be_replaced() -> None:
    class VendorBusyError(Exception):
        pass

    assert not is_transient(VendorBusyError())
    assert is_transient(VendorBusyError(), retry_on=("VendorBusyError",))
    assert is_transient(VendorBusyError(), retry_on=(f"{__name__}.VendorBusyError",))
    assert not is_transient(TimeoutError(), retry_on=())


def test_http_status_is_read_from_the_error_or_its_response() -> None:
    assert http_status(_http_error(429)) == 429
    assert http_status(StatusError(503)) == 503
    error = Exception("wrapped")
    error.response = _Response(503)  # type: ignore[attr-defined]
    assert http_status(error) == 503
    assert http_status(ValueError()) is None


def test_backoff_is_exponential() -> None:
    assert [backoff_delay(1.0, retry) for retry in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert backoff_delay(0.0, 3) == 0.0
