"""The transform of a run's parts: each part through the domain's steps, then one table.

Every part (a file, or a sheet of it) has its own layout and goes through the steps alone, so
a step that looks at neighbouring rows (``fill_down``) never reaches into another sheet. The
valid rows of all parts then meet in one frame, where the duplicate-key step sees every key of
the run. A source read in parts tags each row with its file and sheet before they meet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from work_data_hub.domain.pipelines import (
    Pipeline,
    PipelineConfig,
    PipelineContext,
    PipelineResult,
    PipelineStepError,
    TransformStep,
)
from work_data_hub.domain.pipelines.types import PART_REJECTION_COLUMNS, empty_rejections
from work_data_hub.domain.readers import SourcePart
from work_data_hub.domain.services import DomainServices
from work_data_hub.domain.steps import OtherMonthRows
from work_data_hub.io.runs.layout_facts import layout_outcome
from work_data_hub.io.runs.request import RunFailed
from work_data_hub.io.runs.run_steps import (
    check_rows_conserved,
    domain_steps,
    duplicate_key_step,
    part_rows,
)
from work_data_hub.io.runs.source_columns import new_source_columns
from work_data_hub.io.runs.source_parts import tag_part
from work_data_hub.plugins.registry import RegisteredDomain

__all__ = [
    "TRANSFORM_CHUNK_ROWS",
    "PartFacts",
    "PartsTransformed",
    "transform_domain",
    "transform_parts",
]

TRANSFORM_CHUNK_ROWS = 100_000
"""A part's leading rows-independent steps run on this many rows at a time (``PipelineConfig.
chunk_rows``): a million-row part holds one chunk's intermediate values, not ten."""


@dataclass(frozen=True)
class PartsTransformed:
    """The valid rows of every part, the rejections of every part, and the steps' metrics."""

    valid: pd.DataFrame
    rejected: pd.DataFrame
    metrics: dict[str, Any]
    rows_read: int


def transform_domain(
    domain: RegisteredDomain,
    services: DomainServices,
    parts: Iterable[tuple[SourcePart, pd.DataFrame]],
    context: PipelineContext,
    *,
    several: bool | None = None,
) -> tuple[PartsTransformed, dict[str, Any]]:
    """Run a domain's steps (``run_steps.domain_steps``) on the parts read (as
    ``source_parts.read_parts`` returns them, or as a ``parts_stream.PartsStream`` yields
    them), the duplicate-key step once over all of them; return the result and the parts'
    facts (``PartFacts``, taken from each part before its rows are transformed).

    ``several`` says whether the source has more than one part; it may be left out when
    ``parts`` is a list.
    """
    definition = domain.definition
    steps = domain_steps(domain, services, duplicates=False)
    duplicate_keys = duplicate_key_step(definition)
    several = _several(parts, several)
    facts = PartFacts(domain, steps, several=several)
    result = transform_parts(
        definition.name,
        parts,
        steps,
        [duplicate_keys] if duplicate_keys is not None else [],
        context,
        tag=definition.source.reads_parts,
        several=several,
        facts=facts,
    )
    return result, facts.fields()


def transform_parts(
    name: str,
    parts: Iterable[tuple[SourcePart, pd.DataFrame]],
    steps: Sequence[TransformStep],
    run_steps: Sequence[TransformStep],
    context: PipelineContext,
    *,
    tag: bool,
    several: bool | None = None,
    facts: PartFacts | None = None,
) -> PartsTransformed:
    """Run ``steps`` on each part's rows, then ``run_steps`` on the valid rows of all parts.

    ``parts`` (a list as ``source_parts.read_parts`` returns it, or the parts as a
    ``parts_stream.PartsStream`` yields them; ``several`` is then required) is consumed: each
    part's frame is taken as its turn comes, so that the rows read are freed as soon as the
    steps have replaced them (a caller keeping no other reference holds one frame of text at a
    time, not all of them). ``facts`` collects each part's facts before its rows are
    transformed. With ``tag`` the rows carry their part's file and sheet
    (``source_parts.tag_part``) from the moment they leave their part; every rejection names
    its file and sheet either way. Raises ``RunFailed`` naming the part when a step refuses it,
    or when a part's rows are not all valid or rejected, and ``ValueError`` for no parts.
    """
    valid, rejected, metrics = [], [], []
    run_metrics: dict[str, Any] | None = None
    several = _several(parts, several)
    first: SourcePart | None = None
    rows_read = 0
    for part, frames in _taken(parts):
        first = first or part
        rows_read += len(frames[0])
        if facts is not None:
            facts.add(part, frames[0])
        read = part_rows(frames[0])
        part_context = replace(
            context, config={**context.config, "file": str(part.path), "sheet": part.sheet}
        )
        result = _run(name, steps, frames, part_context, part, name_part=several)
        with _naming(part if several else None):
            check_rows_conserved(read, result.output_data, result.rejected)
        valid.append(tag_part(result.output_data, part) if tag else result.output_data)
        rejected.append(_name_part(result.rejected, part))
        metrics.append(result.metrics)
    if first is None:
        raise ValueError(f"{name}: no parts to transform")
    combined = [pd.concat(valid, ignore_index=True) if len(valid) > 1 else valid[0]]
    valid.clear()
    if run_steps:
        read = part_rows(combined[0])
        result = _run(name, run_steps, combined, context, None, name_part=False)
        check_rows_conserved(read, result.output_data, result.rejected)
        combined = [result.output_data]
        rejected.append(result.rejected if tag else _name_part(result.rejected, first))
        run_metrics = result.metrics
    kept = [frame for frame in rejected if len(frame)]
    return PartsTransformed(
        valid=combined[0],
        rejected=pd.concat(kept, ignore_index=True) if kept else _named(empty_rejections()),
        metrics=_metrics(metrics, run_metrics),
        rows_read=rows_read,
    )


