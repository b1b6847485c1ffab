"""A sensor per domain job that materialises a month when a new file for it appears in the inbox.

Each tick lists the months present in ``INBOX_DIR`` and the file discovery would pick for each
(the same rules as ``workdatahub run --month``). A (month, file, modification time) not in the
cursor materialises that month's partition from that exact file (the triple is the run key), so
a re-issued file (a new ``V2`` folder, or the same file saved again) runs again. The first tick
after the sensor is turned on records what is already there without running it. Sensors are
stopped until someone turns them on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from work_data_hub.config import Settings
from work_data_hub.io.connectors.file_connector import (
    FileDiscoveryError,
    discover_files,
    list_months,
)
from work_data_hub.orchestration.jobs import run_config
from work_data_hub.orchestration.months import MONTH_TAG, partition_key
from work_data_hub.orchestration.ops import DomainRunConfig
from work_data_hub.plugins import SourceSpec
from work_data_hub.plugins.registry import RegisteredDomain
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)

INBOX_POLL_SECONDS = 300
"""Minimum time between two ticks of an inbox sensor."""


@dataclass(frozen=True, order=True)
class InboxFile:
    """The file (files, for ``all_files``) discovery picks for one month, identified with its
    modification time."""

    month: str
    path: str
    mtime_ns: int

    @property
    def run_key(self) -> str:
        """Return the Dagster run key: the same file version never runs twice from one sensor."""
        return f"{self.month}:{self.path}:{self.mtime_ns}"


def inbox_files(inbox: Path, source: SourceSpec) -> list[InboxFile]:
    """Return, per month present in ``inbox``, the file discovery picks for ``source``.

    For a source reading ``all_files`` the month's files are one entry (their paths joined by
    `` + ``, the newest modification time): a branch file added or re-sent is a new version.

    A month whose discovery fails (no matching file yet, several candidates) is left out and
    logged; it is picked up on a later tick once the inbox is fixed.
    """
    found = []
    for month in list_months(inbox, source):
        try:
            paths = discover_files(inbox, source, month)
        except FileDiscoveryError as exc:
            logger.info("inbox_month_skipped", month=month, reason=str(exc))
            continue
        newest = max(path.stat().st_mtime_ns for path in paths)
        found.append(InboxFile(month, " + ".join(str(path) for path in paths), newest))
    return sorted(found)


def encode_cursor(seen: Iterable[InboxFile]) -> str:
    """Return the cursor text for the files already seen (sorted, JSON)."""
    return json.dumps([[item.month, item.path, item.mtime_ns] for item in sorted(set(seen))])


def decode_cursor(cursor: str | None) -> set[InboxFile]:
    """Return the files recorded in ``cursor`` (empty for no cursor)."""
    if not cursor:
        return set()
    return {InboxFile(str(month), str(path), int(ns)) for month, path, ns in json.loads(cursor)}


def sensor_name(domain: str) -> str:
    """Return the sensor name of ``domain``: ``<domain>_inbox_sensor``."""
    return f"{domain}_inbox_sensor"


def build_inbox_sensor(
    job: UnresolvedAssetJobDefinition, domain: RegisteredDomain, settings: Settings
) -> SensorDefinition:
    """Return a stopped sensor materialising a month's partition for each new file version."""
    source = domain.definition.source

    # Targeting the job by name: Dagster then need not copy the sensor to bind resources.
    @sensor(
        name=sensor_name(domain.name),
        job_name=job.name,
        minimum_interval_seconds=INBOX_POLL_SECONDS,
        default_status=DefaultSensorStatus.STOPPED,
        description=(
            f"Materialise a month of {domain.name} when a new file version for it appears "
            "in the inbox."
        ),
    )
    def inbox_sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        found = inbox_files(settings.INBOX_DIR, source)
        if context.cursor is None:
            return SensorResult(
                skip_reason=SkipReason(
                    f"first tick: recorded {len(found)} file(s) already in "
                    f"{settings.INBOX_DIR} without running them"
                ),
                cursor=encode_cursor(found),
            )
        seen = decode_cursor(context.cursor)
        new = [item for item in found if item not in seen]
        if not new:
            return SkipReason(f"no new {domain.name} file in {settings.INBOX_DIR}")
        return SensorResult(
            run_requests=[
                RunRequest(
                    run_key=item.run_key,
                    partition_key=partition_key(item.month),
                    # A month of several files is discovered again by the run, as a whole.
                    run_config=run_config(
                        domain, DomainRunConfig(file=None if source.all_files else item.path)
                    ),
                    tags={MONTH_TAG: item.month},
                )
                for item in new
            ],
            cursor=encode_cursor(seen | set(new)),
        )

    return inbox_sensor
