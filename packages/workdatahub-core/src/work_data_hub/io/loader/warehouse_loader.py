"""``WarehouseLoader``: DataFrames into PostgreSQL tables, all or nothing, one transaction each."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, get_args

import pandas as pd
from pandas.api.types import is_datetime64_any_dtype
from sqlalchemy import Connection, Engine

from work_data_hub.config import Settings, get_settings
from work_data_hub.domain.columns import EXECUTION_ID_COLUMN
from work_data_hub.domain.definition import WriteMode
from work_data_hub.io.database import masked
from work_data_hub.io.loader.copy_format import FrameSerialiser, arrow_csv_chunks
from work_data_hub.io.loader.errors import ConnectionLostError, InvalidLoadRequestError
from work_data_hub.io.loader.retry import RetryPolicy
from work_data_hub.io.loader.row_writers import CopyWriter, InsertWriter, RowWriter
from work_data_hub.io.loader.table_lock import lock_table
from work_data_hub.io.loader.table_schema import (
    TableColumn,
    check_required_columns,
    fetch_table_columns,
    project_frame,
    qualified_name,
)
from work_data_hub.io.loader.write_modes import WRITE_MODES, LoadTarget
from work_data_hub.utils.logging import get_logger

__all__ = ["COPY_THRESHOLD_ROWS", "DROPPED_COLUMNS_WARNING", "LoadResult", "WarehouseLoader"]

logger = get_logger(__name__)

COPY_THRESHOLD_ROWS = 100
"""Frames with at least this many rows go through COPY; smaller ones through batched INSERTs.

Measured (docs/performance.md): below about 100 rows both paths take the same few milliseconds,
dominated by the round trips; from there COPY pulls ahead (2× at 500 rows, 10× at 5,000).
"""

DROPPED_COLUMNS_WARNING = 5
"""Dropping more columns than this is logged as a WARNING: likely a renamed or mis-read header."""

DRIVER = "psycopg2"
"""COPY and the set-based statements run on the psycopg2 cursor under the SQLAlchemy connection."""

_KEYED_MODES: frozenset[str] = frozenset({"upsert", "delete_insert"})


@dataclass(frozen=True)
class _Request:
    """What one ``load_dataframe`` call asks for, passed on whole to the load."""

    table: str
    schema: str
    mode: WriteMode
    keys: tuple[str, ...]
    execution_id: str | None
    scope: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class LoadResult:
    """What one ``load_dataframe`` call did.

    ``rows_loaded`` counts rows inserted (for ``upsert``: inserted or updated), ``rows_deleted``
    rows removed first (``replace``, ``delete_insert``); ``method`` is ``"copy"`` or ``"batched"``.
    """

    rows_loaded: int
    rows_deleted: int
    mode: WriteMode
    duration_s: float
    columns_dropped: tuple[str, ...] = ()
    method: str = "copy"


class WarehouseLoader:
    """Loads DataFrames into PostgreSQL tables: all or nothing, identifiers quoted, data never
    in SQL text.

    ``engine`` is a psycopg2 engine (``work_data_hub.io.database.create_engine_for``), owned by
    the caller. Batched INSERTs use ``batch_size`` rows (default
    ``DB_BATCH_SIZE``); frames of ``copy_threshold`` rows or more go through COPY. Opening a
    connection is retried per ``retry`` (1 s, 2 s, 4 s); nothing else is retried. A load waits
    at most ``WDH_TABLE_LOCK_WAIT_S`` for another load of the same table to finish.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        settings: Settings | None = None,
        batch_size: int | None = None,
        retry: RetryPolicy | None = None,
        serialiser: FrameSerialiser = arrow_csv_chunks,
        copy_threshold: int = COPY_THRESHOLD_ROWS,
    ) -> None:
        settings = settings or get_settings(require_database=False)
        self._engine = engine
        if self._engine.dialect.driver != DRIVER:
            raise InvalidLoadRequestError(
                f"the loader needs a PostgreSQL engine on psycopg2 (postgresql+psycopg2://…); "
                f"got {self._engine.url.drivername!r}: build it with "
                "work_data_hub.io.database.create_engine_for"
            )
        self._retry = retry or RetryPolicy()
        self._copy = CopyWriter(serialiser)
        self._insert = InsertWriter(batch_size or settings.DB_BATCH_SIZE)
        self._copy_threshold = copy_threshold
        self._lock_wait_s = settings.WDH_TABLE_LOCK_WAIT_S
        self._columns: dict[tuple[str, str], tuple[TableColumn, ...]] = {}

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine the loader draws its connections from."""
        return self._engine

    def __repr__(self) -> str:
        return f"WarehouseLoader({masked(self._engine.url)})"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Open one transaction: everything done in the block commits together or not at all.

        Yields the SQLAlchemy connection; pass it as ``tx`` to ``load_dataframe`` (and to the
        audit writer) so their writes join this transaction. An exception rolls back and is
        re-raised. A connection lost mid-transaction raises ``ConnectionLostError`` (never retried:
        the work is gone) and is discarded from the pool.
        """
        with self._connection() as connection, connection.begin():
            try:
                yield connection
            except Exception as error:
                if _discard_if_broken(connection):
                    raise ConnectionLostError(
                        f"the connection to {masked(self._engine.url)} was lost during the "
                        f"transaction ({_first_line(error)}); the server rolled back everything "
                        "in it: run the load again"
                    ) from error
                raise

    def load_dataframe(
        self,
        df: pd.DataFrame,
        table: str,
        *,
        schema: str = "public",
        mode: WriteMode = "append",
        keys: Sequence[str] = (),
        tx: Connection | None = None,
        execution_id: str | None = None,
        scope: Mapping[str, object] | None = None,
    ) -> LoadResult:
        """Write ``df`` into ``schema.table`` with ``mode``, all or nothing.

        In ``tx`` when given (it then commits with the caller's block), else in a transaction
        of its own. Loads of one table serialise on an advisory lock (``TableLockTimeout`` after
        ``WDH_TABLE_LOCK_WAIT_S``, naming the holder). Extra columns are dropped
        and logged; a missing required column raises ``MissingRequiredColumnsError`` before
        anything is written. ``execution_id`` fills ``wdh_execution_id`` when the table has it.
        ``upsert`` and ``delete_insert`` need ``keys``, every one a column of ``df``.
        ``scope`` (``{"月度": date(2024, 11, 1)}``) confines the load: a row holding another value
        raises ``InvalidLoadRequestError`` before anything is written, and ``delete_insert``
        deletes only rows holding these values.
        """
        _check_request(mode, keys)
        request = _Request(
            table, schema, mode, tuple(keys), execution_id, tuple((scope or {}).items())
        )
        if tx is None:
            with self.transaction() as own:
                return self._load(df, request, own)
        return self._load(df, request, tx)

    def _load(self, df: pd.DataFrame, request: _Request, tx: Connection) -> LoadResult:
        started = time.perf_counter()
        table, schema, mode, keys = request.table, request.schema, request.mode, request.keys
        execution_id = request.execution_id
        name = qualified_name(schema, table)
        lock_table(tx, schema, table, wait_s=self._lock_wait_s)
        cursor = _driver_connection(tx).cursor()
        try:
            columns = self._cached_columns(cursor, table, schema)
            if execution_id is not None and any(c.name == EXECUTION_ID_COLUMN for c in columns):
                df = df.assign(**{EXECUTION_ID_COLUMN: execution_id})
            frame, dropped = project_frame(df, columns)
            _log_dropped(dropped, name)
            _check_frame(frame, keys, name, mode)
            _check_scope(frame, request.scope, name)
            check_required_columns(frame, columns, name)
            target = LoadTarget(schema, table, columns, keys, request.scope)
            counts = WRITE_MODES[mode](cursor, target, frame, self._writer_for)
        finally:
            cursor.close()
        result = LoadResult(
            rows_loaded=counts.loaded,
            rows_deleted=counts.deleted,
            mode=mode,
            duration_s=round(time.perf_counter() - started, 4),
            columns_dropped=dropped,
            method=self._writer_for(len(frame)).method,
        )
        logger.info(
            "dataframe loaded",
            table=name,
            mode=mode,
            method=result.method,
            rows_loaded=result.rows_loaded,
            rows_deleted=result.rows_deleted,
            duration_s=result.duration_s,
        )
        return result

    def _writer_for(self, rows: int) -> RowWriter:
        return self._copy if rows >= self._copy_threshold else self._insert

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        connection = self._retry.call(self._engine.connect, target=masked(self._engine.url))
        try:
            yield connection
        finally:
            connection.close()

    def _cached_columns(self, cursor: Any, table: str, schema: str) -> tuple[TableColumn, ...]:
        key = (schema, table)
        if key not in self._columns:
            self._columns[key] = fetch_table_columns(cursor, schema, table)
        return self._columns[key]


