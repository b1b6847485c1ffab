"""One streaming pass over an xlsx sheet's XML, before python-calamine loads the sheet.

python-calamine 0.9 reads an error cell (``#N/A``, ``#DIV/0!`` …) and a formula without a
calculated value as an empty cell (dimastbk/python-calamine#105), and loads a sheet as one
dense grid from its first to its last used cell, so one stray cell at ``XFD1048576`` asks for
hundreds of gigabytes and aborts the process. This scan finds, in bounded memory:

- the error cells and the formulas without a calculated value, with their formula;
- the used range (first and last row and column holding a cell, from the row tags and the
  cell references, never from ``<dimension>``) and how many cells hold something, so that
  the reader can refuse a sheet whose grid would dwarf its data;
- the longest text run between two tags, so that no cell text above the cap is loaded.

The XML is read in blocks cut after a cell or row end; the expensive steps are C-level
searches, and only error and formula cells are looked at one by one.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path, PurePosixPath
from typing import IO

import numpy as np

_ATTRIBUTES = rb'(?:[^>"]|"[^"]*")*'
"""A tag's attributes; a quoted value may hold ``>``."""
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\s" + _ATTRIBUTES + b">")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\s" + _ATTRIBUTES + b">")
_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")
_BLOCK_SIZE = 1 << 22
_MAX_CELL_XML = 1 << 24
"""A single cell's XML above 16 MB is refused: no cell of real data comes near it."""


class SheetTooLarge(Exception):
    """The sheet's XML holds something the reader refuses to load; the message says what."""


@dataclass
class SheetScan:
    """What the scan found: cell texts to put back, reasons to reject rows, the used range."""

    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    """``(row, column)`` (0-based) → the text of an error cell or ``=formula`` without value."""
    problems: dict[tuple[int, int], str] = field(default_factory=dict)
    """``(row, column)`` → why the cell makes its row unusable (formula and error named)."""
    first_row: int | None = None
    last_row: int | None = None
    first_column: int | None = None
    last_column: int | None = None
    values: int = 0
    """Cells holding something (a value, an inline string, a formula): not self-closing."""
    longest_text: int = 0
    """Characters of the longest text between two tags, if over the cap (else 0)."""
    far_column_cell: str | None = None
    """The first cell found in the last used column."""
    far_row_cell: str | None = None
    """The first cell of the last used row."""
    complete: bool = True
    """False when the scan stopped early (``stop_above``): the range is then a lower bound."""

    @property
    def area(self) -> int:
        """Cells of the grid from the first to the last used row and column."""
        if None in (self.first_row, self.last_row, self.first_column, self.last_column):
            return 0
        rows = int(self.last_row or 0) - int(self.first_row or 0) + 1
        return rows * (int(self.last_column or 0) - int(self.first_column or 0) + 1)


def _attribute(tag: bytes, name: bytes) -> str | None:
    match = re.search(rb"(?:^|\s)" + re.escape(name) + rb'="([^"]*)"', tag)
    return unescape(match.group(1).decode()) if match else None


def sheet_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """Return the archive member holding ``sheet``'s XML, or None when the workbook lacks it."""
    workbook = archive.read("xl/workbook.xml")
    relation_id = next(
        (
            _attribute(tag, b"r:id")
            for tag in _SHEET_ENTRY.findall(workbook)
            if _attribute(tag, b"name") == sheet
        ),
        None,
    )
    if relation_id is None:
        return None
    for tag in _RELATIONSHIP.findall(archive.read("xl/_rels/workbook.xml.rels")):
        target = _attribute(tag, b"Target")
        if _attribute(tag, b"Id") == relation_id and target is not None:
            return (
                target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
            )
    return None


def column_index(letters: bytes) -> int:
    """Return the 0-based index of an Excel column (``b"A"`` → 0, ``b"XFD"`` → 16383)."""
    index = 0
    for letter in letters:
        index = index * 26 + letter - ord("A") + 1
    return index - 1


