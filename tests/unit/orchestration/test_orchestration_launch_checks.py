"""Domain runs that cannot succeed are refused at launch, with the reason; others are queued."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dagster import AssetKey, DagsterInstance, DagsterRun, DagsterRunStatus
from dagster._core.run_coordinator import SubmitRunContext
from dagster._core.test_utils import instance_for_test
from work_data_hub.orchestration.instance import RUN_COORDINATOR
from work_data_hub.orchestration.launch_checks import RunRefused, launch_problem

pytestmark = pytest.mark.unit

DOMAIN = {"workdatahub/domain": "annuity_performance"}
CONFIG = {"ops": {"warehouse__annuity_performance": {"ops": {"read": {"config": {}}}}}}


def _run(tags: dict[str, str], file: Any = None, **fields: Any) -> DagsterRun:
    config: dict[str, Any] = {"ops": {"warehouse__x": {"ops": {"read": {"config": {}}}}}}
    if file is not None:
        config["ops"]["warehouse__x"]["ops"]["read"]["config"]["file"] = file
    return DagsterRun(job_name="annuity_performance_job", tags=tags, run_config=config, **fields)


@pytest.mark.parametrize(
    ("run", "problem"),
    [
        (_run(DOMAIN), "a domain run loads one month: choose its partition"),
        (_run({**DOMAIN, "dagster/partition": "2024-13"}), "partition '2024-13' is not a month"),
        (_run({**DOMAIN, "dagster/partition": "202411"}), "partition '202411' is not a month"),
        (
            _run({**DOMAIN, "dagster/asset_partition_range_start": "2024-01"}),
            "not a range of partitions in one run",
        ),
        (_run({**DOMAIN, "dagster/partition": "2024-11"}, file="  "), "config 'file' is '  '"),
        (
            DagsterRun(
                job_name="__ASSET_JOB", asset_selection=frozenset({AssetKey(["warehouse", "t"])})
            ),
            "choose its partition",
        ),
    ],
)
def test_a_domain_run_that_cannot_succeed_is_named_with_its_reason(
    run: DagsterRun, problem: str
) -> None:
    found = launch_problem(run)

    assert found is not None
    assert problem in found


@pytest.mark.parametrize(
    "run",
    [
        _run({**DOMAIN, "dagster/partition": "2024-11"}),
        _run({**DOMAIN, "dagster/partition": "2024-11"}, file="/inbox/202411/a.xlsx"),
        DagsterRun(job_name="housekeeping"),
    ],
)
def test_a_month_with_or_without_a_file_and_other_jobs_are_accepted(run: DagsterRun) -> None:
    assert launch_problem(run) is None


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test(overrides={"run_coordinator": {**RUN_COORDINATOR}}) as instance:
        yield instance


def _submit(instance: DagsterInstance, run: DagsterRun) -> DagsterRun:
    instance.add_run(run)
    return instance.run_coordinator.submit_run(SubmitRunContext(run, workspace=None))  # type: ignore[arg-type]


def test_a_refused_run_fails_at_once_with_the_reason(instance: DagsterInstance) -> None:
    run = _run(DOMAIN, status=DagsterRunStatus.NOT_STARTED)

    with pytest.raises(RunRefused, match="choose its partition"):
        _submit(instance, run)

    stored = instance.get_run_by_id(run.run_id)
    assert stored is not None
    assert stored.status == DagsterRunStatus.FAILURE
    messages = [
        entry.dagster_event.message or ""
        for entry in instance.all_logs(run.run_id)
        if entry.dagster_event is not None and entry.dagster_event.is_run_failure
    ]
    assert len(messages) == 1
    assert "refused at launch: a domain run loads one month" in messages[0]
