"""Generic, vectorised, declarative transform steps; a domain lists them as data."""

from work_data_hub.domain.steps.cleaning import (
    CleanCode,
    CleanMoney,
    CleanRate,
    NormaliseNames,
    ParseDate,
    ParseMonth,
)
from work_data_hub.domain.steps.columns import CopyColumn, DeriveColumn, DropColumns, RenameColumns
from work_data_hub.domain.steps.duplicates import DuplicatePolicy, RejectDuplicateKeys
from work_data_hub.domain.steps.nulls import BlankNullMarkers
from work_data_hub.domain.steps.registry import (
    GENERIC_STEPS,
    StepSpecError,
    build_step,
    build_steps,
)
from work_data_hub.domain.steps.rejections import (
    MissingColumnsError,
    RowFailure,
    rejection_frame,
    require_columns,
    source_rows,
    split_rejected,
)
from work_data_hub.domain.steps.scope import (
    KeepRunMonth,
    NormaliseKeyText,
    OtherMonthRows,
    key_text,
)
from work_data_hub.domain.steps.source_cells import RejectUnreadCells
from work_data_hub.domain.steps.storable import RejectUnstorableText
from work_data_hub.domain.steps.validate import ValidateSchema, cast_column
from work_data_hub.domain.steps.values import (
    Condition,
    FillDefault,
    FillDown,
    MapValues,
    ReplaceValues,
    StripPrefix,
    map_through,
    rows_matching,
)

__all__ = [
    "GENERIC_STEPS",
    "BlankNullMarkers",
    "CleanCode",
    "CleanMoney",
    "CleanRate",
    "Condition",
    "CopyColumn",
    "DeriveColumn",
    "DropColumns",
    "DuplicatePolicy",
    "FillDefault",
    "FillDown",
    "KeepRunMonth",
    "MapValues",
    "MissingColumnsError",
    "NormaliseKeyText",
    "NormaliseNames",
    "OtherMonthRows",
    "ParseDate",
    "ParseMonth",
    "RejectDuplicateKeys",
    "RejectUnreadCells",
    "RejectUnstorableText",
    "RenameColumns",
    "ReplaceValues",
    "RowFailure",
    "StepSpecError",
    "StripPrefix",
    "ValidateSchema",
    "build_step",
    "build_steps",
    "cast_column",
    "key_text",
    "map_through",
    "rejection_frame",
    "require_columns",
    "rows_matching",
    "source_rows",
    "split_rejected",
]
