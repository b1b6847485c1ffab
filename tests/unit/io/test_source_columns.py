"""New source columns: the ones a domain neither declares nor reads, in file order."""

from __future__ import annotations

import pytest
from work_data_hub.domain.steps.columns import CopyColumn, RenameColumns
from work_data_hub.io.runs.source_columns import new_source_columns
from work_data_hub.plugins.registry import get_registry

pytestmark = pytest.mark.unit


def test_undeclared_unread_columns_are_new_and_known_ones_are_not() -> None:
    domain = get_registry().get("sample_csv")
    steps = [RenameColumns({"Acct": "account"}), CopyColumn(source="raw name", target="memo")]
    source = [
        "month",
        "account_no",  # a header alias of the domain
        "Acct",  # renamed by a step
        "raw name",  # read by a step
        "Customer_Name",  # declared, spelt otherwise
        "channel",
        "wdh_source_row",
        "区域",
    ]

    assert new_source_columns(source, domain, steps) == ["channel", "区域"]


def test_a_file_of_declared_columns_has_no_new_column() -> None:
    domain = get_registry().get("sample_csv")

    assert new_source_columns([column.name for column in domain.columns], domain, []) == []
