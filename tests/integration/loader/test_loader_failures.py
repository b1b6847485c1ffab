"""A load that fails anywhere leaves the table exactly as it was; the run is recorded as failed."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pandas as pd
import psycopg2
import pytest
import sqlalchemy as sa
from loader_support import MakeLoader, execute, table_rows
from sqlalchemy import Engine
from sqlalchemy.pool import NullPool
from work_data_hub.io.database import create_engine_for, render_url
from work_data_hub.io.loader import (
    AuditWriter,
    ConnectionLostError,
    MissingRequiredColumnsError,
    TableNotFoundError,
)
from work_data_hub.io.loader.copy_format import arrow_csv_chunks

pytestmark = pytest.mark.integration

ROWS = 10_000
SMALL_CHUNKS = functools.partial(arrow_csv_chunks, rows_per_chunk=1_000)
LINE_DDL = """
CREATE TABLE lines (
    period text NOT NULL,
    n integer NOT NULL,
    amount numeric(18, 4),
    created_at timestamptz NOT NULL DEFAULT now()
)
"""
LINE_ROWS = "(SELECT period, n, amount FROM lines) AS l"


def lines_frame(period: str, rows: int = ROWS) -> pd.DataFrame:
    return pd.DataFrame({"period": period, "n": range(rows), "amount": [0.5] * rows})


@pytest.fixture
def lines(wdh_engine: Engine) -> list[tuple[Any, ...]]:
    """The ``lines`` table holding 3 rows of period 2024-01 and 2 of 2024-02; returns them."""
    execute(
        wdh_engine,
        LINE_DDL,
        "INSERT INTO lines (period, n, amount) VALUES ('2024-01', 1, 1), ('2024-01', 2, 2), "
        "('2024-01', 3, 3), ('2024-02', 1, 4), ('2024-02', 2, 5)",
    )
    return table_rows(wdh_engine, LINE_ROWS, "period, n")


@pytest.mark.parametrize(
    ("mode", "keys"),
    [("append", []), ("replace", []), ("delete_insert", ["period"]), ("upsert", ["period", "n"])],
)
def test_a_bad_value_in_the_middle_rolls_the_whole_load_back(
    make_loader: MakeLoader,
    wdh_engine: Engine,
    lines: list[tuple[Any, ...]],
    mode: str,
    keys: list[str],
) -> None:
    execute(wdh_engine, "CREATE UNIQUE INDEX lines_key ON lines (period, n)")
    loader = make_loader(serialiser=SMALL_CHUNKS)
    frame = lines_frame("2024-01").assign(n=lambda f: (f["n"] + 100).astype(object))
    frame.loc[5_000, "n"] = "not a number"

    with pytest.raises(psycopg2.errors.InvalidTextRepresentation, match="not a number"):
        loader.load_dataframe(frame, "lines", mode=mode, keys=keys)  # type: ignore[arg-type]

    assert table_rows(wdh_engine, LINE_ROWS, "period, n") == lines


def test_a_serialiser_failing_mid_stream_rolls_back_and_raises_its_own_error(
    make_loader: MakeLoader, wdh_engine: Engine, lines: list[tuple[Any, ...]]
) -> None:
    def failing_after_half(frame: pd.DataFrame) -> Iterator[bytes]:
        for number, chunk in enumerate(SMALL_CHUNKS(frame)):
            if number == 5:
                raise ValueError("serialiser broke at row 5000")
            yield chunk

    loader = make_loader(serialiser=failing_after_half)

    with pytest.raises(ValueError, match="serialiser broke at row 5000"):
        loader.load_dataframe(
            lines_frame("2024-01"), "lines", mode="delete_insert", keys=["period"]
        )

    assert table_rows(wdh_engine, LINE_ROWS, "period, n") == lines
    assert loader.load_dataframe(lines_frame("2024-03", 10), "lines").rows_loaded == 10


def with_application_name(url: str, name: str) -> str:
    """``url`` with ``application_name`` set, so its sessions can be found in pg_stat_activity."""
    return render_url(sa.make_url(url).update_query_dict({"application_name": name}))


def _terminating_serialiser(url: str, application_name: str) -> Any:
    """A serialiser that kills the loading session from another connection after one chunk."""

    def serialise(frame: pd.DataFrame) -> Iterator[bytes]:
        chunks = SMALL_CHUNKS(frame)
        yield next(chunks)
        admin = create_engine_for(url, poolclass=NullPool)
        try:
            with admin.begin() as connection:
                killed = connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": application_name},
                ).scalars()
                assert list(killed) == [True]
        finally:
            admin.dispose()
        yield from chunks

    return serialise


def test_a_connection_killed_mid_load_leaves_the_table_unchanged_and_a_rerun_succeeds(
    make_loader: MakeLoader, wdh_database: str, wdh_engine: Engine, lines: list[tuple[Any, ...]]
) -> None:
    name = f"wdh-killed-{uuid.uuid4().hex[:8]}"
    url = with_application_name(wdh_database, name)
    audit = AuditWriter(wdh_engine)
    execution_id = str(uuid.uuid4())
    audit.start(execution_id, "lines_domain", target_table="public.lines")
    loader = make_loader(url=url, serialiser=_terminating_serialiser(wdh_database, name))

    with pytest.raises(ConnectionLostError, match="lost during the transaction") as raised:
        loader.load_dataframe(
            lines_frame("2024-01"), "lines", mode="delete_insert", keys=["period"]
        )
    audit.finish_failed(execution_id, raised.value)

    assert isinstance(raised.value.__cause__, psycopg2.OperationalError)

    assert table_rows(wdh_engine, LINE_ROWS, "period, n") == lines
    with wdh_engine.connect() as connection:
        status, error_type, rows_loaded = connection.execute(
            sa.text(
                "SELECT status, error_type, rows_loaded FROM pipeline_executions "
                "WHERE execution_id = :id"
            ),
            {"id": execution_id},
        ).one()
    assert (status, error_type, rows_loaded) == ("failed", "ConnectionLostError", 0)

    rerun = make_loader(url=url, serialiser=SMALL_CHUNKS)
    result = rerun.load_dataframe(
        lines_frame("2024-01"), "lines", mode="delete_insert", keys=["period"]
    )

    assert (result.rows_loaded, result.rows_deleted) == (ROWS, 3)
    assert (
        table_rows(wdh_engine, LINE_ROWS, "period, n")
        == [("2024-01", n, Decimal("0.5000")) for n in range(ROWS)] + lines[3:]
    )


def test_the_same_loader_recovers_after_its_connection_was_killed(
    make_loader: MakeLoader, wdh_database: str, wdh_engine: Engine, lines: list[tuple[Any, ...]]
) -> None:
    name = f"wdh-killed-{uuid.uuid4().hex[:8]}"
    killing = _terminating_serialiser(wdh_database, name)
    calls: list[int] = []

    def kill_on_first_load(frame: pd.DataFrame) -> Iterator[bytes]:
        calls.append(len(frame))
        return killing(frame) if len(calls) == 1 else SMALL_CHUNKS(frame)

    loader = make_loader(
        url=with_application_name(wdh_database, name), serialiser=kill_on_first_load
    )
    with pytest.raises(ConnectionLostError):
        loader.load_dataframe(lines_frame("2024-05"), "lines")

    assert loader.load_dataframe(lines_frame("2024-05"), "lines").rows_loaded == ROWS
    assert len(table_rows(wdh_engine, LINE_ROWS)) == len(lines) + ROWS


def test_a_missing_required_column_is_refused_before_anything_is_written(
    make_loader: MakeLoader, wdh_engine: Engine, lines: list[tuple[Any, ...]]
) -> None:
    serialised: list[int] = []

    def recording(frame: pd.DataFrame) -> Iterator[bytes]:
        serialised.append(len(frame))
        return arrow_csv_chunks(frame)

    loader = make_loader(serialiser=recording, copy_threshold=0)
    frame = lines_frame("2024-01").drop(columns="n")

    with pytest.raises(MissingRequiredColumnsError, match="no column 'n'") as raised:
        loader.load_dataframe(frame, "lines", mode="replace")

    assert raised.value.columns == ("n",)
    assert serialised == []
    assert table_rows(wdh_engine, LINE_ROWS, "period, n") == lines


def test_a_missing_table_says_how_to_create_it(make_loader: MakeLoader) -> None:
    with pytest.raises(TableNotFoundError, match=r'"public"\."nowhere" does not exist.*db upgrade'):
        make_loader().load_dataframe(lines_frame("x", 1), "nowhere")
