"""Scale-out on Celery (``dagster-celery``): the broker, the result backend, the worker app.

``WDH_DAGSTER_EXECUTOR=celery`` makes every job submit its steps to Celery workers started with
``celery -A work_data_hub.orchestration.celery_worker worker -Q dagster``. The broker is
``WDH_CELERY_BROKER_URL`` (RabbitMQ: ``amqp://guest:guest@127.0.0.1:5672//``); without it,
kombu's SQLAlchemy transport on Dagster's PostgreSQL storage (``DAGSTER_POSTGRES_URL``), else on
the warehouse. Results go to ``WDH_CELERY_BACKEND_URL``, else Celery's database backend on the
same PostgreSQL. Workers need the domain packages, the same settings and a shared Dagster
instance (``DAGSTER_HOME`` with ``DAGSTER_POSTGRES_URL``).
"""

from __future__ import annotations

from typing import Any

from work_data_hub.config import Settings
from work_data_hub.io.database import DRIVER_NAME, normalise_url, resolve_database_url

QUEUE = "dagster"


def _postgres_url(settings: Settings) -> str:
    """Return the PostgreSQL URL the default broker and backend live in, password included."""
    if settings.DAGSTER_POSTGRES_URL is not None:
        url = settings.DAGSTER_POSTGRES_URL.get_secret_value()
    else:
        url = resolve_database_url(
            settings, allow_embedded=True, data_dir=settings.embedded_postgres_dir
        )
    return normalise_url(url).set(drivername=DRIVER_NAME).render_as_string(hide_password=False)


def broker_url(settings: Settings) -> str:
    """Return the Celery broker: ``WDH_CELERY_BROKER_URL``, else kombu's SQLAlchemy transport."""
    if settings.WDH_CELERY_BROKER_URL is not None:
        return settings.WDH_CELERY_BROKER_URL.get_secret_value()
    return f"sqla+{_postgres_url(settings)}"


def backend_url(settings: Settings) -> str:
    """Return the Celery result backend: ``WDH_CELERY_BACKEND_URL``, else the database backend."""
    if settings.WDH_CELERY_BACKEND_URL is not None:
        return settings.WDH_CELERY_BACKEND_URL.get_secret_value()
    return f"db+{_postgres_url(settings)}"


def celery_config(settings: Settings) -> dict[str, Any]:
    """Return the ``celery_executor`` config: broker and backend from the settings."""
    return {"broker": broker_url(settings), "backend": backend_url(settings)}
