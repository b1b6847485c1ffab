import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from pydantic import ValidationError
from work_data_hub.config import Settings, get_settings, settings
from work_data_hub.config.settings import DEVELOPMENT_HMAC_KEY

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("clean_environment")]

MISSING = "DATABASE_URL is required but not set in environment"
PASSWORD = "s3cr3t-Pa55"
SERVER_URL = f"postgresql://wdh:{PASSWORD}@db.example:5432/warehouse"
PROD_KEY = "k" * 40


def _error_text(error: ValidationError) -> str:
    return f"{error}\n{error.errors()!r}\n{error.json()}\n{error!r}"


def test_defaults_match_the_documented_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    loaded = Settings()
    assert loaded.ENVIRONMENT == "dev"
    assert loaded.LOG_LEVEL == "INFO"
    assert Path("logs") == loaded.LOG_DIR
    assert Path(".workdatahub/dagster") == loaded.DAGSTER_HOME
    assert loaded.WDH_DAGSTER_EXECUTOR == "in_process"
    assert (loaded.MAX_WORKERS, loaded.DB_POOL_SIZE, loaded.DB_BATCH_SIZE) == (4, 10, 1000)
    assert Path("inbox") == loaded.INBOX_DIR
    assert Path(".workdatahub") == loaded.WDH_DATA_DIR
    assert loaded.embedded_postgres_dir == Path(".workdatahub/pg")
    assert loaded.DAGSTER_POSTGRES_URL is None
    assert loaded.WDH_REJECT_THRESHOLD is None
    assert loaded.COMPANY_ID_HMAC_KEY.get_secret_value() == DEVELOPMENT_HMAC_KEY


def test_dagster_home_defaults_inside_the_data_folder_never_the_home_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    monkeypatch.setenv("WDH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)

    loaded = Settings(_env_file=None)

    assert tmp_path / "data" / "dagster" == loaded.DAGSTER_HOME


def test_missing_database_url_raises_the_exact_message() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert MISSING in str(caught.value)
    assert caught.value.errors()[0]["loc"] == ("DATABASE_URL",)


def test_an_empty_database_url_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    with pytest.raises(ValidationError, match=MISSING):
        get_settings()


def test_get_settings_requires_the_database_by_default() -> None:
    with pytest.raises(ValidationError, match=MISSING):
        get_settings()


def test_dev_commands_may_opt_into_the_embedded_database() -> None:
    loaded = get_settings(require_database=False)
    assert loaded.DATABASE_URL is None
    assert loaded.uses_embedded_database
    assert loaded.external_database_url() is None
    assert loaded.masked_database_url == "embedded"
    with pytest.raises(ValidationError, match=MISSING):
        get_settings()


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_outside_dev_the_opt_in_does_not_excuse_a_missing_url(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.setenv("COMPANY_ID_HMAC_KEY", PROD_KEY)
    with pytest.raises(ValidationError, match=MISSING):
        get_settings(require_database=False)


def test_embedded_is_an_explicit_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", " embedded ")
    loaded = get_settings()
    assert loaded.uses_embedded_database
    assert loaded.external_database_url() is None


@pytest.mark.parametrize(
    ("url", "named"),
    [
        (f"sqlite:///{PASSWORD}.db", "scheme 'sqlite'"),
        (f"mysql://wdh:{PASSWORD}@db.example/warehouse", "scheme 'mysql'"),
        (f"mysql+pymysql://wdh:{PASSWORD}@db.example/warehouse", "scheme 'mysql'"),
        (f"wdh:{PASSWORD}@db.example", "without a scheme"),
        ("embedded", "'embedded'"),
    ],
)
def test_prod_refuses_anything_but_a_postgresql_server(
    monkeypatch: pytest.MonkeyPatch, url: str, named: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    monkeypatch.setenv("COMPANY_ID_HMAC_KEY", PROD_KEY)
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ValidationError) as caught:
        Settings()
    text = _error_text(caught.value)
    assert "ENVIRONMENT=prod" in text
    assert "PostgreSQL" in text
    assert named in text
    assert PASSWORD not in text


@pytest.mark.parametrize(
    "url",
    [
        SERVER_URL,
        f"postgres://wdh:{PASSWORD}@db.example/warehouse",
        f"postgresql+psycopg2://wdh:{PASSWORD}@db.example/warehouse",
    ],
)
def test_prod_accepts_postgresql_urls(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("COMPANY_ID_HMAC_KEY", PROD_KEY)
    monkeypatch.setenv("DATABASE_URL", url)
    loaded = get_settings()
    assert loaded.ENVIRONMENT == "prod"
    assert loaded.external_database_url() == url
    assert not loaded.uses_embedded_database


def test_dev_accepts_other_urls_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///scratch.db")
    assert Settings().external_database_url() == "sqlite:///scratch.db"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("dev", "dev"),
        ("development", "dev"),
        ("DEV", "dev"),
        ("staging", "staging"),
        ("stage", "staging"),
        ("prod", "prod"),
        ("production", "prod"),
        (" Production ", "prod"),
    ],
)
def test_environment_aliases(monkeypatch: pytest.MonkeyPatch, given: str, expected: str) -> None:
    monkeypatch.setenv("ENVIRONMENT", given)
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    monkeypatch.setenv("COMPANY_ID_HMAC_KEY", PROD_KEY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert expected == Settings().ENVIRONMENT


def test_an_unknown_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "qa")
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert caught.value.errors()[0]["loc"] == ("ENVIRONMENT",)


def test_prod_requires_a_private_hmac_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    with pytest.raises(ValidationError, match="COMPANY_ID_HMAC_KEY"):
        Settings()
    monkeypatch.setenv("COMPANY_ID_HMAC_KEY", "too-short")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert "too-short" not in _error_text(caught.value)
    monkeypatch.setenv("COMPANY_ID_HMAC_KEY", PROD_KEY)
    assert Settings().COMPANY_ID_HMAC_KEY.get_secret_value() == PROD_KEY


def test_staging_warns_about_the_development_hmac_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "staging")
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    with pytest.warns(UserWarning, match="COMPANY_ID_HMAC_KEY"):
        Settings()


