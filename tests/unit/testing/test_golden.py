"""Golden helpers: a frame through a domain's own reader and steps at a fixed run time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from work_data_hub.domain.columns import Column
from work_data_hub.domain.definition import SourceType
from work_data_hub.domain.steps import CleanMoney, ParseMonth
from work_data_hub.io.runs.request import RunFailed
from work_data_hub.io.sample_data import write_workbook
from work_data_hub.plugins import Domain, DomainDefinition, SourceSpec
from work_data_hub.testing.domain_runner import plugin_registry, transform_file
from work_data_hub.testing.golden import FixedCompanyIdCache, read_text_csv, transform_sheet

pytestmark = pytest.mark.unit

RUN_AT = dt.datetime(2024, 12, 5, 9, 30, tzinfo=dt.UTC)


def toy_domain(file_type: SourceType = "excel") -> Domain:
    """A domain reading 月度, 计划号 (an alias of 计划代码) and 金额."""
    source = SourceSpec(
        patterns=("*",),
        file_type=file_type,
        sheet="明细" if file_type == "excel" else None,
        required_columns=("月度",),
        header_aliases={"计划号": "计划代码"},
    )
    return Domain(
        definition=DomainDefinition(name="toy", table="toy", source=source),
        columns=(
            Column("月度", "date", nullable=False),
            Column("计划代码", nullable=False),
            Column("金额", "decimal"),
        ),
        steps=(ParseMonth("月度", reject_after_run_month=True), CleanMoney(["金额"])),
    )


SHEET = pd.DataFrame(
    {
        "月度": [202411, "2025-01", "2024年11月", "2024-10"],
        "计划号": ["P1", "P2", None, " P4 "],
        "金额": ["¥1,234.50", 2, 3, None],
    },
    dtype=object,
)


@pytest.mark.parametrize("file_type", ["excel", "csv"])
def test_a_sheet_goes_through_the_domains_reader_steps_and_schema(file_type: SourceType) -> None:
    result = transform_sheet(toy_domain(file_type), SHEET, run_at=RUN_AT)

    assert result.rows_read == 4
    assert result.valid["wdh_source_row"].tolist() == [2, 5]
    assert result.valid["计划代码"].tolist() == ["P1", " P4 "]
    assert result.valid["月度"].tolist() == [pd.Timestamp(2024, 11, 1), pd.Timestamp(2024, 10, 1)]
    assert result.valid["金额"].iloc[0] == 1234.5
    assert list(result.rejected.itertuples(index=False, name=None)) == [
        (3, "月度", "月度 2025-01 is after the run month 2024-12"),
        (4, "计划代码", "计划代码 is required"),
    ]
    assert SHEET.columns.tolist() == ["月度", "计划号", "金额"]


def test_the_run_time_decides_which_months_lie_in_the_future() -> None:
    later = transform_sheet(toy_domain(), SHEET, run_at=dt.datetime(2025, 1, 31))

    assert later.valid["wdh_source_row"].tolist() == [2, 3, 5]


def test_a_domain_is_found_by_name_in_the_given_registry() -> None:
    registry = plugin_registry(toy_domain())

    result = transform_sheet("toy", SHEET, run_at=RUN_AT, registry=registry)

    assert len(result.valid) == 2


def test_a_text_csv_reads_as_a_reader_returns_a_sheet(tmp_path: Path) -> None:
    path = tmp_path / "input.csv"
    path.write_text("月度,计划号\n202411,\n,007\n", encoding="utf-8")

    sheet = read_text_csv(path)

    assert sheet["月度"].tolist()[0] == "202411"
    assert sheet["计划号"].tolist()[1] == "007"
    assert pd.isna(sheet["计划号"].iloc[0])
    assert pd.isna(sheet["月度"].iloc[1])


def test_the_fixed_cache_answers_only_what_is_asked() -> None:
    cache = FixedCompanyIdCache(by_name={"甲": "1", "乙": "2"})

    hits = cache.fetch(["甲", "丙"])

    assert dict(hits.by_name) == {"甲": "1"}
    assert dict(cache.fetch([]).by_name) == {}


def test_a_file_of_several_sheets_goes_through_as_one_table_by_sheet(tmp_path: Path) -> None:
    toy = toy_domain()
    source = SourceSpec(
        patterns=("*",),
        sheets=("明细-*",),
        required_columns=("月度",),
        header_aliases={"计划号": "计划代码"},
    )
    domain = Domain(
        definition=DomainDefinition(name="toy", table="toy", source=source, keys=("计划代码",)),
        columns=toy.columns,
        steps=toy.steps,
    )
    first = SHEET.iloc[[0, 3]]
    second = pd.DataFrame({"月度": ["2024-11"], "计划号": [" P4 "], "金额": ["5"]}, dtype=object)
    path = write_workbook(tmp_path / "toy.xlsx", {"明细-1": first, "说明": first, "明细-2": second})

    result = transform_file(domain, path, run_at=RUN_AT)

    assert result.rows_read == 3
    assert result.valid[["wdh_source_sheet", "wdh_source_row"]].values.tolist() == [["明细-1", 2]]
    assert result.rejected[["sheet", "source_row", "reason"]].values.tolist() == [
        ["明细-1", 3, "duplicate key (P4): same as row 2 of file 'toy.xlsx', sheet '明细-2'"],
        ["明细-2", 2, "duplicate key (P4): same as row 3 of file 'toy.xlsx', sheet '明细-1'"],
    ]


def test_a_step_failing_on_one_of_several_sheets_names_that_sheet(tmp_path: Path) -> None:
    source = SourceSpec(patterns=("*",), sheets=("明细-*",), required_columns=("月度",))
    domain = Domain(
        definition=DomainDefinition(name="toy", table="toy", source=source),
        columns=(Column("月度", "date", nullable=False), Column("金额", "decimal")),
        steps=(ParseMonth("月度"), CleanMoney(["金额"])),
    )
    with_amount = pd.DataFrame({"月度": ["2024-11"], "金额": ["5"]}, dtype=object)
    without = pd.DataFrame({"月度": ["2024-11"]}, dtype=object)
    path = write_workbook(tmp_path / "toy.xlsx", {"明细-1": with_amount, "明细-2": without})

    with pytest.raises(RunFailed) as raised:
        transform_file(domain, path, run_at=RUN_AT)

    assert str(raised.value).startswith("file 'toy.xlsx', sheet '明细-2': Step 'clean_money'")
    assert "'金额'" in str(raised.value)
