from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from work_data_hub.config import Settings, get_settings
from work_data_hub.utils.logging import configure_logging


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No settings variable in the environment, an empty working directory (no .env), no cache."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def use_logging(clean_environment: Path) -> Iterator[Callable[..., Settings]]:
    """Configure logging from explicit settings; afterwards leave plain INFO JSON logging."""

    def configure(environment: str = "dev", level: str = "INFO", **values: object) -> Settings:
        chosen = Settings(
            ENVIRONMENT=environment,
            LOG_LEVEL=level,
            LOG_DIR=clean_environment / "logs",
            DATABASE_URL="postgresql://wdh:secret@db.example/warehouse",
            COMPANY_ID_HMAC_KEY="k" * 40,
            **values,
        )
        configure_logging(chosen, force=True)
        return chosen

    yield configure
    configure_logging(Settings(DATABASE_URL="embedded"), force=True)
