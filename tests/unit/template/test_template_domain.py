"""The domain template: answers are checked before anything is generated, the core pin is current,
and the kept sample package is exactly what the template generates today."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import work_data_hub
from cookiecutter.main import cookiecutter

pytestmark = pytest.mark.unit

REPOSITORY = Path(__file__).resolve().parents[3]
TEMPLATE = REPOSITORY / "templates" / "domain"
SAMPLE_ANSWERS = TEMPLATE / "sample-csv.yaml"
KEPT_PACKAGE = REPOSITORY / "packages" / "workdatahub-sample-csv"
CORE_PYPROJECT = REPOSITORY / "packages" / "workdatahub-core" / "pyproject.toml"
NOT_GENERATED = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
REGENERATE = (
    "uv run cookiecutter templates/domain --no-input --config-file templates/domain/sample-csv.yaml"
    " --output-dir packages --overwrite-if-exists"
)


def _template_defaults() -> dict[str, Any]:
    """The answers ``--no-input`` gives, as the hooks receive them (Jinja defaults by hand)."""
    declared: dict[str, Any] = json.loads((TEMPLATE / "cookiecutter.json").read_text("utf-8"))
    answers = {
        key: value[0] if isinstance(value, list) and key != "_starter_columns" else value
        for key, value in declared.items()
    }
    return answers | {"title": "Account balances", "target_table": answers["domain_name"]}


def _pre_gen_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "pre_gen_project", TEMPLATE / "hooks" / "pre_gen_project.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _problems(**changes: str) -> list[str]:
    found: list[str] = _pre_gen_hook().problems(_template_defaults() | changes)
    return found


def test_the_default_answers_pass_the_checks() -> None:
    assert _problems() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"domain_name": "Account-Balances"}, "domain_name 'Account-Balances' is not snake_case"),
        ({"domain_name": "2nd_domain"}, "is not snake_case"),
        ({"domain_name": "a" * 41}, "is longer than 40 characters"),
        ({"domain_name": "core"}, "reserved for the core's migrations"),
        ({"target_table": "my table"}, "target_table 'my table' is not snake_case"),
        ({"title": 'the "best" domain'}, "must not contain double quotes"),
        ({"title": "年金" * 13}, "is too long: at most 50 columns wide"),
        ({"title": " "}, "title is empty"),
        ({"sheet_name": "2024/11"}, "is no Excel sheet name"),
        ({"keys": ""}, "write_mode delete_insert needs keys"),
        ({"keys": "month,month"}, "name a column twice"),
        ({"keys": "month,wdh_source_row"}, "reserved for lineage columns"),
        ({"keys": "month", "write_mode": "upsert"}, "upsert needs keys that identify one row"),
        ({"author": "back\\slash"}, "must not contain double quotes, backslashes"),
    ],
)
def test_a_bad_answer_is_named_with_what_to_do(changes: dict[str, str], expected: str) -> None:
    problems = _problems(**changes)
    assert len(problems) == 1, problems
    assert expected in problems[0]


@pytest.mark.parametrize(
    "changes",
    [
        {"source_type": "csv", "sheet_name": "ignored/for csv"},
        {"keys": "", "write_mode": "append"},
        {"keys": "month, plan_code", "write_mode": "upsert"},
        {"keys": " month , account ", "title": "年金收入"},
    ],
)
def test_answers_that_generate_a_working_package_pass(changes: dict[str, str]) -> None:
    assert _problems(**changes) == []


def test_cookiecutter_stops_with_exit_1_and_generates_nothing(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"replay_dir: {json.dumps(str(tmp_path / 'replay'))}\n", "utf-8")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "cookiecutter", str(TEMPLATE), "--no-input"),
            *("--config-file", str(config), "--output-dir", str(tmp_path / "out")),
            *("domain_name=Bad-Name", "keys="),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert "error: domain_name 'Bad-Name' is not snake_case" in result.stderr
    assert "error: write_mode delete_insert needs keys" in result.stderr
    assert not any((tmp_path / "out").glob("*"))


def test_the_template_pins_the_cores_own_version() -> None:
    declared = json.loads((TEMPLATE / "cookiecutter.json").read_text("utf-8"))
    core = tomllib.loads(CORE_PYPROJECT.read_text("utf-8"))["project"]["version"]
    assert declared["_core_version"] == core == work_data_hub.__version__


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not NOT_GENERATED & set(path.relative_to(root).parts)
    }


def test_the_kept_sample_package_is_what_the_template_generates(tmp_path: Path) -> None:
    config = tmp_path / "sample-csv.yaml"
    config.write_text(
        SAMPLE_ANSWERS.read_text("utf-8") + f"replay_dir: {json.dumps(str(tmp_path / 'replay'))}\n",
        "utf-8",
    )
    generated = Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, config_file=str(config), output_dir=str(tmp_path / "out")
        )
    )

    expected, actual = _files(KEPT_PACKAGE), _files(generated)
    stale = sorted(
        name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name)
    )
    assert not stale, f"packages/workdatahub-sample-csv is stale in {stale}; run: {REGENERATE}"
    assert "src/workdatahub_sample_csv/plugin.py" in actual
