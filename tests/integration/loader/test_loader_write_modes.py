"""Each write mode leaves exactly the expected rows, through COPY and through batched INSERTs."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from loader_support import execute, table_rows
from sqlalchemy import Engine
from work_data_hub.io.loader import InvalidLoadRequestError, WarehouseLoader

pytestmark = pytest.mark.integration

FACTS = "facts"
FACTS_DDL = """
CREATE TABLE facts (
    month date NOT NULL,
    plan text,
    amount numeric(18, 4),
    note text,
    wdh_execution_id uuid,
    wdh_source_row integer,
    wdh_loaded_at timestamptz NOT NULL DEFAULT now()
)
"""
FACT_COLUMNS = "month, plan, amount, note, wdh_execution_id, wdh_source_row"
ACCOUNTS_DDL = "CREATE TABLE accounts (id integer PRIMARY KEY, name text, balance numeric(18, 4))"

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)


def facts(engine: Engine) -> list[tuple[object, ...]]:
    query = f"(SELECT {FACT_COLUMNS} FROM facts) AS f"
    return table_rows(engine, query, order_by="month, plan NULLS FIRST, amount")


def facts_frame(*rows: tuple[date, str | None, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": [row[0] for row in rows],
            "plan": pd.Series([row[1] for row in rows], dtype="str"),
            "amount": [Decimal(row[2]) for row in rows],
            "note": pd.Series([row[3] for row in rows], dtype="str"),
        }
    )


@pytest.fixture
def seeded_facts(wdh_engine: Engine) -> Engine:
    execute(
        wdh_engine,
        FACTS_DDL,
        "INSERT INTO facts (month, plan, amount, note) VALUES "
        "('2024-01-01', 'A', 1, 'old A'), ('2024-01-01', 'A', 2, 'old A'), "
        "('2024-01-01', NULL, 3, 'old null'), ('2024-02-01', 'A', 4, 'other month')",
    )
    return wdh_engine


def test_append_adds_rows_to_those_present(loader: WarehouseLoader, seeded_facts: Engine) -> None:
    result = loader.load_dataframe(facts_frame((FEB, "B", "5", "new")), FACTS, mode="append")

    assert (result.rows_loaded, result.rows_deleted, result.mode) == (1, 0, "append")
    assert facts(seeded_facts) == [
        (JAN, None, Decimal("3.0000"), "old null", None, None),
        (JAN, "A", Decimal("1.0000"), "old A", None, None),
        (JAN, "A", Decimal("2.0000"), "old A", None, None),
        (FEB, "A", Decimal("4.0000"), "other month", None, None),
        (FEB, "B", Decimal("5.0000"), "new", None, None),
    ]


def test_replace_leaves_exactly_the_new_rows(loader: WarehouseLoader, seeded_facts: Engine) -> None:
    frame = facts_frame((JAN, "Z", "9.5", "only"), (FEB, None, "0.0001", ""))

    result = loader.load_dataframe(frame, FACTS, mode="replace")

    assert (result.rows_loaded, result.rows_deleted) == (2, 4)
    assert facts(seeded_facts) == [
        (JAN, "Z", Decimal("9.5000"), "only", None, None),
        (FEB, None, Decimal("0.0001"), "", None, None),
    ]


def test_replace_with_no_rows_empties_the_table(
    loader: WarehouseLoader, seeded_facts: Engine
) -> None:
    result = loader.load_dataframe(facts_frame(), FACTS, mode="replace")

    assert (result.rows_loaded, result.rows_deleted) == (0, 4)
    assert facts(seeded_facts) == []


def test_delete_insert_replaces_only_the_key_combinations_present(
    loader: WarehouseLoader, seeded_facts: Engine
) -> None:
    frame = facts_frame(
        (JAN, "A", "10", "new A"), (JAN, "A", "11", "new A"), (JAN, None, "12", "new null")
    )

    result = loader.load_dataframe(frame, FACTS, mode="delete_insert", keys=("month", "plan"))

    assert (result.rows_loaded, result.rows_deleted) == (3, 3)
    assert facts(seeded_facts) == [
        (JAN, None, Decimal("12.0000"), "new null", None, None),
        (JAN, "A", Decimal("10.0000"), "new A", None, None),
        (JAN, "A", Decimal("11.0000"), "new A", None, None),
        (FEB, "A", Decimal("4.0000"), "other month", None, None),
    ]


@pytest.mark.parametrize("rows", [3, 150], ids=["batched", "copy"])
def test_delete_insert_with_a_scope_deletes_only_rows_within_it(
    loader: WarehouseLoader, seeded_facts: Engine, rows: int
) -> None:
    frame = facts_frame(*[(JAN, "A", str(n), "new A") for n in range(rows)])

    result = loader.load_dataframe(
        frame, FACTS, mode="delete_insert", keys=("plan",), scope={"month": JAN}
    )

    assert (result.rows_loaded, result.rows_deleted) == (rows, 2)
    remaining = [row for row in facts(seeded_facts) if row[3] != "new A"]
    assert remaining == [
        (JAN, None, Decimal("3.0000"), "old null", None, None),
        (FEB, "A", Decimal("4.0000"), "other month", None, None),
    ]


def test_a_row_outside_the_scope_refuses_the_whole_load(
    loader: WarehouseLoader, seeded_facts: Engine
) -> None:
    before = facts(seeded_facts)
    frame = facts_frame((JAN, "A", "10", "new A"), (FEB, "A", "11", "stray"))

    with pytest.raises(InvalidLoadRequestError, match=r"1 row\(s\) .* outside its scope month"):
        loader.load_dataframe(
            frame, FACTS, mode="delete_insert", keys=("month", "plan"), scope={"month": JAN}
        )

    assert facts(seeded_facts) == before


def test_delete_insert_rerun_is_idempotent(loader: WarehouseLoader, seeded_facts: Engine) -> None:
    frame = facts_frame((JAN, "A", "10", "new A"), (JAN, None, "12", "new null"))
    loader.load_dataframe(frame, FACTS, mode="delete_insert", keys=("month", "plan"))
    once = facts(seeded_facts)

    rerun = loader.load_dataframe(frame, FACTS, mode="delete_insert", keys=("month", "plan"))

    assert (rerun.rows_loaded, rerun.rows_deleted) == (2, 2)
    assert facts(seeded_facts) == once


def test_delete_insert_matches_null_keys_of_a_non_text_type(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    execute(
        wdh_engine,
        "CREATE TABLE scores (day date, team integer, score numeric(6, 2))",
        "INSERT INTO scores VALUES (NULL, NULL, 1), ('2024-01-01', NULL, 2), (NULL, 7, 3)",
    )
    frame = pd.DataFrame({"day": [None], "team": pd.array([None], dtype="Int64"), "score": [9.25]})

    result = loader.load_dataframe(frame, "scores", mode="delete_insert", keys=("day", "team"))

    assert result.rows_deleted == 1
    assert table_rows(wdh_engine, "scores", order_by="score") == [
        (date(2024, 1, 1), None, Decimal("2.00")),
        (None, 7, Decimal("3.00")),
        (None, None, Decimal("9.25")),
    ]


def test_upsert_updates_existing_keys_and_inserts_new_ones(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    execute(
        wdh_engine,
        ACCOUNTS_DDL,
        "INSERT INTO accounts VALUES (1, 'one', 1), (2, 'two', 2)",
    )
    frame = pd.DataFrame(
        {"id": [2, 3], "name": ["TWO", "three"], "balance": [Decimal("20.5"), None]}
    )

    result = loader.load_dataframe(frame, "accounts", mode="upsert", keys=["id"])

    assert (result.rows_loaded, result.rows_deleted) == (2, 0)
    assert table_rows(wdh_engine, "accounts") == [
        (1, "one", Decimal("1.0000")),
        (2, "TWO", Decimal("20.5000")),
        (3, "three", None),
    ]


def test_upsert_leaves_columns_absent_from_the_frame_alone(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    execute(wdh_engine, ACCOUNTS_DDL, "INSERT INTO accounts VALUES (1, 'one', 1)")

    loader.load_dataframe(
        pd.DataFrame({"id": [1], "balance": [5]}), "accounts", mode="upsert", keys=["id"]
    )

    assert table_rows(wdh_engine, "accounts") == [(1, "one", Decimal("5.0000"))]


def test_upsert_of_key_columns_only_inserts_the_missing_keys(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    execute(wdh_engine, ACCOUNTS_DDL, "INSERT INTO accounts VALUES (1, 'one', 1)")

    result = loader.load_dataframe(
        pd.DataFrame({"id": [1, 2]}), "accounts", mode="upsert", keys=["id"]
    )

    assert result.rows_loaded == 1
    assert table_rows(wdh_engine, "accounts") == [(1, "one", Decimal("1.0000")), (2, None, None)]


def test_upsert_refuses_two_rows_with_the_same_keys(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    execute(wdh_engine, ACCOUNTS_DDL, "INSERT INTO accounts VALUES (1, 'one', 1)")
    frame = pd.DataFrame({"id": [1, 1], "name": ["a", "b"], "balance": [1, 2]})

    with pytest.raises(Exception, match="cannot affect row a second time"):
        loader.load_dataframe(frame, "accounts", mode="upsert", keys=["id"])

    assert table_rows(wdh_engine, "accounts") == [(1, "one", Decimal("1.0000"))]


def test_lineage_columns_trace_each_row_to_its_run_and_source_row(
    loader: WarehouseLoader, seeded_facts: Engine
) -> None:
    execution_id = str(uuid.uuid4())
    frame = facts_frame((FEB, "B", "1", "x"), (FEB, "C", "2", "y")).assign(wdh_source_row=[5, 9])

    loader.load_dataframe(frame, FACTS, mode="append", execution_id=execution_id)

    new_rows = [row for row in facts(seeded_facts) if row[4] is not None]
    assert [(row[1], str(row[4]), row[5]) for row in new_rows] == [
        ("B", execution_id, 5),
        ("C", execution_id, 9),
    ]


@pytest.mark.parametrize("mode", ["upsert", "delete_insert"])
def test_keyed_modes_need_keys_present_in_the_data(
    loader: WarehouseLoader, seeded_facts: Engine, mode: str
) -> None:
    with pytest.raises(InvalidLoadRequestError, match="needs keys"):
        loader.load_dataframe(facts_frame(), FACTS, mode=mode)  # type: ignore[arg-type]
    with pytest.raises(InvalidLoadRequestError, match="no column 'plan'"):
        loader.load_dataframe(
            facts_frame((JAN, "A", "1", "")).drop(columns="plan"),
            FACTS,
            mode=mode,  # type: ignore[arg-type]
            keys=("month", "plan"),
        )


def test_an_unknown_write_mode_is_refused(loader: WarehouseLoader, seeded_facts: Engine) -> None:
    with pytest.raises(InvalidLoadRequestError, match="unknown write mode 'merge'"):
        loader.load_dataframe(facts_frame(), FACTS, mode="merge")  # type: ignore[arg-type]


def test_loads_in_one_transaction_commit_together(
    loader: WarehouseLoader, seeded_facts: Engine
) -> None:
    with loader.transaction() as tx:
        loader.load_dataframe(facts_frame((FEB, "B", "1", "")), FACTS, mode="append", tx=tx)
        loader.load_dataframe(
            facts_frame((JAN, "A", "7", "")),
            FACTS,
            mode="delete_insert",
            keys=["month", "plan"],
            tx=tx,
        )
        assert len(facts(seeded_facts)) == 4  # nothing visible outside before the commit

    assert [(row[1], row[2]) for row in facts(seeded_facts)] == [
        (None, Decimal("3.0000")),
        ("A", Decimal("7.0000")),
        ("A", Decimal("4.0000")),
        ("B", Decimal("1.0000")),
    ]


def test_an_error_in_the_transaction_block_rolls_every_load_back(
    loader: WarehouseLoader, seeded_facts: Engine
) -> None:
    before = facts(seeded_facts)

    def replace_then_fail() -> None:
        with loader.transaction() as tx:
            loader.load_dataframe(facts_frame(), FACTS, mode="replace", tx=tx)
            raise RuntimeError("after the load")

    with pytest.raises(RuntimeError, match="after the load"):
        replace_then_fail()

    assert facts(seeded_facts) == before
