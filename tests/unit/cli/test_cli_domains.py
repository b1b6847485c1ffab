"""``workdatahub domains list``: tables for people, a stable JSON shape, exit codes."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from plugin_site import Site
from typer.testing import CliRunner, Result
from work_data_hub.cli import domains as domains_command
from work_data_hub.cli.app import app
from work_data_hub.plugins.manager import ENTRY_POINT_GROUP
from work_data_hub.plugins.registry import load_domains

pytestmark = pytest.mark.unit

TEST_PLUGIN = Path(__file__).parents[2] / "plugins" / "workdatahub-test-plugin"
PLUGIN_VARIABLES = ("WDH_STRICT_PLUGINS", "WDH_PLUGINS_ALLOW", "WDH_PLUGINS_BLOCK")


@pytest.fixture
def cli_site(site: Site, monkeypatch: pytest.MonkeyPatch) -> Site:
    """The command sees only the distributions of ``site`` and no built-ins."""
    for variable in PLUGIN_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    isolated = functools.partial(
        load_domains, search_path=[str(site.root)], builtins=("work_data_hub.io.readers.builtin",)
    )
    monkeypatch.setattr(domains_command, "load_domains", isolated)
    return site


def _broken_and_good(site: Site) -> None:
    site.add("wdh-broken", "import dependency_that_is_not_installed\n", version="0.9")
    site.add_domain("wdh-ledger", "ledger", write_mode="upsert", keys=("id",), version="1.4.0")
    site.add_domain("wdh-events", "events", table="event_log")


def _run(*arguments: str) -> Result:
    return CliRunner().invoke(app, ["domains", "list", *arguments])


def test_json_with_no_domain_installed_is_two_empty_lists(cli_site: Site) -> None:
    result = _run("--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"domains": [], "broken": []}


def test_json_lists_domains_sorted_and_broken_plugins(cli_site: Site) -> None:
    _broken_and_good(cli_site)

    result = _run("--json")

    assert result.exit_code == 0, result.output
    listing = json.loads(result.stdout)
    assert listing["domains"] == [
        {
            "name": "events",
            "distribution": "wdh-events",
            "version": "1.0.0",
            "table": "public.event_log",
            "write_mode": "append",
        },
        {
            "name": "ledger",
            "distribution": "wdh-ledger",
            "version": "1.4.0",
            "table": "public.ledger",
            "write_mode": "upsert",
        },
    ]
    [broken] = listing["broken"]
    assert set(broken) == {"distribution", "entry_point", "error"}
    assert (broken["distribution"], broken["entry_point"]) == ("wdh-broken", "wdh_broken")
    assert broken["error"].startswith(
        "import failed: ModuleNotFoundError: No module named 'dependency_that_is_not_installed'"
    )


def test_log_lines_go_to_stderr_and_leave_stdout_to_the_listing(cli_site: Site) -> None:
    _broken_and_good(cli_site)

    result = _run("--json")

    json.loads(result.stdout)
    assert "plugin_skipped" in result.stderr
    assert "plugin_skipped" not in result.stdout


def test_tables_for_people_show_domains_and_broken_plugins(cli_site: Site) -> None:
    _broken_and_good(cli_site)

    result = _run()

    assert result.exit_code == 0, result.output
    for expected in ("Domains", "ledger", "wdh-ledger", "1.4.0", "public.ledger", "upsert"):
        assert expected in result.stdout
    assert "Broken plugins" in result.stdout
    assert "ModuleNotFoundError" in result.stdout


def test_tables_with_no_domain_installed_say_so(cli_site: Site) -> None:
    result = _run()

    assert result.exit_code == 0
    assert result.stdout.strip() == (
        f"No domains installed (entry-point group {ENTRY_POINT_GROUP!r})."
    )


def test_strict_mode_exits_4_with_the_error_on_stderr(
    cli_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_and_good(cli_site)
    monkeypatch.setenv("WDH_STRICT_PLUGINS", "1")

    result = _run("--json")

    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: plugin wdh-broken 0.9 (entry point 'wdh_broken'): import failed: "
        "ModuleNotFoundError"
    )


@pytest.mark.parametrize("command", [["domains"], ["domains", "list"]])
def test_help_works(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])

    assert result.exit_code == 0, result.output
    assert f"Usage: workdatahub {' '.join(command)}" in result.output


def test_the_console_script_finds_an_installed_plugin_and_a_broken_one(site: Site) -> None:
    project = tomllib.loads((TEST_PLUGIN / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    site.add_metadata(
        project["name"], project["version"], project["entry-points"][ENTRY_POINT_GROUP]
    )
    site.add("wdh-broken", "raise RuntimeError('plugin configuration missing')\n")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site.root), str(TEST_PLUGIN / "src")]),
        "WDH_PLUGINS_ALLOW": "workdatahub-test-plugin,wdh-broken",
        "WDH_STRICT_PLUGINS": "0",
    }
    script = Path(sys.executable).parent / "workdatahub"

    completed = subprocess.run(
        [str(script), "domains", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    listing = json.loads(completed.stdout)
    assert listing["domains"] == [
        {
            "name": "test_events",
            "distribution": "workdatahub-test-plugin",
            "version": "0.1.0",
            "table": "public.test_events",
            "write_mode": "append",
        }
    ]
    assert [
        (broken["distribution"], broken["error"].split(" (at ")[0]) for broken in listing["broken"]
    ] == [("wdh-broken", "import failed: RuntimeError: plugin configuration missing")]
