"""The worked example of docs/adding-a-domain.md, run into PostgreSQL: a branch sales workbook
with dates in several forms, codes in mixed case with stray spaces, ``--`` for missing values,
percent text, thousands separators, one impossible date and one duplicate key — loaded by
declarations only, with exact rows loaded and exact reasons for the rows rejected."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import xlsxwriter
from alembic.migration import MigrationContext
from alembic.operations import Operations
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.io.schema.tables import create_domain_table
from work_data_hub.plugins import Domain
from work_data_hub.plugins.manager import BUILTIN_PLUGINS
from work_data_hub.plugins.registry import DomainRegistry

pytestmark = pytest.mark.integration

HEADER = ["日期", "网点代码", "网点名称", "销售额", "完成率"]
TITLE = "2024年11月 网点销售日报"
ROWS: list[list[object]] = [
    [dt.datetime(2024, 11, 4), " qtan011", "东城网点", "1,234,567.89", "95.5%"],  # row 3
    ["2024/11/04", "QTAN012", "西城网点", "2,000", "87.25%"],  # row 4
    ["20241105", "QTan 011", "东城网点", "--", "-0.00%"],  # row 5
    ["2024/11/31", "QTAN015", "南城网点", "500", "50%"],  # row 6: no 31 November
    ["2024-11-04", " QTAN 011 ", "东城网点(重复)", "1,000", "10%"],  # row 7: same key as row 3
    ["２０２４／１１／０６", "ｑｔａｎ０１３", "待定", "N/A", "--"],  # row 8
    [20241106, "qtan014", "无", "12,345", "0.5"],  # row 9
]
TOTALS = ["合计", None, None, "1,250,412.89", None]  # row 10: skipped, reconciled on 销售额
LOADED = [
    ("2024-11-04", "QTAN012", "西城网点", "2000.00", "0.872500", 4),
    ("2024-11-05", "QTAN011", "东城网点", None, "0.000000", 5),
    ("2024-11-06", "QTAN013", None, None, None, 8),
    ("2024-11-06", "QTAN014", None, "12345.00", "0.500000", 9),
]
REJECTED = [
    (3, "日期, 网点代码", "duplicate key (2024-11-04, QTAN011): same as row 7"),
    (6, "日期", "日期 '2024/11/31' is not a date"),
    (7, "日期, 网点代码", "duplicate key (2024-11-04, QTAN011): same as row 3"),
]
SELECT = (
    "SELECT 日期::text, 网点代码, 网点名称, 销售额::text, 完成率::text, wdh_source_row "
    "FROM branch_sales ORDER BY 1, 2"
)


def _example() -> ModuleType:
    """The declarations module (test folders are not packages under importlib mode)."""
    path = Path(__file__).with_name("branch_sales_domain.py")
    spec = importlib.util.spec_from_file_location("branch_sales_domain", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _registry(domain: Domain) -> DomainRegistry:
    registry = DomainRegistry()
    for builtin in BUILTIN_PLUGINS:
        registry.load_builtin(builtin)
    registry.register(domain, distribution="wdh-branch-sales")
    registry.verify_domains()
    assert registry.broken == []
    return registry


def _workbook(folder: Path) -> Path:
    path = folder / "网点销售_202411.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("销售明细")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [TITLE])
    sheet.write_row(1, 0, HEADER)
    for line, row in enumerate([*ROWS, TOTALS], start=2):
        for position, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(line, position, value, dates)
            else:
                sheet.write(line, position, value)
    workbook.close()
    return path


def _create_table(engine: Engine, domain: Domain) -> None:
    definition = domain.definition
    with engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        create_domain_table(
            operations,
            definition.table,
            list(domain.columns),
            keys=definition.keys,
            unique_keys=True,
        )


def _run(domain: Domain, file: Path, engine: Engine, settings: Settings, rejects: Path | None):
    return run_domain(
        RunRequest("branch_sales", file=file, rejects_out=rejects),
        engine=engine,
        registry=_registry(domain),
        settings=settings.model_copy(
            update={"WDH_REJECT_THRESHOLD": 0.5}
        ),  # 3 of 7 rows: a tiny file,
    )


def test_the_worked_example_loads_exact_rows_and_rejects_with_exact_reasons(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = _example().BRANCH_SALES
    _create_table(wdh_engine, domain)
    file = _workbook(tmp_path)

    report = _run(domain, file, wdh_engine, settings, tmp_path / "rejects.csv")

    assert report.status == "succeeded", report.error
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (7, 4, 3)
    assert [(r["row"], r["column"], r["reason"]) for r in report.rejected] == REJECTED
    assert report.rejects_file == str(tmp_path / "rejects.csv")
    assert report.title_rows == [{"row": 1, "text": TITLE}]
    assert report.skipped == [{"row": 10, "reason": "totals row"}]
    assert report.totals == [
        {
            "column": "销售额",
            "file_total": "1250412.89",
            "rows_sum": "1250412.89",
            "unreadable": 0,
            "matches": True,
        }
    ]
    with wdh_engine.connect() as connection:
        assert [tuple(row) for row in connection.exec_driver_sql(SELECT).all()] == LOADED
    with (tmp_path / "rejects.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["file", "sheet", "row", "column", "value", "reason"],
            [file.name, "销售明细", "3", "日期, 网点代码", "2024-11-04,  qtan011", REJECTED[0][2]],
            [file.name, "销售明细", "6", "日期", "2024/11/31", REJECTED[1][2]],
            [
                file.name,
                "销售明细",
                "7",
                "日期, 网点代码",
                "2024-11-04,  QTAN 011 ",
                REJECTED[2][2],
            ],
        ]


def test_running_the_file_again_upserts_the_same_rows_without_a_database_error(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = _example().BRANCH_SALES
    _create_table(wdh_engine, domain)
    file = _workbook(tmp_path)

    first = _run(domain, file, wdh_engine, settings, None)
    second = _run(domain, file, wdh_engine, settings, tmp_path / "rejects.xlsx")

    assert (first.status, second.status) == ("succeeded", "succeeded")
    with wdh_engine.connect() as connection:
        assert [tuple(row[:5]) for row in connection.exec_driver_sql(SELECT).all()] == [
            row[:5] for row in LOADED
        ]
    rows = CalamineWorkbook.from_path(str(tmp_path / "rejects.xlsx")).get_sheet_by_name("销售明细")
    assert rows.to_python() == [
        [*HEADER, "source row", "rejected because"],
        ["2024-11-04", " qtan011", "东城网点", "1,234,567.89", "95.5%", 3.0, REJECTED[0][2]],
        ["2024/11/31", "QTAN015", "南城网点", "500", "50%", 6.0, REJECTED[1][2]],
        ["2024-11-04", " QTAN 011 ", "东城网点(重复)", "1,000", "10%", 7.0, REJECTED[2][2]],
    ]


def test_keeping_the_last_of_a_duplicate_key_loads_the_later_row(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    example = _example().BRANCH_SALES
    domain = dataclasses.replace(
        example, definition=dataclasses.replace(example.definition, duplicate_keys="last")
    )
    _create_table(wdh_engine, domain)

    report = _run(domain, _workbook(tmp_path), wdh_engine, settings, None)

    assert report.status == "succeeded", report.error
    assert [(r["row"], r["reason"]) for r in report.rejected] == [
        (3, "duplicate key (2024-11-04, QTAN011): same as row 7, which is kept"),
        (6, "日期 '2024/11/31' is not a date"),
    ]
    with wdh_engine.connect() as connection:
        loaded = connection.exec_driver_sql(SELECT).all()
    assert [tuple(row) for row in loaded] == [
        ("2024-11-04", "QTAN011", "东城网点(重复)", "1000.00", "0.100000", 7),
        *LOADED,
    ]
