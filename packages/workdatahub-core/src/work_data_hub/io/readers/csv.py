"""The CSV reader: a delimited text file as text columns, whatever its encoding and delimiter."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import BinaryIO, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.io.readers.layout import Header, LaidOutTable, locate_header, search_window
from work_data_hub.utils.logging import get_logger

__all__ = ["DELIMITERS", "CsvReader", "detect_encoding", "sniff_delimiter"]

logger = get_logger(__name__)

DELIMITERS = (",", "\t", ";", "|")
"""Candidate delimiters, in the order that breaks ties."""

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_WORKBOOK_MAGICS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_NULL_TEXT = pa.scalar(None, pa.large_string())


_BLOCK_BYTES = 1 << 23
"""The encoding is checked 8 MiB at a time: a file's text is never all in memory at once."""
_HEAD_BYTES = 8192


def _undecodable(
    path: Path, error: UnicodeDecodeError, expected: str, lines_before: int
) -> SourceFileError:
    decoded = error.object  # the bytes the codec saw (after a UTF-8 byte-order mark)
    return SourceFileError(
        path,
        f"the text is {expected} (byte 0x{decoded[error.start]:02x} cannot be decoded); "
        "save the file as UTF-8",
        row=lines_before + decoded.count(b"\n", 0, error.start) + 1,
    )


def _check_decodes(path: Path, handle: BinaryIO, encoding: str, expected: str | None) -> bool:
    """Decode the whole of ``handle`` block by block; return whether it holds anything but
    whitespace. Raises ``SourceFileError`` naming the line of the first undecodable byte (the
    text is ``expected``), or ``UnicodeDecodeError`` when ``expected`` is None (the caller
    tries another encoding)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines_before, content = 0, False
    handle.seek(0)
    while True:
        block = handle.read(_BLOCK_BYTES)
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as error:
            if expected is None:
                raise
            raise _undecodable(path, error, expected, lines_before) from error
        if not block:
            return content
        content = content or bool(block.strip())
        lines_before += block.count(b"\n")


def detect_encoding(path: Path, handle: BinaryIO) -> str:
    """Return the encoding of a CSV file's bytes, read from ``handle`` in blocks.

    A byte-order mark decides (UTF-8 or UTF-16); otherwise strict UTF-8 is tried, then
    GB18030 (a superset of GBK and GB2312). Raises ``SourceFileError`` for an empty file, a
    workbook or other binary content, and bytes invalid in the encoding(s) tried.
    """
    head = handle.read(_HEAD_BYTES)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            name = encoding.upper().removesuffix("-SIG")
            _check_decodes(path, handle, encoding, f"not valid {name} despite its byte-order mark")
            return encoding
    if head.startswith(_WORKBOOK_MAGICS):
        raise SourceFileError(
            path,
            "the file is an Excel workbook, not CSV text; save it as .xlsx and read it as Excel",
        )
    if b"\x00" in head:
        raise SourceFileError(path, "the file holds binary data, not CSV text")
    try:
        content = _check_decodes(path, handle, "utf-8", None)
        encoding = "utf-8"
    except UnicodeDecodeError:
        content = _check_decodes(path, handle, "gb18030", "neither UTF-8 nor GB18030")
        encoding = "gb18030"
    if not content:
        raise SourceFileError(path, "the file is empty: no header line found")
    return encoding


def sniff_delimiter(header_line: str) -> str:
    """Return the delimiter among ``DELIMITERS`` that splits the header line into most fields.

    Ties, a one-column header included, go to the earlier candidate (``,`` first).
    """
    counts = [len(next(csv.reader([header_line], delimiter=d))) for d in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))]


def _lines(handle: BinaryIO, encoding: str) -> TextIO:
    """Return the lines of ``handle`` decoded as they are read, line endings kept as written."""
    return io.TextIOWrapper(handle, encoding=encoding, newline="")


def _records(lines: Iterator[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number where the record starts, fields)`` for every record."""
    reader = csv.reader(lines, delimiter=delimiter)
    line = 1
    for fields in reader:
        yield line, fields
        line = reader.line_num + 1


