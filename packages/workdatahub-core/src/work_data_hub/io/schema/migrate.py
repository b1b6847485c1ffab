"""Alembic with several bases: the core's migration tree plus one tree per installed domain plugin.

Every tree carries a branch label (``core`` or the domain name) and lives in its own folder; the
folders are collected from the plugins' ``Domain.migrations`` each time a command runs,
so installing a domain package is all it takes for ``upgrade heads`` to create its tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import coerce_resource_to_filename, to_tuple
from sqlalchemy import Connection, text
from sqlalchemy.pool import NullPool

from work_data_hub.io.database import create_engine_for, masked
from work_data_hub.plugins import MigrationSource
from work_data_hub.plugins.registry import get_registry
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)

CORE_BRANCH = "core"
SCRIPT_LOCATION = "work_data_hub.io.schema:migrations"
CORE_VERSIONS = f"{SCRIPT_LOCATION}/versions"
FILE_TEMPLATE = "%(year)d%(month).2d%(day).2d_%(hour).2d%(minute).2d_%(slug)s"
"""Revision file names: ``YYYYMMDD_HHMM_description.py`` (alembic.ini doubles each ``%``)."""

ALL_HEADS = "heads"

MIGRATION_LOCK = "workdatahub.migrations"
"""The advisory lock every migration command holds for its transaction (``hashtext`` of it)."""

Database = str | Connection
"""Where to migrate: a database URL (``embedded`` allowed) or an open connection."""


class MigrationError(RuntimeError):
    """A migration command that cannot run as asked; the message says what to do."""


class UnknownRevisionError(MigrationError):
    """``alembic_version`` records revisions that no installed migration tree provides."""


@dataclass(frozen=True)
class RevisionInfo:
    """One revision as the commands report it."""

    revision: str
    branch: str
    down_revisions: tuple[str, ...]
    message: str
    path: Path
    is_head: bool


def core_migration_source() -> MigrationSource:
    """Return the core's own migration tree (branch ``core``)."""
    return MigrationSource(branch_label=CORE_BRANCH, location=CORE_VERSIONS)


def installed_migration_sources() -> list[MigrationSource]:
    """Return the core's tree followed by the tree of every installed domain that declares one."""
    domains = get_registry().domains
    declared = [domains[name].migrations for name in sorted(domains)]
    return [core_migration_source(), *(source for source in declared if source is not None)]


def version_folder(source: MigrationSource) -> Path:
    """Return the folder of a migration source (``package:folder`` or an absolute path)."""
    return coerce_resource_to_filename(source.location).absolute()


class WorkDataHubAlembicConfig(Config):
    """An Alembic ``Config`` that sees the core's and every plugin's migration folders.

    Alembic's own ``heads``, ``history`` and ``revision`` never run ``env.py``; overriding
    ``get_version_locations_list`` is what makes them see the plugins. ``sources`` defaults to
    the installed ones; ``connection`` (in ``attributes``) is used by ``env.py`` when given.
    """

    def __init__(
        self,
        sources: Sequence[MigrationSource] | None = None,
        *,
        connection: Connection | None = None,
    ) -> None:
        super().__init__()
        self.migration_sources = list(installed_migration_sources() if sources is None else sources)
        labels = [source.branch_label for source in self.migration_sources]
        duplicated = sorted({label for label in labels if labels.count(label) > 1})
        if duplicated:
            raise MigrationError(f"two migration trees claim branch label(s) {duplicated}")
        self.set_main_option("script_location", SCRIPT_LOCATION)
        self.set_main_option("file_template", FILE_TEMPLATE.replace("%", "%%"))
        if connection is not None:
            self.attributes["connection"] = connection

    def get_version_locations_list(self) -> list[str]:
        """Return every tree's folder: core first, then the domains."""
        return [str(version_folder(source)) for source in self.migration_sources]

    def folder_of(self, branch: str) -> Path:
        """Return the folder of the tree labelled ``branch``; ``MigrationError`` when none is."""
        for source in self.migration_sources:
            if source.branch_label == branch:
                return version_folder(source)
        known = ", ".join(source.branch_label for source in self.migration_sources)
        raise MigrationError(
            f"no installed migration tree has branch label {branch!r} (installed: {known}); "
            "a domain's tree comes from its Domain.migrations"
        )


