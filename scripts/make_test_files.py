"""Regenerate the reader fixtures in tests/data/readers/: `python scripts/make_test_files.py`.

Each file holds one situation the reader tests assert on exactly; the tests document
what each file contains, so keep both in step when changing a file here.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd
import xlsxwriter
from work_data_hub.io.sample_data import write_csv, write_workbook

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "readers"

NORMAL_PERFORMANCE = pd.DataFrame(
    {
        "月度": [202411, "2024年11月", None, "２０２４１１"],
        " 业务类型 ": ["企年受托", "企年投资", None, "职年受托"],
        "计划号": ["00123", "P0290", None, None],
        "客户名称": ["  新疆某某公司 ", "null", None, "=1+1"],
        "流失（含待遇支付）": [1234.5, 0, None, -1.25],
        "期末资产规模": ["¥1,234.56", 1e20, None, 12345678901234.0],
        "当期收益率": [0.0509, "5.09%", None, None],
        "报告日期": [dt.date(2024, 11, 30), dt.datetime(2024, 11, 30, 8, 30), None, None],
        "是否有效": [True, False, None, None],
    }
)
NORMAL_INCOME = pd.DataFrame({"月度": [202411], "计划代码": ["Z0005"], "固费": [12.5]})


def _normal(path: Path) -> None:
    write_workbook(path, {"规模明细": NORMAL_PERFORMANCE, "收入明细": NORMAL_INCOME})


def _leading_rows(path: Path) -> None:
    """Header on row 3 from column B, an empty row 5 and a value in column F without a header."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": dt.datetime(2000, 1, 1)})
    sheet = workbook.add_worksheet("规模明细")
    sheet.write_row(2, 1, ["计划代码", "客户名称", "", "月度"])
    sheet.write_row(3, 1, ["Z0005", "甲公司", "", "202411"])
    sheet.write_row(5, 1, ["P0290", "乙公司", "", "202411"])
    sheet.write_string(5, 5, "备注")
    workbook.close()


def _hostile(path: Path) -> None:
    """Cells holding NaN, INF and -INF as numbers, and the errors #N/A and #DIV/0!."""
    frame = pd.DataFrame(
        {"值": [111111, 222222, 333333, 444444, 555555], "行": ["a", "b", "c", "d", "e"]}
    )
    write_workbook(path, {"规模明细": frame})
    with zipfile.ZipFile(path) as archive:
        members = {info: archive.read(info) for info in archive.infolist()}
    replacements = {
        b"<v>111111</v>": b"<v>NaN</v>",
        b"<v>222222</v>": b"<v>INF</v>",
        b"<v>333333</v>": b"<v>-INF</v>",
        b'<c r="A5"><v>444444</v>': b'<c r="A5" t="e"><f>NA()</f><v>#N/A</v>',
        b'<c r="A6"><v>555555</v>': b'<c r="A6" t="e"><v>#DIV/0!</v>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                for old, new in replacements.items():
                    assert data.count(old) == 1, old
                    data = data.replace(old, new)
            archive.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def _duplicate_headers(path: Path) -> None:
    frame = pd.DataFrame(
        [["Z0005", "甲公司", "乙公司"]], columns=["计划代码", "客户名称", "客户名称 "]
    )
    write_workbook(path, {"规模明细": frame})


CSV_FRAME = pd.DataFrame(
    {
        "月度": ["202411", "2024-11", None, "24年11月"],
        "计划代码": ["00123", "P0290", None, "1P0807"],
        "客户名称": ["新疆某某公司", "多行\n名称", None, "乙公司"],
        "流失（含待遇支付）": ["1,234.50", "", None, "-0.5"],
    }
)


def main() -> None:
    """Write every fixture file, replacing the old ones."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    _normal(FIXTURES / "normal.xlsx")
    _leading_rows(FIXTURES / "leading_rows.xlsx")
    _hostile(FIXTURES / "hostile.xlsx")
    _duplicate_headers(FIXTURES / "duplicate_headers.xlsx")
    write_workbook(FIXTURES / "header_only.xlsx", {"规模明细": NORMAL_PERFORMANCE.head(0)})
    write_workbook(FIXTURES / "empty_sheet.xlsx", {"规模明细": pd.DataFrame()})
    write_workbook(FIXTURES / "wrong_sheet.xlsx", {"Sheet1": NORMAL_INCOME, "汇总": NORMAL_INCOME})
    normal = (FIXTURES / "normal.xlsx").read_bytes()
    (FIXTURES / "corrupt.xlsx").write_bytes(normal[: len(normal) // 2])
    write_csv(FIXTURES / "csv_renamed.xlsx", CSV_FRAME)
    (FIXTURES / "empty_file.xlsx").write_bytes(b"")
    write_csv(FIXTURES / "gb18030.csv", CSV_FRAME, encoding="gb18030")
    write_csv(FIXTURES / "utf8_bom.csv", CSV_FRAME, encoding="utf-8-sig", delimiter=";")


if __name__ == "__main__":
    main()
