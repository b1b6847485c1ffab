"""Declared against migrated: each domain's table as its columns declare it, next to the database.

The declared table is what ``create_domain_table`` builds from the domain's ``Column`` list (its
columns, the lineage columns, the index on the keys and on the execution id). Alembic's
autogenerate compares it with the database, limited to the domains' own tables, so that
``workdatahub db check``, ``workdatahub run`` and ``db revision --autogenerate`` see the same
differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.pool import NullPool

from work_data_hub.domain.columns import EXECUTION_ID_COLUMN
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.schema.tables import DEFAULT_SCHEMA, lineage_columns, sqlalchemy_columns
from work_data_hub.plugins.registry import RegisteredDomain, get_registry

NO_VALUE = "-"
TABLE_MISSING = "table missing"

COLUMN_CHANGES = frozenset(
    {
        TABLE_MISSING,
        "column missing",
        "column not declared",
        "type differs",
        "nullability differs",
    }
)
"""Differences in what a row can hold; comments and indexes change no value a load writes."""


@dataclass(frozen=True)
class Difference:
    """One way a domain's table in the database differs from its declaration."""

    domain: str
    table: str
    change: str
    name: str
    declared: str
    database: str

    @property
    def changes_columns(self) -> bool:
        """True when the difference is in the columns themselves (``COLUMN_CHANGES``)."""
        return self.change in COLUMN_CHANGES


def metadata_schema(schema: str) -> str | None:
    """Return the schema as Alembic names it: None for the default schema ``public``."""
    return None if schema == DEFAULT_SCHEMA else schema


def declared_table(domain: RegisteredDomain, metadata: sa.MetaData) -> sa.Table:
    """Add to ``metadata`` the table ``create_domain_table`` makes from the domain's columns.

    The index on the keys is unique for an ``upsert`` domain (ON CONFLICT needs it).
    """
    definition = domain.definition
    table = sa.Table(
        definition.table,
        metadata,
        *sqlalchemy_columns(domain.columns),
        *lineage_columns(source_parts=definition.source.reads_parts),
        schema=metadata_schema(definition.db_schema),
    )
    if definition.keys:
        sa.Index(
            f"ix_{definition.table}_keys",
            *(table.c[key] for key in definition.keys),
            unique=definition.write_mode == "upsert",
        )
    sa.Index(f"ix_{definition.table}_{EXECUTION_ID_COLUMN}", table.c[EXECUTION_ID_COLUMN])
    return table


def declared_metadata(domains: Sequence[RegisteredDomain]) -> sa.MetaData:
    """Return one ``MetaData`` holding the declared table of each domain."""
    metadata = sa.MetaData()
    for domain in domains:
        declared_table(domain, metadata)
    return metadata


def comparison_options(domains: Sequence[RegisteredDomain]) -> dict[str, Any]:
    """Return the Alembic options that limit a comparison to the domains' own tables.

    Used for ``MigrationContext.configure(opts=...)`` and for ``context.configure`` in
    ``env.py``: ``include_name`` keeps every other table (the core's, other domains') out.
    """
    wanted = {
        (metadata_schema(domain.definition.db_schema), domain.definition.table)
        for domain in domains
    }
    schemas = {schema for schema, _ in wanted}

    def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
        if type_ == "schema":
            return name in schemas
        if type_ == "table":
            return (parent_names.get("schema_name"), name) in wanted
        return True

    return {
        "include_name": include_name,
        "include_schemas": schemas != {None},
        "compare_type": True,
    }


def _type(value: Any, dialect: sa.Dialect) -> str:
    if value is None:
        return NO_VALUE
    return str(value.compile(dialect=dialect))


def _index(index: sa.Index) -> str:
    names = ", ".join(str(column.name) for column in index.columns)
    return f"({names}){' unique' if index.unique else ''}"


def _nullable(value: Any) -> str:
    return "NULL" if value else "NOT NULL"


