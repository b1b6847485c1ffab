"""Reasons counted by kind: the value a reason quotes is left out, the rule is kept."""

import pandas as pd
import pytest
from work_data_hub.io.runs.reasons import count_by_kind, reason_kind

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("reason", "column", "kind"),
    [
        ("日期 '2024/11/31' is not a date", "日期", "日期 … is not a date"),
        ("月度 'it''s' is not a month", "月度", "月度 … is not a month"),
        ("当期收益率 12.5 is above 10", "当期收益率", "当期收益率 … is above 10"),
        ("计划代码 is required", "计划代码", "计划代码 is required"),
        (
            "duplicate key (2024-11-04, QTAN011): same as row 44",
            "日期, 网点代码",
            "duplicate key: same as another row",
        ),
        (
            "duplicate key (2024-11-04, QTAN011): same as rows 3, 7",
            "日期, 网点代码",
            "duplicate key: same as another row",
        ),
        (
            "duplicate key (a): same as row 6, which is kept",
            "k",
            "duplicate key: same as another row, which is kept",
        ),
        (
            "当期收益率 10.0000001 is above 10; 当期收益率 10.0000001 has more than 6 places",
            "当期收益率",
            "当期收益率 … is above 10; 当期收益率 … has more than 6 places",
        ),
        ("the file says so", None, "the file says so"),
    ],
)
def test_the_kind_of_a_reason_keeps_the_rule_and_drops_the_value(
    reason: str, column: str | None, kind: str
) -> None:
    assert reason_kind(reason, column) == kind


def test_rejections_are_counted_per_kind_most_frequent_first() -> None:
    rejected = pd.DataFrame(
        {
            "source_row": [2, 3, 4, 5],
            "column": ["日期", "计划代码", "计划代码", "日期"],
            "reason": [
                "日期 'x' is not a date",
                "计划代码 is required",
                "计划代码 is required",
                "日期 '2024/13/01' is not a date",
            ],
        }
    )

    assert count_by_kind(rejected) == {"日期 … is not a date": 2, "计划代码 is required": 2}
    assert count_by_kind(rejected.iloc[:0]) == {}
