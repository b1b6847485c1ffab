"""A source read in parts, into PostgreSQL: several sheets of one workbook (a name pattern) or
one file per branch for the month, loaded as one run in one transaction. Every row keeps its
file and sheet in the table and in the rejects; a duplicate key across parts names the other
part; a part that cannot be read loads nothing of any part."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest
import xlsxwriter
from alembic.migration import MigrationContext
from alembic.operations import Operations
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.io.schema.tables import create_domain_table
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec
from work_data_hub.testing.domain_runner import plugin_registry

pytestmark = pytest.mark.integration

HEADER = ["日期", "网点代码", "销售额"]
EAST = [  # rows 3-5 under a title row and the header; row 6 is the 合计 row
    ["2024-11-04", "QTAN011", "1,000"],
    ["2024-11-05", "qtan012 ", "2,000.50"],
    ["2024-11-06", "QTAN013", "300"],
]
WEST = [
    ["2024/11/04", "QTAN021", "500"],
    ["2024/11/31", "QTAN022", "600"],  # row 4: no 31 November
    ["20241104", " qtan011", "700"],  # row 5: the key of 东城's row 3
]
SALES = ("sales.xlsx", {"销售-东城": EAST, "销售-西城": WEST})


def _domain(**source: object) -> Domain:
    return Domain(
        definition=DomainDefinition(
            name="branch_parts",
            table="branch_parts",
            source=SourceSpec(
                patterns=("网点销售_*.xlsx", "sales.xlsx"),
                required_columns=("日期", "网点代码", "销售额"),
                totals_columns=("销售额",),
                **source,  # type: ignore[arg-type]
            ),
            write_mode="upsert",
            keys=("日期", "网点代码"),
        ),
        columns=(
            Column("日期", "date", nullable=False),
            Column("网点代码", nullable=False),
            Column("销售额", "decimal", precision=18, scale=2),
        ),
        steps=(
            {"step": "parse_date", "column": "日期"},
            {"step": "clean_code", "columns": ["网点代码"], "case": "upper"},
            {"step": "clean_money", "columns": ["销售额"]},
        ),
    )


def _workbook(path: Path, sheets: dict[str, list[list[str]]], *, extra: bool = True) -> Path:
    """Each sheet: a title row, the header, its rows and a 合计 row holding their sum."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, [f"2024年11月 {name}"])
        sheet.write_row(1, 0, HEADER)
        for line, row in enumerate(rows, start=2):
            sheet.write_row(line, 0, row)
        total = sum(float(row[2].replace(",", "")) for row in rows)
        sheet.write_row(len(rows) + 2, 0, ["合计", "", f"{total:,.2f}"])
    if extra:
        workbook.add_worksheet("说明").write_row(0, 0, ["本表说明：金额单位为元"])
    workbook.close()
    return path


def _create_table(engine: Engine, domain: Domain, *, source_parts: bool = True) -> None:
    definition = domain.definition
    with engine.begin() as connection:
        create_domain_table(
            Operations(MigrationContext.configure(connection)),
            definition.table,
            list(domain.columns),
            keys=definition.keys,
            unique_keys=True,
            source_parts=source_parts,
        )


def _run(domain: Domain, request: RunRequest, engine: Engine, settings: Settings) -> RunReport:
    return run_domain(
        request,
        engine=engine,
        registry=plugin_registry(domain),
        settings=settings.model_copy(update={"WDH_REJECT_THRESHOLD": 0.5}),
    )


def _table(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.exec_driver_sql(
                "SELECT wdh_source_file, wdh_source_sheet, wdh_source_row, 日期::text, 网点代码, "
                "销售额::text FROM branch_parts ORDER BY 2, 3"
            ).all()
        ]


def _recorded_rejections(engine: Engine, execution_id: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.exec_driver_sql(
                "SELECT source_file, sheet, source_row, reason FROM rejected_rows "
                "WHERE execution_id = %(id)s ORDER BY sheet, source_row",
                {"id": execution_id},
            ).all()
        ]


CROSS_EAST = (
    "duplicate key (2024-11-04, QTAN011): same as row 5 of file 'sales.xlsx', sheet '销售-西城'"
)
CROSS_WEST = (
    "duplicate key (2024-11-04, QTAN011): same as row 3 of file 'sales.xlsx', sheet '销售-东城'"
)


