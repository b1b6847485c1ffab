from __future__ import annotations

import pytest
from typer.testing import CliRunner
from work_data_hub.cli.app import app

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "command",
    ["upgrade", "downgrade", "current", "history", "heads", "revision", "stamp", "stop-embedded"],
)
def test_every_db_command_has_help(command: str) -> None:
    result = CliRunner().invoke(app, ["db", command, "--help"])

    assert result.exit_code == 0, result.output
    assert f"Usage: workdatahub db {command}" in result.output
