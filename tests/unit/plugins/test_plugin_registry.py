"""The registry with plugins registered directly: ``Domain`` values, shared hooks, checks."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import work_data_hub.plugins as plugins_api
from work_data_hub.domain.pipelines.types import PipelineContext, TransformStep
from work_data_hub.domain.services import DomainServices
from work_data_hub.plugins import (
    Column,
    Domain,
    DomainDefinition,
    MigrationSource,
    SourceSpec,
    hookimpl,
)
from work_data_hub.plugins.errors import (
    PluginContractError,
    PluginLoadError,
    PluginOrigin,
    UnknownDomainError,
)
from work_data_hub.plugins.policy import PluginPolicy
from work_data_hub.plugins.registry import DomainRegistry, RegisteredDomain

pytestmark = pytest.mark.unit


class NamedStep:
    """A transform step that records which domain built it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        return data.copy()


class FakeReader:
    def __init__(self, label: str) -> None:
        self.label = label

    def read(self, path: Path, source: SourceSpec) -> pd.DataFrame:
        return pd.DataFrame({"label": [self.label]})


def fake_domain(name: str, *, table: str | None = None, **fields: Any) -> Domain:
    """A domain whose every field is configurable; by default one step named after it."""
    fields.setdefault(
        "definition",
        DomainDefinition(name=name, table=table or name, source=SourceSpec(patterns=("*.csv",))),
    )
    fields.setdefault("columns", [Column("id", kind="integer"), Column("label")])
    fields.setdefault("steps", [NamedStep(f"{name}_step")])
    return Domain(**fields)


class StepTypes:
    def __init__(self, step_types: Mapping[str, Any]) -> None:
        self.step_types = step_types

    @hookimpl
    def workdatahub_step_types(self) -> Mapping[str, Any]:
        return self.step_types


class Lookup:
    def __init__(self, answer: object) -> None:
        self.answer = answer

    @hookimpl
    def workdatahub_company_lookup(self) -> object:
        return self.answer


def test_the_author_api_is_small_and_holds_what_a_domain_author_imports() -> None:
    for name in plugins_api.__all__:
        assert getattr(plugins_api, name) is not None
    assert len(plugins_api.__all__) <= 20
    assert {"Domain", "DomainDefinition", "TransformStep", "split_rejected"} <= set(
        plugins_api.__all__
    )
    assert not {"get_registry", "load_domains", "DomainRegistry"} & set(plugins_api.__all__)
    with pytest.raises(AttributeError, match="no attribute 'get_registry'"):
        plugins_api.get_registry  # noqa: B018


def test_each_domain_answers_with_its_own_fields() -> None:
    registry = DomainRegistry()
    registry.register(fake_domain("alpha"), distribution="wdh-alpha")
    registry.register(
        fake_domain("beta", columns=[Column("code"), Column("amount", kind="decimal")]),
        distribution="wdh-beta",
    )

    alpha, beta = registry.get("alpha"), registry.get("beta")

    assert [step.name for step in alpha.steps(DomainServices())] == ["alpha_step"]
    assert [step.name for step in beta.steps(DomainServices())] == ["beta_step"]
    assert [column.name for column in beta.columns] == ["code", "amount"]
    assert list(registry.domains) == ["alpha", "beta"]


def test_steps_receive_the_injected_services() -> None:
    services = DomainServices(options={"month": "202411"})
    seen: list[DomainServices] = []

    def build(given: DomainServices) -> list[TransformStep]:
        seen.append(given)
        return []

    registry = DomainRegistry()
    domain = registry.register(fake_domain("alpha", steps=build), distribution="wdh-alpha")

    assert domain is not None
    assert domain.steps(services) == []
    assert seen == [services]


def test_a_domain_without_steps_has_no_steps() -> None:
    bare = Domain(
        definition=DomainDefinition(name="bare", table="bare", source=SourceSpec(patterns=("*",))),
        columns=[Column("id")],
    )
    domain = DomainRegistry().register(bare, distribution="wdh-bare")

    assert domain is not None
    assert domain.steps(DomainServices()) == []


def test_steps_that_are_not_steps_are_refused_naming_the_domain() -> None:
    registry = DomainRegistry()
    domain = registry.register(
        fake_domain("alpha", steps=lambda services: ["rename"]), distribution="wdh-alpha"
    )

    assert domain is not None
    with pytest.raises(PluginContractError, match=r"domain 'alpha': step 0 \(str\) lacks"):
        domain.steps(DomainServices())


def test_an_exception_in_the_steps_function_propagates_with_a_note_naming_the_plugin() -> None:
    def explode(services: DomainServices) -> list[TransformStep]:
        raise ConnectionError("enrichment cache unreachable")

    domain = DomainRegistry().register(
        fake_domain("alpha", steps=explode), distribution="wdh-alpha", version="1.2"
    )

    assert domain is not None
    with pytest.raises(ConnectionError) as raised:
        domain.steps(DomainServices())
    assert raised.value.__notes__ == ["raised by steps of domain 'alpha' (wdh-alpha 1.2)"]


