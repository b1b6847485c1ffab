"""``Domain``: a domain as one typed value, loaded through an entry point naming it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from plugin_site import Site
from work_data_hub.domain.enrichment import EnrichCompanyId
from work_data_hub.domain.pipelines.types import PipelineContext, TransformStep
from work_data_hub.domain.services import DomainServices
from work_data_hub.domain.steps import StepSpecError
from work_data_hub.io.sample_data import generate_month
from work_data_hub.plugins import (
    Column,
    CompanyIdEnrichment,
    Domain,
    DomainDefinition,
    MigrationSource,
    SourceSpec,
)
from work_data_hub.plugins.contract import check_columns
from work_data_hub.plugins.errors import PluginContractError, PluginOrigin
from work_data_hub.plugins.registry import DomainRegistry, RegisteredDomain

pytestmark = pytest.mark.unit

DEFINITION = DomainDefinition(
    name="events",
    table="events",
    source=SourceSpec(patterns=("events_*.csv",), file_type="csv"),
    write_mode="delete_insert",
    keys=("id",),
)
COLUMNS = (Column("id", kind="integer", nullable=False), Column("customer"))
MIGRATIONS = "work_data_hub:plugins"
"""An existing package folder: the contract only checks that the location exists."""

OBJECT_PLUGIN = """
import pandas as pd
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec


def sample(month, rows, seed):
    return pd.DataFrame({"id": range(rows or 3), "customer": month})


