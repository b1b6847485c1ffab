"""A package adds a reader for a new file type and a step type; a declared domain uses both.

The domain reads Parquet files (a reader the core does not have) and declares a step by the
name the package gave it, as data. The run goes through the same service as the CLI, into
PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import PipelineContext
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec
from work_data_hub.plugins.manager import BUILTIN_PLUGINS
from work_data_hub.plugins.registry import DomainRegistry

pytestmark = pytest.mark.integration


class ParquetReader:
    """Reads a Parquet file into text columns; row numbers count from 1."""

    def read(self, path: Path, source: SourceSpec) -> pd.DataFrame:
        frame = pd.read_parquet(path).astype("string")
        return frame.assign(**{SOURCE_ROW_COLUMN: range(1, len(frame) + 1)})


@dataclass(frozen=True)
class UpperCase:
    """Upper-cases the text of ``column``."""

    column: str
    name: str = "upper_case"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        return data.assign(**{self.column: data[self.column].str.upper()})


EVENTS = Domain(
    definition=DomainDefinition(
        name="parquet_events",
        table="parquet_events",
        source=SourceSpec(patterns=("events_*.parquet",), file_type="parquet"),
        write_mode="append",
    ),
    columns=(Column("code", nullable=False), Column("amount", "decimal", precision=12, scale=2)),
    steps=({"step": "upper_case", "column": "code"},),
    readers={"parquet": ParquetReader()},
    step_types={"upper_case": UpperCase},
)


def _registry(*plugins: Domain) -> DomainRegistry:
    registry = DomainRegistry()
    for builtin in BUILTIN_PLUGINS:
        registry.load_builtin(builtin)
    for plugin in plugins:
        registry.register(plugin, distribution=f"wdh-{plugin.definition.name}")
    registry.verify_domains()
    return registry


def test_a_domain_reads_a_new_file_type_and_runs_a_contributed_step(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    registry = _registry(EVENTS)
    assert registry.broken == []
    with wdh_engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE parquet_events (code text NOT NULL, amount numeric(12, 2), "
            "wdh_execution_id uuid, wdh_source_row integer, "
            "wdh_loaded_at timestamptz NOT NULL DEFAULT now())"
        )
    file = tmp_path / "events_202411.parquet"
    pd.DataFrame({"code": ["ab", "cd"], "amount": ["1.50", "2"]}).to_parquet(file)

    report = run_domain(
        RunRequest("parquet_events", file=file),
        engine=wdh_engine,
        registry=registry,
        settings=settings,
    )

    assert report.status == "succeeded", report.error
    with wdh_engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT code, amount::text, wdh_source_row FROM parquet_events ORDER BY 3"
        ).all()
    assert [tuple(row) for row in rows] == [("AB", "1.50", 1), ("CD", "2.00", 2)]


def test_a_step_spec_the_installed_step_types_cannot_build_makes_the_domain_broken() -> None:
    misspelt = Domain(
        definition=DomainDefinition(
            name="typo_events",
            table="typo_events",
            source=SourceSpec(patterns=("*.parquet",), file_type="parquet"),
        ),
        columns=(Column("code"),),
        steps=({"step": "rename", "mapping": {}}, {"step": "upper_case", "colum": "code"}),
    )

    registry = _registry(EVENTS, misspelt)

    assert sorted(registry.domains) == ["parquet_events"]
    [broken] = registry.broken
    assert broken.distribution == "wdh-typo_events"
    assert broken.error.startswith("domain 'typo_events': step spec 1: step 'upper_case': ")
    assert "'colum'" in broken.error


def test_a_domain_naming_a_reader_nobody_installed_is_broken_listing_the_readers() -> None:
    registry = _registry(
        Domain(
            definition=DomainDefinition(
                name="xml_events",
                table="xml_events",
                source=SourceSpec(patterns=("*.xml",), file_type="xml"),
            ),
            columns=(Column("code"),),
        )
    )

    assert registry.domains == {}
    assert registry.broken[0].error == (
        "domain 'xml_events': source.file_type 'xml' has no reader; installed readers: csv, excel"
    )
