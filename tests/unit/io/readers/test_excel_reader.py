"""The Excel reader on the fixture workbooks of tests/data/readers (scripts/make_test_files.py)."""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Hashable
from pathlib import Path

import pandas as pd
import pytest
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.io.readers.excel import ExcelReader, cell_text
from work_data_hub.io.sample_data import write_workbook

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parents[3] / "data" / "readers"
PERFORMANCE = SourceSpec(
    patterns=("*.xlsx",), sheet="规模明细", header_aliases={"计划号": "计划代码"}
)


def _read(
    name: str, source: SourceSpec = PERFORMANCE, reader: ExcelReader | None = None
) -> pd.DataFrame:
    return (reader or ExcelReader()).read(FIXTURES / name, source)


def _error_at(path: Path, source: SourceSpec = PERFORMANCE) -> SourceFileError:
    with pytest.raises(SourceFileError) as raised:
        ExcelReader().read(path, source)
    return raised.value


def _error(name: str, source: SourceSpec = PERFORMANCE) -> SourceFileError:
    return _error_at(FIXTURES / name, source)


def _values(frame: pd.DataFrame) -> dict[Hashable, list[object]]:
    """Return the frame's columns as lists, missing values as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("list")


def test_normal_workbook_reads_every_value_as_the_file_has_it() -> None:
    frame = _read("normal.xlsx")

    assert _values(frame) == {
        "月度": ["202411", "2024年11月", "２０２４１１"],
        "业务类型": ["企年受托", "企年投资", "职年受托"],
        "计划代码": ["00123", "P0290", None],
        "客户名称": ["  新疆某某公司 ", "null", "=1+1"],
        "流失(含待遇支付)": ["1234.5", "0", "-1.25"],
        "期末资产规模": ["¥1,234.56", "1e+20", "12345678901234"],
        "当期收益率": ["0.0509", "5.09%", None],
        "报告日期": ["2024-11-30", "2024-11-30 08:30:00", None],
        "是否有效": ["TRUE", "FALSE", None],
        SOURCE_ROW_COLUMN: [2, 3, 5],
    }
    assert all(dtype == "str" for dtype in frame.drop(columns=SOURCE_ROW_COLUMN).dtypes)
    assert frame[SOURCE_ROW_COLUMN].dtype == "int64"
    assert frame.attrs == {"sheet": "规模明细", "header_row": 1}


def test_header_below_leading_empty_rows_keeps_excel_row_numbers() -> None:
    frame = _read("leading_rows.xlsx", SourceSpec(patterns=("*",), sheet="规模明细"))

    assert list(frame.columns) == ["计划代码", "客户名称", "月度", "column_F", SOURCE_ROW_COLUMN]
    assert frame["计划代码"].tolist() == ["Z0005", "P0290"]
    assert frame[SOURCE_ROW_COLUMN].tolist() == [4, 6]
    assert _values(frame)["column_F"] == [None, "备注"]
    assert frame.attrs["header_row"] == 3


def test_nan_inf_and_error_cells_stay_visible_as_text() -> None:
    frame = _read("hostile.xlsx")

    assert frame["值"].tolist() == ["nan", "inf", "-inf", "#N/A", "#DIV/0!"]
    assert frame[SOURCE_ROW_COLUMN].tolist() == [2, 3, 4, 5, 6]


def test_header_only_sheet_reads_zero_rows_with_its_columns() -> None:
    frame = _read("header_only.xlsx")

    assert len(frame) == 0
    assert list(frame.columns) == [
        "月度",
        "业务类型",
        "计划代码",
        "客户名称",
        "流失(含待遇支付)",
        "期末资产规模",
        "当期收益率",
        "报告日期",
        "是否有效",
        SOURCE_ROW_COLUMN,
    ]


def test_small_chunks_give_the_same_frame() -> None:
    pd.testing.assert_frame_equal(
        _read("normal.xlsx", reader=ExcelReader(chunk_rows=1)), _read("normal.xlsx")
    )


def test_no_sheet_given_reads_the_first_sheet() -> None:
    frame = _read("normal.xlsx", SourceSpec(patterns=("*",)))

    assert frame.attrs["sheet"] == "规模明细"


def test_sheet_name_matches_after_cleaning() -> None:
    frame = _read("normal.xlsx", SourceSpec(patterns=("*",), sheet=" 收入明细 "))

    assert frame.attrs["sheet"] == "收入明细"
    assert frame["计划代码"].tolist() == ["Z0005"]


def test_missing_sheet_lists_the_sheets_that_exist() -> None:
    assert str(_error("wrong_sheet.xlsx")) == (
        "file 'wrong_sheet.xlsx', sheet '规模明细': no sheet named '规模明细'; "
        "the workbook has: 'Sheet1', '汇总'"
    )


def test_duplicate_headers_name_both_columns() -> None:
    error = _error("duplicate_headers.xlsx")

    assert str(error) == (
        "file 'duplicate_headers.xlsx', sheet '规模明细', row 1, column '客户名称': "
        "duplicate header '客户名称': column B ('客户名称') and column C ('客户名称 '); "
        "rename or remove one of them"
    )
    assert (error.sheet, error.row, error.column) == ("规模明细", 1, "客户名称")


def test_missing_required_column_names_it_and_the_columns_found() -> None:
    source = SourceSpec(
        patterns=("*",), sheet="规模明细", required_columns=("计划代码", "机构名称")
    )

    assert str(_error("leading_rows.xlsx", source)) == (
        "file 'leading_rows.xlsx', sheet '规模明细', row 3: missing required column(s) "
        "'机构名称'; columns found: '计划代码', '客户名称', '月度'"
    )


def test_legacy_header_satisfies_the_required_column_through_its_alias() -> None:
    source = SourceSpec(
        patterns=("*",),
        sheet="规模明细",
        required_columns=("计划代码", "流失(含待遇支付)"),
        header_aliases={"计划号": "计划代码"},
    )

    assert "计划代码" in _read("normal.xlsx", source).columns


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("empty_file.xlsx", "the file is empty (0 bytes), not an Excel workbook"),
        (
            "csv_renamed.xlsx",
            "the file is not an Excel workbook: it holds delimited text (a CSV file "
            "renamed to .xlsx?); save it as .xlsx from Excel",
        ),
        (
            "corrupt.xlsx",
            "the workbook is damaged and cannot be opened (File is not a zip file)",
        ),
    ],
)
def test_files_that_are_not_workbooks_fail_with_one_clear_message(name: str, problem: str) -> None:
    error = _error(name)

    assert str(error) == f"file {name!r}: {problem}"
    assert error.path == FIXTURES / name


def test_empty_sheet_is_an_error() -> None:
    assert str(_error("empty_sheet.xlsx")) == (
        "file 'empty_sheet.xlsx', sheet '规模明细': the sheet is empty: no header row found"
    )


def test_sheet_of_blank_cells_is_an_error(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "blank.xlsx", {"规模明细": pd.DataFrame({"": [None, None]})})

    with pytest.raises(SourceFileError, match="the sheet is empty: no header row found"):
        ExcelReader().read(path, PERFORMANCE)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError) as raised:
        ExcelReader().read(tmp_path / "gone.xlsx", PERFORMANCE)

    assert str(raised.value) == (
        "file 'gone.xlsx': the file does not exist or is not a regular file"
    )


def test_header_less_column_without_values_is_dropped(tmp_path: Path) -> None:
    frame_in = pd.DataFrame([["Z0005", None, "甲"]], columns=["计划代码", "", "客户名称"])
    path = write_workbook(tmp_path / "gap.xlsx", {"规模明细": frame_in})

    frame = ExcelReader().read(path, PERFORMANCE)

    assert list(frame.columns) == ["计划代码", "客户名称", SOURCE_ROW_COLUMN]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("", None),
        ("00123", "00123"),
        (202411.0, "202411"),
        (-0.0, "0"),
        (0.0509, "0.0509"),
        (1e15, "1000000000000000"),
        (2.0**53, "9007199254740992"),
        (2.0**53 + 2, "9007199254740994.0"),
        (1e20, "1e+20"),
        (math.nan, "nan"),
        (math.inf, "inf"),
        (7, "7"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.date(2024, 11, 30), "2024-11-30"),
        (dt.datetime(2024, 11, 30), "2024-11-30"),
        (dt.datetime(2024, 11, 30, 8, 5, 1), "2024-11-30 08:05:01"),
        (dt.time(8, 5), "08:05:00"),
        (dt.timedelta(hours=1), "1:00:00"),
    ],
)
def test_cell_text(value: object, text: str | None) -> None:
    assert cell_text(value) == text  # type: ignore[arg-type]


def test_damaged_sheet_inside_a_valid_archive_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xlsx"
    with (
        zipfile.ZipFile(FIXTURES / "normal.xlsx") as source,
        zipfile.ZipFile(path, "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(info, data)

    error = _error_at(path)

    assert str(error).startswith(
        "file 'damaged.xlsx', sheet '规模明细': the sheet is damaged and cannot be read ("
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (
            "old.xlsx",
            "the file is an encrypted workbook or an old .xls file saved under another name",
        ),
        ("old.xls", "the workbook is damaged and cannot be opened ("),
    ],
)
def test_compound_document_files_are_told_apart(tmp_path: Path, name: str, problem: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)

    assert str(_error_at(path)).startswith(f"file {name!r}: {problem}")


def test_numbers_are_read_with_the_fifteen_digits_excel_shows(tmp_path: Path) -> None:
    values = [0.1 + 0.2, 12345678901234.5678, -1 / 3, 1234567.5, 2.0**52]
    path = write_workbook(tmp_path / "digits.xlsx", {"规模明细": pd.DataFrame({"amount": values})})

    frame = ExcelReader().read(path, SourceSpec(patterns=("*.xlsx",), sheet="规模明细"))

    assert frame["amount"].tolist() == [
        "0.3",
        "12345678901234.6",
        "-0.333333333333333",
        "1234567.5",
        "4503599627370496",
    ]
