"""Time the whole pipeline on generated months: read, validate+transform and load, per stage.

For each size (``--sizes``, default ``--rows`` and ten times as many 规模明细 rows; 收入明细 gets
``rows × 2600 / 35000``) the script generates a sample month with ``generate_month``, then in a
fresh process runs both annuity domains on that workbook through the stages ``run_domain`` runs
(``Run.start``: locate, checksum, audit row; ``Run.read``; ``Run.transform``: steps,
enrichment, schema validation; ``Run.load``: COPY, audit rows, commit), ``--repeat`` times,
keeping the fastest repetition, with wall and CPU seconds per stage. A second fresh process runs
the naive baseline on the same file: ``pandas.read_excel(engine="openpyxl")`` per sheet and
``DataFrame.to_sql`` into a new table of the sheet's columns (no cleansing, validation,
enrichment or audit). Peak memory is the peak resident set size of the pipeline's process after
its first repetition (one run in a fresh process, imports included; the peak over all
repetitions is reported too).

``--million`` adds a memory run of 1,000,000 规模明细 rows through the annuity_performance domain,
from a CSV variant of the sheet by default (``--million-format xlsx`` for a workbook; generating
a million-row workbook takes minutes).

Everything runs in a new database (``wdh_bench_<pid>_<random>``) created, migrated and dropped on
the server of ``--dsn`` (default: ``DATABASE_URL`` if set, else the embedded PostgreSQL).

Usage: ``.venv/bin/python scripts/bench_pipeline.py [--rows 35000] [--sizes 35000,350000]
[--dsn URL] [--repeat 3] [--no-naive] [--million [--million-format xlsx]] [--peers
[--rounds 3]]``. ``--peers`` adds ``bench_peers.py``'s side-by-side run (WorkDataHub, dlt with
python-calamine, pandas with calamine and with openpyxl; whole process and in-process rows/s
and ratios, alternating rounds) on a 规模明细 month of ``--rows`` rows. The last line
printed is one JSON object: per size ``rows``, ``rows_per_s`` (end to end), ``stage_rows_per_s``
(prepare, read, transform, load), ``stage_cpu_s``, ``peak_rss_mb``, ``ratio_to_naive`` and
``ratio_to_legacy``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LEGACY_ROWS_PER_S = 1_900
"""The system this replaces: about 17.5 s for 33,615 rows of one month, end to end."""
INCOME_SHARE = 2_600 / 35_000
"""收入明细 rows per 规模明细 row in a real month."""
MONTH = "202411"
PERFORMANCE = "annuity_performance"
INCOME = "annuity_income"
STAGES = ("prepare", "read", "transform", "load")


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _quiet_logging() -> None:
    from work_data_hub.config import get_settings
    from work_data_hub.utils.logging import configure_logging

    settings = get_settings(require_database=False).model_copy(update={"LOG_LEVEL": "WARNING"})
    configure_logging(settings, force=True, output="stderr")


def _income_rows(rows: int) -> int:
    return round(rows * INCOME_SHARE)


def worker_generate(options: dict[str, Any]) -> dict[str, Any]:
    """Write the sample month (or, with ``csv``, the 规模明细 sheet as CSV); return its path."""
    from work_data_hub.io.sample_data import generate_month, write_csv
    from work_data_hub.plugins.registry import get_registry

    registry = get_registry()
    rows, folder, seed = options["rows"], Path(options["folder"]), options["seed"]
    started = time.perf_counter()
    if options["format"] == "csv":
        sheet = registry.get(PERFORMANCE).sample(MONTH, rows, seed)
        assert sheet is not None
        path = write_csv(folder / f"{PERFORMANCE}_{rows}.csv", sheet)
    elif options["performance_only"]:
        domains = [registry.get(PERFORMANCE)]
        path = generate_month(domains, folder, MONTH, rows, seed)[0]
    else:
        counts = {PERFORMANCE: rows, INCOME: _income_rows(rows)}
        path = generate_month(list(registry.domains.values()), folder, MONTH, counts, seed)[0]
    return {"file": str(path), "seconds": time.perf_counter() - started}


class _StageClock:
    """Wall and CPU seconds per stage, summed over the domains of one repetition."""

    def __init__(self) -> None:
        self.wall = dict.fromkeys(STAGES, 0.0)
        self.cpu = dict.fromkeys(STAGES, 0.0)
        self._marks = (time.perf_counter(), time.process_time())

    def lap(self, stage: str) -> None:
        """Charge the time since the previous lap to ``stage``."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[stage] += wall - self._marks[0]
        self.cpu[stage] += cpu - self._marks[1]
        self._marks = (wall, cpu)


