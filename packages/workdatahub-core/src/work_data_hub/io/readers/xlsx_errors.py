"""Find the error cells (``#N/A``, ``#DIV/0!`` …) of an xlsx sheet.

python-calamine 0.9 returns an error cell as an empty string, indistinguishable from an
empty cell (dimastbk/python-calamine#105). A ``#N/A`` left by a failed lookup would then
pass as "no value" and be silently defaulted downstream, so the Excel reader asks this
module for the sheet's error cells and puts their text back. The sheet XML is scanned as
bytes for ``t="e"``; a sheet without error cells costs one decompression.
"""

from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path, PurePosixPath

_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_CELL_REFERENCE = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_ERROR_TYPE = b't="e"'
_BLOCK_SIZE = 1 << 22


def _attribute(tag: bytes, name: bytes) -> str | None:
    match = re.search(rb"(?:^|\s)" + re.escape(name) + rb'="([^"]*)"', tag)
    return unescape(match.group(1).decode()) if match else None


def _sheet_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
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


def _cell_position(column: bytes, row: bytes) -> tuple[int, int]:
    index = 0
    for letter in column:
        index = index * 26 + letter - ord("A") + 1
    return int(row) - 1, index - 1


def _scan(xml: bytes, errors: dict[tuple[int, int], str]) -> None:
    position = xml.find(_ERROR_TYPE)
    while position != -1:
        start = xml.rfind(b"<", 0, position)
        tag_end = xml.find(b">", position)
        cell_end = xml.find(b"c>", tag_end)
        reference = _CELL_REFERENCE.search(xml, start, tag_end)
        value = _CELL_VALUE.search(xml, tag_end, cell_end)
        if reference is not None and value is not None and xml[tag_end - 1] != ord("/"):
            errors[_cell_position(*reference.groups())] = unescape(value.group(1).decode())
        position = xml.find(_ERROR_TYPE, tag_end)


def error_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Return ``{(row, column): error text}`` (0-based) for every error cell of ``sheet``.

    Only xlsx/xlsm workbooks (zip archives) are scanned, in blocks cut at row ends so
    memory stays small; other formats and unreadable archives give an empty mapping (the
    caller reports unreadable files itself).
    """
    errors: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet)
            if member is None:
                return errors
            with archive.open(member) as stream:
                carry = b""
                while block := stream.read(_BLOCK_SIZE):
                    buffer = carry + block
                    row_end = buffer.rfind(b"row>")
                    cut = row_end + len(b"row>") if row_end != -1 else 0
                    _scan(buffer[:cut], errors)
                    carry = buffer[cut:]
                _scan(carry, errors)
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    return errors