def test_sheets_matching_a_pattern_load_as_one_table_with_file_and_sheet_in_the_lineage(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = _domain(sheets=("销售-*",))
    _create_table(wdh_engine, domain)
    file = _workbook(tmp_path / SALES[0], SALES[1])

    report = _run(domain, RunRequest("branch_parts", file=file), wdh_engine, settings)

    assert report.status == "succeeded", report.error
    assert report.sources == [
        {"file": "sales.xlsx", "sheet": "销售-东城", "rows": 3},
        {"file": "sales.xlsx", "sheet": "销售-西城", "rows": 3},
    ]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (6, 3, 3)
    assert set(report.stage_durations) == {"read", "transform", "load"}
    assert [(r["sheet"], r["row"], r["reason"]) for r in report.rejected] == [
        ("销售-东城", 3, CROSS_EAST),
        ("销售-西城", 4, "日期 '2024/11/31' is not a date"),
        ("销售-西城", 5, CROSS_WEST),
    ]
    assert {r["file"] for r in report.rejected} == {"sales.xlsx"}
    assert report.rejected_by_reason == {
        "duplicate key: same as another row": 2,
        "日期 … is not a date": 1,
    }
    assert _table(wdh_engine) == [
        ("sales.xlsx", "销售-东城", 4, "2024-11-05", "QTAN012", "2000.50"),
        ("sales.xlsx", "销售-东城", 5, "2024-11-06", "QTAN013", "300.00"),
        ("sales.xlsx", "销售-西城", 3, "2024-11-04", "QTAN021", "500.00"),
    ]
    assert [(s["sheet"], s["row"], s["reason"]) for s in report.skipped] == [
        ("销售-东城", 6, "totals row"),
        ("销售-西城", 6, "totals row"),
    ]
    assert [(t["sheet"], t["file_total"], t["matches"]) for t in report.totals] == [
        ("销售-东城", "3300.50", True),
        ("销售-西城", "1800.00", True),
    ]
    assert [(t["sheet"], t["row"]) for t in report.title_rows] == [
        ("销售-东城", 1),
        ("销售-西城", 1),
    ]
    assert _recorded_rejections(wdh_engine, report.execution_id) == [
        (str(file), "销售-东城", 3, CROSS_EAST),
        (str(file), "销售-西城", 4, "日期 '2024/11/31' is not a date"),
        (str(file), "销售-西城", 5, CROSS_WEST),
    ]


def test_the_rejects_files_name_each_rows_sheet_and_hold_one_worksheet_per_sheet(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = _domain(sheets=("销售-*",))
    _create_table(wdh_engine, domain)
    file = _workbook(tmp_path / SALES[0], SALES[1])
    registry_run = plugin_registry(domain)
    for target in ("rejects.csv", "rejects.xlsx"):
        report = run_domain(
            RunRequest("branch_parts", file=file, rejects_out=tmp_path / target, dry_run=True),
            engine=wdh_engine,
            registry=registry_run,
            settings=settings.model_copy(update={"WDH_REJECT_THRESHOLD": 0.5}),
        )
        assert report.status == "succeeded", report.error

    with (tmp_path / "rejects.csv").open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines == [
        ["file", "sheet", "row", "column", "value", "reason"],
        ["sales.xlsx", "销售-东城", "3", "日期, 网点代码", "2024-11-04, QTAN011", CROSS_EAST],
        ["sales.xlsx", "销售-西城", "4", "日期", "2024/11/31", "日期 '2024/11/31' is not a date"],
        ["sales.xlsx", "销售-西城", "5", "日期, 网点代码", "20241104,  qtan011", CROSS_WEST],
    ]
    workbook = CalamineWorkbook.from_path(str(tmp_path / "rejects.xlsx"))
    assert workbook.sheet_names == ["销售-东城", "销售-西城"]
    assert workbook.get_sheet_by_name("销售-西城").to_python() == [
        [*HEADER, "source row", "rejected because"],
        ["2024/11/31", "QTAN022", "600", 4.0, "日期 '2024/11/31' is not a date"],
        ["20241104", " qtan011", "700", 5.0, CROSS_WEST],
    ]


def test_one_file_per_branch_loads_as_one_run_of_the_month(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = _domain(all_files=True)
    _create_table(wdh_engine, domain)
    inbox = tmp_path / "inbox"
    east = _workbook(inbox / "202411" / "网点销售_东城.xlsx", {"销售": EAST}, extra=False)
    west = _workbook(inbox / "202411" / "网点销售_西城.xlsx", {"销售": WEST}, extra=False)

    report = _run(
        domain,
        RunRequest("branch_parts", month="202411"),
        wdh_engine,
        settings.model_copy(update={"INBOX_DIR": inbox}),
    )

    assert report.status == "succeeded", report.error
    assert report.file == str((inbox / "202411").resolve())
    assert [(s["file"], s["rows"]) for s in report.sources] == [(east.name, 3), (west.name, 3)]
    assert [(r["file"], r["row"], r["reason"]) for r in report.rejected] == [
        (
            east.name,
            3,
            f"duplicate key (2024-11-04, QTAN011): same as row 5 of file {west.name!r}, "
            "sheet '销售'",
        ),
        (west.name, 4, "日期 '2024/11/31' is not a date"),
        (
            west.name,
            5,
            f"duplicate key (2024-11-04, QTAN011): same as row 3 of file {east.name!r}, "
            "sheet '销售'",
        ),
    ]
    loaded = _table(wdh_engine)
    assert sorted((row[0], row[2]) for row in loaded) == [
        (east.name, 4),
        (east.name, 5),
        (west.name, 3),
    ]
    assert {row[1] for row in loaded} == {"销售"}
    recorded = _recorded_rejections(wdh_engine, report.execution_id)
    assert {row[0] for row in recorded} == {str(east.resolve()), str(west.resolve())}


def test_a_part_that_cannot_be_read_loads_nothing_of_any_part(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = _domain(all_files=True)
    _create_table(wdh_engine, domain)
    inbox = tmp_path / "inbox"
    _workbook(inbox / "202411" / "网点销售_东城.xlsx", {"销售": EAST}, extra=False)
    broken = inbox / "202411" / "网点销售_西城.xlsx"
    workbook = xlsxwriter.Workbook(str(broken))
    workbook.add_worksheet("销售").write_row(0, 0, ["日期", "网点"])  # no 销售额 column
    workbook.close()

    report = _run(
        domain,
        RunRequest("branch_parts", month="202411"),
        wdh_engine,
        settings.model_copy(update={"INBOX_DIR": inbox}),
    )

    assert report.status == "failed"
    assert report.error is not None
    assert broken.name in report.error
    assert _table(wdh_engine) == []
    # the first file was transformed while the second was read: both stages took time
    assert set(report.stage_durations) == {"read", "transform"}
    assert report.stage_durations["read"] > 0


def test_a_table_without_the_file_and_sheet_columns_is_refused_before_loading(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = _domain(sheets=("销售-*",))
    _create_table(wdh_engine, domain, source_parts=False)
    file = _workbook(tmp_path / SALES[0], SALES[1])

    report = _run(domain, RunRequest("branch_parts", file=file), wdh_engine, settings)

    assert report.status == "failed"
    assert report.error is not None
    assert "wdh_source_file" in report.error
    assert "nothing was loaded" in report.error


def test_a_workbook_without_a_matching_sheet_names_the_sheets_it_has(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = _domain(sheets=("明细-*",))
    _create_table(wdh_engine, domain)
    file = _workbook(tmp_path / SALES[0], SALES[1])

    report = _run(domain, RunRequest("branch_parts", file=file), wdh_engine, settings)

    assert report.status == "failed"
    assert report.error == (
        "file 'sales.xlsx': no sheet matches '明细-*'; the workbook has: '销售-东城', "
        "'销售-西城', '说明'"
    )


def test_a_single_sheet_source_keeps_its_table_and_rejects_as_before(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    domain = _domain(sheet="销售-西城")
    definition = dataclasses.replace(domain.definition, table="branch_single")
    domain = dataclasses.replace(domain, definition=definition)
    _create_table(wdh_engine, domain, source_parts=False)
    file = _workbook(tmp_path / SALES[0], SALES[1])

    report = _run(domain, RunRequest("branch_parts", file=file), wdh_engine, settings)

    assert report.status == "succeeded", report.error
    assert report.sources == [{"file": "sales.xlsx", "sheet": "销售-西城", "rows": 3}]
    assert [(r["row"], r["reason"]) for r in report.rejected] == [
        (4, "日期 '2024/11/31' is not a date")
    ]
    assert "file" not in report.rejected[0]
    with wdh_engine.connect() as connection:
        loaded = connection.exec_driver_sql(
            "SELECT wdh_source_row, 网点代码 FROM branch_single ORDER BY 1"
        ).all()
    assert [tuple(row) for row in loaded] == [(3, "QTAN021"), (5, "QTAN011")]
