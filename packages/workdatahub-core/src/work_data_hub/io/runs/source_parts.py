"""The parts a run reads as one table: each source file and, for ``SourceSpec.sheets``, each
matching sheet of it, in file then workbook order."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from fnmatch import fnmatchcase
from functools import partial
from pathlib import Path

import pandas as pd

from work_data_hub.domain.columns import SOURCE_FILE_COLUMN, SOURCE_SHEET_COLUMN
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import Reader, SheetReader, SourceFileError, SourcePart
from work_data_hub.io.connectors.file_connector import discover_files
from work_data_hub.io.runs.request import RunFailed, RunRequest
from work_data_hub.io.runs.source_file import file_checksum

__all__ = [
    "PARTS_READ_AT_ONCE",
    "files_checksum",
    "matching_sheets",
    "plan_parts",
    "read_part",
    "read_parts",
    "reader_for",
    "request_files",
    "resolved_part",
    "tag_part",
]


def reader_for(readers: Mapping[str, Reader], source: SourceSpec) -> Reader:
    """The reader of the source's ``file_type``; ``RunFailed`` naming the known ones otherwise."""
    if source.file_type not in readers:
        raise RunFailed(f"no reader for source type {source.file_type!r}; known: {sorted(readers)}")
    return readers[source.file_type]


def request_files(request: RunRequest, source: SourceSpec, inbox: Path) -> list[Path]:
    """Return the absolute source files of a run: ``request.file``, or the month's file (every
    matching file, for ``all_files``) in ``inbox``. Raises ``RunFailed`` for a missing file and
    ``FileDiscoveryError`` when the month has none."""
    if request.file is not None:
        if not request.file.is_file():
            raise RunFailed(f"file {str(request.file)!r} does not exist")
        return [request.file.resolve()]
    files = discover_files(inbox, source, request.month or "", select=request.select)
    return [path.resolve() for path in files]


def matching_sheets(names: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """Return the sheet names (in their order) that fit one of the glob ``patterns``; letter
    case and surrounding spaces are ignored."""
    folded = [pattern.strip().casefold() for pattern in patterns]
    return [
        name
        for name in names
        if any(fnmatchcase(name.strip().casefold(), pattern) for pattern in folded)
    ]


def plan_parts(paths: Sequence[Path], source: SourceSpec, reader: Reader) -> list[SourcePart]:
    """Return the parts of ``paths``: one per file, or one per matching sheet of each file when
    the source declares ``sheets``.

    Raises ``RunFailed`` when ``sheets`` is declared for a reader that reads no sheets, and
    ``SourceFileError`` (naming the file and its sheets) for a workbook where none matches.
    """
    if not source.sheets:
        return [SourcePart(path, source.sheet) for path in paths]
    if not isinstance(reader, SheetReader):
        raise RunFailed(
            f"the source declares sheets {source.sheets!r}, but its reader "
            f"({source.file_type!r}) reads files without sheets"
        )
    parts: list[SourcePart] = []
    for path in paths:
        names = reader.sheet_names(path)
        matching = matching_sheets(names, source.sheets)
        if not matching:
            raise SourceFileError(
                path,
                f"no sheet matches {', '.join(map(repr, source.sheets))}; the workbook has: "
                f"{', '.join(map(repr, names))}",
            )
        parts.extend(SourcePart(path, name) for name in matching)
    return parts


def read_part(reader: Reader, part: SourcePart, source: SourceSpec) -> pd.DataFrame:
    """Read one part: the reader sees the source with the part's sheet as its one sheet."""
    return reader.read(part.path, replace(source, sheet=part.sheet, sheets=(), all_files=False))


def resolved_part(part: SourcePart, frame: pd.DataFrame) -> SourcePart:
    """The part with the sheet its reader actually read: the workbook's own spelling of the
    declared one, or the first sheet when none was declared (``frame.attrs["sheet"]``)."""
    return SourcePart(part.path, frame.attrs.get("sheet") or part.sheet)


PARTS_READ_AT_ONCE = 2
"""Parts read side by side: python-calamine parses without holding the GIL, so a second
workbook part's parse runs on the second core while the first part's cells become text."""


def read_parts(
    reader: Reader, parts: Sequence[SourcePart], source: SourceSpec
) -> list[tuple[SourcePart, pd.DataFrame]]:
    """Read every part, in order, ``PARTS_READ_AT_ONCE`` at a time, each paired with the part
    as read (``resolved_part``); the first part's error (in part order) is raised."""
    if len(parts) == 1:
        frames = [read_part(reader, parts[0], source)]
    else:
        with ThreadPoolExecutor(max_workers=PARTS_READ_AT_ONCE) as pool:
            frames = list(pool.map(partial(read_part, reader, source=source), parts))
    return [(resolved_part(part, frame), frame) for part, frame in zip(parts, frames, strict=True)]


def tag_part(frame: pd.DataFrame, part: SourcePart) -> pd.DataFrame:
    """Return ``frame`` with the part's file name and sheet as its lineage columns."""
    return frame.assign(
        **{
            SOURCE_FILE_COLUMN: pd.Series(part.path.name, index=frame.index, dtype="object"),
            SOURCE_SHEET_COLUMN: pd.Series(part.sheet, index=frame.index, dtype="object"),
        }
    )


def files_checksum(paths: Sequence[Path]) -> str | None:
    """The SHA-256 of one file; for several, the SHA-256 of their ``name:sha256`` lines in
    order (None when one cannot be read: the read stage then fails, recorded)."""
    sums = [file_checksum(path) for path in paths]
    if len(sums) == 1:
        return sums[0]
    if None in sums:
        return None
    lines = "".join(f"{path.name}:{checksum}\n" for path, checksum in zip(paths, sums, strict=True))
    return hashlib.sha256(lines.encode()).hexdigest()
