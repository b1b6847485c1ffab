"""The complete domain of docs/plugin-api.md works as printed: it loads and transforms a file."""

from __future__ import annotations

import re
import tomllib
import types
from pathlib import Path

import pandas as pd
import pytest
from plugin_site import Site
from work_data_hub.plugins import Domain, DomainServices
from work_data_hub.testing.domain_runner import rows_as_text, transform_file, write_sample_file

pytestmark = pytest.mark.unit

PLUGIN_API = Path(__file__).parents[3] / "docs" / "plugin-api.md"
TEXT = PLUGIN_API.read_text(encoding="utf-8")
EXAMPLE = re.search(r"<!-- example: events -->\n```python\n(.*?)```", TEXT, re.DOTALL)
PYPROJECT = re.search(r"## A complete domain\n.*?```toml\n(.*?)```", TEXT, re.DOTALL)


def _example_module() -> types.ModuleType:
    assert EXAMPLE is not None, "docs/plugin-api.md lost its example block"
    module = types.ModuleType("workdatahub_events")
    exec(compile(EXAMPLE[1], str(PLUGIN_API), "exec"), module.__dict__)
    return module


def test_the_example_transforms_a_file_with_its_declared_steps_and_own_rule(
    tmp_path: Path,
) -> None:
    plugin = _example_module().PLUGIN
    rows = pd.DataFrame(
        {
            "event_date": ["2024-11-05", "2024-11-06", "2024-11-07"],
            "customer": ["Acme Ltd", "Beta", "Gamma"],
            "amount": ["¥1,234.50", "-5", "7"],
        }
    )

    result = transform_file(plugin, write_sample_file(tmp_path / "events_202411.csv", rows))

    assert isinstance(plugin, Domain)
    assert rows_as_text(result.valid).values.tolist() == [
        ["2", "2024-11-05", "Acme Ltd", "1234.5"],
        ["4", "2024-11-07", "Gamma", "7"],
    ]
    assert result.rejected.values.tolist() == [[3, "amount", "amount -5 is negative"]]


def test_the_example_loads_through_its_documented_entry_point(site: Site) -> None:
    assert PYPROJECT is not None, "docs/plugin-api.md lost its pyproject.toml block"
    project = tomllib.loads(PYPROJECT[1])["project"]
    site.add_metadata(
        project["name"], project["version"], project["entry-points"]["workdatahub.domains"]
    )
    site.add_module("workdatahub_events", EXAMPLE[1] if EXAMPLE else "")

    registry = site.load()

    assert registry.broken == []
    domain = registry.get("events")
    assert (domain.origin.distribution, domain.qualified_table) == (
        "workdatahub-events",
        "public.events",
    )
    assert [step.name for step in domain.steps(DomainServices())] == [
        "clean_money",
        "reject_negative_amounts",
    ]
