"""What must hold before a run loads anything: the table as declared, rejections within bounds."""

from __future__ import annotations

from sqlalchemy import Engine

from work_data_hub.config import Settings
from work_data_hub.io.runs.report import rejected_row_count
from work_data_hub.io.runs.request import RejectThresholdExceeded, RunFailed, TransformOutcome
from work_data_hub.io.schema.drift import compare_domains, drift_message
from work_data_hub.plugins.registry import RegisteredDomain

__all__ = ["check_declared_table", "check_reject_threshold"]


def check_declared_table(engine: Engine, domain: RegisteredDomain) -> None:
    """Raise ``RunFailed`` (the differences and the fix) when the table's columns differ from the
    declared ones: missing, undeclared, retyped or of another nullability.

    Loading into such a table would fail half-way or leave columns silently unfilled; comment
    and index differences change no value and are left to ``workdatahub db check``.
    """
    with engine.connect() as connection:
        differences = [
            found for found in compare_domains(connection, [domain]) if found.changes_columns
        ]
    if differences:
        raise RunFailed(f"nothing was loaded: {drift_message(differences)}")


def check_reject_threshold(
    outcome: TransformOutcome, domain: RegisteredDomain, settings: Settings
) -> None:
    """Raise ``RejectThresholdExceeded`` when the share of rejected rows exceeds the domain's
    ``reject_threshold`` (or ``WDH_REJECT_THRESHOLD``, which overrides it)."""
    override = settings.WDH_REJECT_THRESHOLD
    threshold = float(override) if override is not None else domain.definition.reject_threshold
    rejected = rejected_row_count(outcome.rejected)
    if not outcome.rows_read or rejected / outcome.rows_read <= threshold:
        return
    raise RejectThresholdExceeded(
        f"{rejected} of {outcome.rows_read} rows rejected ({rejected / outcome.rows_read:.1%}), "
        f"above the threshold of {threshold:.1%} for {domain.name}: nothing was loaded",
    )
