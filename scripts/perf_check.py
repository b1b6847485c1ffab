"""Performance regression check (`make perf-check`): a small benchmark against a committed baseline.

Usage: ``python scripts/perf_check.py [--update-baseline] [--repeats 5]``

Measured in one fresh, migrated database (dropped at the end):

- ``loader_append``: 100,000 rows (11 columns) through ``WarehouseLoader.load_dataframe`` into
  an empty table;
- ``loader_delete_insert``: the same rows again with ``delete_insert``, replacing them;
- ``pipeline_month``: one generated month (35,000 规模明细 + 2,600 收入明细 rows) through the
  annuity domains end to end (``run_domain``: read, transform, validate, load, audit).

Each is reported as a ratio to a raw psycopg2 COPY of the same rows (CSV prepared beforehand)
measured in the same run, so that the speed of the machine cancels out. The two alternate: every
repeat times the raw COPY and then the candidate, and the benchmark's ratio is the median of the
repeats' ratios, so a burst of load on a shared machine moves one repeat, not the result. The
spread of the repeats' ratios (largest minus smallest, over the median) is printed as the run's
noise. A ratio more than 20 % above ``benchmarks/baseline.json`` beyond that noise prints a
WARNING line with both numbers; within the noise, or when the machine was already busy before
the check started (more than 35 % of its CPUs in use by other work), it prints a note saying
the run cannot tell. The exit code stays 0. ``--update-baseline`` writes the measured ratios
as the new baseline.

The server is ``WDH_TEST_DATABASE_URL`` when set, otherwise an embedded PostgreSQL started in a
temporary folder (and stopped afterwards).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
from psycopg2 import sql
from sqlalchemy import Engine, text
from sqlalchemy.pool import NullPool
from work_data_hub.config import Settings
from work_data_hub.io.database import create_engine_for, masked, normalise_url, render_url
from work_data_hub.io.embedded import embedded_database_url, stop_embedded
from work_data_hub.io.loader import WarehouseLoader, arrow_csv_chunks
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.io.sample_data import generate_month
from work_data_hub.io.schema.migrate import upgrade
from work_data_hub.plugins.registry import get_registry
from work_data_hub.testing import unique_database_name
from work_data_hub.utils.logging import configure_logging

BASELINE = Path(__file__).resolve().parents[1] / "benchmarks" / "baseline.json"
TOLERANCE = 0.20
"""A ratio more than this share above its baseline is reported as a regression."""
LOADER_ROWS = 100_000
MONTH, WARM_UP_MONTH = "202411", "202410"
MONTH_ROWS = {"annuity_performance": 35_000, "annuity_income": 2_600}
PIPELINE_REPEATS = 3
"""Timed runs of the month per domain, each after a raw COPY of its rows; the median counts."""

Pairs = list[tuple[float, float]]
"""One benchmark's repeats: (seconds, raw COPY seconds) measured back to back."""
FACTS = "perf_facts"
FACTS_DDL = """
CREATE TABLE {table} (
    month date NOT NULL, business text NOT NULL, plan_code text, customer text, branch text,
    opening numeric(18,4), closing numeric(18,4), contribution numeric(18,4),
    income numeric(18,4), period_return numeric(10,6), source_row integer
)"""
FACTS_KEYS = ("month", "business")


