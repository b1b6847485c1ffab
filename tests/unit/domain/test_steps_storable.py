from datetime import UTC, datetime

import pandas as pd
import pytest
from work_data_hub.domain.pipelines import PipelineContext, RowValidationError
from work_data_hub.domain.steps import RejectUnstorableText

pytestmark = pytest.mark.unit

CONTEXT = PipelineContext("test", "run-1", datetime(2026, 11, 25, tzinfo=UTC))


def test_rows_with_a_nul_character_are_rejected_per_column() -> None:
    data = pd.DataFrame(
        {
            "name": ["ok", "bad\x00name", "fine", "x\x00"],
            "code": ["A", "B", "C\x00", "D\x00"],
            "wdh_source_row": [2, 3, 4, 5],
        }
    )

    with pytest.raises(RowValidationError) as raised:
        RejectUnstorableText().execute(data, CONTEXT)

    assert raised.value.valid["wdh_source_row"].tolist() == [2]
    rejected = raised.value.rejected
    assert list(zip(rejected["source_row"], rejected["column"], strict=True)) == [
        (3, "name"),
        (4, "code"),
        (5, "name"),
        (5, "code"),
    ]
    assert rejected["reason"].iloc[0] == (
        "name contains a NUL character (U+0000), which the warehouse cannot store"
    )


def test_clean_text_passes_unchanged() -> None:
    data = pd.DataFrame({"name": ["a", None, "c"], "amount": [1.0, 2.0, None]})

    assert RejectUnstorableText().execute(data, CONTEXT) is data
