"""Months as Dagster partitions: one partition per data month, keyed ``YYYY-MM``.

The run service speaks ``YYYYMM`` (``202411``); partition keys read ``2024-11``, the form a
``RunReport`` gives its month. The last partition is the last complete month.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dagster import MonthlyPartitionsDefinition

MONTH_TAG = "workdatahub/month"
"""Run tag holding the month (``YYYYMM``) a run loads; every run of a domain asset carries it."""

PARTITION_FORMAT = "%Y-%m"
DEFAULT_FIRST_MONTH = "202001"
"""First partition when a domain declares no ``first_month``."""


def monthly_partitions(first_month: str = DEFAULT_FIRST_MONTH) -> MonthlyPartitionsDefinition:
    """Return monthly partitions from ``first_month`` (``YYYYMM``) to the last complete month."""
    return MonthlyPartitionsDefinition(
        start_date=partition_key(first_month), fmt=PARTITION_FORMAT, timezone="UTC"
    )


def partition_key(month: str) -> str:
    """Return the partition key of a ``YYYYMM`` month: ``202411`` gives ``2024-11``."""
    return f"{month[:4]}-{month[4:]}"


def month_of(partition: str) -> str:
    """Return the ``YYYYMM`` month of a partition key: ``2024-11`` gives ``202411``."""
    return datetime.strptime(partition, PARTITION_FORMAT).strftime("%Y%m")


def previous_month(moment: datetime) -> str:
    """Return the month before ``moment`` as ``YYYYMM`` (January gives the previous December)."""
    last_day_before = moment.replace(day=1) - timedelta(days=1)
    return f"{last_day_before:%Y%m}"
