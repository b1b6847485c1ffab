"""Benchmark the warehouse loader against raw COPY and DataFrame.to_sql, in one run.

    python scripts/bench_load.py [--rows 1000000] [--dsn URL] [--repeat 1] [--crossover]

One frame of ``--rows`` rows × 11 columns (a date, 3 text, 1 integer, 6 numeric, like a month of
annuity data) is loaded by every write mode into an empty table with the same definition as the
one raw psycopg2 COPY of a pre-built CSV and ``DataFrame.to_sql`` load into, so machine noise
largely cancels out of the ratios. Each mode's rerun over the same rows already in the table is
measured too. Every measurement is the best of ``--repeat`` runs; peak RSS is the process's
largest resident size while the step ran (the frame itself included). ``--crossover`` also times
small frames through batched INSERTs and through COPY. The last line printed is one JSON object.

Without ``--dsn`` the embedded PostgreSQL (``.workdatahub/pg``) is used, else
``WDH_TEST_DATABASE_URL``. Tables live in a schema of their own, dropped at the end.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import psutil
from sqlalchemy import Engine
from sqlalchemy.pool import NullPool
from work_data_hub.domain.definition import WriteMode
from work_data_hub.io.database import create_engine_for, masked
from work_data_hub.io.loader import WarehouseLoader
from work_data_hub.io.loader.copy_format import arrow_csv_chunks
from work_data_hub.utils.logging import configure_logging

MODES: tuple[WriteMode, ...] = ("append", "delete_insert", "upsert", "replace")
RERUN_MODES: tuple[WriteMode, ...] = ("delete_insert", "upsert", "replace")
KEYS: dict[WriteMode, tuple[str, ...]] = {
    "append": (),
    "delete_insert": ("month", "business_type"),
    "upsert": ("row_id",),
    "replace": (),
}
TABLE_DDL = """
CREATE TABLE {table} (
    month date NOT NULL,
    plan_code text NOT NULL,
    business_type text NOT NULL,
    customer_name text,
    row_id bigint PRIMARY KEY,
    opening_assets numeric(18, 4),
    closing_assets numeric(18, 4),
    contributions numeric(18, 4),
    outflow numeric(18, 4),
    benefits numeric(18, 4),
    investment_income numeric(18, 4)
)
"""
CROSSOVER_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000)
CROSSOVER_RUNS = 15
BUSINESS_TYPES = ["企年受托", "企年投资", "职年受托", "职年投资"]


def build_frame(rows: int, seed: int = 20261125) -> pd.DataFrame:
    """Return ``rows`` synthetic rows shaped like a year of annuity detail data."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2025-01-01", periods=12, freq="MS")
    amounts = {
        name: np.round(rng.lognormal(13, 2, rows), 4)
        for name in (
            "opening_assets",
            "closing_assets",
            "contributions",
            "outflow",
            "benefits",
            "investment_income",
        )
    }
    amounts["outflow"][rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "month": months[rng.integers(0, len(months), rows)],
            "plan_code": pd.array([f"P{n:04d}" for n in rng.integers(0, 900, rows)], dtype="str"),
            "business_type": pd.array(rng.choice(BUSINESS_TYPES, rows), dtype="str"),
            "customer_name": pd.array(
                [f"客户{n}有限公司" for n in rng.integers(0, 40_000, rows)], dtype="str"
            ),
            "row_id": np.arange(rows, dtype="int64"),
            **amounts,
        }
    )


