"""The streamed xlsx reader gives exactly what python-calamine gives, for any cells.

Each workbook is read twice, by python-calamine's whole-sheet grid and by ``xlsx_stream``
(``ExcelReader(stream_above_cells=0)``), in blocks small enough to cut rows and cells
anywhere; the frames, their attributes and any refusal must be identical.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Hashable, Sequence
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.io.readers import excel, xlsx_stream
from work_data_hub.io.readers.excel import ExcelReader
from work_data_hub.io.readers.xlsx_workbook import NumberKind, number_format_kind, serial_value

pytestmark = pytest.mark.unit

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SOURCE = SourceSpec(patterns=("*.xlsx",))
FIXTURES = Path(__file__).parents[3] / "data" / "readers"

FORMATS = (
    "14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "46", "47",
    "0", "2", "4", "10", "11", "49",
    "yyyy\\-mm\\-dd", "[h]:mm:ss", "[mm]:ss", "[ss].000", '"d"0.00', "0.00;[Red]-0.00",
    "[Red]0.00", "h:mm AM/PM", "[$-404]e\"年\"m\"月\"d\"日\"", "mm:ss.0", "0.0E+00", "@",
    "d-mmm", "\\Y000000", "#,##0.00_);[Red](#,##0.00)", "General", "[>=100][Magenta][s].00",
    "A/P h", "0*d", "yy",
)  # fmt: skip
SHARED = (
    "<t>plain</t>",
    '<t xml:space="preserve">  spaced  </t>',
    "<r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r>",
    '<r><t>漢</t></r><rPh sb="0" eb="1"><t>かん</t></rPh>',
    "<t>a&amp;b &lt;c&gt; &#x4E2D;&#20013;</t>",
    "<t/>",
    "<t></t>",
    "<t>line\nbreak</t>",
    "<t> trimmed\t</t>",
    "<t>\u3000kept\u00a0</t>",
    '<r><t>a </t></r><r><t xml:space="preserve">b </t></r>',
    "<t>_x000D_escaped_x005F_x0041_</t>",
)


def _styles(first_style: str = "0") -> str:
    custom = [code for code in FORMATS if not code.isdigit()]
    numbers = "".join(
        f'<numFmt numFmtId="{164 + n}" formatCode="{_attribute(code)}"/>'
        for n, code in enumerate(custom)
    )
    ids = [code if code.isdigit() else str(164 + custom.index(code)) for code in FORMATS]
    entries = f'<xf numFmtId="{first_style}"/>' + "".join(f'<xf numFmtId="{i}"/>' for i in ids)
    return (
        f'<styleSheet xmlns="{MAIN}"><numFmts>{numbers}</numFmts>'
        f"<cellXfs>{entries}</cellXfs></styleSheet>"
    )


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def write_workbook(
    path: Path,
    rows: Sequence[str],
    *,
    date1904: bool = False,
    prefix: str = "",
    first_style: str = "0",
) -> Path:
    """Write a one-sheet workbook whose sheet holds the ``<row>`` elements ``rows``; with a
    ``prefix`` the sheet's elements are written in that namespace prefix."""
    properties = '<workbookPr date1904="1"/>' if date1904 else ""
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
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">{properties}<sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{RELATIONSHIPS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        archive.writestr("xl/styles.xml", _styles(first_style))
        items = "".join(f"<si>{item}</si>" for item in SHARED)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{items}</sst>')
        p = f"{prefix}:" if prefix else ""
        namespace = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f"<{p}worksheet {namespace}><{p}sheetData>{''.join(rows)}</{p}sheetData>"
            f"</{p}worksheet>",
        )
    return path


def _letters(column: int) -> str:
    letters = ""
    number = column + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _number_text(number: float) -> str:
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


numbers = st.one_of(
    st.integers(-(10**12), 10**12).map(float),
    st.floats(-1e6, 3e6, allow_nan=False),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            0.0,
            0.5,
            1.0,
            59.0,
            60.0,
            61.0,
            45000.5,
            2958465.9,
            2958466.0,
            1e-7,
            -96439724.5,
            -96439724.0,
            2e300,
            -2e300,
            -1.07e11,
        ]
    ),
)


