"""Golden test: a hand-made 规模明细 sheet through every rule, compared cell by cell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path

import pandas as pd
import pytest
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import Pipeline, PipelineConfig, PipelineContext, PipelineResult
from work_data_hub.domain.services import DomainServices
from work_data_hub.domain.steps import ValidateSchema
from work_data_hub.io.enrichment import CacheHits, CompanyIdOverrides, CompanyIdResolver
from workdatahub_annuity_performance.declarations import COLUMNS, MAPPINGS
from workdatahub_annuity_performance.plugin import workdatahub_steps

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[1] / "data"
RUN_AT = dt.datetime(2024, 12, 5, 9, 30, tzinfo=dt.UTC)

EXPECTED_REJECTIONS = [
    (12, "月度", "月度 '2024年13月' is not a month"),
    (13, "月度", "月度 2025-01 is after the run month 2024-12"),
    (14, "当期收益率", "当期收益率 12.5 is above 10"),
    (15, "计划代码", "计划代码 is required"),
    (16, "供款", "供款 'abc' is not an amount"),
    (17, "月度", "月度 is required"),
    (18, "当期收益率", "当期收益率 -1.5 is below -1"),
]


class CachedCompanies:
    """company_id_cache holding one customer."""

    def fetch(self, names: Collection[str], plan_codes: Collection[str]) -> CacheHits:
        return CacheHits(by_name={"江苏恒瑞医药股份有限公司": "610000001"})


def read_text_csv(path: Path) -> pd.DataFrame:
    """Read a CSV as the reader returns a sheet: text cells, None for empty cells."""
    return pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""])


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Render the pipeline's output as text: ISO dates, numbers as Python prints them."""
    rendered = {
        name: values.dt.strftime("%Y-%m-%d")
        if pd.api.types.is_datetime64_any_dtype(values)
        else values.map(str, na_action="ignore")
        for name, values in frame.items()
    }
    return pd.DataFrame(rendered).fillna("").astype("str").reset_index(drop=True)


def run_golden_sheet() -> tuple[PipelineResult, CompanyIdResolver]:
    raw = read_text_csv(DATA / "golden_input.csv")
    raw[SOURCE_ROW_COLUMN] = range(2, len(raw) + 2)
    overrides = CompanyIdOverrides.from_csv([Path(str(MAPPINGS / "company_id_overrides.csv"))])
    resolver = CompanyIdResolver(
        hmac_key=b"golden-key", overrides=overrides, cache=CachedCompanies()
    )
    steps = [
        *workdatahub_steps(DomainServices(enrichment=resolver)),
        ValidateSchema(COLUMNS, drop_undeclared=True),
    ]
    context = PipelineContext("annuity_performance", "golden", RUN_AT)
    result = Pipeline("annuity_performance", steps, PipelineConfig(stop_on_error=False)).run(
        raw, context
    )
    return result, resolver


def test_every_valid_row_comes_out_exactly_as_expected() -> None:
    result, _ = run_golden_sheet()
    assert result.success
    assert result.output_data is not None
    expected = pd.read_csv(DATA / "golden_expected.csv", dtype="str", keep_default_na=False)
    actual = as_text(result.output_data)[list(expected.columns)]
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)


def test_every_rejected_row_is_reported_with_its_excel_row_and_reason() -> None:
    result, _ = run_golden_sheet()
    rejected = result.rejected.sort_values("source_row")
    found = list(zip(rejected["source_row"], rejected["column"], rejected["reason"], strict=True))
    assert found == EXPECTED_REJECTIONS


def test_enrichment_sources_are_counted() -> None:
    _, resolver = run_golden_sheet()
    counts = resolver.source_counts
    assert counts["override"] == 2
    assert counts["cache"] >= 1
    assert counts["temporary"] >= 5
    assert counts["none"] == 1
