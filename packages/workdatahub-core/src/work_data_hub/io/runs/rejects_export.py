"""The rejects file a business team can act on: ``--rejects-out X.csv`` or ``X.xlsx``.

The CSV lists one line per rejected cell: file, sheet, Excel row, column, the value as the file
holds it (as text) and the reason. The workbook holds the rejected rows as they were in the
source sheet, the bad cells highlighted, with the reasons in a last column: the team that sent
the file can fix those rows and send them again. A run of several parts (sheets, files) writes
one worksheet per part that has rejected rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import xlsxwriter

from work_data_hub.domain.columns import LINEAGE_COLUMNS, SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines.types import PART_REJECTION_COLUMNS

__all__ = ["EXPORT_COLUMNS", "RejectsSource", "cell_text", "rejects_table", "write_rejects"]

EXPORT_COLUMNS: Final = ("file", "sheet", "row", "column", "value", "reason")
"""The columns of the CSV rejects file, in order."""

REASON_HEADER: Final = "rejected because"
"""The header of the workbook's reason column."""

ROW_HEADER: Final = "source row"
"""The header of the workbook's column holding each row's Excel row number."""


@dataclass(frozen=True)
class RejectsSource:
    """Where the rejected rows came from: the file, its sheet, and how to read its rows again
    (the reader's frame, with ``wdh_source_row``)."""

    path: Path
    sheet: str | None
    read: Callable[[], pd.DataFrame]


def cell_text(value: object) -> str:
    """Return a cell's value as text as a person reads it: ``1234.5``, ``2024-11-05``, ``abc``;
    missing is ``""``; a whole float loses its ``.0``, a midnight datetime its time."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.datetime | pd.Timestamp):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def rejects_table(
    rejected: pd.DataFrame, sources: RejectsSource | Sequence[RejectsSource]
) -> pd.DataFrame:
    """Return one line per rejection with ``EXPORT_COLUMNS``, by part then row (stable: a
    row's lines keep the order of ``rejected``).

    ``value`` is the source cell's text where the column is a source column (every part of a
    ``"a, b"`` key column), else the value the failing step saw.
    """
    lines = []
    for position, (source, sheet, part) in enumerate(_by_source(rejected, _listed(sources))):
        rows = _rows_by_number(source.read())
        for row, column, reason, raw in part.loc[
            :, ["source_row", "column", "reason", "raw"]
        ].itertuples(index=False, name=None):
            number = None if pd.isna(row) else int(row)
            cells = rows.get(number, {}) if number is not None else {}
            seen = raw if isinstance(raw, dict) else {}
            order = (position, -1 if number is None else number)
            lines.append(
                (
                    order,
                    {
                        "file": source.path.name,
                        "sheet": sheet or "",
                        "row": "" if number is None else str(number),
                        "column": "" if pd.isna(column) else str(column),
                        "value": _value_text(str(column), cells, seen)
                        if not pd.isna(column)
                        else "",
                        "reason": str(reason),
                    },
                )
            )
    lines.sort(key=lambda line: line[0])
    return pd.DataFrame([line for _, line in lines], columns=list(EXPORT_COLUMNS))


def write_rejects(
    target: Path, rejected: pd.DataFrame, sources: RejectsSource | Sequence[RejectsSource]
) -> None:
    """Write the rejects of a run to ``target``: a workbook for ``.xlsx``, else CSV (UTF-8 with
    a byte-order mark, so Excel opens Chinese text correctly). ``sources`` are the run's parts;
    each rejection goes with the part its ``source_file`` / ``sheet`` name (the first part,
    when the rejections name none)."""
    parts = _listed(sources)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() == ".xlsx":
        _write_workbook(target, rejected, parts)
        return
    table = rejects_table(rejected, parts)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(table.itertuples(index=False, name=None))


def _listed(sources: RejectsSource | Sequence[RejectsSource]) -> list[RejectsSource]:
    return [sources] if isinstance(sources, RejectsSource) else list(sources)


def _by_source(
    rejected: pd.DataFrame, sources: Sequence[RejectsSource]
) -> list[tuple[RejectsSource, str | None, pd.DataFrame]]:
    """The rejections of each part, in the parts' order, with the sheet they name.

    A rejection goes with the part of its file and sheet; failing that (a sheet spelled
    otherwise) with the first part of its file; one naming no file with the first part. One
    naming a file no part reads raises ``ValueError``: it is never shown as another file's.
    """
    if rejected.empty or not sources:
        return []
    file_column, sheet_column = PART_REJECTION_COLUMNS
    if file_column not in rejected.columns:
        return [(sources[0], sources[0].sheet, rejected)]
    files = rejected[file_column].astype("object").where(rejected[file_column].notna(), "")
    sheets = (
        rejected[sheet_column].astype("object").where(rejected[sheet_column].notna(), "")
        if sheet_column in rejected.columns
        else pd.Series("", index=rejected.index, dtype="object")
    )
    taken = pd.Series(False, index=rejected.index)
    masks: list[pd.Series] = []
    for source in sources:
        named = (files == source.path.name) & ~taken
        if source.sheet is not None:
            named &= sheets == source.sheet
        masks.append(named)
        taken |= named
    for position, source in enumerate(sources):
        same_file = (files == source.path.name) & ~taken
        masks[position] |= same_file
        taken |= same_file
    unnamed = (files == "") & ~taken
    masks[0] |= unnamed
    taken |= unnamed
    if not taken.all():
        unknown = sorted(set(files[~taken].tolist()))
        raise ValueError(f"rejections name files the run did not read: {unknown}")
    groups = []
    for source, named in zip(sources, masks, strict=True):
        if named.any():
            sheet = source.sheet or (str(sheets[named].iloc[0]) or None)
            groups.append((source, sheet, rejected[named]))
    return groups


def _rows_by_number(frame: pd.DataFrame) -> dict[int | None, dict[str, object]]:
    """Return the source rows by Excel row number, as ``{header: value}`` without lineage."""
    visible = [c for c in frame.columns if c not in LINEAGE_COLUMNS]
    numbers = frame[SOURCE_ROW_COLUMN].tolist() if SOURCE_ROW_COLUMN in frame.columns else []
    records = frame[visible].astype(object).to_dict("records")
    return {
        int(number): {str(k): v for k, v in record.items()}
        for number, record in zip(numbers, records, strict=True)
    }


def _value_text(column: str, cells: dict[str, object], seen: dict[str, object]) -> str:
    """The text of the rejected value: the source cell(s) of ``column``, else what the step saw."""
    parts = [column] if column in cells or column in seen else column.split(", ")
    texts = []
    for part in parts:
        if part in cells:
            texts.append(cell_text(cells[part]))
        elif part in seen:
            texts.append(cell_text(seen[part]))
    return ", ".join(texts)


def _write_workbook(target: Path, rejected: pd.DataFrame, sources: Sequence[RejectsSource]) -> None:
    """Write the rejected source rows, bad cells highlighted, reasons in the last column: one
    worksheet per part with rejections (an empty worksheet when there are none)."""
    groups = _by_source(rejected, sources)
    several_files = len({source.path for source, _, _ in groups}) > 1
    workbook = xlsxwriter.Workbook(str(target), {"nan_inf_to_errors": True})
    try:
        formats = _Formats(workbook)
        if not groups:
            _write_part(
                workbook.add_worksheet(_sheet_name(sources[0].sheet if sources else None)),
                pd.DataFrame(),
                rejected,
                formats,
            )
        names: set[str] = set()
        for source, sheet, part in groups:
            name = _unique(_sheet_name(_part_title(source, sheet, several_files)), names)
            _write_part(workbook.add_worksheet(name), source.read(), part, formats)
    finally:
        workbook.close()


def _write_part(
    sheet: xlsxwriter.worksheet.Worksheet,
    frame: pd.DataFrame,
    rejected: pd.DataFrame,
    formats: _Formats,
) -> None:
    """Write one part's rejected rows as the source holds them, with row number and reasons."""
    headers = [str(c) for c in frame.columns if c not in LINEAGE_COLUMNS]
    rows = _rows_by_number(frame) if len(rejected) else {}
    reasons: dict[int | None, list[str]] = defaultdict(list)
    bad_cells: dict[int | None, set[str]] = defaultdict(set)
    for row, column, reason in rejected.loc[:, ["source_row", "column", "reason"]].itertuples(
        index=False, name=None
    ):
        number = None if pd.isna(row) else int(row)
        reasons[number].append(str(reason))
        if not pd.isna(column):
            named = str(column)
            bad_cells[number] |= {named} if named in headers else set(named.split(", "))
    for position, header in enumerate([*headers, ROW_HEADER, REASON_HEADER]):
        sheet.write_string(0, position, header, formats.header)
    for line, number in enumerate(sorted(reasons, key=_row_order), start=1):
        cells = rows.get(number, {})
        for position, header in enumerate(headers):
            highlight = formats.bad if header in bad_cells[number] else None
            _write_cell(sheet, line, position, cells.get(header), highlight, formats)
        if number is not None:
            sheet.write_number(line, len(headers), number)
        sheet.write_string(line, len(headers) + 1, "; ".join(reasons[number]))
    sheet.freeze_panes(1, 0)


