import pytest
from typer.testing import CliRunner
from work_data_hub import __version__
from work_data_hub.cli.app import app

pytestmark = pytest.mark.unit


def test_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"workdatahub {__version__}"
