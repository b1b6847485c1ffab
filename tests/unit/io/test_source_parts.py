"""The parts of a run: which sheets and files a source reads as one table, and what each part
adds to its rows and rejections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
import xlwt
from python_calamine import CalamineWorkbook
from work_data_hub.domain.columns import SOURCE_FILE_COLUMN, SOURCE_ROW_COLUMN, SOURCE_SHEET_COLUMN
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.pipelines import PipelineContext, RowValidationError
from work_data_hub.domain.readers import SourceFileError, SourcePart
from work_data_hub.domain.steps import RejectDuplicateKeys
from work_data_hub.domain.steps.rejections import (
    RowFailure,
    rejected_row_ids,
    rejection_frame,
)
from work_data_hub.io.connectors.file_connector import discover_files
from work_data_hub.io.readers.csv import CsvReader
from work_data_hub.io.readers.excel import ExcelReader
from work_data_hub.io.runs.reasons import count_by_kind
from work_data_hub.io.runs.rejects_export import RejectsSource, rejects_table, write_rejects
from work_data_hub.io.runs.report import rejected_entries, rejected_row_count
from work_data_hub.io.runs.request import RunFailed
from work_data_hub.io.runs.run_steps import part_rows
from work_data_hub.io.runs.source_file import file_checksum
from work_data_hub.io.runs.source_parts import (
    files_checksum,
    matching_sheets,
    plan_parts,
    read_part,
    read_parts,
    tag_part,
)

pytestmark = pytest.mark.unit


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for line, row in enumerate(rows):
            sheet.write_row(line, 0, row)
    workbook.close()
    return path


def test_a_source_names_one_sheet_or_patterns_of_several_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        SourceSpec(patterns=("*.xlsx",), sheet="A", sheets=("B*",))
    with pytest.raises(TypeError, match="tuple of patterns"):
        SourceSpec(patterns=("*.xlsx",), sheets="B*")  # type: ignore[arg-type]
    assert not SourceSpec(patterns=("*.xlsx",), sheet="A").reads_parts
    assert SourceSpec(patterns=("*.xlsx",), sheets=("B*",)).reads_parts
    assert SourceSpec(patterns=("*.xlsx",), all_files=True).reads_parts


def test_sheet_patterns_match_in_workbook_order_ignoring_case_and_spaces() -> None:
    names = ["说明", "Sales-East ", "sales-west", "Summary"]
    assert matching_sheets(names, ["SALES-*"]) == ["Sales-East ", "sales-west"]
    assert matching_sheets(names, ["*west", "说明"]) == ["说明", "sales-west"]
    assert matching_sheets(names, ["none*"]) == []


def test_plan_parts_lists_every_matching_sheet_of_every_file(tmp_path: Path) -> None:
    first = _workbook(tmp_path / "a.xlsx", {"明细1": [["x"]], "其他": [["x"]], "明细2": [["x"]]})
    second = _workbook(tmp_path / "b.xlsx", {"明细": [["x"]]})
    source = SourceSpec(patterns=("*.xlsx",), sheets=("明细*",))

    parts = plan_parts([first, second], source, ExcelReader())

    assert parts == [
        SourcePart(first, "明细1"),
        SourcePart(first, "明细2"),
        SourcePart(second, "明细"),
    ]
    assert plan_parts([first], SourceSpec(patterns=("*",), sheet="其他"), ExcelReader()) == [
        SourcePart(first, "其他")
    ]


def test_a_workbook_without_a_matching_sheet_is_an_error_naming_its_sheets(
    tmp_path: Path,
) -> None:
    path = _workbook(tmp_path / "a.xlsx", {"Sheet1": [["x"]]})
    source = SourceSpec(patterns=("*.xlsx",), sheets=("明细*",))
    with pytest.raises(SourceFileError) as raised:
        plan_parts([path], source, ExcelReader())
    assert (
        str(raised.value) == "file 'a.xlsx': no sheet matches '明细*'; the workbook has: 'Sheet1'"
    )


def test_sheet_patterns_for_a_reader_without_sheets_are_refused(tmp_path: Path) -> None:
    source = SourceSpec(patterns=("*.csv",), file_type="csv", sheets=("明细*",))
    with pytest.raises(RunFailed, match="reads files without sheets"):
        plan_parts([tmp_path / "a.csv"], source, CsvReader())


def test_a_part_reads_its_own_sheet_and_tags_its_rows(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "a.xlsx",
        {"东城": [["code", "amount"], ["A", 1]], "西城": [["code", "amount"], ["B", 2], ["C", 3]]},
    )
    source = SourceSpec(patterns=("*.xlsx",), sheets=("*城",))
    frame = read_part(ExcelReader(), SourcePart(path, "西城"), source)

    tagged = tag_part(frame, SourcePart(path, "西城"))

    assert tagged["code"].tolist() == ["B", "C"]
    assert tagged[SOURCE_FILE_COLUMN].tolist() == ["a.xlsx", "a.xlsx"]
    assert tagged[SOURCE_SHEET_COLUMN].tolist() == ["西城", "西城"]
    assert {part: rows.tolist() for part, rows in part_rows(tagged).items()} == {
        ("a.xlsx", "西城"): [2, 3]
    }


def test_all_files_takes_every_match_of_the_chosen_folder_by_name(tmp_path: Path) -> None:
    month = tmp_path / "202411"
    (month / "V2").mkdir(parents=True)
    for name in ("b_branch.xlsx", "a_branch.xlsx", "~$a_branch.xlsx", "notes.txt"):
        (month / name).write_bytes(b"x")
    (month / "V2" / "c_branch.xlsx").write_bytes(b"x")
    (month / "V2" / "d_branch.xlsx").write_bytes(b"x")
    several = SourceSpec(patterns=("*_branch.xlsx",), all_files=True)

    assert [p.name for p in discover_files(tmp_path, several, "202411")] == [
        "c_branch.xlsx",
        "d_branch.xlsx",
    ]
    (month / "V2" / "c_branch.xlsx").unlink()
    (month / "V2" / "d_branch.xlsx").unlink()
    assert [p.name for p in discover_files(tmp_path, several, "202411")] == [
        "a_branch.xlsx",
        "b_branch.xlsx",
    ]
    one = SourceSpec(patterns=("a_branch.xlsx",))
    assert discover_files(tmp_path, one, "202411") == [month / "a_branch.xlsx"]


def test_the_checksum_of_several_files_changes_with_any_of_them(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    first.write_bytes(b"one")
    second.write_bytes(b"two")
    together = files_checksum([first, second])

    assert files_checksum([first]) == file_checksum(first)
    assert together not in (None, file_checksum(first), file_checksum(second))
    second.write_bytes(b"changed")
    assert files_checksum([first, second]) != together
    assert files_checksum([first, tmp_path / "missing.xlsx"]) is None


def _tagged(rows: list[tuple[str, str, int, str]]) -> pd.DataFrame:
    files, sheets, numbers, codes = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            SOURCE_ROW_COLUMN: list(numbers),
            "code": list(codes),
            SOURCE_FILE_COLUMN: list(files),
            SOURCE_SHEET_COLUMN: list(sheets),
        }
    )


def test_a_rejection_of_tagged_rows_names_their_file_and_sheet() -> None:
    data = _tagged([("a.xlsx", "东城", 3, "X"), ("a.xlsx", "西城", 3, "Y")])
    failure = RowFailure("code", np.array([False, True]), np.array(["", "bad"], dtype=object))

    rejected = rejection_frame(data, [failure])

    assert rejected[["source_row", "source_file", "sheet"]].values.tolist() == [
        [3, "a.xlsx", "西城"]
    ]
    assert rejected["raw"].tolist() == [{"code": "Y"}]


def test_a_duplicate_key_in_another_part_names_that_part() -> None:
    context = PipelineContext("parts", "e-1", dt.datetime(2024, 12, 1, tzinfo=dt.UTC))
    data = _tagged(
        [
            ("a.xlsx", "东城", 3, "K1"),
            ("a.xlsx", "东城", 4, "K1"),
            ("b.xlsx", "西城", 3, "K1"),
            ("b.xlsx", "西城", 9, "K2"),
        ]
    )
    with pytest.raises(RowValidationError) as raised:
        RejectDuplicateKeys(["code"]).execute(data, context)
    reasons = raised.value.rejected["reason"].tolist()

    assert reasons == [
        "duplicate key (K1): same as row 4, row 3 of file 'b.xlsx', sheet '西城'",
        "duplicate key (K1): same as row 3, row 3 of file 'b.xlsx', sheet '西城'",
        "duplicate key (K1): same as row 3 of file 'a.xlsx', sheet '东城', "
        "row 4 of file 'a.xlsx', sheet '东城'",
    ]
    assert count_by_kind(raised.value.rejected) == {"duplicate key: same as another row": 3}
    assert raised.value.valid["code"].tolist() == ["K2"]


def test_rows_of_several_parts_count_and_report_by_part() -> None:
    rejected = pd.DataFrame(
        {
            "source_row": [5, 3, 3, 3],
            "column": ["a", "a", "b", "a"],
            "reason": ["r1", "r2", "r3", "r4"],
            "raw": [{}, {}, {}, {}],
            "source_file": ["a.xlsx", "b.xlsx", "b.xlsx", "a.xlsx"],
            "sheet": ["西城", "东城", "东城", "西城"],
        }
    )
    sources = [
        {"file": "b.xlsx", "sheet": "东城", "rows": 9},
        {"file": "a.xlsx", "sheet": "西城", "rows": 9},
    ]

    assert rejected_row_count(rejected) == 3
    assert rejected_row_ids(rejected)[0] == ("a.xlsx", "西城", 5)
    assert [(e["file"], e["row"], e["reason"]) for e in rejected_entries(rejected, sources)] == [
        ("b.xlsx", 3, "r2"),
        ("b.xlsx", 3, "r3"),
        ("a.xlsx", 3, "r4"),
        ("a.xlsx", 5, "r1"),
    ]
    assert rejected_entries(rejected, sources[:1])[0] == {"row": 3, "column": "a", "reason": "r2"}


def test_a_sample_sheet_name_is_one_the_source_reads() -> None:
    assert SourceSpec(patterns=("*",), sheet="明细").sheet_name_for("d") == "明细"
    assert SourceSpec(patterns=("*",)).sheet_name_for("d") == "d"
    named = SourceSpec(patterns=("*",), sheets=("销售-*", "其他")).sheet_name_for("branch")
    assert named == "销售-branch"
    assert matching_sheets([named], ["销售-*"]) == [named]
    odd = SourceSpec(patterns=("*",), sheets=("[Ss]ales-?",)).sheet_name_for("x")
    assert matching_sheets([odd], ["[Ss]ales-?"]) == [odd]


def _rejects(files: list[str], sheets: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_row": [2] * len(files),
            "column": ["code"] * len(files),
            "reason": [f"bad in {file}" for file in files],
            "raw": [{"code": "x"}] * len(files),
            "source_file": files,
            "sheet": sheets,
        }
    )


def test_a_rejection_stays_with_its_own_file_when_its_sheet_is_spelled_otherwise(
    tmp_path: Path,
) -> None:
    frames = {
        "a.xlsx": pd.DataFrame({"code": ["from a"], SOURCE_ROW_COLUMN: [2]}),
        "b.xlsx": pd.DataFrame({"code": ["from b"], SOURCE_ROW_COLUMN: [2]}),
    }
    sources = [
        RejectsSource(tmp_path / name, "明细", lambda name=name: frames[name]) for name in frames
    ]

    table = rejects_table(_rejects(["b.xlsx"], ["明细 "]), sources)

    assert table[["file", "row", "value", "reason"]].values.tolist() == [
        ["b.xlsx", "2", "from b", "bad in b.xlsx"]
    ]
    with pytest.raises(ValueError, match="did not read"):
        rejects_table(_rejects(["c.xlsx"], ["明细"]), sources)


def test_parts_read_side_by_side_come_back_in_part_order_and_the_first_error_wins(
    tmp_path: Path,
) -> None:
    sheets = {f"明细{n}": [["code"], *([[f"{n}-{i}"] for i in range(50)])] for n in range(4)}
    path = _workbook(tmp_path / "a.xlsx", sheets)
    source = SourceSpec(patterns=("*.xlsx",), sheets=("明细*",))
    parts = plan_parts([path], source, ExcelReader())

    frames = [frame for _, frame in read_parts(ExcelReader(), parts, source)]

    assert [frame["code"].iloc[0] for frame in frames] == ["0-0", "1-0", "2-0", "3-0"]
    missing = [SourcePart(path, "明细1"), SourcePart(path, "不存在"), SourcePart(path, "无")]
    with pytest.raises(SourceFileError, match="no sheet named '不存在'"):
        read_parts(ExcelReader(), missing, source)


def test_the_sheets_of_an_xls_workbook_are_parts_too(tmp_path: Path) -> None:
    workbook = xlwt.Workbook(encoding="utf-8")
    for name, code in (("明细-东城", "A"), ("说明", "x"), ("明细-西城", "B")):
        sheet = workbook.add_sheet(name)
        sheet.write(0, 0, "code")
        sheet.write(1, 0, code)
    path = tmp_path / "old.xls"
    workbook.save(str(path))
    source = SourceSpec(patterns=("*.xls",), sheets=("明细-*",))

    parts = plan_parts([path], source, ExcelReader())
    frames = [frame for _, frame in read_parts(ExcelReader(), parts, source)]

    assert [part.sheet for part in parts] == ["明细-东城", "明细-西城"]
    assert [frame["code"].tolist() for frame in frames] == [["A"], ["B"]]


def test_the_rejects_workbook_of_several_files_has_a_worksheet_per_part(tmp_path: Path) -> None:
    frames = {
        name: pd.DataFrame({"code": [f"x-{name}"], SOURCE_ROW_COLUMN: [2]})
        for name in ("网点销售_东城.xlsx", "网点销售_西城.xlsx")
    }
    sources = [
        RejectsSource(tmp_path / name, "销售", lambda name=name: frames[name]) for name in frames
    ]
    target = tmp_path / "rejects.xlsx"

    write_rejects(target, _rejects(list(frames), ["销售", "销售"]), sources)

    workbook = CalamineWorkbook.from_path(str(target))
    assert workbook.sheet_names == ["网点销售_东城 销售", "网点销售_西城 销售"]
    assert workbook.get_sheet_by_name("网点销售_西城 销售").to_python() == [
        ["code", "source row", "rejected because"],
        ["x-网点销售_西城.xlsx", 2.0, "bad in 网点销售_西城.xlsx"],
    ]
