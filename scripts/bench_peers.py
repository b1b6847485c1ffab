"""WorkDataHub side by side with its peers: one month of one domain, whole process and in-process.

The month is the 规模明细 sheet of a generated workbook (``--rows``, default 35,000). Four tools
load it into PostgreSQL, each in a fresh interpreter, in alternating rounds (``--rounds``,
default 3) so that a busy machine slows them alike:

- ``workdatahub``: ``workdatahub run annuity_performance --file X`` (discovery aside, what a
  user runs: plugins, cleansing, validation, enrichment, audit, one COPY transaction);
- ``dlt``: dlt with python-calamine rows as its source, ``write_disposition="replace"`` into a
  dataset of the same database (no cleansing or validation);
- ``pandas_calamine``: ``pandas.read_excel(engine="calamine")`` and ``DataFrame.to_sql``;
- ``pandas_openpyxl``: ``pandas.read_excel(engine="openpyxl")`` and ``DataFrame.to_sql``.

For each tool the *whole process* time is what a user waits for (interpreter start and imports
included), the *in-process* time the work after the imports. The summary gives medians, the
spread (max − min) of each, rows/s and WorkDataHub's ratio to each peer, measured in the same
run. ``bench_pipeline.py --peers`` runs it; alone:
``.venv/bin/python scripts/bench_peers.py [--rows 35000] [--rounds 3] [--dsn URL]``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SHEET = "规模明细"
DOMAIN = "annuity_performance"
TOOLS = ("workdatahub", "dlt", "pandas_calamine", "pandas_openpyxl")


def _in_process_started() -> float:
    """The moment the work starts: after the interpreter and the tool's imports."""
    return time.perf_counter()


def worker_dlt(path: str, url: str, work: str) -> dict[str, Any]:
    """Load the sheet with dlt from python-calamine rows; return rows and in-process seconds."""
    import dlt
    from python_calamine import CalamineWorkbook
    from sqlalchemy import make_url

    started = _in_process_started()
    server = make_url(url)
    # dlt insists on a password; a trust-auth server (the embedded one) ignores it.
    server = server.set(drivername="postgresql", password=server.password or "trust")
    dsn = server.render_as_string(hide_password=False)

    def rows() -> Any:
        sheet = CalamineWorkbook.from_path(path).get_sheet_by_name(SHEET)
        lines = sheet.iter_rows()
        header = [str(name) for name in next(lines)]
        for line in lines:
            yield dict(zip(header, line, strict=False))

    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{os.getpid()}",
        destination=dlt.destinations.postgres(credentials=dsn),
        dataset_name="dlt_bench",
        pipelines_dir=work,
    )
    info = pipeline.run(rows(), table_name="guimo", write_disposition="replace")
    info.raise_on_failed_jobs()
    trace = pipeline.last_trace.last_normalize_info
    loaded = sum(trace.row_counts.get(name, 0) for name in ("guimo",)) if trace else 0
    return {"rows": loaded, "in_process_s": time.perf_counter() - started}


def worker_pandas(path: str, url: str, engine_name: str) -> dict[str, Any]:
    """Load the sheet with ``pandas.read_excel(engine=...)`` and ``to_sql``."""
    import pandas as pd
    from sqlalchemy import create_engine

    started = _in_process_started()
    frame = pd.read_excel(path, sheet_name=SHEET, engine=engine_name)
    engine = create_engine(url)
    frame.to_sql(f"naive_{engine_name}", engine, if_exists="replace", index=False, chunksize=5000)
    engine.dispose()
    return {"rows": len(frame), "in_process_s": time.perf_counter() - started}


