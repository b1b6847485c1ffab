"""Two ``db upgrade`` at once (two deploys) on an empty database: both succeed, at head.

Each round starts two ``workdatahub db upgrade`` processes on a new database. Without
serialisation both create ``alembic_version`` and the first tables at the same time and
one fails with ``UniqueViolation … pg_type_typname_nsp``. The migration lock makes the second
wait until the first committed; it then finds the database at head and has nothing to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from work_data_hub.io.schema import migrate
from work_data_hub.testing.databases import DatabaseServer

pytestmark = pytest.mark.integration

ROUNDS = 6
CLI = Path(sys.executable).with_name("workdatahub")


@pytest.fixture
def empty_database(wdh_database_url: str) -> Iterator[str]:
    """URL of a new database without any table; dropped afterwards."""
    with DatabaseServer.from_url(wdh_database_url).clone("template0") as url:
        yield url


def _upgrade_together(url: str, folder: Path) -> list[subprocess.CompletedProcess[str]]:
    """Start two ``workdatahub db upgrade`` processes at once and wait for both."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "ENVIRONMENT": "dev",
        "DATABASE_URL": url,
        "WDH_STRICT_PLUGINS": "1",
    }
    deploys = [
        subprocess.Popen(
            [str(CLI), "db", "upgrade"],
            cwd=folder,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    finished = []
    for deploy in deploys:
        output, _ = deploy.communicate(timeout=120)
        finished.append(subprocess.CompletedProcess(deploy.args, deploy.returncode, output))
    return finished


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_upgrades_at_once_both_succeed_and_leave_the_database_at_head(
    empty_database: str, tmp_path: Path, round_: int
) -> None:
    heads = {head.revision for head in migrate.heads()}

    deploys = _upgrade_together(empty_database, tmp_path)

    assert [deploy.returncode for deploy in deploys] == [0, 0], [d.stdout for d in deploys]
    for deploy in deploys:
        assert "Traceback" not in deploy.stdout
        assert all(head in deploy.stdout for head in heads), deploy.stdout
    assert {revision.revision for revision in migrate.current(empty_database)} == heads
