"""Importing work_data_hub sets Arrow's allocator options unless the environment sets them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

OPTIONS = ("MIMALLOC_PURGE_DELAY", "MIMALLOC_ARENA_EAGER_COMMIT")
PRINT_OPTIONS = (
    f"import os, work_data_hub; print(' '.join(os.environ.get(name, '-') for name in {OPTIONS!r}))"
)


def _options_seen(**environment: str) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key not in OPTIONS}
    done = subprocess.run(
        [sys.executable, "-c", PRINT_OPTIONS],
        env=env | environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_freed_pages_are_returned_at_once_by_default() -> None:
    assert _options_seen() == ["0", "0"]


def test_a_value_set_in_the_environment_wins() -> None:
    assert _options_seen(MIMALLOC_PURGE_DELAY="10", MIMALLOC_ARENA_EAGER_COMMIT="1") == ["10", "1"]
