"""The import-linter contract that keeps ``domain`` pure really fails on a bad import.

lint-imports runs with the repository's own contracts over a temporary copy of the core package,
once untouched and once with ``import work_data_hub.io`` added to ``work_data_hub.domain``.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import work_data_hub

pytestmark = pytest.mark.unit

REPOSITORY = Path(__file__).resolve().parents[2]
PYPROJECT = REPOSITORY / "pyproject.toml"
CORE_PACKAGE = Path(work_data_hub.__file__).resolve().parent
LINT_IMPORTS = (
    "import sys\n"
    "from importlinter.cli import lint_imports_command\n"
    "sys.argv = ['lint-imports', '--no-cache', '--no-logo', sys.argv[1]]\n"
    "lint_imports_command()\n"
)


def _purity_contract() -> str:
    contracts: list[dict[str, Any]] = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]["contracts"]
    [name] = [
        contract["name"]
        for contract in contracts
        if contract["type"] == "forbidden"
        and "work_data_hub.domain" in contract["source_modules"]
        and "work_data_hub.io" in contract["forbidden_modules"]
    ]
    return str(name)


def _copy_core(destination: Path) -> Path:
    source_root = destination / "src"
    shutil.copytree(
        CORE_PACKAGE,
        source_root / "work_data_hub",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return source_root


def _lint_imports(source_root: Path, cwd: Path) -> str:
    environment = {**os.environ, "PYTHONPATH": str(source_root)}
    result = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, str(PYPROJECT)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return result.stdout + result.stderr


def _status(output: str, contract: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith(f"{contract} ")]
    return line.removeprefix(f"{contract} ").strip()


def test_the_purity_contract_fails_when_domain_imports_io(tmp_path: Path) -> None:
    contract = _purity_contract()
    source_root = _copy_core(tmp_path)

    untouched = _lint_imports(source_root, tmp_path)
    assert _status(untouched, contract) == "KEPT", untouched

    domain_init = source_root / "work_data_hub" / "domain" / "__init__.py"
    domain_init.write_text(
        domain_init.read_text(encoding="utf-8") + "\nimport work_data_hub.io\n", encoding="utf-8"
    )
    broken = _lint_imports(source_root, tmp_path)
    assert _status(broken, contract) == "BROKEN", broken
    assert "work_data_hub.domain is not allowed to import work_data_hub.io" in broken
    assert "work_data_hub.domain -> work_data_hub.io" in broken
