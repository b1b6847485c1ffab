"""Rules for the whole suite: every test is marked ``unit`` or ``integration``.

CI runs ``pytest -m unit`` and ``pytest -m integration`` separately, so an unmarked test would
never run there; collection stops with the list of such tests instead.
"""

from __future__ import annotations

import pytest

pytest_plugins = ("pytester",)

SUITE_MARKERS = frozenset({"unit", "integration"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse to run when a test carries neither the ``unit`` nor the ``integration`` marker."""
    unmarked = [
        item.nodeid
        for item in items
        if not SUITE_MARKERS & {marker.name for marker in item.iter_markers()}
    ]
    if unmarked:
        raise pytest.UsageError(
            "tests without a `unit` or `integration` marker (add `pytestmark = pytest.mark.unit` "
            "or `pytest.mark.integration` to the module): " + ", ".join(unmarked)
        )
