"""Run progress: drawn on a terminal, stage by stage with its rows; nothing elsewhere."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console
from work_data_hub.cli.progress import run_progress

pytestmark = pytest.mark.unit


def test_on_a_terminal_each_stage_shows_with_its_rows() -> None:
    output = StringIO()
    console = Console(file=output, force_terminal=True, width=100)

    with run_progress(console) as progress:
        stage_started = progress("annuity_performance")
        stage_started("read", None)
        stage_started("transform", 35_000)
        stage_started("load", 34_990)

    assert "annuity_performance  load 34,990 rows" in output.getvalue()


def test_elsewhere_nothing_is_drawn() -> None:
    output = StringIO()

    with run_progress(Console(file=output, force_terminal=False)) as progress:
        progress("annuity_performance")("transform", 35_000)

    assert output.getvalue() == ""
