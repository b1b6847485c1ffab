"""Hostile workbooks under a 6 GiB address-space cap: a clear refusal, never a dead process.

Each file goes through ``workdatahub run`` in a subprocess whose address space is capped at
6 GiB (``RLIMIT_AS``), as a container or ``ulimit -v`` would. Before the reader looked at the
container first, python-calamine tried to allocate what the file claimed and the process died
with ``memory allocation of … bytes failed`` (exit 134, the execution left ``running``), or
spent a minute on a 268-million-character customer name. Each must now exit 1 within seconds,
with the reason in the run's JSON and its execution recorded ``failed``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bad_files import CORPUS, generator
from sqlalchemy import Engine
from warehouse_state import executions

pytestmark = pytest.mark.integration

CLI = Path(sys.executable).with_name("workdatahub")
CAP = 6 << 30
BOMB_CHARACTERS = 1 << 28
"""268,435,456 characters in one shared string: about 260 KB compressed."""
SECONDS = 20


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def _run_capped(
    file: Path, database: str, folder: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "ENVIRONMENT": "dev",
        "DATABASE_URL": database,
        "INBOX_DIR": str(folder),
        "WDH_DATA_DIR": str(folder / "wdh"),
    }
    started = time.monotonic()
    finished = subprocess.run(
        [str(CLI), "run", "annuity_performance", "--file", str(file), "--json"],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_capped,
        check=False,
    )
    return finished, time.monotonic() - started


def _bomb(folder: Path) -> Path:
    path = folder / "shared_strings_bomb_268m.xlsx"
    generator.shared_strings_bomb(path, BOMB_CHARACTERS)
    return path


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("legacy_ole_renamed.xlsx", ("an encrypted workbook or an old .xls file",)),
        ("far_cell.xlsx", ("sheet '规模明细'", "come from cell XFD1048576")),
        ("268m_shared_string", ("shared string number 1", "more than 32,767 characters")),
    ],
)
def test_hostile_workbooks_under_a_memory_cap_end_in_a_clear_error(
    name: str, fragments: tuple[str, ...], wdh_database: str, wdh_engine: Engine, tmp_path: Path
) -> None:
    file = _bomb(tmp_path) if name == "268m_shared_string" else CORPUS / name
    assert file.stat().st_size < 300_000

    finished, seconds = _run_capped(file, wdh_database, tmp_path)

    assert finished.returncode == 1, (finished.returncode, finished.stderr[-2000:])
    assert seconds < SECONDS
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report["status"] == "failed"
    assert f"file '{file.name}'" in report["error"]
    for fragment in fragments:
        assert fragment in report["error"], report["error"]
    assert executions(wdh_engine)[report["execution_id"]].status == "failed"
    assert "memory allocation" not in finished.stderr