def _run_domain(
    domain: str, path: Path, clock: _StageClock, engine: Any, registry: Any, settings: Any
) -> Any:
    """What ``run_domain`` does, stage by stage on ``clock``; a CSV file is read as CSV."""
    from dataclasses import replace

    from work_data_hub.domain.readers import SourcePart
    from work_data_hub.io.readers.csv import CsvReader
    from work_data_hub.io.runs import Run, RunRequest

    run = Run.start(
        RunRequest(domain, file=path), engine=engine, registry=registry, settings=settings
    )
    clock.lap("prepare")
    try:
        if path.suffix == ".csv":
            raw = CsvReader().read(path, run.domain.definition.source)
            run.state = replace(run.state, raw=(raw,), parts=(SourcePart(path),))
            del raw  # the run lets go of the rows it read as the transform replaces them
        else:
            run.read()
        clock.lap("read")
        run.transform()
        clock.lap("transform")
        report = run.load()
        clock.lap("load")
    except Exception as error:
        run.fail(error)
        raise
    return report


def worker_pipeline(options: dict[str, Any]) -> dict[str, Any]:
    """Run the domains end to end ``repeat`` times; return the fastest repetition's timings.

    Peak memory is taken after the first repetition, which is what one CLI run in a fresh
    process uses; the peak over every repetition is reported too.
    """
    from work_data_hub.config import get_settings
    from work_data_hub.io.database import create_engine_for
    from work_data_hub.plugins.registry import get_registry

    registry, settings = get_registry(), get_settings(require_database=False)
    engine = create_engine_for(options["url"])
    path = Path(options["file"])
    best: dict[str, Any] | None = None
    first_run_peak = 0.0
    try:
        for repetition in range(options["repeat"]):
            clock = _StageClock()
            rows = 0
            for domain in options["domains"]:
                rows += _run_domain(domain, path, clock, engine, registry, settings).rows_read
            seconds = sum(clock.wall.values())
            if repetition == 0:
                first_run_peak = _peak_rss_mb()
            if best is None or seconds < best["seconds"]:
                best = {
                    "rows": rows,
                    "seconds": seconds,
                    "cpu_s": sum(clock.cpu.values()),
                    "stages": clock.wall,
                    "stage_cpu_s": clock.cpu,
                }
    finally:
        engine.dispose()
    assert best is not None
    return best | {"peak_rss_mb": first_run_peak, "peak_rss_mb_all_runs": _peak_rss_mb()}


def worker_naive(options: dict[str, Any]) -> dict[str, Any]:
    """Read each sheet with pandas + openpyxl and write it with ``to_sql``: the naive baseline."""
    import pandas as pd
    from sqlalchemy import create_engine
    from work_data_hub.io.database import normalise_url
    from work_data_hub.plugins.registry import get_registry

    registry = get_registry()
    engine = create_engine(normalise_url(options["url"]))
    stages = {"read": 0.0, "load": 0.0}
    rows = 0
    started = time.perf_counter()
    try:
        for domain in options["domains"]:
            definition = registry.get(domain).definition
            read_started = time.perf_counter()
            frame = pd.read_excel(
                options["file"], sheet_name=definition.source.sheet or 0, engine="openpyxl"
            )
            load_started = time.perf_counter()
            frame.to_sql(f"naive_{definition.table}", engine, if_exists="replace", index=False)
            stages["read"] += load_started - read_started
            stages["load"] += time.perf_counter() - load_started
            rows += len(frame)
    finally:
        engine.dispose()
    return {"rows": rows, "seconds": time.perf_counter() - started, "stages": stages}


