"""docs/plugin-api.md documents every hook in hookspecs.py (a heading and an example each) and
every field of ``Domain``."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from work_data_hub.plugins import Domain, hookspecs
from work_data_hub.plugins.policy import ALLOW_VARIABLE, BLOCK_VARIABLE, STRICT_VARIABLE

pytestmark = pytest.mark.unit

PLUGIN_API = Path(__file__).parents[3] / "docs" / "plugin-api.md"
SPEC_MARKER = f"{hookspecs.PROJECT_NAME}_spec"


def _hook_names() -> list[str]:
    return sorted(name for name, value in vars(hookspecs).items() if hasattr(value, SPEC_MARKER))


def _code_blocks(text: str) -> str:
    return "\n".join(re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.DOTALL))


def test_the_hook_specs_are_found() -> None:
    assert _hook_names() == [
        "workdatahub_company_lookup",
        "workdatahub_readers",
        "workdatahub_step_types",
    ]


@pytest.mark.parametrize("hook", _hook_names())
def test_every_hook_has_a_heading_and_an_example(hook: str) -> None:
    text = PLUGIN_API.read_text(encoding="utf-8")

    assert re.search(rf"^#+ `{hook}`$", text, flags=re.MULTILINE), f"no heading for {hook}"
    assert f"def {hook}(" in _code_blocks(text), f"no example implementing {hook}"


@pytest.mark.parametrize("field", [field.name for field in dataclasses.fields(Domain)])
def test_every_domain_field_has_a_row(field: str) -> None:
    text = PLUGIN_API.read_text(encoding="utf-8")

    assert re.search(rf"^\| `{field}` \|", text, flags=re.MULTILINE), f"no row for {field}"


def test_the_environment_variables_are_documented() -> None:
    text = PLUGIN_API.read_text(encoding="utf-8")

    for variable in (STRICT_VARIABLE, ALLOW_VARIABLE, BLOCK_VARIABLE):
        assert f"`{variable}`" in text
