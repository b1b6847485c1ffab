"""The ``Settings`` model: every environment variable the platform reads, validated once.

Values come from the process environment first, then from a ``.env`` file in the working
directory; field names are the variable names (case-sensitive); empty values count as unset.

The database rule:

- ``DATABASE_URL`` is required. Without it, ``Settings()`` and ``get_settings()`` raise a pydantic
  ``ValidationError`` saying ``DATABASE_URL is required but not set in environment``.
- The one exception: with ``ENVIRONMENT=dev``, a command that can run on the embedded PostgreSQL
  (the demo, the test suite) opts in with ``get_settings(require_database=False)``; for it a missing
  ``DATABASE_URL`` means "start the embedded PostgreSQL under ``WDH_DATA_DIR/pg``".
  ``DATABASE_URL=embedded`` asks for the embedded PostgreSQL explicitly.
- ``ENVIRONMENT=prod`` accepts only a PostgreSQL server URL (not ``embedded``, SQLite or MySQL)
  and a real ``COMPANY_ID_HMAC_KEY``.

Passwords never leave this module in clear text: URL fields are ``SecretStr`` and validation
errors never echo their input.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from work_data_hub.config.masking import mask_secrets

__all__ = [
    "DATABASE_URL_MISSING",
    "DEVELOPMENT_HMAC_KEY",
    "EMBEDDED_DATABASE",
    "Environment",
    "Settings",
    "get_settings",
]

Environment = Literal["dev", "staging", "prod"]

DATABASE_URL_MISSING = (
    "DATABASE_URL is required but not set in environment: set it to "
    "postgresql://user@host:5432/database, or to 'embedded' for a local embedded PostgreSQL "
    "(see .env.example)"
)
EMBEDDED_DATABASE = "embedded"
DEVELOPMENT_HMAC_KEY = "workdatahub-development-key-do-not-use-in-prod"
MIN_PROD_HMAC_KEY_LENGTH = 32

_ENVIRONMENT_ALIASES: dict[str, Environment] = {
    "dev": "dev",
    "development": "dev",
    "staging": "staging",
    "stage": "staging",
    "prod": "prod",
    "production": "prod",
}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_POSTGRES_SCHEMES = ("postgresql", "postgres")

_embedded_database_permitted: ContextVar[bool] = ContextVar(
    "embedded_database_permitted", default=False
)


def _url_scheme(url: str) -> str:
    """Return the scheme of ``url``, driver dropped: ``postgresql+psycopg2`` → ``postgresql``."""
    scheme, separator, _ = url.partition("://")
    return scheme.split("+", 1)[0].lower() if separator else ""


def _require_postgres_url(name: str, url: SecretStr | None) -> SecretStr | None:
    """Reject a set ``url`` that is not a PostgreSQL URL, naming only its scheme."""
    if url is not None and _url_scheme(url.get_secret_value()) not in _POSTGRES_SCHEMES:
        raise PydanticCustomError(
            "postgres_url_required",
            "{name} must be a PostgreSQL URL (postgresql://user:password@host:5432/database); "
            "got {shown}",
            {"name": name, "shown": _describe_scheme(url.get_secret_value())},
        )
    return url


def _describe_scheme(url: str) -> str:
    scheme = _url_scheme(url)
    return f"scheme {scheme!r}" if scheme else "a value without a scheme://"


def _missing_database_url() -> PydanticCustomError:
    return PydanticCustomError("database_url_missing", DATABASE_URL_MISSING)


def _missing_database_url_error() -> ValidationError:
    """The same ``ValidationError`` ``Settings()`` raises when ``DATABASE_URL`` is unset."""
    detail: InitErrorDetails = {
        "type": _missing_database_url(),
        "loc": ("DATABASE_URL",),
        "input": None,
    }
    return ValidationError.from_exception_data("Settings", [detail], hide_input=True)


def _without_inputs(error: ValidationError) -> ValidationError:
    """Return ``error`` with the same locations and messages but no input values.

    ``hide_input_in_errors`` keeps inputs out of ``str(error)`` only; ``errors()`` and ``json()``
    would still carry a raw ``DATABASE_URL`` or key, so the inputs are dropped altogether.
    """
    details: list[InitErrorDetails] = [
        {"type": PydanticCustomError(item["type"], item["msg"]), "loc": item["loc"], "input": None}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]
    return ValidationError.from_exception_data(error.title, details, hide_input=True)


class Settings(BaseSettings):
    """Platform settings; field names are the environment variable names."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=True,
        frozen=True,
        hide_input_in_errors=True,
    )

    ENVIRONMENT: Environment = "dev"
    LOG_LEVEL: str = "INFO"
    LOG_DIR: Path = Path("logs")
    DATABASE_URL: SecretStr | None = Field(default=None, validate_default=True)
    DB_POOL_SIZE: int = Field(default=10, ge=1)
    DB_BATCH_SIZE: int = Field(default=1000, ge=1)
    MAX_WORKERS: int = Field(default=4, ge=1)
    WDH_DATA_DIR: Path = Path(".workdatahub")
    DAGSTER_HOME: Path = Field(default_factory=lambda data: Path(data["WDH_DATA_DIR"]) / "dagster")
    DAGSTER_POSTGRES_URL: SecretStr | None = None
    WDH_DAGSTER_EXECUTOR: Literal["in_process", "multiprocess", "celery"] = "in_process"
    WDH_CELERY_BROKER_URL: SecretStr | None = None
    WDH_CELERY_BACKEND_URL: SecretStr | None = None
    INBOX_DIR: Path = Path("inbox")
    COMPANY_ID_HMAC_KEY: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_HMAC_KEY), validate_default=True
    )
    COMPANY_ID_OVERRIDES_PATH: Path | None = None
    WDH_REJECT_THRESHOLD: float | None = Field(default=None, ge=0.0, le=1.0)
    WDH_DB_CONNECT_TIMEOUT_S: int = Field(default=10, ge=1)
    WDH_DB_KEEPALIVES_IDLE_S: int = Field(default=30, ge=1)
    WDH_DB_KEEPALIVES_INTERVAL_S: int = Field(default=10, ge=1)
    WDH_DB_KEEPALIVES_COUNT: int = Field(default=3, ge=1)
    WDH_DB_TCP_USER_TIMEOUT_S: int = Field(default=60, ge=0)
    WDH_DB_STATEMENT_TIMEOUT_S: float = Field(default=0.0, ge=0.0)
    WDH_DB_LOCK_TIMEOUT_S: float = Field(default=0.0, ge=0.0)
    WDH_DB_IDLE_IN_TRANSACTION_TIMEOUT_S: float = Field(default=600.0, ge=0.0)
    WDH_TABLE_LOCK_WAIT_S: float = Field(default=600.0, ge=0.0)

    def __init__(self, *args: Any, **values: Any) -> None:
        """Load and validate; a ``ValidationError`` carries messages, never the values read."""
        try:
            super().__init__(*args, **values)
        except ValidationError as error:
            raise _without_inputs(error) from None

    @field_validator("ENVIRONMENT", mode="before")
    @classmethod
    def _environment_alias(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _ENVIRONMENT_ALIASES.get(value.strip().lower(), value)
        return value

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _known_log_level(cls, value: Any) -> str:
        level = str(value).strip().upper()
        level = "WARNING" if level == "WARN" else level
        if level not in _LOG_LEVELS:
            raise PydanticCustomError(
                "log_level", "LOG_LEVEL must be one of {levels}", {"levels": ", ".join(_LOG_LEVELS)}
            )
        return level

    @field_validator("LOG_DIR", "DAGSTER_HOME", "INBOX_DIR", "WDH_DATA_DIR")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url_rules(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        environment = info.data.get("ENVIRONMENT")
        if value is None:
            if environment == "dev" and _embedded_database_permitted.get():
                return None
            raise _missing_database_url()
        url = value.get_secret_value().strip()
        if url == EMBEDDED_DATABASE:
            if environment == "prod":
                raise PydanticCustomError(
                    "prod_database_url",
                    "ENVIRONMENT=prod needs a PostgreSQL server in DATABASE_URL; "
                    "'embedded' starts a local development database and is not allowed in prod",
                )
            return SecretStr(EMBEDDED_DATABASE)
        if environment == "prod" and _url_scheme(url) not in _POSTGRES_SCHEMES:
            raise PydanticCustomError(
                "prod_database_url",
                "ENVIRONMENT=prod needs a PostgreSQL DATABASE_URL (postgresql://...), got {shown}; "
                "the warehouse is PostgreSQL and other databases are refused in prod",
                {"shown": _describe_scheme(url)},
            )
        return SecretStr(url)

    @field_validator("DAGSTER_POSTGRES_URL")
    @classmethod
    def _dagster_storage_is_postgres(cls, value: SecretStr | None) -> SecretStr | None:
        return _require_postgres_url("DAGSTER_POSTGRES_URL", value)

    @field_validator("COMPANY_ID_HMAC_KEY")
    @classmethod
    def _real_key_outside_dev(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        environment = info.data.get("ENVIRONMENT")
        uses_development_key = value.get_secret_value() == DEVELOPMENT_HMAC_KEY
        if environment == "prod" and (
            uses_development_key or len(value.get_secret_value()) < MIN_PROD_HMAC_KEY_LENGTH
        ):
            raise PydanticCustomError(
                "prod_hmac_key",
                "ENVIRONMENT=prod needs COMPANY_ID_HMAC_KEY set to a private key of at least "
                "{length} characters; the built-in development key is public",
                {"length": MIN_PROD_HMAC_KEY_LENGTH},
            )
        if environment == "staging" and uses_development_key:
            warnings.warn(
                "COMPANY_ID_HMAC_KEY is not set: staging uses the public development key, "
                "so generated company ids differ from prod",
                UserWarning,
                stacklevel=2,
            )
        return value

    @property
    def uses_embedded_database(self) -> bool:
        """True when the warehouse is the embedded PostgreSQL under ``embedded_postgres_dir``."""
        return (
            self.DATABASE_URL is None or self.DATABASE_URL.get_secret_value() == EMBEDDED_DATABASE
        )

    @property
    def embedded_postgres_dir(self) -> Path:
        """The folder holding the embedded PostgreSQL's data: ``WDH_DATA_DIR/pg``."""
        return self.WDH_DATA_DIR / "pg"

    def external_database_url(self) -> str | None:
        """Return the configured PostgreSQL URL with its password, or None for the embedded one.

        Only hand the result to a database driver; show ``masked_database_url`` to people.
        """
        if self.uses_embedded_database or self.DATABASE_URL is None:
            return None
        return self.DATABASE_URL.get_secret_value()

    @property
    def masked_database_url(self) -> str:
        """The database URL with its password replaced by ``***`` (or ``embedded``), for display."""
        url = self.external_database_url()
        return EMBEDDED_DATABASE if url is None else mask_secrets(url)


@contextmanager
def _permitting_embedded_database() -> Iterator[None]:
    token = _embedded_database_permitted.set(True)
    try:
        yield
    finally:
        _embedded_database_permitted.reset(token)


class _SettingsCache:
    """``get_settings``: one ``Settings`` per process, loaded on first use."""

    def __init__(self) -> None:
        self._loaded: Settings | None = None
        self._lock = threading.Lock()

    def __call__(self, *, require_database: bool = True) -> Settings:
        """Return the process-wide settings, reading the environment and ``.env`` on first call.

        With ``require_database=True`` (the default) a missing ``DATABASE_URL`` raises the
        ``ValidationError`` "DATABASE_URL is required but not set in environment". Pass
        ``require_database=False`` only from a command that can run on the embedded PostgreSQL:
        then, in ``dev``, a missing ``DATABASE_URL`` is allowed and ``uses_embedded_database`` is
        True. Every call returns the same instance until ``cache_clear()``.
        """
        with self._lock:
            if self._loaded is None:
                with _permitting_embedded_database():
                    self._loaded = Settings()
            loaded = self._loaded
        if require_database and loaded.DATABASE_URL is None:
            raise _missing_database_url_error()
        return loaded

    def cache_clear(self) -> None:
        """Forget the loaded settings; the next call reads the environment again (for tests)."""
        with self._lock:
            self._loaded = None


get_settings = _SettingsCache()
