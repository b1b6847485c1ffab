"""The step that turns declared null markers (``--``, ``N/A``, ``无``) into missing values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from work_data_hub.cleansing.nulls import NULL_MARKERS, null_marker_mask
from work_data_hub.domain.columns import LINEAGE_COLUMNS
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps.rejections import require_columns


@dataclass(frozen=True)
class BlankNullMarkers:
    """Make every text value that is one of ``markers`` missing, before numbers and dates are
    read (so ``--`` is a blank, not an unreadable amount).

    ``columns`` lists the columns (every column but the lineage ones when None; a listed
    column must exist). ``column_markers`` adds markers for single columns, applied where the
    frame has that column. Markers compare after NFKC, without surrounding whitespace and
    regardless of case (``cleansing.nulls``). Default markers: ``NULL_MARKERS``.
    """

    markers: Sequence[str] = NULL_MARKERS
    columns: Sequence[str] | None = None
    column_markers: Mapping[str, Sequence[str]] = field(default_factory=dict)
    name: str = "blank_null_markers"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with the markers of each column made missing."""
        if self.columns is None:
            columns = [str(c) for c in data.columns if c not in LINEAGE_COLUMNS]
        else:
            require_columns(data, self.columns, self.name)
            columns = list(self.columns)
        markers = {column: list(self.markers) for column in columns}
        for column, extra in self.column_markers.items():
            if column in data.columns:
                markers[column] = [*markers.get(column, []), *extra]
        blanked = {}
        for column, declared in markers.items():
            found = null_marker_mask(data[column], declared)
            if found.any():
                blanked[column] = data[column].mask(found)
        return data.assign(**blanked) if blanked else data
