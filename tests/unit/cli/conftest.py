"""Fixtures for CLI tests: the plugin tests' site folder for fake installed distributions."""

import sys
from pathlib import Path

PLUGIN_TEST_HELPERS = str(Path(__file__).resolve().parents[1] / "plugins")
if PLUGIN_TEST_HELPERS not in sys.path:
    sys.path.insert(0, PLUGIN_TEST_HELPERS)

from plugin_site import site  # noqa: E402

__all__ = ["site"]
