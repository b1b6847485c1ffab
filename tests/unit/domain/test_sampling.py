"""Sampling helpers: seeded, and what they write is what the cleansing rules read back."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from work_data_hub.cleansing import clean_money, clean_rate, normalise_company_name, parse_month
from work_data_hub.domain.sampling import (
    BLANK_NAMES,
    FUTURE_MONTH,
    MONTH_SPELLINGS,
    NAME_DECORATIONS,
    PERCENT,
    THOUSANDS,
    UNREADABLE_MONTHS,
    YUAN,
    bands,
    company_names,
    decorated_names,
    digits,
    fullwidth_digits,
    maybe,
    month_cells,
    month_spellings,
    pick,
    rejection_groups,
    styled,
    vary_headers,
)

pytestmark = pytest.mark.unit

FAST = settings(max_examples=50, deadline=None)
SEEDS = st.integers(0, 2**32 - 1)


def _rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_the_same_seed_draws_the_same_cells_and_another_seed_others() -> None:
    def draw(seed: int) -> list[object]:
        rng = _rng(seed)
        return [*pick(rng, ("a", "b", "c"), 50), *company_names(rng, 20)]

    assert draw(1) == draw(1)
    assert draw(1) != draw(2)


def test_pick_draws_only_from_the_pool_with_the_given_probabilities() -> None:
    cells = pick(_rng(), ("x", 7, None), 200, p=(0.5, 0.5, 0.0))

    assert cells.dtype == object
    assert set(cells) == {"x", 7}


def test_bands_are_disjoint_and_about_their_share() -> None:
    low, high = bands(_rng(), 100_000, 0.1, 0.3)

    assert not (low & high).any()
    assert low.mean() == pytest.approx(0.1, abs=0.01)
    assert high.mean() == pytest.approx(0.3, abs=0.01)


def test_digits_and_maybe_write_codes_and_empty_cells() -> None:
    codes = digits(_rng(), "ZH", 5, 100)
    cells = maybe(codes, np.arange(100) % 2 == 0)

    assert all(len(code) == 7 and code.startswith("ZH") and code[2] != "0" for code in codes)
    assert cells[0] == codes[0]
    assert cells[1] is None


def test_a_month_has_five_spellings() -> None:
    assert month_spellings(202411) == {
        "number": 202411,
        "iso": "2024-11",
        "chinese": "2024年11月",
        "short": "24年11月",
        "fullwidth": "２０２４年１１月",
    }
    assert tuple(month_spellings(202401)) == MONTH_SPELLINGS
    assert fullwidth_digits("a1") == "a１"


@FAST
@given(year=st.integers(2000, 2030), month=st.integers(1, 12), seed=SEEDS)
def test_every_month_spelling_parses_back_to_its_month(year: int, month: int, seed: int) -> None:
    shares = dict.fromkeys(MONTH_SPELLINGS, 1 / len(MONTH_SPELLINGS))
    cells = month_cells(_rng(seed), year * 100 + month, 30, shares)

    parsed = parse_month(pd.Series(cells, dtype=object))

    assert (parsed == pd.Timestamp(year, month, 1)).all()


def test_planted_months_are_unreadable_or_in_the_future() -> None:
    parsed = parse_month(pd.Series([*UNREADABLE_MONTHS, FUTURE_MONTH], dtype=object))

    assert parsed.iloc[:3].isna().all()
    assert parsed.iloc[3] == pd.Timestamp(2030, 12, 1)


def test_company_names_can_put_the_place_in_brackets() -> None:
    plain = company_names(_rng(), 50, forms=("有限公司",), bracketed=0.0)
    inside = company_names(_rng(), 50, bracketed=1.0)

    assert all(name.endswith("有限公司") and "（" not in name for name in plain)
    assert all("（" in name and name.endswith("公司") for name in inside)


@FAST
@given(seed=SEEDS)
def test_decorated_names_normalise_to_the_names_or_to_nothing(seed: int) -> None:
    rng = _rng(seed)
    names = company_names(rng, 300)
    cells = decorated_names(rng, names, suffixed=0.3, former=0.2, quoted=0.2, blank=0.1)

    normalised = normalise_company_name(pd.Series(cells, dtype=object))
    blank = np.isin(cells, BLANK_NAMES)
    assert normalised[~blank].tolist() == normalise_company_name(pd.Series(names[~blank])).tolist()
    assert normalised[blank].isna().all()


def test_decorated_names_hold_every_kind_of_decoration() -> None:
    cells = pd.Series(decorated_names(_rng(), company_names(_rng(), 5_000)), dtype="str")

    assert any(cells.str.endswith(decoration).any() for decoration in NAME_DECORATIONS)
    assert cells.str.startswith("原").any()
    assert cells.str.startswith(" “").any()
    assert cells.isin(BLANK_NAMES).any()


@FAST
@given(seed=SEEDS)
def test_styled_amounts_and_rates_read_back_as_the_numbers(seed: int) -> None:
    rng = _rng(seed)
    amounts = np.round(rng.lognormal(10, 2, 200), 2)
    rates = np.round(rng.normal(0, 0.05, 200), 4)

    money = styled(rng, amounts, {YUAN: 0.3, THOUSANDS: 0.3}, empty=0.2)
    percent = styled(rng, rates, {PERCENT: 0.5})

    written = np.array([cell is not None for cell in money])
    read = clean_money(pd.Series(money, dtype=object)).to_numpy()
    assert read[written].tolist() == [Decimal(repr(amount)) for amount in amounts[written].tolist()]
    assert 0 < written.sum() < len(money)
    assert np.allclose(clean_rate(pd.Series(percent, dtype=object)).to_numpy(float), rates)
    assert any(isinstance(cell, str) and cell.startswith("¥") for cell in money)


@pytest.mark.parametrize(("size", "per_kind"), [(0, 0), (7, 0), (8, 1), (801, 2), (4_000, 5)])
def test_rejection_groups_are_disjoint_and_sized_by_the_sheet(size: int, per_kind: int) -> None:
    groups = rejection_groups(_rng(), size, kinds=4, every=800)

    assert [len(group) for group in groups] == [per_kind] * 4
    positions = np.concatenate(groups)
    assert len(set(positions.tolist())) == len(positions)
    assert all(0 <= position < size for position in positions)


def test_rejection_groups_never_need_more_rows_than_the_sheet_has() -> None:
    groups = rejection_groups(_rng(), 9, kinds=3, every=2)

    assert [len(group) for group in groups] == [3, 3, 3]


def test_vary_headers_renames_each_variant_in_some_sheets_only() -> None:
    sheet = pd.DataFrame(columns=["计划代码", "流失(含待遇支付)", "月度"])
    variants = {"计划代码": "计划号", "流失(含待遇支付)": "流失（含待遇支付）"}

    headers = [tuple(vary_headers(_rng(seed), sheet, variants).columns) for seed in range(16)]

    assert {header[0] for header in headers} == {"计划代码", "计划号"}
    assert {header[1] for header in headers} == {"流失(含待遇支付)", "流失（含待遇支付）"}
    assert {header[2] for header in headers} == {"月度"}
    assert list(sheet.columns) == ["计划代码", "流失(含待遇支付)", "月度"]
