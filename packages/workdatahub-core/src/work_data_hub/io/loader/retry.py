"""Retrying connection failures: a few attempts with growing pauses, never data errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import psycopg2
from sqlalchemy import exc as sa_exc

from work_data_hub.config.masking import mask_secrets
from work_data_hub.io.loader.errors import DatabaseUnavailableError
from work_data_hub.utils.logging import get_logger

__all__ = ["DEFAULT_BACKOFF_S", "RetryPolicy", "is_connection_failure"]

logger = get_logger(__name__)

T = TypeVar("T")

DEFAULT_BACKOFF_S = (1.0, 2.0, 4.0)
"""Pause before each retry: three retries after 1 s, 2 s and 4 s."""

_CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.DisconnectionError,
    psycopg2.OperationalError,
)


def is_connection_failure(error: BaseException) -> bool:
    """Return True for errors that mean "could not reach the database", which are worth retrying.

    Data errors (integrity, data, programming errors) are never connection failures.
    """
    return isinstance(error, _CONNECTION_FAILURES)


@dataclass(frozen=True)
class RetryPolicy:
    """How opening a connection is retried: one attempt, then one retry after each pause.

    ``sleep`` is injectable so tests can record the pauses instead of waiting them out.
    """

    backoff_s: tuple[float, ...] = DEFAULT_BACKOFF_S
    sleep: Callable[[float], None] = time.sleep

    def call(self, operation: Callable[[], T], *, target: str) -> T:
        """Return ``operation()``, retrying it after each pause while it fails to connect.

        Any other error propagates at once. When every attempt failed, raise
        ``DatabaseUnavailableError`` naming ``target`` (a masked URL) and the last error.
        """
        attempts = len(self.backoff_s) + 1
        for attempt, pause in enumerate(self.backoff_s, start=1):
            try:
                return operation()
            except Exception as error:
                if not is_connection_failure(error):
                    raise
                logger.warning(
                    "database connection failed, retrying",
                    target=target,
                    attempt=attempt,
                    attempts=attempts,
                    retry_in_s=pause,
                    error=_reason(error),
                )
            self.sleep(pause)
        try:
            return operation()
        except Exception as error:
            if not is_connection_failure(error):
                raise
            raise DatabaseUnavailableError(
                f"could not connect to {target} after {attempts} attempts "
                f"(retried after {_seconds(self.backoff_s)}): {_reason(error)}"
            ) from error


def _reason(error: BaseException) -> str:
    """The driver's own first line of ``error`` (without SQLAlchemy's decoration), masked."""
    text = str(getattr(error, "orig", None) or error).strip()
    return mask_secrets(text.splitlines()[0]) if text else type(error).__name__


def _seconds(pauses: tuple[float, ...]) -> str:
    return ", ".join(f"{pause:g} s" for pause in pauses) or "no pause"
