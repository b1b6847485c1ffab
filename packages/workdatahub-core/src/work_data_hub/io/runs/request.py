"""What a run is asked to do, and what it carries between its stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from work_data_hub.io.connectors.file_connector import Selection
from work_data_hub.io.enrichment import LearnedCompanyId

FileSelection = Selection


class RunFailed(Exception):
    """A run that could not complete; the message says what to fix."""


@dataclass(frozen=True)
class RunRequest:
    """What to run: a domain, and an explicit file, a month to discover its file, or both.

    With a month, the run loads that month only; a file without a month loads the month of
    most of its rows (for a domain with a ``month_column``).
    """

    domain: str
    file: Path | None = None
    month: str | None = None
    dry_run: bool = False
    select: FileSelection = "error"
    rejects_out: Path | None = None


@dataclass(frozen=True)
class PreparedRun:
    """A located, audited run waiting for its stages; picklable (Dagster passes it between ops)."""

    request: RunRequest
    execution_id: str
    path: Path
    table: str
    started_at: datetime
    sheet: str | None = None
    stage_durations: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TransformOutcome:
    """Valid rows ready to load and the rows set aside, each with its reason."""

    valid: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    enrichment_sources: dict[str, int]
    metrics: dict[str, Any]
    learned_company_ids: tuple[LearnedCompanyId, ...] = ()
    stage_durations: dict[str, float] = field(default_factory=dict)
    month: date | None = None
    """The month the valid rows belong to (first day), for a domain with a month column."""
    new_source_columns: tuple[str, ...] = ()
    """Source columns the domain neither declares nor reads (``source_columns``)."""


class RejectThresholdExceeded(RunFailed):
    """More rows were rejected than the domain allows; nothing was loaded."""
