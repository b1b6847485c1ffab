"""structlog processors that give every log line the platform's shape and hide secrets.

A JSON log line has exactly these fields, in this order::

    {"timestamp": "2025-11-09T10:30:00.000Z", "level": "INFO", "logger": "domain.pipeline",
     "message": "Pipeline step completed", "context": {"step_name": "validate_data"}}

plus ``exception`` (the formatted stack trace) and ``stack`` when there is one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from structlog.typing import EventDict, WrappedLogger

from work_data_hub.config.masking import MASK, mask_secrets

__all__ = [
    "TRACE_FIELDS",
    "add_utc_timestamp",
    "drop_formatter_attributes",
    "json_default",
    "mask_secret_values",
    "to_seed_fields",
]

TRACE_FIELDS = ("exception", "stack")

_SECRET_KEY = re.compile(
    r"^(?:.*_)?(?:password|passwd|pwd|secret|token|api_key|hmac_key)$", re.IGNORECASE
)
_JSON_SCALARS = (str, int, float, bool, type(None))


def _utc_iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def add_utc_timestamp(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Add ``timestamp`` (ISO 8601, UTC, milliseconds, ``Z``) unless one is already there.

    Records from the standard library keep the time they were created at.
    """
    if "timestamp" not in event_dict:
        record = event_dict.get("_record")
        moment = (
            datetime.fromtimestamp(record.created, UTC)
            if isinstance(record, logging.LogRecord)
            else datetime.now(UTC)
        )
        event_dict["timestamp"] = _utc_iso(moment)
    return event_dict


def drop_formatter_attributes(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Drop ``message`` and ``asctime``: attributes another handler's formatter may have set on a
    standard-library record, which would otherwise pass for ``extra`` values."""
    event_dict.pop("message", None)
    event_dict.pop("asctime", None)
    return event_dict


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, Mapping):
        return {
            key: MASK if _SECRET_KEY.match(str(key)) else _masked(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked(item) for item in value]
    if isinstance(value, _JSON_SCALARS):
        return value
    text = str(value)
    masked = mask_secrets(text)
    return value if masked == text else masked


def mask_secret_values(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Hide credentials anywhere in the event.

    URL passwords and ``password=...`` pairs are masked in every string (the message and stack
    traces included); keys that name a secret (``password``, ``db_password``, ``access_token``,
    ``client_secret``, ...) have their whole value masked.
    """
    masked: EventDict = {}
    for key, value in event_dict.items():
        if key.startswith("_"):  # structlog's own _record / _from_structlog entries
            masked[key] = value
        elif _SECRET_KEY.match(key):
            masked[key] = MASK
        else:
            masked[key] = _masked(value)
    return masked


def to_seed_fields(_: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Reshape a structlog event into ``timestamp, level, logger, message, context`` (+ traces).

    ``level`` is upper case; every key that is not one of those fields goes into ``context``.
    """
    fields = dict(event_dict)
    message = fields.pop("event", "")
    shaped: EventDict = {
        "timestamp": fields.pop("timestamp", None) or _utc_iso(datetime.now(UTC)),
        "level": str(fields.pop("level", method_name)).upper(),
        "logger": str(fields.pop("logger", "root")),
        "message": message if isinstance(message, str) else str(message),
    }
    traces = {name: fields.pop(name) for name in TRACE_FIELDS if name in fields}
    shaped["context"] = fields
    shaped.update(traces)
    return shaped


def json_default(value: object) -> str:
    """Serialise what JSON cannot (paths, dates, decimals, exceptions) as its ``str``."""
    return str(value)
