"""The installable test plugin in tests/plugins/ declares its domain as a real package does."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from plugin_site import Site
from work_data_hub.plugins.manager import ENTRY_POINT_GROUP

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).parents[2] / "plugins" / "workdatahub-test-plugin"


def test_the_test_plugin_is_discovered_through_its_declared_entry_point(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    site.add_metadata(
        project["name"], project["version"], project["entry-points"][ENTRY_POINT_GROUP]
    )
    monkeypatch.syspath_prepend(str(PACKAGE / "src"))
    site.modules.append("workdatahub_test_plugin")

    registry = site.load()

    domain = registry.get("test_events")
    assert (domain.origin.distribution, domain.origin.version, domain.origin.entry_point) == (
        "workdatahub-test-plugin",
        "0.1.0",
        "test_events",
    )
    assert domain.definition.source.file_type == "csv"
    assert domain.qualified_table == "public.test_events"
    assert [(column.name, column.kind) for column in domain.columns] == [
        ("event_date", "date"),
        ("customer", "text"),
        ("amount", "decimal"),
    ]
    assert registry.broken == []
