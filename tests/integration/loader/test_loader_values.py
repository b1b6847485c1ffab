"""Values and identifiers arrive verbatim: NULL vs '', exact decimals, dates, hostile text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loader_support import execute, table_rows
from sqlalchemy import Engine
from work_data_hub.io.loader import WarehouseLoader

pytestmark = pytest.mark.integration

HOSTILE_TEXT = [
    "it's",
    'say "hi"',
    "a;b",
    "x -- y",
    "'); DROP TABLE victims; --",
    "back\\slash \\N \\.",
    "line\nbreak\r\nwindows",
    "tab\there",
    "中文 ünïcødé 🎉",
    "",
    ",,,",
    "%s %(name)s %%",
]


def test_null_and_empty_string_stay_apart(loader: WarehouseLoader, wdh_engine: Engine) -> None:
    execute(wdh_engine, "CREATE TABLE notes (id integer, body text)")
    frame = pd.DataFrame(
        {"id": [1, 2, 3, 4], "body": pd.Series(["", None, " ", "NULL"], dtype="str")}
    )

    loader.load_dataframe(frame, "notes")

    assert table_rows(wdh_engine, "notes") == [(1, ""), (2, None), (3, " "), (4, "NULL")]


def test_object_columns_keep_null_and_empty_string_apart(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    execute(wdh_engine, "CREATE TABLE notes (id integer, body text)")
    frame = pd.DataFrame(
        {"id": [1, 2, 3], "body": pd.Series(["", None, float("nan")], dtype=object)}
    )

    loader.load_dataframe(frame, "notes")

    assert table_rows(wdh_engine, "notes") == [(1, ""), (2, None), (3, None)]


def test_hostile_values_are_stored_verbatim(loader: WarehouseLoader, wdh_engine: Engine) -> None:
    execute(
        wdh_engine,
        "CREATE TABLE victims (id integer)",
        "CREATE TABLE notes (id integer, body text)",
    )
    frame = pd.DataFrame({"id": range(len(HOSTILE_TEXT)), "body": HOSTILE_TEXT})

    loader.load_dataframe(frame, "notes")

    assert [body for _, body in table_rows(wdh_engine, "notes")] == HOSTILE_TEXT
    assert table_rows(wdh_engine, "victims") == []


def test_hostile_identifiers_are_quoted_never_executed(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    column = 'a"; DROP TABLE victims; --'
    table = "t; DELETE FROM victims --"
    execute(
        wdh_engine,
        "CREATE TABLE victims (id integer)",
        "INSERT INTO victims VALUES (1)",
        'CREATE SCHEMA "odd schema"',
        'CREATE TABLE "odd schema"."t; DELETE FROM victims --" '
        '(id integer PRIMARY KEY, "a""; DROP TABLE victims; --" text, "100%" text, "列 名" text)',
    )
    frame = pd.DataFrame(
        {"id": [1, 2], column: ["x", "y"], "100%": ["p", "q"], "列 名": ["甲", "乙"]}
    )

    for mode in ("append", "upsert", "delete_insert", "replace"):
        loader.load_dataframe(frame, table, schema="odd schema", mode=mode, keys=["id"])

    assert table_rows(wdh_engine, '"odd schema"."t; DELETE FROM victims --"') == [
        (1, "x", "p", "甲"),
        (2, "y", "q", "乙"),
    ]
    assert table_rows(wdh_engine, "victims") == [(1,)]


def test_decimals_are_exact(loader: WarehouseLoader, wdh_engine: Engine) -> None:
    execute(wdh_engine, "CREATE TABLE money (id integer, amount numeric(18, 4), rate numeric)")
    amounts = ["12345678901234.5678", "-0.0001", "0.1", "99999999999999.9999", "0"]
    frame = pd.DataFrame(
        {
            "id": range(5),
            "amount": [Decimal(text) for text in amounts],
            "rate": [0.1, 0.2, 0.30000000000000004, 1e-7, 123456789.123],
        }
    )

    loader.load_dataframe(frame, "money")

    rows = table_rows(wdh_engine, "money")
    assert [row[1] for row in rows] == [
        Decimal(text).quantize(Decimal("0.0001")) for text in amounts
    ]
    assert [row[2] for row in rows] == [
        Decimal("0.1"),
        Decimal("0.2"),
        Decimal("0.30000000000000004"),
        Decimal("1E-7"),
        Decimal("123456789.123"),
    ]


def test_floats_into_decimal_columns_carry_no_binary_artefacts(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    execute(wdh_engine, "CREATE TABLE money (amount numeric(18, 4))")
    values = [1.1, 2.675, 1234567.8912, 0.0001, -5.5, 1e13 + 0.25]

    loader.load_dataframe(pd.DataFrame({"amount": values}), "money")

    assert [row[0] for row in table_rows(wdh_engine, "money", "ctid")] == [
        Decimal(repr(value)).quantize(Decimal("0.0001")) for value in values
    ]


def test_dates_timestamps_booleans_and_integers(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    execute(
        wdh_engine,
        "CREATE TABLE kinds (d date, ts timestamp, tstz timestamptz, flag boolean, n bigint)",
    )
    frame = pd.DataFrame(
        {
            "d": [date(2024, 2, 29), None],
            "ts": pd.Series([pd.Timestamp("2024-01-31 12:34:56.789012"), pd.NaT]),
            "tstz": pd.Series([pd.Timestamp("2024-01-31 12:00", tz="Asia/Shanghai"), pd.NaT]),
            "flag": pd.array([True, None], dtype="boolean"),
            "n": pd.array([2**62, None], dtype="Int64"),
        }
    )

    loader.load_dataframe(frame, "kinds")

    assert table_rows(wdh_engine, "kinds", "d NULLS LAST") == [
        (
            date(2024, 2, 29),
            datetime(2024, 1, 31, 12, 34, 56, 789012),
            datetime(2024, 1, 31, 4, 0, tzinfo=UTC),
            True,
            2**62,
        ),
        (None, None, None, None, None),
    ]


def test_json_values_and_mixed_object_columns_are_written_as_text(
    loader: WarehouseLoader, wdh_engine: Engine
) -> None:
    execute(wdh_engine, "CREATE TABLE docs (id integer, doc jsonb, label text)")
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "doc": [{"名": "值", "n": [1, 2]}, None],
            "label": pd.Series([1, "x"], dtype=object),
        }
    )

    loader.load_dataframe(frame, "docs")

    assert table_rows(wdh_engine, "docs") == [(1, {"名": "值", "n": [1, 2]}, "1"), (2, None, "x")]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00")),
        ),
        max_size=20,
    )
)
def test_any_text_round_trips(
    make_loader: object, wdh_engine: Engine, values: list[str | None]
) -> None:
    loader = make_loader(copy_threshold=0)  # type: ignore[operator]
    execute(wdh_engine, "CREATE TABLE IF NOT EXISTS texts (i integer, body text)")

    loader.load_dataframe(
        pd.DataFrame({"i": range(len(values)), "body": pd.Series(values, dtype=object)}),
        "texts",
        mode="replace",
    )

    assert [body for _, body in table_rows(wdh_engine, "texts")] == values
