"""Monthly schedules: the previous month's run, stopped by default."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dagster import DefaultScheduleStatus, build_schedule_context, validate_run_config
from plugin_site import Site
from work_data_hub.orchestration.jobs import build_domain_job
from work_data_hub.orchestration.schedules import (
    MONTH_TAG,
    MONTHLY_CRON,
    build_monthly_schedule,
    previous_month,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 5, 6, tzinfo=UTC), "202610"),
        (datetime(2026, 1, 5, 6, tzinfo=UTC), "202512"),
        (datetime(2024, 3, 1, 0, tzinfo=UTC), "202402"),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "202611"),
    ],
)
def test_previous_month(moment: datetime, expected: str) -> None:
    assert previous_month(moment) == expected


def test_the_schedule_runs_the_job_for_the_previous_month(site: Site) -> None:
    site.add_domain("fake-orders", "orders")
    job = build_domain_job(site.load().get("orders"))
    schedule = build_monthly_schedule(job, "orders")

    tick = datetime(2026, 1, 5, 6, tzinfo=UTC)
    data = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick))

    assert schedule.name == "orders_monthly_schedule"
    assert schedule.cron_schedule == MONTHLY_CRON
    assert schedule.default_status == DefaultScheduleStatus.STOPPED
    [request] = data.run_requests or []
    assert request.run_config["ops"]["read"]["config"]["month"] == "202512"
    assert request.run_config["ops"]["read"]["config"].get("file") is None
    assert request.tags[MONTH_TAG] == "202512"
    assert validate_run_config(job, request.run_config)["ops"]["read"]["config"]["dry_run"] is False
