"""Golden test: a hand-made 收入明细 sheet through every rule, compared cell by cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from work_data_hub.domain.services import DomainServices
from work_data_hub.io.enrichment import CompanyIdResolver
from work_data_hub.testing.domain_runner import TransformedFile, assert_golden
from work_data_hub.testing.golden import FixedCompanyIdCache, read_text_csv, transform_sheet
from workdatahub_annuity_income.plugin import PLUGIN

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[1] / "data"
RUN_AT = dt.datetime(2024, 12, 5, 9, 30, tzinfo=dt.UTC)

EXPECTED_REJECTIONS = [
    (8, "月度", "月度 '2024年13月' is not a month"),
    (9, "月度", "月度 2025-01 is after the run month 2024-12"),
    (10, "计划代码", "计划代码 is required"),
    (11, "固费", "固费 'abc' is not an amount"),
    (12, "月度", "月度 is required"),
]


@pytest.fixture(scope="module")
def resolver() -> CompanyIdResolver:
    cache = FixedCompanyIdCache(by_name={"江苏恒瑞医药股份有限公司": "610000001"})
    return CompanyIdResolver(hmac_key=b"golden-key", cache=cache)


@pytest.fixture(scope="module")
def golden(resolver: CompanyIdResolver) -> TransformedFile:
    sheet = read_text_csv(DATA / "golden_input.csv")
    services = DomainServices(enrichment=resolver)
    return transform_sheet(PLUGIN, sheet, run_at=RUN_AT, services=services)


def test_every_valid_row_comes_out_exactly_as_expected(golden: TransformedFile) -> None:
    assert_golden(golden.valid, DATA / "golden_expected.csv")


def test_every_rejected_row_is_reported_with_its_excel_row_and_reason(
    golden: TransformedFile,
) -> None:
    assert list(golden.rejected.itertuples(index=False, name=None)) == EXPECTED_REJECTIONS


def test_enrichment_sources_are_counted(
    golden: TransformedFile, resolver: CompanyIdResolver
) -> None:
    counts = resolver.source_counts
    assert counts["cache"] >= 1
    assert counts["none"] == 1
    assert counts["override"] == counts["data"] == counts["lookup"] == 0
