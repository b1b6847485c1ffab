"""The four write modes as set-based SQL on the cursor of one transaction.

Rows reach the database through a ``RowWriter`` (COPY or batched INSERT) picked by frame size:

- ``append``: rows go straight into the target.
- ``replace``: ``DELETE FROM target`` (not TRUNCATE: it stays transactional and MVCC-safe, so
  readers see the old rows until commit), then straight into the target.
- ``delete_insert``: the distinct key combinations of the frame go into a small temporary table;
  ``DELETE … USING`` it removes the target rows with those combinations (NULL matches NULL) and
  within the load's scope (``column = value`` pairs, such as the run's month), then the rows go
  straight into the target.
- ``upsert``: the rows go into a temporary staging table with the target's column types, then
  one ``INSERT … SELECT … ON CONFLICT (keys) DO UPDATE`` merges them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
from psycopg2 import sql

from work_data_hub.domain.definition import WriteMode
from work_data_hub.io.loader.row_writers import RowWriter
from work_data_hub.io.loader.table_schema import TableColumn

__all__ = ["WRITE_MODES", "LoadTarget", "WriteCounts"]

WriterFor = Callable[[int], RowWriter]
"""Returns the row writer to use for a given number of rows."""

# A non-NULL value of the column's own type, so that nullable keys can be compared with "=" (which
# PostgreSQL can hash-join) instead of IS NOT DISTINCT FROM (which forces a nested or merge join
# with a filter, quadratic within each group). The paired IS NULL test keeps NULL and the stand-in
# apart. Types without an entry fall back to IS NOT DISTINCT FROM.
_NULL_STAND_INS = {
    "text": "",
    "character varying": "",
    "character": "",
    "smallint": "0",
    "integer": "0",
    "bigint": "0",
    "numeric": "0",
    "real": "0",
    "double precision": "0",
    "boolean": "false",
    "date": "epoch",
    "timestamp without time zone": "epoch",
    "timestamp with time zone": "epoch",
    "uuid": "00000000-0000-0000-0000-000000000000",
}

_TARGET_ALIAS = sql.Identifier("t")
_KEYS_ALIAS = sql.Identifier("k")


@dataclass(frozen=True)
class LoadTarget:
    """The table a load writes to, its columns as the database describes them, and the keys."""

    schema: str
    table: str
    columns: tuple[TableColumn, ...]
    keys: tuple[str, ...] = ()
    scope: tuple[tuple[str, object], ...] = ()
    """``(column, value)`` pairs every row of the load holds; deletes never reach beyond them."""

    @property
    def identifier(self) -> sql.Composable:
        """``"schema"."table"``, quoted."""
        return sql.Identifier(self.schema, self.table)

    def column(self, name: str) -> TableColumn:
        """Return the table column called ``name``."""
        return next(column for column in self.columns if column.name == name)


@dataclass(frozen=True)
class WriteCounts:
    """Rows a write mode wrote into the target and rows it deleted from it."""

    loaded: int
    deleted: int


class WriteModeFunction(Protocol):
    """Writes ``frame`` into ``target`` on ``cursor`` and counts what changed."""

    def __call__(
        self, cursor: Any, target: LoadTarget, frame: pd.DataFrame, writer_for: WriterFor
    ) -> WriteCounts:
        """Run the mode's statements; any error leaves the transaction to be rolled back."""
        ...


def _columns(names: Any) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(name) for name in names)


def _temporary_table(cursor: Any, target: LoadTarget, names: Any, purpose: str) -> sql.Composable:
    """Create an empty temporary table with the target's types for ``names``; return its name."""
    name = sql.Identifier("pg_temp", f"wdh_{purpose}_{uuid.uuid4().hex[:12]}")
    cursor.execute(
        sql.SQL(
            "CREATE TEMPORARY TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA"
        ).format(name, _columns(names), target.identifier)
    )
    return name


def _write(cursor: Any, table: sql.Composable, frame: pd.DataFrame, writer_for: WriterFor) -> int:
    return writer_for(len(frame))(cursor, table, frame)


def append(
    cursor: Any, target: LoadTarget, frame: pd.DataFrame, writer_for: WriterFor
) -> WriteCounts:
    """Insert every row of ``frame`` into the target."""
    return WriteCounts(loaded=_write(cursor, target.identifier, frame, writer_for), deleted=0)


