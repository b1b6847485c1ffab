"""The rows of an xlsx sheet streamed from its XML, a few thousand at a time.

python-calamine 0.9 builds a sheet's whole grid before it yields the first row: about 45 bytes
per cell, 1 GB for a million rows of 23 columns. A large sheet is read here instead, in blocks
of whole rows, each turned into a table of the same cell values python-calamine gives
(``xlsx_workbook``), so the reader's memory stays bounded by a block and what it keeps.

A block of cells written the usual way (``<c r="B7" s="3" t="s"><v>12</v></c>``, an inline
string with one text run) is read with one regular expression and converted column-wise; a
block holding anything else (rich inline text, attributes in another order, cells without a
reference) is read cell by cell.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from work_data_hub.io.readers.xlsx_cells import SheetTooLarge, column_index, sheet_member
from work_data_hub.io.readers.xlsx_values import (
    CELL_TYPES,
    INLINE,
    INLINE_KEPT,
    NO_STYLE,
    READY,
    CellValues,
)
from work_data_hub.io.readers.xlsx_workbook import WorkbookFacts, read_facts, rich_text

__all__ = ["MAX_ROW_XML", "ReadWhole", "SheetRows", "stream_rows"]

SheetRows = tuple[npt.NDArray[np.object_], npt.NDArray[np.int64]]
"""A table of raw cell values (rows × columns of the used range) and each row's Excel number."""

_BLOCK_SIZE = 1 << 20
MAX_ROW_XML = 1 << 26
"""A single row's XML above 64 MB is refused: no row of real data comes near it."""
_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")


class ReadWhole(Exception):
    """The sheet's XML is laid out so that only a whole-sheet read places every cell: a cell
    without a reference beyond the scanned used range, or rows out of order."""


class _Patterns:
    """The expressions for one namespace prefix (``x:`` in some generated workbooks)."""

    def __init__(self, prefix: str) -> None:
        p = re.escape(prefix)
        formula = rf"(?:<{p}f>[^<]*</{p}f>|<{p}f\s[^>]*?/>|<{p}f\s[^>]*>[^<]*</{p}f>|<{p}f/>)?"
        value = (
            rf"<{p}v>([^<]*)</{p}v>|<{p}is><{p}t>([^<]*)</{p}t></{p}is>"
            rf'|<{p}is><{p}t xml:space="preserve">([^<]*)</{p}t></{p}is>'
        )
        self.regular_cell = re.compile(
            rf'<{p}c r="([A-Z]{{1,3}})([0-9]+)"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?'
            rf"(?:/>|>{formula}(?:{value})?</{p}c>)"
        )
        self.cell_starts = (f"<{prefix}c ", f"<{prefix}c>", f"<{prefix}c/>")
        self.token = re.compile(
            rf"<{p}row\b([^>]*)>|<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", re.DOTALL
        )
        self.value = re.compile(rf"<{p}v(?:\s[^>]*)?>([^<]*)</{p}v>")
        self.inline = re.compile(rf"<{p}is>(.*?)</{p}is>", re.DOTALL)
        self.row_end = f"</{prefix}row>".encode()


_REFERENCE = re.compile(r'(?:^|\s)r="([A-Z]{1,3})([0-9]+)"')
_ROW_NUMBER = re.compile(r'(?:^|\s)r="([0-9]+)"')
_STYLE = re.compile(r'(?:^|\s)s="([0-9]+)"')
_TYPE = re.compile(r'(?:^|\s)t="(\w+)"')


class _Cells:
    """One block's cells as parallel arrays: Excel row, column index, style, type, raw text."""

    def __init__(
        self,
        rows: Sequence[int] | npt.NDArray[np.int64],
        columns: Sequence[int] | npt.NDArray[np.int64],
        styles: Sequence[int] | npt.NDArray[np.int64],
        types: Sequence[int] | npt.NDArray[np.int8],
        texts: Sequence[str] | npt.NDArray[np.object_],
    ) -> None:
        self.rows = np.asarray(rows, dtype=np.int64)
        self.columns = np.asarray(columns, dtype=np.int64)
        self.styles = np.asarray(styles, dtype=np.int64)
        self.types = np.asarray(types, dtype=np.int8)
        self.texts = _objects(texts)


