"""The template's package imports the author API only, as the import contract holds the domains to.

import-linter checks the installed domain packages; the template is not importable before it is
rendered, so its imports are read from its source here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPOSITORY = Path(__file__).resolve().parents[3]
TEMPLATE = REPOSITORY / "templates" / "domain" / "{{cookiecutter.__distribution}}"
AUTHOR_MODULES = {"work_data_hub.plugins", "work_data_hub.sampling", "work_data_hub.migrations"}
TEST_MODULES = AUTHOR_MODULES | {"work_data_hub.testing"}


IMPORT = re.compile(r"^\s*(?:from|import)\s+(work_data_hub(?:\.\w+)*)", re.MULTILINE)
"""Import statements of the core; the files hold Jinja tags, so they are read as text."""


def _core_imports(path: Path) -> set[str]:
    return set(IMPORT.findall(path.read_text(encoding="utf-8")))


def _allowed(module: str, allowed: set[str]) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in allowed)


def test_the_template_source_imports_only_the_author_api() -> None:
    sources = sorted((TEMPLATE / "src").rglob("*.py"))
    assert len(sources) == 5

    imported = {path.name: _core_imports(path) for path in sources}

    assert {
        name: sorted(module for module in modules if not _allowed(module, AUTHOR_MODULES))
        for name, modules in imported.items()
    } == {name: [] for name in imported}
    assert set().union(*imported.values()) == {"work_data_hub.plugins", "work_data_hub.migrations"}


def test_the_template_tests_import_the_author_api_and_testing_only() -> None:
    tests = sorted((TEMPLATE / "tests").rglob("*.py"))
    assert tests

    outside = {
        path.name: sorted(m for m in _core_imports(path) if not _allowed(m, TEST_MODULES))
        for path in tests
    }

    assert outside == {path.name: [] for path in tests}


def test_the_import_contract_names_every_domain_package_of_the_workspace() -> None:
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if "author API" in contract["name"]
    ]
    packages = {
        path.parent.name
        for path in (REPOSITORY / "packages").glob("workdatahub-*/src/*/__init__.py")
        if path.parent.name != "work_data_hub"
    }

    assert set(contract["source_modules"]) == packages