@st.composite
def cell_bodies(draw: st.DrawFn) -> tuple[str, str]:
    """Return a cell's attributes after ``r`` and its body (``""`` for ``<c …/>``)."""
    style = draw(st.integers(0, len(FORMATS)))
    styled = f' s="{style}"' if style else ""
    kind = draw(
        st.sampled_from(
            ["number", "number", "shared", "inline", "rich", "bool", "error", "text_formula",
             "no_value", "empty", "iso", "type_first", "spaced", "odd_number", "odd_text"]
        )
    )  # fmt: skip
    if kind == "number":
        return styled, f"<v>{_number_text(draw(numbers))}</v>"
    if kind == "type_first":
        return f' t="n"{styled}', f"<v>{_number_text(draw(numbers))}</v>"
    if kind == "shared":
        return f'{styled} t="s"', f"<v>{draw(st.integers(0, len(SHARED) - 1))}</v>"
    if kind == "inline":
        text = draw(st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])))
        return f'{styled} t="inlineStr"', f"<is><t>{_attribute(text)}</t></is>"
    if kind == "rich":
        return ' t="inlineStr"', '<is><r><t>a</t></r><r><t xml:space="preserve"> b</t></r></is>'
    if kind == "bool":
        value = draw(st.sampled_from(["0", "1", "true", "FALSE", "2"]))
        return f'{styled} t="b"', f"<v>{value}</v>"
    if kind == "error":
        value = draw(st.sampled_from(["#DIV/0!", "#N/A", "#REF!", "#SPILL!"]))
        return ' t="e"', f"<f>1/0</f><v>{value}</v>"
    if kind == "spaced":
        text = draw(st.sampled_from([" ", " a ", "\u3000a", "&#32;b", "a&#10;", "_x0041_"]))
        kept = draw(st.sampled_from(["", ' xml:space="preserve"']))
        return f'{styled} t="inlineStr"', f"<is><t{kept}>{text}</t></is>"
    if kind == "odd_number":
        value = draw(st.sampled_from([" 1.5", "1_0", "+1.5", "inf", "NaN", "1.", ".5", "0x1"]))
        kind_attribute = draw(st.sampled_from(["", ' t="n"']))
        return f"{styled}{kind_attribute}", f"<v>{value}</v>"
    if kind == "odd_text":
        body = draw(
            st.sampled_from(
                ["<is><t><![CDATA[a<b]]></t></is>", "<is><t>x<!-- note --></t></is>",
                 "<is><r><t>a</t></r><!-- note --><r><t>b</t></r></is>"]
            )
        )  # fmt: skip
        return ' t="inlineStr"', body
    if kind == "text_formula":
        return ' t="str"', "<f>A1&amp;B1</f><v>x&amp;y</v>"
    if kind == "no_value":
        return styled, "<f>SUM(A1:A2)</f>"
    if kind == "iso":
        value = draw(
            st.sampled_from(
                ["2024-01-02T03:04:05", "2024-01-02T00:00:00", "2024-01-02", "03:04:05",
                 "2024-01-02T03:04:05.123", "2024-01-02T03:04:05+02:00", "2024-01-02T03:04:05Z",
                 "bad"]
            )
        )  # fmt: skip
        return ' t="d"', f"<v>{value}</v>"
    return styled, ""


@st.composite
def sheets(draw: st.DrawFn) -> list[str]:
    """Return the ``<row>`` elements of a sheet: a header row, then sparse rows of any cells."""
    width = draw(st.integers(1, 8))
    offset = draw(st.integers(0, 3))
    header = "".join(
        f'<c r="{_letters(offset + n)}{1}" t="inlineStr"><is><t>h{n}</t></is></c>'
        for n in range(width)
    )
    rows = [f'<row r="1">{header}</row>']
    numbers_drawn = draw(st.lists(st.integers(2, 60), unique=True, max_size=25))
    for number in sorted(numbers_drawn):
        columns = draw(st.lists(st.integers(0, width + 1), unique=True, min_size=1, max_size=6))
        cells = []
        for column in sorted(columns):
            attributes, body = draw(cell_bodies())
            reference = f'r="{_letters(offset + column)}{number}"'
            cells.append(
                f"<c {reference}{attributes}>{body}</c>"
                if body
                else f"<c {reference}{attributes}/>"
            )
        rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    return rows