def facts_frame(rows: int = LOADER_ROWS) -> pd.DataFrame:
    """Return ``rows`` deterministic fact rows: 12 months × 4 business lines, text and decimals."""
    rng = np.random.default_rng(20261125)
    months = pd.to_datetime([f"2024-{month:02d}-01" for month in range(1, 13)])
    opening = np.round(rng.lognormal(14, 1.4, rows), 4)
    return pd.DataFrame(
        {
            "month": months[np.arange(rows) % 12].date,
            "business": np.array(["企年受托", "企年投资", "职年受托", "职年投资"])[
                (np.arange(rows) // 12) % 4
            ],
            "plan_code": [f"P{code:04d}" for code in rng.integers(0, 2_000, rows)],
            "customer": [f"客户{number}有限公司" for number in rng.integers(0, 20_000, rows)],
            "branch": [f"G{code:02d}" for code in rng.integers(0, 46, rows)],
            "opening": opening,
            "closing": np.round(opening * rng.uniform(0.9, 1.1, rows), 4),
            "contribution": np.round(opening * rng.uniform(0, 0.05, rows), 4),
            "income": np.round(opening * rng.normal(0.004, 0.01, rows), 4),
            "period_return": np.round(rng.normal(0.004, 0.01, rows), 6),
            "source_row": np.arange(2, rows + 2),
        }
    )


def timed(action: Callable[[], object]) -> float:
    """Return the seconds ``action()`` takes."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


@contextmanager
def driver_cursor(engine: Engine) -> Iterator[tuple[Any, Any]]:
    """Yield a psycopg2 connection of ``engine`` and a cursor on it; both closed afterwards."""
    connection: Any = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            yield connection, cursor
        finally:
            cursor.close()
    finally:
        connection.close()


def raw_copy(engine: Engine, table: str, columns: list[str], data: bytes) -> float:
    """Return the seconds a bare psycopg2 ``COPY … FROM STDIN`` of ``data`` takes (committed)."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with driver_cursor(engine) as (connection, cursor):
        started = time.perf_counter()
        cursor.copy_expert(statement, io.BytesIO(data))
        connection.commit()
        return time.perf_counter() - started


def execute(engine: Engine, statement: str) -> None:
    """Run one statement outside a transaction (VACUUM needs that)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(statement)


def loader_benchmarks(engine: Engine, repeats: int) -> dict[str, Pairs]:
    """Return ``{name: [(seconds, raw COPY seconds), …]}`` for the loader, one pair a repeat.

    Each repeat times a raw COPY right before the loader's own loads, so a pair sees one machine.
    """
    frame = facts_frame()
    for table in (FACTS, f"{FACTS}_raw"):
        execute(engine, FACTS_DDL.format(table=table))
    data = b"".join(arrow_csv_chunks(frame))
    loader = WarehouseLoader(engine)

    def append() -> object:
        return loader.load_dataframe(frame, FACTS)

    def replace_all() -> object:
        return loader.load_dataframe(frame, FACTS, mode="delete_insert", keys=FACTS_KEYS)

    times: dict[str, list[float]] = {"raw": [], "append": [], "delete_insert": []}
    for _ in range(repeats):
        execute(engine, f"TRUNCATE {FACTS}, {FACTS}_raw")
        execute(engine, "CHECKPOINT")
        times["raw"].append(raw_copy(engine, f"{FACTS}_raw", list(frame.columns), data))
        times["append"].append(timed(lambda: loader.load_dataframe(frame, FACTS)))
        execute(engine, f"VACUUM ANALYZE {FACTS}")
        times["delete_insert"].append(
            timed(
                lambda: loader.load_dataframe(frame, FACTS, mode="delete_insert", keys=FACTS_KEYS)
            )
        )
    return {
        "loader_append": list(zip(times["append"], times["raw"], strict=True)),
        "loader_delete_insert": list(zip(times["delete_insert"], times["raw"], strict=True)),
    }


def copy_out(engine: Engine, table: str, execution_id: str) -> tuple[list[str], bytes]:
    """Return the columns and the CSV of the rows ``execution_id`` loaded into ``table``."""
    with driver_cursor(engine) as (_, cursor):
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            (table,),
        )
        columns = [row[0] for row in cursor.fetchall()]
        query = sql.SQL(
            "COPY (SELECT {} FROM {} WHERE wdh_execution_id = {}) TO STDOUT WITH (FORMAT csv)"
        ).format(
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.Identifier(table),
            sql.Literal(execution_id),
        )
        buffer = io.BytesIO()
        cursor.copy_expert(query, buffer)
        return columns, buffer.getvalue()


def run_month_of(engine: Engine, settings: Settings, domain: str, month: str) -> tuple[float, str]:
    """Run ``domain`` on its file for ``month``; return the seconds taken and the execution id."""
    started = time.perf_counter()
    report = run_domain(RunRequest(domain, month=month), engine=engine, settings=settings)
    seconds = time.perf_counter() - started
    if report.status != "succeeded":
        raise RuntimeError(f"{domain} {month} failed: {report.error}")
    return seconds, report.execution_id


def pipeline_benchmark(engine: Engine, settings: Settings) -> dict[str, Pairs]:
    """Return ``{"pipeline_month": [(seconds, raw COPY seconds), …]}`` summed over the domains.

    Each domain first runs a small warm-up month, so that one-off costs (imports, schema
    building) stay out of the measurement, and the month once, whose loaded rows are the raw
    COPY's data. Then ``PIPELINE_REPEATS`` times: a raw COPY of those rows, then the month
    (each run replaces the previous one's rows). Per-domain medians are printed.
    """
    registry = get_registry()
    domains = [registry.get(name) for name in MONTH_ROWS]
    generate_month(domains, settings.INBOX_DIR, WARM_UP_MONTH, rows=200, seed=1)
    generate_month(domains, settings.INBOX_DIR, MONTH, rows=MONTH_ROWS, seed=1)
    repeats: list[Pairs] = []
    for name in MONTH_ROWS:
        run_month_of(engine, settings, name, WARM_UP_MONTH)
        _, execution_id = run_month_of(engine, settings, name, MONTH)
        table = registry.get(name).definition.table
        columns, data = copy_out(engine, table, execution_id)
        execute(engine, f'CREATE TABLE "{table}_raw" (LIKE "{table}" INCLUDING DEFAULTS)')
        pairs: Pairs = []
        for _ in range(PIPELINE_REPEATS):
            execute(engine, f'TRUNCATE "{table}_raw"')
            raw = raw_copy(engine, f"{table}_raw", columns, data)
            pairs.append((run_month_of(engine, settings, name, MONTH)[0], raw))
        repeats.append(pairs)
        seconds, raw = (median([pair[i] for pair in pairs]) for i in (0, 1))
        print(f"  {name}: {MONTH_ROWS[name]:,} rows in {seconds:.2f}s (raw COPY {raw:.3f}s)")
    summed = [
        (sum(pair[0] for pair in pairs), sum(pair[1] for pair in pairs))
        for pairs in zip(*repeats, strict=True)
    ]
    return {"pipeline_month": summed}


BUSY_CPU_SHARE = 0.35
"""Other work using more than this share of all CPUs, just before the check, is a busy machine."""
BUSY_SAMPLE_S = 2.0


def machine_busy() -> str | None:
    """Say how busy the machine is before the check starts, or None when it is quiet.

    The pipeline is Python on the CPU and the raw COPY mostly the server's disk: other work on
    the machine slows the first more than the second, so their ratio rises with load alone.
    The CPU use of the whole machine is sampled for two seconds while this process waits (a
    load average would still count the test stage that has just finished).
    """
    used = psutil.cpu_percent(interval=BUSY_SAMPLE_S) / 100
    if used <= BUSY_CPU_SHARE:
        return None
    cpus = os.cpu_count() or 1
    return f"the machine was busy before the check started ({used:.0%} of {cpus} CPUs in use)"


def median(values: list[float]) -> float:
    """The middle value (the mean of the two middle ones for an even count)."""
    return float(np.median(values))


def summary(pairs: Pairs) -> tuple[float, float, float, float]:
    """Return a benchmark's median seconds, median raw COPY seconds, median ratio and noise.

    The noise is the spread of the repeats' ratios, largest minus smallest, over the median.
    """
    ratios = [seconds / raw for seconds, raw in pairs]
    ratio = median(ratios)
    noise = (max(ratios) - min(ratios)) / ratio if ratio else 0.0
    return median([s for s, _ in pairs]), median([r for _, r in pairs]), ratio, noise


@contextmanager
def server_url() -> Iterator[str]:
    """Yield the URL of the server to create the benchmark database on (see the docstring)."""
    configured = os.environ.get("WDH_TEST_DATABASE_URL", "").strip()
    if configured:
        yield render_url(normalise_url(configured))
        return
    folder = Path(tempfile.mkdtemp(prefix="wdh-perf-"))
    try:
        yield render_url(normalise_url(embedded_database_url(folder / "pg")))
    finally:
        stop_embedded(folder / "pg")
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """Create a uniquely named database on ``server``, migrate it, yield its URL, drop it."""
    name = unique_database_name("perf")
    admin = create_engine_for(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    quoted = f'"{name}"'
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
        url = render_url(normalise_url(server).set(database=name))
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        admin.dispose()


def quiet_settings(database_url: str, inbox: Path) -> Settings:
    """Settings for the benchmark: this database and inbox, warnings-only logging, no .env."""
    return Settings(
        _env_file=None,
        ENVIRONMENT="dev",
        LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        INBOX_DIR=inbox,
    )


def measure(repeats: int) -> dict[str, Pairs]:
    """Run every benchmark in a fresh database; return each one's (seconds, raw COPY) pairs."""
    configure_logging(quiet_settings("embedded", Path(".")), force=True)
    with (
        server_url() as server,
        fresh_database(server) as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = quiet_settings(url, Path(tmp))
        print(f"perf-check: database {masked(url)}", flush=True)
        engine = create_engine_for(url)
        try:
            return loader_benchmarks(engine, repeats) | pipeline_benchmark(engine, settings)
        finally:
            engine.dispose()


def compare(
    results: dict[str, Pairs], baseline: dict[str, Any] | None, busy: str | None = None
) -> list[str]:
    """Print one line per benchmark; return the WARNING and note lines about regressions.

    A median ratio more than ``TOLERANCE`` above the baseline is a regression when it is also
    beyond the run's noise and the machine was not ``busy`` (why, when it was) before the
    check started; otherwise the line says the run cannot tell.
    """
    known: dict[str, float] = (baseline or {}).get("ratios", {})
    lines = []
    header = ("benchmark", "seconds", "raw COPY", "ratio", "noise", "baseline", "change")
    print("{:<24}{:>9}{:>10}{:>8}{:>8}{:>10}{:>8}".format(*header))
    for name, pairs in results.items():
        seconds, raw, ratio, noise = summary(pairs)
        reference = known.get(name)
        change = ratio / reference - 1 if reference else 0.0
        shown = f"{reference:.2f}" if reference else "-"
        changed = f"{change:+.0%}" if reference else "-"
        print(
            f"{name:<24}{seconds:>9.3f}{raw:>10.3f}{ratio:>8.2f}{f'±{noise:.0%}':>8}"
            f"{shown:>10}{changed:>8}"
        )
        if not reference or change <= TOLERANCE:
            continue
        numbers = f"{ratio:.2f}× a raw COPY now, {reference:.2f}× in the baseline ({change:+.0%})"
        if busy is not None:
            lines.append(
                f"note: {name} is {numbers}, but {busy}: a regression cannot be told from the "
                "load; run `make perf-check` again on a quieter machine"
            )
        elif change > TOLERANCE + noise:
            lines.append(
                f"WARNING: performance regression in {name}: {numbers}, more than "
                f"{TOLERANCE:.0%} worse beyond this run's noise (±{noise:.0%})"
            )
        else:
            lines.append(
                f"note: {name} is {numbers}, but this run's noise (±{noise:.0%}) is as large: "
                "too noisy to tell; run `make perf-check` again on a quieter machine"
            )
    return lines


def baseline_document(results: dict[str, Pairs]) -> dict[str, Any]:
    """Return the baseline file's content for ``results`` (medians of the repeats)."""
    summaries = {name: summary(pairs) for name, pairs in results.items()}
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "rows": {"loader": LOADER_ROWS, **MONTH_ROWS},
        "tolerance": TOLERANCE,
        "ratios": {name: round(values[2], 3) for name, values in summaries.items()},
        "seconds": {name: round(values[0], 3) for name, values in summaries.items()},
        "raw_copy_seconds": {name: round(values[1], 4) for name, values in summaries.items()},
        "noise": {name: round(values[3], 3) for name, values in summaries.items()},
    }


def main(argv: list[str] | None = None) -> int:
    """Measure, compare with (or rewrite) the baseline, print the result; always 0 on a run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--update-baseline", action="store_true", help="rewrite the baseline file")
    parser.add_argument("--repeats", type=int, default=5, help="loader repeats (median kept)")
    parser.add_argument("--baseline", type=Path, default=BASELINE, help="baseline file")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    busy = machine_busy()
    if busy is not None:
        print(f"perf-check: {busy}")
    results = measure(options.repeats)
    baseline = json.loads(options.baseline.read_text()) if options.baseline.is_file() else None
    warnings = compare(results, baseline, busy)
    for line in warnings:
        print(line)
    regressions = [line for line in warnings if line.startswith("WARNING")]
    if options.update_baseline:
        options.baseline.parent.mkdir(parents=True, exist_ok=True)
        document = baseline_document(results)
        options.baseline.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        print(f"perf-check: baseline written to {options.baseline}")
    elif baseline is None:
        print(f"perf-check: no baseline at {options.baseline}; run with --update-baseline")
    elif not regressions:
        print(f"perf-check: no ratio more than {TOLERANCE:.0%} above the baseline beyond the noise")
    print(f"perf-check: finished in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