def _letters_key(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters


class _Scanner:
    """The scan's patterns for one namespace prefix, and the state carried between blocks."""

    def __init__(self, prefix: bytes, max_cell_text: int, exact_columns: bool) -> None:
        p = re.escape(prefix)
        self.prefix = prefix
        self.max_cell_text = max_cell_text
        self.exact_columns = exact_columns
        self.cell_ref = re.compile(rb"<" + p + rb'c\s[^>]*?r="([A-Z]{1,3})([0-9]+)"')
        self.column_ref = re.compile(rb"<" + p + rb'c r="([A-Z]{1,3})')
        self.wide_column_ref = re.compile(rb"<" + p + rb'c r="([A-Z]{2,3})')
        self.narrow_column_ref = re.compile(rb"<" + p + rb'c r="[A-Z][0-9]')
        self.row_ref = re.compile(rb"<" + p + rb'row\b[^>]*?\sr="([0-9]+)"')
        self.formula = re.compile(rb"<" + p + rb"f(\s[^>]*)?(?:/>|>([^<]*)</" + p + rb"f>)")
        self.value = re.compile(rb"<" + p + rb"v(?:\s[^>]*)?(?:/>|>([^<]*)</" + p + rb"v>)")
        self.cell_open = b"<" + prefix + b"c"
        self.cell_close = b"</" + prefix + b"c>"
        self.shared: dict[str, tuple[str, str]] = {}
        self.scan = SheetScan()

    def block(self, xml: bytes) -> None:
        """Scan a piece of XML holding only whole cells."""
        scan = self.scan
        scan.values += xml.count(self.cell_close)
        self._text_runs(xml)
        self._bounds(xml)
        for marker, is_tag in ((b' t="e"', False), (b"<" + self.prefix + b"f", True)):
            position = xml.find(marker)
            while position != -1:
                after = position + len(marker)
                if not is_tag or xml[after : after + 1] in (b" ", b">", b"/"):
                    self._special_cell(xml, position)
                position = xml.find(marker, after)

    def _text_runs(self, xml: bytes) -> None:
        """Record the longest text node over the cap: only a node of more bytes than the cap
        can hold more characters, so only those are decoded."""
        tags = np.flatnonzero(np.frombuffer(xml, dtype=np.uint8) == ord("<"))
        for widest in np.flatnonzero(np.diff(tags) > self.max_cell_text).tolist():
            start = xml.index(b">", int(tags[widest])) + 1
            text = unescape(xml[start : int(tags[widest + 1])].decode())
            self.scan.longest_text = max(self.scan.longest_text, len(text))

    def _bounds(self, xml: bytes) -> None:
        """Track the used rows and columns; without ``exact_columns``, columns A–Z count as a
        whole (one-letter columns cannot stretch the grid, and skipping them is 3× faster).
        A piece with any other tag starting ``<c`` (a cell whose reference is not its first
        attribute, or ``<cols>`` before the cells) has all its references read."""
        scan = self.scan
        cell_tag = b"<" + self.prefix + b"c"
        irregular = xml.count(cell_tag) != xml.count(cell_tag + b' r="')
        references = self.cell_ref.findall(xml) if irregular else []
        if irregular:
            columns = {letters for letters, _ in references}
        elif self.exact_columns:
            columns = set(self.column_ref.findall(xml))
        else:
            columns = set(self.wide_column_ref.findall(xml))
            if self.narrow_column_ref.search(xml):
                columns |= {b"A", b"Z"}
        if columns:
            first = column_index(min(columns, key=_letters_key))
            last_letters = max(columns, key=_letters_key)
            if scan.first_column is None or first < scan.first_column:
                scan.first_column = first
            if scan.last_column is None or column_index(last_letters) > scan.last_column:
                scan.last_column = column_index(last_letters)
                found = re.search(self._reference(last_letters, rb"[0-9]+"), xml)
                scan.far_column_cell = (found.group(1) + found.group(2)).decode() if found else None
        self._rows(xml, [int(row) for row in self.row_ref.findall(xml)], from_cells=False)
        digits = len(str((scan.last_row or 0) + 1))
        longer = b"<" + self.prefix + b'c r="[A-Z]{1,3}[0-9]{' + str(digits + 1).encode() + b"}"
        if not irregular and re.search(longer, xml):
            references = self.cell_ref.findall(xml)
        self._rows(xml, [int(row) for _, row in references], from_cells=True)

    def _reference(self, letters: bytes, digits: bytes) -> bytes:
        """Return a pattern for a cell tag whose reference matches ``letters`` and ``digits``."""
        return b"<" + re.escape(self.prefix) + rb'c\s[^>]*?r="(' + letters + b")(" + digits + b')"'

    def _rows(self, xml: bytes, rows: list[int], *, from_cells: bool) -> None:
        """Track the used rows from row tags, or from cell references that reach further than
        the row tags (a cell's reference decides where python-calamine puts it)."""
        scan = self.scan
        if not rows:
            return
        first_row, last_row = min(rows) - 1, max(rows) - 1
        if scan.first_row is None or first_row < scan.first_row:
            scan.first_row = first_row
        if scan.last_row is not None and last_row <= scan.last_row:
            return
        scan.last_row = last_row
        number = str(last_row + 1).encode()
        if from_cells:
            cell = re.search(self._reference(rb"[A-Z]{1,3}", number), xml)
        else:
            row_tag = self.row_ref.search(xml, xml.rfind(b"<" + self.prefix + b"row"))
            if row_tag is None or int(row_tag.group(1)) != last_row + 1:
                pattern = b"<" + self.prefix + rb'row\b[^>]*?\sr="' + number + b'"'
                row_tag = re.search(pattern, xml)
            cell = self.cell_ref.search(xml, row_tag.end()) if row_tag else None
        scan.far_row_cell = (cell.group(1) + cell.group(2)).decode() if cell else None

    def _special_cell(self, xml: bytes, position: int) -> None:
        start = xml.rfind(self.cell_open, 0, position + 1)
        tag_end = xml.find(b">", start)
        if start == -1 or tag_end == -1:
            return
        tag = xml[start : tag_end + 1]
        reference = re.search(rb'\sr="([A-Z]{1,3})([0-9]+)"', tag)
        if reference is None:
            return
        cell = (int(reference.group(2)) - 1, column_index(reference.group(1)))
        if cell in self.scan.problems:
            return
        end = tag_end + 1 if tag.endswith(b"/>") else xml.find(self.cell_close, tag_end)
        body = xml[tag_end + 1 : end if end != -1 else len(xml)]
        self._judge(cell, tag, body, (reference.group(1) + reference.group(2)).decode())

    def _judge(self, cell: tuple[int, int], tag: bytes, body: bytes, reference: str) -> None:
        formula = self._formula_text(body, reference)
        value = self.value.search(body)
        cached = unescape(value.group(1).decode()) if value and value.group(1) else ""
        kind = _attribute(tag, b"t") or "n"
        if kind == "e":
            self.scan.texts[cell] = cached
            self.scan.problems[cell] = (
                f"formula {formula!r} gives the error {cached}"
                if formula
                else f"holds the error {cached}"
            )
        elif formula and (value is None or (not cached and kind != "str")):
            self.scan.texts[cell] = formula
            self.scan.problems[cell] = (
                f"formula {formula!r} has no calculated value (the workbook was saved without "
                "calculating it): open it in Excel, let it calculate, and save it again"
            )

    def _formula_text(self, body: bytes, reference: str) -> str | None:
        match = self.formula.search(body)
        if match is None:
            return None
        attributes = match.group(1) or b""
        text = "=" + unescape(match.group(2).decode()) if match.group(2) else None
        shared = _attribute(attributes, b"si") if b"shared" in attributes else None
        if shared is not None and text is not None:
            self.shared[shared] = (text, reference)
        elif shared is not None and shared in self.shared:
            master_text, master = self.shared[shared]
            return f"{master_text} (shared from {master})"
        return text


def _cut(buffer: bytes, close: bytes) -> int:
    """Return where the last whole cell or row of ``buffer`` ends (0 when none does)."""
    cell_end, row_end = buffer.rfind(close), buffer.rfind(b"row>")
    return max(cell_end + len(close) if cell_end != -1 else 0, row_end + 4 if row_end != -1 else 0)


def scan_sheet(
    path: Path,
    sheet: str,
    *,
    max_cell_text: int,
    stop_above: int | None = None,
    exact_columns: bool = False,
) -> SheetScan | None:
    """Scan ``sheet`` of an xlsx/xlsm workbook (see the module); None for other formats.

    Without ``exact_columns`` the used range may be overstated by columns A–Z (see
    ``_Scanner._bounds``); an exact scan also names the cell at the last column. The scan
    stops early once the used range exceeds ``stop_above`` cells: such a sheet is refused.

    Raises ``SheetTooLarge`` when one cell's XML exceeds 16 MB, and ``zipfile.BadZipFile``
    (or ``OSError``, ``EOFError``) when the sheet's part is damaged.
    """
    with zipfile.ZipFile(path) as archive:
        try:
            member = sheet_member(archive, sheet)
        except KeyError:
            return None
        if member is None or member not in archive.NameToInfo:
            return None
        with archive.open(member) as stream:
            return _scan_stream(stream, max_cell_text, exact_columns, stop_above)


def _scan_stream(
    stream: IO[bytes], max_cell_text: int, exact_columns: bool, stop_above: int | None
) -> SheetScan:
    first = stream.read(_BLOCK_SIZE)
    root = _ROOT.search(first)
    scanner = _Scanner(root.group(1) or b"" if root else b"", max_cell_text, exact_columns)
    carry = b""
    block = first
    while block:
        buffer = carry + block
        cut = _cut(buffer, scanner.cell_close)
        scanner.block(buffer[:cut])
        carry = buffer[cut:]
        if len(carry) > _MAX_CELL_XML:
            raise SheetTooLarge(
                f"the sheet's XML holds a single cell larger than {_MAX_CELL_XML >> 20} MB"
            )
        block = stream.read(_BLOCK_SIZE)
        if block and stop_above is not None and scanner.scan.area > stop_above:
            scanner.scan.complete = False
            return scanner.scan
    scanner.block(carry)
    return scanner.scan
