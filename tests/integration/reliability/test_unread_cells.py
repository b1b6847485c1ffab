"""Values the file does not truly hold are rejected with a reason that shows them.

A formula saved without its calculated value, a formula whose saved value is an Excel error,
and an amount whose commas are not thousands separators used to load as NULL, 0 or a wrong
number. Through ``run_domain`` each now rejects its row, and the reason in ``rejected_rows``
names the column and shows the formula or the value as the file has it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from bad_files import CORPUS
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunRequest, run_domain

pytestmark = pytest.mark.integration

DOMAIN = "annuity_performance"


def _reasons(engine: Engine, execution_id: str) -> dict[tuple[int, str], str]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT source_row, column_name, reason FROM rejected_rows WHERE execution_id = :id"
            ),
            {"id": execution_id},
        ).all()
    return {(row, column): reason for row, column, reason in rows}


@pytest.mark.parametrize(
    ("name", "reasons"),
    [
        (
            "formula_without_cached_value.xlsx",
            {
                (5, "期初资产规模"): "期初资产规模 formula '=1/0' has no calculated value",
                (5, "客户名称"): "客户名称 formula '=A1/0' has no calculated value",
                (11, "投资收益"): "投资收益 formula '=1/0' gives the error #DIV/0!",
            },
        ),
        (
            "misplaced_separators.xlsx",
            {
                (2, "期初资产规模"): "期初资产规模 '1,2,3' is not an amount",
                (2, "供款"): "供款 '12,34' is not an amount",
                (3, "期末资产规模"): "期末资产规模 '1.234,56' is not an amount",
                (3, "投资收益"): "投资收益 '1,,000' is not an amount",
            },
        ),
    ],
)
def test_rows_without_a_true_value_are_rejected_with_the_value_in_the_reason(
    name: str, reasons: dict[tuple[int, str], str], wdh_engine: Engine, settings: Settings
) -> None:
    report = run_domain(
        RunRequest(DOMAIN, file=CORPUS / name), engine=wdh_engine, settings=settings
    )

    assert report.status == "succeeded", report.error
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (50, 48, 2)
    stored = _reasons(wdh_engine, report.execution_id)
    assert set(stored) == set(reasons)
    for cell, start in reasons.items():
        assert stored[cell].startswith(start), (cell, stored[cell])
