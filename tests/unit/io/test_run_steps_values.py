"""A run's guard steps: declared null markers first, duplicate keys last, by the row key."""

from __future__ import annotations

from typing import Any

import pytest
from work_data_hub.domain.services import DomainServices
from work_data_hub.domain.steps import BlankNullMarkers, RejectDuplicateKeys
from work_data_hub.io.runs.run_steps import domain_steps, row_key
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec
from work_data_hub.plugins.errors import PluginOrigin
from work_data_hub.plugins.registry import RegisteredDomain

pytestmark = pytest.mark.unit


def _definition(**fields: Any) -> DomainDefinition:
    return DomainDefinition(name="d", table="d", source=SourceSpec(patterns=("*.csv",)), **fields)


def _registered(definition: DomainDefinition) -> RegisteredDomain:
    columns = [
        Column("day", "date"),
        Column("code", null_markers=("待定",)),
        Column("n", "integer"),
    ]
    domain = Domain(definition=definition, columns=columns, steps=[])
    return RegisteredDomain(domain, PluginOrigin("wdh-d", "1.0", "d"))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"write_mode": "upsert", "keys": ("day", "code")}, ("day", "code")),
        ({"write_mode": "delete_insert", "keys": ("day",)}, ()),
        ({"write_mode": "append"}, ()),
        ({"write_mode": "append", "keys": ("day", "code")}, ("day", "code")),
        ({"write_mode": "replace", "keys": ("code",)}, ("code",)),
        (
            {"write_mode": "delete_insert", "keys": ("day",), "row_key": ("day", "code")},
            ("day", "code"),
        ),
        ({"write_mode": "upsert", "keys": ("day", "code"), "row_key": ()}, ()),
    ],
)
def test_the_row_key_defaults_to_the_keys_except_for_delete_insert(
    fields: dict[str, Any], expected: tuple[str, ...]
) -> None:
    assert row_key(_definition(**fields)) == expected


def test_markers_come_before_the_domain_steps_and_duplicates_after_the_schema() -> None:
    definition = _definition(
        write_mode="upsert", keys=("day", "code"), null_markers=("--",), duplicate_keys="last"
    )

    steps = domain_steps(_registered(definition), DomainServices())

    assert [step.name for step in steps] == [
        "reject_unread_cells",
        "reject_unstorable_text",
        "blank_null_markers",
        "normalise_key_text",
        "blank_null_markers",
        "validate_schema",
        "reject_duplicate_keys",
    ]
    first, second, last = steps[2], steps[4], steps[-1]
    assert isinstance(first, BlankNullMarkers)
    assert isinstance(second, BlankNullMarkers)
    assert tuple(first.markers) == ("--",)
    assert tuple(second.markers) == ()
    assert dict(first.column_markers)["code"] == ("待定",)
    assert last == RejectDuplicateKeys(("day", "code"), "last")


def test_no_marker_or_duplicate_step_without_markers_or_a_row_key() -> None:
    columns = [Column("day", "date"), Column("code")]
    domain = Domain(definition=_definition(write_mode="append"), columns=columns, steps=[])

    steps = domain_steps(
        RegisteredDomain(domain, PluginOrigin("wdh-d", "1.0", "d")), DomainServices()
    )

    assert [step.name for step in steps] == [
        "reject_unread_cells",
        "reject_unstorable_text",
        "normalise_key_text",
        "validate_schema",
    ]
