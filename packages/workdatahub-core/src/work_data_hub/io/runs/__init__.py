"""One code path for every run of a domain: the CLI, Dagster ops and tests call these."""

from work_data_hub.io.runs.report import RunReport, RunStatus
from work_data_hub.io.runs.request import (
    FileSelection,
    InvalidRunRequest,
    PreparedRun,
    RejectsOutConflict,
    RejectThresholdExceeded,
    RunFailed,
    RunRequest,
    TransformOutcome,
)
from work_data_hub.io.runs.service import run_domain, run_month
from work_data_hub.io.runs.stages import (
    fail_run,
    load_stage,
    prepare_run,
    read_stage,
    transform_stage,
)

__all__ = [
    "FileSelection",
    "InvalidRunRequest",
    "PreparedRun",
    "RejectThresholdExceeded",
    "RejectsOutConflict",
    "RunFailed",
    "RunReport",
    "RunRequest",
    "RunStatus",
    "TransformOutcome",
    "fail_run",
    "load_stage",
    "prepare_run",
    "read_stage",
    "run_domain",
    "run_month",
    "transform_stage",
]