def replace(
    cursor: Any, target: LoadTarget, frame: pd.DataFrame, writer_for: WriterFor
) -> WriteCounts:
    """Delete every row of the target, then insert ``frame``: the table ends equal to the frame."""
    cursor.execute(sql.SQL("DELETE FROM {}").format(target.identifier))
    deleted = int(cursor.rowcount)
    return WriteCounts(loaded=_write(cursor, target.identifier, frame, writer_for), deleted=deleted)


def _key_match(column: TableColumn) -> sql.Composable:
    ours = sql.SQL("{}.{}").format(_TARGET_ALIAS, sql.Identifier(column.name))
    theirs = sql.SQL("{}.{}").format(_KEYS_ALIAS, sql.Identifier(column.name))
    if not column.nullable:
        return sql.SQL("{} = {}").format(ours, theirs)
    stand_in = _NULL_STAND_INS.get(column.data_type)
    if stand_in is None:
        return sql.SQL("{} IS NOT DISTINCT FROM {}").format(ours, theirs)
    return sql.SQL(
        "({ours} IS NULL) = ({theirs} IS NULL) "
        "AND COALESCE({ours}, {stand_in}) = COALESCE({theirs}, {stand_in})"
    ).format(ours=ours, theirs=theirs, stand_in=sql.Literal(stand_in))


def delete_insert(
    cursor: Any, target: LoadTarget, frame: pd.DataFrame, writer_for: WriterFor
) -> WriteCounts:
    """Delete the target rows whose key combination occurs in ``frame``, then insert ``frame``.

    Key combinations absent from the frame are left untouched; a NULL key matches a NULL key.
    Only rows within the target's scope are deleted.
    """
    key_frame = frame.loc[:, list(target.keys)].drop_duplicates()
    keys_table = _temporary_table(cursor, target, target.keys, "keys")
    _write(cursor, keys_table, key_frame, writer_for)
    # Temporary tables are never auto-analysed; without statistics the planner may loop.
    cursor.execute(sql.SQL("ANALYZE {}").format(keys_table))
    matches = sql.SQL(" AND ").join(
        [
            *(_key_match(target.column(key)) for key in target.keys),
            *(
                sql.SQL("{}.{} = {}").format(
                    _TARGET_ALIAS, sql.Identifier(column), sql.Literal(value)
                )
                for column, value in target.scope
            ),
        ]
    )
    cursor.execute(
        sql.SQL("DELETE FROM {} AS {} USING {} AS {} WHERE {}").format(
            target.identifier, _TARGET_ALIAS, keys_table, _KEYS_ALIAS, matches
        )
    )
    deleted = int(cursor.rowcount)
    cursor.execute(sql.SQL("DROP TABLE {}").format(keys_table))
    return WriteCounts(loaded=_write(cursor, target.identifier, frame, writer_for), deleted=deleted)


def upsert(
    cursor: Any, target: LoadTarget, frame: pd.DataFrame, writer_for: WriterFor
) -> WriteCounts:
    """Insert ``frame``; rows whose keys already exist get their other columns from ``frame``.

    Needs a unique index or constraint on exactly the keys (PostgreSQL's ON CONFLICT rule). Two
    rows of ``frame`` with the same keys are an error, not a silent choice of one.
    """
    names = list(frame.columns)
    staging = _temporary_table(cursor, target, names, "staging")
    _write(cursor, staging, frame, writer_for)
    updated = [name for name in names if name not in target.keys]
    on_conflict = (
        sql.SQL("DO UPDATE SET {}").format(
            sql.SQL(", ").join(
                sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(name)) for name in updated
            )
        )
        if updated
        else sql.SQL("DO NOTHING")
    )
    cursor.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) {}").format(
            target.identifier,
            _columns(names),
            _columns(names),
            staging,
            _columns(target.keys),
            on_conflict,
        )
    )
    loaded = int(cursor.rowcount)
    cursor.execute(sql.SQL("DROP TABLE {}").format(staging))
    return WriteCounts(loaded=loaded, deleted=0)


WRITE_MODES: Mapping[WriteMode, WriteModeFunction] = {
    "append": append,
    "replace": replace,
    "delete_insert": delete_insert,
    "upsert": upsert,
}
"""Each write mode's function; every one runs inside the caller's transaction."""
