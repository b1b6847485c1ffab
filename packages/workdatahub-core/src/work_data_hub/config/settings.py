"""The ``Settings`` model: every environment variable the platform reads, validated once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["dev", "staging", "prod"]


class Settings(BaseSettings):
    """Platform settings; field names are the environment variable names."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    DATABASE_URL: SecretStr | None = None
    ENVIRONMENT: Environment = "dev"
    LOG_LEVEL: str = "INFO"
    DAGSTER_HOME: Path = Field(default_factory=lambda: Path.home() / ".dagster")
    MAX_WORKERS: int = 4
    DB_POOL_SIZE: int = 10
    DB_BATCH_SIZE: int = 1000


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, loading them on first call only."""
    return Settings()
