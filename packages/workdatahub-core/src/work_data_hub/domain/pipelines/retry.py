"""Which step failures are transient, and how long to wait before retrying them."""

from __future__ import annotations

from collections.abc import Collection

from work_data_hub.domain.pipelines.types import DEFAULT_RETRY_ON, DEFAULT_RETRY_STATUSES

NEVER_RETRIED = ("ValueError", "KeyError", "IntegrityError", "RowValidationError")
"""Class names that mark data errors: retrying cannot fix them, whatever else the error is."""


def _class_names(error_type: type[BaseException]) -> set[str]:
    """Every name a whitelist may use for a class: ``Name``, ``module.Name``, ``package.Name``."""
    names: set[str] = set()
    for cls in error_type.__mro__:
        module = cls.__module__
        names.add(cls.__name__)
        names.add(f"{module}.{cls.__name__}")
        names.add(f"{module.partition('.')[0]}.{cls.__name__}")
    return names


def http_status(error: BaseException) -> int | None:
    """Return the HTTP status an exception carries in ``.status_code``/``.status``/``.response``."""
    for holder in (error, getattr(error, "response", None)):
        if holder is None:
            continue
        for attribute in ("status_code", "status"):
            value = getattr(holder, attribute, None)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return None


def is_transient(
    error: BaseException,
    retry_on: Collection[str] = DEFAULT_RETRY_ON,
    retry_statuses: Collection[int] = DEFAULT_RETRY_STATUSES,
) -> bool:
    """Return True when ``error`` is worth retrying: a whitelisted type or a retryable HTTP status.

    Data errors (``NEVER_RETRIED``: ``ValueError``, ``KeyError``, any ``IntegrityError``, rejected
    rows) are never transient, even when they also inherit from a whitelisted class.
    """
    short_names = {cls.__name__ for cls in type(error).__mro__}
    if short_names & set(NEVER_RETRIED):
        return False
    all_names = _class_names(type(error))
    if all_names & set(retry_on):
        return True
    return http_status(error) in set(retry_statuses)


def backoff_delay(base_s: float, retry: int) -> float:
    """Return the wait before retry number ``retry`` (1-based): ``base_s * 2 ** (retry - 1)``."""
    return float(base_s * 2 ** (retry - 1))
