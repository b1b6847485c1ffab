"""Fitting a frame to a table: projection, required columns, and requests refused up front."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.loader import (
    InvalidLoadRequestError,
    MissingRequiredColumnsError,
    WarehouseLoader,
)
from work_data_hub.io.loader.table_schema import (
    TableColumn,
    check_required_columns,
    project_frame,
    qualified_name,
)

pytestmark = pytest.mark.unit

COLUMNS = (
    TableColumn("id", "bigint", nullable=False, has_default=True, read_only=True),
    TableColumn("month", "date", nullable=False, has_default=False, read_only=False),
    TableColumn("plan", "text", nullable=True, has_default=False, read_only=False),
    TableColumn("loaded_at", "timestamp with time zone", False, has_default=True, read_only=False),
)


def test_projection_keeps_writable_table_columns_in_table_order() -> None:
    frame = pd.DataFrame({"plan": ["A"], "extra": [1], "id": [9], "month": ["2024-01-01"], 3: [0]})

    projected, dropped = project_frame(frame, COLUMNS)

    assert list(projected.columns) == ["month", "plan"]
    assert dropped == ("extra", "id", "3")
    assert list(frame.columns) == ["plan", "extra", "id", "month", 3]


def test_duplicate_column_names_are_refused() -> None:
    frame = pd.DataFrame([[1, 2]], columns=["plan", "plan"])

    with pytest.raises(InvalidLoadRequestError, match="more than one column named 'plan'"):
        project_frame(frame, COLUMNS)


def test_required_means_not_null_without_default_and_writable() -> None:
    assert [column.name for column in COLUMNS if column.required] == ["month"]


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(MissingRequiredColumnsError, match="no column 'month'") as raised:
        check_required_columns(pd.DataFrame({"plan": ["A"]}), COLUMNS, '"public"."facts"')

    assert raised.value.columns == ("month",)
    assert raised.value.table == '"public"."facts"'
    assert "nothing was written" in str(raised.value)


def test_qualified_names_are_quoted_like_sql() -> None:
    assert qualified_name("odd schema", 'a"b') == '"odd schema"."a""b"'


@pytest.mark.parametrize(
    ("mode", "keys", "message"),
    [
        ("merge", (), "unknown write mode 'merge'"),
        ("upsert", (), "'upsert' needs keys"),
        ("delete_insert", (), "'delete_insert' needs keys"),
    ],
)
def test_inconsistent_requests_are_refused_before_connecting(
    mode: str, keys: tuple[str, ...], message: str
) -> None:
    loader = WarehouseLoader(create_engine_for("postgresql://nobody@127.0.0.1:1/nowhere"))

    with pytest.raises(InvalidLoadRequestError, match=message):
        loader.load_dataframe(pd.DataFrame({"a": [1]}), "t", mode=mode, keys=keys)  # type: ignore[arg-type]


def test_a_loader_never_shows_its_password() -> None:
    loader = WarehouseLoader(create_engine_for("postgres://etl:hunter2@db:5432/warehouse"))

    assert repr(loader) == "WarehouseLoader(postgresql+psycopg2://etl:***@db:5432/warehouse)"
    assert loader.engine.url.drivername == "postgresql+psycopg2"


def test_an_engine_on_another_driver_is_refused() -> None:
    with pytest.raises(InvalidLoadRequestError, match="psycopg2"):
        WarehouseLoader(sa.create_engine("sqlite://"))
