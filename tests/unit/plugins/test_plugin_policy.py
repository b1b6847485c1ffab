"""Plugin settings from the environment: strictness, allow and block lists."""

from __future__ import annotations

import pytest
from work_data_hub.plugins.errors import PluginLoadError
from work_data_hub.plugins.policy import PluginPolicy, canonical_name

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("workdatahub-annuity-performance", "workdatahub-annuity-performance"),
        ("WorkDataHub_Annuity.Performance", "workdatahub-annuity-performance"),
        ("annuity__performance", "annuity-performance"),
    ],
)
def test_names_compare_like_package_names(raw: str, canonical: str) -> None:
    assert canonical_name(raw) == canonical


def test_the_default_policy_allows_everything_leniently() -> None:
    policy = PluginPolicy.from_env({})

    assert policy == PluginPolicy(strict=False, allow=frozenset(), block=frozenset())
    assert policy.is_allowed("any-distribution", "any_entry_point")


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "yes", "on", " y "])
def test_strict_mode_words(word: str) -> None:
    assert PluginPolicy.from_env({"WDH_STRICT_PLUGINS": word}).strict


@pytest.mark.parametrize("word", ["", "0", "false", "No", "off"])
def test_lenient_mode_words(word: str) -> None:
    assert not PluginPolicy.from_env({"WDH_STRICT_PLUGINS": word}).strict


def test_a_strict_setting_that_is_no_flag_is_refused() -> None:
    with pytest.raises(PluginLoadError, match=r"WDH_STRICT_PLUGINS must be 1 or 0.*'2'"):
        PluginPolicy.from_env({"WDH_STRICT_PLUGINS": "2"})


def test_lists_are_comma_separated_and_canonical() -> None:
    policy = PluginPolicy.from_env(
        {"WDH_PLUGINS_ALLOW": " Annuity_Performance, ,wdh-income ", "WDH_PLUGINS_BLOCK": "x.y"}
    )

    assert policy.allow == {"annuity-performance", "wdh-income"}
    assert policy.block == {"x-y"}


def test_an_allow_list_admits_any_matching_name() -> None:
    policy = PluginPolicy(allow=frozenset({"annuity-performance"}))

    assert policy.is_allowed("workdatahub-annuity-performance", "annuity_performance")
    assert not policy.is_allowed("workdatahub-annuity-income", "annuity_income")


def test_the_block_list_wins_over_the_allow_list() -> None:
    policy = PluginPolicy(allow=frozenset({"wdh-a"}), block=frozenset({"alpha"}))

    assert not policy.is_allowed("wdh-a", "alpha")
    assert policy.is_allowed("wdh-a", "beta")