def _difference(entry: tuple[Any, ...], dialect: sa.Dialect) -> tuple[str, str, str, str, str]:
    """Return ``(table, change, name, declared, database)`` for one Alembic diff entry."""
    kind = entry[0]
    if kind == "add_table":
        return entry[1].name, TABLE_MISSING, entry[1].name, "table", NO_VALUE
    if kind in ("add_column", "remove_column"):
        column = entry[3]
        shown = f"{_type(column.type, dialect)} {_nullable(column.nullable)}"
        if kind == "add_column":
            return entry[2], "column missing", column.name, shown, NO_VALUE
        return entry[2], "column not declared", column.name, NO_VALUE, shown
    if kind == "modify_type":
        declared, database = _type(entry[6], dialect), _type(entry[5], dialect)
        return entry[2], "type differs", entry[3], declared, database
    if kind == "modify_nullable":
        return entry[2], "nullability differs", entry[3], _nullable(entry[6]), _nullable(entry[5])
    if kind == "modify_comment":
        return entry[2], "comment differs", entry[3], repr(entry[6]), repr(entry[5])
    if kind in ("add_index", "remove_index"):
        index = entry[1]
        if kind == "add_index":
            return index.table.name, "index missing", index.name, _index(index), NO_VALUE
        return index.table.name, "index not declared", index.name, NO_VALUE, _index(index)
    subject = entry[1]
    table = getattr(getattr(subject, "table", None), "name", None) or getattr(subject, "name", "")
    return str(table), kind.replace("_", " "), str(getattr(subject, "name", "")), "", ""


def _flattened(diffs: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Alembic groups the column modifications of one column in a list; one entry each here."""
    flat: list[tuple[Any, ...]] = []
    for entry in diffs:
        flat.extend(entry if isinstance(entry, list) else [entry])
    return flat


def compare_domains(
    connection: Connection, domains: Sequence[RegisteredDomain]
) -> list[Difference]:
    """Return every difference between the domains' declared tables and the database.

    An empty list means each table has exactly the declared columns (name, type, nullability,
    comment) and indexes. The lineage columns are part of the declaration.
    """
    if not domains:
        return []
    by_table = {domain.definition.table: domain for domain in domains}
    context = MigrationContext.configure(connection, opts=comparison_options(domains))
    diffs = compare_metadata(context, declared_metadata(domains))
    differences = []
    for entry in _flattened(diffs):
        table, change, name, declared, database = _difference(entry, connection.dialect)
        domain = by_table.get(table)
        differences.append(
            Difference(
                domain=domain.name if domain else "",
                table=domain.qualified_table if domain else table,
                change=change,
                name=name,
                declared=declared,
                database=database,
            )
        )
    return differences


def fix_commands(domains: Sequence[str]) -> list[str]:
    """Return the commands that bring the database to the declarations of ``domains``."""
    revisions = [
        f'workdatahub db revision --autogenerate -m "<what changed>" --branch {domain}'
        for domain in sorted(set(domains))
    ]
    return [*revisions, "workdatahub db upgrade"]


def drift_message(differences: Sequence[Difference]) -> str:
    """Return one line naming what differs, then the commands that fix it."""
    domains = sorted({difference.domain for difference in differences})
    shown = "; ".join(
        f"{difference.table}: {difference.change} {difference.name}".rstrip()
        for difference in differences
    )
    fix = " then ".join(f"`{command}`" for command in fix_commands(domains))
    if all(difference.change == TABLE_MISSING for difference in differences):
        fix = (
            f"`workdatahub db upgrade` (revisions not applied yet), or when none creates it: {fix}"
        )
    return (
        f"the table of {', '.join(domains)} differs from its declared columns ({shown}). "
        f"To fix: {fix}"
    )


def check_domains(
    database: str, domains: Sequence[RegisteredDomain] | None = None
) -> list[Difference]:
    """Return the differences of ``domains`` (default: every installed one) on ``database``."""
    domains = list(get_registry().domains.values()) if domains is None else list(domains)
    engine = create_engine_for(database, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return compare_domains(connection, domains)
    finally:
        engine.dispose()
