"""The rejects file: CSV lines a business user can act on, and a workbook of the source rows
with the bad cells highlighted."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.io.runs.rejects_export import (
    EXPORT_COLUMNS,
    RejectsSource,
    cell_text,
    rejects_table,
    write_rejects,
)

pytestmark = pytest.mark.unit


def _source(path: Path) -> RejectsSource:
    frame = pd.DataFrame(
        {
            "日期": [
                "2024/11/31",
                dt.datetime(2024, 11, 4),
                dt.datetime(2024, 11, 4),
                "2024-11-05",
            ],
            "网点代码": ["qtan011", "QTAN011", " qtan011", "QTAN012"],
            "金额": [1234.5, 10.0, 20.0, "abc"],
            SOURCE_ROW_COLUMN: [2, 3, 4, 5],
        }
    )
    return RejectsSource(path, "销售明细", lambda: frame)


def _rejected() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_row": [2, 3, 4, 5],
            "column": ["日期", "日期, 网点代码", "日期, 网点代码", "amount"],
            "reason": [
                "日期 '2024/11/31' is not a date",
                "duplicate key (2024-11-04, QTAN011): same as row 4",
                "duplicate key (2024-11-04, QTAN011): same as row 3",
                "amount 'abc' is not an amount",
            ],
            "raw": [{"日期": "2024/11/31"}, {}, {}, {"amount": "abc"}],
        }
    )


def test_the_csv_names_file_sheet_row_column_value_and_reason(tmp_path: Path) -> None:
    target = tmp_path / "out" / "rejects.csv"

    write_rejects(target, _rejected(), _source(tmp_path / "branch.xlsx"))

    with target.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines == [
        list(EXPORT_COLUMNS),
        ["branch.xlsx", "销售明细", "2", "日期", "2024/11/31", "日期 '2024/11/31' is not a date"],
        [
            "branch.xlsx",
            "销售明细",
            "3",
            "日期, 网点代码",
            "2024-11-04, QTAN011",
            "duplicate key (2024-11-04, QTAN011): same as row 4",
        ],
        [
            "branch.xlsx",
            "销售明细",
            "4",
            "日期, 网点代码",
            "2024-11-04,  qtan011",
            "duplicate key (2024-11-04, QTAN011): same as row 3",
        ],
        ["branch.xlsx", "销售明细", "5", "amount", "abc", "amount 'abc' is not an amount"],
    ]


def test_the_workbook_holds_the_source_rows_with_reasons_and_highlights(tmp_path: Path) -> None:
    target = tmp_path / "rejects.xlsx"

    write_rejects(target, _rejected(), _source(tmp_path / "branch.xlsx"))

    workbook = CalamineWorkbook.from_path(str(target))
    assert workbook.sheet_names == ["销售明细"]
    rows = workbook.get_sheet_by_name("销售明细").to_python()
    assert rows == [
        ["日期", "网点代码", "金额", "source row", "rejected because"],
        ["2024/11/31", "qtan011", 1234.5, 2.0, "日期 '2024/11/31' is not a date"],
        [
            dt.date(2024, 11, 4),
            "QTAN011",
            10.0,
            3.0,
            "duplicate key (2024-11-04, QTAN011): same as row 4",
        ],
        [
            dt.date(2024, 11, 4),
            " qtan011",
            20.0,
            4.0,
            "duplicate key (2024-11-04, QTAN011): same as row 3",
        ],
        ["2024-11-05", "QTAN012", "abc", 5.0, "amount 'abc' is not an amount"],
    ]


def test_highlighted_cells_are_the_rejected_ones(tmp_path: Path) -> None:
    target = tmp_path / "rejects.xlsx"

    write_rejects(target, _rejected(), _source(tmp_path / "branch.xlsx"))

    assert _highlighted(target) == {"A2", "A3", "B3", "A4", "B4"}


def _highlighted(workbook: Path) -> set[str]:
    """Cells of the first sheet whose style has a fill (read from the workbook's XML)."""
    with zipfile.ZipFile(workbook) as archive:
        styles = archive.read("xl/styles.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    fills = re.findall(r"<xf [^>]*?/?>", styles.split("<cellXfs")[1].split("</cellXfs>")[0])
    filled = {i for i, xf in enumerate(fills) if 'fillId="0"' not in xf and "fillId" in xf}
    cells = re.findall(r'<c r="([A-Z]+[0-9]+)"(?: s="([0-9]+)")?', sheet)
    return {ref for ref, style in cells if style and int(style) in filled}


def test_no_rejects_gives_a_header_only(tmp_path: Path) -> None:
    target = tmp_path / "rejects.csv"
    empty = _rejected().iloc[0:0]

    write_rejects(target, empty, _source(tmp_path / "branch.xlsx"))

    assert target.read_text(encoding="utf-8-sig").splitlines() == [",".join(EXPORT_COLUMNS)]
    assert rejects_table(empty, _source(tmp_path / "b.xlsx")).columns.tolist() == list(
        EXPORT_COLUMNS
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (10.0, "10"),
        (1234.5, "1234.5"),
        (Decimal("0.0509"), "0.0509"),
        (dt.datetime(2024, 11, 5), "2024-11-05"),
        (dt.datetime(2024, 11, 5, 9, 30), "2024-11-05 09:30:00"),
        (dt.date(2024, 11, 5), "2024-11-05"),
        ("2024/11/31", "2024/11/31"),
    ],
)
def test_cell_text_is_what_a_person_reads(value: object, text: str) -> None:
    assert cell_text(value) == text
