"""Entry-point discovery for real: fake distributions on sys.path, found by importlib.metadata."""

from __future__ import annotations

import sys

import pytest
from plugin_site import CORE_READERS, Site
from structlog.testing import capture_logs
from work_data_hub.plugins.errors import PluginLoadError, PluginOrigin
from work_data_hub.plugins.registry import load_domains

pytestmark = pytest.mark.unit

RAISING_READERS_HOOK = """
from work_data_hub.plugins import hookimpl


@hookimpl
def workdatahub_readers():
    raise RuntimeError("cannot find my settings file")
"""


GOOD_DOMAIN_SOURCE = """
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec

PLUGIN = Domain(
    definition=DomainDefinition(name={name!r}, table={table!r}, source=SourceSpec(patterns=("*",))),
    columns=[Column("id")],
)
"""


def test_no_domain_installed_gives_empty_lists(site: Site) -> None:
    registry = site.load()

    assert registry.domains == {}
    assert registry.broken == []


def test_a_good_plugin_is_registered_with_its_origin(site: Site) -> None:
    module = site.add_domain("wdh-good", "good_domain", version="2.3.0")

    registry = site.load()

    domain = registry.get("good_domain")
    assert domain.origin == PluginOrigin("wdh-good", "2.3.0", "good_domain")
    assert domain.qualified_table == "public.good_domain"
    assert [column.name for column in domain.columns] == ["id", "label"]
    assert domain.migrations is None
    assert domain.domain is sys.modules[module].PLUGIN
    assert registry.broken == []


def test_discovery_without_a_search_path_reads_sys_path(site: Site) -> None:
    site.add_domain("wdh-on-sys-path", "on_sys_path")

    registry = load_domains({}, builtins=(CORE_READERS,))

    assert registry.get("on_sys_path").origin.distribution == "wdh-on-sys-path"


def test_a_plugin_that_fails_to_import_is_recorded_and_the_rest_still_load(site: Site) -> None:
    site.add("wdh-missing-dep", "import pandas_extension_that_does_not_exist\n", version="0.4")
    site.add_domain("wdh-good", "good_domain")

    with capture_logs() as logs:
        registry = site.load()

    assert list(registry.domains) == ["good_domain"]
    [broken] = registry.broken
    assert (broken.distribution, broken.version, broken.entry_point) == (
        "wdh-missing-dep",
        "0.4",
        "wdh_missing_dep",
    )
    assert broken.error.startswith("import failed: ModuleNotFoundError: No module named")
    assert "wdh_missing_dep.py:1" in broken.error
    assert "\n" not in broken.error
    warnings = [log for log in logs if log["log_level"] == "warning"]
    assert warnings == [
        {
            "event": "plugin_skipped",
            "log_level": "warning",
            "distribution": "wdh-missing-dep",
            "version": "0.4",
            "entry_point": "wdh_missing_dep",
            "error": broken.error,
        }
    ]


def test_a_plugin_whose_hook_raises_is_recorded_with_the_hook_and_the_place(site: Site) -> None:
    site.add("wdh-raises", RAISING_READERS_HOOK)
    site.add_domain("wdh-good", "good_domain")

    registry = site.load()

    assert list(registry.domains) == ["good_domain"]
    [broken] = registry.broken
    assert broken.error.startswith(
        "workdatahub_readers raised RuntimeError: cannot find my settings file (at "
    )
    assert "wdh_raises.py:7" in broken.error


def test_a_broken_plugin_does_not_answer_shared_hooks(site: Site) -> None:
    site.add(
        "wdh-half-broken",
        """
        from work_data_hub.plugins import hookimpl


        class CsvReader:
            def read(self, path, source):
                raise NotImplementedError


        @hookimpl
        def workdatahub_readers():
            return {"tsv": CsvReader()}


        @hookimpl
        def workdatahub_step_types():
            raise ValueError("broken")
        """,
    )

    registry = site.load()

    assert sorted(registry.readers()) == ["csv", "excel"]
    assert [sorted(answer) for answer in registry.hook_manager.hook.workdatahub_readers()] == [
        ["csv", "excel"]
    ]


def test_a_misspelt_hook_is_reported_with_a_suggestion(site: Site) -> None:
    site.add(
        "wdh-typo",
        """
        from work_data_hub.plugins import hookimpl


        @hookimpl
        def workdatahub_step_typez():
            return {}
        """,
    )

    registry = site.load()

    [broken] = registry.broken
    assert broken.error == (
        "unknown hook 'workdatahub_step_typez' (did you mean 'workdatahub_step_types'?)"
    )


