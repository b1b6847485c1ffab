"""Loads of one table serialise on an advisory lock: concurrent reruns never duplicate rows."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pandas as pd
import pytest
import sqlalchemy as sa
from loader_support import MakeLoader, execute, table_rows
from sqlalchemy import Engine
from work_data_hub.io.loader import WarehouseLoader

pytestmark = pytest.mark.integration

ROWS = 2_000


@pytest.fixture
def months(wdh_engine: Engine) -> Engine:
    execute(
        wdh_engine,
        "CREATE TABLE months (month text NOT NULL, n integer NOT NULL, amount numeric(18, 4))",
        "INSERT INTO months VALUES ('2024-02', 1, 1)",
    )
    return wdh_engine


def month_frame(month: str) -> pd.DataFrame:
    return pd.DataFrame({"month": month, "n": range(ROWS), "amount": 1.25})


def one_copy(month: str) -> list[tuple[str, int]]:
    return sorted([(month, n) for n in range(ROWS)] + [("2024-02", 1)])


def month_rows(engine: Engine) -> list[tuple[str, int]]:
    return [(row[0], row[1]) for row in table_rows(engine, "months", "month, n")]


def wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(0.02)


def advisory_lock_waiters(engine: Engine) -> int:
    query = sa.text(
        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()"
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_two_concurrent_delete_insert_loads_of_the_same_keys_leave_one_copy(
    make_loader: MakeLoader, months: Engine
) -> None:
    loaders = [make_loader(), make_loader()]

    def run(loader: WarehouseLoader, start: threading.Barrier, errors: list[Exception]) -> None:
        start.wait()
        try:
            loader.load_dataframe(
                month_frame("2024-01"), "months", mode="delete_insert", keys=["month"]
            )
        except Exception as error:
            errors.append(error)

    for _round in range(3):
        start = threading.Barrier(len(loaders))
        errors: list[Exception] = []
        threads = [threading.Thread(target=run, args=(loader, start, errors)) for loader in loaders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert errors == []
        assert month_rows(months) == one_copy("2024-01")


def test_a_second_load_of_the_table_waits_until_the_first_commits(
    make_loader: MakeLoader, months: Engine
) -> None:
    first, second = make_loader(), make_loader()
    finished: list[int] = []

    def second_load() -> None:
        result = second.load_dataframe(
            month_frame("2024-01"), "months", mode="delete_insert", keys=["month"]
        )
        finished.append(result.rows_deleted)

    waiting = threading.Thread(target=second_load)
    with first.transaction() as tx:
        first.load_dataframe(
            month_frame("2024-01"), "months", mode="delete_insert", keys=["month"], tx=tx
        )
        waiting.start()
        wait_for(lambda: advisory_lock_waiters(months) == 1)
        time.sleep(0.2)
        assert waiting.is_alive()
        assert finished == []
    waiting.join(timeout=60)

    assert finished == [ROWS]  # it deleted the first load's committed rows, then inserted its own
    assert month_rows(months) == one_copy("2024-01")
