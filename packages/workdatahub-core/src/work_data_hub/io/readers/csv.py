"""The CSV reader: a delimited text file as text columns, whatever its encoding and delimiter."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.io.readers.layout import Header, LaidOutTable, locate_header, search_window
from work_data_hub.utils.logging import get_logger

__all__ = ["DELIMITERS", "CsvReader", "decode_text", "sniff_delimiter"]

logger = get_logger(__name__)

DELIMITERS = (",", "\t", ";", "|")
"""Candidate delimiters, in the order that breaks ties."""

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_WORKBOOK_MAGICS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_NULL_TEXT = pa.scalar(None, pa.large_string())


def _undecodable(path: Path, error: UnicodeDecodeError, expected: str) -> SourceFileError:
    decoded = error.object  # the bytes the codec saw (after a UTF-8 byte-order mark)
    return SourceFileError(
        path,
        f"the text is {expected} (byte 0x{decoded[error.start]:02x} cannot be decoded); "
        "save the file as UTF-8",
        row=decoded.count(b"\n", 0, error.start) + 1,
    )


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` of a CSV file's bytes.

    A byte-order mark decides (UTF-8 or UTF-16); otherwise strict UTF-8 is tried, then
    GB18030 (a superset of GBK and GB2312). Raises ``SourceFileError`` for an empty file, a
    workbook or other binary content, and bytes invalid in the encoding(s) tried.
    """
    if not data.strip():
        raise SourceFileError(path, "the file is empty: no header line found")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                expected = (
                    f"not valid {encoding.upper().removesuffix('-SIG')} despite its byte-order mark"
                )
                raise _undecodable(path, error, expected) from error
    if data.startswith(_WORKBOOK_MAGICS):
        raise SourceFileError(
            path,
            "the file is an Excel workbook, not CSV text; save it as .xlsx and read it as Excel",
        )
    if b"\x00" in data[:8192]:
        raise SourceFileError(path, "the file holds binary data, not CSV text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as error:
        raise _undecodable(path, error, "neither UTF-8 nor GB18030") from error


def sniff_delimiter(header_line: str) -> str:
    """Return the delimiter among ``DELIMITERS`` that splits the header line into most fields.

    Ties, a one-column header included, go to the earlier candidate (``,`` first).
    """
    counts = [len(next(csv.reader([header_line], delimiter=d))) for d in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))]


def _lines(data: bytes, encoding: str) -> io.TextIOWrapper:
    """Return the lines of ``data`` decoded as they are read, line endings kept as written.

    Decoding incrementally keeps one copy of the file (its bytes) in memory instead of the
    bytes, the text and a reading buffer of four bytes per character.
    """
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


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
            data = path.read_bytes()
        except OSError as error:
            raise SourceFileError(path, f"the file cannot be opened ({error.strerror})") from error
        encoding = decode_text(path, data)[1]
        header_line = next((line for line in _lines(data, encoding) if line.strip()), "")
        delimiter = sniff_delimiter(header_line)
        records = _records(_lines(data, encoding), delimiter)
        try:
            frame = self._read_records(path, source, records, delimiter)
        except csv.Error as error:
            raise SourceFileError(path, f"malformed CSV: {error}") from error
        frame.attrs.update(encoding=encoding, delimiter=delimiter)
        logger.info(
            "read csv", file=path.name, encoding=encoding, delimiter=delimiter, rows=len(frame)
        )
        return frame

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
