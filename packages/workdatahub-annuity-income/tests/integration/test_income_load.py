"""annuity_income end to end on PostgreSQL: read, cleanse, reject, load, rerun."""

from __future__ import annotations

from pathlib import Path

import pytest
from work_data_hub.testing.load_checks import DomainLoadChecks

pytestmark = pytest.mark.integration


class TestIncomeLoad(DomainLoadChecks):
    domain = "annuity_income"
    source_file = Path(__file__).parents[4] / "tests" / "data" / "annuity_202411.xlsx"
    file_counts = (80, 77, 3)
    file_reasons = ("is not a month", "is after the run month", "计划代码 is required")
    enrichment_sources = ("temporary",)
    sample_rows, sample_rejected = 1_200, 6
