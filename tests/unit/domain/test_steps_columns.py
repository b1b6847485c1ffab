"""Column-shaping steps: rename with header aliases, copy, derive, drop."""

import pandas as pd
import pytest
from work_data_hub.domain.columns import EXECUTION_ID_COLUMN, SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import PipelineContext
from work_data_hub.domain.steps import (
    CopyColumn,
    DeriveColumn,
    DropColumns,
    MissingColumnsError,
    RenameColumns,
)

pytestmark = pytest.mark.unit

CANONICAL_OUTFLOW = "流失(含待遇支付)"


def test_rename_matches_full_width_parentheses_spaces_and_case(context: PipelineContext) -> None:
    data = pd.DataFrame(
        {"流失（含待遇支付）": [1], " 机构 ": ["新疆"], "Plan Code": ["P1"], "其他": [0]}
    )
    step = RenameColumns(
        {CANONICAL_OUTFLOW: CANONICAL_OUTFLOW, "机构": "机构名称", "plancode": "计划代码"}
    )

    renamed = step.execute(data, context)

    assert list(renamed.columns) == [CANONICAL_OUTFLOW, "机构名称", "计划代码", "其他"]
    assert list(data.columns) == ["流失（含待遇支付）", " 机构 ", "Plan Code", "其他"]


def test_rename_leaves_lineage_columns_alone(context: PipelineContext) -> None:
    data = pd.DataFrame({SOURCE_ROW_COLUMN: [2], "a": [1]})

    renamed = RenameColumns({SOURCE_ROW_COLUMN: "row", "a": "b"}).execute(data, context)

    assert list(renamed.columns) == [SOURCE_ROW_COLUMN, "b"]


def test_rename_refuses_two_columns_ending_with_one_name(context: PipelineContext) -> None:
    data = pd.DataFrame({"计划号": ["P1"], "计划代码": ["P2"]})

    with pytest.raises(ValueError, match="'计划号', '计划代码' would all be named '计划代码'"):
        RenameColumns({"计划号": "计划代码"}).execute(data, context)


def test_copy_column_keeps_the_source(context: PipelineContext) -> None:
    data = pd.DataFrame({"客户名称": [" 某公司 "]})

    copied = CopyColumn("客户名称", "年金账户名").execute(data, context)

    assert copied["年金账户名"].tolist() == [" 某公司 "]
    assert copied["客户名称"].tolist() == [" 某公司 "]


def test_a_missing_column_is_named_with_the_step_and_the_available_columns(
    context: PipelineContext,
) -> None:
    with pytest.raises(MissingColumnsError) as raised:
        CopyColumn("客户名称", "x").execute(pd.DataFrame({"a": [1]}), context)

    assert str(raised.value) == "step 'copy_column': column(s) '客户名称' not found; available: a"
    assert isinstance(raised.value, KeyError)


def test_derive_column_from_a_mapping_with_default(context: PipelineContext) -> None:
    data = pd.DataFrame({"业务类型": ["企年投资", "职年受托", "其他", None]})
    step = DeriveColumn(
        "产品线代码",
        source="业务类型",
        mapping={"企年投资": "PL201", "职年受托": "PL204"},
        default="PL301",
    )

    derived = step.execute(data, context)

    assert derived["产品线代码"].tolist() == ["PL201", "PL204", "PL301", "PL301"]


def test_derive_column_from_a_vectorised_function(context: PipelineContext) -> None:
    data = pd.DataFrame({"a": [1, 2], "b": [10, 20]})

    derived = DeriveColumn("total", func=lambda frame: frame["a"] + frame["b"]).execute(
        data, context
    )

    assert derived["total"].tolist() == [11, 22]
    assert "total" not in data.columns


def test_derive_column_needs_exactly_one_way_to_compute() -> None:
    with pytest.raises(ValueError, match="either func, or source and mapping"):
        DeriveColumn("x")
    with pytest.raises(ValueError, match="either func, or source and mapping"):
        DeriveColumn("x", func=lambda f: f["a"], source="a", mapping={})


def test_drop_columns_ignores_absent_ones(context: PipelineContext) -> None:
    data = pd.DataFrame({"a": [1], "b": [2]})

    assert list(DropColumns(["a", "zzz"]).execute(data, context).columns) == ["b"]


def test_drop_columns_protects_lineage_and_refuses_a_bare_string() -> None:
    with pytest.raises(ValueError, match="lineage columns"):
        DropColumns([EXECUTION_ID_COLUMN])
    with pytest.raises(TypeError, match="not the string 'abc'"):
        DropColumns("abc")
