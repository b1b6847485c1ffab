"""``workdatahub --help`` and ``--version`` answer without importing the heavy libraries.

The root lists every command from ``app.COMMANDS`` without importing it; a command's module is
imported when it runs or shows its own help. The import budget is checked in a fresh
interpreter, as the console script starts.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner
from work_data_hub.cli.app import COMMANDS, app

pytestmark = pytest.mark.unit

HEAVY = ("pandas", "numpy", "pyarrow", "sqlalchemy", "pandera", "alembic", "dagster", "psycopg2")
"""Libraries a command may need, and ``--help`` must not import."""

PROBE = """
import contextlib, json, sys
from work_data_hub.cli.app import main
sys.argv = ["workdatahub", *json.loads(sys.argv[1])]
with contextlib.suppress(SystemExit):  # typer ends every command with one
    main()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def _imported_by(*arguments: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(arguments)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("arguments", [("--help",), ("--version",), ()])
def test_help_and_version_import_none_of_the_heavy_libraries(arguments: tuple[str, ...]) -> None:
    assert _imported_by(*arguments) & set(HEAVY) == set()


def test_domains_list_imports_no_database_validation_or_orchestration_library() -> None:
    imported = _imported_by("domains", "list", "--json")

    assert imported & {"alembic", "dagster", "psycopg2", "sqlalchemy", "pandera"} == set()


def test_a_command_imports_what_it_needs_when_it_runs() -> None:
    assert {"sqlalchemy", "alembic"} <= _imported_by("db", "--help")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_root_help_line_of_each_command_is_the_command_s_own(name: str) -> None:
    command = COMMANDS[name].load(name)

    assert command.get_short_help_str(limit=300) == COMMANDS[name].summary


def test_the_root_help_lists_every_command_and_each_command_still_runs() -> None:
    runner = CliRunner()

    listed = runner.invoke(app, ["--help"])
    db_help = runner.invoke(app, ["db", "--help"])
    unknown = runner.invoke(app, ["nope"])

    assert listed.exit_code == 0
    assert all(name in listed.output for name in COMMANDS)
    assert db_help.exit_code == 0
    assert "upgrade" in db_help.output
    assert unknown.exit_code == 2
    assert "No such command 'nope'" in unknown.output
