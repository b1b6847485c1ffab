"""Write ``tests/data/annuity_202411.xlsx``: a small generated month with both annuity sheets.

Run from the repository root after changing either sample generator:
``uv run python scripts/make_annuity_fixture.py``. The output is byte-for-byte reproducible.
"""

from __future__ import annotations

from pathlib import Path

from work_data_hub.io.sample_data import write_workbook
from workdatahub_annuity_income.declarations import DEFINITION as INCOME
from workdatahub_annuity_income.sample import generate as generate_income
from workdatahub_annuity_performance.declarations import DEFINITION as PERFORMANCE
from workdatahub_annuity_performance.sample import generate as generate_performance

FIXTURE = Path("tests/data/annuity_202411.xlsx")
MONTH, SEED = 202411, 7
PERFORMANCE_ROWS, INCOME_ROWS = 400, 80


def main() -> None:
    """Generate both sheets and write the fixture workbook."""
    sheets = {
        str(PERFORMANCE.source.sheet): generate_performance(MONTH, PERFORMANCE_ROWS, SEED),
        str(INCOME.source.sheet): generate_income(MONTH, INCOME_ROWS, SEED),
    }
    write_workbook(FIXTURE, sheets)
    print(f"wrote {FIXTURE}")


if __name__ == "__main__":
    main()