def plugin_version_locations() -> list[str]:
    """Return the folders of every installed tree, for a plain Alembic ``Config`` (``env.py``)."""
    return [str(version_folder(source)) for source in installed_migration_sources()]


def _branch_of(script: Script) -> str:
    return ",".join(sorted(script.branch_labels)) or "-"


def _info(script: Script) -> RevisionInfo:
    return RevisionInfo(
        revision=script.revision,
        branch=_branch_of(script),
        down_revisions=to_tuple(script.down_revision, default=()),
        message=(script.doc or "").strip(),
        path=Path(script.path),
        is_head=script.is_head,
    )


def check_recorded_revisions(recorded: Sequence[str], script: ScriptDirectory) -> None:
    """Raise ``UnknownRevisionError`` when ``recorded`` (the rows of ``alembic_version``) names a
    revision that no tree of ``script`` provides.

    That happens when a domain package is uninstalled (or fails to load) after its migrations
    ran; Alembic itself would only say "Can't locate revision".
    """
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = sorted(set(recorded) - known)
    if not unknown:
        return
    installed = sorted(
        {label for revision in script.walk_revisions() for label in revision.branch_labels}
    )
    revisions = ", ".join(repr(revision) for revision in unknown)
    failed = "".join(f" Failed to load: {broken.describe()}." for broken in get_registry().broken)
    raise UnknownRevisionError(
        f"alembic_version records revision {revisions}, which no installed migration tree "
        f"provides (installed branches: {', '.join(installed)}). The domain package whose "
        f"migrations created it is no longer installed or failed to load.{failed} Reinstall it "
        "to go on. To give the domain up instead, delete its row (DELETE FROM alembic_version "
        f"WHERE version_num IN ({revisions})); reinstalling it later then needs "
        "`workdatahub db stamp <domain>@head`, because its tables already exist."
    )


def lock_migrations(connection: Connection) -> None:
    """Wait for, then hold until ``connection``'s transaction ends, the migration lock.

    Two commands at once (two deploys) therefore run one after the other: the second reads
    ``alembic_version`` only after the first committed, finds the database at head and does
    nothing, instead of creating the same tables a second time.
    """
    connection.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": MIGRATION_LOCK}
    )


