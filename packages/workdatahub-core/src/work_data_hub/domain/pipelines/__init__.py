"""The pipeline framework: steps, the pipeline that runs them, and what a run returns."""

from work_data_hub.domain.pipelines.core import Pipeline, StepOutputError, new_context
from work_data_hub.domain.pipelines.retry import (
    NEVER_RETRIED,
    backoff_delay,
    http_status,
    is_transient,
)
from work_data_hub.domain.pipelines.types import (
    DEFAULT_RETRY_ON,
    DEFAULT_RETRY_STATUSES,
    REJECTION_COLUMNS,
    PipelineConfig,
    PipelineContext,
    PipelineResult,
    PipelineStepError,
    RowValidationError,
    StepError,
    StepMetrics,
    StepSkipped,
    StepStatus,
    TransformStep,
    describe_failure,
    empty_rejections,
)

__all__ = [
    "DEFAULT_RETRY_ON",
    "DEFAULT_RETRY_STATUSES",
    "NEVER_RETRIED",
    "REJECTION_COLUMNS",
    "Pipeline",
    "PipelineConfig",
    "PipelineContext",
    "PipelineResult",
    "PipelineStepError",
    "RowValidationError",
    "StepError",
    "StepMetrics",
    "StepOutputError",
    "StepSkipped",
    "StepStatus",
    "TransformStep",
    "backoff_delay",
    "describe_failure",
    "empty_rejections",
    "http_status",
    "is_transient",
    "new_context",
]
