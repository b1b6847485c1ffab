"""Golden test: the sample file through every step, compared cell by cell with the golden files.

After a deliberate change (columns, steps, rules or the sample), rewrite the golden files with
``WDH_UPDATE_GOLDEN=1 pytest tests/unit`` and check every changed row before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from work_data_hub.testing.domain_runner import assert_golden, transform_file
from workdatahub_sample_csv.plugin import PLUGIN

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[1] / "data"
SAMPLE = DATA / "sample_csv_202411.csv"


def test_every_valid_row_comes_out_as_the_golden_file_says() -> None:
    result = transform_file(PLUGIN, SAMPLE)
    assert_golden(result.valid, DATA / "expected_rows.csv")


def test_every_rejected_row_names_its_row_column_and_reason() -> None:
    result = transform_file(PLUGIN, SAMPLE)
    assert_golden(result.rejected, DATA / "expected_rejections.csv")


def test_no_row_is_lost() -> None:
    result = transform_file(PLUGIN, SAMPLE)
    rejected_rows = result.rejected["source_row"].nunique()
    assert len(result.valid) + rejected_rows == result.rows_read
