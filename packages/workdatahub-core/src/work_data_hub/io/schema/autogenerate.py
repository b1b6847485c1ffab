"""``db revision --autogenerate``: a domain's declared columns against its migrated table, as a
frozen revision in the domain's own version folder.

The revision is rendered by Alembic from the comparison in ``drift``: added and dropped columns as
``op.add_column``/``op.drop_column`` with literal ``sa.Column`` definitions, retyped columns as
``op.alter_column`` with a ``USING`` cast (PostgreSQL needs one between e.g. TEXT and NUMERIC),
indexes on the keys. Nothing in the file refers to the domain's declarations, so a later change
of them never changes what this revision does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import render, renderers
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.dialects import postgresql

from work_data_hub.io.schema.drift import comparison_options, declared_metadata
from work_data_hub.io.schema.migrate import (
    CORE_BRANCH,
    Database,
    MigrationError,
    WorkDataHubAlembicConfig,
    connected,
)
from work_data_hub.plugins import MigrationSource
from work_data_hub.plugins.registry import get_registry
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)

AUTOGENERATE_ATTRIBUTE = "autogenerate"
"""``config.attributes`` key: the ``context.configure`` options ``env.py`` adds for a comparison."""


class NothingToGenerateError(MigrationError):
    """The domain's table already matches its declaration: no revision was written."""


class RetypeColumnOp(ops.AlterColumnOp):
    """An ``alter_column`` that changes the type, rendered with ``postgresql_using``."""


def using_cast(column: str, type_: Any) -> str:
    """Return the ``USING`` expression that casts ``column``'s values to ``type_``."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return f"{dialect.identifier_preparer.quote(column)}::{type_.compile(dialect=dialect)}"


@renderers.dispatch_for(RetypeColumnOp)
def _render_retype(autogen_context: AutogenContext, op: RetypeColumnOp) -> str:
    rendered = render._alter_column(autogen_context, op)
    using = using_cast(op.column_name, op.modify_type)
    return f"{rendered[:-1]},\n{' ' * 11}postgresql_using={using!r})"


def _retyped(op: ops.MigrateOperation) -> ops.MigrateOperation:
    if not isinstance(op, ops.AlterColumnOp) or op.modify_type is None:
        return op
    return RetypeColumnOp(
        op.table_name,
        op.column_name,
        schema=op.schema,
        existing_type=op.existing_type,
        existing_server_default=op.existing_server_default,
        existing_nullable=op.existing_nullable,
        existing_comment=op.existing_comment,
        modify_nullable=op.modify_nullable,
        modify_comment=op.modify_comment,
        modify_server_default=op.modify_server_default,
        modify_name=op.modify_name,
        modify_type=op.modify_type,
        **op.kw,
    )


def _with_casts(container: ops.OpContainer) -> None:
    for table_ops in container.ops:
        if isinstance(table_ops, ops.ModifyTableOps):
            table_ops.ops = [_retyped(op) for op in table_ops.ops]


def _with_schemas(container: ops.OpContainer) -> None:
    """Create the schema of a new table first when it is not the default one."""
    schemas = sorted(
        {op.schema for op in container.ops if isinstance(op, ops.CreateTableOp) and op.schema}
    )
    quote = postgresql.dialect().identifier_preparer.quote  # type: ignore[no-untyped-call]
    created = [ops.ExecuteSQLOp(f"CREATE SCHEMA IF NOT EXISTS {quote(name)}") for name in schemas]
    container.ops[:0] = created


def _finish(_context: Any, _revision: Any, directives: list[Any]) -> None:
    """Drop an empty revision; give every type change its ``USING`` cast, both ways, and a new
    table in another schema its ``CREATE SCHEMA``."""
    script = directives[0]
    if script.upgrade_ops.is_empty():
        directives.clear()
        return
    _with_casts(script.upgrade_ops)
    _with_casts(script.downgrade_ops)
    _with_schemas(script.upgrade_ops)


def autogenerate_revision(
    database: Database,
    message: str,
    branch: str,
    *,
    depends_on: str | None = None,
    sources: Sequence[MigrationSource] | None = None,
) -> Path:
    """Write the revision that brings ``branch``'s table to the domain's declared columns.

    The database must be at every head (``workdatahub db upgrade`` first). The revision goes
    into the domain's own folder, after the branch's head (a first revision becomes the branch's
    base, after the core unless ``depends_on`` names another revision). Raises
    ``NothingToGenerateError`` when nothing differs.
    """
    if branch == CORE_BRANCH:
        raise MigrationError(
            "the core's revisions are written by hand: --autogenerate is for domains"
        )
    domain = get_registry().get(branch)
    with connected(database) as connection:
        config = WorkDataHubAlembicConfig(sources, connection=connection)
        folder = config.folder_of(branch)
        config.attributes[AUTOGENERATE_ATTRIBUTE] = {
            **comparison_options([domain]),
            "target_metadata": declared_metadata([domain]),
            "process_revision_directives": _finish,
        }
        script = ScriptDirectory.from_config(config)
        labels = {label for revision in script.walk_revisions() for label in revision.branch_labels}
        is_new_branch = branch not in labels
        try:
            created = command.revision(
                config,
                message=message,
                autogenerate=True,
                head="base" if is_new_branch else f"{branch}@head",
                branch_label=branch if is_new_branch else None,
                version_path=str(folder),
                depends_on=depends_on or (CORE_BRANCH if is_new_branch else None),
            )
        except CommandError as error:
            if "not up to date" in str(error):
                raise MigrationError(
                    "the database has migrations still to apply: run `workdatahub db upgrade` "
                    "first, then generate the revision"
                ) from error
            raise
    if created == []:
        raise NothingToGenerateError(
            f"the table of {branch} already matches its declared columns: no revision written"
        )
    if not isinstance(created, Script):
        raise MigrationError(f"alembic created no single revision for {message!r}")
    logger.info("migration_revision_autogenerated", branch=branch, path=created.path)
    return Path(created.path)
