"""What the reader learned about a sheet's layout, as the run reports it.

Title rows above the header, rows skipped below the table (totals, footers) and, where the
source declares ``totals_columns``, whether each column's rows add up to the totals row: the
check a business user makes by hand on a report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from work_data_hub.cleansing.nulls import blank_null_markers
from work_data_hub.cleansing.numbers import clean_money
from work_data_hub.cleansing.text import is_blank
from work_data_hub.domain.readers import (
    SKIPPED_ROWS,
    TITLE_ROWS,
    TOTALS_ROW,
    SourceFileError,
)
from work_data_hub.plugins.registry import RegisteredDomain
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class TotalsCheck:
    """One declared column against the file's totals row.

    ``rows_sum`` adds every data row read (loaded and rejected alike) whose value is a number;
    ``unreadable`` counts those that are not, which the sum therefore misses.
    """

    column: str
    file_total: str | None
    rows_sum: str
    unreadable: int

    @property
    def matches(self) -> bool:
        """True when the totals row holds a number equal to the rows' exact sum."""
        return self.file_total is not None and Decimal(self.file_total) == Decimal(self.rows_sum)

    def to_json(self) -> dict[str, Any]:
        """The check as plain data, ``matches`` included."""
        return {
            "column": self.column,
            "file_total": self.file_total,
            "rows_sum": self.rows_sum,
            "unreadable": self.unreadable,
            "matches": self.matches,
        }


def title_rows(raw: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows above the header as ``{"row", "text"}``, top first."""
    return [{"row": row, "text": text} for row, text in raw.attrs.get(TITLE_ROWS, [])]


def skipped_rows(raw: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows the reader left out below the table as ``{"row", "reason"}``."""
    return [{"row": row, "reason": reason} for row, reason in raw.attrs.get(SKIPPED_ROWS, [])]


def check_totals(
    raw: pd.DataFrame,
    columns: Sequence[str],
    *,
    file: Path,
    null_markers: Mapping[str, Sequence[str]] | None = None,
) -> list[TotalsCheck]:
    """Return one ``TotalsCheck`` per declared column, if the file has a totals row.

    Both sides are read as ``clean_money`` reads amounts (exact decimals, thousands
    separators and currency signs allowed); a column's ``null_markers`` count as blanks, not
    as unreadable values. A mismatch is logged as a warning naming the file; a declared
    column the file lacks raises ``SourceFileError``.
    """
    totals = raw.attrs.get(TOTALS_ROW) or {}
    if not totals or not columns:
        return []
    checks = []
    for column in columns:
        if column not in raw.columns:
            raise SourceFileError(
                file, f"totals column {column!r} is not a column of the file", column=column
            )
        values = blank_null_markers(raw[column], (null_markers or {}).get(column, ()))
        amounts = clean_money(values)
        read = amounts.notna()
        stated = clean_money(pd.Series([totals.get(column)], dtype=object)).iat[0]
        check = TotalsCheck(
            column=column,
            file_total=None if stated is None else str(stated),
            rows_sum=str(sum(amounts[read].tolist(), Decimal(0))),
            unreadable=int((~read & ~is_blank(values)).sum()),
        )
        if not check.matches:
            logger.warning("totals row does not match the rows", file=file.name, **check.to_json())
        checks.append(check)
    return checks


def layout_outcome(
    raw: pd.DataFrame, domain: RegisteredDomain, file: Path
) -> dict[str, tuple[dict[str, Any], ...]]:
    """The run outcome's layout fields: ``title_rows``, ``skipped_rows`` and the ``totals``
    checks of the domain's ``totals_columns`` (each column's null markers count as blanks)."""
    definition = domain.definition
    markers = {
        column.name: (*definition.null_markers, *column.null_markers) for column in domain.columns
    }
    checks = check_totals(raw, definition.source.totals_columns, file=file, null_markers=markers)
    return {
        "title_rows": tuple(title_rows(raw)),
        "skipped_rows": tuple(skipped_rows(raw)),
        "totals": tuple(check.to_json() for check in checks),
    }
