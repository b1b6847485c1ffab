"""A run for a month replaces that month only, whatever the file holds.

The warehouse holds a clean October 2024 (50 rows) and the tests run November files into it
through ``annuity_performance``: stray rows of other months, months after the run's month, and
keys that differ only by invisible characters. October must be exactly as it was each time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from bad_files import generator
from sqlalchemy import Engine, create_engine
from warehouse_state import rejected_cells, table_rows
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.plugins.manager import BUILTIN_PLUGINS
from work_data_hub.plugins.registry import DomainRegistry
from work_data_hub.testing.domain_runner import write_sample_file
from workdatahub_annuity_performance.plugin import PLUGIN

pytestmark = pytest.mark.integration

DOMAIN = TABLE = "annuity_performance"
SHEET = "规模明细"
ROWS: int = generator.ROWS
OCTOBER = "\"月度\" = DATE '2024-10-01'"
NOVEMBER = "\"月度\" = DATE '2024-11-01'"


@pytest.fixture
def engine(wdh_database: str) -> Engine:
    return create_engine(wdh_database)


def _workbook(folder: Path, name: str, cells: generator.Cells) -> Path:
    return write_sample_file(
        folder / name, generator.changed(cells), file_type="excel", sheet=SHEET
    )


def _run(
    engine: Engine,
    settings: Settings,
    file: Path,
    month: str | None = "202411",
    registry: DomainRegistry | None = None,
) -> RunReport:
    request = RunRequest(DOMAIN, file=file, month=month)
    return run_domain(request, engine=engine, settings=settings, registry=registry)


@pytest.fixture
def october(engine: Engine, settings: Settings, tmp_path: Path) -> list[tuple[object, ...]]:
    """Load the clean October; return its rows as stored."""
    file = _workbook(tmp_path, "october.xlsx", {(row, "月度"): 202410 for row in range(ROWS)})
    report = _run(engine, settings, file, month="202410")
    assert (report.status, report.rows_loaded) == ("succeeded", ROWS), report.error
    return table_rows(engine, TABLE, where=OCTOBER)


def test_a_stray_row_of_another_month_is_rejected_and_never_touches_that_month(
    engine: Engine, settings: Settings, tmp_path: Path, october: list[tuple[object, ...]]
) -> None:
    november = _workbook(tmp_path, "november.xlsx", {(5, "月度"): 202410})

    report = _run(engine, settings, november)

    assert report.status == "succeeded", report.error
    assert (report.month, report.rows_loaded, report.rows_rejected) == ("2024-11", ROWS - 1, 1)
    assert report.rejected == [
        {"row": 7, "column": "月度", "reason": "月度 2024-10 is not the run month 2024-11"}
    ]
    assert rejected_cells(engine, report.execution_id) == {(7, "月度")}
    assert table_rows(engine, TABLE, where=OCTOBER) == october
    assert len(table_rows(engine, TABLE, where=NOVEMBER)) == ROWS - 1


def test_a_file_run_without_a_month_loads_the_month_of_most_rows_and_rejects_the_rest(
    engine: Engine, settings: Settings, tmp_path: Path, october: list[tuple[object, ...]]
) -> None:
    november = _workbook(tmp_path, "november.xlsx", {(0, "月度"): 202410, (1, "月度"): 202410})

    report = _run(engine, settings, november, month=None)

    assert report.status == "succeeded", report.error
    assert (report.month, report.rows_loaded, report.rows_rejected) == ("2024-11", ROWS - 2, 2)
    assert table_rows(engine, TABLE, where=OCTOBER) == october


def test_months_after_the_run_month_are_rejected_measured_against_the_run_not_the_clock(
    engine: Engine, settings: Settings, tmp_path: Path, october: list[tuple[object, ...]]
) -> None:
    this_month = dt.date.today().strftime("%Y%m")
    november = _workbook(tmp_path, "november.xlsx", {(2, "月度"): 202506, (3, "月度"): this_month})

    report = _run(engine, settings, november)

    assert report.status == "succeeded", report.error
    assert [(entry["row"], entry["column"]) for entry in report.rejected] == [
        (4, "月度"),
        (5, "月度"),
    ]
    assert all("run month 2024-11" in entry["reason"] for entry in report.rejected)
    assert table_rows(engine, TABLE, where="\"月度\" > DATE '2024-11-01'") == []
    assert table_rows(engine, TABLE, where=OCTOBER) == october


def test_a_domain_that_refuses_other_months_fails_the_file_and_writes_nothing(
    engine: Engine, settings: Settings, tmp_path: Path, october: list[tuple[object, ...]]
) -> None:
    refusing = DomainRegistry()
    for builtin in BUILTIN_PLUGINS:
        refusing.load_builtin(builtin)
    refusing.register(
        dataclasses.replace(
            PLUGIN, definition=dataclasses.replace(PLUGIN.definition, other_months="refuse")
        ),
        distribution="workdatahub-annuity-performance",
    )
    before = table_rows(engine, TABLE)
    november = _workbook(tmp_path, "november.xlsx", {(5, "月度"): 202410})

    report = _run(engine, settings, november, registry=refusing)

    assert report.status == "failed"
    assert report.error == (
        f"file 'november.xlsx', sheet '{SHEET}': column '月度' holds rows of other months than "
        "the run month 2024-11 (2024-10: 1 row(s), first row 7); the domain refuses such files"
    )
    assert table_rows(engine, TABLE) == before


def test_a_corrected_file_whose_keys_differ_by_invisible_characters_replaces_its_month(
    engine: Engine, settings: Settings, tmp_path: Path, october: list[tuple[object, ...]]
) -> None:
    first = _run(engine, settings, _workbook(tmp_path, "november.xlsx", {}))
    assert (first.status, first.rows_loaded) == ("succeeded", ROWS), first.error
    sheet = generator.clean_sheet()
    corrected_cells = {
        (row, "业务类型"): f"{business} " if row % 3 else f"\u200b{business}\u3000"
        for row, business in enumerate(sheet["业务类型"])
    } | {(row, "计划类型"): f" {plan}" for row, plan in enumerate(sheet["计划类型"])}
    corrected = _workbook(tmp_path, "november-corrected.xlsx", corrected_cells)

    second = _run(engine, settings, corrected)

    assert (second.status, second.rows_loaded, second.rows_rejected) == ("succeeded", ROWS, 0)
    november = table_rows(engine, TABLE, where=NOVEMBER)
    assert len(november) == ROWS
    assert table_rows(engine, TABLE, where=OCTOBER) == october
    with engine.connect() as connection:
        keys = connection.exec_driver_sql(
            'SELECT DISTINCT "业务类型", "计划类型" FROM annuity_performance ORDER BY 1, 2'
        ).all()
    assert {business for business, _ in keys} == set(generator.BUSINESS_TYPES)
    assert {plan for _, plan in keys} == {"集合计划", "单一计划"}


def test_a_plan_type_outside_its_code_list_is_rejected_naming_the_value(
    engine: Engine, settings: Settings, tmp_path: Path, october: list[tuple[object, ...]]
) -> None:
    november = _workbook(tmp_path, "november.xlsx", {(4, "计划类型"): "集合计划二"})

    report = _run(engine, settings, november)

    assert report.status == "succeeded", report.error
    assert [(entry["row"], entry["column"]) for entry in report.rejected] == [(6, "计划类型")]
    assert "'集合计划二'" in report.rejected[0]["reason"]
    assert table_rows(engine, TABLE, where=OCTOBER) == october
