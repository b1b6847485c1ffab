"""Generic steps by name, so a domain can declare its steps as data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from work_data_hub.domain.pipelines.types import StepDeclaration, TransformStep
from work_data_hub.domain.steps.cleaning import (
    CleanCode,
    CleanMoney,
    CleanRate,
    NormaliseNames,
    ParseDate,
    ParseMonth,
)
from work_data_hub.domain.steps.columns import CopyColumn, DeriveColumn, DropColumns, RenameColumns
from work_data_hub.domain.steps.duplicates import RejectDuplicateKeys
from work_data_hub.domain.steps.nulls import BlankNullMarkers
from work_data_hub.domain.steps.scope import KeepRunMonth, NormaliseKeyText
from work_data_hub.domain.steps.source_cells import RejectUnreadCells
from work_data_hub.domain.steps.storable import RejectUnstorableText
from work_data_hub.domain.steps.validate import ValidateSchema
from work_data_hub.domain.steps.values import (
    FillDefault,
    FillDown,
    MapValues,
    ReplaceValues,
    StripPrefix,
)

GENERIC_STEPS: dict[str, type[TransformStep]] = {
    "rename": RenameColumns,
    "copy_column": CopyColumn,
    "derive_column": DeriveColumn,
    "drop_columns": DropColumns,
    "map_values": MapValues,
    "replace_values": ReplaceValues,
    "strip_prefix": StripPrefix,
    "fill_default": FillDefault,
    "fill_down": FillDown,
    "parse_month": ParseMonth,
    "parse_date": ParseDate,
    "clean_code": CleanCode,
    "blank_null_markers": BlankNullMarkers,
    "reject_duplicate_keys": RejectDuplicateKeys,
    "clean_money": CleanMoney,
    "clean_rate": CleanRate,
    "normalise_names": NormaliseNames,
    "validate_schema": ValidateSchema,
    "reject_unstorable_text": RejectUnstorableText,
    "normalise_key_text": NormaliseKeyText,
    "keep_run_month": KeepRunMonth,
    "reject_unread_cells": RejectUnreadCells,
}
"""Every generic step class by the name used in step specs (``{"step": "rename", ...}``)."""

STEP_KEY = "step"


class StepSpecError(ValueError):
    """A step spec that cannot be built; the message names its position and what is wrong."""


def build_step(
    spec: Mapping[str, Any], registry: Mapping[str, type[TransformStep]] = GENERIC_STEPS
) -> TransformStep:
    """Return the step a spec describes: ``{"step": "map_values", "column": "…", "mapping": {…}}``.

    ``"step"`` picks the class in ``registry``; the other keys are its constructor arguments.
    """
    kind = spec.get(STEP_KEY)
    if not isinstance(kind, str):
        raise StepSpecError(f"a step spec needs a {STEP_KEY!r} name, got {dict(spec)!r}")
    if kind not in registry:
        raise StepSpecError(f"unknown step {kind!r}; known steps: {', '.join(sorted(registry))}")
    arguments = {key: value for key, value in spec.items() if key != STEP_KEY}
    try:
        return registry[kind](**arguments)
    except TypeError as error:
        raise StepSpecError(f"step {kind!r}: {error}") from error


def build_steps(
    declared: Iterable[StepDeclaration],
    registry: Mapping[str, type[TransformStep]] | None = None,
) -> list[TransformStep]:
    """Return the steps in order: a spec is built from ``registry``, a step object stays as is.

    ``registry`` defaults to ``GENERIC_STEPS``; a run passes every installed plugin's step
    types. A spec that cannot be built raises ``StepSpecError`` naming its 0-based position.
    """
    steps: list[TransformStep] = []
    for position, item in enumerate(declared):
        if not isinstance(item, Mapping):
            steps.append(item)
            continue
        try:
            steps.append(build_step(item, GENERIC_STEPS if registry is None else registry))
        except ValueError as error:
            raise StepSpecError(f"step spec {position}: {error}") from error
    return steps
