"""Fixtures for plugin tests: a site folder on ``sys.path`` for fake installed distributions.

Under ``--import-mode=importlib`` test folders are not on ``sys.path``; this folder is added so
that test modules (here and in other test folders) can share ``plugin_site.py``.
"""

import sys
from pathlib import Path

HELPERS = str(Path(__file__).resolve().parent)
if HELPERS not in sys.path:
    sys.path.insert(0, HELPERS)

from plugin_site import site  # noqa: E402

__all__ = ["site"]
