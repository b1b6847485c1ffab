"""What a run applies between reading and loading: its steps, and the one month it loads.

The steps are the core's guards around the domain's own (unread cells and unstorable text out,
keys in one spelling, the schema, only the run's month); the month bounds the load's scope.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import TransformStep
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
    "check_rows_conserved",
    "domain_steps",
    "load_scope",
    "loaded_month",
    "requested_month",
    "row_key",
]


def domain_steps(domain: RegisteredDomain, services: DomainServices) -> list[TransformStep]:
    """Return every step a run applies, in order.

    Unread cells and unstorable text out, declared null markers made missing (when declared),
    the domain's steps, canonical text in the keys and code-list columns, the columns' own null
    markers again,
    the schema, (for a domain with a ``month_column``) only rows of the run's month, and (for
    a domain with a ``row_key``) no key twice in the file.
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
    if row_key(definition):
        steps.append(RejectDuplicateKeys(row_key(definition), definition.duplicate_keys))
    return steps


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


def check_rows_conserved(raw: pd.DataFrame, valid: pd.DataFrame, rejected: pd.DataFrame) -> None:
    """Raise ``RunFailed`` unless every source row read is either valid or rejected, never both."""
    read = set(raw[SOURCE_ROW_COLUMN].tolist())
    kept = valid[SOURCE_ROW_COLUMN].tolist() if SOURCE_ROW_COLUMN in valid.columns else []
    set_aside = set(rejected["source_row"].dropna().astype(int).tolist())
    problems = []
    if len(kept) != len(set(kept)):
        problems.append("some rows appear twice among the valid rows")
    if set(kept) & set_aside:
        problems.append("some rows are both valid and rejected")
    if set(kept) | set_aside != read:
        problems.append(f"{len(read - set(kept) - set_aside)} row(s) were dropped without a reason")
    if problems:
        raise RunFailed(
            f"rows were not conserved (read {len(raw)}, valid {len(kept)}, rejected "
            f"{len(set_aside)}): {'; '.join(problems)}"
        )


def load_scope(definition: DomainDefinition, outcome: TransformOutcome) -> dict[str, object]:
    """The run's month as the load's scope: a refresh never deletes another month."""
    if definition.month_column is None or outcome.month is None or outcome.valid.empty:
        return {}
    return {definition.month_column: outcome.month}