PLUGIN = Domain(
    definition=DomainDefinition(
        name="events", table="events", source=SourceSpec(patterns=("*.csv",), file_type="csv")
    ),
    columns=[Column("id", kind="integer", nullable=False), Column("customer")],
    steps=[{"step": "rename", "mapping": {"client": "customer"}}],
    migrations="work_data_hub:plugins",
    sample=sample,
)
"""


class FakeEnrichment:
    def enrich_many(
        self,
        names: Sequence[str | None],
        plan_codes: Sequence[str | None] | None = None,
        existing_ids: Sequence[str | None] | None = None,
    ) -> list[str | None]:
        return [None] * len(names)


class UpperCustomer:
    name = "upper_customer"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        return data.assign(customer=data["customer"].str.upper())


def _registered(plugin: Domain) -> tuple[RegisteredDomain, DomainRegistry]:
    registry = DomainRegistry()
    domain = registry.register(plugin, distribution="workdatahub-events")
    assert domain is not None, registry.broken
    return domain, registry


def _step_names(steps: Sequence[TransformStep]) -> list[str]:
    return [step.name for step in steps]


def test_an_entry_point_naming_an_object_is_loaded_as_that_plugin(site: Site) -> None:
    site.add_metadata("workdatahub-events", "2.0.0", {"events": "events_plugin:PLUGIN"})
    site.add_module("events_plugin", OBJECT_PLUGIN)

    registry = site.load()

    domain = registry.get("events")
    assert registry.broken == []
    assert isinstance(domain.domain, Domain)
    assert domain.origin == PluginOrigin("workdatahub-events", "2.0.0", "events")
    assert domain.migrations == MigrationSource(branch_label="events", location=MIGRATIONS)
    assert _step_names(domain.steps(DomainServices())) == ["rename_columns"]
    sample = domain.sample("202411", 2, 1)
    assert sample is not None
    assert sample.to_dict("list") == {"id": [0, 1], "customer": ["202411", "202411"]}


def test_several_domains_load_side_by_side(site: Site) -> None:
    site.add_domain("workdatahub-ledger", "ledger")
    site.add_metadata("workdatahub-events", "1.0.0", {"events": "events_plugin:PLUGIN"})
    site.add_module("events_plugin", OBJECT_PLUGIN)

    registry = site.load()

    assert list(registry.domains) == ["events", "ledger"]
    assert registry.broken == []


def test_specs_and_step_objects_run_in_the_declared_order() -> None:
    plugin = Domain(
        definition=DEFINITION,
        columns=COLUMNS,
        steps=(
            {"step": "rename", "mapping": {"client": "customer"}},
            UpperCustomer(),
            {"step": "fill_default", "column": "customer", "value": "NONE"},
        ),
    )
    domain, _ = _registered(plugin)

    assert _step_names(domain.steps(DomainServices())) == [
        "rename_columns",
        "upper_customer",
        "fill_default",
    ]


def test_a_steps_function_receives_the_services_of_the_run() -> None:
    received: list[DomainServices] = []

    def steps(services: DomainServices) -> list[TransformStep]:
        received.append(services)
        return [UpperCustomer()]

    domain, _ = _registered(Domain(definition=DEFINITION, columns=COLUMNS, steps=steps))
    services = DomainServices(options={"region": "north"})

    assert _step_names(domain.steps(services)) == ["upper_customer"]
    assert received == [services]


def test_the_enrichment_step_follows_the_steps_only_when_the_run_has_a_service() -> None:
    enrich = CompanyIdEnrichment("customer", plan_code_column="plan", optional=False)
    plugin = Domain(definition=DEFINITION, columns=COLUMNS, steps=(UpperCustomer(),), enrich=enrich)
    domain, _ = _registered(plugin)
    service = FakeEnrichment()

    with_service = domain.steps(DomainServices(enrichment=service))

    assert _step_names(domain.steps(DomainServices())) == ["upper_customer"]
    assert with_service[-1] == EnrichCompanyId(
        "customer", service, plan_code_column="plan", optional=False
    )


def test_a_bad_step_spec_names_its_position() -> None:
    plugin = Domain(
        definition=DEFINITION,
        columns=COLUMNS,
        steps=(UpperCustomer(), {"step": "no_such_step"}),
    )
    domain, _ = _registered(plugin)

    with pytest.raises(StepSpecError, match=r"step spec 1: unknown step 'no_such_step'"):
        domain.steps(DomainServices())


def test_without_a_sample_generator_the_declarations_give_a_clean_month(
    tmp_path: Path,
) -> None:
    plugin = Domain(definition=DEFINITION, columns=COLUMNS)
    domain, _ = _registered(plugin)

    sample = domain.sample("202411", 5, 1)

    assert domain.migrations is None
    assert sample is not None
    assert list(sample.columns) == ["id", "customer"]
    assert sample["customer"].tolist() == ["S1", "S2", "S3", "S4", "S5"]
    assert all(0 <= int(value) <= 1000 for value in sample["id"])
    assert sample.equals(domain.sample("202411", 5, 1))
    [path] = generate_month([domain], tmp_path, "202411", rows=5, seed=1)
    assert path.name == "events_24年11月.csv"


def test_declared_migrations_carry_the_domain_name_as_branch_label() -> None:
    domain, _ = _registered(Domain(definition=DEFINITION, columns=COLUMNS, migrations=MIGRATIONS))

    assert domain.migrations == MigrationSource(branch_label="events", location=MIGRATIONS)


def test_declared_sample_data_is_what_month_generation_writes(tmp_path: Path) -> None:
    def sample(month: str, rows: int | None, seed: int) -> pd.DataFrame:
        return pd.DataFrame({"id": range(rows or 1), "customer": f"{month}/{seed}"})

    domain, _ = _registered(Domain(definition=DEFINITION, columns=COLUMNS, sample=sample))

    [written] = generate_month([domain], tmp_path, "202411", rows=2, seed=7)

    assert written.read_text("utf-8") == "id,customer\n0,202411/7\n1,202411/7\n"


def test_company_id_override_files_apply_to_their_own_domain_only() -> None:
    files = [Path("/overrides/first.csv"), Path("/overrides/second.csv")]
    registry = DomainRegistry()
    registry.register(
        Domain(definition=DEFINITION, columns=COLUMNS, company_id_overrides=files),
        distribution="workdatahub-events",
    )
    other = replace(DEFINITION, name="other_events", table="other_events")
    registry.register(Domain(definition=other, columns=COLUMNS), distribution="wdh-other")

    assert registry.get("events").company_id_overrides() == files
    assert registry.get("other_events").company_id_overrides() == []


def test_a_declaration_that_breaks_the_contract_makes_the_plugin_broken() -> None:
    registry = DomainRegistry()
    plugin = Domain(definition=DEFINITION, columns=(Column("customer"),))

    assert registry.register(plugin, distribution="workdatahub-events") is None
    [broken] = registry.broken
    assert broken.error == "domain 'events': keys ['id'] are not among the declared columns"


def test_a_row_key_outside_the_declared_columns_makes_the_plugin_broken() -> None:
    registry = DomainRegistry()
    definition = replace(DEFINITION, row_key=("id", "day"))

    assert (
        registry.register(Domain(definition=definition, columns=COLUMNS), distribution="e") is None
    )
    [broken] = registry.broken
    assert broken.error == "domain 'events': row_key ['day'] are not among the declared columns"


def test_its_repr_names_the_domain() -> None:
    assert repr(Domain(definition=DEFINITION, columns=COLUMNS)) == ("Domain('events')")


def test_a_refresh_by_a_date_key_must_name_its_month_column() -> None:
    columns = (Column("month", kind="date", nullable=False), Column("id"))
    by_month = DomainDefinition(
        name="events",
        table="events",
        source=SourceSpec(patterns=("*.csv",), file_type="csv"),
        write_mode="delete_insert",
        keys=("month", "id"),
    )

    with pytest.raises(PluginContractError, match="declare month_column='month'"):
        check_columns(columns, by_month)
    assert check_columns(columns, replace(by_month, month_column="month")) == columns
