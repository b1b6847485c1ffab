"""Asset checks from the domain declarations: tolerance, blocking, one pair per domain asset."""

from __future__ import annotations

from decimal import Decimal

import pytest
from plugin_site import Site
from work_data_hub.config import Settings
from work_data_hub.orchestration.assets import asset_key
from work_data_hub.orchestration.checks import row_count_result
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.month_sums import sums_result

pytestmark = pytest.mark.unit

AMOUNTS = """
import dataclasses

COLUMNS = [*COLUMNS, Column("month", kind="date")]
DEFINITION = dataclasses.replace(
    DEFINITION,
    month_column="month",
    sum_columns=("id",),
    source=dataclasses.replace(DEFINITION.source, totals_columns=("id",)),
)
"""

BLOCKING = """
import dataclasses

DEFINITION = dataclasses.replace(
    DEFINITION, row_count_tolerance=0.1, row_count_check_blocking=True
)
"""


@pytest.mark.parametrize(
    ("current", "previous", "tolerance", "passed"),
    [
        (100, 200, 0.3, False),
        (150, 200, 0.3, True),
        (140, 200, 0.3, True),
        (139, 200, 0.3, False),
        (260, 200, 0.3, True),
        (261, 200, 0.3, False),
        (5, 0, 0.3, True),
    ],
)
def test_the_row_count_may_move_by_the_tolerance_from_the_previous_month(
    current: int, previous: int, tolerance: float, passed: bool
) -> None:
    assert row_count_result(current, previous, tolerance).passed is passed


def test_each_asset_gets_both_checks_and_blocking_follows_the_declaration(
    site: Site, settings: Settings
) -> None:
    site.add_domain("fake-orders", "orders")
    site.add_domain("fake-refunds", "refunds", extra=BLOCKING)
    registry = site.load()

    built = build_definitions(registry, settings=settings)

    graph = built.resolve_asset_graph()
    for name, blocking in (("orders", False), ("refunds", True)):
        key = asset_key(registry.get(name))
        checks = {check.name: graph.get(check) for check in graph.get_check_keys_for_assets({key})}
        assert set(checks) == {"reject_share", "row_count_vs_previous_month"}
        assert checks["row_count_vs_previous_month"].blocking is blocking
        assert not checks["reject_share"].blocking
    assert registry.get("refunds").definition.row_count_tolerance == 0.1


@pytest.mark.parametrize(
    ("current", "previous", "passed", "moved"),
    [
        ({"a": Decimal("100")}, {"a": Decimal("200")}, False, ["a"]),
        ({"a": Decimal("140")}, {"a": Decimal("200")}, True, []),
        (
            {"a": Decimal("-260"), "b": Decimal(1)},
            {"a": Decimal("-200"), "b": Decimal(1)},
            True,
            [],
        ),
        ({"a": Decimal("5")}, {"a": Decimal("0")}, True, []),
        (
            {"a": Decimal("5"), "b": Decimal("9")},
            {"a": Decimal("5"), "b": Decimal("3")},
            False,
            ["b"],
        ),
    ],
)
def test_each_declared_sum_may_move_by_the_tolerance_from_the_previous_month(
    current: dict[str, Decimal], previous: dict[str, Decimal], passed: bool, moved: list[str]
) -> None:
    result = sums_result(current, previous, 0.3)

    assert result.passed is passed
    assert result.metadata["moved_too_far"].value == moved


def test_declared_sums_and_totals_columns_add_their_checks(site: Site, settings: Settings) -> None:
    site.add_domain("fake-orders", "orders", extra=AMOUNTS)
    registry = site.load()

    built = build_definitions(registry, settings=settings)

    graph = built.resolve_asset_graph()
    key = asset_key(registry.get("orders"))
    assert {check.name for check in graph.get_check_keys_for_assets({key})} == {
        "reject_share",
        "row_count_vs_previous_month",
        "sums_vs_previous_month",
        "totals_row",
    }
