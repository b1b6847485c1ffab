"""The Dagster code location: a job, a schedule and a sensor for every installed domain plugin.

``defs`` is a lazy loader (``@dagster.definitions``): importing this module discovers nothing;
Dagster (``dagster dev``, the webserver, a run worker) calls ``defs()`` when it loads the code
location. A broken plugin leaves its job out with a warning and the others load; with
``WDH_STRICT_PLUGINS=1`` it is an error instead.
"""

from __future__ import annotations

from dagster import Definitions, JobDefinition, MetadataValue, ScheduleDefinition, SensorDefinition
from dagster import definitions as lazy_definitions

from work_data_hub.config import Settings
from work_data_hub.orchestration.jobs import build_domain_job
from work_data_hub.orchestration.ops import DOMAIN_TAG
from work_data_hub.orchestration.resources import (
    WarehouseResource,
    core_resources,
    default_settings,
)
from work_data_hub.orchestration.schedules import build_monthly_schedule
from work_data_hub.orchestration.sensors import build_inbox_sensor
from work_data_hub.plugins.errors import BrokenPlugin, PluginLoadError, summarize_exception
from work_data_hub.plugins.registry import DomainRegistry, RegisteredDomain, get_registry
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)


def _domain_definitions(
    domain: RegisteredDomain, settings: Settings
) -> tuple[JobDefinition, ScheduleDefinition, SensorDefinition]:
    job = build_domain_job(domain)
    schedule = build_monthly_schedule(job, domain.name)
    inbox_sensor = build_inbox_sensor(job, domain.name, domain.definition.source, settings)
    return job, schedule, inbox_sensor


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
) -> Definitions:
    """Return the definitions for every domain in ``registry`` (default: the installed plugins).

    Each domain gets ``<domain>_job``, ``<domain>_monthly_schedule`` and ``<domain>_inbox_sensor``;
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
    jobs, schedules, sensors = [], [], []
    for domain in registry.domains.values():
        try:
            job, schedule, inbox_sensor = _domain_definitions(domain, settings)
        except Exception as exc:
            broken = BrokenPlugin(
                domain.origin.distribution,
                domain.origin.version,
                domain.origin.entry_point,
                f"cannot build its Dagster job: {summarize_exception(exc)}",
            )
            _skip(broken, strict=strict)
            skipped.append(broken)
            continue
        jobs.append(job)
        schedules.append(schedule)
        sensors.append(inbox_sensor)
    return Definitions(
        jobs=jobs,
        schedules=schedules,
        sensors=sensors,
        resources=core_resources(registry, settings, warehouse),
        metadata={
            "domains": MetadataValue.json(sorted(job.tags[DOMAIN_TAG] for job in jobs)),
            "skipped_plugins": MetadataValue.json([broken.describe() for broken in skipped]),
        },
    )


@lazy_definitions
def defs() -> Definitions:
    """Load the installed plugins and build their definitions (called by Dagster's loaders)."""
    return build_definitions()
