"""The author API: everything a domain package imports from the core (docs/plugin-api.md).

A domain is one ``Domain`` value; a rule of its own is a ``TransformStep`` rejecting rows with
``split_rejected``; shared hooks use ``hookimpl``. The registry, the plugin manager and the
contract checks live in this package's modules and are the core's."""

from __future__ import annotations

from work_data_hub.cleansing.nulls import NULL_MARKERS
from work_data_hub.domain.columns import Column
from work_data_hub.domain.definition import DomainDefinition, MigrationSource, SourceSpec, WriteMode
from work_data_hub.domain.pipelines.types import PipelineContext, TransformStep
from work_data_hub.domain.readers import Reader, SourceFileError
from work_data_hub.domain.services import DomainServices
from work_data_hub.domain.steps import DeriveColumn, RowFailure, require_columns, split_rejected
from work_data_hub.plugins.domain import CompanyIdEnrichment, Domain
from work_data_hub.plugins.hookspecs import SPEC_VERSION, hookimpl

__all__ = [
    "NULL_MARKERS",
    "SPEC_VERSION",
    "Column",
    "CompanyIdEnrichment",
    "DeriveColumn",
    "Domain",
    "DomainDefinition",
    "DomainServices",
    "MigrationSource",
    "PipelineContext",
    "Reader",
    "RowFailure",
    "SourceFileError",
    "SourceSpec",
    "TransformStep",
    "WriteMode",
    "hookimpl",
    "require_columns",
    "split_rejected",
]
