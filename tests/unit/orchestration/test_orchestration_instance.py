"""DAGSTER_HOME and the generated dagster.yaml: SQLite by default, PostgreSQL when configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster._core.instance.config import dagster_instance_config
from work_data_hub.config import Settings
from work_data_hub.orchestration.instance import (
    GENERATED_HEADER,
    PASSWORD_VARIABLE,
    instance_environment,
    write_instance_config,
)

pytestmark = pytest.mark.unit

POSTGRES_URL = "postgresql://dagster:s%40cret@db.example:6432/dagster_meta?sslmode=require"


def _with(settings: Settings, **changes: object) -> Settings:
    return Settings(_env_file=None, **(settings.model_dump() | changes))


def _validated(home: Path) -> dict[str, object]:
    config, _ = dagster_instance_config(str(home))
    return dict(config)


def test_without_a_postgres_url_runs_are_kept_in_sqlite_under_dagster_home(
    settings: Settings,
) -> None:
    path = write_instance_config(settings)

    home = settings.DAGSTER_HOME.resolve()
    assert path == home / "dagster.yaml"
    assert home.is_dir()
    assert _validated(home)["storage"] == {"sqlite": {"base_dir": str(home)}}
    assert instance_environment(settings) == {"DAGSTER_HOME": str(home)}


def test_the_run_queue_is_polled_every_second(settings: Settings) -> None:
    path = write_instance_config(settings)

    assert _validated(path.parent)["run_coordinator"] == {
        "module": "work_data_hub.orchestration.launch_checks",
        "class": "CheckedRunCoordinator",
        "config": {"dequeue_interval_seconds": 1},
    }


def test_a_postgres_url_becomes_dagster_postgres_storage_on_psycopg2(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = _with(settings, DAGSTER_POSTGRES_URL=POSTGRES_URL)
    monkeypatch.setenv(PASSWORD_VARIABLE, "s@cret")

    path = write_instance_config(configured)

    assert "s@cret" not in path.read_text(encoding="utf-8")
    assert "s%40cret" not in path.read_text(encoding="utf-8")
    storage = _validated(path.parent)["storage"]
    assert storage == {
        "postgres": {
            "postgres_db": {
                "username": "dagster",
                "password": {"env": PASSWORD_VARIABLE},
                "hostname": "db.example",
                "port": 6432,
                "db_name": "dagster_meta",
                "params": {"sslmode": "require"},
                "scheme": "postgresql+psycopg2",
            }
        }
    }
    assert instance_environment(configured)[PASSWORD_VARIABLE] == "s@cret"


def test_a_url_without_password_needs_no_password_variable(settings: Settings) -> None:
    configured = _with(settings, DAGSTER_POSTGRES_URL="postgresql://postgres@127.0.0.1/meta")

    path = write_instance_config(configured)

    database = _validated(path.parent)["storage"]["postgres"]["postgres_db"]  # type: ignore[index]
    assert "password" not in path.read_text(encoding="utf-8")
    assert database["port"] == 5432
    assert PASSWORD_VARIABLE not in instance_environment(configured)


def test_the_generated_file_follows_the_settings(settings: Settings) -> None:
    write_instance_config(_with(settings, DAGSTER_POSTGRES_URL=POSTGRES_URL))

    path = write_instance_config(settings)

    assert path.read_text(encoding="utf-8").startswith(GENERATED_HEADER)
    assert "postgres" not in path.read_text(encoding="utf-8")


def test_a_hand_written_dagster_yaml_is_left_alone(settings: Settings) -> None:
    home = settings.DAGSTER_HOME
    home.mkdir(parents=True)
    own = "telemetry:\n  enabled: false\n"
    (home / "dagster.yaml").write_text(own, encoding="utf-8")

    write_instance_config(_with(settings, DAGSTER_POSTGRES_URL=POSTGRES_URL))

    assert (home / "dagster.yaml").read_text(encoding="utf-8") == own
