"""What a run is asked to do, and what it carries between its stages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from work_data_hub.domain.readers import SourcePart
from work_data_hub.io.connectors.file_connector import (
    FileDiscoveryError,
    Selection,
    validate_month,
)
from work_data_hub.io.enrichment import LearnedCompanyId

FileSelection = Selection


class RunFailed(Exception):
    """A run that could not complete; the message says what to fix."""


class InvalidRunRequest(RunFailed, ValueError):
    """A request no run can be made of (no file and no month, a malformed month)."""


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

    def __post_init__(self) -> None:
        """Refuse a request that names neither a file nor a month, or a month that is none."""
        if self.file is None and self.month is None:
            raise InvalidRunRequest("give a file, a month (YYYYMM), or both")
        if self.month is not None:
            try:
                validate_month(self.month)
            except FileDiscoveryError as error:
                raise InvalidRunRequest(str(error)) from error


StageProgress = Callable[[str, int | None], None]
"""Told as each stage of a run starts: ``("read", None)``, ``("transform", rows read)``,
``("load", valid rows)``; the CLI draws its progress from it. A source of several parts
starts its transform with the first part read, before the rows are counted:
``("transform", None)``."""


@dataclass(frozen=True)
class TransformOutcome:
    """Valid rows ready to load and the rows set aside, each with its reason."""

    valid: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    enrichment_sources: dict[str, int]
    metrics: dict[str, Any]
    learned_company_ids: tuple[LearnedCompanyId, ...] = ()
    month: date | None = None
    """The month the valid rows belong to (first day), for a domain with a month column."""
    new_source_columns: tuple[str, ...] = ()
    """Source columns the domain neither declares nor reads (``source_columns``)."""
    title_rows: tuple[dict[str, Any], ...] = ()
    """The rows above the header (``layout_facts.title_rows``)."""
    skipped_rows: tuple[dict[str, Any], ...] = ()
    """Rows below the table the reader left out: totals rows, footers."""
    totals: tuple[dict[str, Any], ...] = ()
    """``TotalsCheck.to_json()`` of each declared totals column."""
    sources: tuple[dict[str, Any], ...] = ()
    """Each part read: ``{"file", "sheet", "rows"}``."""


@dataclass(frozen=True)
class RunState:
    """What a started run has established so far: its identity, timings and stage results.

    Picklable, so that Dagster passes it from op to op; a ``Run`` replaces it at every stage
    instead of changing it, so a retried op starts again from its input.
    """

    request: RunRequest
    execution_id: str
    path: Path
    """The run's (first) source file."""
    table: str
    started_at: datetime
    sheet: str | None = None
    files: tuple[Path, ...] = ()
    """Every source file of the run (``path`` alone unless the source declares ``all_files``)."""
    parts: tuple[SourcePart, ...] = ()
    """The parts read (a file, or a sheet of it), once the read stage has found them."""
    timings: Mapping[str, float] = field(default_factory=dict)
    """Seconds per finished stage (``read``, ``transform``, ``load``): the one timings record."""
    raw: tuple[pd.DataFrame, ...] | None = field(default=None, repr=False)
    """The rows read, one frame per part, until the transform has used them."""
    transformed: TransformOutcome | None = field(default=None, repr=False)
    rejects_written: Path | None = None
    """The ``rejects_out`` file, once the run has written it."""

    @property
    def source_files(self) -> tuple[Path, ...]:
        """Every source file of the run: ``files``, or ``path`` alone."""
        return self.files or (self.path,)

    @property
    def source_location(self) -> Path:
        """What the run names as its input: its one file, or the folder of its several."""
        return self.path if len(self.source_files) == 1 else self.path.parent


class RejectsOutConflict(RunFailed):
    """``rejects_out`` names one of the run's input files; nothing was started or written."""


class RejectThresholdExceeded(RunFailed):
    """More rows were rejected than the domain allows; nothing was loaded."""


def _same_file(first: Path, second: Path) -> bool:
    """True when both paths name one file (symlinks, ``..`` and hard links seen through)."""
    if first.resolve() == second.resolve():
        return True
    try:
        return first.samefile(second)
    except OSError:
        return False


def check_rejects_out(rejects_out: Path | None, inputs: Sequence[Path]) -> None:
    """Raise ``RejectsOutConflict`` when the rejects file would overwrite one of ``inputs``."""
    if rejects_out is None:
        return
    for source in inputs:
        if _same_file(rejects_out, source):
            raise RejectsOutConflict(
                f"--rejects-out {str(rejects_out)!r} is the run's input file {str(source)!r}; "
                "give another path for the rejected rows"
            )