def test_a_hook_of_contract_1_says_to_declare_a_domain(site: Site) -> None:
    site.add(
        "wdh-old",
        """
        from work_data_hub.plugins import hookimpl


        @hookimpl
        def workdatahub_domain():
            return None
        """,
    )

    [broken] = site.load().broken

    assert broken.error == (
        "unknown hook 'workdatahub_domain' (contract 1; declare a work_data_hub.plugins.Domain)"
    )


def test_a_misspelt_hook_is_an_error_in_strict_mode(site: Site) -> None:
    site.add(
        "wdh-typo",
        """
        from work_data_hub.plugins import hookimpl


        @hookimpl
        def workdatahub_readerz():
            return {}
        """,
    )

    with pytest.raises(PluginLoadError, match=r"wdh-typo .*unknown hook 'workdatahub_readerz'"):
        site.load({"WDH_STRICT_PLUGINS": "1"})


def test_an_entry_point_naming_neither_a_domain_nor_shared_hooks_is_broken(site: Site) -> None:
    site.add(
        "wdh-no-domain", "from work_data_hub.plugins import Column\nCOLUMNS = [Column('id')]\n"
    )

    [broken] = site.load().broken

    assert broken.error == (
        "entry point 'wdh_no_domain' names a module, expected a work_data_hub.plugins.Domain "
        "or a module of shared hooks"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("spec_version=3", "needs plugin contract version 3, this core supports 2..2"),
        ("spec_version=1", "uses plugin contract version 1"),
        ("name='GoodDomain'", "domain name 'GoodDomain' is not snake_case"),
        ("name='good-domain'", "domain name 'good-domain' is not snake_case"),
        ("table='a.b'", "table 'a.b' must not contain quotes, dots"),
        ("table='x' * 64", "is longer than 63 bytes"),
        ("db_schema=''", "db_schema '' must be a non-empty string"),
        ("write_mode='merge'", "write_mode 'merge' is not one of append, upsert"),
        ("write_mode='upsert'", "write_mode 'upsert' needs keys"),
        ("reject_threshold=1.5", "reject_threshold 1.5 must be between 0 and 1"),
        ("first_month='2020-01'", "first_month '2020-01' is not YYYYMM"),
        ("first_month='202013'", "first_month '202013' is not YYYYMM"),
        ("row_count_tolerance=-0.1", "row_count_tolerance -0.1 must be a share of 0 or more"),
        ("source=SourceSpec(patterns=())", "source.patterns must be a non-empty tuple"),
        ("source=SourceSpec(patterns=('*',), file_type='X-ML')", "file_type 'X-ML' must name a"),
        ("source=SourceSpec(patterns=('*',), file_type='xml')", "'xml' has no reader; installed"),
        ("keys=('missing',), write_mode='delete_insert'", "keys ['missing'] are not among"),
        ("other_months='skip'", "other_months 'skip' is not one of reject, refuse"),
        ("month_column='id'", "month_column 'id' must be one of the declared date columns"),
        ("month_column='month'", "month_column 'month' must be one of the declared date columns"),
    ],
)
def test_nonsense_definitions_are_refused(site: Site, change: str, message: str) -> None:
    site.add(
        "wdh-nonsense",
        f"""
        import dataclasses

        from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec

        good = DomainDefinition(name="good_domain", table="t", source=SourceSpec(patterns=("*",)))
        PLUGIN = Domain(definition=dataclasses.replace(good, {change}), columns=[Column("id")])
        """,
        attribute="PLUGIN",
    )

    registry = site.load()

    assert registry.domains == {}
    [broken] = registry.broken
    assert message in broken.error


def test_spec_version_too_new_tells_the_user_to_upgrade_the_core(site: Site) -> None:
    site.add(
        "wdh-future",
        """
        from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec

        PLUGIN = Domain(
            definition=DomainDefinition(
                name="future", table="future", source=SourceSpec(patterns=("*",)), spec_version=3
            ),
            columns=[Column("id")],
        )
        """,
        version="9.0.0",
        attribute="PLUGIN",
    )

    [broken] = site.load().broken

    assert broken.describe() == (
        "plugin wdh-future 9.0.0 (entry point 'wdh_future'): domain 'future' needs plugin "
        "contract version 3, this core supports 2..2: upgrade workdatahub-core"
    )