@contextmanager
def connected(database: Database) -> Iterator[Connection]:
    """Yield ``database`` itself when it is a connection, else one in a transaction on its URL."""
    if isinstance(database, Connection):
        yield database
        return
    engine = create_engine_for(database, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def _applied(connection: Connection, script: ScriptDirectory) -> list[RevisionInfo]:
    """Return the newest applied revision of each branch.

    ``alembic_version`` keeps only the overall heads: a branch whose head another branch
    ``depends_on`` has no row of its own, so applied revisions are followed down to the base.
    """
    recorded = MigrationContext.configure(connection).get_current_heads()
    check_recorded_revisions(recorded, script)
    applied = {
        revision.revision
        for head in recorded
        for revision in script.iterate_revisions(head, "base")
    }
    return [
        _info(revision)
        for revision in script.walk_revisions()
        if revision.revision in applied and not revision.nextrev & applied
    ]


def _apply(
    action: Callable[[Config, str], None],
    database: Database,
    target: str,
    sources: Sequence[MigrationSource] | None,
) -> list[RevisionInfo]:
    shown = masked(database) if isinstance(database, str) else "<connection>"
    logger.info("migration_command", command=action.__name__, target=target, database=shown)
    with connected(database) as connection:
        config = WorkDataHubAlembicConfig(sources, connection=connection)
        action(config, target)
        return _applied(connection, ScriptDirectory.from_config(config))


def upgrade(
    database: Database,
    target: str = ALL_HEADS,
    *,
    sources: Sequence[MigrationSource] | None = None,
) -> list[RevisionInfo]:
    """Apply migrations up to ``target`` (default: every branch's head) in one transaction.

    ``target`` is anything Alembic accepts: ``heads``, ``core@head``, ``<domain>@+1``, a
    revision id. Returns the revisions recorded afterwards, one per branch.
    """
    return _apply(command.upgrade, database, target, sources)


def downgrade(
    database: Database,
    target: str,
    *,
    sources: Sequence[MigrationSource] | None = None,
) -> list[RevisionInfo]:
    """Revert migrations down to ``target`` (``-1``, ``<domain>@-1``, ``<domain>@base``, ``base``).

    Returns the revisions recorded afterwards.
    """
    return _apply(command.downgrade, database, target, sources)


def stamp(
    database: Database,
    target: str,
    *,
    sources: Sequence[MigrationSource] | None = None,
) -> list[RevisionInfo]:
    """Record ``target`` as applied without running it (its tables already exist).

    Returns the revisions recorded afterwards.
    """
    return _apply(command.stamp, database, target, sources)


def moved_by(
    action: Callable[[str], list[RevisionInfo]], database: str
) -> tuple[list[RevisionInfo], list[RevisionInfo]]:
    """Run ``action`` (an upgrade, a downgrade) on ``database``; return the revisions it left
    recorded, split into the branches it moved and those it left where they were."""
    before = {revision.branch: revision.revision for revision in current(database)}
    after = action(database)
    moved = [revision for revision in after if before.get(revision.branch) != revision.revision]
    return moved, [revision for revision in after if revision not in moved]


def current(
    database: Database, *, sources: Sequence[MigrationSource] | None = None
) -> list[RevisionInfo]:
    """Return the revisions applied to the database (one per branch), checked against the trees."""
    script = ScriptDirectory.from_config(WorkDataHubAlembicConfig(sources))
    with connected(database) as connection:
        return _applied(connection, script)


def history(*, sources: Sequence[MigrationSource] | None = None) -> list[RevisionInfo]:
    """Return every revision of every installed tree, newest first within each branch."""
    script = ScriptDirectory.from_config(WorkDataHubAlembicConfig(sources))
    return [_info(revision) for revision in script.walk_revisions()]


def heads(*, sources: Sequence[MigrationSource] | None = None) -> list[RevisionInfo]:
    """Return the head revision(s) of every installed tree."""
    script = ScriptDirectory.from_config(WorkDataHubAlembicConfig(sources))
    return [_info(script.get_revision(head)) for head in script.get_heads()]


def create_revision(
    message: str,
    branch: str,
    *,
    depends_on: str | None = None,
    sources: Sequence[MigrationSource] | None = None,
) -> Path:
    """Write a new empty revision on ``branch`` in that branch's own folder; return its path.

    The first revision of a branch becomes its base and carries the branch label; later ones
    follow the branch's head. ``depends_on`` (e.g. ``core``) orders it after another branch.
    """
    config = WorkDataHubAlembicConfig(sources)
    folder = config.folder_of(branch)
    script = ScriptDirectory.from_config(config)
    existing = {label for revision in script.walk_revisions() for label in revision.branch_labels}
    is_new_branch = branch not in existing
    created = command.revision(
        config,
        message=message,
        head="base" if is_new_branch else f"{branch}@head",
        branch_label=branch if is_new_branch else None,
        version_path=str(folder),
        depends_on=depends_on,
    )
    if not isinstance(created, Script):
        raise MigrationError(f"alembic created no single revision for {message!r}")
    logger.info("migration_revision_created", branch=branch, path=created.path)
    return Path(created.path)
