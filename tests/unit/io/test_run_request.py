"""A RunRequest checks itself: a file, a month, or both; a month is YYYYMM."""

from pathlib import Path

import pytest
from work_data_hub.io.runs import InvalidRunRequest, RunFailed, RunRequest

pytestmark = pytest.mark.unit


def test_a_request_needs_a_file_or_a_month() -> None:
    with pytest.raises(InvalidRunRequest, match="give a file, a month"):
        RunRequest("annuity_performance")


@pytest.mark.parametrize("month", ["2024-11", "202413", "20241", "abcdef"])
def test_a_malformed_month_is_refused_naming_it(month: str) -> None:
    with pytest.raises(InvalidRunRequest, match=repr(month)):
        RunRequest("annuity_performance", month=month)


def test_good_requests_are_kept_as_given() -> None:
    both = RunRequest("d", file=Path("f.xlsx"), month="202411")

    assert (both.file, both.month) == (Path("f.xlsx"), "202411")
    assert RunRequest("d", month="202412").file is None
    assert issubclass(InvalidRunRequest, RunFailed)
