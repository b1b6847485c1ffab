"""Regenerate the bad-input corpus in tests/data/bad/: `python scripts/make_bad_files.py`.

Every file is a 规模明细 workbook (the annuity_performance sheet) with one kind of damage, built
from the same clean 50-row sheet, so that a test can state exactly which rows fail and why.
The outcome of each file is documented in docs/reliability.md and asserted by
tests/integration/reliability/test_bad_inputs.py; keep the three in step.

The same run of this script always writes the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from work_data_hub.io.sample_data import write_csv, write_workbook

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "bad"
SHEET = "规模明细"
ROWS = 50
"""Rows of the clean sheet; two bad rows stay under the domain's 5 % rejection threshold."""

LONG_TEXT = 10_000
SHARED_STRING_BOMB = 1 << 24
"""Characters of the corpus's shared-strings bomb (16 KB compressed); tests build larger ones."""
HOSTILE_SQL = (
    "'; DROP TABLE annuity_performance; --",
    "Robert'); DROP TABLE pipeline_executions;--",
    "1 OR 1=1; SELECT pg_sleep(10)",
    "%s %(name)s $1 \\x00",
)
FORMULAS = ('=HYPERLINK("http://example.invalid","点击")', "=1+1", "+SUM(A1:A9)", "@SUM(1)")
CONTROL_TEXTS = ("响铃\x07公司", "转义\x1b[31m红色", "制表\t符", "换行\n公司", "零宽\u200b公司")
NUL_NAME = "空字符\x00公司"
"""A name holding U+0000, which xlsx stores as ``_x0000_`` and PostgreSQL text cannot hold."""
BUSINESS_TYPES = ("企年受托", "企年投资", "职年受托", "职年投资")
BRANCHES = ("北京", "上海", "新疆", "广东", "四川")

Cells = Mapping[tuple[int, str], Any]
"""Cell changes: (0-based data row, column) → value; the Excel row is the data row + 2."""


def clean_sheet() -> pd.DataFrame:
    """Return the clean 50-row 规模明细 sheet every bad file is made from (every row loads)."""
    rows = range(ROWS)
    single = [row % 2 == 1 for row in rows]
    opening = [1_000_000.0 + 1_234.5 * row for row in rows]
    return pd.DataFrame(
        {
            "月度": [202411] * ROWS,
            "业务类型": [BUSINESS_TYPES[row % 4] for row in rows],
            "计划类型": ["单一计划" if s else "集合计划" for s in single],
            "计划代码": [
                f"Z{row:04d}" if s else "P0290" for row, s in zip(rows, single, strict=True)
            ],
            "计划名称": [f"测试计划{row}" for row in rows],
            "组合类型": [None] * ROWS,
            "组合代码": [None] * ROWS,
            "组合名称": [None] * ROWS,
            "客户名称": [f"测试企业{row}有限公司" for row in rows],
            "期初资产规模": opening,
            "期末资产规模": [value + 500.25 for value in opening],
            "供款": [1_000.0 + row for row in rows],
            "流失(含待遇支付)": [300.5] * ROWS,
            "流失": [200.5] * ROWS,
            "待遇支付": [100.0] * ROWS,
            "投资收益": [round(-250.75 + 10.0 * row, 2) for row in rows],
            "当期收益率": [0.0123] * ROWS,
            "机构代码": ["G01"] * ROWS,
            "机构": [BRANCHES[row % len(BRANCHES)] for row in rows],
            "子企业号": [None] * ROWS,
            "子企业名称": [None] * ROWS,
            "集团企业客户号": [None] * ROWS,
            "集团企业客户名称": [None] * ROWS,
        },
        dtype=object,
    )


