"""annuity_performance end to end on PostgreSQL: read, cleanse, reject, load, rerun."""

from __future__ import annotations

from pathlib import Path

import pytest
from work_data_hub.testing.load_checks import DomainLoadChecks

pytestmark = pytest.mark.integration


class TestPerformanceLoad(DomainLoadChecks):
    domain = "annuity_performance"
    source_file = Path(__file__).parents[4] / "tests" / "data" / "annuity_202411.xlsx"
    file_counts = (400, 396, 4)
    file_reasons = (
        "is not a month",
        "is after the run month",
        "当期收益率",
        "计划代码 is required",
    )
    enrichment_sources = ("temporary",)
    sample_rows, sample_rejected = 1_600, 8
