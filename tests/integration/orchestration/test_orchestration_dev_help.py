"""``python -m work_data_hub.orchestration.dev --help`` prints the options and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from work_data_hub.config import Settings

pytestmark = pytest.mark.integration


def test_help_writes_no_file_and_starts_no_database(tmp_path: Path) -> None:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in Settings.model_fields and not name.startswith("DAGSTER_")
    } | {"DAGSTER_HOME": str(tmp_path / "home"), "WDH_DATA_DIR": str(tmp_path / "data")}

    shown = subprocess.run(
        [sys.executable, "-m", "work_data_hub.orchestration.dev", "--help"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert shown.returncode == 0, shown.stderr
    assert "usage: python -m work_data_hub.orchestration.dev" in shown.stdout
    assert "Usage: dagster dev [OPTIONS]" in shown.stdout
    assert "--port" in shown.stdout
    assert list(tmp_path.iterdir()) == []
