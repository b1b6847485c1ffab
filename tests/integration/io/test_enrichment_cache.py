from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from work_data_hub.io.enrichment import (
    CompanyIdResolver,
    LearnedCompanyId,
    WarehouseCompanyIdCache,
    temporary_company_id,
)

pytestmark = pytest.mark.integration

KEY = b"integration-key"


def _cache_rows(engine: Engine) -> list[tuple[str, str, str, str | None]]:
    query = sa.text("SELECT normalized_name, company_id, source, plan_code FROM company_id_cache")
    with engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(query))


def test_cache_answers_by_name_only_never_by_plan_code(wdh_engine: Engine) -> None:
    with wdh_engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO company_id_cache (normalized_name, company_id, source, plan_code) "
                "VALUES ('甲公司', '100', 'operator', 'Z0001'),"
                " ('乙公司', '200', 'operator', 'P0001'), ('丙公司', '300', 'operator', 'P0001')"
            )
        )
    resolver = CompanyIdResolver(hmac_key=KEY, cache=WarehouseCompanyIdCache(wdh_engine))

    ids = resolver.enrich_many(
        ["甲公司", "新公司", "另一家", "无名"], [None, "Z0001", "P0001", None]
    )

    assert ids == [
        "100",
        temporary_company_id("新公司", KEY),
        temporary_company_id("另一家", KEY),
        temporary_company_id("无名", KEY),
    ]
    assert resolver.source_counts["cache"] == 1
    assert resolver.source_counts["temporary"] == 3


def test_learned_ids_are_stored_without_overwriting_operator_entries(wdh_engine: Engine) -> None:
    with wdh_engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO company_id_cache (normalized_name, company_id, source) "
                "VALUES ('甲公司', '100', 'operator')"
            )
        )
    cache = WarehouseCompanyIdCache(wdh_engine)
    learned = [
        LearnedCompanyId("甲公司", "999", "data", None),
        LearnedCompanyId("乙公司", "200", "data", "Z0002"),
    ]

    with wdh_engine.begin() as connection:
        inserted = cache.store(connection, learned)

    assert inserted == 1
    assert _cache_rows(wdh_engine) == sorted(
        [("乙公司", "200", "data", "Z0002"), ("甲公司", "100", "operator", None)]
    )
    resolver = CompanyIdResolver(hmac_key=KEY, cache=cache)
    assert resolver.enrich_many(["乙公司"]) == ["200"]
