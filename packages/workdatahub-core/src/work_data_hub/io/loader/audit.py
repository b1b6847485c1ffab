"""``AuditWriter``: the record of every run in ``pipeline_executions``, its quality metrics and
its rejected rows.

A run is written twice: ``start`` commits a ``running`` row at once (so a run in progress or one
that died is visible), then its outcome once, in the transaction that belongs to it:
``finish_succeeded`` inside the load's transaction (facts and audit commit together, or neither
does), ``finish_failed`` in a transaction of its own after the load rolled back. Error details
never carry a password: URLs and ``password=`` values are masked.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Connection, Engine
from sqlalchemy.dialects.postgresql import JSONB, UUID

from work_data_hub.config import get_settings
from work_data_hub.config.masking import MASK, mask_secrets
from work_data_hub.domain.pipelines.types import REJECTION_COLUMNS
from work_data_hub.io.database import masked
from work_data_hub.io.loader.retry import RetryPolicy
from work_data_hub.utils.logging import get_logger

__all__ = ["MAX_ERROR_DETAILS", "AuditError", "AuditWriter"]

logger = get_logger(__name__)

MAX_ERROR_DETAILS = 20_000
"""``error_details`` keeps at most this many characters (the start and the end of the text)."""

_NO_REASON = "no reason recorded"
_NUL_STAND_IN = "\ufffd"  # PostgreSQL text and jsonb cannot hold U+0000

_executions = sa.table(
    "pipeline_executions",
    sa.column("execution_id", UUID(as_uuid=False)),
    sa.column("domain", sa.Text),
    sa.column("pipeline_name", sa.Text),
    sa.column("status", sa.Text),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("finished_at", sa.DateTime(timezone=True)),
    sa.column("input_file", sa.Text),
    sa.column("input_checksum", sa.Text),
    sa.column("sheet", sa.Text),
    sa.column("target_table", sa.Text),
    sa.column("rows_read", sa.Integer),
    sa.column("rows_loaded", sa.Integer),
    sa.column("rows_rejected", sa.Integer),
    sa.column("dry_run", sa.Boolean),
    sa.column("error_type", sa.Text),
    sa.column("error_details", sa.Text),
    sa.column("environment", sa.Text),
    sa.column("metadata", JSONB),
    sa.column("host", sa.Text),
    sa.column("pid", sa.Integer),
    sa.column("lock_key", sa.Integer),
)
_metrics = sa.table(
    "data_quality_metrics",
    sa.column("execution_id", UUID(as_uuid=False)),
    sa.column("metric_name", sa.Text),
    sa.column("metric_value", sa.Double),
    sa.column("details", JSONB),
)
_rejections = sa.table(
    "rejected_rows",
    sa.column("execution_id", UUID(as_uuid=False)),
    sa.column("source_file", sa.Text),
    sa.column("sheet", sa.Text),
    sa.column("source_row", sa.Integer),
    sa.column("column_name", sa.Text),
    sa.column("reason", sa.Text),
    sa.column("raw_row", JSONB),
)


class AuditError(Exception):
    """The audit trail cannot be written as asked (e.g. finishing a run that never started)."""


class AuditWriter:
    """Writes ``pipeline_executions``, ``data_quality_metrics`` and ``rejected_rows``.

    Methods taking ``tx`` write in that transaction (a ``WarehouseLoader.transaction()``
    connection) when given, else in a short transaction of their own.
    """

    def __init__(self, engine: Engine, *, retry: RetryPolicy | None = None) -> None:
        self._engine = engine
        self._retry = retry or RetryPolicy()

    def start(
        self,
        execution_id: str,
        domain: str,
        *,
        pipeline_name: str | None = None,
        input_file: str | None = None,
        input_checksum: str | None = None,
        sheet: str | None = None,
        target_table: str | None = None,
        rows_read: int | None = None,
        dry_run: bool = False,
        environment: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        host: str | None = None,
        pid: int | None = None,
        lock_key: int | None = None,
    ) -> None:
        """Record the execution as ``running`` and commit at once, so it is visible while it runs.

        ``pipeline_name`` defaults to ``domain``, ``environment`` to the ``ENVIRONMENT`` setting.
        ``host`` and ``pid`` say which process runs it; ``lock_key`` names the execution lock that
        process holds while it runs (see ``work_data_hub.io.runs.liveness``).
        """
        values = {
            "execution_id": execution_id,
            "domain": _text(domain),
            "pipeline_name": _text(pipeline_name or domain),
            "status": "running",
            "input_file": _text(input_file),
            "input_checksum": _text(input_checksum),
            "sheet": _text(sheet),
            "target_table": _text(target_table),
            "rows_read": rows_read,
            "dry_run": dry_run,
            "environment": environment or get_settings(require_database=False).ENVIRONMENT,
            # SQL NULL, not the JSON value null, which would turn the finishing merge into an array.
            "metadata": _json_safe(dict(metadata)) if metadata is not None else sa.null(),
            "host": _text(host),
            "pid": pid,
            "lock_key": lock_key,
        }
        with self._transaction(None) as connection:
            connection.execute(sa.insert(_executions).values(**values))

    def finish_succeeded(
        self,
        execution_id: str,
        *,
        rows_read: int | None = None,
        rows_loaded: int | None = None,
        rows_rejected: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        tx: Connection | None = None,
    ) -> None:
        """Mark the execution ``succeeded`` with its counts; ``metadata`` is merged into the row's.

        Pass the load's ``tx`` so the audit commits with the data. Raises ``AuditError`` when the
        execution was never started (which, inside ``tx``, rolls the load back: no unaudited data).
        """
        with self._transaction(tx) as connection:
            self._finish(
                connection,
                execution_id,
                status="succeeded",
                rows_read=rows_read,
                rows_loaded=rows_loaded,
                rows_rejected=rows_rejected,
                metadata=metadata,
            )

    def finish_failed(
        self,
        execution_id: str,
        error: BaseException | str,
        *,
        rows_read: int | None = None,
        rows_rejected: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        tx: Connection | None = None,
    ) -> None:
        """Mark the execution ``failed`` with the error's type and masked details, in ``tx`` or a
        transaction of its own (never the rolled-back load's). ``rows_loaded`` becomes 0.

        An execution that was never started is logged as an error rather than raised, so that the
        original failure is what the caller sees.
        """
        try:
            with self._transaction(tx) as connection:
                self._finish(
                    connection,
                    execution_id,
                    status="failed",
                    rows_read=rows_read,
                    rows_loaded=0,
                    rows_rejected=rows_rejected,
                    metadata=metadata,
                    error_type=error if isinstance(error, str) else type(error).__name__,
                    error_details=self._error_details(error),
                )
        except AuditError as missing:
            logger.error("failed run not recorded", execution_id=execution_id, error=str(missing))

    def record_metrics(
        self,
        execution_id: str,
        metrics: Mapping[str, float | int | Decimal | None],
        *,
        details: Mapping[str, Mapping[str, Any]] | None = None,
        tx: Connection | None = None,
    ) -> int:
        """Store one ``data_quality_metrics`` row per metric (``details`` by metric name, optional).

        NaN and infinite values are stored as NULL. Returns the number of rows written.
        """
        rows = [
            {
                "execution_id": execution_id,
                "metric_name": _text(name),
                "metric_value": _metric_value(value),
                "details": _json_safe(dict(details[name])) if details and name in details else None,
            }
            for name, value in metrics.items()
        ]
        if rows:
            with self._transaction(tx) as connection:
                connection.execute(sa.insert(_metrics), rows)
        return len(rows)

    def record_rejections(
        self,
        execution_id: str,
        rejected: pd.DataFrame,
        *,
        source_file: str | None = None,
        sheet: str | None = None,
        paths: Mapping[str, str] | None = None,
        tx: Connection | None = None,
    ) -> int:
        """Store every row of ``rejected`` (columns ``REJECTION_COLUMNS``) in ``rejected_rows``.

        A rejection's file and sheet are its own ``source_file`` / ``sheet`` columns when the
        frame has them (a file name, stored as its path in ``paths``), else ``source_file`` and
        ``sheet``. The raw row is kept as JSON (values that JSON cannot hold become text).
        Returns the number of rows written.
        """
        missing = [name for name in REJECTION_COLUMNS if name not in rejected.columns]
        if missing:
            raise AuditError(f"rejected rows lack the column(s) {', '.join(missing)}")
        files = _per_row(rejected, "source_file", source_file)
        sheets = _per_row(rejected, "sheet", sheet)
        rows = [
            {
                "execution_id": execution_id,
                "source_file": _text((paths or {}).get(str(file), file) if file else None),
                "sheet": _text(row_sheet),
                "source_row": None if _missing(source_row) else int(source_row),
                "column_name": None if _missing(column) else _text(str(column)),
                "reason": _NO_REASON if _missing(reason) else _text(str(reason)),
                "raw_row": None if _missing(raw) else _json_safe(raw),
            }
            for (source_row, column, reason, raw), file, row_sheet in zip(
                rejected.loc[:, list(REJECTION_COLUMNS)].itertuples(index=False, name=None),
                files,
                sheets,
                strict=True,
            )
        ]
        if rows:
            with self._transaction(tx) as connection:
                connection.execute(sa.insert(_rejections), rows)
        return len(rows)

    def _finish(
        self,
        connection: Connection,
        execution_id: str,
        *,
        status: str,
        metadata: Mapping[str, Any] | None,
        **values: Any,
    ) -> None:
        stored = sa.func.nullif(_executions.c.metadata, sa.cast(None, JSONB))
        merged = sa.func.coalesce(stored, sa.cast({}, JSONB)).op("||")(
            sa.cast(_json_safe(dict(metadata or {})), JSONB)
        )
        result = connection.execute(
            sa.update(_executions)
            .where(_executions.c.execution_id == execution_id)
            .values(status=status, finished_at=sa.func.clock_timestamp(), metadata=merged, **values)
        )
        if result.rowcount == 0:
            raise AuditError(
                f"execution {execution_id} was never started (no pipeline_executions row)"
            )

    def _error_details(self, error: BaseException | str) -> str:
        text = error if isinstance(error, str) else _describe(error)
        password = self._engine.url.password
        if password:
            text = text.replace(str(password), MASK)
        text = mask_secrets(text).replace("\x00", _NUL_STAND_IN)
        if len(text) <= MAX_ERROR_DETAILS:
            return text
        half = MAX_ERROR_DETAILS // 2
        return f"{text[:half]}\n… ({len(text) - 2 * half} characters left out) …\n{text[-half:]}"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Open one transaction (connecting is retried) to pass as ``tx``: its writes commit
        together at the end of the block, or none do."""
        connection = self._retry.call(self._engine.connect, target=masked(self._engine.url))
        with connection, connection.begin():
            yield connection

    @contextmanager
    def _transaction(self, tx: Connection | None) -> Iterator[Connection]:
        if tx is not None:
            yield tx
            return
        with self.transaction() as connection:
            yield connection


def _describe(error: BaseException) -> str:
    """``Type: message`` of ``error`` and of each exception it was raised from."""
    parts = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return "\ncaused by: ".join(parts)


def _missing(value: Any) -> bool:
    return value is None or bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _text(value: str | None) -> str | None:
    return None if value is None else value.replace("\x00", _NUL_STAND_IN)


def _metric_value(value: float | int | Decimal | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _json_safe(value: Any) -> Any:
    """Return ``value`` as plain JSON data PostgreSQL's jsonb accepts.

    Mappings and sequences are walked; missing values and NaN become null, infinities and other
    objects (dates, decimals, timestamps) their text; NUL characters become U+FFFD.
    """
    if isinstance(value, Mapping):
        return {_text(str(key)): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if _missing(value):
        return None
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(pd.Timedelta(value).isoformat())
    return _text(str(value))


def _per_row(frame: pd.DataFrame, column: str, default: str | None) -> list[str | None]:
    """The frame's ``column`` as text per row (missing: ``default``), or ``default`` for all."""
    if column not in frame.columns:
        return [default] * len(frame)
    return [default if _missing(value) else str(value) for value in frame[column].tolist()]
