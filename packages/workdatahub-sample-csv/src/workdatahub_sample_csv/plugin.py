"""The plugin: the hooks the core calls, answered from ``declarations`` and ``rules``."""

from __future__ import annotations

from collections.abc import Sequence

from work_data_hub.domain.columns import Column
from work_data_hub.domain.pipelines.types import TransformStep
from work_data_hub.domain.services import DomainServices
from work_data_hub.domain.steps import build_steps
from work_data_hub.plugins.definition import DomainDefinition, MigrationSource
from work_data_hub.plugins.hookspecs import hookimpl

from workdatahub_sample_csv import declarations, rules


@hookimpl
def workdatahub_domain() -> DomainDefinition:
    """The source file, target table, keys and write mode."""
    return declarations.DEFINITION


@hookimpl
def workdatahub_columns() -> Sequence[Column]:
    """The output columns of the table."""
    return declarations.COLUMNS


@hookimpl
def workdatahub_steps(services: DomainServices) -> Sequence[TransformStep]:
    """The generic steps, then the domain's rules; the core validates ``COLUMNS`` last."""
    return [*build_steps(declarations.STEPS), *rules.RULES]


@hookimpl
def workdatahub_migrations() -> MigrationSource:
    """The Alembic branch of this domain, shipped inside the package."""
    return MigrationSource(
        branch_label=declarations.DEFINITION.name, location=f"{__package__}:migrations/versions"
    )
