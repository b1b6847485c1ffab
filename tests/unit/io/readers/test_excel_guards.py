"""What the Excel reader checks before python-calamine loads anything, on hand-built workbooks.

Each workbook is written part by part, so that a test states the exact XML python-calamine
would see: error cells, formulas with and without a calculated value, stray far cells, long
texts in shared and inline strings, sheets whose names clean to the same one.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import pytest
import python_calamine
from work_data_hub.domain.columns import CELL_REJECTS, SOURCE_ROW_COLUMN
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.pipelines.types import PipelineContext, RowValidationError
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.domain.steps import RejectUnreadCells
from work_data_hub.io.readers import excel
from work_data_hub.io.readers.excel import ExcelReader

pytestmark = pytest.mark.unit

SHEET = "规模明细"
SOURCE = SourceSpec(patterns=("*.xlsx",), sheet=SHEET)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _text(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def _row(number: int, name: str, amount: str) -> str:
    """Return row ``number`` with ``name`` in A and the cell XML ``amount`` in B."""
    return f'<row r="{number}">{_text(f"A{number}", name)}{amount}</row>'


HEADER = f'<row r="1">{_text("A1", "名称")}{_text("B1", "金额")}</row>'


def _xlsx(
    path: Path,
    rows: Sequence[str] | Mapping[str, Sequence[str]],
    *,
    shared: Sequence[str] = (),
) -> Path:
    """Write a workbook: ``rows`` are the ``<row>`` elements of one sheet (or of each sheet)."""
    sheets = dict(rows) if isinstance(rows, Mapping) else {SHEET: rows}
    entries = "".join(
        f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(sheets, 1)
    )
    relations = "".join(
        f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>{entries}</sheets>'
            "</workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relations}</Relationships>",
        )
        for n, sheet_rows in enumerate(sheets.values(), 1):
            archive.writestr(
                f"xl/worksheets/sheet{n}.xml",
                f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(sheet_rows)}</sheetData>'
                "</worksheet>",
            )
        if shared:
            items = "".join(f"<si>{item}</si>" for item in shared)
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{items}</sst>')
    return path


def _refusal(path: Path, reader: ExcelReader | None = None) -> str:
    with pytest.raises(SourceFileError) as raised:
        (reader or ExcelReader()).read(path, SOURCE)
    return str(raised.value)


def test_error_cells_and_formulas_without_a_value_are_listed_with_their_formula(
    tmp_path: Path,
) -> None:
    rows = [
        HEADER,
        _row(2, "甲", '<c r="B2"><f t="shared" ref="B2:B3" si="0">A2/0</f></c>'),
        _row(3, "乙", '<c r="B3"><f t="shared" si="0"/></c>'),
        _row(4, "丙", '<c r="B4" t="e"><v>#N/A</v></c>'),
        _row(5, "丁", '<c r="B5" t="e"><f>VLOOKUP(A5,X:Y,2,0)</f><v>#N/A</v></c>'),
        _row(6, "戊", '<c r="B6"><f>1+1</f><v>2</v></c>'),
        '<row r="7"><c r="A7" t="str"><f>IF(B7="","",B7)</f><v></v></c><c r="B7"><v>5</v></c>'
        "</row>",
    ]

    frame = ExcelReader().read(_xlsx(tmp_path / "formulas.xlsx", rows), SOURCE)

    assert frame["金额"].tolist()[:5] == [
        "=A2/0",
        "=A2/0 (shared from B2)",
        "#N/A",
        "#N/A",
        "2",
    ]
    assert frame.attrs[CELL_REJECTS] == [
        (
            2,
            "金额",
            "金额 formula '=A2/0' has no calculated value (the workbook was saved "
            "without calculating it): open it in Excel, let it calculate, and save it again",
        ),
        (
            3,
            "金额",
            "金额 formula '=A2/0 (shared from B2)' has no calculated value (the "
            "workbook was saved without calculating it): open it in Excel, let it calculate, "
            "and save it again",
        ),
        (4, "金额", "金额 holds the error #N/A"),
        (5, "金额", "金额 formula '=VLOOKUP(A5,X:Y,2,0)' gives the error #N/A"),
    ]


def test_the_listed_cells_reject_their_rows_and_only_those() -> None:
    data = pd.DataFrame({"金额": ["=1/0", "3", "#N/A"], SOURCE_ROW_COLUMN: [2, 3, 4]})
    data.attrs[CELL_REJECTS] = [
        (2, "金额", "金额 formula '=1/0' has no calculated value"),
        (4, "金额", "金额 holds the error #N/A"),
    ]
    context = PipelineContext(
        pipeline_name="test", execution_id="x", timestamp=dt.datetime.now(dt.UTC)
    )

    with pytest.raises(RowValidationError) as raised:
        RejectUnreadCells().execute(data, context)

    assert raised.value.valid[SOURCE_ROW_COLUMN].tolist() == [3]
    assert raised.value.rejected[["source_row", "column", "reason"]].values.tolist() == [
        [2, "金额", "金额 formula '=1/0' has no calculated value"],
        [4, "金额", "金额 holds the error #N/A"],
    ]


@pytest.mark.parametrize(
    ("far", "edges"),
    [
        ("XFD1048576", "its last row and column come from cell XFD1048576"),
        ("A1048576", "its last row comes from cell A1048576 and its last column from cell B1"),
        ("ZZZ60", "its last row and column come from cell ZZZ60"),
    ],
)
def test_a_stray_far_cell_refuses_the_sheet_before_it_is_loaded(
    tmp_path: Path, far: str, edges: str
) -> None:
    row = "".join(ch for ch in far if ch.isdigit())
    rows = [
        HEADER,
        f'<row r="2">{_text("A2", "甲")}</row>',
        f'<row r="{row}"><c r="{far}"><v>1</v></c></row>',
    ]

    message = _refusal(_xlsx(tmp_path / "far.xlsx", rows))

    assert f": {edges}; delete the stray cells far outside the data" in message
    assert message.startswith(f"file 'far.xlsx', sheet '{SHEET}': the used range A1:")


@pytest.mark.parametrize("row_tag", ['<row r="3">', "<row>"])
@pytest.mark.parametrize("cell_tag", ['<c r="XFD1048576">', '<c s="0" r="XFD1048576">'])
def test_a_far_cell_is_found_by_its_reference_whatever_its_row_tag_says(
    tmp_path: Path, row_tag: str, cell_tag: str
) -> None:
    rows = [
        HEADER,
        f'<row r="2">{_text("A2", "甲")}</row>',
        f"{row_tag}{cell_tag}<v>1</v></c></row>",
    ]

    message = _refusal(_xlsx(tmp_path / "lying.xlsx", rows))

    assert "its last row and column come from cell XFD1048576" in message


def test_no_grid_over_the_absolute_maximum_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "MAX_GRID_CELLS", 30)
    rows = [HEADER, *(_row(n, f"名{n}", f'<c r="B{n}"><v>{n}</v></c>') for n in range(2, 21))]

    assert _refusal(_xlsx(tmp_path / "dense.xlsx", rows)) == (
        f"file 'dense.xlsx', sheet '{SHEET}': the used range A1:B20 spans more than 30 cells, "
        "the most the reader loads at once: its last row comes from cell A20 and its last "
        "column from cell B1; delete stray cells far outside the data, or split the sheet, "
        "and save again"
    )


def test_a_sparse_sheet_within_the_grid_allowance_is_read(tmp_path: Path) -> None:
    rows = [HEADER, f'<row r="900">{_text("A900", "甲")}<c r="Z900"><v>1</v></c></row>']

    frame = ExcelReader().read(_xlsx(tmp_path / "sparse.xlsx", rows), SOURCE)

    assert frame[SOURCE_ROW_COLUMN].tolist() == [900]


def test_shared_strings_up_to_the_cap_are_read_and_longer_ones_refused(tmp_path: Path) -> None:
    reader = ExcelReader(max_cell_text=1_000)
    rows = [HEADER, '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>']
    fits = _xlsx(
        tmp_path / "fits.xlsx", rows, shared=["<t>" + "长" * 1_000 + "</t>", "<t>&amp;</t>"]
    )
    rich = "".join(f"<r><t>{'x' * 400}</t></r>" for _ in range(3))
    too_long = _xlsx(tmp_path / "long.xlsx", rows, shared=["<t>ok</t>", rich])

    assert reader.read(fits, SOURCE)["名称"].iloc[0] == "长" * 1_000
    assert _refusal(too_long, reader) == (
        "file 'long.xlsx': shared string number 2 (xl/sharedStrings.xml) holds more than "
        "1,000 characters, the most a cell may hold: the workbook is refused unread; shorten "
        "that text in Excel"
    )


def test_an_inline_text_over_the_cap_refuses_the_sheet(tmp_path: Path) -> None:
    rows = [HEADER, f'<row r="2">{_text("A2", "x" * 40_000)}</row>']

    assert _refusal(_xlsx(tmp_path / "inline.xlsx", rows)) == (
        f"file 'inline.xlsx', sheet '{SHEET}': a cell holds 40,000 characters, more than the "
        "32,767 a cell may hold: the sheet is refused unread"
    )


def test_an_inline_text_over_the_cap_is_found_beside_a_wider_one_of_entities(
    tmp_path: Path,
) -> None:
    rows = [HEADER, f'<row r="2">{_text("A2", "&amp;" * 10_000)}{_text("B2", "x" * 33_000)}</row>']

    assert "a cell holds 33,000 characters" in _refusal(_xlsx(tmp_path / "two.xlsx", rows))


@pytest.mark.parametrize("others", [[SHEET + " ", "\u200b" + SHEET], [SHEET, "\u3000" + SHEET]])
def test_two_sheets_matching_the_declared_name_are_an_error_naming_both(
    tmp_path: Path, others: list[str]
) -> None:
    path = _xlsx(tmp_path / "two.xlsx", {name: [HEADER] for name in others})

    assert _refusal(path) == (
        f"file 'two.xlsx', sheet '{SHEET}': 2 sheets match '{SHEET}': "
        f"{others[0]!r}, {others[1]!r}; rename or remove all but one of them"
    )


def _with_part(path: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return path


def test_an_xml_part_over_its_maximum_refuses_the_workbook(tmp_path: Path) -> None:
    path = _with_part(_xlsx(tmp_path / "styles.xlsx", [HEADER]), "xl/styles.xml", bytes(65 << 20))

    assert _refusal(path) == (
        "file 'styles.xlsx': the part xl/styles.xml holds 68,157,440 bytes uncompressed, more "
        "than the 67,108,864 the reader accepts: the workbook is refused unread"
    )


def test_a_part_larger_than_it_declares_is_a_damaged_workbook(tmp_path: Path) -> None:
    path = _with_part(_xlsx(tmp_path / "lying.xlsx", [HEADER]), "xl/styles.xml", bytes(1 << 20))
    whole = bytearray(path.read_bytes())
    size = struct.pack("<I", 1 << 20)
    assert whole.count(size) == 2
    path.write_bytes(bytes(whole).replace(size, struct.pack("<I", 100)))

    assert _refusal(path).startswith(
        "file 'lying.xlsx': the workbook is damaged and cannot be opened (Bad CRC-32"
    )


def test_an_ole2_file_named_xlsx_never_reaches_python_calamine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "encrypted.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(5_000))

    def refuse(*_: object) -> None:
        raise AssertionError("python-calamine was handed the file")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)

    assert _refusal(path) == (
        "file 'encrypted.xlsx': the file is an encrypted workbook or an old .xls file saved "
        "under another name"
    )


def _broken_xls(path: Path) -> Path:
    """An OLE2 file whose Workbook stream holds a truncated record: python-calamine panics."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<9I", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<109I", 0, *[0xFFFFFFFF] * 108)
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE, *[0xFFFFFFFF] * 125)

    def entry(name: str, kind: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        child = 1 if kind == 5 else 0xFFFFFFFF
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
            + bytes(36)
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 0xFFFFFFFE, 0) + entry("Workbook", 2, 2, 1000) + bytes(256)
    path.write_bytes(header + fat + directory + b"\x09\x08" + bytes(510) + bytes(range(256)) * 12)
    return path


def test_a_python_calamine_panic_is_a_damaged_workbook(tmp_path: Path) -> None:
    message = _refusal(_broken_xls(tmp_path / "broken.xls"))

    assert message.startswith("file 'broken.xls': the workbook is damaged and cannot be read (")
