"""Steps that change values: map, replace, strip a prefix, fill defaults or from above."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from work_data_hub.cleansing.text import as_text, is_blank
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps.rejections import require_columns

Condition = Mapping[str, Any] | Callable[[pd.DataFrame], pd.Series]
"""Which rows a step applies to: ``{column: value}`` (all must hold; a list/tuple value means
"any of these"), or a vectorised function returning a boolean Series."""


def rows_matching(data: pd.DataFrame, when: Condition | None, step_name: str) -> pd.Series:
    """Return a boolean Series: True for the rows that satisfy ``when`` (all rows when None)."""
    if when is None:
        return pd.Series(True, index=data.index)
    if callable(when):
        return pd.Series(when(data), index=data.index).fillna(False).astype(bool)
    require_columns(data, when.keys(), step_name)
    selected = pd.Series(True, index=data.index)
    for column, expected in when.items():
        options = (
            list(expected) if isinstance(expected, list | tuple | set | frozenset) else [expected]
        )
        selected &= data[column].isin(options).fillna(False).astype(bool)
    return selected


def _lookup_keys(values: pd.Series) -> pd.Series:
    """Return the values used to look up a mapping: text without surrounding whitespace."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.str.strip()
    if values.dtype == object:
        return values.map(lambda value: value.strip() if isinstance(value, str) else value)
    return values


def map_through(
    values: pd.Series, mapping: Mapping[Any, Any], default: Any = None, keep_unmapped: bool = False
) -> pd.Series:
    """Return ``values`` translated by ``mapping`` (text compared without surrounding spaces).

    Unmapped and missing values become ``default``, or stay as they are with ``keep_unmapped``.
    """
    keys = _lookup_keys(values)
    known = keys.isin(list(mapping)).to_numpy(dtype=bool)
    return keys.map(mapping).where(known, values if keep_unmapped else default)


@dataclass(frozen=True)
class MapValues:
    """Translate the values of ``column`` through ``mapping`` (surrounding whitespace ignored).

    Unmapped and missing values become ``default``, or stay as they are with
    ``keep_unmapped=True``. ``target`` names the output column (default: ``column`` itself).
    Example: ``MapValues("机构名称", {"新疆": "G23"}, default="G00", target="机构代码")``.
    """

    column: str
    mapping: Mapping[Any, Any]
    default: Any = None
    keep_unmapped: bool = False
    target: str | None = None
    name: str = "map_values"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with the mapped values in ``target``."""
        require_columns(data, [self.column], self.name)
        mapped = map_through(data[self.column], self.mapping, self.default, self.keep_unmapped)
        return data.assign(**{self.target or self.column: mapped})


@dataclass(frozen=True)
class ReplaceValues:
    """Replace whole values of ``column`` (``{"1P0290": "P0290"}``); others stay unchanged.

    With ``regex=True`` each key is a regular expression replaced inside the text, in order.
    """

    column: str
    replacements: Mapping[str, str]
    regex: bool = False
    target: str | None = None
    name: str = "replace_values"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with the replacements applied in ``target``."""
        require_columns(data, [self.column], self.name)
        values = data[self.column]
        if self.regex:
            text = as_text(values)
            for pattern, replacement in self.replacements.items():
                text = text.str.replace(pattern, replacement, regex=True)
            replaced = text
        else:
            hit = values.isin(list(self.replacements)).to_numpy(dtype=bool)
            replaced = values.where(~hit, values.map(self.replacements))
        return data.assign(**{self.target or self.column: replaced})


@dataclass(frozen=True)
class StripPrefix:
    """Remove one leading ``prefix`` from the text of ``column`` (``F123`` → ``123``)."""

    column: str
    prefix: str
    target: str | None = None
    name: str = "strip_prefix"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with the prefix removed in ``target``."""
        require_columns(data, [self.column], self.name)
        stripped = as_text(data[self.column]).str.removeprefix(self.prefix)
        return data.assign(**{self.target or self.column: stripped})


@dataclass(frozen=True)
class FillDefault:
    """Fill blanks of ``column`` with ``value``, or from ``from_column``, where ``when`` holds.

    ``FillDefault("计划代码", "AN001", when={"计划类型": "集合计划"})``; ``when`` may also be a
    function of the frame returning a boolean Series; without ``when`` every blank is filled.
    ``FillDefault("客户名称", from_column="计划名称", when={"计划类型": "单一计划"})`` takes
    each blank's value from the same row of ``from_column``. Give ``value`` or ``from_column``.
    """

    column: str
    value: Any = None
    when: Condition | None = None
    name: str = "fill_default"
    from_column: str | None = None

    @property
    def rows_independent(self) -> bool:
        """True unless ``when`` is a function of the frame, which may look at other rows."""
        return not callable(self.when)

    def __post_init__(self) -> None:
        if (self.value is None) == (self.from_column is None):
            raise TypeError(
                f"step '{self.name}' on {self.column!r}: give either value or from_column"
            )

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with the selected blanks filled."""
        sources = [] if self.from_column is None else [self.from_column]
        require_columns(data, [self.column, *sources], self.name)
        values = data[self.column]
        fill = is_blank(values) & rows_matching(data, self.when, self.name)
        filling = self.value if self.from_column is None else data[self.from_column]
        return data.assign(**{self.column: values.mask(fill.to_numpy(dtype=bool), filling)})


@dataclass(frozen=True)
class FillDown:
    """Fill every blank of ``columns`` with the nearest value above it: cells merged down.

    Excel keeps a merged cell's value in the range's first row only; ``{"step": "fill_down",
    "columns": ["业务类型"]}`` gives it to every row of the range, as the original system did.
    Blanks above a column's first value stay blank. Rows are taken in the frame's order (the
    file's): declare the step first, before any step that rejects rows.
    """

    columns: tuple[str, ...]
    name: str = "fill_down"

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with the blanks of ``columns`` filled from above."""
        require_columns(data, self.columns, self.name)
        return data.assign(
            **{column: data[column].mask(is_blank(data[column])).ffill() for column in self.columns}
        )
