"""Amounts and rates reach the warehouse digit for digit, or are rejected naming the value.

``numeric(18,4)`` and ``numeric(10,6)`` columns receive exact decimals: nothing passes through a
binary float, nothing is rounded. A value with more decimal places than the column's scale,
or outside a declared bound by any amount, is a rejected row.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from bad_files import generator
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.testing.domain_runner import write_sample_file

pytestmark = pytest.mark.integration


def _stored(engine: Engine, execution_id: str, column: str) -> dict[int, object]:
    query = sa.select(sa.column("wdh_source_row"), sa.column(column)).select_from(
        sa.table("annuity_performance")
    )
    query = query.where(sa.cast(sa.column("wdh_execution_id"), sa.Text) == execution_id)
    with engine.connect() as connection:
        return dict(connection.execute(query).all())


@pytest.mark.parametrize("copies", [1, 3], ids=["batched insert", "copy"])
def test_amounts_are_stored_exactly_and_too_precise_values_are_rejected(
    wdh_database: str, settings: Settings, tmp_path: Path, copies: int
) -> None:
    """50 rows travel by batched INSERT, 150 by COPY: both keep every digit."""
    rows = pd.concat([generator.clean_sheet()] * copies, ignore_index=True)
    sheet = generator.changed(
        {
            (0, "期初资产规模"): "12345678901234.5678",
            (1, "期末资产规模"): "0.00005",
            (2, "当期收益率"): "10.0000001",
            (3, "供款"): "¥1,234.5678",
            (4, "投资收益"): 0.1,
            (5, "当期收益率"): "9.999999",
        },
        rows,
    )
    path = write_sample_file(tmp_path / "exact.xlsx", sheet, file_type="excel", sheet="规模明细")
    engine = create_engine_for(wdh_database)

    report = run_domain(
        RunRequest("annuity_performance", file=path), engine=engine, settings=settings
    )

    assert report.status == "succeeded", report.error
    assert sorted((entry["row"], entry["reason"]) for entry in report.rejected) == [
        (3, "期末资产规模 0.00005 has more than 4 decimal places (decimal(18,4) would round it)"),
        (
            4,
            "当期收益率 10.0000001 is above 10; "
            "当期收益率 10.0000001 has more than 6 decimal places (decimal(10,6) would round it)",
        ),
    ]
    assert report.rows_loaded == len(rows) - 2
    opening = _stored(engine, report.execution_id, "期初资产规模")
    assert opening[2] == Decimal("12345678901234.5678")
    assert _stored(engine, report.execution_id, "供款")[5] == Decimal("1234.5678")
    assert _stored(engine, report.execution_id, "投资收益")[6] == Decimal("0.1")
    assert _stored(engine, report.execution_id, "当期收益率")[7] == Decimal("9.999999")
    engine.dispose()


MONEY = ("期初资产规模", "期末资产规模", "供款", "流失(含待遇支付)", "流失", "待遇支付", "投资收益")

EDGES = ("12345678901234.5678", "0.0001", "-0.0000", "99999999999999.9999", "-99999999999999.9999")
"""Values at the edges of ``numeric(18,4)``, written as text cells."""


def test_every_money_column_sums_in_the_warehouse_to_the_exact_sum_of_the_file(
    wdh_database: str, settings: Settings, tmp_path: Path
) -> None:
    rows = pd.concat([generator.clean_sheet()] * 3, ignore_index=True)
    cells = {
        (row, column): EDGES[(row + offset) % len(EDGES)]
        for offset, column in enumerate(MONEY)
        for row in range(0, len(rows), 7)
    }
    sheet = generator.changed(cells, rows)
    path = write_sample_file(tmp_path / "sums.xlsx", sheet, file_type="excel", sheet="规模明细")
    engine = create_engine_for(wdh_database)

    report = run_domain(
        RunRequest("annuity_performance", file=path), engine=engine, settings=settings
    )

    assert (report.status, report.rows_loaded, report.rows_rejected) == ("succeeded", 150, 0)
    expected = {column: sum(Decimal(str(value)) for value in sheet[column]) for column in MONEY}
    sums = ", ".join(f'sum("{column}")' for column in MONEY)
    with engine.connect() as connection:
        stored = connection.exec_driver_sql(f"SELECT {sums} FROM annuity_performance").one()
    engine.dispose()
    assert dict(zip(MONEY, stored, strict=True)) == expected
