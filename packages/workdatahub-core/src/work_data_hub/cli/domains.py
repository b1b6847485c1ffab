"""``workdatahub domains``: which domains are installed, and which plugins failed to load."""

from __future__ import annotations

import contextlib
import json
import sys

import typer
from rich.console import Console
from rich.table import Table

from work_data_hub.cli.exit_codes import EXIT_NOT_STARTED
from work_data_hub.plugins.errors import PluginLoadError
from work_data_hub.plugins.manager import ENTRY_POINT_GROUP
from work_data_hub.plugins.registry import DomainRegistry, load_domains

domains_app = typer.Typer(
    name="domains",
    help="Inspect the installed domain plugins.",
    no_args_is_help=True,
)

DomainListing = dict[str, list[dict[str, str]]]


def domain_listing(registry: DomainRegistry) -> DomainListing:
    """Return the stable ``domains list --json`` shape: ``{"domains": [...], "broken": [...]}``."""
    return {
        "domains": [
            {
                "name": domain.name,
                "distribution": domain.origin.distribution,
                "version": domain.origin.version,
                "table": domain.qualified_table,
                "write_mode": domain.definition.write_mode,
            }
            for domain in registry.domains.values()
        ],
        "broken": [
            {
                "distribution": broken.distribution,
                "entry_point": broken.entry_point,
                "error": broken.error,
            }
            for broken in registry.broken
        ],
    }


@domains_app.command("list")
def list_domains(
    as_json: bool = typer.Option(
        False, "--json", help="Print the documented JSON shape instead of tables."
    ),
) -> None:
    """List installed domains (distribution, version, target table, write mode) and broken plugins.

    Exits 0 even when a plugin is broken; with WDH_STRICT_PLUGINS=1 it exits 4 instead (nothing
    could start, as for every command).
    """
    try:
        # Log lines go to stdout by default; keep stdout for the listing alone.
        with contextlib.redirect_stdout(sys.stderr):
            registry = load_domains()
    except PluginLoadError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=EXIT_NOT_STARTED) from exc
    listing = domain_listing(registry)
    if as_json:
        typer.echo(json.dumps(listing, ensure_ascii=False, indent=2))
    else:
        _print_tables(listing)


def _print_tables(listing: DomainListing) -> None:
    console = Console()
    if listing["domains"]:
        domains = Table(title="Domains")
        for heading in ("Domain", "Distribution", "Version", "Table", "Write mode"):
            domains.add_column(heading, overflow="fold")
        for domain in listing["domains"]:
            domains.add_row(
                domain["name"],
                domain["distribution"],
                domain["version"],
                domain["table"],
                domain["write_mode"],
            )
        console.print(domains)
    else:
        console.print(f"No domains installed (entry-point group {ENTRY_POINT_GROUP!r}).")
    if listing["broken"]:
        broken = Table(title="Broken plugins", expand=True)
        broken.add_column("Distribution", overflow="fold", ratio=1)
        broken.add_column("Entry point", overflow="fold", ratio=1)
        broken.add_column("Error", overflow="fold", ratio=3)
        for plugin in listing["broken"]:
            broken.add_row(plugin["distribution"], plugin["entry_point"], plugin["error"])
        console.print(broken)
