"""Steps that shape columns: rename (with header aliases), copy, derive, drop."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from work_data_hub.cleansing.text import normalise_header
from work_data_hub.domain.columns import LINEAGE_COLUMNS
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps.rejections import column_tuple, require_columns
from work_data_hub.domain.steps.values import map_through


@dataclass(frozen=True)
class RenameColumns:
    """Rename columns; a header matches a mapping key whatever its width, spacing or case.

    ``RenameColumns({"机构": "机构名称", "流失(含待遇支付)": "流失(含待遇支付)"})`` also renames
    ``"流失（含待遇支付）"`` (full-width parentheses). Unmatched columns and lineage columns are
    left alone; two columns ending with the same name is an error.
    """

    mapping: Mapping[str, str]
    name: str = "rename_columns"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with matching headers renamed."""
        targets = {normalise_header(source): target for source, target in self.mapping.items()}
        renames = {
            column: targets[normalise_header(column)]
            for column in data.columns
            if column not in LINEAGE_COLUMNS and normalise_header(column) in targets
        }
        renamed = [renames.get(column, column) for column in data.columns]
        duplicates = sorted({str(c) for c in renamed if renamed.count(c) > 1})
        if duplicates:
            sources = [
                str(c) for c, new in zip(data.columns, renamed, strict=True) if new in duplicates
            ]
            raise ValueError(
                f"step '{self.name}': columns {', '.join(map(repr, sources))} would all be named "
                f"{', '.join(map(repr, duplicates))}"
            )
        return data.rename(columns=renames)


@dataclass(frozen=True)
class CopyColumn:
    """Copy ``source`` to ``target`` (e.g. keep the raw customer name before normalising it)."""

    source: str
    target: str
    name: str = "copy_column"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with ``target`` holding a copy of ``source``."""
        require_columns(data, [self.source], self.name)
        return data.assign(**{self.target: data[self.source]})


@dataclass(frozen=True)
class DeriveColumn:
    """Compute ``target`` from the frame: ``func(frame) -> Series``, or ``source`` via ``mapping``.

    ``DeriveColumn("产品线代码", source="业务类型", mapping=CODES, default="PL301")`` maps
    values like ``MapValues`` (unmapped and missing values get ``default``);
    ``DeriveColumn("total", func=...)``
    calls a vectorised function on the whole frame.
    """

    target: str
    func: Callable[[pd.DataFrame], pd.Series | Any] | None = None
    source: str | None = None
    mapping: Mapping[Any, Any] | None = None
    default: Any = None
    name: str = "derive_column"

    @property
    def rows_independent(self) -> bool:
        """True for a mapping; a function of the whole frame may look at other rows."""
        return self.func is None

    def __post_init__(self) -> None:
        by_func = self.func is not None
        by_mapping = self.source is not None and self.mapping is not None
        if by_func == by_mapping:
            raise ValueError(
                f"step '{self.name}': give either func, or source and mapping "
                f"(target {self.target!r})"
            )

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with ``target`` set to the derived values."""
        if self.func is not None:
            return data.assign(**{self.target: self.func(data)})
        source, mapping = self.source or "", self.mapping or {}
        require_columns(data, [source], self.name)
        return data.assign(**{self.target: map_through(data[source], mapping, self.default)})


@dataclass(frozen=True)
class DropColumns:
    """Drop columns; ones already absent are ignored. Lineage columns can never be dropped."""

    columns: Sequence[str]
    name: str = "drop_columns"
    rows_independent: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", column_tuple(self.columns, self.name))
        protected = sorted(set(self.columns) & set(LINEAGE_COLUMNS))
        if protected:
            raise ValueError(f"step '{self.name}': lineage columns {protected} cannot be dropped")

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` without the listed columns."""
        return data.drop(columns=[c for c in self.columns if c in data.columns])
