"""The documentation's value examples are the code that runs: the worked example of
docs/adding-a-domain.md is the tested declarations file, and the custom step of
docs/pipeline.md rejects rows as the page says."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import PipelineContext, RowValidationError

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "tests" / "integration" / "runs" / "branch_sales_domain.py"


def _block_after(page: Path, marker: str) -> str:
    """The first ```python block after ``marker`` on ``page``."""
    text = page.read_text(encoding="utf-8")
    match = re.search(re.escape(marker) + r".*?\n```python\n(.*?)```", text, re.DOTALL)
    assert match is not None, f"no python block after {marker!r} in {page.name}"
    return match.group(1)


def test_the_worked_example_block_is_the_tested_declarations_file() -> None:
    declared = EXAMPLE.read_text(encoding="utf-8")
    tested = declared.split("# --- begin worked example ---\n")[1].split("# --- end")[0]

    documented = _block_after(ROOT / "docs" / "adding-a-domain.md", "<!-- worked example:")

    assert documented == tested


def test_the_worked_example_declares_and_needs_no_python_rule() -> None:
    namespace: dict[str, object] = {}
    exec(_block_after(ROOT / "docs" / "adding-a-domain.md", "<!-- worked example:"), namespace)

    domain = namespace["BRANCH_SALES"]
    steps = domain.steps  # type: ignore[attr-defined]
    assert all(isinstance(step, dict) for step in steps)
    assert [step["step"] for step in steps] == [
        "parse_date",
        "clean_code",
        "clean_money",
        "clean_rate",
    ]
    assert domain.readers == {}  # type: ignore[attr-defined]


def test_the_custom_step_of_pipeline_md_rejects_rows_as_described(
    context: PipelineContext,
) -> None:
    namespace: dict[str, object] = {}
    exec(
        _block_after(ROOT / "docs" / "pipeline.md", "### Rejecting rows in a custom step"),
        namespace,
    )
    step = namespace["RejectClosedBranches"]()  # type: ignore[operator]
    data = pd.DataFrame({SOURCE_ROW_COLUMN: [2, 3], "状态": ["营业", "撤销"]})

    with pytest.raises(RowValidationError) as raised:
        step.execute(data, context)

    assert raised.value.valid[SOURCE_ROW_COLUMN].tolist() == [2]
    rejected = raised.value.rejected
    assert rejected["source_row"].tolist() == [3]
    assert rejected["reason"].tolist() == ["状态 '撤销': the branch is closed"]
    open_only = step.execute(data.iloc[:1], context)
    assert open_only[SOURCE_ROW_COLUMN].tolist() == [2]