def test_a_registered_domain_built_by_hand_reads_its_domain() -> None:
    domain = RegisteredDomain(fake_domain("alpha"), PluginOrigin("wdh-alpha", "1.0", "alpha"))

    assert domain.migrations is None
    assert [step.name for step in domain.steps(DomainServices())] == ["alpha_step"]


def test_a_reader_under_a_name_already_provided_refuses_the_plugin_never_replaces() -> None:
    registry = DomainRegistry()
    first_csv, excel, second_csv = FakeReader("first"), FakeReader("excel"), FakeReader("second")
    registry.register(
        fake_domain("alpha", readers={"csv": first_csv, "excel": excel}), distribution="wdh-a"
    )

    assert (
        registry.register(fake_domain("beta", readers={"csv": second_csv}), distribution="wdh-b")
        is None
    )

    assert registry.readers() == {"csv": first_csv, "excel": excel}
    assert sorted(registry.domains) == ["alpha"]
    [broken] = registry.broken
    assert broken.distribution == "wdh-b"
    assert broken.error == (
        "reader 'csv' is already provided by distribution 'wdh-a'; "
        "distribution 'wdh-b' claims it too"
    )


def test_a_step_type_under_a_name_already_provided_refuses_the_plugin() -> None:
    registry = DomainRegistry()
    registry.register(StepTypes({"rename": NamedStep}), distribution="workdatahub-core")

    registry.register(StepTypes({"rename": NamedStep}), distribution="wdh-other")

    assert registry.broken[0].distribution == "wdh-other"
    assert "step type 'rename' is already provided by distribution 'workdatahub-core'" in (
        registry.broken[0].error
    )


def test_step_types_come_from_shared_hooks_and_domains() -> None:
    registry = DomainRegistry()

    assert registry.register(StepTypes({"rename": NamedStep}), distribution="wdh-core") is None
    registry.register(fake_domain("alpha", step_types={"keep": NamedStep}), distribution="wdh-a")

    assert registry.step_types() == {"rename": NamedStep, "keep": NamedStep}
    assert registry.broken == []


def test_the_first_company_lookup_offered_wins() -> None:
    service = object()
    registry = DomainRegistry()
    registry.register(Lookup(None), distribution="wdh-none")
    registry.register(Lookup(service), distribution="wdh-service")

    assert registry.company_lookup() is service
    assert DomainRegistry().company_lookup() is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"readers": {"csv": object()}},
            "readers: 'csv' maps to a object, expected a reader (a read(path, source) method)",
        ),
        ({"readers": ["csv"]}, "readers must be a mapping, got list"),
        ({"readers": {"": FakeReader("x")}}, "key '' is not a non-empty string"),
        ({"columns": []}, "columns must be a sequence of Column"),
        ({"columns": ["id"]}, "columns holds a str, expected Column"),
        ({"columns": [Column("id"), Column("id")]}, "column 'id' declared twice"),
        ({"columns": [Column("wdh_source_row")]}, "column 'wdh_source_row' is reserved"),
        ({"columns": [Column('a"b')]}, "column 'a\"b' must not contain quotes"),
        ({"definition": "alpha"}, "definition must be a DomainDefinition, got str"),
        ({"step_types": {"keep": "Keep"}}, "step_types: 'keep' maps to a str, expected a class"),
    ],
)
def test_nonsense_fields_make_the_plugin_broken(fields: dict[str, Any], message: str) -> None:
    registry = DomainRegistry()

    assert registry.register(fake_domain("alpha", **fields), distribution="wdh-alpha") is None

    [broken] = registry.broken
    assert message in broken.error
    assert registry.domains == {}
    assert registry.readers() == {}


def test_a_step_type_that_is_not_a_class_is_refused() -> None:
    registry = DomainRegistry()

    registry.register(StepTypes({"rename": "Rename"}), distribution="wdh-steps")
    assert registry.broken[0].error == "step_types: 'rename' maps to a str, expected a class"


@pytest.mark.parametrize("plugin", [{"name": "alpha"}, "alpha", ["alpha"]])
def test_a_plugin_that_is_neither_a_domain_nor_shared_hooks_is_broken(plugin: object) -> None:
    registry = DomainRegistry()

    registry.register(plugin, distribution="wdh-alpha", entry_point="alpha")

    assert registry.broken[0].error == (
        f"entry point 'alpha' names a {type(plugin).__name__}, expected a "
        "work_data_hub.plugins.Domain or a module of shared hooks"
    )


def test_migrations_with_an_existing_package_folder_are_kept() -> None:
    domain = DomainRegistry().register(
        fake_domain("alpha", migrations="work_data_hub:plugins"), distribution="wdh-alpha"
    )

    assert domain is not None
    assert domain.migrations == MigrationSource("alpha", "work_data_hub:plugins")


