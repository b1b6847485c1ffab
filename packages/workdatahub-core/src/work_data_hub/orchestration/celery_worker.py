"""The Celery app Dagster's steps run on: ``celery -A work_data_hub.orchestration.celery_worker
worker -Q dagster``.

Broker and result backend come from the settings (``scale_out``), so the workers and the runs
that submit steps to them agree on both.
"""

from __future__ import annotations

from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from work_data_hub.config import get_settings
from work_data_hub.orchestration.scale_out import backend_url, broker_url

_settings = get_settings(require_database=False)
# dagster-celery's functions carry no type annotations.
app = make_app({"broker": broker_url(_settings), "backend": backend_url(_settings)})  # type: ignore[no-untyped-call]
app.conf.broker_connection_retry_on_startup = True
execute_plan = create_task(app)  # type: ignore[no-untyped-call]
"""The task each step is sent as; its name is the one ``celery_executor`` submits."""
