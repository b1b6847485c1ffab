"""Celery scale-out settings: broker and backend URLs, and the executor they configure."""

from __future__ import annotations

import pytest
from dagster_celery import celery_executor
from plugin_site import Site
from pydantic import SecretStr
from work_data_hub.config import Settings
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.scale_out import backend_url, broker_url, celery_config

pytestmark = pytest.mark.unit

RABBIT = "amqp://guest:guest@127.0.0.1:5672//"


def test_without_a_broker_url_kombu_uses_the_dagster_storage_database(settings: Settings) -> None:
    storage = settings.model_copy(
        update={"DAGSTER_POSTGRES_URL": SecretStr("postgresql://dagster:pw@db:5432/meta")}
    )

    assert broker_url(storage) == "sqla+postgresql+psycopg2://dagster:pw@db:5432/meta"
    assert backend_url(storage) == "db+postgresql+psycopg2://dagster:pw@db:5432/meta"


def test_without_dagster_storage_the_broker_lives_in_the_warehouse(settings: Settings) -> None:
    assert broker_url(settings) == "sqla+postgresql+psycopg2://nobody@127.0.0.1:9/none"


def test_a_broker_url_is_used_as_given(settings: Settings) -> None:
    rabbit = settings.model_copy(update={"WDH_CELERY_BROKER_URL": SecretStr(RABBIT)})

    assert celery_config(rabbit)["broker"] == RABBIT


def test_the_celery_setting_gives_every_job_the_celery_executor(
    site: Site, settings: Settings
) -> None:
    site.add_domain("fake-orders", "orders")
    celery = settings.model_copy(update={"WDH_DAGSTER_EXECUTOR": "celery"})

    built = build_definitions(site.load(), settings=celery)

    executor = built.resolve_job_def("orders_job").executor_def
    assert executor.name == celery_executor.name
