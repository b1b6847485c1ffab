"""The Dagster code location: per installed domain plugin, its table asset with checks, a job,
a schedule and a sensor; runs execute in process unless ``WDH_DAGSTER_EXECUTOR=multiprocess``.

``defs`` is a lazy loader (``@dagster.definitions``): importing this module discovers nothing;
Dagster (``dagster dev``, the webserver, a run worker) calls ``defs()`` when it loads the code
location. A broken plugin leaves its job out with a warning and the others load; with
``WDH_STRICT_PLUGINS=1`` it is an error instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster import (
    AssetChecksDefinition,
    AssetsDefinition,
    Definitions,
    ExecutorDefinition,
    MetadataValue,
    RetryPolicy,
    ScheduleDefinition,
    SensorDefinition,
    in_process_executor,
    multiprocess_executor,
)
from dagster import definitions as lazy_definitions
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from work_data_hub.config import Settings
from work_data_hub.orchestration.assets import asset_key, build_domain_asset
from work_data_hub.orchestration.checks import build_domain_checks
from work_data_hub.orchestration.jobs import build_domain_job
from work_data_hub.orchestration.ops import RETRY_POLICY
from work_data_hub.orchestration.resources import (
    WarehouseResource,
    core_resources,
    default_settings,
)
from work_data_hub.orchestration.scale_out import celery_config
from work_data_hub.orchestration.schedules import build_monthly_schedule
from work_data_hub.orchestration.sensors import build_inbox_sensor
from work_data_hub.plugins.errors import BrokenPlugin, PluginLoadError, summarize_exception
from work_data_hub.plugins.registry import DomainRegistry, RegisteredDomain, get_registry
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class DomainDefinitions:
    """What one domain adds to the code location."""

    domain: str
    asset: AssetsDefinition
    checks: list[AssetChecksDefinition]
    job: UnresolvedAssetJobDefinition
    schedule: ScheduleDefinition
    sensor: SensorDefinition


def _domain_definitions(
    domain: RegisteredDomain, settings: Settings, retry_policy: RetryPolicy
) -> DomainDefinitions:
    asset = build_domain_asset(domain, retry_policy)
    assert asset.partitions_def is not None
    checks = build_domain_checks(domain, asset_key(domain), asset.partitions_def)
    job = build_domain_job(domain, asset)
    return DomainDefinitions(
        domain=domain.name,
        asset=asset,
        checks=checks,
        job=job,
        schedule=build_monthly_schedule(job, domain.name),
        sensor=build_inbox_sensor(job, domain, settings),
    )


EXECUTORS = {"in_process": in_process_executor, "multiprocess": multiprocess_executor}
"""``WDH_DAGSTER_EXECUTOR`` values: in process (one process per run, fast), one per step, or
``celery`` (steps on Celery workers, see ``scale_out``)."""


def executor_for(settings: Settings) -> ExecutorDefinition:
    """Return the executor every job uses: ``WDH_DAGSTER_EXECUTOR`` (default in process).

    ``celery`` needs the optional ``celery`` extra (``dagster-celery``), imported only then.
    """
    if settings.WDH_DAGSTER_EXECUTOR == "celery":
        from dagster_celery import celery_executor

        configured: ExecutorDefinition = celery_executor.configured(celery_config(settings))
        return configured
    return EXECUTORS[settings.WDH_DAGSTER_EXECUTOR]


def _skip(broken: BrokenPlugin, *, strict: bool) -> None:
    if strict:
        raise PluginLoadError(f"no Dagster job: {broken.describe()}", broken)
    logger.warning(
        "dagster_job_missing",
        distribution=broken.distribution,
        version=broken.version,
        entry_point=broken.entry_point,
        error=broken.error,
    )


def build_definitions(
    registry: DomainRegistry | None = None,
    *,
    settings: Settings | None = None,
    warehouse: WarehouseResource | None = None,
    retry_policy: RetryPolicy = RETRY_POLICY,
) -> Definitions:
    """Return the definitions for every domain in ``registry`` (default: the installed plugins).

    Each domain gets the asset ``warehouse/<table>`` (monthly partitions) with its asset checks,
    ``<domain>_job`` (an asset job), ``<domain>_monthly_schedule`` and ``<domain>_inbox_sensor``;
    the core's resources (warehouse, settings, registry) serve them all. A plugin the registry
    marked broken, or a domain whose job cannot be built, is left out with a warning; in strict
    mode (the registry's policy: ``WDH_STRICT_PLUGINS=1``) it raises ``PluginLoadError``.
    """
    settings = settings or default_settings()
    registry = registry or get_registry()
    strict = registry.policy.strict
    skipped = list(registry.broken)
    for broken in skipped:
        _skip(broken, strict=strict)
    built: list[DomainDefinitions] = []
    for domain in registry.domains.values():
        try:
            built.append(_domain_definitions(domain, settings, retry_policy))
        except Exception as exc:
            broken = BrokenPlugin(
                domain.origin.distribution,
                domain.origin.version,
                domain.origin.entry_point,
                f"cannot build its Dagster job: {summarize_exception(exc)}",
            )
            _skip(broken, strict=strict)
            skipped.append(broken)
    return Definitions(
        assets=[item.asset for item in built],
        asset_checks=[check for item in built for check in item.checks],
        jobs=[item.job for item in built],
        schedules=[item.schedule for item in built],
        sensors=[item.sensor for item in built],
        resources=core_resources(registry, settings, warehouse),
        executor=executor_for(settings),
        metadata={
            "domains": MetadataValue.json(sorted(item.domain for item in built)),
            "skipped_plugins": MetadataValue.json([broken.describe() for broken in skipped]),
        },
    )


@lazy_definitions
def defs() -> Definitions:
    """Load the installed plugins and build their definitions (called by Dagster's loaders)."""
    return build_definitions()
