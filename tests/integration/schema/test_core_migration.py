from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.schema import migrate
from work_data_hub.testing import DatabaseServer, load_test_data

pytestmark = pytest.mark.integration

CORE_TABLES = {
    "pipeline_executions": {
        "execution_id": (postgresql.UUID, False),
        "domain": (sa.Text, False),
        "pipeline_name": (sa.Text, True),
        "status": (sa.Text, False),
        "started_at": (sa.DateTime, False),
        "finished_at": (sa.DateTime, True),
        "input_file": (sa.Text, True),
        "input_checksum": (sa.Text, True),
        "sheet": (sa.Text, True),
        "target_table": (sa.Text, True),
        "rows_read": (sa.Integer, True),
        "rows_loaded": (sa.Integer, True),
        "rows_rejected": (sa.Integer, True),
        "dry_run": (sa.Boolean, False),
        "error_type": (sa.Text, True),
        "error_details": (sa.Text, True),
        "environment": (sa.Text, True),
        "metadata": (postgresql.JSONB, True),
        "host": (sa.Text, True),
        "pid": (sa.Integer, True),
        "lock_key": (sa.Integer, True),
        "abandoned_at": (sa.DateTime, True),
    },
    "data_quality_metrics": {
        "id": (sa.BigInteger, False),
        "execution_id": (postgresql.UUID, False),
        "metric_name": (sa.Text, False),
        "metric_value": (sa.Double, True),
        "recorded_at": (sa.DateTime, True),
        "details": (postgresql.JSONB, True),
    },
    "rejected_rows": {
        "id": (sa.BigInteger, False),
        "execution_id": (postgresql.UUID, False),
        "source_file": (sa.Text, True),
        "sheet": (sa.Text, True),
        "source_row": (sa.Integer, True),
        "column_name": (sa.Text, True),
        "reason": (sa.Text, False),
        "raw_row": (postgresql.JSONB, True),
    },
    "company_id_cache": {
        "normalized_name": (sa.Text, False),
        "company_id": (sa.Text, False),
        "source": (sa.Text, False),
        "plan_code": (sa.Text, True),
        "updated_at": (sa.DateTime, True),
    },
}


@pytest.fixture
def empty_database(wdh_database_url: str) -> Iterator[str]:
    """URL of a database with no table at all (not cloned from the migrated template)."""
    server = DatabaseServer.from_url(wdh_database_url)
    with server.template(lambda _url: None) as name:
        yield server.url_of(name)


def test_upgrade_heads_on_an_empty_database_creates_the_core_tables(empty_database: str) -> None:
    applied = migrate.upgrade(empty_database, sources=[migrate.core_migration_source()])

    assert [(revision.branch, revision.is_head) for revision in applied] == [("core", True)]
    engine = create_engine_for(empty_database)
    try:
        inspector = sa.inspect(engine)
        assert set(CORE_TABLES) <= set(inspector.get_table_names())
        for table, expected in CORE_TABLES.items():
            columns = {column["name"]: column for column in inspector.get_columns(table)}
            assert set(columns) == set(expected), table
            for name, (kind, nullable) in expected.items():
                assert isinstance(columns[name]["type"], kind), (table, name, columns[name]["type"])
                assert columns[name]["nullable"] is nullable, (table, name)
        for table in ("data_quality_metrics", "rejected_rows"):
            (foreign_key,) = inspector.get_foreign_keys(table)
            assert foreign_key["referred_table"] == "pipeline_executions"
            assert foreign_key["options"].get("ondelete") == "CASCADE"
            assert [index["column_names"] for index in inspector.get_indexes(table)] == [
                ["execution_id"]
            ]
        assert ["plan_code"] in [
            index["column_names"] for index in inspector.get_indexes("company_id_cache")
        ]
        assert inspector.get_pk_constraint("company_id_cache")["constrained_columns"] == [
            "normalized_name"
        ]
    finally:
        engine.dispose()


def test_execution_status_is_limited_and_metrics_go_with_their_execution(
    wdh_engine: sa.Engine,
) -> None:
    execution_id = uuid.uuid4()
    with wdh_engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO pipeline_executions (execution_id, domain, status)"
                " VALUES (:id, 'd', 'running')"
            ),
            {"id": execution_id},
        )
        connection.execute(
            sa.text(
                "INSERT INTO data_quality_metrics (execution_id, metric_name, metric_value)"
                " VALUES (:id, 'rows', 1)"
            ),
            {"id": execution_id},
        )
        started, dry_run = connection.execute(
            sa.text("SELECT started_at, dry_run FROM pipeline_executions WHERE execution_id = :id"),
            {"id": execution_id},
        ).one()
    assert started is not None
    assert dry_run is False

    with wdh_engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE pipeline_executions SET status = 'abandoned' WHERE execution_id = :id"),
            {"id": execution_id},
        )

    with (
        pytest.raises(IntegrityError, match="ck_pipeline_executions_status"),
        wdh_engine.begin() as connection,
    ):
        connection.execute(
            sa.text("INSERT INTO pipeline_executions (domain, status) VALUES ('d', 'finished')")
        )

    with wdh_engine.begin() as connection:
        connection.execute(
            sa.text("DELETE FROM pipeline_executions WHERE execution_id = :id"),
            {"id": execution_id},
        )
        remaining = connection.execute(
            sa.text("SELECT count(*) FROM data_quality_metrics")
        ).scalar_one()
    assert remaining == 0


def test_fixture_rows_load_into_a_migrated_database(wdh_seeded_database: str) -> None:
    engine = create_engine_for(wdh_seeded_database)
    try:
        with engine.connect() as connection:
            status, rows_rejected = connection.execute(
                sa.text("SELECT status, rows_rejected FROM pipeline_executions")
            ).one()
            metrics = (
                connection.execute(sa.text("SELECT metric_name FROM data_quality_metrics"))
                .scalars()
                .all()
            )
            reason, raw_row = connection.execute(
                sa.text("SELECT reason, raw_row FROM rejected_rows")
            ).one()
    finally:
        engine.dispose()
    assert (status, rows_rejected) == ("succeeded", 1)
    assert metrics == ["rejected_share"]
    assert reason == "plan_code is required"
    assert raw_row["客户名称"] == "示例公司"
    with pytest.raises(IntegrityError):
        load_test_data(wdh_seeded_database)
