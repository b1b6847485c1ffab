"""A month laid out as a hand-made report loads like the plain month: same rows, sums, rejections.

The report workbook has a title and a report date above each sheet's header, a blank row,
and a 合计 row plus a note under the data. The annuity domains declare nothing for it: the
header is found by their required columns, the totals row is skipped and reported.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.io.sample_data import write_workbook
from work_data_hub.plugins.registry import DomainRegistry

from .conftest import MONTH

pytestmark = pytest.mark.integration

DOMAINS = ("annuity_performance", "annuity_income")
TITLES = [["2024年11月 企业年金规模收入数据"], ["报告日期：2024-11-30", None, "单位：元"], []]
FOOTER = [["合计"], [], ["制表：数据采集组"]]
"""The totals row and, after a blank row, a note (``end_at_blank_row`` is not declared, so
the note is a data row: rejected with reasons, never dropped)."""


def _sheets(registry: DomainRegistry) -> dict[str, pd.DataFrame]:
    sheets = {}
    for name in DOMAINS:
        domain = registry.domains[name]
        sheets[domain.definition.source.sheet or name] = domain.sample(MONTH, 300, 7)
    return sheets


def _run(
    name: str, path: Path, engine: Engine, registry: DomainRegistry, settings: Settings
) -> RunReport:
    report = run_domain(
        RunRequest(name, file=path), engine=engine, registry=registry, settings=settings
    )
    assert report.status == "succeeded", report.error
    return report


def _warehouse(engine: Engine, table: str, money: list[str]) -> tuple[int, list[Decimal]]:
    sums = ", ".join(f'sum("{column}")' for column in money)
    with engine.connect() as connection:
        row = connection.execute(text(f'SELECT count(*), {sums} FROM "{table}"')).one()
    return int(row[0]), list(row[1:])


@pytest.mark.parametrize("name", DOMAINS)
def test_a_report_layout_loads_the_same_rows_sums_and_rejections_as_the_plain_month(
    wdh_engine: Engine,
    registry: DomainRegistry,
    settings: Settings,
    tmp_path: Path,
    name: str,
) -> None:
    sheets = _sheets(registry)
    plain = write_workbook(tmp_path / "plain.xlsx", sheets)
    report_file = write_workbook(tmp_path / "report.xlsx", sheets, above=TITLES, below=FOOTER)
    domain = registry.domains[name]
    money = [column.name for column in domain.columns if column.kind == "decimal"]

    plain_report = _run(name, plain, wdh_engine, registry, settings)
    plain_rows = _warehouse(wdh_engine, domain.definition.table, money)
    laid_out = _run(name, report_file, wdh_engine, registry, settings)
    laid_out_rows = _warehouse(wdh_engine, domain.definition.table, money)

    assert laid_out_rows == plain_rows
    assert laid_out.rows_loaded == plain_report.rows_loaded
    header = len(TITLES) + 1
    data_rows = len(sheets[domain.definition.source.sheet or name])
    totals_row = header + data_rows + 1
    note_row = totals_row + 2
    shifted = [(entry["row"] + len(TITLES), entry["reason"]) for entry in plain_report.rejected]
    note = [
        (entry["row"], entry["reason"]) for entry in laid_out.rejected if entry["row"] == note_row
    ]
    assert [
        (entry["row"], entry["reason"]) for entry in laid_out.rejected if entry["row"] != note_row
    ] == shifted
    assert note, "the note under the table is a rejected row, with its reasons"
    assert laid_out.rows_rejected == plain_report.rows_rejected + 1
    assert laid_out.skipped == [{"row": totals_row, "reason": "totals row"}]
    assert [entry["text"] for entry in laid_out.title_rows] == [
        "2024年11月 企业年金规模收入数据",
        "报告日期：2024-11-30 单位：元",
    ]
