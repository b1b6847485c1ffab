"""Look at a workbook's container before python-calamine opens it.

python-calamine (Rust) aborts the whole process when an allocation fails, and it trusts sizes
written in the file. So nothing reaches it that the reader has not looked at first:

- a file that is not a zip archive (xlsx, xlsm, ods) or an OLE2 compound file named .xls is
  refused by its first bytes: an encrypted workbook or an old .xls renamed to .xlsx, a CSV
  renamed, an empty file;
- a zip archive must open with Python's ``zipfile`` (which reads only what is there);
- no XML part may be larger than its declared maximum (``MAX_SHEET_XML``,
  ``MAX_SHARED_STRINGS_XML``, ``MAX_OTHER_PART``), and the parts python-calamine reads
  besides the sheet are decompressed once here, so that a part whose real size differs from
  the size it declares fails ``zipfile``'s size and checksum check instead of inflating;
- the shared strings (``xl/sharedStrings.xml``, which python-calamine loads whole when it
  opens the workbook) may hold no text longer than the cell text cap, checked by streaming.
"""

from __future__ import annotations

import re
import xml.parsers.expat
import zipfile
from pathlib import Path
from typing import IO

from work_data_hub.domain.readers import SourceFileError

ZIP_MAGIC = b"PK\x03\x04"
_HEAD_BYTES = 512
"""Bytes read to tell a workbook's container, or the kind of text a renamed file holds."""
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LEGACY_SUFFIXES = (".xls", ".xla")
"""Suffixes of the old binary format, an OLE2 compound file python-calamine reads itself."""

MAX_SHEET_XML = 2 << 30
"""Uncompressed bytes a worksheet's XML may have (a dense 1,048,576 × 30 sheet has ~1 GB)."""
MAX_SHARED_STRINGS_XML = 1 << 30
"""Uncompressed bytes the shared strings may have; python-calamine holds them all at once."""
MAX_OTHER_PART = 64 << 20
"""Uncompressed bytes of any other XML part (styles, workbook, relationships …)."""

_BLOCK_SIZE = 1 << 20
_STRING_END = re.compile(rb"</(?:\w+:)?si>")


def check_container(path: Path, *, max_cell_text: int) -> None:
    """Raise ``SourceFileError`` unless ``path`` may be handed to python-calamine (see module)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as error:
        raise SourceFileError(path, f"the file cannot be opened ({error.strerror})") from error
    if not head:
        raise SourceFileError(path, "the file is empty (0 bytes), not an Excel workbook")
    if head.startswith(OLE_MAGIC):
        if path.suffix.lower() in LEGACY_SUFFIXES:
            return
        raise SourceFileError(
            path, "the file is an encrypted workbook or an old .xls file saved under another name"
        )
    if not head.startswith(ZIP_MAGIC):
        raise SourceFileError(path, _not_a_workbook(head))
    try:
        with zipfile.ZipFile(path) as archive:
            _check_part_sizes(path, archive)
            _check_shared_strings(path, archive, max_cell_text)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise SourceFileError(
            path, f"the workbook is damaged and cannot be opened ({error})"
        ) from error


def _part_limit(name: str) -> int | None:
    """Return the most uncompressed bytes the part may have; None for non-XML parts."""
    lowered = name.lower()
    if lowered.startswith("xl/worksheets/") and lowered.endswith(".xml"):
        return MAX_SHEET_XML
    if lowered.endswith("sharedstrings.xml"):
        return MAX_SHARED_STRINGS_XML
    if lowered.endswith((".xml", ".rels")):
        return MAX_OTHER_PART
    return None


def _check_part_sizes(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a part over its limit; decompress the small parts once (see the module)."""
    for info in archive.infolist():
        limit = _part_limit(info.filename)
        if limit is None:
            continue
        if info.file_size > limit:
            raise SourceFileError(
                path,
                f"the part {info.filename} holds {info.file_size:,} bytes uncompressed, more "
                f"than the {limit:,} the reader accepts: the workbook is refused unread",
            )
        if limit == MAX_OTHER_PART:
            with archive.open(info) as stream:
                while stream.read(_BLOCK_SIZE):
                    pass


def _not_a_workbook(head: bytes) -> str:
    if b"\x00" not in head:
        kind = _text_kind(head)
        return f"the file is not an Excel workbook: it holds {kind}; save it as .xlsx from Excel"
    return "the file is not an Excel workbook (it is neither a zip archive nor an OLE2 file)"


def _text_kind(head: bytes) -> str:
    """Say what a text file saved under a workbook's name holds, from its first bytes."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "HTML or XML (a web page or an export renamed to .xlsx?)"
    first_line = text.split(b"\n", 1)[0]
    if any(separator in first_line for separator in (b",", b";", b"\t")):
        return "delimited text (a CSV file renamed to .xlsx?)"
    return "plain text, not a workbook"


def _check_shared_strings(path: Path, archive: zipfile.ZipFile, max_cell_text: int) -> None:
    """Refuse the workbook when one of its shared strings is longer than ``max_cell_text``.

    A string of n characters takes at least n bytes of XML, so only entries spanning more
    than ``max_cell_text`` bytes are counted exactly, and counting stops at the cap. The part
    is always streamed whole: ``zipfile`` then also checks its declared size and checksum.
    """
    for info in archive.infolist():
        if not info.filename.lower().endswith("sharedstrings.xml"):
            continue
        with archive.open(info) as stream:
            widest = _widest_entry(stream, max_cell_text)
        if widest <= max_cell_text:
            continue
        with archive.open(info) as stream:
            number = _first_string_longer_than(stream, max_cell_text)
        if number is not None:
            raise SourceFileError(
                path,
                f"shared string number {number} ({info.filename}) holds more than "
                f"{max_cell_text:,} characters, the most a cell may hold: the workbook is "
                "refused unread; shorten that text in Excel",
            )


def _widest_entry(stream: IO[bytes], enough: int) -> int:
    """Return the most bytes between two string ends (the first from the start).

    Stops reading as soon as the answer exceeds ``enough``.
    """
    offset = previous_end = widest = 0
    carry = b""
    while block := stream.read(_BLOCK_SIZE):
        buffer = carry + block
        ends = [m.end() for m in _STRING_END.finditer(buffer) if m.end() > len(carry)]
        base = offset - len(carry)
        for end in ends:
            widest = max(widest, base + end - previous_end)
            previous_end = base + end
        offset += len(block)
        carry = buffer[-8:]
        widest = max(widest, offset - previous_end)
        if widest > enough:
            break
    return widest


class _TooLong(Exception):
    pass


def _first_string_longer_than(stream: IO[bytes], limit: int) -> int | None:
    """Return the 1-based number of the first shared string over ``limit`` characters, or None.

    Streams the XML through expat, counting the text of each ``<si>`` (phonetic runs
    ``<rPh>`` excluded), and stops at the first string over the limit.
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    state = {"number": 0, "length": 0, "text": 0, "phonetic": 0}

    def start(name: str, _attributes: object) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "si":
            state["number"] += 1
            state["length"] = 0
        elif local == "t":
            state["text"] += 1
        elif local == "rPh":
            state["phonetic"] += 1

    def end(name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "t":
            state["text"] -= 1
        elif local == "rPh":
            state["phonetic"] -= 1

    def text(data: str) -> None:
        if state["text"] and not state["phonetic"]:
            state["length"] += len(data)
            if state["length"] > limit:
                raise _TooLong

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        while block := stream.read(_BLOCK_SIZE):
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except _TooLong:
        return state["number"]
    except xml.parsers.expat.ExpatError:
        return None
    return None
