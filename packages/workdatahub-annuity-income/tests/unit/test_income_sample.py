"""The 收入明细 sample generator: deterministic, quirky, and about 0.5% rejectable."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from work_data_hub.domain.services import DomainServices
from work_data_hub.io.enrichment import CompanyIdResolver
from work_data_hub.testing.golden import transform_sheet
from workdatahub_annuity_income.declarations import FEE_COLUMNS
from workdatahub_annuity_income.plugin import PLUGIN
from workdatahub_annuity_income.sample import TYPICAL_ROWS, generate

pytestmark = pytest.mark.unit

MONTH = 202411


def _text(values: pd.Series) -> pd.Series:
    return values.dropna().astype(str)


def test_the_same_seed_gives_the_same_sheet_and_another_seed_another() -> None:
    first = generate(MONTH, 300, seed=1)
    pd.testing.assert_frame_equal(first, generate(MONTH, 300, seed=1))
    assert not first.equals(generate(MONTH, 300, seed=2))


def test_the_documented_quirks_are_present_in_a_typical_month() -> None:
    assert PLUGIN.sample is not None
    sheet = PLUGIN.sample(str(MONTH), None, 7)
    assert len(sheet) == TYPICAL_ROWS == 2_600
    sheet = sheet.rename(columns={"计划号": "计划代码"})
    assert {"202411", "2024-11", "2024年11月", "２０２４年１１月"} <= set(_text(sheet["月度"]))
    assert "1P0290" in set(_text(sheet["计划代码"]))
    assert (sheet["计划代码"].isna() & sheet["计划类型"].notna()).any()
    fees = pd.concat([sheet[fee] for fee in FEE_COLUMNS])
    assert fees.isna().any()
    assert _text(fees).str.startswith("¥").any()
    names = sheet["客户名称"]
    assert (names.isna() & sheet["计划类型"].eq("单一计划")).any()
    assert _text(names).isin(["null", "空白"]).any()
    assert _text(names).str.contains("（已转出）", regex=False).any()
    assert {"null", "海外"} & set(_text(sheet["机构"]))


def test_both_plan_code_headers_occur_across_files() -> None:
    headers = {column for seed in range(8) for column in generate(MONTH, 20, seed).columns}
    assert {"计划号", "计划代码"} <= headers


def test_the_pipeline_rejects_exactly_the_planted_rows() -> None:
    sheet = generate(MONTH, 2_600, seed=11)
    services = DomainServices(enrichment=CompanyIdResolver(hmac_key=b"k"))

    result = transform_sheet(PLUGIN, sheet, run_at=dt.datetime(2026, 1, 5), services=services)

    rejected_rows = result.rejected["source_row"].nunique()
    assert rejected_rows == 3 * 5
    assert len(result.valid) + rejected_rows == result.rows_read == len(sheet)
    assert (result.valid[list(FEE_COLUMNS)].notna()).all().all()
    assert result.valid["客户名称"].notna().sum() > 0.9 * len(result.valid)
