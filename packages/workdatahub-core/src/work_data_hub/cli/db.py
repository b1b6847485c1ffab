"""``workdatahub db``: migrations of the core and of every installed domain.

The database is ``DATABASE_URL``; ``DATABASE_URL=embedded`` selects the embedded PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from work_data_hub.cli.errors import EXIT_FAILED, reported_errors
from work_data_hub.cli.output import print_differences, print_error
from work_data_hub.config import get_settings
from work_data_hub.io.database import resolve_database_url
from work_data_hub.io.embedded import stop_embedded
from work_data_hub.io.schema import migrate
from work_data_hub.io.schema.autogenerate import autogenerate_revision
from work_data_hub.io.schema.drift import check_domains
from work_data_hub.io.schema.migrate import RevisionInfo

db_app = typer.Typer(
    name="db",
    help="Database migrations: the core's tree and one tree per installed domain (Alembic).",
    no_args_is_help=True,
)

console = Console()
errors = Console(stderr=True)

DRIFT_EXIT_CODE = 1
"""``db check``'s exit code when a table differs from its declaration or migrations are pending."""


@contextmanager
def _reported_errors() -> Iterator[None]:
    """Turn the errors a user can fix into one ``error:`` line and the shared exit codes
    (``cli.errors``): 4 when nothing could start, 1 when a migration failed."""
    with reported_errors(errors):
        try:
            yield
        except migrate.MigrationError as exc:
            print_error(errors, exc)
            raise typer.Exit(EXIT_FAILED) from exc


def _database_url() -> str:
    return resolve_database_url(get_settings(require_database=False), allow_embedded=False)


def _revision_line(revision: RevisionInfo, *, path: bool = False) -> str:
    """One revision as ``branch: down -> revision (head), message [file]``."""
    down = ", ".join(revision.down_revisions) or "<base>"
    head = " (head)" if revision.is_head else ""
    message = revision.message.splitlines()[0] if revision.message else ""
    where = f"  [{revision.path.name}]" if path else ""
    return f"{revision.branch}: {down} -> {revision.revision}{head}, {message}{where}"


def _print_revisions(title: str, revisions: Sequence[RevisionInfo], *, paths: bool = False) -> None:
    console.print(f"{title}:" if revisions else f"{title}: none", highlight=False)
    for revision in revisions:
        console.print(f"  {_revision_line(revision, path=paths)}", highlight=False, soft_wrap=True)


def _run_on_database(
    action: Callable[[str, str], list[RevisionInfo]], target: str, title: str
) -> None:
    """Run ``action`` and print the branches it moved; the others are listed as unchanged."""
    with _reported_errors():
        moved, unchanged = migrate.moved_by(lambda url: action(url, target), _database_url())
    _print_revisions(title, moved)
    if unchanged:
        where = ", ".join(f"{revision.branch} ({revision.revision})" for revision in unchanged)
        console.print(f"already there: {where}", highlight=False, soft_wrap=True)


@db_app.command("upgrade")
def upgrade(
    target: Annotated[
        str,
        typer.Argument(
            help="How far: 'heads' (every branch), '<branch>@head', '<branch>@+1', an id."
        ),
    ] = migrate.ALL_HEADS,
) -> None:
    """Apply pending migrations of the core and every installed domain (default: all heads)."""
    _run_on_database(migrate.upgrade, target, f"upgraded to {target}")


@db_app.command("downgrade")
def downgrade(
    target: Annotated[
        str,
        typer.Argument(help="Where to: '<branch>@-1', '<branch>@base', '-1', 'base', an id."),
    ],
) -> None:
    """Revert migrations, e.g. `db downgrade annuity_performance@-1` or `db downgrade -1`."""
    _run_on_database(migrate.downgrade, target, f"downgraded to {target}")


@db_app.command("stamp")
def stamp(
    target: Annotated[
        str, typer.Argument(help="What to record as applied: '<branch>@head', 'heads', an id.")
    ],
) -> None:
    """Record revisions as applied without running them (their tables already exist)."""
    _run_on_database(migrate.stamp, target, f"stamped {target}")


@db_app.command("current")
def current() -> None:
    """Show the revision each branch of the database is at."""
    with _reported_errors():
        applied = migrate.current(_database_url())
    _print_revisions("current revisions", applied)


@db_app.command("heads")
def heads() -> None:
    """Show the newest revision of every installed migration tree."""
    with _reported_errors():
        found = migrate.heads()
    _print_revisions("heads", found, paths=True)


@db_app.command("history")
def history() -> None:
    """List every revision of every installed migration tree, newest first within each branch."""
    with _reported_errors():
        found = migrate.history()
    _print_revisions("history", found, paths=True)


@db_app.command("revision")
def revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the revision does.")],
    branch: Annotated[
        str, typer.Option("--branch", help="The tree to add it to: 'core' or a domain name.")
    ],
    depends_on: Annotated[
        str | None,
        typer.Option("--depends-on", help="Another branch or revision to run first, e.g. 'core'."),
    ] = None,
    autogenerate: Annotated[
        bool,
        typer.Option(
            "--autogenerate",
            help="Compare the domain's declared columns with the database (at every head) and "
            "write the changes: added, dropped and retyped columns, indexes on the keys.",
        ),
    ] = False,
) -> None:
    """Write a new revision into a branch's own versions folder and print its path.

    Without --autogenerate the revision is empty. The first revision of a domain becomes that
    branch's base and carries its label.
    """
    with _reported_errors():
        if autogenerate:
            path = autogenerate_revision(_database_url(), message, branch, depends_on=depends_on)
        else:
            path = migrate.create_revision(message, branch, depends_on=depends_on)
    console.print(f"created {path}", highlight=False)


@db_app.command("check")
def check() -> None:
    """Compare every installed domain's declared columns with its table in the database.

    Exit 0 when all match; exit 1 with a table of the differences and the commands that fix
    them (also when migrations are still to apply).
    """
    with _reported_errors():
        url = _database_url()
        pending = _pending_branches(url)
        differences = check_domains(url)
    if pending:
        errors.print(
            f"migrations still to apply on {', '.join(pending)}: run `workdatahub db upgrade`",
            style="red",
            highlight=False,
        )
    if differences:
        print_differences(errors, differences)
    if pending or differences:
        raise typer.Exit(DRIFT_EXIT_CODE)
    console.print("every installed domain's table matches its declared columns", highlight=False)


def _pending_branches(url: str) -> list[str]:
    """Return the branches whose head revision the database has not applied."""
    applied = {revision.revision for revision in migrate.current(url)}
    return sorted({head.branch for head in migrate.heads() if head.revision not in applied})


@db_app.command("stop-embedded")
def stop_embedded_server() -> None:
    """Stop the embedded PostgreSQL (its data stays; the next command that needs it restarts it)."""
    with _reported_errors():
        folder = get_settings(require_database=False).embedded_postgres_dir
        stopped = stop_embedded(folder)
    console.print(
        f"stopped the embedded PostgreSQL in {folder}"
        if stopped
        else f"no embedded PostgreSQL is running in {folder}",
        highlight=False,
    )
