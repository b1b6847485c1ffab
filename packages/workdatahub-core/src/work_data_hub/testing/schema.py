"""Test support: whether a domain's migrated table still matches its declared columns."""

from __future__ import annotations

from work_data_hub.io.schema.drift import check_domains
from work_data_hub.plugins.registry import get_registry


def declared_table_differences(database_url: str, domain: str) -> list[str]:
    """Return how ``domain``'s table on ``database_url`` differs from its declared columns, one
    line per difference; ``[]`` when they match.

    A domain's own suite asserts ``[]`` on its migrated test database, so an edit of ``COLUMNS``
    without its revision (``workdatahub db revision --autogenerate``) fails there first.
    """
    differences = check_domains(database_url, [get_registry().get(domain)])
    return [
        f"{found.change} {found.name}: declared {found.declared}, database {found.database}"
        for found in differences
    ]