class CsvReader:
    """Reads a CSV file into text columns plus ``wdh_source_row`` (the line a record starts on).

    The header is located as the source declares (``layout.locate_header``); blank records
    and records whose fields are all empty are skipped, line numbers staying true, and totals
    rows and rows below the table are listed in ``frame.attrs[SKIPPED_ROWS]``. A header
    without records reads as zero rows. The encoding and delimiter used are kept in ``frame.attrs``.
    """

    def __init__(self, chunk_rows: int = 20_000) -> None:
        self.chunk_rows = chunk_rows

    def read(self, path: Path, source: SourceSpec) -> pd.DataFrame:
        """Return every record of ``path`` as the file has it; raise ``SourceFileError``."""
        try:
            with path.open("rb") as handle:
                encoding = detect_encoding(path, handle)
                handle.seek(0)
                frame, delimiter = self._read_text(path, source, _lines(handle, encoding))
        except OSError as error:
            raise SourceFileError(path, f"the file cannot be opened ({error.strerror})") from error
        except csv.Error as error:
            raise SourceFileError(path, f"malformed CSV: {error}") from error
        except UnicodeDecodeError as error:
            raise SourceFileError(
                path, f"the file changed while it was read ({error}); read it again"
            ) from error
        frame.attrs.update(encoding=encoding, delimiter=delimiter)
        logger.info(
            "read csv", file=path.name, encoding=encoding, delimiter=delimiter, rows=len(frame)
        )
        return frame

    def _read_text(self, path: Path, source: SourceSpec, lines: TextIO) -> tuple[pd.DataFrame, str]:
        """Sniff the delimiter from the first non-blank line, then read every record."""
        header_line = next((line for line in lines if line.strip()), "")
        delimiter = sniff_delimiter(header_line)
        lines.seek(0)
        return self._read_records(path, source, _records(lines, delimiter), delimiter), delimiter

    def _read_records(
        self,
        path: Path,
        source: SourceSpec,
        records: Iterator[tuple[int, list[str]]],
        delimiter: str,
    ) -> pd.DataFrame:
        laid_out: LaidOutTable | None = None
        width = 0
        while chunk := list(islice(records, self.chunk_rows)):
            filled = [(line, fields) for line, fields in chunk if any(fields)]
            if laid_out is None and filled:
                header = _locate(filled, source, path)
                laid_out = LaidOutTable(
                    header, source, path=path, sheet=None, position_name=_field_name
                )
                width = len(header.names)
                filled = [(line, fields) for line, fields in filled if line > header.last_row]
            if laid_out is None or not filled:
                continue
            columns = _text_columns(
                [
                    fields if len(fields) == width else _fit(path, line, fields, width, delimiter)
                    for line, fields in filled
                ]
            )
            laid_out.add(columns, [line for line, _ in filled])
        if laid_out is None:
            raise SourceFileError(path, "the file has no header line: every line is empty")
        return laid_out.frame()


def _locate(records: list[tuple[int, list[str]]], source: SourceSpec, path: Path) -> Header:
    """Locate the header among the first non-empty records (``layout.locate_header``)."""
    searched = search_window([line for line, _ in records], source)
    rows = [(line, [field or None for field in fields]) for line, fields in records[:searched]]
    return locate_header(rows, source, path=path, sheet=None, position_name=_field_name)


def _text_columns(rows: list[list[str]]) -> list[pa.Array]:
    """Return the fields of equally long records as Arrow text columns, empty fields null."""
    table = np.array(rows, dtype=object)
    columns = (pa.array(table[:, i], type=pa.large_string()) for i in range(table.shape[1]))
    return [pc.if_else(pc.equal(column, ""), _NULL_TEXT, column) for column in columns]


def _field_name(position: int) -> str:
    return str(position + 1)


def _fit(path: Path, line: int, fields: list[str], width: int, delimiter: str) -> list[str]:
    """Pad a short record with empty fields; refuse a long one unless its extra fields are empty."""
    if len(fields) < width:
        return fields + [""] * (width - len(fields))
    if any(fields[width:]):
        raise SourceFileError(
            path,
            f"the record has {len(fields)} fields but the header has {width}; "
            f"quote values that contain {delimiter!r}",
            row=line,
        )
    return fields[:width]