def _driver_connection(connection: Connection) -> Any:
    """The psycopg2 connection under ``connection``: same session, same transaction."""
    return connection.connection.dbapi_connection


def _discard_if_broken(connection: Connection) -> bool:
    """Invalidate ``connection`` when its server session is gone, so the pool never reuses it and
    the rollback that follows does not fail on a dead socket; return whether it was gone."""
    driver = _driver_connection(connection)
    if driver is None or not driver.closed:
        return False
    connection.invalidate()
    return True


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _check_request(mode: str, keys: Sequence[str]) -> None:
    if mode not in get_args(WriteMode):
        raise InvalidLoadRequestError(
            f"unknown write mode {mode!r}; use one of {', '.join(get_args(WriteMode))}"
        )
    if mode in _KEYED_MODES and not keys:
        raise InvalidLoadRequestError(f"write mode {mode!r} needs keys: the columns rows match on")


def _check_frame(frame: pd.DataFrame, keys: tuple[str, ...], table: str, mode: str) -> None:
    if frame.shape[1] == 0:
        raise InvalidLoadRequestError(f"no column of the data exists in {table}; nothing to load")
    missing = [key for key in keys if key not in frame.columns] if mode in _KEYED_MODES else []
    if missing:
        raise InvalidLoadRequestError(
            f"{mode} into {table} matches rows on {', '.join(map(repr, keys))}, but the data has "
            f"no column {', '.join(map(repr, missing))} that the table also has"
        )


def _check_scope(frame: pd.DataFrame, scope: tuple[tuple[str, object], ...], table: str) -> None:
    for column, value in scope:
        if column not in frame.columns:
            raise InvalidLoadRequestError(
                f"the load into {table} is confined to {column} = {value}, but the data has no "
                f"column {column!r}"
            )
        values = frame[column]
        expected: Any = value
        if is_datetime64_any_dtype(values.dtype) and isinstance(value, dt.date):
            expected = pd.Timestamp(value)
        outside = int((values.isna() | values.ne(expected)).sum())
        if outside:
            raise InvalidLoadRequestError(
                f"{outside} row(s) of the load into {table} lie outside its scope "
                f"{column} = {value}; nothing was written"
            )


def _log_dropped(dropped: tuple[str, ...], table: str) -> None:
    if not dropped:
        return
    log = logger.warning if len(dropped) > DROPPED_COLUMNS_WARNING else logger.info
    log("columns not in the table were dropped", table=table, columns=list(dropped))
