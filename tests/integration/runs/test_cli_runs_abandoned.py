"""``workdatahub runs mark-abandoned``: only executions whose process is gone are marked.

Three ``running`` executions: one whose execution lock a live session holds, one whose lock
nobody holds (its process died), one without a lock key (stages run one by one). Only the
second becomes ``abandoned``, with when and why.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from typer.testing import CliRunner
from work_data_hub.cli.app import app
from work_data_hub.config import get_settings
from work_data_hub.io.loader.audit import AuditWriter
from work_data_hub.io.runs.liveness import EXECUTION_LOCK_NAMESPACE, hold_execution_lock

pytestmark = pytest.mark.integration


@pytest.fixture
def cli_database(monkeypatch: pytest.MonkeyPatch, wdh_database: str) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", wdh_database)
    get_settings.cache_clear()
    yield wdh_database
    get_settings.cache_clear()


def _start(engine: Engine, lock_key: int | None) -> str:
    execution_id = str(uuid.uuid4())
    AuditWriter(engine).start(
        execution_id, "annuity_performance", host="elsewhere", pid=4242, lock_key=lock_key
    )
    return execution_id


def _status(engine: Engine) -> dict[str, tuple[str, bool, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT execution_id::text, status, abandoned_at IS NOT NULL, error_details "
                "FROM pipeline_executions"
            )
        ).all()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def test_only_executions_whose_lock_is_free_are_marked_abandoned(
    cli_database: str, wdh_engine: Engine
) -> None:
    with hold_execution_lock(wdh_engine) as live_lock:
        alive = _start(wdh_engine, live_lock.key)
        with wdh_engine.connect() as connection:
            held_keys = {
                int(key)
                for (key,) in connection.execute(
                    sa.text(
                        "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' "
                        "AND classid::bigint = :namespace AND objsubid = 2"
                    ),
                    {"namespace": EXECUTION_LOCK_NAMESPACE},
                )
            }
        free_key = next(key for key in range(1, 1000) if key not in held_keys)
        dead = _start(wdh_engine, free_key)
        unguarded = _start(wdh_engine, None)

        result = CliRunner().invoke(app, ["runs", "mark-abandoned"])

    assert result.exit_code == 0, result.output
    assert "1 execution(s) marked abandoned" in result.output
    assert dead in result.output
    status = _status(wdh_engine)
    assert status[alive][:2] == ("running", False)
    assert status[unguarded][:2] == ("running", False)
    assert status[dead][:2] == ("abandoned", True)
    assert "pid 4242 on host elsewhere" in (status[dead][2] or "")
    assert "`workdatahub runs mark-abandoned`" in (status[dead][2] or "")