def _part_title(source: RejectsSource, sheet: str | None, several_files: bool) -> str | None:
    """The worksheet's name before Excel's limits: the sheet, led by the file's stem when the
    rejections come from several files."""
    if not several_files:
        return sheet
    return f"{source.path.stem} {sheet}" if sheet else source.path.stem


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)`` … (within 31 characters) when already taken."""
    candidate, number = name, 1
    while candidate.casefold() in {other.casefold() for other in taken}:
        number += 1
        suffix = f" ({number})"
        candidate = name[: 31 - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


class _Formats:
    """The workbook's cell formats: header, highlighted bad cell, dates."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.header = workbook.add_format({"bold": True})
        self.bad = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.bad_date = workbook.add_format(
            {"bg_color": "#FFC7CE", "font_color": "#9C0006", "num_format": "yyyy-mm-dd"}
        )


def _write_cell(
    sheet: xlsxwriter.worksheet.Worksheet,
    line: int,
    position: int,
    value: object,
    highlight: object,
    formats: _Formats,
) -> None:
    """Write one source value with its own type: numbers as numbers, dates as dates, else text."""
    if isinstance(value, dt.date | pd.Timestamp) and not pd.isna(value):
        stamp = pd.Timestamp(value).to_pydatetime()
        sheet.write_datetime(line, position, stamp, formats.bad_date if highlight else formats.date)
    elif isinstance(value, bool | np.bool_):
        sheet.write_boolean(line, position, bool(value), highlight)
    elif isinstance(value, int | float | Decimal | np.integer | np.floating) and math.isfinite(
        float(value)
    ):
        sheet.write_number(line, position, float(value), highlight)
    else:
        sheet.write_string(line, position, cell_text(value), highlight)


def _row_order(number: int | None) -> int:
    return -1 if number is None else number


def _sheet_name(sheet: str | None) -> str:
    """The source sheet's name where Excel allows it (31 characters, no ``[]:*?/\\``)."""
    name = "".join(c for c in (sheet or "rejects") if c not in "[]:*?/\\")[:31]
    return name or "rejects"
