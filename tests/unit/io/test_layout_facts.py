"""The run's view of a sheet's layout: title rows, skipped rows, the totals row checked."""

from pathlib import Path

import pandas as pd
import pytest
from work_data_hub.domain.readers import SKIPPED_ROWS, TITLE_ROWS, TOTALS_ROW, SourceFileError
from work_data_hub.io.runs.layout_facts import check_totals, skipped_rows, title_rows

pytestmark = pytest.mark.unit

FILE = Path("网点销售_202411.xlsx")


def _raw(amounts: list[str | None], total: str | None) -> pd.DataFrame:
    frame = pd.DataFrame({"销售额": pd.Series(amounts, dtype="str")})
    frame.attrs[TOTALS_ROW] = {"销售额": total}
    return frame


def test_a_totals_row_equal_to_the_exact_sum_matches() -> None:
    [check] = check_totals(_raw(["0.1", "0.2", "1,000.00", None], "1,000.3"), ["销售额"], file=FILE)

    assert check.to_json() == {
        "column": "销售额",
        "file_total": "1000.3",
        "rows_sum": "1000.30",
        "unreadable": 0,
        "matches": True,
    }


def test_a_different_total_does_not_match_and_unreadable_values_are_counted() -> None:
    raw = _raw(["100", "abc", "--"], "150")

    [check] = check_totals(raw, ["销售额"], file=FILE, null_markers={"销售额": ["--"]})

    assert (check.rows_sum, check.unreadable, check.matches) == ("100", 1, False)


def test_a_totals_row_without_a_number_never_matches() -> None:
    [check] = check_totals(_raw(["1"], None), ["销售额"], file=FILE)

    assert (check.file_total, check.matches) == (None, False)


def test_no_totals_row_or_no_declared_column_checks_nothing() -> None:
    assert check_totals(pd.DataFrame({"销售额": ["1"]}), ["销售额"], file=FILE) == []
    assert check_totals(_raw(["1"], "1"), [], file=FILE) == []


def test_a_declared_column_the_file_lacks_is_an_error_naming_it() -> None:
    with pytest.raises(SourceFileError, match="totals column '金额' is not a column of the file"):
        check_totals(_raw(["1"], "1"), ["金额"], file=FILE)


def test_title_and_skipped_rows_are_reported_as_entries() -> None:
    frame = pd.DataFrame()
    frame.attrs[TITLE_ROWS] = [(1, "2024年11月 网点销售日报")]
    frame.attrs[SKIPPED_ROWS] = [(10, "totals row")]

    assert title_rows(frame) == [{"row": 1, "text": "2024年11月 网点销售日报"}]
    assert skipped_rows(frame) == [{"row": 10, "reason": "totals row"}]
    assert title_rows(pd.DataFrame()) == skipped_rows(pd.DataFrame()) == []