def test_migrations_with_an_absolute_folder_are_kept(tmp_path: Path) -> None:
    domain = DomainRegistry().register(
        fake_domain("alpha", migrations=str(tmp_path)), distribution="wdh-alpha"
    )

    assert domain is not None
    assert domain.migrations == MigrationSource(branch_label="alpha", location=str(tmp_path))


@pytest.mark.parametrize(
    ("migrations", "message"),
    [
        (
            "work_data_hub:no_such_folder",
            "migration location 'work_data_hub:no_such_folder' is not an existing folder",
        ),
        (
            "no_such_package:versions",
            "domain 'alpha': migration location 'no_such_package:versions' cannot be resolved: "
            "ModuleNotFoundError: No module named 'no_such_package'",
        ),
        (
            "json.decoder:versions",
            "cannot be resolved: TypeError: 'json.decoder' is not a package",
        ),
        (
            "relative/versions",
            "is not an existing folder (use an absolute path or 'package:folder')",
        ),
        (Path("/tmp"), "migration location PosixPath('/tmp') is not an existing folder"),
    ],
)
def test_bad_migrations_make_the_plugin_broken(migrations: object, message: str) -> None:
    registry = DomainRegistry()

    registry.register(fake_domain("alpha", migrations=migrations), distribution="wdh-alpha")

    assert message in registry.broken[0].error


def test_registering_the_same_shared_hooks_twice_is_reported() -> None:
    registry = DomainRegistry()
    plugin = Lookup(None)
    registry.register(plugin, distribution="wdh-alpha", entry_point="alpha")

    assert registry.register(plugin, distribution="wdh-other", entry_point="again") is None
    assert registry.broken[0].error == "cannot register: the plugin is already registered"


def test_get_an_unknown_domain_lists_the_known_ones() -> None:
    registry = DomainRegistry()
    registry.register(fake_domain("alpha"), distribution="wdh-alpha")
    registry.register(fake_domain("beta"), distribution="wdh-beta")

    with pytest.raises(
        UnknownDomainError, match=r"unknown domain 'gamma'; known domains: alpha, beta"
    ):
        registry.get("gamma")


def test_get_a_broken_domain_says_why_it_is_missing() -> None:
    registry = DomainRegistry()
    registry.register(
        fake_domain("gamma", columns=[]), distribution="wdh-gamma", entry_point="gamma"
    )

    with pytest.raises(UnknownDomainError) as raised:
        registry.get("gamma")

    assert str(raised.value) == (
        "unknown domain 'gamma'; known domains: none installed; plugin wdh-gamma "
        "(entry point 'gamma'): domain 'gamma': columns must be a sequence of Column"
    )


def test_strict_registry_raises_instead_of_recording() -> None:
    registry = DomainRegistry(PluginPolicy(strict=True))

    with pytest.raises(PluginLoadError, match="wdh-alpha"):
        registry.register(fake_domain("alpha", columns=[]), distribution="wdh-alpha")
    assert registry.broken == []


class ExplodingMapping(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Any:
        raise RuntimeError("lazy reader registry failed")

    def __len__(self) -> int:
        return 1


def test_an_unexpected_failure_while_checking_answers_is_recorded_and_unregistered() -> None:
    class LazyReaders:
        @hookimpl
        def workdatahub_readers(self) -> Mapping[str, Any]:
            return ExplodingMapping()

    registry = DomainRegistry()
    plugin = LazyReaders()

    assert registry.register(plugin, distribution="wdh-alpha") is None

    assert registry.broken[0].error.startswith("RuntimeError: lazy reader registry failed (at ")
    assert not registry.hook_manager.is_registered(plugin)


def test_sample_asks_one_domain_its_own_generator() -> None:
    def sample_of(name: str) -> Any:
        return lambda month, rows, seed: pd.DataFrame({"domain": [name] * rows, "month": month})

    registry = DomainRegistry()
    registry.register(fake_domain("alpha", sample=sample_of("alpha")), distribution="wdh-alpha")
    registry.register(fake_domain("beta", sample=sample_of("beta")), distribution="wdh-beta")
    registry.register(fake_domain("gamma"), distribution="wdh-gamma")

    sample = registry.get("beta").sample("202411", 2, 1)

    assert sample is not None
    assert sample.to_dict("list") == {"domain": ["beta", "beta"], "month": ["202411"] * 2}
    declared = registry.get("gamma").sample("202411", 1, 1)
    assert declared is not None
    assert list(declared.columns) == [column.name for column in registry.get("gamma").columns]


def test_an_exception_in_the_sample_generator_carries_a_note_naming_the_domain() -> None:
    def broken(month: str, rows: int | None, seed: int) -> pd.DataFrame:
        raise ValueError("no such month")

    domain = DomainRegistry().register(
        fake_domain("alpha", sample=broken), distribution="wdh-alpha", version="2.0"
    )

    assert domain is not None
    with pytest.raises(ValueError, match="no such month") as raised:
        domain.sample("202411", 1, 1)
    assert raised.value.__notes__ == ["raised by sample of domain 'alpha' (wdh-alpha 2.0)"]