def changed(cells: Cells, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the clean sheet (or ``frame``) with ``cells`` replaced."""
    result = (clean_sheet() if frame is None else frame).copy()
    for (row, column), value in cells.items():
        result.at[row, column] = value
    return result


def enumerate_cells(column: str, texts: tuple[str, ...]) -> Iterator[tuple[tuple[int, str], str]]:
    """Yield ``((row, column), text)`` for the first rows, one text each."""
    return (((row, column), text) for row, text in enumerate(texts))


def _workbook(cells: Cells, frame: pd.DataFrame | None = None) -> Callable[[Path], None]:
    return lambda path: _write(path, changed(cells, frame))


def _write(path: Path, frame: pd.DataFrame, sheet: str = SHEET) -> None:
    write_workbook(path, {sheet: frame})


def _rewrite_sheet_xml(
    path: Path,
    replacements: Mapping[bytes, bytes],
    member: str = "xl/worksheets/sheet1.xml",
    added: Mapping[str, bytes] | None = None,
) -> None:
    """Replace exact byte strings in one part of the workbook, by default the first
    worksheet's XML (each must occur once); ``added`` parts are appended."""
    with zipfile.ZipFile(path) as archive:
        members = {info: archive.read(info) for info in archive.infolist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members.items():
            if info.filename == member:
                for old, new in replacements.items():
                    if data.count(old) != 1:
                        raise ValueError(f"{old!r} occurs {data.count(old)} times in {path.name}")
                    data = data.replace(old, new)
            archive.writestr(info, data)
        for name, data in (added or {}).items():
            info = zipfile.ZipInfo(name, date_time=(2024, 11, 30, 0, 0, 0))
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())


def _corrupt_zip(path: Path) -> None:
    _write(path, clean_sheet())
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def _csv_renamed(path: Path) -> None:
    write_csv(path, clean_sheet())


def _legacy_renamed(path: Path) -> None:
    """The OLE2 signature of an old .xls (or an encrypted workbook) followed by junk."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)


def _zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def _empty_workbook(path: Path) -> None:
    write_workbook(path, {SHEET: pd.DataFrame()})


def _header_only(path: Path) -> None:
    _write(path, clean_sheet().head(0))


def _missing_sheet(path: Path) -> None:
    _write(path, clean_sheet(), sheet="Sheet1")


def _missing_required_column(path: Path) -> None:
    _write(path, clean_sheet().drop(columns=["计划代码"]))


def _duplicate_headers(path: Path) -> None:
    frame = clean_sheet()
    frame.insert(9, "客户名称 ", frame["客户名称"])
    _write(path, frame)


def _nan_inf(path: Path) -> None:
    """Numeric cells holding NaN (row 4), INF and -INF (row 9), as some exporters write them."""
    frame = changed(
        {(2, "期初资产规模"): 111_111.0, (7, "供款"): 222_222.0, (7, "投资收益"): 333_333.0}
    )
    _write(path, frame)
    _rewrite_sheet_xml(
        path,
        {
            b"<v>111111</v>": b"<v>NaN</v>",
            b"<v>222222</v>": b"<v>INF</v>",
            b"<v>333333</v>": b"<v>-INF</v>",
        },
    )


def _formula_like(path: Path) -> None:
    """Text cells that look like formulas, plus one real formula whose cached value is read."""
    cells: dict[tuple[int, str], Any] = {
        (row, "客户名称"): text for row, text in enumerate(FORMULAS)
    }
    cells |= {(4, "计划名称"): "=cmd|' /C calc'!A0", (5, "期初资产规模"): 424_242.0}
    _write(path, changed(cells))
    _rewrite_sheet_xml(path, {b"<v>424242</v>": b"<f>1000+1</f><v>1001</v>"})


def _many_extra_columns(path: Path) -> None:
    frame = clean_sheet()
    extra = pd.DataFrame(
        {
            f"未知列{number:03d}": [f"值{number}-{row}" for row in range(ROWS)]
            for number in range(1, 201)
        },
        dtype=object,
    )
    _write(path, pd.concat([frame, extra], axis=1))


def _sql_in_headers(path: Path) -> None:
    frame = clean_sheet()
    frame['"; DROP TABLE annuity_performance; --'] = "x"
    frame["月度) VALUES (1); DELETE FROM pipeline_executions; --"] = "y"
    frame["%s %(name)s"] = "z"
    _write(path, frame)


def _long_names(path: Path) -> None:
    frame = changed(
        {
            (0, "客户名称"): "长" * LONG_TEXT,
            (1, "计划名称"): "N" * LONG_TEXT,
            (2, "组合名称"): "名" * LONG_TEXT,
        }
    )
    frame["头" * LONG_TEXT] = "a column whose header is 10,000 characters long"
    _write(path, frame)


def _far_cell(path: Path) -> None:
    """The clean sheet plus one stray value in the last cell Excel has, XFD1048576."""
    _write(path, clean_sheet())
    _rewrite_sheet_xml(
        path,
        {
            b'<dimension ref="A1:W51"/>': b'<dimension ref="A1:XFD1048576"/>',
            b"</sheetData>": b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
        },
    )


def _ambiguous_sheets(path: Path) -> None:
    """Two sheets whose names both read as 规模明细: one with a trailing space, one with U+200B."""
    write_workbook(path, {SHEET + " ": clean_sheet(), "\u200b" + SHEET: clean_sheet()})


def _formula_without_cached_value(path: Path) -> None:
    """Row 5: formulas ``=1/0`` (期初资产规模) and ``=A1/0`` (客户名称) saved without a value;
    row 11: 投资收益 ``=1/0`` whose saved value is the error ``#DIV/0!``."""
    cells = {(3, "期初资产规模"): 515_151.0, (3, "客户名称"): "FORMULA", (9, "投资收益"): 737_373.0}
    _write(path, changed(cells))
    _rewrite_sheet_xml(
        path,
        {
            b"<v>515151</v>": b"<f>1/0</f>",
            b'<c r="I5" t="inlineStr"><is><t>FORMULA</t></is></c>': b'<c r="I5"><f>A1/0</f></c>',
            b'<c r="P11"><v>737373</v></c>': b'<c r="P11" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        },
    )


def shared_strings_bomb(path: Path, characters: int = SHARED_STRING_BOMB) -> None:
    """Row 2's 客户名称 is a shared string of ``characters`` letters: a few KB compressed."""
    _write(path, changed({(0, "客户名称"): "BOMB"}))
    strings = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        + b"A" * characters
        + b"</t></si></sst>"
    )
    _rewrite_sheet_xml(
        path,
        {b'<c r="I2" t="inlineStr"><is><t>BOMB</t></is></c>': b'<c r="I2" t="s"><v>0</v></c>'},
        added={"xl/sharedStrings.xml": strings},
    )


def _lineage_header(path: Path) -> None:
    """Source columns named like the lineage columns, as a re-imported warehouse export has."""
    frame = clean_sheet()
    frame["wdh_loaded_at"] = "2000-01-01 00:00:00+00"
    frame["wdh_execution_id"] = "00000000-0000-0000-0000-000000000000"
    frame["wdh_source_row"] = 1
    _write(path, frame)


FILES: dict[str, Callable[[Path], None]] = {
    "corrupt_zip.xlsx": _corrupt_zip,
    "csv_renamed.xlsx": _csv_renamed,
    "legacy_ole_renamed.xlsx": _legacy_renamed,
    "zero_bytes.xlsx": _zero_bytes,
    "empty_workbook.xlsx": _empty_workbook,
    "header_only.xlsx": _header_only,
    "missing_sheet.xlsx": _missing_sheet,
    "missing_required_column.xlsx": _missing_required_column,
    "duplicate_headers.xlsx": _duplicate_headers,
    "text_in_money.xlsx": _workbook({(3, "期初资产规模"): "一百万", (8, "供款"): "12,34a"}),
    "nan_inf.xlsx": _nan_inf,
    "negative_and_absurd.xlsx": _workbook(
        {
            (0, "期初资产规模"): -1.0,
            (1, "投资收益"): -987_654_321.12,
            (6, "期末资产规模"): 1e20,
            (10, "当期收益率"): 12_345.0,
        }
    ),
    "dates_out_of_range.xlsx": _workbook(
        {(1, "月度"): "1999-12", (2, "月度"): pd.Timestamp("2031-01-01").to_pydatetime()}
    ),
    "formula_like_strings.xlsx": _formula_like,
    "sql_in_values.xlsx": _workbook(
        {
            (0, "客户名称"): HOSTILE_SQL[0],
            (1, "计划名称"): HOSTILE_SQL[1],
            (2, "组合名称"): HOSTILE_SQL[2],
            (3, "计划名称"): HOSTILE_SQL[3],
        }
    ),
    "sql_in_headers.xlsx": _sql_in_headers,
    "long_names.xlsx": _long_names,
    "control_characters.xlsx": _workbook(dict(enumerate_cells("计划名称", CONTROL_TEXTS))),
    "nul_character.xlsx": _workbook({(5, "客户名称"): NUL_NAME}),
    "extra_columns_200.xlsx": _many_extra_columns,
    "stray_month_rows.xlsx": _workbook({(3, "月度"): 202410, (4, "月度"): "2025年6月"}),
    "key_spellings.xlsx": _workbook(
        {
            (0, "业务类型"): "企年受托 ",
            (1, "业务类型"): "\u200b企年投资",
            (2, "计划类型"): "集合计划\u3000",
            (6, "计划类型"): "集合",
        }
    ),
    "misplaced_separators.xlsx": _workbook(
        {
            (0, "期初资产规模"): "1,2,3",
            (0, "供款"): "12,34",
            (1, "期末资产规模"): "1.234,56",
            (1, "投资收益"): "1,,000",
            (2, "期初资产规模"): "1,234,567.5",
        }
    ),
    "formula_without_cached_value.xlsx": _formula_without_cached_value,
    "ambiguous_sheets.xlsx": _ambiguous_sheets,
    "far_cell.xlsx": _far_cell,
    "shared_strings_bomb.xlsx": shared_strings_bomb,
    "lineage_header.xlsx": _lineage_header,
    "too_precise.xlsx": _workbook(
        {
            (0, "期初资产规模"): "12345678901234.5678",
            (1, "期末资产规模"): "0.00005",
            (2, "当期收益率"): "10.0000001",
        }
    ),
}
"""Each file of the corpus and how it is made; docs/reliability.md lists what each one does."""


def write_corpus(folder: Path = CORPUS) -> list[Path]:
    """Write every file of the corpus into ``folder``, replacing old ones and removing files no
    longer made; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.xlsx"):
        if stale.name not in FILES:
            stale.unlink()
    for name, make in FILES.items():
        make(folder / name)
    return [folder / name for name in FILES]


if __name__ == "__main__":
    write_corpus()
