"""Temporary company ids computed in one batch equal the ids computed name by name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from work_data_hub.io.enrichment import temporary_company_id, temporary_company_ids

pytestmark = pytest.mark.unit

KEY = b"test-key"


@given(st.lists(st.text(max_size=12), max_size=30))
def test_batch_ids_equal_single_ids(names: list[str]) -> None:
    ids = temporary_company_ids(names, KEY)

    assert ids == {name: temporary_company_id(name, KEY) for name in names}


def test_blank_names_get_no_id_and_repeats_one_entry() -> None:
    ids = temporary_company_ids(["甲公司", " ", "甲公司", ""], KEY)

    assert ids == {"甲公司": temporary_company_id("甲公司", KEY), " ": None, "": None}
    assert len(ids["甲公司"] or "") == 18