class PartFacts:
    """What the parts tell beyond their rows, as ``TransformOutcome`` fields, collected part by
    part: ``sources`` (each part's file, sheet and rows), ``new_source_columns`` (over all
    parts, first seen first) and the layout facts (``layout_facts.layout_outcome``; with
    several parts each entry names its file and sheet first)."""

    def __init__(
        self, domain: RegisteredDomain, steps: Sequence[TransformStep], *, several: bool
    ) -> None:
        self._domain = domain
        self._steps = list(steps)
        self._several = several
        self._sources: list[dict[str, Any]] = []
        self._new_columns: dict[str, None] = {}
        self._layout: dict[str, list[dict[str, Any]]] = {
            "title_rows": [],
            "skipped_rows": [],
            "totals": [],
        }

    def add(self, part: SourcePart, raw: pd.DataFrame) -> None:
        """Take the facts of one part, as read."""
        self._sources.append({"file": part.path.name, "sheet": part.sheet, "rows": len(raw)})
        self._new_columns.update(
            dict.fromkeys(new_source_columns(raw.columns, self._domain, self._steps))
        )
        where = {"file": part.path.name, "sheet": part.sheet}
        for field, entries in layout_outcome(raw, self._domain, part.path).items():
            self._layout[field].extend(
                {**where, **entry} if self._several else entry for entry in entries
            )

    def fields(self) -> dict[str, Any]:
        """The facts of every part taken so far."""
        return {
            "sources": tuple(self._sources),
            "new_source_columns": tuple(self._new_columns),
            **{field: tuple(entries) for field, entries in self._layout.items()},
        }


def _several(parts: Iterable[object], several: bool | None) -> bool:
    """Whether the source has several parts: ``several``, else the length of the list."""
    if several is not None:
        return several
    if not isinstance(parts, Sequence):
        raise TypeError("parts given one by one need several=True or several=False")
    return len(parts) > 1


def _taken(
    parts: Iterable[tuple[SourcePart, pd.DataFrame]],
) -> Iterator[tuple[SourcePart, list[pd.DataFrame]]]:
    """Yield each part with its frame in a list of its own, which ``_run`` empties; a list of
    parts is emptied as it goes. Nothing here keeps a frame the steps have replaced."""
    for part, frame in _popped(parts) if isinstance(parts, list) else parts:
        frames = [frame]
        del frame
        yield part, frames


def _popped(
    parts: list[tuple[SourcePart, pd.DataFrame]],
) -> Iterator[tuple[SourcePart, pd.DataFrame]]:
    """Yield the parts of the list, each taken out of it as it is yielded."""
    while parts:
        yield parts.pop(0)


def _run(
    name: str,
    steps: Sequence[TransformStep],
    frames: list[pd.DataFrame],
    context: PipelineContext,
    part: SourcePart | None,
    *,
    name_part: bool,
) -> PipelineResult:
    """Run ``steps`` on the one frame of ``frames``, taken out of the list (so the pipeline
    holds the only reference to it); rejected rows are collected. A step refusing the part's
    month names the part; with ``name_part`` (a run of several parts) every failure does."""
    config = PipelineConfig(stop_on_error=False, chunk_rows=TRANSFORM_CHUNK_ROWS)
    pipeline = Pipeline(name, list(steps), config)
    try:
        return pipeline.run(frames.pop(), context, raise_on_error=True)
    except PipelineStepError as failed:
        if part is not None and (name_part or isinstance(failed.cause, OtherMonthRows)):
            shown = failed.cause if isinstance(failed.cause, OtherMonthRows) else failed
            raise RunFailed(f"{part.describe()}: {shown}") from failed
        raise


@contextmanager
def _naming(part: SourcePart | None) -> Iterator[None]:
    """Let a ``RunFailed`` name ``part`` first (when given)."""
    try:
        yield
    except RunFailed as failed:
        if part is None:
            raise
        raise RunFailed(f"{part.describe()}: {failed}") from failed


def _metrics(parts: list[dict[str, Any]], run_steps: dict[str, Any] | None) -> dict[str, Any]:
    """The pipelines' metrics: one part's, or ``{"parts": [...]}``, with the run steps' under
    ``run_steps``."""
    found: dict[str, Any] = dict(parts[0]) if len(parts) == 1 else {"parts": parts}
    return found | ({"run_steps": run_steps} if run_steps is not None else {})


def _name_part(rejected: pd.DataFrame, part: SourcePart) -> pd.DataFrame:
    """The rejections of one part, each naming the part's file and sheet."""
    file, sheet = PART_REJECTION_COLUMNS
    return rejected.assign(**{file: part.path.name, sheet: part.sheet}).astype(
        {file: "object", sheet: "object"}
    )


def _named(rejected: pd.DataFrame) -> pd.DataFrame:
    return rejected.assign(
        **{column: pd.Series(dtype="object") for column in PART_REJECTION_COLUMNS}
    )
