"""A domain without a sample generator gets a clean month from its declarations alone."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from work_data_hub.domain.columns import Column
from work_data_hub.domain.declared_sample import DEFAULT_SAMPLE_ROWS, declared_sample
from work_data_hub.domain.definition import DomainDefinition, SourceSpec
from work_data_hub.domain.pipelines import PipelineContext
from work_data_hub.domain.steps import ValidateSchema

pytestmark = pytest.mark.unit

DEFINITION = DomainDefinition(
    name="orders",
    table="orders",
    source=SourceSpec(patterns=("orders_*.csv",), file_type="csv", required_columns=("备注",)),
    keys=("month", "order_no"),
    month_column="month",
)
COLUMNS = (
    Column("month", "date", nullable=False),
    Column("order_no", nullable=False, max_length=4),
    Column("channel", isin=("web", "shop")),
    Column("amount", "decimal", precision=9, scale=2, ge=10, le=20),
    Column("rate", "decimal", precision=9, scale=6, ge=0, le=1),
    Column("units", "integer", integer_type="smallint", ge=1),
    Column("paid", "boolean"),
    Column("day", "date"),
)


def test_the_month_column_is_on_the_month_and_values_keep_their_checks() -> None:
    sample = declared_sample(DEFINITION, COLUMNS, "202402", 40, seed=3)

    assert len(sample) == 40
    assert list(sample.columns) == [*(column.name for column in COLUMNS), "备注"]
    assert set(sample["month"].astype(str)) == {"2024-02-01"}
    assert set(sample["day"].map(lambda day: (day.year, day.month))) == {(2024, 2)}
    assert sample["order_no"].is_unique
    assert set(sample["channel"]) <= {"web", "shop"}
    assert all(10 <= float(value) <= 20 for value in sample["amount"])
    assert all(len(value.split(".")[1]) == 2 for value in sample["amount"])


def test_the_same_seed_gives_the_same_rows_and_none_a_typical_month() -> None:
    first = declared_sample(DEFINITION, COLUMNS, "202411", None, seed=1)

    assert len(first) == DEFAULT_SAMPLE_ROWS
    assert first.equals(declared_sample(DEFINITION, COLUMNS, "202411", None, seed=1))


KINDS = st.sampled_from(["text", "date", "integer", "decimal", "boolean"])


@st.composite
def _column(draw: st.DrawFn, name: str) -> Column:
    kind = draw(KINDS)
    if kind == "decimal":
        scale = draw(st.integers(0, 6))
        precision = draw(st.integers(scale + 1, 18))
        largest = min(10 ** (precision - scale) - 1, 1000)
        low = draw(st.none() | st.integers(-largest, largest))
        high = draw(st.none() | st.integers(low if low is not None else -largest, largest))
        return Column(name, kind, precision=precision, scale=scale, ge=low, le=high)
    if kind == "integer":
        integer_type = draw(st.sampled_from(["bigint", "integer", "smallint"]))
        low = draw(st.none() | st.integers(-9, 9))
        high = draw(st.none() | st.integers(low if low is not None else -20, 20))
        return Column(name, kind, integer_type=integer_type, ge=low, le=high)
    if kind == "text":
        return Column(name, max_length=draw(st.none() | st.integers(3, 30)))
    return Column(name, kind, nullable=draw(st.booleans()))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 99), min_size=1, max_size=6, unique=True).flatmap(
        lambda numbers: st.tuples(*(_column(f"c{number}") for number in numbers))
    )
)
def test_every_declared_sample_passes_its_own_schema(columns: tuple[Column, ...]) -> None:
    definition = DomainDefinition(name="d", table="d", source=SourceSpec(patterns=("*.csv",)))
    sample = declared_sample(definition, columns, "202411", 25, seed=5)

    context = PipelineContext("d", "sample", dt.datetime(2024, 12, 1, tzinfo=dt.UTC))

    valid = ValidateSchema(columns).execute(sample.astype(object), context)

    assert len(valid) == len(sample) == 25
