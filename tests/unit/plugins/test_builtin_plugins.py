"""The core's internal plugins: registered by dotted name before any entry point."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pandas as pd
import pytest
from plugin_site import Site
from work_data_hub import __version__
from work_data_hub.plugins import SourceSpec, hookimpl
from work_data_hub.plugins.errors import PluginLoadError
from work_data_hub.plugins.manager import BUILTIN_PLUGINS
from work_data_hub.plugins.registry import load_domains

pytestmark = pytest.mark.unit


class RenameColumns:
    """Stands in for a generic step class."""


class TextReader:
    def read(self, path: Path, source: SourceSpec) -> pd.DataFrame:
        return pd.DataFrame()


@pytest.fixture
def fake_generic_steps(monkeypatch: pytest.MonkeyPatch) -> dict[str, type]:
    """Put a stand-in ``work_data_hub.domain.steps`` with ``GENERIC_STEPS`` in ``sys.modules``."""
    module = types.ModuleType("work_data_hub.domain.steps")
    generic_steps: dict[str, type] = {"rename_columns": RenameColumns}
    module.GENERIC_STEPS = generic_steps  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "work_data_hub.domain.steps", module)
    return generic_steps


@pytest.fixture
def fake_reader_module(monkeypatch: pytest.MonkeyPatch) -> TextReader:
    """Put an internal readers module ``wdh_test_builtin_readers`` in ``sys.modules``."""
    reader = TextReader()
    module = types.ModuleType("wdh_test_builtin_readers")

    @hookimpl
    def workdatahub_readers() -> dict[str, TextReader]:
        return {"text": reader}

    module.workdatahub_readers = workdatahub_readers  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "wdh_test_builtin_readers", module)
    return reader


def test_the_builtin_plugins_are_the_generic_steps_and_the_readers() -> None:
    assert BUILTIN_PLUGINS == (
        "work_data_hub.plugins.builtin_steps",
        "work_data_hub.io.readers.builtin",
    )


def test_builtin_steps_offer_the_core_generic_steps(site: Site) -> None:
    from work_data_hub.domain.steps import GENERIC_STEPS

    registry = load_domains(
        {}, search_path=[str(site.root)], builtins=("work_data_hub.plugins.builtin_steps",)
    )

    assert registry.step_types() == GENERIC_STEPS
    assert "rename" in registry.step_types()


def test_builtin_steps_read_the_registry_when_asked(
    site: Site, fake_generic_steps: dict[str, type]
) -> None:
    registry = load_domains(
        {}, search_path=[str(site.root)], builtins=("work_data_hub.plugins.builtin_steps",)
    )

    assert registry.step_types() == fake_generic_steps
    assert registry.broken == []


def test_a_builtin_readers_module_answers_the_shared_hook(
    site: Site, fake_reader_module: TextReader
) -> None:
    registry = load_domains(
        {}, search_path=[str(site.root)], builtins=("wdh_test_builtin_readers",)
    )

    assert registry.readers() == {"text": fake_reader_module}


def test_a_domain_plugin_may_not_replace_a_builtin_reader(
    site: Site, fake_reader_module: TextReader
) -> None:
    site.add_domain(
        "wdh-own-reader",
        "own_reader",
        extra="""

        class OwnTextReader:
            def read(self, path, source):
                raise NotImplementedError
        """,
        fields="readers={'text': OwnTextReader()}",
    )

    registry = load_domains(
        {}, search_path=[str(site.root)], builtins=("wdh_test_builtin_readers",)
    )

    assert type(registry.readers()["text"]).__name__ == "TextReader"
    assert registry.domains == {}
    [broken] = registry.broken
    assert broken.error == (
        "reader 'text' is already provided by distribution 'workdatahub-core'; "
        "distribution 'wdh-own-reader' claims it too"
    )


def test_a_missing_builtin_is_recorded_in_lenient_mode(site: Site) -> None:
    site.add_domain("wdh-good", "good_domain")

    registry = load_domains(
        {},
        search_path=[str(site.root)],
        builtins=("work_data_hub.no_such_builtin", "work_data_hub.io.readers.builtin"),
    )

    assert list(registry.domains) == ["good_domain"]
    [broken] = registry.broken
    assert (broken.distribution, broken.version, broken.entry_point) == (
        "workdatahub-core",
        __version__,
        "work_data_hub.no_such_builtin",
    )
    assert broken.error == (
        "import failed: ModuleNotFoundError: No module named 'work_data_hub.no_such_builtin'"
    )


def test_a_missing_builtin_is_an_error_in_strict_mode(site: Site) -> None:
    with pytest.raises(PluginLoadError, match=r"workdatahub-core .*no_such_builtin"):
        load_domains(
            {"WDH_STRICT_PLUGINS": "1"},
            search_path=[str(site.root)],
            builtins=("work_data_hub.no_such_builtin",),
        )


def test_builtins_ignore_the_allow_list(site: Site, fake_generic_steps: dict[str, type]) -> None:
    site.add_domain("wdh-good", "good_domain")

    registry = load_domains(
        {"WDH_PLUGINS_ALLOW": "someone-else"},
        search_path=[str(site.root)],
        builtins=("work_data_hub.plugins.builtin_steps",),
    )

    assert registry.domains == {}
    assert registry.step_types() == fake_generic_steps


def test_the_default_builtins_load_cleanly_and_offer_readers_and_steps(site: Site) -> None:
    registry = load_domains({"WDH_STRICT_PLUGINS": "1"}, search_path=[str(site.root)])

    assert registry.broken == []
    assert {"excel", "csv"} <= set(registry.readers())
    assert "rename" in registry.step_types()
