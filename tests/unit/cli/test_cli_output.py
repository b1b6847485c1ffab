"""The terminal summary of a run: a run of several parts names each part, its rows and, for
every skipped row, totals check and rejection, the part it belongs to."""

from __future__ import annotations

import pytest
from rich.console import Console
from work_data_hub.cli.output import print_report
from work_data_hub.io.runs import RunReport

pytestmark = pytest.mark.unit


def _printed(report: RunReport) -> str:
    console = Console(width=200, record=True, color_system=None)
    print_report(console, report)
    return console.export_text()


def _report(**fields: object) -> RunReport:
    return RunReport(
        domain="branch_sales",
        table="public.branch_sales",
        execution_id="e-1",
        status="succeeded",
        file="/inbox/202411",
        rows_read=6,
        rows_loaded=5,
        rows_rejected=1,
        **fields,  # type: ignore[arg-type]
    )


def test_a_run_of_several_parts_names_each_part() -> None:
    text = _printed(
        _report(
            sources=[
                {"file": "东城.xlsx", "sheet": "销售", "rows": 4},
                {"file": "西城.xlsx", "sheet": "销售", "rows": 2},
            ],
            skipped=[
                {"file": "东城.xlsx", "sheet": "销售", "row": 7, "reason": "totals row"},
                {"file": "西城.xlsx", "sheet": "销售", "row": 5, "reason": "totals row"},
            ],
            totals=[
                {
                    "file": "西城.xlsx",
                    "sheet": "销售",
                    "column": "销售额",
                    "file_total": "10",
                    "rows_sum": "9",
                    "unreadable": 0,
                    "matches": False,
                }
            ],
            rejected=[
                {"file": "西城.xlsx", "sheet": "销售", "row": 4, "column": "日期", "reason": "bad"}
            ],
        )
    )

    lines = [" ".join(line.replace("│", " ").split()) for line in text.splitlines()]
    assert "东城.xlsx / 销售 4 rows" in lines
    assert "西城.xlsx / 销售 2 rows" in lines
    assert "rows skipped" in text
    assert "东城.xlsx / 销售 7, 西城.xlsx / 销售 5" in text
    assert "totals row 销售额 of 西城.xlsx / 销售" in text
    assert "10 DOES NOT MATCH the rows' sum 9" in text
    assert "file / sheet" in text
    assert "西城.xlsx / 销售" in text.split("rejected rows")[1]


def test_a_run_of_one_part_prints_rows_without_parts() -> None:
    text = _printed(
        _report(
            sources=[{"file": "a.xlsx", "sheet": "销售", "rows": 6}],
            skipped=[{"row": 7, "reason": "totals row"}],
            rejected=[{"row": 4, "column": "日期", "reason": "bad"}],
        )
    )

    assert "totals row ×1: rows 7" in text
    assert "file / sheet" not in text
    assert "6 rows" not in text
