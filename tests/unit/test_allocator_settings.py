"""Importing work_data_hub sets Arrow's allocator (mimalloc) options unless the environment
sets them, early enough for mimalloc to read them."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

OPTIONS = {
    "MIMALLOC_PURGE_DELAY": "purge_delay",
    "MIMALLOC_ARENA_EAGER_COMMIT": "arena_eager_commit",
}
ALLOCATE = "import work_data_hub, pyarrow; pyarrow.allocate_buffer(1 << 20)"


def _options_read(**environment: str) -> dict[str, str]:
    """The options mimalloc reports it read (``MIMALLOC_VERBOSE``) in a fresh interpreter."""
    env = {key: value for key, value in os.environ.items() if key not in OPTIONS}
    done = subprocess.run(
        [sys.executable, "-c", ALLOCATE],
        env=env | environment | {"MIMALLOC_VERBOSE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    found = dict(re.findall(r"option '(\w+)': (-?\d+)", done.stderr))
    return {variable: found.get(option, "not reported") for variable, option in OPTIONS.items()}


def test_freed_pages_are_returned_at_once_by_default() -> None:
    assert _options_read() == {"MIMALLOC_PURGE_DELAY": "0", "MIMALLOC_ARENA_EAGER_COMMIT": "0"}


def test_a_value_set_in_the_environment_wins() -> None:
    assert _options_read(MIMALLOC_PURGE_DELAY="10", MIMALLOC_ARENA_EAGER_COMMIT="1") == {
        "MIMALLOC_PURGE_DELAY": "10",
        "MIMALLOC_ARENA_EAGER_COMMIT": "1",
    }
