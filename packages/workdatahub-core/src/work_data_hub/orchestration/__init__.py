"""Dagster orchestration: per installed domain plugin, its warehouse table as a monthly-partitioned
asset with asset checks, an asset job, a schedule and a sensor.

Dagster loads ``work_data_hub.orchestration.definitions`` (its ``defs``); ``make dagster`` runs
``python -m work_data_hub.orchestration.dev``.
"""

from work_data_hub.orchestration.assets import asset_key, build_domain_asset
from work_data_hub.orchestration.checks import build_domain_checks
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.instance import instance_environment, write_instance_config
from work_data_hub.orchestration.jobs import build_domain_job, job_name, run_config
from work_data_hub.orchestration.months import MONTH_TAG, monthly_partitions
from work_data_hub.orchestration.ops import DOMAIN_TAG, RETRY_POLICY, DomainRunConfig
from work_data_hub.orchestration.resources import WarehouseResource
from work_data_hub.orchestration.schedules import build_monthly_schedule
from work_data_hub.orchestration.sensors import build_inbox_sensor

__all__ = [
    "DOMAIN_TAG",
    "MONTH_TAG",
    "RETRY_POLICY",
    "DomainRunConfig",
    "WarehouseResource",
    "asset_key",
    "build_definitions",
    "build_domain_asset",
    "build_domain_checks",
    "build_domain_job",
    "build_inbox_sensor",
    "build_monthly_schedule",
    "instance_environment",
    "job_name",
    "monthly_partitions",
    "run_config",
    "write_instance_config",
]
