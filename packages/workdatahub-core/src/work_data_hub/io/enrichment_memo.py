"""The entries a company-id resolver has answered, held as Arrow text, not Python objects.

A run that enriches a million rows chunk by chunk meets some hundreds of thousands of distinct
(name, plan code, existing id) entries. Kept as a dict of tuples of Python strings they took
about 350 bytes each, over 100 MB that stayed until the run ended; as one Arrow text key per
entry, beside its answer, they take about 100 bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["AnsweredEntries", "entry_keys"]


def entry_keys(fields: Sequence[pd.Series]) -> pa.Array:
    """Return one text key per row of ``fields`` (text columns of equal length, missing values
    allowed), equal exactly when every field of the rows is: each field is written as its
    length in bytes, ``:`` and its text, or ``-`` when missing, so no two different entries
    share a key.
    """
    framed = []
    colon, nothing = pa.scalar(":", pa.large_string()), pa.scalar("", pa.large_string())
    for values in fields:
        text = pa.array(values, type=pa.large_string(), from_pandas=True)
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        lengths = pc.cast(pc.binary_length(text), pa.large_string())
        framed.append(pc.fill_null(pc.binary_join_element_wise(lengths, text, colon), "-"))
    return pc.binary_join_element_wise(*framed, nothing)


class AnsweredEntries:
    """Entry keys (``entry_keys``) and the answer given for each, in the order added.

    A look-up hashes every key remembered so far and an addition copies them: linear in the
    entries answered before, once per call, which a run's few chunks (ten for a million rows)
    barely notice.
    """

    def __init__(self) -> None:
        self._keys: pa.Array = pa.array([], type=pa.large_string())
        self._answers: pa.Array = pa.array([], type=pa.string())

    def __len__(self) -> int:
        return len(self._keys)

    def positions(self, keys: pa.Array) -> npt.NDArray[np.int64]:
        """Return where each of ``keys`` was added, or -1 for a key never added."""
        found = pc.index_in(keys, value_set=self._keys)
        return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)

    def answers(self, positions: npt.NDArray[np.int64]) -> list[str | None]:
        """Return the answers added at ``positions`` (each from ``positions``, none -1)."""
        taken: list[str | None] = self._answers.take(pa.array(positions)).to_pylist()
        return taken

    def add(self, keys: pa.Array, answers: Sequence[str | None]) -> None:
        """Remember ``answers``, one per key of ``keys``."""
        self._keys = pa.concat_arrays([self._keys, keys])
        self._answers = pa.concat_arrays([self._answers, pa.array(answers, type=pa.string())])
