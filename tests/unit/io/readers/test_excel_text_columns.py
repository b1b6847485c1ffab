"""The Excel reader's vectorised cell-to-text conversion equals ``cell_text`` cell by cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from work_data_hub.io.readers.cell_text import cell_text, column_text

pytestmark = pytest.mark.unit

CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e6, max_value=1e6).map(lambda x: round(x, 2)),
    st.integers(min_value=-(2**60), max_value=2**60).map(float),
    st.text(max_size=6),
    st.just(""),
)
"""What python-calamine yields for a column of text and numbers (``""`` for an empty cell)."""

OTHER_CELLS = st.one_of(
    st.integers(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3)),
)


def _expected(cells: list[object]) -> list[str | None]:
    return [cell_text(cell) for cell in cells]  # type: ignore[arg-type]


@given(st.lists(CELLS, max_size=40))
def test_text_and_number_columns_read_as_cell_text(cells: list[object]) -> None:
    column = np.array(cells, dtype=object)

    assert column_text(column).to_pylist() == _expected(cells)


@given(st.lists(CELLS, max_size=20), st.lists(OTHER_CELLS, min_size=1, max_size=5))
def test_columns_with_other_cells_read_as_cell_text(
    cells: list[object], others: list[object]
) -> None:
    mixed = cells + others
    column = np.empty(len(mixed), dtype=object)
    column[:] = mixed

    assert column_text(column).to_pylist() == _expected(mixed)


def test_many_numbers_of_every_magnitude_read_as_cell_text() -> None:
    rng = np.random.default_rng(20261125)
    numbers = np.concatenate(
        [
            rng.integers(0, 2**64, 50_000, dtype=np.uint64).view(np.float64),
            rng.uniform(-1, 1, 50_000) * 10.0 ** rng.integers(-12, 25, 50_000),
            np.round(rng.normal(0, 1e7, 50_000), 2),
            np.array([1e-4, -1e-4, 9.999999999999999e-5, 2.0**52 + 0.5, 2.0**53, -0.0, 1e16]),
        ]
    )
    column = np.array(numbers.tolist(), dtype=object)

    assert column_text(column).to_pylist() == _expected(column.tolist())