class PeakRss:
    """Samples this process's resident memory every 5 ms while active; keeps the largest."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._stop = threading.Event()
        self.peak_bytes = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak_bytes = max(self.peak_bytes, self._process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self._process.memory_info().rss)

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20


@dataclass
class Measurement:
    seconds: float
    peak_rss_mb: float


def measure(step: Callable[[], object]) -> Measurement:
    """Run ``step`` once and return its wall time and the peak RSS while it ran."""
    with PeakRss() as rss:
        started = time.perf_counter()
        step()
        seconds = time.perf_counter() - started
    return Measurement(seconds, rss.peak_mb)


def best(runs: list[Measurement]) -> Measurement:
    fastest = min(runs, key=lambda run: run.seconds)
    return Measurement(fastest.seconds, max(run.peak_rss_mb for run in runs))


class Warehouse:
    """The benchmark's own schema in the target database, and raw access to it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.schema = f"wdh_bench_{os.getpid()}"
        self.run(f'CREATE SCHEMA "{self.schema}"')

    def run(self, statement: str, *, autocommit: bool = False) -> None:
        raw = self.engine.raw_connection()
        try:
            raw.driver_connection.autocommit = autocommit  # type: ignore[union-attr]
            cursor = raw.cursor()
            cursor.execute(statement)
            cursor.close()
            if not autocommit:
                raw.commit()
        finally:
            raw.close()

    def fresh_table(self, name: str, prefill: bytes | None = None) -> str:
        """(Re)create ``name`` empty, or holding the rows of the CSV ``prefill``; return it."""
        table = f'"{self.schema}"."{name}"'
        self.run(f"DROP TABLE IF EXISTS {table}")
        self.run(TABLE_DDL.format(table=table))
        if prefill is not None:
            self.copy(name, prefill)
        self.run(f"VACUUM ANALYZE {table}", autocommit=True)
        self.run("CHECKPOINT", autocommit=True)
        return name

    def copy(self, name: str, csv: bytes) -> None:
        """Raw psycopg2 COPY of ``csv`` into ``name``, committed."""
        raw = self.engine.raw_connection()
        try:
            cursor: Any = raw.cursor()
            cursor.copy_expert(
                f'COPY "{self.schema}"."{name}" FROM STDIN WITH (FORMAT csv)',
                io.BytesIO(csv),
                size=1 << 20,
            )
            cursor.close()
            raw.commit()
        finally:
            raw.close()

    def drop(self) -> None:
        self.run(f'DROP SCHEMA "{self.schema}" CASCADE')


def rows_per_s(rows: int, measurement: Measurement) -> float:
    return rows / measurement.seconds


def load_step(
    loader: WarehouseLoader, frame: pd.DataFrame, schema: str, mode: WriteMode
) -> Callable[[str], object]:
    """A step loading ``frame`` into the table it is given, with ``mode``."""

    def step(table: str) -> object:
        return loader.load_dataframe(frame, table, schema=schema, mode=mode, keys=KEYS[mode])

    return step


def bench_bulk(
    warehouse: Warehouse, frame: pd.DataFrame, csv: bytes, repeat: int
) -> dict[str, Any]:
    loader = WarehouseLoader(warehouse.engine)
    rows = len(frame)
    runs: dict[str, list[Measurement]] = {}

    def record(label: str, prepare: Callable[[], str], step: Callable[[str], object]) -> None:
        table = prepare()
        runs.setdefault(label, []).append(measure(lambda: step(table)))

    for _ in range(repeat):
        record("copy", lambda: warehouse.fresh_table("copy"), lambda t: warehouse.copy(t, csv))
        for mode in MODES:
            record(
                mode,
                functools.partial(warehouse.fresh_table, mode),
                load_step(loader, frame, warehouse.schema, mode),
            )
        for mode in RERUN_MODES:
            record(
                f"{mode} rerun",
                functools.partial(warehouse.fresh_table, mode, prefill=csv),
                load_step(loader, frame, warehouse.schema, mode),
            )
    record(
        "to_sql",
        lambda: warehouse.fresh_table("to_sql"),
        lambda t: frame.to_sql(
            t, warehouse.engine, schema=warehouse.schema, if_exists="append", index=False
        ),
    )
    results = {label: best(measurements) for label, measurements in runs.items()}
    copy_rate = rows_per_s(rows, results["copy"])

    def summary(label: str) -> dict[str, float]:
        rate = rows_per_s(rows, results[label])
        return {
            "rows_per_s": round(rate),
            "ratio_to_copy": round(rate / copy_rate, 3),
            "peak_rss_mb": round(results[label].peak_rss_mb, 1),
        }

    print(f"{'step':<22}{'seconds':>9}{'rows/s':>12}{'× COPY':>9}{'peak RSS MB':>13}")
    for label in results:
        line = summary(label)
        print(
            f"{label:<22}{results[label].seconds:>9.2f}{line['rows_per_s']:>12,}"
            f"{line['ratio_to_copy']:>9.3f}{line['peak_rss_mb']:>13.0f}"
        )
    return {
        "copy_rows_per_s": round(copy_rate),
        "to_sql_rows_per_s": summary("to_sql")["rows_per_s"],
        "modes": {mode: summary(mode) for mode in MODES},
        "rerun_modes": {mode: summary(f"{mode} rerun") for mode in RERUN_MODES},
    }


