"""The annuity_income plugin: hook implementations answering from the declarations."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from work_data_hub.domain.columns import Column
from work_data_hub.domain.enrichment import EnrichCompanyId
from work_data_hub.domain.pipelines.types import TransformStep
from work_data_hub.domain.services import DomainServices
from work_data_hub.domain.steps import build_steps
from work_data_hub.plugins.definition import DomainDefinition, MigrationSource
from work_data_hub.plugins.hookspecs import hookimpl

from workdatahub_annuity_income import declarations as d
from workdatahub_annuity_income.sample import generate


@hookimpl
def workdatahub_domain() -> DomainDefinition:
    """Sheet 收入明细 of the monthly workbook into ``annuity_income``, delete-then-insert."""
    return d.DEFINITION


@hookimpl
def workdatahub_columns() -> Sequence[Column]:
    """The output columns of ``annuity_income``."""
    return d.COLUMNS


@hookimpl
def workdatahub_steps(services: DomainServices) -> Sequence[TransformStep]:
    """The declared rules as generic steps, then company-id enrichment."""
    steps = build_steps(d.STEPS)
    if services.enrichment is not None:
        steps.append(EnrichCompanyId("客户名称", services.enrichment, plan_code_column="计划代码"))
    return steps


@hookimpl
def workdatahub_migrations() -> MigrationSource:
    """The Alembic branch ``annuity_income`` shipped inside this package."""
    return MigrationSource(
        branch_label=d.DEFINITION.name, location=f"{__package__}:migrations/versions"
    )


@hookimpl
def workdatahub_sample_data(month: str, rows: int | None, seed: int) -> pd.DataFrame:
    """A synthetic 收入明细 sheet with the quirks of the real files (see ``sample``)."""
    return generate(int(month), rows, seed)
