"""One job per installed domain, all built from the same graph: read → transform → load."""

from __future__ import annotations

from dagster import JobDefinition, RetryPolicy, RunConfig, graph

from work_data_hub.orchestration.ops import (
    DOMAIN_TAG,
    RETRY_POLICY,
    DomainRunConfig,
    load,
    read,
    transform,
)
from work_data_hub.plugins.registry import RegisteredDomain

JOB_SUFFIX = "_job"


@graph(description="Read a domain's monthly file, transform and validate it, load it, audited.")
def domain_run() -> None:
    """The generic run of one domain; the job's domain tag says which one."""
    prepared, raw = read()
    load(prepared, transform(prepared, raw))


def job_name(domain: str) -> str:
    """Return the Dagster job name of ``domain``: ``<domain>_job``."""
    return f"{domain}{JOB_SUFFIX}"


def run_config(options: DomainRunConfig) -> RunConfig:
    """Return the run config of a domain job for these options (they configure the read op)."""
    return RunConfig(ops={"read": options})


def build_domain_job(
    domain: RegisteredDomain, retry_policy: RetryPolicy = RETRY_POLICY
) -> JobDefinition:
    """Return ``<domain>_job``: the generic graph tagged with its domain, ops with retries."""
    definition = domain.definition
    source = definition.source
    description = definition.description or f"Load {definition.name} into {domain.qualified_table}"
    return domain_run.to_job(
        name=job_name(definition.name),
        description=description,
        tags={DOMAIN_TAG: definition.name},
        metadata={
            "distribution": f"{domain.origin.distribution} {domain.origin.version}".strip(),
            "target_table": domain.qualified_table,
            "write_mode": definition.write_mode,
            "source_patterns": ", ".join(source.patterns),
            "source_type": source.file_type,
            "sheet": source.sheet or "",
        },
        op_retry_policy=retry_policy,
    )