def _values(frame: pd.DataFrame) -> dict[Hashable, list[object]]:
    """Return the frame's columns as lists, missing values as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("list")


def _outcome(reader: ExcelReader, path: Path) -> tuple[str, object]:
    try:
        frame = reader.read(path, SOURCE)
    except SourceFileError as error:
        return "refused", f"{error} (from {error.__cause__!r})"
    return "read", frame


def assert_streamed_equals_calamine(path: Path, block_size: int = 1 << 22) -> pd.DataFrame | None:
    """Assert that both reads of ``path`` agree; return the frame (None when refused)."""
    kind, expected = _outcome(ExcelReader(), path)
    with mock.patch.object(xlsx_stream, "_BLOCK_SIZE", block_size):
        streamed_kind, streamed = _outcome(ExcelReader(stream_above_cells=0), path)
    assert streamed_kind == kind, (expected, streamed)
    if kind == "refused":
        return None
    assert isinstance(expected, pd.DataFrame)
    assert isinstance(streamed, pd.DataFrame)
    pd.testing.assert_frame_equal(streamed, expected)
    assert streamed.attrs == expected.attrs
    return expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=sheets(), date1904=st.booleans(), block_size=st.sampled_from([64, 300, 4096]))
def test_any_sheet_streams_to_what_python_calamine_reads(
    rows: list[str], date1904: bool, block_size: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / "cells.xlsx", rows, date1904=date1904)
        assert_streamed_equals_calamine(path, block_size)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".xlsx", ".xlsm"))
)
def test_every_fixture_workbook_streams_to_what_python_calamine_reads(name: str) -> None:
    assert_streamed_equals_calamine(FIXTURES / name, block_size=512)


def test_cells_without_references_are_placed_after_the_previous_one(tmp_path: Path) -> None:
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t>'
        '</is></c><c r="D1" t="inlineStr"><is><t>d</t></is></c></row>',
        '<row><c r="A2"><v>1</v></c><c s="0" r="B2"><v>2</v></c><c><v>3</v></c></row>',
        '<row r="5"><c r="C5" t="inlineStr" s="0"><is><r><t>x</t></r><r><t>y</t></r></is></c>'
        "</row>",
    ]
    path = write_workbook(tmp_path / "irregular.xlsx", rows)
    frame = assert_streamed_equals_calamine(path, block_size=64)
    assert frame is not None
    assert _values(frame)["b"] == ["2", None]
    assert _values(frame)["column_C"] == ["3", "xy"]


def test_a_cell_outside_the_scanned_range_makes_the_sheet_read_whole(tmp_path: Path) -> None:
    rows = [
        '<row r="1"><c t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t>'
        "</is></c></row>",
        '<row r="2"><c r="B2"><v>2</v></c><c><v>3</v></c></row>',
    ]
    path = write_workbook(tmp_path / "unreferenced.xlsx", rows)
    frame = assert_streamed_equals_calamine(path, block_size=64)
    assert frame is not None
    assert _values(frame) == {
        "a": [None],
        "b": ["2"],
        "column_C": ["3"],
        "wdh_source_row": [2],
    }


def test_a_namespace_prefix_is_read_like_no_prefix(tmp_path: Path) -> None:
    rows = [
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>',
        '<x:row r="2"><x:c r="A2"><x:v>1.5</x:v></x:c></x:row>',
    ]
    path = write_workbook(tmp_path / "prefixed.xlsx", rows, prefix="x")
    frame = assert_streamed_equals_calamine(path, block_size=64)
    assert frame is not None
    assert frame["a"].tolist() == ["1.5"]


def test_a_streamed_read_refuses_a_row_over_the_row_limit(tmp_path: Path) -> None:
    cells = "".join(f'<c r="{_letters(n)}2"><v>{n}</v></c>' for n in range(200))
    path = write_workbook(tmp_path / "wide.xlsx", ['<row r="1"><c r="A1"><v>1</v></c></row>',
                                                   f'<row r="2">{cells}</row>'])  # fmt: skip
    with (
        mock.patch.object(xlsx_stream, "_BLOCK_SIZE", 256),
        mock.patch.object(xlsx_stream, "MAX_ROW_XML", 1024),
        pytest.raises(SourceFileError, match="a single row larger than"),
    ):
        ExcelReader(stream_above_cells=0).read(path, SOURCE)


def test_a_large_sheet_is_streamed_and_a_small_one_read_whole(tmp_path: Path) -> None:
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>'] + [
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 102)
    ]
    path = write_workbook(tmp_path / "rows.xlsx", rows)
    with mock.patch.object(excel, "stream_rows", wraps=xlsx_stream.stream_rows) as spy:
        ExcelReader(stream_above_cells=101).read(path, SOURCE)
        assert not spy.called
        frame = ExcelReader(stream_above_cells=100).read(path, SOURCE)
        assert spy.called
    assert frame["n"].tolist() == [str(n) for n in range(2, 102)]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("DD/MM/YY", NumberKind.DATETIME),
        ("H:MM:SS;@", NumberKind.DATETIME),
        ("[h]:mm:ss", NumberKind.DURATION),
        ("[Blue]\\+[h]:mm;[Red]\\-[h]:mm", NumberKind.DURATION),
        ("[>=100][Magenta].00", NumberKind.NUMBER),
        ('"$"#,##0_);[Red]("$"#,##0)', NumberKind.NUMBER),
        ("\\Y000000", NumberKind.NUMBER),
        ('#,##0.0####" YMD"', NumberKind.NUMBER),
        ("General", NumberKind.NUMBER),
        ("0.00%", NumberKind.NUMBER),
        ("h:mm AM/PM", NumberKind.DATETIME),
    ],
)
def test_a_number_format_is_judged_by_its_first_section(code: str, kind: NumberKind) -> None:
    assert number_format_kind(code) is kind


def test_serials_convert_as_python_calamine_converts_them() -> None:
    assert serial_value(45000.0, NumberKind.DATETIME, False) == dt.date(2023, 3, 15)
    assert serial_value(45000.5, NumberKind.DATETIME, False) == dt.datetime(2023, 3, 15, 12)
    assert serial_value(0.75, NumberKind.DATETIME, False) == dt.time(18)
    assert serial_value(60.0, NumberKind.DATETIME, False) == dt.date(1900, 2, 28)
    assert serial_value(1.0, NumberKind.DATETIME, True) == dt.date(1904, 1, 2)
    assert serial_value(2958466.0, NumberKind.DATETIME, False) == 2958466.0
    assert serial_value(1.5, NumberKind.DURATION, False) == dt.timedelta(days=1, hours=12)


def test_a_formula_without_value_beyond_every_value_is_read_and_listed(tmp_path: Path) -> None:
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>amount</t></is></c></row>',
        '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2"><f>A9/0</f></c></row>',
        '<row r="3"><c r="B3"><f>A9*2</f></c></row>',
    ]
    path = write_workbook(tmp_path / "formulas.xlsx", rows)
    frame = assert_streamed_equals_calamine(path)
    assert frame is not None
    assert _values(frame) == {
        "name": ["x", None],
        "amount": ["=A9/0", "=A9*2"],
        "wdh_source_row": [2, 3],
    }
    assert [row for row, _, _ in frame.attrs["cell_rejects"]] == [2, 3]


@pytest.mark.parametrize(
    ("style", "number", "message"),
    [
        (11, "1000000000", "too large"),
        (1, "-2e300", "damaged"),
    ],
)
def test_a_number_no_date_or_duration_can_hold_refuses_the_sheet_both_ways(
    tmp_path: Path, style: int, number: str, message: str
) -> None:
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>',
        f'<row r="2"><c r="A2" s="{style}"><v>{number}</v></c></row>',
    ]
    path = write_workbook(tmp_path / "serial.xlsx", rows)
    assert FORMATS[style - 1] in ("46", "14")
    with pytest.raises(SourceFileError, match=message):
        ExcelReader().read(path, SOURCE)
    with pytest.raises(SourceFileError):
        ExcelReader(stream_above_cells=0).read(path, SOURCE)


@pytest.mark.parametrize("stream_above_cells", [0, 10**9])
def test_a_refusal_while_rows_are_laid_out_keeps_a_plain_cause(
    tmp_path: Path, stream_above_cells: int
) -> None:
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>n</t></is></c></row>',
        '<row r="2"><c r="A2"><v>1</v></c></row>',
    ]
    path = write_workbook(tmp_path / "duplicate.xlsx", rows)
    with pytest.raises(SourceFileError, match="duplicate header") as raised:
        ExcelReader(stream_above_cells=stream_above_cells).read(path, SOURCE)
    assert raised.value.__cause__ is not raised.value


def test_a_cell_without_a_style_is_a_plain_number_whatever_style_0_shows(tmp_path: Path) -> None:
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>',
        '<row r="2"><c r="A2"><v>45000</v></c></row>',
    ]
    path = write_workbook(tmp_path / "unstyled.xlsx", rows, first_style="14")
    frame = assert_streamed_equals_calamine(path)
    assert frame is not None
    assert frame["n"].tolist() == ["45000"]


def test_a_multi_row_header_is_read_whole_however_large_the_sheet(tmp_path: Path) -> None:
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>g</t></is></c></row>',
        '<row r="2"><c r="A2" t="inlineStr"><is><t>p</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>q</t></is></c></row>',
        '<row r="3"><c r="A3"><v>1</v></c><c r="B3"><v>2</v></c></row>',
    ]
    path = write_workbook(tmp_path / "two_rows.xlsx", rows)
    source = SourceSpec(patterns=("*.xlsx",), header_rows=2)
    with mock.patch.object(excel, "stream_rows", wraps=xlsx_stream.stream_rows) as spy:
        frame = ExcelReader(stream_above_cells=0).read(path, source)
    assert not spy.called
    assert frame.equals(ExcelReader().read(path, source))
