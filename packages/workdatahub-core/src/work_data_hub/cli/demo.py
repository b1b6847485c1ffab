"""``workdatahub demo`` and ``workdatahub sample-data``: the platform at work, no configuration."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from work_data_hub.cli.database import command_settings
from work_data_hub.cli.output import print_report
from work_data_hub.cli.run import exit_code
from work_data_hub.io.database import create_engine_for, masked, normalise_url, render_url
from work_data_hub.io.embedded import embedded_database_url, stop_embedded
from work_data_hub.io.runs import run_month
from work_data_hub.io.sample_data import generate_month
from work_data_hub.io.schema.migrate import upgrade
from work_data_hub.plugins.registry import get_registry

DEMO_MONTH = "202411"

console = Console()


def sample_data(
    month: Annotated[
        str, typer.Option("--month", help="The month to generate (YYYYMM).")
    ] = DEMO_MONTH,
    rows: Annotated[
        int | None, typer.Option("--rows", help="Rows per sheet (default: a typical month).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Inbox folder to write into.")] = Path("inbox"),
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same files.")] = 7,
) -> None:
    """Write a deterministic sample month for every installed domain into an inbox folder."""
    paths = generate_month(list(get_registry().domains.values()), out, month, rows, seed)
    for path in paths:
        console.print(f"wrote {path}", markup=False)


def demo(
    rows: Annotated[
        int | None, typer.Option("--rows", help="Rows per sheet (default: a typical month).")
    ] = None,
    keep_running: Annotated[
        bool, typer.Option("--keep-running", help="Leave the embedded PostgreSQL running.")
    ] = False,
) -> None:
    """Start an embedded PostgreSQL, migrate it, generate a month and load every domain."""
    started = time.perf_counter()
    settings = command_settings()
    data_dir = settings.embedded_postgres_dir
    inbox = settings.WDH_DATA_DIR / "demo" / "inbox"
    registry = get_registry()
    if not registry.domains:
        console.print(
            "[red]no domain is installed[/red]: `make sync` installs the workspace packages"
        )
        raise typer.Exit(1)
    console.print(f"domains: {', '.join(registry.domains)}")
    with console.status("starting the embedded PostgreSQL…"):
        url = render_url(normalise_url(embedded_database_url(data_dir)))
    console.print(f"warehouse: embedded PostgreSQL in {data_dir} ({masked(url)})", markup=False)
    engine = create_engine_for(url)
    try:
        with console.status("applying migrations…"):
            upgrade(url)
        with console.status(f"generating sample month {DEMO_MONTH}…"):
            paths = generate_month(list(registry.domains.values()), inbox, DEMO_MONTH, rows, seed=7)
        for path in paths:
            console.print(f"sample workbook: {path}", markup=False)
        demo_settings = settings.model_copy(update={"INBOX_DIR": inbox})
        reports = run_month(DEMO_MONTH, engine=engine, registry=registry, settings=demo_settings)
        for report in reports:
            print_report(console, report)
    finally:
        engine.dispose()
        if not keep_running:
            stop_embedded(data_dir)
    console.print(f"\ndemo finished in {time.perf_counter() - started:.1f}s")
    console.print(
        f"the data stays in {data_dir}; query it with DATABASE_URL=embedded, e.g.", markup=False
    )
    console.print("  DATABASE_URL=embedded .venv/bin/workdatahub db current", markup=False)
    console.print("open the Dagster UI with `make dagster` (http://localhost:3000)")
    raise typer.Exit(exit_code(reports))
