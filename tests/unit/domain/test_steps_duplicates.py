"""Duplicate keys in one file: rejected with the key and the other row, by the declared policy."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import PipelineContext, RowValidationError
from work_data_hub.domain.steps import RejectDuplicateKeys, build_step
from work_data_hub.domain.steps.duplicates import key_value_text

pytestmark = pytest.mark.unit


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            SOURCE_ROW_COLUMN: [2, 44, 45, 46, 47, 48],
            "日期": pd.to_datetime(
                ["2024-11-04", "2024-11-04", "2024-11-05", "2024-11-04", "2024-11-05", None]
            ),
            "code": ["QTAN011", "QTAN012", "QTAN011", "QTAN011", "QTAN011", "QTAN011"],
            "amount": [1, 2, 3, 4, 5, 6],
        }
    )


def _rejected(policy: str, context: PipelineContext) -> tuple[list[int], list[int], list[str]]:
    with pytest.raises(RowValidationError) as raised:
        RejectDuplicateKeys(["日期", "code"], policy).execute(_frame(), context)  # type: ignore[arg-type]
    rejected = raised.value.rejected
    kept = raised.value.valid[SOURCE_ROW_COLUMN].tolist()
    return kept, rejected["source_row"].tolist(), rejected["reason"].tolist()


def test_reject_rejects_every_row_of_a_repeated_key_naming_the_other(
    context: PipelineContext,
) -> None:
    kept, rows, reasons = _rejected("reject", context)

    assert kept == [44, 48]
    assert rows == [2, 45, 46, 47]
    assert reasons == [
        "duplicate key (2024-11-04, QTAN011): same as row 46",
        "duplicate key (2024-11-05, QTAN011): same as row 47",
        "duplicate key (2024-11-04, QTAN011): same as row 2",
        "duplicate key (2024-11-05, QTAN011): same as row 45",
    ]


def test_first_and_last_keep_one_row_of_each_key(context: PipelineContext) -> None:
    assert _rejected("first", context) == (
        [2, 44, 45, 48],
        [46, 47],
        [
            "duplicate key (2024-11-04, QTAN011): same as row 2, which is kept",
            "duplicate key (2024-11-05, QTAN011): same as row 45, which is kept",
        ],
    )
    assert _rejected("last", context) == (
        [44, 46, 47, 48],
        [2, 45],
        [
            "duplicate key (2024-11-04, QTAN011): same as row 46, which is kept",
            "duplicate key (2024-11-05, QTAN011): same as row 47, which is kept",
        ],
    )


def test_three_rows_of_one_key_name_both_others(context: PipelineContext) -> None:
    data = pd.DataFrame({SOURCE_ROW_COLUMN: [5, 6, 7], "k": ["a", "a", "a"]})

    with pytest.raises(RowValidationError) as raised:
        build_step({"step": "reject_duplicate_keys", "key": ["k"]}).execute(data, context)

    assert raised.value.rejected["reason"].tolist() == [
        "duplicate key (a): same as rows 6, 7",
        "duplicate key (a): same as rows 5, 7",
        "duplicate key (a): same as rows 5, 6",
    ]
    assert raised.value.rejected["column"].tolist() == ["k"] * 3


def test_unique_keys_and_missing_key_values_pass_unchanged(context: PipelineContext) -> None:
    data = pd.DataFrame({"k": ["a", "b", None, None]})

    assert RejectDuplicateKeys(["k"]).execute(data, context) is data


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="policy must be 'reject', 'first' or 'last'"):
        RejectDuplicateKeys(["k"], "newest")  # type: ignore[arg-type]


def test_key_values_read_as_people_write_them() -> None:
    assert [
        key_value_text(v)
        for v in [pd.Timestamp("2024-11-04"), dt.date(2024, 1, 2), Decimal("12.50"), 7, "X"]
    ] == ["2024-11-04", "2024-01-02", "12.5", "7", "X"]
