"""The code location: per installed domain an asset, a job, a schedule and a sensor; broken
plugins left out; runs in process unless the multiprocess executor is asked for."""

from __future__ import annotations

import importlib

import pytest
from dagster import (
    AssetsDefinition,
    DagsterInvalidDefinitionError,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    GraphDefinition,
    in_process_executor,
    multiprocess_executor,
)
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)
from plugin_site import Site
from work_data_hub.config import Settings
from work_data_hub.orchestration import definitions as definitions_module
from work_data_hub.orchestration.assets import asset_key
from work_data_hub.orchestration.definitions import build_definitions, defs
from work_data_hub.orchestration.jobs import build_domain_job, job_name
from work_data_hub.orchestration.ops import DOMAIN_TAG, RETRY_POLICY
from work_data_hub.plugins.errors import PluginLoadError
from work_data_hub.plugins.registry import RegisteredDomain, load_domains, reset_registry

pytestmark = pytest.mark.unit

BROKEN_AT_IMPORT = "raise ImportError('the plugin needs a library that is not installed')\n"


def _job_names(definitions: Definitions) -> set[str]:
    """The jobs the code location declares (Dagster's implicit ``__ASSET_JOB`` left out)."""
    return {job.name for job in definitions.resolve_all_job_defs() if not job.name.startswith("__")}


def _listed(definitions: Definitions, key: str) -> list[str]:
    """The JSON list the code location's metadata holds under ``key``."""
    value = definitions.metadata[key].value
    assert isinstance(value, list)
    return [str(item) for item in value]


def _steps(definitions: Definitions, domain: RegisteredDomain) -> GraphDefinition:
    """The graph of read, transform and load that materialises the domain's asset."""
    graph = definitions.resolve_assets_def(asset_key(domain)).node_def
    assert isinstance(graph, GraphDefinition)
    return graph


def test_installed_plugins_give_loadable_definitions_with_one_job_per_domain() -> None:
    installed = load_domains({})
    loaded = defs()

    Definitions.validate_loadable(loaded)
    assert _job_names(loaded) == {job_name(name) for name in installed.domains}
    for name, domain in installed.domains.items():
        job = loaded.resolve_job_def(job_name(name))
        assert job.tags[DOMAIN_TAG] == name
        assert job.asset_layer.selected_asset_keys == {asset_key(domain)}
        assert {node.name for node in _steps(loaded, domain).nodes} == {"read", "transform", "load"}


def test_importing_the_module_loads_no_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(
        "work_data_hub.plugins.registry.load_domains", lambda *a, **k: calls.append("load")
    )
    reset_registry()
    try:
        importlib.reload(definitions_module)
        assert calls == []
        assert not isinstance(definitions_module.defs, Definitions)
    finally:
        reset_registry()


def test_a_domain_gets_a_job_a_stopped_schedule_and_a_stopped_sensor(
    site: Site, settings: Settings
) -> None:
    site.add_domain("fake-orders", "orders")
    site.add_domain("fake-refunds", "refunds")

    registry = site.load()
    built = build_definitions(registry, settings=settings)

    Definitions.validate_loadable(built)
    assert _job_names(built) == {"orders_job", "refunds_job"}
    job = built.resolve_job_def("orders_job")
    steps = _steps(built, registry.get("orders"))
    assert {node.retry_policy for node in steps.nodes} == {RETRY_POLICY}
    assert job.metadata["target_table"].value == "public.orders"
    assert job.executor_def == in_process_executor
    schedule = built.resolve_schedule_def("orders_monthly_schedule")
    assert schedule.job_name == "orders_job"
    assert schedule.default_status == DefaultScheduleStatus.STOPPED
    sensor = built.resolve_sensor_def("orders_inbox_sensor")
    assert sensor.job_name == "orders_job"
    assert sensor.default_status == DefaultSensorStatus.STOPPED


def test_a_plugin_broken_at_import_leaves_only_its_job_out(
    site: Site, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    site.add_domain("fake-orders", "orders")
    site.add("fake-broken", BROKEN_AT_IMPORT, entry_point="broken")

    built = build_definitions(site.load(), settings=settings)

    Definitions.validate_loadable(built)
    assert _job_names(built) == {"orders_job"}
    [skipped] = _listed(built, "skipped_plugins")
    assert "fake-broken" in skipped
    assert "needs a library that is not installed" in skipped
    assert "dagster_job_missing" in caplog.text


def test_strict_mode_refuses_a_broken_plugin(site: Site) -> None:
    site.add_domain("fake-orders", "orders")
    site.add("fake-broken", BROKEN_AT_IMPORT, entry_point="broken")

    with pytest.raises(PluginLoadError, match="fake-broken"):
        build_definitions(site.load({"WDH_STRICT_PLUGINS": "1"}))


def _refuse_refunds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make building the ``refunds`` job fail, as a domain Dagster cannot represent would."""

    def build_or_fail(
        domain: RegisteredDomain, asset: AssetsDefinition
    ) -> UnresolvedAssetJobDefinition:
        if domain.name == "refunds":
            raise DagsterInvalidDefinitionError("job name 'refunds-job' is not a valid name")
        return build_domain_job(domain, asset)

    monkeypatch.setattr(definitions_module, "build_domain_job", build_or_fail)


def test_a_domain_whose_job_cannot_be_built_is_left_out(
    site: Site, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.add_domain("fake-orders", "orders")
    site.add_domain("fake-refunds", "refunds")
    _refuse_refunds(monkeypatch)

    built = build_definitions(site.load(), settings=settings)

    assert _job_names(built) == {"orders_job"}
    assert _listed(built, "domains") == ["orders"]
    [skipped] = _listed(built, "skipped_plugins")
    assert "fake-refunds" in skipped
    assert "cannot build its Dagster job" in skipped


def test_strict_mode_refuses_a_domain_whose_job_cannot_be_built(
    site: Site, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.add_domain("fake-refunds", "refunds")
    _refuse_refunds(monkeypatch)

    with pytest.raises(PluginLoadError, match="fake-refunds"):
        build_definitions(site.load({"WDH_STRICT_PLUGINS": "1"}), settings=settings)


def test_the_multiprocess_executor_is_one_setting_away(site: Site, settings: Settings) -> None:
    site.add_domain("fake-orders", "orders")
    multiprocess = settings.model_copy(update={"WDH_DAGSTER_EXECUTOR": "multiprocess"})

    built = build_definitions(site.load(), settings=multiprocess)

    assert built.resolve_job_def("orders_job").executor_def == multiprocess_executor
