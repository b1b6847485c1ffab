"""normalise_company_name: the annuity document's rule 11."""

import pandas as pd
import pytest
from work_data_hub.cleansing import normalise_company_name

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  中国 平安 ", "中国平安"),
        ("中国\u3000平安\n", "中国平安"),
        ("“中国平安”", "中国平安"),
        ("'中国平安'", "中国平安"),
        ("中国银行(已转出)", "中国银行"),
        ("中国银行（已转出）", "中国银行"),
        ("中国银行已注销", "中国银行"),
        ("中国银行-清算", "中国银行"),
        ("【注销】中国银行", "中国银行"),
        ("原中国银行", "中国银行"),
        ("某某公司-养老", "某某公司"),
        ("某某公司_企年", "某某公司"),
        ("某某公司(北京)", "某某公司"),
        ("某某公司【北京】", "某某公司"),
        ("某某(集团)", "某某(集团)"),
        ("某某科技(有限公司)", "某某科技(有限公司)"),
        ("某某有限公司（原某某厂）", "某某有限公司"),
        ("某某公司 -养老 (已注销)", "某某公司"),
        ("ｘｙｚ科技ltd", "XYZ科技LTD"),
        ("abc Co., Ltd.", "ABCCO.,LTD."),
    ],
)
def test_names_are_normalised(raw: str, normalised: str) -> None:
    assert normalise_company_name(pd.Series([raw])).iloc[0] == normalised


@pytest.mark.parametrize(
    "raw", ["null", "NULL", "空白", "-", "", "  ", None, "(已转出)", "原", "()"], ids=repr
)
def test_placeholders_and_empty_names_are_missing(raw: object) -> None:
    assert pd.isna(normalise_company_name(pd.Series([raw], dtype=object)).iloc[0])


def test_index_is_kept_and_repeated_names_agree() -> None:
    names = pd.Series(["甲公司(北京)", "甲公司", "甲公司(北京)"], index=[5, 6, 7])

    normalised = normalise_company_name(names)

    assert normalised.index.tolist() == [5, 6, 7]
    assert normalised.tolist() == ["甲公司", "甲公司", "甲公司"]
