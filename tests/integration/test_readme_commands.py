"""The README's runnable shell blocks work as written, in a fresh shell at the repository root.

A block runs when the line above its fence is ``<!-- runnable: … -->``. The shell starts with
the PATH of a user who has not installed uv (the system's directories only), so a command
that needs ``.tools/bin`` on the PATH must say so in the block, as the README does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
RUNNABLE = re.compile(r"<!-- runnable:[^>]*-->\n```(?:bash|sh)\n(.*?)```", re.DOTALL)
FRESH_PATH = "/usr/local/bin:/usr/bin:/bin"


def _blocks(document: Path) -> list[str]:
    return RUNNABLE.findall(document.read_text(encoding="utf-8"))


def test_the_readme_has_runnable_blocks() -> None:
    assert _blocks(ROOT / "README.md"), "README.md marks no block runnable"


@pytest.mark.parametrize("block", _blocks(ROOT / "README.md"))
def test_each_runnable_readme_block_succeeds_as_written(block: str) -> None:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "DATABASE_URL"}
    }
    environment["PATH"] = FRESH_PATH
    installed = shutil.which("uv")
    if not (ROOT / ".tools" / "bin" / "uv").exists() and installed is not None:
        # The Makefile used the uv already on the PATH and installed none into .tools.
        environment["PATH"] = f"{Path(installed).parent}:{FRESH_PATH}"

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, f"{block}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    assert "Traceback" not in done.stderr
