"""What a run applies between reading and loading: its steps, and the one month it loads.

The steps are the core's guards around the domain's own (unread cells and unstorable text out,
keys in one spelling, the schema, only the run's month); the month bounds the load's scope.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from work_data_hub.domain.columns import (
    EXECUTION_ID_COLUMN,
    SOURCE_FILE_COLUMN,
    SOURCE_ROW_COLUMN,
    SOURCE_SHEET_COLUMN,
)
from work_data_hub.domain.pipelines import TransformStep
from work_data_hub.domain.pipelines.types import PART_REJECTION_COLUMNS
from work_data_hub.domain.services import DomainServices
from work_data_hub.domain.steps import (
    BlankNullMarkers,
    KeepRunMonth,
    NormaliseKeyText,
    RejectDuplicateKeys,
    RejectUnreadCells,
    RejectUnstorableText,
    ValidateSchema,
)
from work_data_hub.io.runs.request import RunFailed, RunRequest, TransformOutcome
from work_data_hub.plugins import DomainDefinition
from work_data_hub.plugins.registry import RegisteredDomain

__all__ = [
    "PartRows",
    "check_rows_conserved",
    "domain_steps",
    "duplicate_key_step",
    "load_scope",
    "loaded_month",
    "part_rows",
    "rejected_part_rows",
    "requested_month",
    "row_key",
    "with_execution_id",
]


def domain_steps(
    domain: RegisteredDomain, services: DomainServices, *, duplicates: bool = True
) -> list[TransformStep]:
    """Return every step a run applies, in order.

    Unread cells and unstorable text out, declared null markers made missing (when declared),
    the domain's steps, canonical text in the keys and code-list columns, the columns' own null
    markers again, the schema, (for a domain with a ``month_column``) only rows of the run's
    month, and (for a domain with a ``row_key``, unless ``duplicates`` is false) no key twice
    in the file: a run of several parts applies that last step once, to all of them
    (``duplicate_key_step``).
    """
    definition = domain.definition
    canonical = [
        column.name
        for column in domain.columns
        if column.kind == "text" and (column.name in definition.keys or column.isin is not None)
    ]
    column_markers = {c.name: c.null_markers for c in domain.columns if c.null_markers}
    before: list[TransformStep] = []
    if definition.null_markers or column_markers:
        before.append(BlankNullMarkers(definition.null_markers, column_markers=column_markers))
    again = [BlankNullMarkers((), column_markers=column_markers)] if column_markers else []
    steps: list[TransformStep] = [
        RejectUnreadCells(),
        RejectUnstorableText(),
        *before,
        *domain.steps(services),
        NormaliseKeyText(canonical),
        *again,
        ValidateSchema(domain.columns),
    ]
    if definition.month_column is not None:
        steps.append(KeepRunMonth(definition.month_column, definition.other_months))
    duplicate_keys = duplicate_key_step(definition) if duplicates else None
    return [*steps, duplicate_keys] if duplicate_keys is not None else steps


def duplicate_key_step(definition: DomainDefinition) -> RejectDuplicateKeys | None:
    """The step rejecting a ``row_key`` seen twice (by ``duplicate_keys``), if there is a key."""
    key = row_key(definition)
    return RejectDuplicateKeys(key, definition.duplicate_keys) if key else None


def row_key(definition: DomainDefinition) -> tuple[str, ...]:
    """The columns no two rows of one file may share: the declared ``row_key``, else the keys
    of every write mode but ``delete_insert`` (whose keys name refresh groups, which repeat)."""
    if definition.row_key is not None:
        return definition.row_key
    return () if definition.write_mode == "delete_insert" else definition.keys


def requested_month(request: RunRequest) -> dt.date | None:
    """The first day of the month the run was asked to load (``RunRequest`` checked it), if any."""
    if request.month is None:
        return None
    return dt.date(int(request.month[:4]), int(request.month[4:]), 1)


def loaded_month(definition: DomainDefinition, valid: pd.DataFrame) -> dt.date | None:
    """The single month of the valid rows (``KeepRunMonth`` leaves no other), if any."""
    column = definition.month_column
    if column is None or column not in valid.columns or valid.empty:
        return None
    dates = pd.to_datetime(valid[column]).dropna()
    months = sorted(set((dates.dt.year * 100 + dates.dt.month).tolist()))
    if len(months) != 1:
        raise RunFailed(f"the valid rows hold {len(months)} months of {column}, expected one")
    return dt.date(months[0] // 100, months[0] % 100, 1)


PartRows = dict[tuple[str, str], npt.NDArray[np.int64]]
"""Source row numbers by part (``(file, sheet)``; ``("", "")`` for a frame of one part)."""


def _by_part(
    frame: pd.DataFrame, rows: str, file: str, sheet: str, *, keep_missing: bool
) -> PartRows:
    if rows not in frame.columns:
        return {}
    numbers = pd.to_numeric(frame[rows], errors="coerce").fillna(-1).to_numpy(np.int64)
    if file not in frame.columns:
        parts = {("", ""): numbers}
    else:
        labels = pd.DataFrame(
            {
                "file": frame[file].astype("object").fillna("").astype(str).to_numpy(),
                "sheet": (
                    frame[sheet].astype("object").fillna("").astype(str).to_numpy()
                    if sheet in frame.columns
                    else ""
                ),
            }
        )
        groups = labels.groupby(["file", "sheet"], sort=False).indices
        parts = {_part_key(key): numbers[np.asarray(i)] for key, i in groups.items()}
    if keep_missing:
        return parts
    return {key: found[found >= 0] for key, found in parts.items()}


def _part_key(key: object) -> tuple[str, str]:
    file, sheet = key if isinstance(key, tuple) else (key, "")
    return str(file), str(sheet)


def part_rows(frame: pd.DataFrame) -> PartRows:
    """The source rows of a frame of rows (``wdh_source_row``, by its part lineage columns)."""
    return _by_part(
        frame, SOURCE_ROW_COLUMN, SOURCE_FILE_COLUMN, SOURCE_SHEET_COLUMN, keep_missing=True
    )


def rejected_part_rows(rejected: pd.DataFrame) -> PartRows:
    """The source rows a rejected-rows frame names (by its ``source_file`` / ``sheet``)."""
    file, sheet = PART_REJECTION_COLUMNS
    return _by_part(rejected, "source_row", file, sheet, keep_missing=False)


def check_rows_conserved(read: PartRows, valid: pd.DataFrame, rejected: pd.DataFrame) -> None:
    """Raise ``RunFailed`` unless every source row read (``part_rows`` of the rows read) is
    either valid or rejected, never both; a row is its number within its part."""
    kept, set_aside = part_rows(valid), rejected_part_rows(rejected)
    empty = np.array([], dtype=np.int64)
    twice = both = dropped = unknown = 0
    kept_count = aside_count = 0
    for part in {*read, *kept, *set_aside}:
        rows = np.unique(read.get(part, empty))
        valid_rows = kept.get(part, empty)
        rejected_rows = np.unique(set_aside.get(part, empty))
        unique_valid = np.unique(valid_rows)
        kept_count += len(valid_rows)
        aside_count += len(rejected_rows)
        twice += len(valid_rows) - len(unique_valid)
        both += len(np.intersect1d(unique_valid, rejected_rows, assume_unique=True))
        accounted = np.union1d(unique_valid, rejected_rows)
        dropped += len(np.setdiff1d(rows, accounted, assume_unique=True))
        unknown += len(np.setdiff1d(accounted, rows, assume_unique=True))
    problems = []
    if twice:
        problems.append("some rows appear twice among the valid rows")
    if both:
        problems.append("some rows are both valid and rejected")
    if dropped:
        problems.append(f"{dropped} row(s) were dropped without a reason")
    if unknown:
        problems.append(f"{unknown} row(s) were never read")
    if problems:
        total = sum(len(rows) for rows in read.values())
        raise RunFailed(
            f"rows were not conserved (read {total}, valid {kept_count}, rejected "
            f"{aside_count}): {'; '.join(problems)}"
        )


def load_scope(definition: DomainDefinition, outcome: TransformOutcome) -> dict[str, object]:
    """The run's month as the load's scope: a refresh never deletes another month."""
    if definition.month_column is None or outcome.month is None or outcome.valid.empty:
        return {}
    return {definition.month_column: outcome.month}


def with_execution_id(valid: pd.DataFrame, execution_id: str) -> pd.DataFrame:
    """Return the valid rows with the run's ``EXECUTION_ID_COLUMN``, as the warehouse stores
    them: one category, not a text per row (a million rows' ids took 42 MB as Arrow text)."""
    ids = pd.Categorical.from_codes(
        np.zeros(len(valid), dtype=np.int8), categories=pd.Index([execution_id])
    )
    return valid.assign(**{EXECUTION_ID_COLUMN: ids})
