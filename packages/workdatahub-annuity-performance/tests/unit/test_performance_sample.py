"""The 规模明细 sample generator: deterministic, fast, quirky, and exactly 0.5% rejectable."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pandas as pd
import pytest
from work_data_hub.domain.services import DomainServices
from work_data_hub.io.enrichment import CompanyIdResolver
from work_data_hub.testing.golden import transform_sheet
from workdatahub_annuity_performance.declarations import COLUMNS
from workdatahub_annuity_performance.plugin import PLUGIN
from workdatahub_annuity_performance.sample import TYPICAL_ROWS, generate

pytestmark = pytest.mark.unit

MONTH = 202411
DERIVED = {"产品线代码", "年金账户号", "年金账户名", "company_id"}
CURRENT_HEADERS = {
    "计划号": "计划代码",
    "流失（含待遇支付）": "流失(含待遇支付)",
    "机构": "机构名称",
}


@pytest.fixture(scope="module")
def month_sheet() -> pd.DataFrame:
    assert PLUGIN.sample is not None
    return PLUGIN.sample(str(MONTH), None, 7)


def _text(values: pd.Series) -> pd.Series:
    return values.dropna().astype(str)


def test_the_same_seed_gives_the_same_sheet_and_another_seed_another() -> None:
    first = generate(MONTH, 500, seed=1)
    pd.testing.assert_frame_equal(first, generate(MONTH, 500, seed=1))
    assert not first.equals(generate(MONTH, 500, seed=2))
    assert not first.equals(generate(202412, 500, seed=1))


def test_a_month_of_35000_rows_takes_well_under_a_second() -> None:
    best = min(_timed(lambda: generate(MONTH, 35_000, seed=3)) for _ in range(3))
    assert best < 1.0


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def test_a_typical_month_has_35000_rows_whose_cells_hold_what_a_sheet_holds(
    month_sheet: pd.DataFrame,
) -> None:
    assert len(month_sheet) == TYPICAL_ROWS == 35_000
    headers = {CURRENT_HEADERS.get(c, c) for c in month_sheet.columns}
    assert headers == {column.name for column in COLUMNS} - DERIVED
    kinds = {type(value) for column in month_sheet for value in month_sheet[column]}
    assert kinds <= {int, float, str, type(None)}


def test_every_documented_quirk_is_present(month_sheet: pd.DataFrame) -> None:
    sheet = month_sheet.rename(columns=lambda c: CURRENT_HEADERS.get(c, c))
    months = set(_text(sheet["月度"]))
    assert {"202411", "2024-11", "2024年11月", "24年11月", "２０２４年１１月"} <= months
    codes = sheet["计划代码"]
    assert {"1P0290", "1P0807"} <= set(_text(codes))
    assert (codes.isna() & sheet["计划类型"].notna()).sum() > 100
    money = _text(sheet["期初资产规模"])
    assert money.str.startswith("¥").any()
    assert money.str.contains(",").any()
    assert _text(sheet["当期收益率"]).str.endswith("%").any()
    names = _text(sheet["客户名称"])
    for marker in ("已转出", "注销", "（清算）", "-养老", "（企业年金）", "“"):
        assert names.str.contains(marker, regex=False).any(), marker
    assert names.str.startswith("原").any()
    assert names.str.contains("（.+）有限", regex=True).any()
    assert names.isin(["null", "空白", "-"]).any()
    assert _text(sheet["集团企业客户号"]).str.startswith("C").any()
    assert {"null", "海外"} <= set(_text(sheet["机构名称"]))
    assert _text(sheet["组合代码"]).str.startswith("F").any()


def test_both_header_spellings_occur_across_files() -> None:
    headers = {column for seed in range(12) for column in generate(MONTH, 20, seed).columns}
    assert {"计划号", "计划代码", "流失(含待遇支付)", "流失（含待遇支付）"} <= headers


def test_the_pipeline_rejects_exactly_the_planted_half_percent() -> None:
    sheet = generate(MONTH, 4_000, seed=11)
    services = DomainServices(enrichment=CompanyIdResolver(hmac_key=b"k"))

    result = transform_sheet(PLUGIN, sheet, run_at=dt.datetime(2026, 1, 5), services=services)

    rejected_rows = result.rejected["source_row"].nunique()
    assert rejected_rows == 4 * 5
    assert len(result.valid) + rejected_rows == result.rows_read == len(sheet)
    reasons = result.rejected["reason"]
    assert reasons.str.contains("is not a month|is outside the accepted years").sum() == 5
    assert reasons.str.contains("is after the run month").sum() == 5
    assert reasons.str.contains("当期收益率").sum() == 5
    assert reasons.eq("计划代码 is required").sum() == 5
