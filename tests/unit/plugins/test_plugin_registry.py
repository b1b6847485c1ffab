"""The registry with plugin objects registered directly: per-domain and shared hooks, checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import work_data_hub.plugins as plugins_api
from work_data_hub.domain.pipelines.types import PipelineContext, TransformStep
from work_data_hub.domain.services import DomainServices
from work_data_hub.plugins import Column, DomainDefinition, MigrationSource, SourceSpec, hookimpl
from work_data_hub.plugins.errors import PluginContractError, PluginLoadError, UnknownDomainError
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


class FakeDomain:
    """A domain plugin object; every answer is configurable."""

    def __init__(self, name: str, *, table: str | None = None, **answers: Any) -> None:
        self.definition = answers.pop(
            "definition",
            DomainDefinition(
                name=name, table=table or name, source=SourceSpec(patterns=("*.csv",))
            ),
        )
        self.columns = answers.pop("columns", [Column("id", kind="integer"), Column("label")])
        self.answers = answers

    @hookimpl
    def workdatahub_domain(self) -> DomainDefinition:
        return self.definition  # type: ignore[no-any-return]

    @hookimpl
    def workdatahub_columns(self) -> Sequence[Column]:
        return self.columns  # type: ignore[no-any-return]

    @hookimpl
    def workdatahub_steps(self, services: DomainServices) -> Sequence[TransformStep]:
        steps = self.answers.get("steps", [NamedStep(f"{self.definition.name}_step")])
        if callable(steps):
            return steps(services)  # type: ignore[no-any-return]
        return steps  # type: ignore[no-any-return]

    @hookimpl
    def workdatahub_readers(self) -> Mapping[str, Any]:
        return self.answers.get("readers", {})  # type: ignore[no-any-return]


class MigratingDomain(FakeDomain):
    @hookimpl
    def workdatahub_migrations(self) -> MigrationSource:
        return self.answers["migrations"]  # type: ignore[no-any-return]


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
    assert {"DeclaredDomain", "DomainDefinition", "TransformStep", "split_rejected"} <= set(
        plugins_api.__all__
    )
    assert not {"get_registry", "load_domains", "DomainRegistry"} & set(plugins_api.__all__)
    with pytest.raises(AttributeError, match="no attribute 'get_registry'"):
        plugins_api.get_registry  # noqa: B018


def test_per_domain_hooks_are_asked_of_their_own_plugin_only() -> None:
    registry = DomainRegistry()
    registry.register(FakeDomain("alpha"), distribution="wdh-alpha")
    registry.register(
        FakeDomain("beta", columns=[Column("code"), Column("amount", kind="decimal")]),
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
    domain = registry.register(FakeDomain("alpha", steps=build), distribution="wdh-alpha")

    assert domain is not None
    assert domain.steps(services) == []
    assert seen == [services]


def test_a_domain_without_the_steps_hook_has_no_steps() -> None:
    class NoSteps:
        @hookimpl
        def workdatahub_domain(self) -> DomainDefinition:
            return DomainDefinition(name="bare", table="bare", source=SourceSpec(patterns=("*",)))

        @hookimpl
        def workdatahub_columns(self) -> list[Column]:
            return [Column("id")]

    domain = DomainRegistry().register(NoSteps(), distribution="wdh-bare")

    assert domain is not None
    assert domain.steps(DomainServices()) == []


def test_steps_that_are_not_steps_are_refused_naming_the_domain() -> None:
    registry = DomainRegistry()
    domain = registry.register(FakeDomain("alpha", steps=["rename"]), distribution="wdh-alpha")

    assert domain is not None
    with pytest.raises(PluginContractError, match=r"domain 'alpha': step 0 \(str\) lacks"):
        domain.steps(DomainServices())


def test_an_exception_in_the_steps_hook_propagates_with_a_note_naming_the_plugin() -> None:
    def explode(services: DomainServices) -> list[TransformStep]:
        raise ConnectionError("enrichment cache unreachable")

    domain = DomainRegistry().register(
        FakeDomain("alpha", steps=explode), distribution="wdh-alpha", version="1.2"
    )

    assert domain is not None
    with pytest.raises(ConnectionError) as raised:
        domain.steps(DomainServices())
    assert raised.value.__notes__ == [
        "raised by workdatahub_steps of domain 'alpha' (wdh-alpha 1.2)"
    ]


def test_a_registered_domain_built_by_hand_still_asks_its_own_plugin() -> None:
    plugin = FakeDomain("alpha")
    domain = RegisteredDomain(
        definition=plugin.definition,
        columns=tuple(plugin.columns),
        migrations=None,
        distribution="wdh-alpha",
        version="1.0",
        entry_point="alpha",
        plugin=plugin,
    )

    assert [step.name for step in domain.steps(DomainServices())] == ["alpha_step"]


def test_a_reader_under_a_name_already_provided_refuses_the_plugin_never_replaces() -> None:
    registry = DomainRegistry()
    first_csv, excel, second_csv = FakeReader("first"), FakeReader("excel"), FakeReader("second")
    registry.register(
        FakeDomain("alpha", readers={"csv": first_csv, "excel": excel}), distribution="wdh-a"
    )

    assert (
        registry.register(FakeDomain("beta", readers={"csv": second_csv}), distribution="wdh-b")
        is None
    )

    assert registry.readers() == {"csv": first_csv, "excel": excel}
    assert sorted(registry.domains) == ["alpha"]
    [broken] = registry.broken
    assert broken.distribution == "wdh-b"
    assert broken.error == (
        "reader 'csv' is already provided by distribution 'wdh-a'; "
        "distribution 'wdh-b' must add it under a new name"
    )


def test_a_step_type_under_a_name_already_provided_refuses_the_plugin() -> None:
    registry = DomainRegistry()
    assert registry.register_internal(StepTypes({"rename": NamedStep}), name="core.steps")

    assert not registry.register_internal(StepTypes({"rename": NamedStep}), name="other.steps")

    assert "step type 'rename' is already provided by distribution 'workdatahub-core'" in (
        registry.broken[0].error
    )


def test_step_types_come_from_internal_plugins_and_domains() -> None:
    registry = DomainRegistry()

    assert registry.register_internal(StepTypes({"rename": NamedStep}), name="core.steps")
    assert registry.step_types() == {"rename": NamedStep}


def test_the_first_company_lookup_offered_wins() -> None:
    service = object()
    registry = DomainRegistry()
    registry.register_internal(Lookup(None), name="none")
    registry.register_internal(Lookup(service), name="service")

    assert registry.company_lookup() is service
    assert DomainRegistry().company_lookup() is None


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"readers": {"csv": object()}}, "reader for 'csv' has no read(path, source) method"),
        ({"readers": ["csv"]}, "workdatahub_readers must return a mapping, got list"),
        ({"readers": {"": FakeReader("x")}}, "key '' is not a non-empty string"),
        ({"columns": []}, "workdatahub_columns must return Columns"),
        ({"columns": ["id"]}, "returned a str, expected Column"),
        ({"columns": [Column("id"), Column("id")]}, "column 'id' declared twice"),
        ({"columns": [Column("wdh_source_row")]}, "column 'wdh_source_row' is reserved"),
        ({"columns": [Column('a"b')]}, "column 'a\"b' must not contain quotes"),
        ({"definition": "alpha"}, "workdatahub_domain must return a DomainDefinition, got str"),
    ],
)
def test_nonsense_answers_make_the_plugin_broken(answers: dict[str, Any], message: str) -> None:
    registry = DomainRegistry()

    assert registry.register(FakeDomain("alpha", **answers), distribution="wdh-alpha") is None

    [broken] = registry.broken
    assert message in broken.error
    assert registry.domains == {}
    assert registry.readers() == {}


def test_a_step_type_that_is_not_a_class_is_refused() -> None:
    registry = DomainRegistry()

    assert not registry.register_internal(StepTypes({"rename": "Rename"}), name="core.steps")
    assert registry.broken[0].error == (
        "workdatahub_step_types: 'rename' maps to a str, expected a class"
    )


def test_an_internal_plugin_must_not_declare_a_domain() -> None:
    registry = DomainRegistry()

    assert not registry.register_internal(FakeDomain("alpha"), name="core.oops")
    assert registry.broken[0].error == (
        "internal plugins implement shared hooks only, found workdatahub_domain, "
        "workdatahub_columns, workdatahub_steps"
    )
    assert registry.broken[0].distribution == "workdatahub-core"


def test_migrations_with_an_existing_package_folder_are_kept() -> None:
    location = MigrationSource(branch_label="alpha", location="work_data_hub:plugins")
    domain = DomainRegistry().register(
        MigratingDomain("alpha", migrations=location), distribution="wdh-alpha"
    )

    assert domain is not None
    assert domain.migrations == location


def test_migrations_with_an_absolute_folder_are_kept(tmp_path: Path) -> None:
    location = MigrationSource(branch_label="alpha", location=str(tmp_path))

    domain = DomainRegistry().register(
        MigratingDomain("alpha", migrations=location), distribution="wdh-alpha"
    )

    assert domain is not None


@pytest.mark.parametrize(
    ("migrations", "message"),
    [
        (
            MigrationSource(branch_label="other", location="work_data_hub:plugins"),
            "migration branch_label 'other' must be 'alpha'",
        ),
        (
            MigrationSource(branch_label="alpha", location="work_data_hub:no_such_folder"),
            "migration location 'work_data_hub:no_such_folder' is not an existing folder",
        ),
        (
            MigrationSource(branch_label="alpha", location="no_such_package:versions"),
            "domain 'alpha': migration location 'no_such_package:versions' cannot be resolved: "
            "ModuleNotFoundError: No module named 'no_such_package'",
        ),
        (
            MigrationSource(branch_label="alpha", location="json.decoder:versions"),
            "cannot be resolved: TypeError: 'json.decoder' is not a package",
        ),
        (
            MigrationSource(branch_label="alpha", location="relative/versions"),
            "is not an existing folder (use an absolute path or 'package:folder')",
        ),
        ("versions", "must return a MigrationSource, got str"),
    ],
)
def test_bad_migrations_make_the_plugin_broken(migrations: object, message: str) -> None:
    registry = DomainRegistry()

    registry.register(MigratingDomain("alpha", migrations=migrations), distribution="wdh-alpha")

    assert message in registry.broken[0].error


def test_registering_the_same_plugin_twice_is_reported() -> None:
    registry = DomainRegistry()
    plugin = FakeDomain("alpha")
    registry.register(plugin, distribution="wdh-alpha", entry_point="alpha")

    assert registry.register(plugin, distribution="wdh-other", entry_point="again") is None
    assert registry.broken[0].error.startswith("cannot register: ValueError: Plugin already")


def test_get_an_unknown_domain_lists_the_known_ones() -> None:
    registry = DomainRegistry()
    registry.register(FakeDomain("alpha"), distribution="wdh-alpha")
    registry.register(FakeDomain("beta"), distribution="wdh-beta")

    with pytest.raises(
        UnknownDomainError, match=r"unknown domain 'gamma'; known domains: alpha, beta"
    ):
        registry.get("gamma")


def test_get_a_broken_domain_says_why_it_is_missing() -> None:
    registry = DomainRegistry()
    registry.register(
        FakeDomain("gamma", columns=[]), distribution="wdh-gamma", entry_point="gamma"
    )

    with pytest.raises(UnknownDomainError) as raised:
        registry.get("gamma")

    assert str(raised.value) == (
        "unknown domain 'gamma'; known domains: none installed; plugin wdh-gamma "
        "(entry point 'gamma'): domain 'gamma': workdatahub_columns must return Columns"
    )


def test_strict_registry_raises_instead_of_recording() -> None:
    registry = DomainRegistry(PluginPolicy(strict=True))

    with pytest.raises(PluginLoadError, match="wdh-alpha"):
        registry.register(FakeDomain("alpha", columns=[]), distribution="wdh-alpha")
    assert registry.broken == []


class ExplodingMapping(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Any:
        raise RuntimeError("lazy reader registry failed")

    def __len__(self) -> int:
        return 1


def test_an_unexpected_failure_while_checking_answers_is_recorded_and_unregistered() -> None:
    registry = DomainRegistry()
    plugin = FakeDomain("alpha", readers=ExplodingMapping())

    assert registry.register(plugin, distribution="wdh-alpha") is None

    assert registry.broken[0].error.startswith("RuntimeError: lazy reader registry failed (at ")
    assert not registry.hook_manager.is_registered(plugin)


class SampledDomain(FakeDomain):
    @hookimpl
    def workdatahub_sample_data(self, month: str, rows: int, seed: int) -> pd.DataFrame:
        return pd.DataFrame({"domain": [self.definition.name] * rows, "month": month})


def test_hook_answer_asks_one_domain_its_own_per_domain_hook() -> None:
    registry = DomainRegistry()
    registry.register(SampledDomain("alpha"), distribution="wdh-alpha")
    registry.register(SampledDomain("beta"), distribution="wdh-beta")
    registry.register(FakeDomain("gamma"), distribution="wdh-gamma")

    sample = registry.get("beta").hook_answer(
        "workdatahub_sample_data", month="202411", rows=2, seed=1
    )

    assert sample.to_dict("list") == {"domain": ["beta", "beta"], "month": ["202411"] * 2}
    assert (
        registry.get("gamma").hook_answer("workdatahub_sample_data", month="1", rows=1, seed=1)
        is None
    )


def test_hook_answer_refuses_shared_hooks() -> None:
    registry = DomainRegistry()
    domain = registry.register(FakeDomain("alpha"), distribution="wdh-alpha")

    assert domain is not None
    with pytest.raises(ValueError, match="'workdatahub_readers' is not a per-domain hook"):
        domain.hook_answer("workdatahub_readers")