def _timed_process(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (this interpreter or the venv's own command)
        command, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, done.stdout


def _workdatahub(path: Path, url: str) -> dict[str, Any]:
    command = [str(Path(sys.executable).with_name("workdatahub")), "run", DOMAIN]
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    seconds, stdout = _timed_process([*command, "--file", str(path), "--json"], env)
    report = json.loads(stdout.strip().splitlines()[-1])
    if report["status"] != "succeeded":
        raise RuntimeError(f"workdatahub run failed: {report['error']}")
    stages = report["stage_durations"]
    return {
        "rows": report["rows_read"],
        "whole_s": seconds,
        "in_process_s": report["duration_s"],
        "stages": stages,
    }


def _peer(tool: str, path: Path, url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        result = Path(work) / "result.json"
        command = [sys.executable, __file__, "--worker", tool, str(path), url, work, str(result)]
        seconds, _ = _timed_process(command, dict(os.environ))
        answer: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return {**answer, "whole_s": seconds}


def _measure(tool: str, path: Path, url: str) -> dict[str, Any]:
    return _workdatahub(path, url) if tool == "workdatahub" else _peer(tool, path, url)


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    whole = [run["whole_s"] for run in runs]
    inner = [run["in_process_s"] for run in runs]
    rows = runs[0]["rows"]
    return {
        "rows": rows,
        "whole_s": round(statistics.median(whole), 3),
        "whole_spread_s": round(max(whole) - min(whole), 3),
        "whole_rows_per_s": round(rows / statistics.median(whole)),
        "in_process_s": round(statistics.median(inner), 3),
        "in_process_spread_s": round(max(inner) - min(inner), 3),
        "in_process_rows_per_s": round(rows / statistics.median(inner)),
    }


def compare(path: Path, url: str, rounds: int, tools: tuple[str, ...] = TOOLS) -> dict[str, Any]:
    """Run every tool ``rounds`` times, alternating, and return medians and ratios."""
    runs: dict[str, list[dict[str, Any]]] = {tool: [] for tool in tools}
    for round_number in range(rounds):
        order = tools if round_number % 2 == 0 else tools[::-1]
        for tool in order:
            runs[tool].append(_measure(tool, path, url))
            print(
                f"  round {round_number + 1} {tool}: {runs[tool][-1]['whole_s']:.2f} s whole, "
                f"{runs[tool][-1]['in_process_s']:.2f} s in process",
                file=sys.stderr,
            )
    results = {tool: _summary(tool_runs) for tool, tool_runs in runs.items()}
    mine = results["workdatahub"]
    ratios = {
        tool: {
            "whole": round(figures["whole_s"] / mine["whole_s"], 2),
            "in_process": round(figures["in_process_s"] / mine["in_process_s"], 2),
        }
        for tool, figures in results.items()
        if tool != "workdatahub"
    }
    return {
        "rounds": rounds,
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "tools": results,
        "workdatahub_faster_by": ratios,
    }


def print_comparison(comparison: dict[str, Any]) -> None:
    """Print one line per tool and the ratios, for a person."""
    for tool, figures in comparison["tools"].items():
        print(
            f"{tool:>16}: whole {figures['whole_s']:.2f} s (±{figures['whole_spread_s']:.2f}) = "
            f"{figures['whole_rows_per_s']:,} rows/s; in process {figures['in_process_s']:.2f} s "
            f"= {figures['in_process_rows_per_s']:,} rows/s"
        )
    for tool, ratio in comparison["workdatahub_faster_by"].items():
        print(
            f"  workdatahub vs {tool}: {ratio['whole']}× whole, {ratio['in_process']}× in process"
        )


def _worker(argv: list[str]) -> int:
    tool, path, url, work, result = argv
    if tool == "dlt":
        answer = worker_dlt(path, url, work)
    else:
        answer = worker_pandas(path, url, tool.removeprefix("pandas_"))
    Path(result).write_text(json.dumps(answer), encoding="utf-8")
    return 0


def main(argv: list[str]) -> int:
    """Generate the month, compare the tools in a fresh database, print lines and one JSON."""
    if argv[:1] == ["--worker"]:
        return _worker(argv[1:])
    import argparse

    from bench_pipeline import BenchDatabase, _quiet_logging, _server_url

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=35_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dsn", help="PostgreSQL server URL (default: the embedded server)")
    args = parser.parse_args(argv)
    _quiet_logging()
    with tempfile.TemporaryDirectory() as work, BenchDatabase(_server_url(args.dsn)) as url:
        path = month_workbook(Path(work), args.rows)
        comparison = compare(path, url, args.rounds)
    print_comparison(comparison)
    print(json.dumps(comparison, ensure_ascii=False))
    return 0


def month_workbook(folder: Path, rows: int, seed: int = 7) -> Path:
    """Write the generated 规模明细 sheet of ``rows`` rows as a workbook; return its path."""
    from work_data_hub.io.sample_data import write_workbook
    from work_data_hub.plugins.registry import get_registry

    sheet = get_registry().get(DOMAIN).sample("202411", rows, seed)
    assert sheet is not None
    return write_workbook(folder / f"{DOMAIN}_{rows}.xlsx", {SHEET: sheet})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
