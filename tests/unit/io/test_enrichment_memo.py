"""The resolver's memory of answered entries: keys equal exactly when entries are."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from work_data_hub.io.enrichment_memo import AnsweredEntries, entry_keys

pytestmark = pytest.mark.unit

FIELD = st.one_of(st.none(), st.text(alphabet=st.sampled_from("ab:-1\x1f名 "), max_size=4))
ENTRY = st.tuples(FIELD, FIELD, FIELD)


def _keys(entries: list[tuple[str | None, str | None, str | None]]) -> list[str]:
    fields = [pd.Series([entry[i] for entry in entries], dtype="object") for i in range(3)]
    keys: list[str] = entry_keys(fields).to_pylist()
    return keys


@given(st.lists(ENTRY, min_size=1, max_size=30))
def test_two_entries_share_a_key_exactly_when_every_field_is_equal(
    entries: list[tuple[str | None, str | None, str | None]],
) -> None:
    keys = _keys(entries)
    for first, first_key in zip(entries, keys, strict=True):
        for second, second_key in zip(entries, keys, strict=True):
            assert (first_key == second_key) == (first == second)


def test_a_missing_field_and_an_empty_or_dash_text_get_different_keys() -> None:
    keys = _keys([(None, "a", None), ("", "a", None), ("-", "a", None), ("0:", "a", None)])
    assert len(set(keys)) == 4


def test_answers_come_back_from_where_their_keys_were_added() -> None:
    memo = AnsweredEntries()
    memo.add(pa.array(["k1", "k2"], pa.large_string()), ["IN1", None])
    memo.add(pa.array(["k3"], pa.large_string()), ["IN3"])
    positions = memo.positions(pa.array(["k3", "new", "k2", "k1"], pa.large_string()))
    assert positions.tolist() == [2, -1, 1, 0]
    assert memo.answers(positions[positions >= 0]) == ["IN3", None, "IN1"]
    assert len(memo) == 3


def test_an_empty_memory_knows_no_key() -> None:
    positions = AnsweredEntries().positions(pa.array(["k"], pa.large_string()))
    assert np.array_equal(positions, [-1])


def test_columns_held_in_several_chunks_give_the_same_keys() -> None:
    chunked = pd.Series(
        pd.arrays.ArrowStringArray(pa.chunked_array([["a"], [None, "b"]], type=pa.large_string()))
    )
    whole = pd.Series(["a", None, "b"], dtype="object")
    keys = entry_keys([chunked, chunked, chunked])
    memo = AnsweredEntries()
    memo.add(keys, ["1", "2", "3"])
    assert keys.to_pylist() == entry_keys([whole, whole, whole]).to_pylist()
    assert memo.positions(keys).tolist() == [0, 1, 2]
