"""Header cleaning, column letters and header resolution shared by the Excel and CSV readers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.io.readers.headers import clean_header, column_letter, resolve_headers

pytestmark = pytest.mark.unit

PATH = Path("/inbox/规模.xlsx")


def _resolve(cells: list[str | None], source: SourceSpec) -> list[str | None]:
    return resolve_headers(
        cells, source, path=PATH, sheet="规模明细", row=3, position_name=column_letter
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("流失（含待遇支付）", "流失(含待遇支付)"),
        ("流失(含待遇支付)", "流失(含待遇支付)"),
        ("  期末\n资产  规模\t", "期末 资产 规模"),
        ("客户名称\u3000", "客户名称"),
        ("\ufeff月度", "月度"),
        ("计划\u200b代码", "计划代码"),
        ("ＡＢＣ１２３：", "ABC123:"),
        ("组合代码", "组合代码"),
    ],
)
def test_clean_header_trims_collapses_and_folds_full_width(raw: str, clean: str) -> None:
    assert clean_header(raw) == clean


@given(st.text())
def test_clean_header_is_idempotent(text: str) -> None:
    once = clean_header(text)
    assert clean_header(once) == once
    assert once == once.strip()
    assert "  " not in once


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (51, "AZ"), (702, "AAA")]
)
def test_column_letter(index: int, letter: str) -> None:
    assert column_letter(index) == letter


def test_aliases_apply_after_cleaning_and_empty_cells_have_no_name() -> None:
    source = SourceSpec(
        patterns=("*",),
        header_aliases={"计划号": "计划代码", "流失（含待遇支付）": "流失_含待遇支付"},
    )

    names = _resolve([" 计划号", None, "流失(含待遇支付)", "  ", "机构"], source)

    assert names == ["计划代码", None, "流失_含待遇支付", None, "机构"]


def test_duplicate_after_alias_names_both_positions() -> None:
    source = SourceSpec(patterns=("*",), header_aliases={"计划号": "计划代码"})

    with pytest.raises(SourceFileError) as raised:
        _resolve(["计划代码", "客户名称", "计划号"], source)

    assert str(raised.value) == (
        "file '规模.xlsx', sheet '规模明细', row 3, column '计划代码': duplicate header "
        "'计划代码': column A ('计划代码') and column C ('计划号'); rename or remove one of them"
    )
    assert raised.value.column == "计划代码"


def test_missing_required_columns_lists_them_and_the_columns_found() -> None:
    source = SourceSpec(
        patterns=("*",),
        required_columns=("月度", "计划代码", "流失(含待遇支付)"),
        header_aliases={"计划号": "计划代码"},
    )

    with pytest.raises(SourceFileError) as raised:
        _resolve(["计划号", "客户名称"], source)

    assert str(raised.value) == (
        "file '规模.xlsx', sheet '规模明细', row 3: missing required column(s) '月度', "
        "'流失(含待遇支付)'; columns found: '计划代码', '客户名称'"
    )


def test_required_columns_match_in_either_punctuation() -> None:
    source = SourceSpec(patterns=("*",), required_columns=("流失（含待遇支付）",))

    assert _resolve(["流失(含待遇支付)"], source) == ["流失(含待遇支付)"]


@pytest.mark.parametrize(
    ("cells", "aliases", "quoted"),
    [
        (["月度", "wdh_loaded_at"], {}, "'wdh_loaded_at' in column B"),
        (["月度", "客户名称", " WDH_Source_Row "], {}, "' WDH_Source_Row ' in column C"),
        (["ｗｄｈ＿execution＿id"], {}, "in column A"),
        (["月度", "批次"], {"批次": "wdh_execution_id"}, "'批次' in column B"),
    ],
)
def test_a_header_naming_a_lineage_column_rejects_the_file(
    cells: list[str | None], aliases: dict[str, str], quoted: str
) -> None:
    source = SourceSpec(patterns=("*",), header_aliases=aliases)

    with pytest.raises(SourceFileError, match="names a lineage column") as raised:
        _resolve(cells, source)

    assert quoted in str(raised.value)
    assert "row 3" in str(raised.value)
