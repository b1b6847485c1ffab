"""One code path for every run of a domain: the CLI, Dagster ops and tests drive a ``Run``."""

from work_data_hub.io.runs.report import RunReport, RunStatus
from work_data_hub.io.runs.request import (
    FileSelection,
    InvalidRunRequest,
    RejectsOutConflict,
    RejectThresholdExceeded,
    RunFailed,
    RunRequest,
    RunState,
    TransformOutcome,
)
from work_data_hub.io.runs.run import Run
from work_data_hub.io.runs.service import run_domain, run_month

__all__ = [
    "FileSelection",
    "InvalidRunRequest",
    "RejectThresholdExceeded",
    "RejectsOutConflict",
    "Run",
    "RunFailed",
    "RunReport",
    "RunRequest",
    "RunState",
    "RunStatus",
    "TransformOutcome",
    "run_domain",
    "run_month",
]
