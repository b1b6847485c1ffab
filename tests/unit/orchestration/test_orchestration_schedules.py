"""Monthly schedules: the previous month's run, stopped by default."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dagster import DefaultScheduleStatus, build_schedule_context
from plugin_site import Site
from work_data_hub.config import Settings
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.schedules import (
    MONTH_TAG,
    MONTHLY_CRON,
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


def test_the_schedule_materialises_the_previous_months_partition(
    site: Site, settings: Settings
) -> None:
    site.add_domain("fake-orders", "orders")
    location = build_definitions(site.load(), settings=settings)
    schedule = location.resolve_schedule_def("orders_monthly_schedule")

    tick = datetime(2026, 1, 5, 6, tzinfo=UTC)
    context = build_schedule_context(
        scheduled_execution_time=tick, repository_def=location.get_repository_def()
    )
    data = schedule.evaluate_tick(context)

    assert schedule.name == "orders_monthly_schedule"
    assert schedule.cron_schedule == MONTHLY_CRON
    assert schedule.default_status == DefaultScheduleStatus.STOPPED
    [request] = data.run_requests or []
    assert request.partition_key == "2025-12"
    assert request.tags[MONTH_TAG] == "202512"
    assert not request.run_config
