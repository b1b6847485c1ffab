"""Both readers find the table in a hand-made report: titles above, totals and notes below."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest
import xlsxwriter
import xlwt
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SKIPPED_ROWS, TITLE_ROWS, TOTALS_ROW, SourceFileError
from work_data_hub.io.readers.csv import CsvReader
from work_data_hub.io.readers.excel import ExcelReader

pytestmark = pytest.mark.unit

REPORT = [
    ["2024年11月 网点销售报表"],
    ["报告日期：2024-11-30", None, "单位：元"],
    [],
    ["日期", "网点代码", "销售额"],
    ["2024-11-04", "QTAN011", "1,200.50"],
    ["2024-11-05", "QTAN012", "300"],
    ["合 计：", None, "1,500.50"],
    [],
    ["制表人：张三"],
]
"""A title, a report date and a blank row above the header; a totals row and a note below."""

SALES = SourceSpec(
    patterns=("*.xlsx",), required_columns=("日期", "网点代码", "销售额"), file_type="excel"
)


def _xlsx(path: Path, rows: Sequence[Sequence[object]], merges: Sequence[str] = ()) -> Path:
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("明细")
    for number, cells in enumerate(rows):
        sheet.write_row(number, 0, list(cells))
    for merge in merges:
        first = sheet_cell(rows, merge.split(":")[0])
        sheet.merge_range(merge, first)
    workbook.close()
    return path


def sheet_cell(rows: Sequence[Sequence[object]], cell: str) -> object:
    """The value ``rows`` hold at an A1 reference (for the first cell of a merged range)."""
    column, row = ord(cell[0]) - ord("A"), int(cell[1:]) - 1
    return rows[row][column] if column < len(rows[row]) else None


def _csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["" if cell is None else cell for cell in row] for row in rows]
        )
    return path


def _read(tmp_path: Path, kind: str, rows: Sequence[Sequence[object]], source: SourceSpec):
    if kind == "excel":
        return ExcelReader().read(_xlsx(tmp_path / "report.xlsx", rows), source)
    return CsvReader().read(_csv(tmp_path / "report.csv", rows), source)


@pytest.mark.parametrize("kind", ["excel", "csv"])
def test_the_header_is_found_under_the_titles_and_the_totals_row_is_skipped(
    tmp_path: Path, kind: str
) -> None:
    frame = _read(tmp_path, kind, REPORT, SALES)

    assert frame["网点代码"].tolist()[:2] == ["QTAN011", "QTAN012"]
    assert frame["销售额"].tolist()[:2] == ["1,200.50", "300"]
    assert frame["日期"].tolist() == ["2024-11-04", "2024-11-05", "制表人：张三"]
    assert frame[SOURCE_ROW_COLUMN].tolist() == [5, 6, 9]
    assert frame.attrs["header_row"] == 4
    assert frame.attrs[TITLE_ROWS] == [
        (1, "2024年11月 网点销售报表"),
        (2, "报告日期：2024-11-30 单位：元"),
    ]
    assert frame.attrs[SKIPPED_ROWS] == [(7, "totals row")]
    assert frame.attrs[TOTALS_ROW] == {"日期": "合 计：", "网点代码": None, "销售额": "1,500.50"}


@pytest.mark.parametrize("kind", ["excel", "csv"])
def test_a_blank_row_can_end_the_table(tmp_path: Path, kind: str) -> None:
    source = SourceSpec(patterns=("*",), required_columns=("日期",), end_at_blank_row=True)

    frame = _read(tmp_path, kind, REPORT, source)

    assert frame[SOURCE_ROW_COLUMN].tolist() == [5, 6]
    assert frame.attrs[SKIPPED_ROWS] == [(7, "totals row"), (9, "below the table (blank row 8)")]


def test_a_declared_header_row_wins_over_the_search(tmp_path: Path) -> None:
    rows = [["日期", "说明"], ["x", "y"], ["日期", "网点代码", "销售额"], ["2024-11-04", "A", "1"]]
    source = SourceSpec(patterns=("*",), header_row=3)

    frame = ExcelReader().read(_xlsx(tmp_path / "declared.xlsx", rows), source)

    assert list(frame.columns) == ["日期", "网点代码", "销售额", SOURCE_ROW_COLUMN]
    assert frame.attrs[TITLE_ROWS] == [(1, "日期 说明"), (2, "x y")]


def test_without_required_columns_the_first_row_is_the_header(tmp_path: Path) -> None:
    frame = ExcelReader().read(_xlsx(tmp_path / "plain.xlsx", REPORT[3:7]), SourceSpec(("*",)))

    assert frame.attrs["header_row"] == 1
    assert TITLE_ROWS not in frame.attrs
    assert frame.attrs[SKIPPED_ROWS] == [(4, "totals row")]


def test_no_row_with_the_required_columns_names_what_is_missing(tmp_path: Path) -> None:
    source = SourceSpec(patterns=("*",), required_columns=("日期", "金额"))

    with pytest.raises(SourceFileError, match=r"row 4: missing required column\(s\) '金额';"):
        ExcelReader().read(_xlsx(tmp_path / "missing.xlsx", REPORT), source)


def test_merged_header_rows_join_into_one_name_per_column(tmp_path: Path) -> None:
    rows = [
        ["月度", "规模", None, "计划代码"],
        [None, "期初", "期末", None],
        ["202411", "1", "2", "P1"],
    ]
    source = SourceSpec(patterns=("*",), header_rows=2, required_columns=("规模-期末",))
    path = _xlsx(tmp_path / "merged.xlsx", rows, merges=["B1:C1", "A1:A2", "D1:D2"])

    frame = ExcelReader().read(path, source)

    assert list(frame.columns) == ["月度", "规模-期初", "规模-期末", "计划代码", SOURCE_ROW_COLUMN]
    assert frame.iloc[0, :4].tolist() == ["202411", "1", "2", "P1"]
    assert frame[SOURCE_ROW_COLUMN].tolist() == [3]


def test_declared_markers_replace_the_default_ones(tmp_path: Path) -> None:
    rows = [["名称", "金额"], ["合计", "1"], ["Total", "1"]]
    source = SourceSpec(patterns=("*",), totals_markers=("total",))

    frame = ExcelReader().read(_xlsx(tmp_path / "markers.xlsx", rows), source)

    assert frame["名称"].tolist() == ["合计"]
    assert frame.attrs[SKIPPED_ROWS] == [(3, "totals row")]


def test_a_cell_merely_containing_a_marker_is_data(tmp_path: Path) -> None:
    rows = [["名称", "金额"], ["合计公司", "1"], ["小计划", "2"]]

    frame = ExcelReader().read(_xlsx(tmp_path / "names.xlsx", rows), SourceSpec(("*",)))

    assert frame["名称"].tolist() == ["合计公司", "小计划"]
    assert SKIPPED_ROWS not in frame.attrs


def test_a_header_row_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="1-based"):
        SourceSpec(patterns=("*",), header_row=0)


def test_frames_without_layout_keep_their_attributes_unchanged(tmp_path: Path) -> None:
    frame = ExcelReader().read(_xlsx(tmp_path / "bare.xlsx", [["a"], ["1"]]), SourceSpec(("*",)))

    assert set(frame.attrs) == {"sheet", "header_row"}


def _xls(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """An Excel 97-2003 workbook (BIFF8), as older report tools still save them."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("明细")
    for number, cells in enumerate(rows):
        for position, value in enumerate(cells):
            if value is not None:
                sheet.write(number, position, value)
    workbook.save(str(path))
    return path


@pytest.mark.parametrize("suffix", [".xls", ".xlsm"])
def test_older_and_macro_enabled_workbooks_read_with_the_same_layout(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"report{suffix}"
    (_xls if suffix == ".xls" else _xlsx)(path, REPORT)

    frame = ExcelReader().read(path, SALES)

    assert frame["网点代码"].tolist()[:2] == ["QTAN011", "QTAN012"]
    assert frame[SOURCE_ROW_COLUMN].tolist() == [5, 6, 9]
    assert frame.attrs[SKIPPED_ROWS] == [(7, "totals row")]
    assert frame.attrs[TITLE_ROWS][0] == (1, "2024年11月 网点销售报表")
