"""What a domain plugin declares about itself: source, target table, keys and write mode."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

WriteMode = Literal["append", "upsert", "delete_insert", "replace"]
SourceType = str
"""The name of the reader a source needs: the core's ``"excel"`` and ``"csv"``, or a name an
installed plugin contributes through ``workdatahub_readers`` (``"parquet"``, a domain's layout)."""
OtherMonths = Literal["reject", "refuse"]
DuplicateKeys = Literal["reject", "first", "last"]

DEFAULT_EXCLUDES = ("~$*", "*.eml", "*回复*")

TOTALS_MARKERS = ("合计", "总计", "小计")
"""Cells that make their row a totals row (spaces and a trailing colon allowed: ``合 计：``)."""


@dataclass(frozen=True)
class SourceSpec:
    """Where a domain's monthly file lives and how to read it.

    ``folder`` is relative to the inbox root and may contain ``{YYYYMM}``; version folders
    ``V1..Vn`` below it are searched highest first. ``patterns`` are glob patterns on file names.
    ``file_type`` names the reader (see ``SourceType``).

    The table's layout: the header starts on ``header_row`` (1-based) or, when None, on the
    first of the first 30 non-empty rows holding every ``required_columns`` entry (the first
    non-empty row when none are declared); rows above it are the title rows. ``header_rows``
    rows are joined into one name per column by ``header_separator`` (merged cells spread
    over their columns). A row with a cell in ``totals_markers`` is a totals row, skipped and
    reported; ``totals_columns`` are reconciled against the last one. ``end_at_blank_row``
    ends the table at its first blank row: rows below are skipped and reported.

    A source may be read in parts that make one table: ``sheets`` (glob patterns on sheet
    names, case-insensitive) reads every matching sheet in workbook order, instead of the one
    ``sheet``; ``all_files`` reads every matching file of the month's folder in name order (one
    per branch), instead of requiring exactly one. Each part has its own layout (title rows,
    header, totals row); the run loads them in one transaction, and every row keeps its file
    and sheet (``wdh_source_file``, ``wdh_source_sheet``) in the table and in the rejects.
    """

    patterns: tuple[str, ...]
    file_type: SourceType = "excel"
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    all_files: bool = False
    folder: str = "{YYYYMM}"
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    required_columns: tuple[str, ...] = ()
    header_aliases: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None
    header_rows: int = 1
    header_separator: str = "-"
    totals_markers: tuple[str, ...] = TOTALS_MARKERS
    totals_columns: tuple[str, ...] = ()
    end_at_blank_row: bool = False

    def __post_init__(self) -> None:
        if self.header_row is not None and self.header_row < 1:
            raise ValueError(f"header_row is 1-based, got {self.header_row}")
        if self.header_rows < 1:
            raise ValueError(f"header_rows must be at least 1, got {self.header_rows}")
        if isinstance(self.sheets, str):
            raise TypeError(f"sheets is a tuple of patterns, not the string {self.sheets!r}")
        if self.sheet is not None and self.sheets:
            raise ValueError(
                f"give sheet ({self.sheet!r}) or sheets ({self.sheets!r}), not both: sheet names "
                "one sheet, sheets the patterns of several"
            )

    def sheet_name_for(self, default: str) -> str:
        """A sheet name this source reads: ``sheet``, else the first of ``sheets`` with its
        wildcards filled from ``default`` (``销售-*`` → ``销售-default``), else ``default``
        (sample files are written on it)."""
        if self.sheet is not None:
            return self.sheet
        if not self.sheets:
            return default
        pattern = re.sub(r"\[!?(.)[^\]]*\]", r"\1", self.sheets[0])
        return pattern.replace("*", default).replace("?", "x")

    @property
    def reads_parts(self) -> bool:
        """True when the source may be read in several parts (``sheets`` or ``all_files``):
        its rows then carry their file and sheet, as its table's lineage columns."""
        return bool(self.sheets) or self.all_files


@dataclass(frozen=True)
class DomainDefinition:
    """A domain's identity and loading rules, as a ``Domain`` declares it.

    ``month_column`` names the date column holding each row's report month: a run then loads
    exactly one month, and rows of other months are rejected (``other_months="reject"``) or
    refuse the whole file (``"refuse"``); a ``delete_insert`` refresh never reaches beyond the
    run's month. Text keys are always made canonical (NFKC, no invisible edge characters).

    The orchestration reads three more: ``first_month`` (``YYYYMM``) is the first monthly
    partition of the domain's warehouse asset; ``row_count_tolerance`` is how far (as a share)
    a month's row count may move from the previous month's before its asset check fails;
    ``sum_columns`` are amounts whose monthly sums may move at most ``sum_tolerance`` from the
    previous month's; ``row_count_check_blocking`` makes both checks block downstream assets
    when they fail.

    ``null_markers`` (e.g. ``cleansing.NULL_MARKERS``) are text values meaning "no value" in
    every column, made missing before the domain's steps. ``row_key`` names the columns no two
    rows of one file may share (default: ``keys``, except for ``delete_insert``, whose keys name
    refresh groups); rows that
    do are rejected before loading by ``duplicate_keys``: ``"reject"`` all of them, or keep the
    ``"first"`` or ``"last"`` and reject the others.
    """

    name: str
    table: str
    source: SourceSpec
    write_mode: WriteMode = "append"
    keys: tuple[str, ...] = ()
    db_schema: str = "public"
    description: str = ""
    reject_threshold: float = 0.05
    spec_version: int = 2
    month_column: str | None = None
    other_months: OtherMonths = "reject"
    first_month: str = "202001"
    row_count_tolerance: float = 0.3
    row_count_check_blocking: bool = False
    sum_columns: tuple[str, ...] = ()
    sum_tolerance: float = 0.3
    null_markers: tuple[str, ...] = ()
    row_key: tuple[str, ...] | None = None
    duplicate_keys: DuplicateKeys = "reject"


@dataclass(frozen=True)
class MigrationSource:
    """Where a plugin's Alembic versions live and the branch label they carry (the domain name)."""

    branch_label: str
    location: str
