"""A domain is one typed value, ``PLUGIN = Domain(...)``, named by an entry point
``"pkg.plugin:PLUGIN"`` of the ``workdatahub.domains`` group; the core reads its fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from work_data_hub.domain.columns import Column
from work_data_hub.domain.definition import DomainDefinition
from work_data_hub.domain.enrichment import EnrichCompanyId
from work_data_hub.domain.pipelines.types import StepDeclaration, TransformStep
from work_data_hub.domain.readers import Reader
from work_data_hub.domain.services import DomainServices, EnrichmentProtocol

StepsFactory = Callable[[DomainServices], Sequence[TransformStep]]
"""Builds a run's steps from its I/O services, for rules that need a lookup or a cache."""

SampleGenerator = Callable[[str, int | None, int], pd.DataFrame]
"""``(month "YYYYMM", rows or None for a typical month, seed)`` → the sheet's sample rows."""


@dataclass(frozen=True)
class CompanyIdEnrichment:
    """Which columns the company-id enrichment reads and writes (``EnrichCompanyId`` options)."""

    name_column: str
    plan_code_column: str | None = None
    target: str = "company_id"
    optional: bool = True

    def step(self, enrichment: EnrichmentProtocol) -> TransformStep:
        """Return the ``EnrichCompanyId`` step resolving ids through ``enrichment``."""
        return EnrichCompanyId(
            self.name_column,
            enrichment,
            target=self.target,
            plan_code_column=self.plan_code_column,
            optional=self.optional,
        )


@dataclass(frozen=True, eq=False, repr=False)
class Domain:
    """Everything the core knows about one domain; only ``definition`` and ``columns`` are
    required. docs/plugin-api.md describes each field. Domains compare by identity."""

    definition: DomainDefinition
    columns: Sequence[Column]
    steps: Sequence[StepDeclaration] | StepsFactory = ()
    enrich: CompanyIdEnrichment | None = None
    migrations: str | None = None
    sample: SampleGenerator | None = None
    company_id_overrides: Sequence[Path] = ()
    readers: Mapping[str, Reader] = field(default_factory=dict)
    step_types: Mapping[str, type[TransformStep]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Domain({self.definition.name!r})"
