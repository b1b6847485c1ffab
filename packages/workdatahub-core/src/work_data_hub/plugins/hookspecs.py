# mypy: disable-error-code="empty-body"
"""Every hook a WorkDataHub plugin can implement, one docstring each.

A domain plugin is a module, or an object such as a ``DeclaredDomain``, named by an entry point
in the ``workdatahub.domains`` group. Per-domain hooks (``workdatahub_domain``,
``workdatahub_columns``, ``workdatahub_steps``, ``workdatahub_migrations``,
``workdatahub_sample_data``, ``workdatahub_company_id_overrides``) are asked of that plugin
alone and apply to its domain alone; shared hooks (``workdatahub_readers``,
``workdatahub_step_types``, ``workdatahub_company_lookup``) are asked of every plugin, the
core's internal plugins included. A reader or step type is added under a new name: a name
another plugin already provides (the core's ``excel`` and ``csv`` included) refuses the plugin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import pandas as pd

    from work_data_hub.domain.columns import Column
    from work_data_hub.domain.pipelines.types import TransformStep
    from work_data_hub.domain.services import CompanyLookup, DomainServices
    from work_data_hub.plugins.definition import DomainDefinition, MigrationSource
    from work_data_hub.plugins.readers import Reader

PROJECT_NAME = "workdatahub"
SPEC_VERSION = 1
"""Version of this hook contract; a ``DomainDefinition.spec_version`` above it is refused."""

OLDEST_SPEC_VERSION = 1
"""Oldest contract version the core still accepts; a ``spec_version`` below it is refused."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def workdatahub_domain() -> DomainDefinition:
    """Declare the domain: name, source file patterns and sheet, target table, keys, write mode."""


@hookspec
def workdatahub_columns() -> Sequence[Column]:
    """Declare the domain's output columns once; row model, DataFrame schema and table derive."""


@hookspec
def workdatahub_steps(services: DomainServices) -> Sequence[TransformStep]:
    """Return the domain's ordered transform steps, built with the injected I/O services."""


@hookspec
def workdatahub_migrations() -> MigrationSource:
    """Return the location and branch label of the domain's Alembic versions."""


@hookspec
def workdatahub_sample_data(month: str, rows: int | None, seed: int) -> pd.DataFrame:
    """Return ``rows`` sample rows of the domain's sheet for ``month``; same seed, same rows.

    ``rows=None`` asks for a typical month of the domain, whose size the domain declares.
    """


@hookspec
def workdatahub_readers() -> Mapping[str, Reader]:
    """Return readers by new source-type names (``"parquet"``, …) that any domain may name in
    ``source.file_type``; a name already provided (``"excel"``, ``"csv"``) refuses the plugin."""


@hookspec
def workdatahub_step_types() -> Mapping[str, type]:
    """Return step classes by new names, for step lists declared as data by any domain; a name
    already provided refuses the plugin."""


@hookspec(firstresult=True)
def workdatahub_company_lookup() -> CompanyLookup | None:
    """Return an external company-id lookup service, or None; the first non-None answer is used."""


@hookspec
def workdatahub_company_id_overrides() -> Sequence[Path]:
    """Return this domain's CSV files of company-id overrides (by plan code, then name); later
    files win. They apply to this domain's runs only."""
