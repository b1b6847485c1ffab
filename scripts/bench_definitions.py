"""Time the Dagster code location: loading the definitions, and the webserver's first answers.

Cases: the installed domains, and the installed domains plus N generated trivial plugins
(each a dist-info folder with a ``workdatahub.domains`` entry point and a small module, in a
temporary folder put on ``PYTHONPATH``). For each case:

- ``cold``: a fresh interpreter imports ``work_data_hub.orchestration.definitions`` and calls
  ``defs()`` (what a code server or run worker does); median of ``--repeat`` runs;
- ``warm``: in this process, ``load_domains()`` + ``build_definitions()`` once imports are done;
- with ``--webserver``: ``python -m work_data_hub.orchestration.dev`` (``make dagster``) on a free
  port: seconds until ``/server_info`` answers and until GraphQL lists every job.

Usage: ``.venv/bin/python scripts/bench_definitions.py [--domains 50] [--repeat 3] [--webserver]``
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PLUGIN_SOURCE = """
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec

PLUGIN = Domain(
    definition=DomainDefinition(
        name="{name}", table="{name}", source=SourceSpec(patterns=("{name}*.csv",), file_type="csv")
    ),
    columns=(Column("value"),),
)
"""

COLD_LOAD = """
import json, time
started = time.perf_counter()
from work_data_hub.orchestration.definitions import defs
imported = time.perf_counter()
loaded = defs()
jobs = len(loaded.resolve_all_job_defs())
done = time.perf_counter()
print(json.dumps({"import_s": imported - started, "build_s": done - imported, "jobs": jobs}))
"""

JOBS_QUERY = (
    "{ workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError { "
    "... on RepositoryLocation { repositories { jobs { name } } } } } } } }"
)
UNUSED_DATABASE = "postgresql://bench@127.0.0.1:9/none"
"""Listing jobs never connects to the warehouse; runs would."""


def write_plugins(root: Path, count: int) -> None:
    """Install ``count`` trivial domain plugins ``bench_00``… into ``root`` (dist-info, module)."""
    for index in range(count):
        name = f"bench_{index:02d}"
        (root / f"{name}_plugin.py").write_text(PLUGIN_SOURCE.format(name=name), encoding="utf-8")
        dist_info = root / f"{name}_plugin-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}-plugin\nVersion: 1.0\n", encoding="utf-8"
        )
        (dist_info / "entry_points.txt").write_text(
            f"[workdatahub.domains]\n{name} = {name}_plugin:PLUGIN\n", encoding="utf-8"
        )


def environment(site: Path | None, home: Path) -> dict[str, str]:
    """This environment, ``site`` on PYTHONPATH, throw-away Dagster and warehouse settings."""
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    env.update(
        ENVIRONMENT="dev",
        DATABASE_URL=UNUSED_DATABASE,
        DAGSTER_HOME=str(home),
        LOG_LEVEL="WARNING",
    )
    env.pop("DAGSTER_POSTGRES_URL", None)
    return env


def cold_load(env: dict[str, str], repeat: int) -> dict[str, float]:
    """Median import and build times of the definitions in fresh interpreters."""
    runs = []
    for _ in range(repeat):
        output = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
            [sys.executable, "-c", COLD_LOAD], env=env, capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    return {
        "import_s": statistics.median(run["import_s"] for run in runs),
        "build_s": statistics.median(run["build_s"] for run in runs),
        "jobs": runs[0]["jobs"],
    }


def warm_load(site: Path | None) -> tuple[float, int]:
    """Seconds to discover the plugins and build the definitions, imports already done."""
    from work_data_hub.orchestration.definitions import build_definitions
    from work_data_hub.plugins.registry import load_domains

    search = [str(site), *sys.path] if site is not None else None
    if site is not None:
        sys.path.insert(0, str(site))
    started = time.perf_counter()
    built = build_definitions(load_domains({}, search_path=search))
    elapsed = time.perf_counter() - started
    return elapsed, len(built.resolve_all_job_defs())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _job_count(port: int) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": JOBS_QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http://127.0.0.1)
        entries = json.load(response)["data"]["workspaceOrError"]["locationEntries"]
    return sum(
        len(repository["jobs"])
        for entry in entries
        for repository in (entry["locationOrLoadError"] or {}).get("repositories", [])
    )


def webserver(env: dict[str, str], jobs: int, timeout_s: float = 180.0) -> dict[str, float]:
    """Seconds until ``make dagster``'s webserver answers HTTP, and until it lists ``jobs`` jobs."""
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (this interpreter, our launcher)
        [sys.executable, "-m", "work_data_hub.orchestration.dev", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    answered: float | None = None
    listed: float | None = None
    try:
        while listed is None and time.perf_counter() - started < timeout_s:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5).close()
                answered = answered or time.perf_counter() - started
                if _job_count(port) >= jobs:
                    listed = time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    return {"http_s": answered or float("nan"), "jobs_listed_s": listed or float("nan")}


def main() -> None:
    """Run every case and print one Markdown table row per case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--webserver", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wdh-bench-") as folder:
        root = Path(folder)
        site = root / "site"
        site.mkdir()
        write_plugins(site, options.domains)
        print(
            "| case | jobs | cold import s | cold build s | warm build s | HTTP s | jobs listed s |"
        )
        print("|---|---|---|---|---|---|---|")
        for label, case_site in (("installed", None), (f"+{options.domains} plugins", site)):
            home = root / f"home-{label.strip('+ ').replace(' ', '-')}"
            env = environment(case_site, home)
            cold = cold_load(env, options.repeat)
            warm_s, _ = warm_load(case_site)
            served = webserver(env, int(cold["jobs"])) if options.webserver else {}
            print(
                f"| {label} | {cold['jobs']:.0f} | {cold['import_s']:.2f} | {cold['build_s']:.2f} "
                f"| {warm_s:.2f} | {served.get('http_s', float('nan')):.1f} "
                f"| {served.get('jobs_listed_s', float('nan')):.1f} |"
            )


if __name__ == "__main__":
    main()
