"""The CSV reader: encodings, delimiters, line numbers and the errors a user sees."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import pandas as pd
import pytest
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.io.readers import csv as csv_reader
from work_data_hub.io.readers.csv import CsvReader, sniff_delimiter

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parents[3] / "data" / "readers"
SOURCE = SourceSpec(patterns=("*.csv",), file_type="csv")
EXPECTED = {
    "月度": ["202411", "2024-11", "24年11月"],
    "计划代码": ["00123", "P0290", "1P0807"],
    "客户名称": ["新疆某某公司", "多行\n名称", "乙公司"],
    "流失(含待遇支付)": ["1,234.50", None, "-0.5"],
    SOURCE_ROW_COLUMN: [2, 3, 6],
}


def _values(frame: pd.DataFrame) -> dict[Hashable, list[object]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("list")


def _write(tmp_path: Path, data: bytes | str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def _read(path: Path, source: SourceSpec = SOURCE) -> pd.DataFrame:
    return CsvReader().read(path, source)


def _error(path: Path, source: SourceSpec = SOURCE) -> SourceFileError:
    with pytest.raises(SourceFileError) as raised:
        _read(path, source)
    return raised.value


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [("gb18030.csv", "gb18030", ","), ("utf8_bom.csv", "utf-8-sig", ";")],
)
def test_fixture_files_read_identically(name: str, encoding: str, delimiter: str) -> None:
    frame = _read(FIXTURES / name)

    assert _values(frame) == EXPECTED
    assert frame.attrs == {"header_row": 1, "encoding": encoding, "delimiter": delimiter}
    assert all(dtype == "str" for dtype in frame.drop(columns=SOURCE_ROW_COLUMN).dtypes)


def test_plain_utf8_with_blank_lines_keeps_true_line_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, "\n\n计划代码|月度\r\nZ0005|202411\r\n\r\n||\r\nP0290|\r\n")

    frame = _read(path)

    assert _values(frame) == {
        "计划代码": ["Z0005", "P0290"],
        "月度": ["202411", None],
        SOURCE_ROW_COLUMN: [4, 7],
    }
    assert frame.attrs == {"header_row": 3, "encoding": "utf-8", "delimiter": "|"}


def test_values_are_never_converted(tmp_path: Path) -> None:
    path = _write(tmp_path, "a\tb\tc\n00123\t1.50\tnan\n TRUE \t=1+1\tNULL\n")

    assert _values(_read(path)) == {
        "a": ["00123", " TRUE "],
        "b": ["1.50", "=1+1"],
        "c": ["nan", "NULL"],
        SOURCE_ROW_COLUMN: [2, 3],
    }


def test_short_records_are_padded_and_empty_extra_fields_ignored(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,c\n1\n1,2,3,,\n")

    assert _values(_read(path)) == {
        "a": ["1", "1"],
        "b": [None, "2"],
        "c": [None, "3"],
        SOURCE_ROW_COLUMN: [2, 3],
    }


def test_record_with_extra_values_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b\n1,2\n1,2,3\n")

    error = _error(path)

    assert str(error) == (
        "file 'data.csv', row 3: the record has 3 fields but the header has 2; "
        "quote values that contain ','"
    )
    assert error.row == 3


def test_duplicate_and_missing_columns_are_reported_like_excel(tmp_path: Path) -> None:
    duplicate = _write(tmp_path, "计划号,计划代码\n1,2\n", "dup.csv")
    aliases = SourceSpec(patterns=("*",), file_type="csv", header_aliases={"计划号": "计划代码"})
    missing = _write(tmp_path, "计划代码\n1\n", "missing.csv")
    required = SourceSpec(patterns=("*",), file_type="csv", required_columns=("月度",))

    assert str(_error(duplicate, aliases)) == (
        "file 'dup.csv', row 1, column '计划代码': duplicate header '计划代码': "
        "column 1 ('计划号') and column 2 ('计划代码'); rename or remove one of them"
    )
    assert str(_error(missing, required)) == (
        "file 'missing.csv', row 1: missing required column(s) '月度'; columns found: '计划代码'"
    )


def test_header_only_file_reads_zero_rows(tmp_path: Path) -> None:
    frame = _read(_write(tmp_path, "a,b\n"))

    assert list(frame.columns) == ["a", "b", SOURCE_ROW_COLUMN]
    assert len(frame) == 0


def test_value_under_an_empty_header_is_kept(tmp_path: Path) -> None:
    frame = _read(_write(tmp_path, "a,,c\n1,x,3\n"))

    assert _values(frame) == {"a": ["1"], "column_2": ["x"], "c": ["3"], SOURCE_ROW_COLUMN: [2]}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty: no header line found"),
        (b" \r\n\n", "the file is empty: no header line found"),
        (b",,\n,,\n", "the file has no header line: every line is empty"),
        (
            b"PK\x03\x04rest",
            "the file is an Excel workbook, not CSV text; save it as .xlsx and read it as Excel",
        ),
        (b"a,b\n\x00\x01", "the file holds binary data, not CSV text"),
    ],
)
def test_files_that_are_not_csv_text_fail_clearly(
    tmp_path: Path, data: bytes, problem: str
) -> None:
    assert str(_error(_write(tmp_path, data))) == f"file 'data.csv': {problem}"


def test_bytes_in_no_supported_encoding_name_the_line(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, b"a,b\n1,2\n3,\xff\n"))

    assert str(error) == (
        "file 'data.csv', row 3: the text is neither UTF-8 nor GB18030 "
        "(byte 0xff cannot be decoded); save the file as UTF-8"
    )


@pytest.mark.parametrize("block_bytes", [1, 3, 7, 64])
def test_the_encoding_is_checked_in_blocks_without_losing_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    """Blocks end anywhere, even inside a character; the line named is the file's."""
    monkeypatch.setattr(csv_reader, "_BLOCK_BYTES", block_bytes)
    good = "计划代码,月度\n00123,202411\n".encode()
    lines = good.count(b"\n") * 5

    assert _read(_write(tmp_path, good * 5, "utf8.csv")).attrs["encoding"] == "utf-8"
    gbk = _read(_write(tmp_path, b"a,b\n" * 5 + "1,中\n".encode("gbk"), "gbk.csv"))
    assert gbk.attrs["encoding"] == "gb18030"
    assert gbk["b"].iloc[-1] == "中"
    assert _error(_write(tmp_path, good * 5 + b"1,\xff\n", "bad.csv")).row == lines + 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"\xff\xfea\x00,",
            "file 'data.csv', row 1: the text is not valid UTF-16 despite its byte-order mark "
            "(byte 0x2c cannot be decoded); save the file as UTF-8",
        ),
        (
            b"\xef\xbb\xbfa,b\n\xff",
            "file 'data.csv', row 2: the text is not valid UTF-8 despite its byte-order mark "
            "(byte 0xff cannot be decoded); save the file as UTF-8",
        ),
        (b"\xff\xfe\n\x00", "file 'data.csv': the file has no header line: every line is empty"),
    ],
)
def test_byte_order_mark_with_bad_or_no_text(tmp_path: Path, data: bytes, message: str) -> None:
    assert str(_error(_write(tmp_path, data))) == message


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    frame = _read(_write(tmp_path, "计划代码\t月度\n00123\t202411\n".encode("utf-16")))

    assert _values(frame) == {"计划代码": ["00123"], "月度": ["202411"], SOURCE_ROW_COLUMN: [2]}
    assert frame.attrs["encoding"] == "utf-16"


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    error = _error(tmp_path / "gone.csv")

    assert str(error) == "file 'gone.csv': the file cannot be opened (No such file or directory)"


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ("a|b|c", "|"),
        ('"x;y",b,c', ","),
        ("a;b,c;d", ";"),
        ("only", ","),
    ],
)
def test_sniff_delimiter(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


def test_small_chunks_give_the_same_frame() -> None:
    path = FIXTURES / "gb18030.csv"

    pd.testing.assert_frame_equal(CsvReader(chunk_rows=1).read(path, SOURCE), _read(path))
