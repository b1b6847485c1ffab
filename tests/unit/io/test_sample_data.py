"""The workbook and CSV writers, sample file names, and the month generator over domains."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import python_calamine
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.definition import DomainDefinition, SourceSpec
from work_data_hub.io.connectors.file_connector import FileDiscoveryError, discover_file
from work_data_hub.io.readers import CsvReader, ExcelReader, clean_header
from work_data_hub.io.sample_data import (
    generate_month,
    sample_file_name,
    write_csv,
    write_workbook,
)

pytestmark = pytest.mark.unit

ANNUITY_PATTERNS = ("*规模收入数据*.xlsx", "*规模*收入数据*.xlsx", "*年金终稿*")
ANY_SHEET = SourceSpec(patterns=("*",), sheet="S", totals_markers=())
"""Any sheet named S, every row data: a cell that happens to read 合计 makes no totals row here
(totals rows have their own tests, in test_reader_layout.py)."""

# Surrogates cannot be encoded at all; U+FFFE/U+FFFF are not characters XML may carry.
CELL_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\ufffe\uffff"),
    min_size=1,
    max_size=12,
)
HEADERS = st.lists(
    CELL_TEXT.map(clean_header).filter(lambda h: h != "" and h != SOURCE_ROW_COLUMN),
    min_size=1,
    max_size=4,
    unique=True,
)


@st.composite
def text_tables(draw: st.DrawFn) -> pd.DataFrame:
    headers = draw(HEADERS)
    rows = draw(
        st.lists(
            st.lists(st.none() | CELL_TEXT, min_size=len(headers), max_size=len(headers)),
            max_size=8,
        )
    )
    return pd.DataFrame(rows, columns=headers, dtype=object)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=text_tables())
@example(
    table=pd.DataFrame(
        [["_x0041_", "a\r\nb", "00123"], [None, None, None], ["\x01", " =1+1 ", "1e5"]],
        columns=["计划代码", "流失(含待遇支付)", "月度"],
        dtype=object,
    )
)
@example(table=pd.DataFrame([[None, "合计"]], columns=["0", "1"], dtype=object))
def test_any_text_table_reads_back_identically_with_its_row_numbers(
    tmp_path: Path, table: pd.DataFrame
) -> None:
    path = write_workbook(tmp_path / "table.xlsx", {"S": table})

    frame = ExcelReader().read(path, ANY_SHEET)

    kept = [i for i in range(len(table)) if table.iloc[i].notna().any()]
    assert frame[SOURCE_ROW_COLUMN].tolist() == [i + 2 for i in kept]
    assert list(frame.columns) == [*table.columns, SOURCE_ROW_COLUMN]
    for column in table.columns:
        assert frame[column].astype(object).where(frame[column].notna(), None).tolist() == [
            table[column].iloc[i] for i in kept
        ]


def _raw_cells(path: Path, sheet: str) -> list[list[Any]]:
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_write_workbook_keeps_each_value_type(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "code": ["00123", "=SUM(A1)", "http://example.com"],
            "month": [202411, 202412, None],
            "rate": [0.0509, float("nan"), 1.5],
            "day": [dt.date(2024, 11, 30), None, dt.datetime(2024, 1, 2, 3, 4)],
            "flag": [True, False, None],
        }
    )

    path = write_workbook(tmp_path / "out" / "typed.xlsx", {"明细": frame})

    assert _raw_cells(path, "明细") == [
        ["code", "month", "rate", "day", "flag"],
        ["00123", 202411.0, 0.0509, dt.date(2024, 11, 30), True],
        ["=SUM(A1)", 202412.0, "", "", False],
        ["http://example.com", "", 1.5, dt.datetime(2024, 1, 2, 3, 4), ""],
    ]


def test_write_workbook_writes_every_sheet_and_the_same_bytes_each_time(tmp_path: Path) -> None:
    sheets = {"规模明细": pd.DataFrame({"a": ["x"]}), "收入明细": pd.DataFrame({"b": [1]})}

    first = write_workbook(tmp_path / "one.xlsx", sheets).read_bytes()
    second = write_workbook(tmp_path / "two.xlsx", sheets).read_bytes()

    assert first == second
    assert python_calamine.CalamineWorkbook.from_path(tmp_path / "one.xlsx").sheet_names == [
        "规模明细",
        "收入明细",
    ]


def test_write_workbook_refuses_text_too_long_for_a_cell(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["ok", "x" * 32_768]})

    with pytest.raises(ValueError, match="sheet 'S', row 3: a text is longer than"):
        write_workbook(tmp_path / "long.xlsx", {"S": frame})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_write_csv_reads_back_through_the_csv_reader(tmp_path: Path, encoding: str) -> None:
    frame = pd.DataFrame({"计划代码": ["00123", None], "客户名称": ["新疆某某公司", "乙"]})

    path = write_csv(tmp_path / "out.csv", frame, encoding=encoding, delimiter="|")
    read = CsvReader().read(path, SourceSpec(patterns=("*",), file_type="csv"))

    assert read.attrs["encoding"] == encoding
    assert read.attrs["delimiter"] == "|"
    assert read["计划代码"].iloc[0] == "00123"
    assert read["计划代码"].isna().tolist() == [False, True]
    assert read[SOURCE_ROW_COLUMN].tolist() == [2, 3]


def _definition(
    name: str,
    patterns: tuple[str, ...] = ANNUITY_PATTERNS,
    sheet: str | None = None,
    file_type: str = "excel",
) -> DomainDefinition:
    source = SourceSpec(
        patterns=patterns,
        sheet=sheet,
        folder="{YYYYMM}/收集数据/数据采集",
        file_type=file_type,  # type: ignore[arg-type]
    )
    return DomainDefinition(name=name, table=name, source=source)


@pytest.mark.parametrize(
    ("patterns", "name"),
    [
        (ANNUITY_PATTERNS, "24年11月规模收入数据.xlsx"),
        (("*规模*收入数据*.xlsx",), "24年11月规模收入数据.xlsx"),
        (("*年金终稿*",), "24年11月年金终稿.xlsx"),
        (("data_????.xlsx", "*"), "data_0000.xlsx"),
        (("[ab]*.xlsx",), "a24年11月.xlsx"),
        (("~$*", "*.xlsx"), "24年11月.xlsx"),
    ],
)
def test_sample_file_name_fills_the_first_usable_pattern(
    patterns: tuple[str, ...], name: str
) -> None:
    assert sample_file_name([_definition("d", patterns)], "202411") == name


def test_sample_file_name_fails_when_no_pattern_gives_a_usable_name() -> None:
    with pytest.raises(ValueError, match="no sample file name fits the patterns"):
        sample_file_name([_definition("d", ("*.csv",))], "202411")


Generator = Callable[[str, "int | None", int], Any]


@dataclass(frozen=True)
class FakeDomain:
    definition: DomainDefinition
    generator: Generator | None

    def sample(self, month: str, rows: int | None, seed: int) -> Any:
        return None if self.generator is None else self.generator(month, rows, seed)


def _plugin(
    frame: pd.DataFrame | object, calls: list[tuple[str, int | None, int]] | None = None
) -> Generator:
    def sample(month: str, rows: int | None, seed: int) -> object:
        if calls is not None:
            calls.append((month, rows, seed))
        return frame

    return sample


def test_generate_month_writes_one_workbook_per_pattern_group(tmp_path: Path) -> None:
    calls: list[tuple[str, int | None, int]] = []
    performance = FakeDomain(
        _definition("annuity_performance", sheet="规模明细"),
        _plugin(pd.DataFrame({"计划代码": ["00123"], "月度": [202411]}), calls),
    )
    income = FakeDomain(
        _definition("annuity_income", sheet="收入明细"),
        _plugin(pd.DataFrame({"计划代码": ["Z0005", "P0290"]}), calls),
    )
    other = FakeDomain(
        _definition("trustee", patterns=("*受托*.csv",), file_type="csv"),
        _plugin(pd.DataFrame({"x": ["1"]})),
    )
    silent = FakeDomain(_definition("no_samples", patterns=("*.xlsx",)), None)

    paths = generate_month(
        [performance, income, other, silent],
        tmp_path,
        "202411",
        {"annuity_performance": 1, "annuity_income": 2, "trustee": 1, "no_samples": 5},
        seed=7,
    )

    folder = tmp_path / "202411" / "收集数据" / "数据采集"
    assert paths == [folder / "24年11月规模收入数据.xlsx", folder / "24年11月受托.csv"]
    assert calls == [("202411", 1, 7), ("202411", 2, 7)]
    for domain in (performance, income):
        assert discover_file(tmp_path, domain.definition.source, "202411") == paths[0]
    assert discover_file(tmp_path, other.definition.source, "202411") == paths[1]
    income_rows = ExcelReader().read(paths[0], income.definition.source)
    assert income_rows["计划代码"].tolist() == ["Z0005", "P0290"]
    assert ExcelReader().read(paths[0], performance.definition.source)["月度"].tolist() == [
        "202411"
    ]


def test_generate_month_uses_the_domain_name_as_sheet_by_default(tmp_path: Path) -> None:
    domain = FakeDomain(_definition("annuity_performance"), _plugin(pd.DataFrame({"a": ["1"]})))

    [path] = generate_month([domain], tmp_path, "202411", rows=1, seed=0)

    assert python_calamine.CalamineWorkbook.from_path(path).sheet_names == ["annuity_performance"]


def test_generate_month_refuses_two_domains_on_one_sheet(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["1"]})
    domains = [
        FakeDomain(_definition("one", sheet="明细"), _plugin(frame)),
        FakeDomain(_definition("two", sheet="明细"), _plugin(frame)),
    ]

    with pytest.raises(ValueError, match="both need the sheet '明细'"):
        generate_month(domains, tmp_path, "202411", rows=1, seed=0)


def test_generate_month_refuses_a_sample_that_is_not_a_frame(tmp_path: Path) -> None:
    domain = FakeDomain(_definition("one"), _plugin([1, 2]))

    with pytest.raises(TypeError, match="returned list, not a pandas DataFrame"):
        generate_month([domain], tmp_path, "202411", rows=1, seed=0)


def test_generate_month_validates_the_month(tmp_path: Path) -> None:
    with pytest.raises(FileDiscoveryError, match="is not YYYYMM"):
        generate_month([], tmp_path, "2024-11", rows=1, seed=0)


def _sizing_plugin(asked: dict[str, int | None], name: str) -> Generator:
    def sample(month: str, rows: int | None, seed: int) -> pd.DataFrame:
        asked[name] = rows
        return pd.DataFrame({"a": ["1"] * (3 if rows is None else rows)})

    return sample


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (None, {"big": None, "small": None}),
        ({"big": 2}, {"big": 2, "small": None}),
        (4, {"big": 4, "small": 4}),
    ],
    ids=["typical", "partial-mapping", "one-count"],
)
def test_generate_month_asks_for_a_typical_month_where_no_count_is_given(
    tmp_path: Path, rows: int | dict[str, int] | None, expected: dict[str, int | None]
) -> None:
    asked: dict[str, int | None] = {}
    domains = [
        FakeDomain(_definition(name, sheet=name), _sizing_plugin(asked, name))
        for name in ("big", "small")
    ]

    [path] = generate_month(domains, tmp_path, "202411", rows=rows, seed=0)

    assert asked == expected
    typical_or_given = expected["small"] or 3
    small = ExcelReader().read(path, domains[1].definition.source)
    assert len(small) == typical_or_given
