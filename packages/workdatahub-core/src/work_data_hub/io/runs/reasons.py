"""Rejections counted by kind: ``月度 '…' is not a month`` ×12, not one line per value.

A rejection's reason quotes the value it refuses (``月度 'abc' is not a month``), so no two
reasons need be alike. Its kind leaves the value out and keeps the rule, bounds included
(``当期收益率 … is above 10``), which is what a summary of a run should count.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

__all__ = ["count_by_kind", "reason_kind"]

_VALUE = r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\S+)"
"""A value as a reason quotes it: quoted text (escapes allowed) or one token."""
_QUOTED = r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_OTHER_ROW = rf"(?:row )?[0-9]+(?: of file {_QUOTED}(?:, sheet {_QUOTED})?)?"
"""Another row as a duplicate's reason names it: ``44``, or ``row 3 of file 'b.xlsx', sheet
'西城'`` when it is in another part of the run."""
_DUPLICATE = re.compile(
    rf"duplicate key \(.*\): same as (?:rows? )?{_OTHER_ROW}(?:, {_OTHER_ROW})*"
    r"(?P<kept>, which is kept)?"
)


def reason_kind(reason: str, column: str | None) -> str:
    """Return ``reason`` without the values it quotes, one kind per ``"; "``-joined part.

    ``"日期 '2024/11/31' is not a date"`` → ``"日期 … is not a date"``; ``"duplicate key
    (2024-11-04, QTAN011): same as row 44"`` → ``"duplicate key: same as another row"``.
    A part that names no column of ``column`` (``"日期, 网点代码"``) is kept as it is.
    """
    names = [name.strip() for name in (column or "").split(",") if name.strip()]
    return "; ".join(_part_kind(part, names) for part in reason.split("; "))


def _part_kind(part: str, names: list[str]) -> str:
    duplicate = _DUPLICATE.fullmatch(part)
    if duplicate:
        return "duplicate key: same as another row" + (duplicate["kept"] or "")
    for name in names:
        if not part.startswith(f"{name} ") or part == f"{name} is required":
            continue
        rule = re.fullmatch(rf"{_VALUE} (.+)", part[len(name) + 1 :], flags=re.DOTALL)
        if rule:
            return f"{name} … {rule[1]}"
    return part


def count_by_kind(rejected: pd.DataFrame) -> dict[str, int]:
    """Count a rejected-rows frame's entries per reason kind, most frequent first."""
    if rejected.empty:
        return {}
    counts = Counter(
        reason_kind(str(reason), None if pd.isna(column) else str(column))
        for reason, column in zip(rejected["reason"], rejected["column"], strict=True)
    )
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
