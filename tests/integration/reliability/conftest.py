"""Fixtures for the reliability tests: settings on the test's fresh database, a temporary inbox.

Under ``--import-mode=importlib`` test folders are not on ``sys.path``; this folder is added so
that the test modules share ``warehouse_state.py`` (snapshots of tables and of the audit trail).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from work_data_hub.config import Settings

HELPERS = str(Path(__file__).resolve().parent)
if HELPERS not in sys.path:
    sys.path.insert(0, HELPERS)


@pytest.fixture
def settings(tmp_path: Path, wdh_database: str) -> Settings:
    """Settings on the test's fresh database, with an empty inbox of its own."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return Settings(
        _env_file=None,
        ENVIRONMENT="dev",
        DATABASE_URL=wdh_database,
        INBOX_DIR=inbox,
        WDH_DATA_DIR=tmp_path / "wdh",
    )
