"""One asset job per installed domain, ``<domain>_job``: materialises the domain's table asset."""

from __future__ import annotations

from typing import Any

from dagster import AssetsDefinition, AssetSelection, define_asset_job
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from work_data_hub.orchestration.assets import node_name
from work_data_hub.orchestration.ops import DOMAIN_TAG, DomainRunConfig
from work_data_hub.plugins.registry import RegisteredDomain

JOB_SUFFIX = "_job"
READ_OP = "read"


def job_name(domain: str) -> str:
    """Return the Dagster job name of ``domain``: ``<domain>_job``."""
    return f"{domain}{JOB_SUFFIX}"


def run_config(domain: RegisteredDomain, options: DomainRunConfig) -> dict[str, Any]:
    """Return the run config of a domain's asset for these options (they configure ``read``)."""
    config = options.model_dump(exclude_defaults=True)
    return {"ops": {node_name(domain): {"ops": {READ_OP: {"config": config}}}}}


def build_domain_job(
    domain: RegisteredDomain, asset: AssetsDefinition
) -> UnresolvedAssetJobDefinition:
    """Return ``<domain>_job``: the domain's table asset and its checks, tagged with its domain."""
    definition = domain.definition
    source = definition.source
    description = definition.description or f"Load {definition.name} into {domain.qualified_table}"
    return define_asset_job(
        name=job_name(definition.name),
        selection=AssetSelection.assets(asset),
        description=description,
        tags={DOMAIN_TAG: definition.name},
        metadata={
            "distribution": f"{domain.origin.distribution} {domain.origin.version}".strip(),
            "target_table": domain.qualified_table,
            "write_mode": definition.write_mode,
            "source_patterns": ", ".join(source.patterns),
            "source_type": source.file_type,
            "sheet": source.sheet or ", ".join(source.sheets),
            "all_files": source.all_files,
        },
    )
