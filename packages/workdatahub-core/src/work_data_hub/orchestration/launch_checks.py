"""Refuse a domain run that cannot succeed when it is launched, not after it has started.

A domain run loads exactly one month: its partition (``YYYY-MM``). Launched without one, for
a range of partitions in one run, or with a blank ``file``, it used to fail inside its first
op; ``CheckedRunCoordinator`` (named in the generated ``dagster.yaml``) refuses it at launch
with the reason, and tags every accepted domain run with its month so the runs list shows it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dagster import DagsterRun
from dagster._core.run_coordinator import QueuedRunCoordinator, SubmitRunContext

from work_data_hub.orchestration.assets import ASSET_PREFIX
from work_data_hub.orchestration.months import MONTH_TAG, month_of
from work_data_hub.orchestration.ops import DOMAIN_TAG

__all__ = ["CheckedRunCoordinator", "RunRefused", "launch_problem"]

PARTITION_TAG = "dagster/partition"
RANGE_TAGS = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")
_MONTH_KEY = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


class RunRefused(Exception):
    """A domain run refused at launch; the message says what to change."""


def is_domain_run(run: DagsterRun) -> bool:
    """True for a run of a domain job or one materialising a ``warehouse/…`` asset."""
    if DOMAIN_TAG in run.tags:
        return True
    selection = run.asset_selection or frozenset()
    return any(key.path[:1] == [ASSET_PREFIX] for key in selection)


def launch_problem(run: DagsterRun) -> str | None:
    """Return why a domain run cannot succeed as launched, or None when it can.

    It needs exactly one partition, a month (``2024-11``); a ``file`` in its config, when
    given, must be a path, not blank. Runs that are not domain runs are never refused.
    """
    if not is_domain_run(run):
        return None
    if any(tag in run.tags for tag in RANGE_TAGS):
        return (
            "a domain run loads one month, not a range of partitions in one run: launch a "
            "backfill, which runs each month once"
        )
    partition = run.tags.get(PARTITION_TAG)
    if partition is None:
        return (
            "a domain run loads one month: choose its partition (YYYY-MM, e.g. 2024-11) in "
            "the Materialize dialog or the Launchpad, or pass --partition 2024-11"
        )
    if not _MONTH_KEY.fullmatch(partition):
        return f"partition {partition!r} is not a month: use YYYY-MM, e.g. 2024-11"
    for file in _configured_files(run.run_config):
        if not isinstance(file, str) or not file.strip():
            return (
                f"config 'file' is {file!r}: give the path of the month's file, or leave "
                "'file' out to find the month's file in the inbox"
            )
    return None


def _configured_files(config: Mapping[str, Any] | None, depth: int = 0) -> list[object]:
    """Every ``file`` value of the run config's op configs (``ops → … → config → file``)."""
    if not isinstance(config, Mapping) or depth > 8:
        return []
    found: list[object] = []
    for key, value in config.items():
        if key == "config" and isinstance(value, Mapping) and "file" in value:
            found.append(value["file"])
        elif isinstance(value, Mapping):
            found += _configured_files(value, depth + 1)
    return found


class CheckedRunCoordinator(QueuedRunCoordinator):
    """Dagster's queued run coordinator, refusing domain runs that ``launch_problem`` finds.

    A refused run is marked failed with the reason (so it does not wait in the queue) and
    ``RunRefused`` is raised, which the UI shows at launch. An accepted domain run is tagged
    ``workdatahub/month`` before it is queued.
    """

    def submit_run(self, context: SubmitRunContext) -> DagsterRun:
        """Queue the run, or refuse it as ``launch_problem`` says."""
        run = context.dagster_run
        problem = launch_problem(run)
        if problem is not None:
            self._instance.report_run_failed(run, f"refused at launch: {problem}")
            raise RunRefused(problem)
        partition = run.tags.get(PARTITION_TAG)
        if is_domain_run(run) and partition is not None and MONTH_TAG not in run.tags:
            self._instance.add_run_tags(run.run_id, {MONTH_TAG: month_of(partition)})
        return super().submit_run(context)
