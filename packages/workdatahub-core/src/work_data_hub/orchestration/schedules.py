"""A monthly schedule per domain job, stopped until someone turns it on.

Each schedule runs its job at 06:00 UTC on the 5th of every month for the previous month
(files for October are expected in the inbox by 5 November).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dagster import (
    DefaultScheduleStatus,
    JobDefinition,
    RunConfig,
    ScheduleDefinition,
    ScheduleEvaluationContext,
)

from work_data_hub.orchestration.jobs import run_config
from work_data_hub.orchestration.ops import DomainRunConfig

MONTHLY_CRON = "0 6 5 * *"
"""06:00 on the 5th of each month."""

SCHEDULE_TIMEZONE = "UTC"
MONTH_TAG = "workdatahub/month"


def previous_month(moment: datetime) -> str:
    """Return the month before ``moment`` as ``YYYYMM`` (January gives the previous December)."""
    last_day_before = moment.replace(day=1) - timedelta(days=1)
    return f"{last_day_before:%Y%m}"


def schedule_name(domain: str) -> str:
    """Return the schedule name of ``domain``: ``<domain>_monthly_schedule``."""
    return f"{domain}_monthly_schedule"


def build_monthly_schedule(
    job: JobDefinition, domain: str, cron: str = MONTHLY_CRON
) -> ScheduleDefinition:
    """Return a stopped schedule running ``job`` on ``cron`` for the month before each tick."""

    def previous_month_config(context: ScheduleEvaluationContext) -> RunConfig:
        return run_config(DomainRunConfig(month=previous_month(context.scheduled_execution_time)))

    def previous_month_tags(context: ScheduleEvaluationContext) -> dict[str, str]:
        return {MONTH_TAG: previous_month(context.scheduled_execution_time)}

    return ScheduleDefinition(
        name=schedule_name(domain),
        job=job,
        cron_schedule=cron,
        execution_timezone=SCHEDULE_TIMEZONE,
        run_config_fn=previous_month_config,
        tags_fn=previous_month_tags,
        default_status=DefaultScheduleStatus.STOPPED,
        description=f"Load {domain} for the previous month ({cron}, {SCHEDULE_TIMEZONE}).",
    )
