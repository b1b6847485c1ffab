"""Company ids through real runs: what one file teaches the cache never crosses to other names.

The precedence override > id in the file > cache > lookup > temporary holds per normalised
company name; only an override answers for a whole plan code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from bad_files import generator
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.enrichment import temporary_company_id
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.testing.domain_runner import write_sample_file

pytestmark = pytest.mark.integration

DOMAIN = "annuity_performance"
PLAN = "P0777"


@pytest.fixture
def engine(wdh_database: str) -> Engine:
    return create_engine_for(wdh_database)


def _sheet(month: int, companies: dict[str, str | None]) -> pd.DataFrame:
    """Rows of one collective plan, one per company, with the ids the file carries."""
    rows = generator.clean_sheet().head(len(companies)).copy()
    rows["月度"] = month
    rows["计划类型"] = "集合计划"
    rows["计划代码"] = PLAN
    rows["客户名称"] = list(companies)
    rows["company_id"] = list(companies.values())
    return rows


def _run(engine: Engine, settings: Settings, path: Path) -> str:
    report = run_domain(RunRequest(DOMAIN, file=path), engine=engine, settings=settings)
    assert report.status == "succeeded", report.error
    assert report.rows_rejected == 0, report.rejected
    return report.execution_id


def _ids(engine: Engine, execution_id: str) -> dict[str, str]:
    query = sa.text(
        "SELECT 客户名称, company_id FROM annuity_performance "
        "WHERE wdh_execution_id = CAST(:id AS uuid)"
    )
    with engine.connect() as connection:
        return dict(connection.execute(query, {"id": execution_id}).all())


def test_a_learned_id_never_crosses_to_another_company_of_the_plan(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    first = write_sample_file(
        tmp_path / "october.xlsx",
        _sheet(202410, {"甲有限公司": "CID_A"}),
        file_type="excel",
        sheet="规模明细",
    )
    second = write_sample_file(
        tmp_path / "november.xlsx",
        _sheet(202411, {"甲有限公司": "CID_FIXED", "乙有限公司": None, "丙有限公司": None}),
        file_type="excel",
        sheet="规模明细",
    )
    later = write_sample_file(
        tmp_path / "december.xlsx",
        _sheet(202412, {"甲有限公司": None, "丁有限公司": None}),
        file_type="excel",
        sheet="规模明细",
    )
    key = settings.COMPANY_ID_HMAC_KEY.get_secret_value().encode("utf-8")

    taught = _ids(engine, _run(engine, settings, first))
    corrected = _ids(engine, _run(engine, settings, second))
    from_cache = _ids(engine, _run(engine, settings, later))

    assert taught == {"甲有限公司": "CID_A"}
    assert corrected == {
        "甲有限公司": "CID_FIXED",
        "乙有限公司": temporary_company_id("乙有限公司", key),
        "丙有限公司": temporary_company_id("丙有限公司", key),
    }
    assert from_cache == {
        "甲有限公司": "CID_A",
        "丁有限公司": temporary_company_id("丁有限公司", key),
    }
    engine.dispose()
