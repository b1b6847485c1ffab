"""The validator derived from a column declaration: a pandera frame schema (vectorised, millions
of rows per second), and how a failing value is phrased.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow

from work_data_hub.cleansing.numbers import places_within
from work_data_hub.domain.columns import Column, ColumnKind

if TYPE_CHECKING:
    import pandera.pandas as pa

PANDAS_DTYPES: Final[dict[ColumnKind, str]] = {
    "text": "str",
    "date": "datetime64[us]",
    "integer": "Int64",
    "decimal": "object",
    "boolean": "boolean",
}
"""The pandas dtype each column kind has once ``ValidateSchema`` has cast it (decimals are
exact ``Decimal`` objects, never floats, while the checks run; see ``compact_decimals`` for
the rows that pass)."""

MAX_COMPACT_PRECISION: Final = 38
"""The most digits Arrow's ``decimal128`` holds."""


def decimal_dtype(column: Column) -> pd.ArrowDtype | str:
    """Return the dtype of a decimal column's valid values: Arrow ``decimal128(precision,
    scale)``, exact and 16 bytes a value; ``object`` (``Decimal`` objects) beyond 38 digits."""
    if column.precision > MAX_COMPACT_PRECISION:
        return PANDAS_DTYPES["decimal"]
    return pd.ArrowDtype(pyarrow.decimal128(column.precision, column.scale))


def _valid_dtype(column: Column) -> pd.ArrowDtype | str:
    """The dtype of a declared column in the rows ``ValidateSchema`` lets through."""
    return decimal_dtype(column) if column.kind == "decimal" else PANDAS_DTYPES[column.kind]


def compact_decimals(
    frame: pd.DataFrame, columns: Sequence[Column], leaving: npt.NDArray[np.bool_]
) -> dict[str, pd.Series]:
    """Return the declared decimal columns of ``frame`` (``Decimal`` objects and missing values) in
    their ``decimal_dtype``, the values of the ``leaving`` rows (rejected) made missing.

    A ``Decimal`` object takes about 100 bytes; a million rows of seven amounts drop from
    about 770 MB to 110 MB. Values read back are the same ``Decimal`` values, written to the
    column's scale (``1.5`` reads ``1.5000`` in ``decimal(18,4)``, which compares equal). The
    rows that stay fit the declaration (the checks saw to it), so the conversion is exact.
    """
    compact: dict[str, pd.Series] = {}
    for column in columns:
        dtype = _valid_dtype(column)
        if not isinstance(dtype, pd.ArrowDtype) or column.name not in frame.columns:
            continue
        values = frame[column.name]
        cells = [
            value if type(value) is Decimal and not left else None
            for value, left in zip(values.tolist(), leaving.tolist(), strict=True)
        ]
        array = pyarrow.array(cells, type=dtype.pyarrow_dtype)
        compact[column.name] = pd.Series(array, index=values.index, dtype=dtype)
    return compact


@dataclass(frozen=True)
class ValueCheck:
    """One value check of a column: the pandera check and how to phrase a value failing it."""

    check: pa.Check
    describe: Callable[[object], str]


def format_value(value: object) -> str:
    """Return a value as people write it: ``12.5``, ``10`` (not ``10.0``), ``'abc'`` for text.

    Decimals keep every digit as written (``12345678901234.5678``, ``0.00005``, ``1.50``),
    without an exponent; a whole decimal loses its zero places (``10``).
    """
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        digits = f"{value:f}"
        whole, _, fraction = digits.partition(".")
        return digits if fraction.strip("0") else whole
    if isinstance(value, numbers.Real | Decimal):
        number = float(value)
        return str(int(number)) if number.is_integer() else str(value)
    return repr(str(value))


def _bound(column: Column, bound: float) -> float | Decimal:
    """Return a bound as a decimal column compares it: exactly, as written (``0.1`` is 1/10)."""
    return Decimal(repr(bound)) if column.kind == "decimal" else bound


def value_checks(column: Column) -> list[ValueCheck]:
    """Return the column's value checks in declaration order: ge, le, isin, max_length, digits.

    A decimal column compares its exact values with exact bounds (``10.0000001`` is above 10)
    and refuses values with more decimal places than its scale, or too many digits before the
    point: nothing is rounded before or after a check.
    """
    import pandera.pandas as pa  # imported when a schema is built: it costs 0.2 s

    name = column.name
    checks: list[ValueCheck] = []
    if column.ge is not None:
        bound = _bound(column, column.ge)
        checks.append(
            ValueCheck(
                pa.Check.ge(bound),
                lambda v: f"{name} {format_value(v)} is below {format_value(bound)}",
            )
        )
    if column.le is not None:
        upper = _bound(column, column.le)
        checks.append(
            ValueCheck(
                pa.Check.le(upper),
                lambda v: f"{name} {format_value(v)} is above {format_value(upper)}",
            )
        )
    if column.isin is not None:
        allowed = ", ".join(column.isin)
        checks.append(
            ValueCheck(
                pa.Check.isin(list(column.isin)),
                lambda v: f"{name} {format_value(v)} is not one of: {allowed}",
            )
        )
    if column.max_length is not None and column.kind == "text":
        length = column.max_length
        checks.append(
            ValueCheck(
                pa.Check.str_length(max_value=length),
                lambda v: f"{name} {format_value(v)} is longer than {length} characters",
            )
        )
    if column.kind == "decimal":
        checks += _decimal_checks(column)
    return checks


def _decimal_checks(column: Column) -> list[ValueCheck]:
    """Return the checks that a decimal column's values fit ``numeric(precision, scale)``."""
    import pandera.pandas as pa  # imported when a schema is built: it costs 0.2 s

    name, scale = column.name, column.scale
    limit = Decimal(10) ** (column.precision - column.scale)
    declared = f"decimal({column.precision},{column.scale})"
    return [
        ValueCheck(
            pa.Check(lambda s: (s > -limit) & (s < limit), name="decimal_digits"),
            lambda v: f"{name} {format_value(v)} does not fit {declared}",
        ),
        ValueCheck(
            pa.Check(lambda s: places_within(s, scale), name="decimal_places"),
            lambda v: (
                f"{name} {format_value(v)} has more than {scale} decimal places "
                f"({declared} would round it)"
            ),
        ),
    ]


def required_reason(column: Column) -> str:
    """Return the reason given for a missing value in a non-nullable column."""
    return f"{column.name} is required"


def dataframe_schema(
    columns: Sequence[Column], *, name: str | None = None, with_dtypes: bool = True
) -> pa.DataFrameSchema:
    """Return the pandera schema of the declared columns (nullability, value checks, dtypes).

    Columns not declared are allowed (lineage columns travel along). With ``with_dtypes=False``
    only nullability and values are checked, for frames whose dtypes were already cast.
    """
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            column.name: pa.Column(
                _valid_dtype(column) if with_dtypes else None,
                checks=[value_check.check for value_check in value_checks(column)],
                nullable=column.nullable,
                description=column.description or None,
            )
            for column in columns
        },
        name=name,
        strict=False,
    )
