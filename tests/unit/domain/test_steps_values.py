"""Value steps: map, replace, strip prefixes, fill defaults by condition."""

from typing import Any

import pandas as pd
import pytest
from work_data_hub.domain.pipelines import PipelineContext
from work_data_hub.domain.steps import FillDefault, FillDown, MapValues, ReplaceValues, StripPrefix

pytestmark = pytest.mark.unit

BRANCHES = {"新疆": "G23", "北京": "G01", "战略": "G37", "北分": "G37"}


def test_map_values_with_default_into_a_target(context: PipelineContext) -> None:
    data = pd.DataFrame({"机构名称": ["新疆", " 北京 ", "北分", "null", None, "火星"]})

    mapped = MapValues("机构名称", BRANCHES, default="G00", target="机构代码").execute(
        data, context
    )

    assert mapped["机构代码"].tolist() == ["G23", "G01", "G37", "G00", "G00", "G00"]
    assert mapped["机构名称"].tolist()[:2] == ["新疆", " 北京 "]


def test_map_values_can_keep_unmapped_values(context: PipelineContext) -> None:
    data = pd.DataFrame({"b": ["新疆", "火星", None]})

    mapped = MapValues("b", BRANCHES, keep_unmapped=True).execute(data, context)

    assert mapped["b"].tolist()[:2] == ["G23", "火星"]
    assert pd.isna(mapped["b"].iloc[2])


def test_map_values_works_on_numbers(context: PipelineContext) -> None:
    data = pd.DataFrame({"n": [1, 2, 3]})

    assert MapValues("n", {1: "one", 2: "two"}).execute(data, context)["n"].tolist()[:2] == [
        "one",
        "two",
    ]


def test_replace_values_fixes_known_typos_only(context: PipelineContext) -> None:
    data = pd.DataFrame({"计划代码": ["1P0290", "1P0807", "P0290", "X1P0290", None]})

    replaced = ReplaceValues("计划代码", {"1P0290": "P0290", "1P0807": "P0807"}).execute(
        data, context
    )

    assert replaced["计划代码"].tolist()[:4] == ["P0290", "P0807", "P0290", "X1P0290"]
    assert pd.isna(replaced["计划代码"].iloc[4])


def test_replace_values_with_regex_patterns_in_order(context: PipelineContext) -> None:
    data = pd.DataFrame({"code": ["A-1", "B-2"]})

    step = ReplaceValues("code", {"-": "", "^A": "Z"}, regex=True, target="clean")

    assert step.execute(data, context)["clean"].tolist() == ["Z1", "B2"]


def test_strip_prefix_removes_one_leading_prefix(context: PipelineContext) -> None:
    data = pd.DataFrame({"组合代码": ["F123", "FF9", "123", None]})

    stripped = StripPrefix("组合代码", "F").execute(data, context)

    assert stripped["组合代码"].tolist()[:3] == ["123", "F9", "123"]
    assert pd.isna(stripped["组合代码"].iloc[3])


def test_fill_default_by_mapping_condition(context: PipelineContext) -> None:
    data = pd.DataFrame(
        {
            "计划代码": [None, "", "  ", "P1", None],
            "计划类型": ["集合计划", "单一计划", "集合计划", "集合计划", "其他"],
        }
    )
    steps = [
        FillDefault("计划代码", "AN001", when={"计划类型": "集合计划"}),
        FillDefault("计划代码", "AN002", when={"计划类型": ["单一计划"]}),
    ]

    for step in steps:
        data = step.execute(data, context)

    assert data["计划代码"].tolist()[:4] == ["AN001", "AN002", "AN001", "P1"]
    assert pd.isna(data["计划代码"].iloc[4])


def test_fill_default_by_callable_and_without_condition(context: PipelineContext) -> None:
    data = pd.DataFrame(
        {"组合代码": [None, None, "X"], "业务类型": ["职年受托", "企年投资", "职年投资"]}
    )

    filled = FillDefault(
        "组合代码", "QTAN003", when=lambda frame: frame["业务类型"].str.startswith("职年")
    ).execute(data, context)
    everything = FillDefault("组合代码", "QTAN001").execute(filled, context)

    assert filled["组合代码"].tolist()[0] == "QTAN003"
    assert pd.isna(filled["组合代码"].iloc[1])
    assert everything["组合代码"].tolist() == ["QTAN003", "QTAN001", "X"]


def test_fill_default_condition_on_a_missing_column_is_an_error(context: PipelineContext) -> None:
    data = pd.DataFrame({"a": [None]})

    with pytest.raises(KeyError, match="'计划类型' not found"):
        FillDefault("a", 1, when={"计划类型": "集合计划"}).execute(data, context)


def test_fill_default_from_another_column_in_the_matching_rows(context: PipelineContext) -> None:
    data = pd.DataFrame(
        {
            "客户名称": [None, " ", "甲公司", None, None],
            "计划类型": ["单一计划", "单一计划", "单一计划", "集合计划", None],
            "计划名称": ["乙公司企业年金计划", "丙计划", "丁计划", "如意人生", "戊计划"],
        }
    )
    before = data.copy()

    step = FillDefault("客户名称", from_column="计划名称", when={"计划类型": "单一计划"})
    filled = step.execute(data, context)

    assert filled["客户名称"].tolist()[:3] == ["乙公司企业年金计划", "丙计划", "甲公司"]
    assert filled["客户名称"].iloc[3:].isna().all()
    pd.testing.assert_frame_equal(data, before)


def test_fill_default_from_a_missing_column_is_an_error(context: PipelineContext) -> None:
    data = pd.DataFrame({"客户名称": [None]})

    with pytest.raises(KeyError, match="'计划名称' not found"):
        FillDefault("客户名称", from_column="计划名称").execute(data, context)


@pytest.mark.parametrize(
    "arguments", [{}, {"value": "x", "from_column": "计划名称"}], ids=["neither", "both"]
)
def test_fill_default_needs_exactly_one_source_of_values(arguments: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="give either value or from_column"):
        FillDefault("客户名称", **arguments)


def test_fill_down_gives_a_merged_cell_to_every_row_of_its_range(context: PipelineContext) -> None:
    frame = pd.DataFrame(
        {
            "业务类型": pd.Series([None, "企年受托", None, " ", "企年投资", None], dtype="str"),
            "金额": pd.Series(["1", "2", None, "4", "5", "6"], dtype="str"),
        }
    )

    filled = FillDown(["业务类型"]).execute(frame, context)

    assert filled["业务类型"].tolist()[1:] == [
        "企年受托",
        "企年受托",
        "企年受托",
        "企年投资",
        "企年投资",
    ]
    assert pd.isna(filled["业务类型"].iat[0])
    assert filled["金额"].tolist()[:2] == ["1", "2"]
    assert pd.isna(filled["金额"].iat[2])
