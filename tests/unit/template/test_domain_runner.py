"""The helpers generated domain packages test themselves with: transform_file and golden files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec
from work_data_hub.plugins.errors import PluginLoadError
from work_data_hub.testing.domain_runner import (
    UPDATE_GOLDEN_VARIABLE,
    assert_golden,
    rows_as_text,
    transform_file,
    write_sample_file,
)

pytestmark = pytest.mark.unit

ROWS = pd.DataFrame(
    {
        "month": ["2024-11", "202411", "2024-13"],
        "amount": ["1,234.50", "", "7"],
        "code": ["A1", "A2", "A3"],
    }
)


LEDGER = Domain(
    definition=DomainDefinition(
        name="ledger",
        table="ledger",
        source=SourceSpec(patterns=("ledger_*.csv",), file_type="csv"),
    ),
    columns=(
        Column("month", "date", nullable=False),
        Column("code", nullable=False),
        Column("amount", "decimal", precision=18, scale=2),
    ),
    steps=(
        {"step": "parse_month", "column": "month"},
        {"step": "clean_money", "columns": ["amount"]},
    ),
)
"""A CSV domain declared in the test: month and code required, amounts cleaned."""


def test_transform_file_returns_cast_valid_rows_and_rejections_by_source_row(
    tmp_path: Path,
) -> None:
    sample = write_sample_file(tmp_path / "ledger_202411.csv", ROWS)

    result = transform_file(LEDGER, sample)

    assert result.rows_read == 3
    assert list(result.valid.columns) == ["wdh_source_row", "month", "code", "amount"]
    assert rows_as_text(result.valid).values.tolist() == [
        ["2", "2024-11-01", "A1", "1234.5"],
        ["3", "2024-11-01", "A2", ""],
    ]
    assert result.rejected.values.tolist() == [[4, "month", "month '2024-13' is not a month"]]


def test_transform_file_refuses_a_plugin_that_breaks_the_contract(tmp_path: Path) -> None:
    no_columns = Domain(definition=LEDGER.definition, columns=())

    with pytest.raises(PluginLoadError, match="columns must be a sequence of Column"):
        transform_file(no_columns, write_sample_file(tmp_path / "ledger_1.csv", ROWS))


def test_database_values_and_dataframe_values_render_alike() -> None:
    from_database = pd.DataFrame(
        {"day": [dt.date(2024, 11, 1), None], "amount": [Decimal("1234.50"), None]}, dtype=object
    )
    from_steps = pd.DataFrame(
        {
            "day": pd.Series([pd.Timestamp(2024, 11, 1), pd.NaT], dtype="datetime64[us]"),
            "amount": pd.Series([1234.5, None], dtype="float64"),
        }
    )
    assert rows_as_text(from_database).equals(rows_as_text(from_steps))
    assert rows_as_text(from_steps).values.tolist() == [["2024-11-01", "1234.5"], ["", ""]]


def test_assert_golden_fails_on_a_difference_and_names_how_to_rewrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    golden = tmp_path / "expected.csv"
    golden.write_text("code,amount\nA1,1.5\n", "utf-8")
    monkeypatch.delenv(UPDATE_GOLDEN_VARIABLE, raising=False)

    assert_golden(pd.DataFrame({"code": ["A1"], "amount": [1.5]}), golden)
    with pytest.raises(AssertionError, match=f"{UPDATE_GOLDEN_VARIABLE}=1 rewrites it"):
        assert_golden(pd.DataFrame({"code": ["A1"], "amount": [2.5]}), golden)
    with pytest.raises(AssertionError, match="does not exist"):
        assert_golden(pd.DataFrame({"code": ["A1"]}), tmp_path / "missing.csv")


def test_assert_golden_rewrites_the_file_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    golden = tmp_path / "expected.csv"
    monkeypatch.setenv(UPDATE_GOLDEN_VARIABLE, "1")

    assert_golden(pd.DataFrame({"code": ["A1", None], "amount": [2.5, None]}), golden)

    assert golden.read_text("utf-8") == "code,amount\nA1,2.5\n,\n"