def test_a_hook_implemented_twice_by_one_plugin_is_refused(site: Site) -> None:
    site.add(
        "wdh-twice",
        """
        from work_data_hub.plugins import hookimpl


        @hookimpl
        def workdatahub_readers():
            return {}


        @hookimpl(specname="workdatahub_readers")
        def more_readers():
            return {}
        """,
    )

    [broken] = site.load().broken

    assert broken.error == "workdatahub_readers is implemented 2 times"


def test_two_plugins_with_one_domain_name_name_both_distributions(site: Site) -> None:
    site.add_domain("wdh-first", "shared_name", table="first_table")
    site.add_domain("wdh-second", "shared_name", table="second_table")

    registry = site.load()

    assert registry.get("shared_name").origin.distribution == "wdh-first"
    [broken] = registry.broken
    assert broken.distribution == "wdh-second"
    assert broken.error == (
        "domain 'shared_name' is already provided by distribution 'wdh-first'; "
        "distribution 'wdh-second' claims it too"
    )


def test_two_plugins_with_one_target_table_name_both_distributions(site: Site) -> None:
    site.add_domain("wdh-first", "first_domain", table="facts")
    site.add_domain("wdh-second", "second_domain", table="facts")

    registry = site.load()

    assert list(registry.domains) == ["first_domain"]
    [broken] = registry.broken
    assert broken.error == (
        "table 'public.facts' is already provided by domain 'first_domain' from distribution "
        "'wdh-first'; domain 'second_domain' from distribution 'wdh-second' claims it too"
    )


def test_a_duplicate_is_an_error_in_strict_mode(site: Site) -> None:
    site.add_domain("wdh-first", "shared_name", table="first_table")
    site.add_domain("wdh-second", "shared_name", table="second_table")

    with pytest.raises(PluginLoadError) as raised:
        site.load({"WDH_STRICT_PLUGINS": "1"})

    assert "'wdh-first'" in str(raised.value)
    assert "'wdh-second'" in str(raised.value)


def test_strict_mode_raises_on_the_first_failure_naming_the_distribution(site: Site) -> None:
    site.add("wdh-missing-dep", "import module_that_does_not_exist\n", version="0.4")

    with pytest.raises(PluginLoadError) as raised:
        site.load({"WDH_STRICT_PLUGINS": "true"})

    assert str(raised.value).startswith(
        "plugin wdh-missing-dep 0.4 (entry point 'wdh_missing_dep'): import failed: "
        "ModuleNotFoundError"
    )
    assert raised.value.broken is not None
    assert raised.value.broken.distribution == "wdh-missing-dep"


def test_an_allow_list_loads_only_the_named_plugins_and_imports_no_other(site: Site) -> None:
    site.add_domain("wdh-wanted", "wanted")
    site.add_domain("wdh-by-entry-point", "chosen_by_name")
    site.add("wdh-not-wanted", "raise SystemExit('imported although not allowed')\n")

    registry = site.load({"WDH_PLUGINS_ALLOW": "WDH_Wanted, chosen-by-name"})

    assert list(registry.domains) == ["chosen_by_name", "wanted"]
    assert registry.broken == []


def test_a_block_list_skips_by_distribution_entry_point_or_domain_name(site: Site) -> None:
    site.add("wdh-blocked-dist", "raise SystemExit('imported although blocked')\n")
    site.add_domain("wdh-kept", "kept")
    site.add_domain("wdh-renamed", "declared_name", entry_point="other_entry_point")

    registry = site.load({"WDH_PLUGINS_BLOCK": "wdh-blocked-dist,declared_name"})

    assert list(registry.domains) == ["kept"]
    assert registry.broken == []
    assert [entry.origin.entry_point for entry in registry.domains.values()] == ["kept"]


def test_a_malformed_strict_setting_is_reported(site: Site) -> None:
    with pytest.raises(PluginLoadError, match="WDH_STRICT_PLUGINS must be 1 or 0"):
        site.load({"WDH_STRICT_PLUGINS": "maybe"})


def test_one_distribution_may_offer_several_domains(site: Site) -> None:
    site.add_module("wdh_pack_first", GOOD_DOMAIN_SOURCE.format(name="first", table="first"))
    site.add_module("wdh_pack_second", GOOD_DOMAIN_SOURCE.format(name="second", table="second"))
    site.add_metadata(
        "wdh-pack", "1.0.0", {"first": "wdh_pack_first:PLUGIN", "second": "wdh_pack_second:PLUGIN"}
    )

    registry = site.load()

    assert {name: domain.origin.distribution for name, domain in registry.domains.items()} == {
        "first": "wdh-pack",
        "second": "wdh-pack",
    }
