"""A domain plugin declared from data: one object whose methods are the domain's hooks.

``PLUGIN = DeclaredDomain(definition=..., columns=..., steps=..., migrations=...)`` in a
module, and the entry point ``"pkg.plugin:PLUGIN"``, replace a module of hook functions that
only return declarations. Modules of ``@hookimpl`` functions keep working alongside.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from work_data_hub.domain.columns import Column
from work_data_hub.domain.pipelines.types import StepDeclaration, TransformStep
from work_data_hub.domain.services import DomainServices, EnrichmentProtocol
from work_data_hub.plugins.definition import DomainDefinition, MigrationSource
from work_data_hub.plugins.hookspecs import hookimpl
from work_data_hub.plugins.readers import Reader

if TYPE_CHECKING:
    import pandas as pd

StepsFactory = Callable[[DomainServices], Sequence[TransformStep]]
"""Builds a run's steps from its I/O services, for rules that need a lookup or a cache."""

SampleGenerator = Callable[[str, "int | None", int], "pd.DataFrame"]
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
        # Imported when asked, so importing work_data_hub.plugins does not load the steps.
        from work_data_hub.domain.enrichment import EnrichCompanyId

        return EnrichCompanyId(
            self.name_column,
            enrichment,
            target=self.target,
            plan_code_column=self.plan_code_column,
            optional=self.optional,
        )


@dataclass(frozen=True, eq=False, repr=False)
class DeclaredDomain:
    """A domain plugin declared from data; its methods are the hook implementations.

    - ``definition``, ``columns``: the answers of ``workdatahub_domain``, ``workdatahub_columns``.
    - ``steps``: step specs and step objects, run in order, or a function of the run's
      ``DomainServices`` returning the steps.
    - ``enrich``: the company-id enrichment, appended after the steps when the run has an
      enrichment service.
    - ``migrations``: where the Alembic versions are (``"package:folder"`` or an absolute path);
      the branch label is the domain name.
    - ``sample``: answers ``workdatahub_sample_data`` as ``sample(month, rows, seed)``.
    - ``company_id_overrides``: CSV files of company-id overrides for this domain's runs.
    - ``readers``, ``step_types``: readers and step classes this package adds under new names
      (``{"parquet": ParquetReader()}``, ``{"upper_case": UpperCase}``); any domain may then
      name them in ``source.file_type`` or in a step spec.

    A hook whose field is None (``migrations``, ``sample``) is not implemented at all, exactly
    as in a module that does not define the function. Plugins compare by identity, as modules do.
    """

    definition: DomainDefinition
    columns: Sequence[Column]
    steps: Sequence[StepDeclaration] | StepsFactory = ()
    migrations: str | None = None
    sample: SampleGenerator | None = None
    company_id_overrides: Sequence[Path] = ()
    enrich: CompanyIdEnrichment | None = None
    readers: Mapping[str, Reader] = field(default_factory=dict)
    step_types: Mapping[str, type[TransformStep]] = field(default_factory=dict)

    if TYPE_CHECKING:
        # Attributes of the instance, set by __post_init__ only when declared.
        def workdatahub_migrations(self) -> MigrationSource: ...

        def workdatahub_sample_data(
            self, month: str, rows: int | None, seed: int
        ) -> pd.DataFrame: ...

    def __post_init__(self) -> None:
        # A hook without its declaration must not exist at all (the core and pluggy look hooks
        # up by attribute), as in a module that does not define the function.
        migrations, sample, name = self.migrations, self.sample, self.definition.name
        readers, step_types = dict(self.readers), dict(self.step_types)
        if readers:

            @hookimpl
            def workdatahub_readers() -> Mapping[str, Reader]:
                """Return the readers this package adds."""
                return readers

            object.__setattr__(self, "workdatahub_readers", workdatahub_readers)
        if step_types:

            @hookimpl
            def workdatahub_step_types() -> Mapping[str, type]:
                """Return the step classes this package adds."""
                return step_types

            object.__setattr__(self, "workdatahub_step_types", workdatahub_step_types)
        if migrations is not None:

            @hookimpl
            def workdatahub_migrations() -> MigrationSource:
                """Return the declared Alembic versions, labelled with the domain name."""
                return MigrationSource(branch_label=name, location=migrations)

            object.__setattr__(self, "workdatahub_migrations", workdatahub_migrations)
        if sample is not None:

            @hookimpl
            def workdatahub_sample_data(month: str, rows: int | None, seed: int) -> pd.DataFrame:
                """Return the declared generator's sample rows for ``month``."""
                return sample(month, rows, seed)

            object.__setattr__(self, "workdatahub_sample_data", workdatahub_sample_data)

    def __repr__(self) -> str:
        return f"DeclaredDomain({self.definition.name!r})"

    @hookimpl
    def workdatahub_domain(self) -> DomainDefinition:
        """Return the declared definition."""
        return self.definition

    @hookimpl
    def workdatahub_columns(self) -> Sequence[Column]:
        """Return the declared columns."""
        return self.columns

    def declared_steps(self, step_types: Mapping[str, type] | None = None) -> list[TransformStep]:
        """Build the declared step list with ``step_types`` (every installed plugin's; the
        core's when empty); [] when the steps come from a function of the run's services.

        Raises ``StepSpecError`` naming the spec's position and what is wrong with it.
        """
        # Imported when asked, so importing work_data_hub.plugins does not load the steps.
        from work_data_hub.domain.steps import build_steps

        if callable(self.steps):
            return []
        return build_steps(self.steps, step_types or None)

    @hookimpl
    def workdatahub_steps(self, services: DomainServices) -> list[TransformStep]:
        """Return the declared steps, then the enrichment step when the run has a service."""
        if callable(self.steps):
            steps = list(self.steps(services))
        else:
            steps = self.declared_steps(services.step_types)
        if self.enrich is not None and services.enrichment is not None:
            steps.append(self.enrich.step(services.enrichment))
        return steps

    @hookimpl
    def workdatahub_company_id_overrides(self) -> Sequence[Path]:
        """Return the declared company-id override files."""
        return self.company_id_overrides