@pytest.mark.parametrize(("given", "expected"), [("debug", "DEBUG"), ("warn", "WARNING")])
def test_log_level_is_normalised(
    monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    monkeypatch.setenv("LOG_LEVEL", given)
    assert expected == Settings().LOG_LEVEL


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_LEVEL", "verbose"),
        ("MAX_WORKERS", "0"),
        ("DB_BATCH_SIZE", "many"),
        ("WDH_REJECT_THRESHOLD", "1.5"),
        ("DAGSTER_POSTGRES_URL", f"sqlite:///{PASSWORD}"),
    ],
)
def test_bad_values_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert caught.value.errors()[0]["loc"] == (name,)
    assert PASSWORD not in _error_text(caught.value)


def test_typed_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    monkeypatch.setenv("WDH_REJECT_THRESHOLD", "0.05")
    monkeypatch.setenv("MAX_WORKERS", "8")
    monkeypatch.setenv("DAGSTER_HOME", "~/dagster-home")
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", "postgresql://dagster@db.example/dagster")
    loaded = Settings()
    assert loaded.WDH_REJECT_THRESHOLD == 0.05
    assert loaded.MAX_WORKERS == 8
    assert Path.home() / "dagster-home" == loaded.DAGSTER_HOME
    assert loaded.DAGSTER_POSTGRES_URL is not None


def test_the_password_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", SERVER_URL)
    loaded = get_settings()
    shown = [
        repr(loaded),
        str(loaded),
        repr(settings),
        repr(loaded.model_dump()),
        loaded.model_dump_json(),
        loaded.masked_database_url,
    ]
    assert all(PASSWORD not in text for text in shown)
    assert loaded.masked_database_url == "postgresql://wdh:***@db.example:5432/warehouse"
    assert loaded.external_database_url() == SERVER_URL


def test_get_settings_returns_one_cached_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    first = get_settings()
    monkeypatch.setenv("MAX_WORKERS", "16")
    assert get_settings() is first
    assert get_settings(require_database=False) is first
    assert first.MAX_WORKERS == 4
    get_settings.cache_clear()
    reloaded = get_settings()
    assert reloaded is not first
    assert reloaded.MAX_WORKERS == 16


def test_settings_are_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    with pytest.raises(ValidationError):
        get_settings().MAX_WORKERS = 99  # type: ignore[misc]


def test_the_lazy_settings_object_reads_get_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match=MISSING):
        _ = settings.LOG_LEVEL
    monkeypatch.setenv("DATABASE_URL", SERVER_URL)
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    get_settings.cache_clear()
    assert settings.LOG_LEVEL == "ERROR"
    assert settings.DATABASE_URL is get_settings().DATABASE_URL


def test_dotenv_in_the_working_directory_is_read(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path
) -> None:
    (clean_environment / ".env").write_text(
        f"DATABASE_URL={SERVER_URL}\nLOG_LEVEL=debug\nMAX_WORKERS=6\nENVIRONMENT=development\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MAX_WORKERS", "2")
    loaded = get_settings()
    assert loaded.external_database_url() == SERVER_URL
    assert loaded.LOG_LEVEL == "DEBUG"
    assert loaded.ENVIRONMENT == "dev"
    assert loaded.MAX_WORKERS == 2, "the process environment wins over .env"


def test_importing_the_package_never_reads_the_environment(tmp_path: Path) -> None:
    script = (
        "import work_data_hub.config\n"
        "from work_data_hub.config import Environment, Settings, get_settings, settings\n"
        "from pydantic import ValidationError\n"
        "try:\n"
        "    settings.LOG_LEVEL\n"
        "except ValidationError as error:\n"
        "    print('first use:', error)\n"
    )
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"first use: 1 validation error for Settings\nDATABASE_URL\n  {MISSING}" in result.stdout