WORKERS = {"generate": worker_generate, "pipeline": worker_pipeline, "naive": worker_naive}


def _in_fresh_process(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """Run ``WORKERS[kind](options)`` in a new interpreter, so its peak memory is its own."""
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "result.json"
        command = [sys.executable, __file__, "--worker", kind, json.dumps(options), str(result)]
        subprocess.run(command, check=True)  # noqa: S603 (this interpreter, this script)
        answer: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
        return answer


def _rate(rows: int, seconds: float) -> float:
    return round(rows / seconds) if seconds > 0 else 0.0


class BenchDatabase:
    """A uniquely named database on the server of ``dsn``: created and migrated, then dropped."""

    def __init__(self, dsn: str) -> None:
        from sqlalchemy import make_url
        from work_data_hub.io.database import normalise_url, render_url

        self.name = f"wdh_bench_{os.getpid()}_{secrets.token_hex(4)}"
        server = normalise_url(dsn)
        self.url = render_url(server.set(database=self.name))
        self._maintenance = render_url(server.set(database=make_url(dsn).database or "postgres"))

    def __enter__(self) -> str:
        from work_data_hub.io.database import create_database_if_missing
        from work_data_hub.io.schema.migrate import upgrade

        create_database_if_missing(self.url, maintenance_database="postgres")
        upgrade(self.url)
        return self.url

    def __exit__(self, *exc_info: object) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool
        from work_data_hub.io.database import normalise_url

        engine = create_engine(
            normalise_url(self._maintenance), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        engine.dispose()


def _run_figures(run: dict[str, Any]) -> dict[str, Any]:
    """Rows, seconds, rates per stage, client CPU and peak memory of one pipeline run."""
    rows = run["rows"]
    return {
        "rows": rows,
        "seconds": round(run["seconds"], 3),
        "rows_per_s": _rate(rows, run["seconds"]),
        "stage_seconds": {stage: round(s, 3) for stage, s in run["stages"].items()},
        "stage_rows_per_s": {stage: _rate(rows, s) for stage, s in run["stages"].items()},
        "cpu_s": round(run["cpu_s"], 3),
        "stage_cpu_s": {stage: round(s, 3) for stage, s in run["stage_cpu_s"].items()},
        "peak_rss_mb": run["peak_rss_mb"],
        "peak_rss_mb_all_runs": run["peak_rss_mb_all_runs"],
        "load_average": round(os.getloadavg()[0], 2),
    }


def _measure_size(rows: int, args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    """Generate one month, run the pipeline and the naive baseline on it; return the figures."""
    generated = _in_fresh_process(
        "generate",
        {
            "rows": rows,
            "folder": str(folder / f"inbox_{rows}"),
            "seed": args.seed,
            "format": "xlsx",
            "performance_only": False,
        },
    )
    domains = [PERFORMANCE, INCOME]
    run = _in_fresh_process(
        "pipeline",
        {"url": url, "file": generated["file"], "repeat": args.repeat, "domains": domains},
    )
    figures = _run_figures(run) | {
        "performance_rows": rows,
        "income_rows": _income_rows(rows),
        "file_mb": round(Path(generated["file"]).stat().st_size / 2**20, 1),
        "generate_s": round(generated["seconds"], 1),
        "ratio_to_legacy": round(run["rows"] / run["seconds"] / LEGACY_ROWS_PER_S, 1),
    }
    if args.naive:
        naive = _in_fresh_process(
            "naive", {"url": url, "file": generated["file"], "domains": domains}
        )
        figures["naive"] = {
            "rows_per_s": _rate(naive["rows"], naive["seconds"]),
            "seconds": round(naive["seconds"], 3),
            "stage_rows_per_s": {s: _rate(naive["rows"], v) for s, v in naive["stages"].items()},
        }
        figures["ratio_to_naive"] = round(naive["seconds"] / run["seconds"], 1)
    return figures


def _measure_million(args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    """Run one million 规模明细 rows through annuity_performance once, for its peak memory."""
    rows = 1_000_000
    generated = _in_fresh_process(
        "generate",
        {
            "rows": rows,
            "folder": str(folder / "million"),
            "seed": args.seed,
            "format": args.million_format,
            "performance_only": True,
        },
    )
    run = _in_fresh_process(
        "pipeline", {"url": url, "file": generated["file"], "repeat": 1, "domains": [PERFORMANCE]}
    )
    return _run_figures(run) | {
        "format": args.million_format,
        "generate_s": round(generated["seconds"], 1),
    }


def _print_size(label: str, figures: dict[str, Any]) -> None:
    stages = ", ".join(
        f"{s} {figures['stage_rows_per_s'][s]:,.0f}" for s in figures["stage_rows_per_s"]
    )
    print(
        f"{label}: {figures['rows']:,} rows in {figures['seconds']:.2f} s = "
        f"{figures['rows_per_s']:,.0f} rows/s ({stages} rows/s); "
        f"peak RSS {figures['peak_rss_mb']} MB"
    )
    if "naive" in figures:
        print(
            f"  naive read_excel+to_sql: {figures['naive']['rows_per_s']:,.0f} rows/s; "
            f"pipeline is {figures['ratio_to_naive']}× faster; {figures['ratio_to_legacy']}× legacy"
        )


def _server_url(dsn: str | None) -> str:
    """Return the server URL: ``dsn``, else ``DATABASE_URL`` or the embedded server."""
    from work_data_hub.config import get_settings
    from work_data_hub.io.database import (
        is_embedded,
        normalise_url,
        render_url,
        resolve_database_url,
    )
    from work_data_hub.io.embedded import embedded_database_url

    settings = get_settings(require_database=False)
    if dsn is None:
        return resolve_database_url(settings, allow_embedded=True)
    if is_embedded(dsn):
        return render_url(normalise_url(embedded_database_url(settings.embedded_postgres_dir)))
    return dsn


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=35_000, help="规模明细 rows of the base size")
    parser.add_argument(
        "--sizes", help="comma-separated 规模明细 row counts (default: rows, 10×rows; '' for none)"
    )
    parser.add_argument("--dsn", help="PostgreSQL server URL (default: the embedded server)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the fastest counts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-naive", dest="naive", action="store_false", help="skip the baseline")
    parser.add_argument("--million", action="store_true", help="add the 1,000,000-row memory run")
    parser.add_argument("--million-format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--workdir", type=Path, help="where generated files go (default: temp)")
    parser.add_argument(
        "--peers",
        action="store_true",
        help="add the side-by-side run of one domain's month against dlt and naive pandas",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of --peers")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Measure every size, print a line per size, and finally the JSON summary line."""
    if argv[:1] == ["--worker"]:
        _quiet_logging()
        kind, options, result = argv[1], json.loads(argv[2]), Path(argv[3])
        result.write_text(json.dumps(WORKERS[kind](options)), encoding="utf-8")
        return 0
    args = _arguments(argv)
    _quiet_logging()
    dsn = _server_url(args.dsn)
    sizes = (
        [int(size) for size in args.sizes.split(",") if size.strip()]
        if args.sizes is not None
        else [args.rows, args.rows * 10]
    )
    summary: dict[str, Any] = {"legacy_rows_per_s": LEGACY_ROWS_PER_S, "sizes": {}}
    with tempfile.TemporaryDirectory(dir=args.workdir) as work, BenchDatabase(dsn) as url:
        for rows in sizes:
            figures = _measure_size(rows, args, url, Path(work))
            summary["sizes"][str(rows)] = figures
            _print_size(f"{rows:,} + {_income_rows(rows):,} rows", figures)
        if args.million:
            summary["million"] = _measure_million(args, url, Path(work))
            _print_size(f"1,000,000 rows ({args.million_format})", summary["million"])
        if args.peers:
            from bench_peers import compare, month_workbook, print_comparison

            month = month_workbook(Path(work), args.rows, args.seed)
            summary["peers"] = compare(month, url, args.rounds)
            print_comparison(summary["peers"])
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