def bench_serialisation(frame: pd.DataFrame, repeat: int) -> dict[str, float]:
    """Seconds to turn the frame into COPY input: pyarrow's CSV writer against pandas' to_csv."""
    arrow = best([measure(lambda: b"".join(arrow_csv_chunks(frame))) for _ in range(repeat)])
    pandas = best(
        [
            measure(lambda: frame.to_csv(index=False, header=False, na_rep="\\N"))
            for _ in range(repeat)
        ]
    )
    print(f"serialise: pyarrow csv {arrow.seconds:.2f} s, DataFrame.to_csv {pandas.seconds:.2f} s")
    return {"pyarrow_csv_s": round(arrow.seconds, 3), "pandas_to_csv_s": round(pandas.seconds, 3)}


def bench_crossover(warehouse: Warehouse, frame: pd.DataFrame) -> list[dict[str, float]]:
    """Milliseconds per append of small frames, batched INSERTs against COPY (best of 15)."""
    loaders = {
        "batched_ms": WarehouseLoader(warehouse.engine, copy_threshold=10**12),
        "copy_ms": WarehouseLoader(warehouse.engine, copy_threshold=0),
    }
    table = warehouse.fresh_table("crossover")
    results = []
    print(f"{'rows':>7}{'batched ms':>12}{'copy ms':>10}")
    for size in CROSSOVER_SIZES:
        line: dict[str, float] = {"rows": size}
        for label, loader in loaders.items():
            append = functools.partial(
                load_step(loader, frame.head(size), warehouse.schema, "append"), table
            )
            timings = []
            for _ in range(CROSSOVER_RUNS):
                warehouse.run(f'TRUNCATE "{warehouse.schema}"."{table}"')
                timings.append(measure(append).seconds)
            line[label] = round(min(timings) * 1000, 2)
        print(f"{size:>7}{line['batched_ms']:>12.2f}{line['copy_ms']:>10.2f}")
        results.append(line)
    return results


def default_dsn() -> str:
    try:
        from work_data_hub.io.embedded import embedded_database_url
    except ImportError:
        return os.environ["WDH_TEST_DATABASE_URL"]
    return embedded_database_url()


@contextmanager
def warehouse_at(dsn: str) -> Iterator[Warehouse]:
    engine = create_engine_for(dsn, poolclass=NullPool)
    warehouse = Warehouse(engine)
    try:
        yield warehouse
    finally:
        warehouse.drop()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to load (1,000,000)")
    parser.add_argument("--dsn", help="PostgreSQL URL (default: the embedded server)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per step; the best counts")
    parser.add_argument("--crossover", action="store_true", help="also time small frames")
    options = parser.parse_args()

    configure_logging(output="stderr")
    logging.getLogger("work_data_hub").setLevel(logging.WARNING)
    dsn = options.dsn or default_dsn()
    frame = build_frame(options.rows)
    csv = b"".join(arrow_csv_chunks(frame))
    print(f"{options.rows:,} rows × {frame.shape[1]} columns into {masked(dsn)}")
    with warehouse_at(dsn) as warehouse:
        report: dict[str, Any] = {"rows": options.rows}
        report |= bench_bulk(warehouse, frame, csv, options.repeat)
        report["serialisation"] = bench_serialisation(frame, options.repeat)
        if options.crossover:
            report["crossover"] = bench_crossover(warehouse, frame)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
