"""Revisions are frozen: they carry their column definitions and never import a declaration.

A revision that imported the domain's live ``COLUMNS`` would create a later-added column in the
base revision too, and the revision that adds it would then fail on a fresh database.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from cookiecutter.main import cookiecutter
from sqlalchemy.dialects import postgresql
from work_data_hub.io.schema.tables import sqlalchemy_columns

pytestmark = pytest.mark.unit

REPOSITORY = Path(__file__).resolve().parents[4]
TEMPLATE = REPOSITORY / "templates" / "domain"
TEMPLATE_REVISIONS = sorted(
    (TEMPLATE / "{{cookiecutter.__distribution}}").rglob("migrations/versions/*.py")
)
DOMAIN_REVISIONS = sorted(REPOSITORY.glob("packages/workdatahub-*/src/*/migrations/versions/*.py"))
FROZEN_IMPORTS = {
    "__future__",
    "collections.abc",
    "typing",
    "sqlalchemy",
    "alembic",
    "work_data_hub.migrations",
}
IMPORT = re.compile(r"^(?:from|import) ([\w.]+)", re.MULTILINE)
POSTGRES = postgresql.dialect()  # type: ignore[no-untyped-call]


def _imports(path: Path) -> set[str]:
    return set(IMPORT.findall(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "path",
    [*DOMAIN_REVISIONS, *TEMPLATE_REVISIONS],
    ids=lambda path: path.parent.parent.parent.name + "/" + path.name,
)
def test_a_revision_imports_only_alembic_sqlalchemy_and_the_migration_helpers(path: Path) -> None:
    assert _imports(path) <= FROZEN_IMPORTS


def test_every_domain_package_and_the_template_have_a_revision() -> None:
    packages = {path.parents[2].name for path in DOMAIN_REVISIONS}
    assert {
        "workdatahub_annuity_performance",
        "workdatahub_annuity_income",
        "workdatahub_sample_csv",
    } <= packages
    assert len(TEMPLATE_REVISIONS) == 1


def _module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shape(columns: list[sa.Column[Any]]) -> list[tuple[str, str, bool | None, str | None]]:
    return [
        (column.name, str(column.type.compile(dialect=POSTGRES)), column.nullable, column.comment)
        for column in columns
    ]


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"keys": "month,plan_code", "write_mode": "upsert"},
        {"keys": "", "write_mode": "append"},
    ],
    ids=["defaults", "extra-key-upsert", "no-keys"],
)
def test_the_generated_base_revision_creates_the_generated_declarations(
    tmp_path: Path, answers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    root = Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context={"domain_name": "frozen_check", "source_type": "csv", **answers},
            output_dir=str(tmp_path),
        )
    )
    package = root / "src" / "workdatahub_frozen_check"
    declarations = _module(package / "declarations.py", "frozen_check_declarations")
    [path] = (package / "migrations" / "versions").glob("*.py")
    revision = _module(path, "frozen_check_revision")

    assert _shape(revision.columns()) == _shape(sqlalchemy_columns(declarations.COLUMNS))
    assert declarations.DEFINITION.table == revision.TABLE
    assert declarations.DEFINITION.db_schema == revision.SCHEMA
    assert declarations.DEFINITION.keys == revision.KEYS
    assert revision.branch_labels == (declarations.DEFINITION.name,)
    unique = f"unique_keys={declarations.DEFINITION.write_mode == 'upsert'}"
    assert unique in path.read_text(encoding="utf-8")
