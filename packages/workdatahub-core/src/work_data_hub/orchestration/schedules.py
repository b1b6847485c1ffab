"""A monthly schedule per domain job, stopped until someone turns it on.

Each schedule materialises the previous month's partition at 06:00 UTC on the 5th of every
month (files for October are expected in the inbox by 5 November).
"""

from __future__ import annotations

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from work_data_hub.orchestration.months import MONTH_TAG, partition_key, previous_month

MONTHLY_CRON = "0 6 5 * *"
"""06:00 on the 5th of each month."""

SCHEDULE_TIMEZONE = "UTC"

__all__ = ["MONTHLY_CRON", "MONTH_TAG", "build_monthly_schedule", "previous_month", "schedule_name"]


def schedule_name(domain: str) -> str:
    """Return the schedule name of ``domain``: ``<domain>_monthly_schedule``."""
    return f"{domain}_monthly_schedule"


def build_monthly_schedule(
    job: UnresolvedAssetJobDefinition, domain: str, cron: str = MONTHLY_CRON
) -> ScheduleDefinition:
    """Return a stopped schedule materialising, on ``cron``, the partition of the month before."""

    @schedule(
        name=schedule_name(domain),
        job=job,
        cron_schedule=cron,
        execution_timezone=SCHEDULE_TIMEZONE,
        default_status=DefaultScheduleStatus.STOPPED,
        description=f"Load {domain} for the previous month ({cron}, {SCHEDULE_TIMEZONE}).",
    )
    def monthly(context: ScheduleEvaluationContext) -> RunRequest:
        month = previous_month(context.scheduled_execution_time)
        return RunRequest(partition_key=partition_key(month), tags={MONTH_TAG: month})

    return monthly
