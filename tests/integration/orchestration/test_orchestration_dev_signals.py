"""The ``make dagster`` launcher stops its child the way Ctrl+C does, and returns its exit code.

Real processes and signals (a few seconds each), so these run with the integration tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.integration


LAUNCHER = """
import sys
from work_data_hub.orchestration.dev import run_until_stopped

child = [
    sys.executable,
    "-c",
    "import signal, sys, time; signal.signal(signal.SIGINT, lambda *a: sys.exit(7)); "
    "print('ready', flush=True); time.sleep(30)",
]
sys.exit(run_until_stopped(child, {}))
"""


def _stop(launcher: subprocess.Popen[str], stop_signal: signal.Signals) -> None:
    if stop_signal == signal.SIGINT:
        # Ctrl+C in a terminal reaches the whole foreground process group.
        os.killpg(launcher.pid, signal.SIGINT)
    else:
        launcher.send_signal(stop_signal)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_the_launcher_stops_its_child_with_sigint_and_returns_its_exit_code(
    stop_signal: signal.Signals,
) -> None:
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert launcher.stdout is not None
        assert launcher.stdout.readline().strip() == "ready"
        time.sleep(0.2)
        _stop(launcher, stop_signal)
        assert launcher.wait(timeout=20) == 7, launcher.communicate()[1]
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
