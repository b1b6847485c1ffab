from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.pool import NullPool, QueuePool
from work_data_hub.config import Settings
from work_data_hub.io import database
from work_data_hub.io.database import (
    DatabaseUrlError,
    MissingDatabaseUrlError,
    create_engine_for,
    masked,
    normalise_url,
    render_url,
    resolve_database_url,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg2://u:p@h:5432/db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg2://u:p@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
    ],
)
def test_every_postgres_url_is_normalised_to_psycopg2(given: str, expected: str) -> None:
    assert render_url(normalise_url(given)) == expected


def test_socket_directory_and_query_parameters_survive() -> None:
    url = normalise_url("postgresql://postgres:@/postgres?host=/tmp/wdh-pg/pg&sslmode=disable")

    assert url.host is None
    assert url.query == {"host": "/tmp/wdh-pg/pg", "sslmode": "disable"}
    assert normalise_url(render_url(url)) == url


def test_percent_encoded_password_is_decoded_once_and_re_encoded() -> None:
    url = normalise_url("postgresql://app%40team:p%25ss%3Aw%40rd@db.example:6543/warehouse")

    assert (url.username, url.password) == ("app@team", "p%ss:w@rd")
    assert (url.host, url.port, url.database) == ("db.example", 6543, "warehouse")
    assert "p%25ss%3Aw%40rd" in render_url(url)


@pytest.mark.parametrize(
    "given", ["sqlite:///warehouse.db", "mysql://u:p@h/db", "not a url", "embedded"]
)
def test_anything_but_a_postgres_url_is_refused(given: str) -> None:
    with pytest.raises(DatabaseUrlError):
        normalise_url(given)


@pytest.mark.parametrize(
    ("given", "secret"),
    [
        ("postgresql://u:hunter2@h/db", "hunter2"),
        ("postgresql://u:p%25ss%40x@h/db", "p%25ss%40x"),
        ("postgresql://u@/db?host=/sock&password=hunter2", "hunter2"),
    ],
)
def test_masked_urls_hide_every_password(given: str, secret: str) -> None:
    shown = masked(given)

    assert secret not in shown
    assert "***" in shown
    assert secret not in masked(normalise_url(given))


def test_masked_keeps_what_identifies_the_database() -> None:
    assert masked("postgresql://u:hunter2@h:5432/db") == "postgresql://u:***@h:5432/db"


def _settings(tmp_path: Path, database_url: str | None) -> Settings:
    """Settings for ENVIRONMENT=dev with this DATABASE_URL (None: unset) and data under tmp_path."""
    if database_url is None:
        return Settings.model_construct(ENVIRONMENT="dev", WDH_DATA_DIR=tmp_path, DATABASE_URL=None)
    return Settings(ENVIRONMENT="dev", WDH_DATA_DIR=tmp_path, DATABASE_URL=SecretStr(database_url))


@pytest.fixture
def fake_embedded(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record embedded-server requests instead of starting a server."""
    started: list[Path] = []

    def embedded_database_url(data_dir: Path) -> str:
        started.append(data_dir)
        return f"postgresql://postgres:@/postgres?host={data_dir}"

    monkeypatch.setattr(database, "embedded_database_url", embedded_database_url)
    return started


def test_configured_url_is_used_as_given_but_on_psycopg2(
    tmp_path: Path, fake_embedded: list[Path]
) -> None:
    settings = _settings(tmp_path, "postgres://u:p%40ss@h/db")

    assert (
        resolve_database_url(settings, allow_embedded=True) == "postgresql+psycopg2://u:p%40ss@h/db"
    )
    assert fake_embedded == []


def test_database_url_embedded_starts_the_embedded_server(
    tmp_path: Path, fake_embedded: list[Path]
) -> None:
    url = resolve_database_url(_settings(tmp_path, "embedded"))

    assert fake_embedded == [tmp_path / "pg"]
    assert normalise_url(url).query == {"host": str(tmp_path / "pg")}
    assert normalise_url(url).drivername == "postgresql+psycopg2"


def test_unset_url_means_embedded_only_where_allowed(
    tmp_path: Path, fake_embedded: list[Path]
) -> None:
    settings = _settings(tmp_path, None)

    with pytest.raises(MissingDatabaseUrlError, match="DATABASE_URL is required but not set"):
        resolve_database_url(settings)
    assert fake_embedded == []
    resolve_database_url(settings, allow_embedded=True, data_dir=tmp_path / "elsewhere")
    assert fake_embedded == [tmp_path / "elsewhere"]
    staging = settings.model_copy(update={"ENVIRONMENT": "staging"})
    with pytest.raises(MissingDatabaseUrlError):
        resolve_database_url(staging, allow_embedded=True)


def test_engine_pool_keeps_two_and_grows_to_the_configured_size() -> None:
    engine = create_engine_for("postgres://u:p@h/db", max_connections=10)
    try:
        assert engine.url.drivername == "postgresql+psycopg2"
        assert isinstance(engine.pool, QueuePool)
        assert (engine.pool.size(), engine.pool._max_overflow) == (2, 8)
    finally:
        engine.dispose()
    single = create_engine_for("postgres://u:p@h/db", max_connections=1)
    assert (single.pool.size(), single.pool._max_overflow) == (1, 0)  # type: ignore[attr-defined]
    assert isinstance(create_engine_for("postgres://u@h/db", poolclass=NullPool).pool, NullPool)


def test_connections_get_timeouts_and_keepalives_and_the_url_and_caller_override_them(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, "postgresql://u:p@h/db").model_copy(
        update={"WDH_DB_STATEMENT_TIMEOUT_S": 2.5, "WDH_DB_KEEPALIVES_IDLE_S": 15}
    )
    arguments = database.connection_arguments(settings)
    assert arguments["keepalives"] == 1
    assert arguments["keepalives_idle"] == 15
    assert arguments["connect_timeout"] == 10
    assert "-c statement_timeout=2500" in arguments["options"]
    assert "-c tcp_keepalives_idle=15" in arguments["options"]

    url = database.normalise_url(
        "postgresql://u:p@h/db?application_name=mine&options=-cwork_mem%3D8MB"
    )
    merged = database._with_connection_arguments(
        settings, url, {"connect_timeout": 3, "options": "-c lock_timeout=1000"}
    )
    assert merged["application_name"] == "mine"
    assert merged["connect_timeout"] == 3
    assert merged["options"].startswith(arguments["options"])
    assert merged["options"].endswith("-cwork_mem=8MB -c lock_timeout=1000")