def _objects(values: Sequence[str] | npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def stream_rows(
    path: Path, sheet: str, first_column: int, last_column: int, *, table_rows: int = 20_000
) -> Iterator[SheetRows]:
    """Yield the rows of ``sheet`` holding a cell, about ``table_rows`` at a time, as
    python-calamine reads them.

    Columns run from ``first_column`` to ``last_column`` (0-based, the scanned used range);
    an empty cell is ``""``. Raises ``ReadWhole`` when a cell without a reference lies beyond
    them or rows come out of order, ``SheetTooLarge`` for a row over ``MAX_ROW_XML`` bytes,
    ``ValueError`` for a cell python-calamine could not read either, and what ``zipfile``
    raises for a damaged part.
    """
    with zipfile.ZipFile(path) as archive:
        facts = read_facts(archive)
        member = sheet_member(archive, sheet)
        if member is None:
            raise ValueError(f"the workbook lists no part for sheet {sheet!r}")
        with archive.open(member) as stream:
            yield from _joined(_blocks(stream, facts, first_column, last_column), table_rows)


def _joined(tables: Iterator[SheetRows], table_rows: int) -> Iterator[SheetRows]:
    """Yield the blocks' tables joined into tables of at least ``table_rows`` rows (the last
    one may be shorter), so that what is built from them comes in few, large chunks."""
    waiting: list[SheetRows] = []
    count = 0
    for table in tables:
        waiting.append(table)
        count += len(table[1])
        if count >= table_rows:
            yield _join(waiting)
            waiting, count = [], 0
    if waiting:
        yield _join(waiting)


def _join(tables: list[SheetRows]) -> SheetRows:
    if len(tables) == 1:
        return tables[0]
    return np.concatenate([table for table, _ in tables]), np.concatenate(
        [numbers for _, numbers in tables]
    )


def _blocks(
    stream: IO[bytes], facts: WorkbookFacts, first_column: int, last_column: int
) -> Iterator[SheetRows]:
    first = stream.read(_BLOCK_SIZE)
    root = _ROOT.search(first)
    patterns = _Patterns((root.group(1) or b"").decode() if root else "")
    reader = _BlockReader(patterns, facts, first_column, last_column)
    carry, block = b"", first
    while block:
        buffer = carry + block
        end = buffer.rfind(patterns.row_end)
        cut = end + len(patterns.row_end) if end != -1 else 0
        if cut:
            yield from reader.read(buffer[:cut].decode("utf-8"))
        carry = buffer[cut:]
        if len(carry) > MAX_ROW_XML:
            raise SheetTooLarge(
                f"the sheet's XML holds a single row larger than {MAX_ROW_XML >> 20} MB"
            )
        block = stream.read(_BLOCK_SIZE)
    yield from reader.read(carry.decode("utf-8"))


class _BlockReader:
    """Turns blocks of whole rows into tables, keeping the row and column position between them."""

    def __init__(
        self, patterns: _Patterns, facts: WorkbookFacts, first_column: int, last_column: int
    ) -> None:
        self.patterns = patterns
        self.values = CellValues(facts)
        self.first_column = first_column
        self.width = last_column - first_column + 1
        self.letters: dict[str, int] = {}
        self.last_row = 0
        self.row_tag = 0
        """The row the last row tag or cell was in: where a row without a number follows."""

    def read(self, xml: str) -> Iterator[SheetRows]:
        """Yield the table of one block, if it holds a cell."""
        cells = self._regular(xml)
        if cells is None:
            cells = self._irregular(xml)
        if not len(cells.rows):
            return
        rows = cells.rows
        columns = cells.columns - self.first_column
        if rows[0] <= self.last_row or np.any(np.diff(rows) < 0):
            raise ReadWhole(f"the sheet's rows are out of order near row {int(rows[0]):,}")
        if columns.min() < 0 or columns.max() >= self.width:
            raise ReadWhole("a cell without a reference lies outside the scanned used range")
        self.last_row = int(rows[-1])
        self.row_tag = max(self.row_tag, self.last_row)
        numbers, positions = np.unique(rows, return_inverse=True)
        table = np.full((len(numbers), self.width), "", dtype=object)
        table[positions, columns] = self.values.convert(cells.texts, cells.types, cells.styles)
        yield table, numbers

    def _column(self, letters: str) -> int:
        index = self.letters.get(letters)
        if index is None:
            index = self.letters[letters] = column_index(letters.encode())
        return index

    def _regular(self, xml: str) -> _Cells | None:
        """Read a block written the usual way in one pass; None when it holds other cells.

        Every step after the one expression runs over the whole block at C speed: the few
        distinct column letters, styles and types are looked up once each.
        """
        found = self.patterns.regular_cell.findall(xml)
        if len(found) != sum(xml.count(start) for start in self.patterns.cell_starts):
            return None
        if not found:
            return _Cells([], [], [], [], [])
        letters, digits, styles, types, values, inline, kept = (
            list(map(itemgetter(field), found)) for field in range(7)
        )
        unknown = set(types) - CELL_TYPES.keys()
        if unknown:
            raise ValueError(f"a cell has the unknown type {sorted(unknown)[0]!r}")
        for new in set(letters) - self.letters.keys():
            self._column(new)
        style_ids = {style: int(style) if style else NO_STYLE for style in set(styles)}
        count = len(found)
        cells = _Cells(
            np.fromiter(map(int, digits), np.int64, count),
            np.fromiter(map(self.letters.__getitem__, letters), np.int64, count),
            np.fromiter(map(style_ids.__getitem__, styles), np.int64, count),
            np.fromiter(map(CELL_TYPES.__getitem__, types), np.int8, count),
            values,
        )
        is_inline = cells.types == INLINE
        if is_inline.any():
            inline_texts, kept_texts = _objects(inline), _objects(kept)
            is_kept = is_inline & (kept_texts != "")
            cells.texts[is_inline] = inline_texts[is_inline]
            cells.texts[is_kept] = kept_texts[is_kept]
            cells.types[is_kept] = INLINE_KEPT
        return cells

    def _irregular(self, xml: str) -> _Cells:
        """Read a block cell by cell, placing cells without a reference after the previous."""
        rows: list[int] = []
        columns: list[int] = []
        styles: list[int] = []
        types: list[int] = []
        texts: list[str] = []
        row, column = self.row_tag, -1
        for match in self.patterns.token.finditer(xml):
            row_attributes, cell_attributes, body = match.groups()
            if row_attributes is not None:
                number = _ROW_NUMBER.search(row_attributes)
                row, column = (int(number.group(1)) if number else row + 1), -1
                self.row_tag = row
                continue
            attributes = cell_attributes or ""
            reference = _REFERENCE.search(attributes)
            if reference is not None:
                column, row = self._column(reference.group(1)), int(reference.group(2))
            else:
                column += 1
            style = _STYLE.search(attributes)
            kind = _TYPE.search(attributes)
            type_name = kind.group(1) if kind else ""
            if type_name not in CELL_TYPES:
                raise ValueError(f"a cell has the unknown type {type_name!r}")
            code = CELL_TYPES[type_name]
            value = self.patterns.value.search(body or "")
            inline = self.patterns.inline.search(body or "")
            if code == INLINE and inline is not None:
                code, text = READY, rich_text(inline.group(1))
            else:
                text = value.group(1) if value is not None else ""
            rows.append(row)
            columns.append(column)
            styles.append(int(style.group(1)) if style else NO_STYLE)
            types.append(code)
            texts.append(text)
        return _Cells(rows, columns, styles, types, texts)
