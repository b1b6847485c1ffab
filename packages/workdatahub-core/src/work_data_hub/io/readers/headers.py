"""Header cleaning and the shared turn of a header row plus text columns into one DataFrame.

Both readers produce the same thing: a header row, the data as text (``None`` for an
empty cell) and the source row number of each data row. This module names the columns (cleaning,
aliases), refuses duplicate or missing columns, and builds the frame, so Excel and CSV
behave identically.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from work_data_hub.domain.columns import LINEAGE_COLUMNS, SOURCE_ROW_COLUMN
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)

TextColumn = list[str | None]

_FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH_TO_ASCII[0x3000] = 0x20
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_HEADER_TRANSLATION = {**_FULL_WIDTH_TO_ASCII, **_INVISIBLE}
_WHITESPACE_RUN = re.compile(r"\s+")
_LINEAGE_NAMES = {name.casefold() for name in LINEAGE_COLUMNS}


def clean_header(text: str) -> str:
    """Return the canonical spelling of a header cell.

    Full-width ASCII variants become ASCII (``（`` → ``(``, ``Ａ`` → ``A``, the ideographic
    space → space), zero-width characters and BOMs disappear, whitespace runs (newlines
    included) collapse to one space and the ends are trimmed. Idempotent.
    """
    return _WHITESPACE_RUN.sub(" ", text.translate(_HEADER_TRANSLATION)).strip()


def column_letter(index: int) -> str:
    """Return the Excel column letter of a 0-based column index (0 → ``A``, 26 → ``AA``)."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def resolve_headers(
    cells: Sequence[str | None],
    source: SourceSpec,
    *,
    path: Path,
    sheet: str | None,
    row: int,
    position_name: Callable[[int], str],
) -> list[str | None]:
    """Return the column name of every header position (``None`` for an empty header cell).

    Names are cleaned with ``clean_header``, then renamed by ``source.header_aliases``
    (whose keys are cleaned the same way). Raises ``SourceFileError`` when a name is a
    lineage column (``LINEAGE_COLUMNS``, in any letter case: only the platform writes those),
    when two positions end up with the same name or a ``source.required_columns`` entry is
    missing.
    ``position_name`` turns a 0-based position into what a user sees (``"C"``, ``"field 3"``).
    """
    aliases = {
        clean_header(alias): clean_header(name) for alias, name in source.header_aliases.items()
    }
    names: list[str | None] = []
    first_position: dict[str, int] = {}
    for position, cell in enumerate(cells):
        cleaned = clean_header(cell) if cell is not None else ""
        if not cleaned:
            names.append(None)
            continue
        name = aliases.get(cleaned, cleaned)
        if name.casefold() in _LINEAGE_NAMES:
            raise SourceFileError(
                path,
                f"header {cell!r} in column {position_name(position)} names a lineage column "
                f"({', '.join(LINEAGE_COLUMNS)}), which only the warehouse writes; "
                "rename or remove that column",
                sheet=sheet,
                row=row,
                column=name,
            )
        if name in first_position:
            earlier = first_position[name]
            raise SourceFileError(
                path,
                f"duplicate header {name!r}: column {position_name(earlier)} ({cells[earlier]!r}) "
                f"and column {position_name(position)} ({cell!r}); rename or remove one of them",
                sheet=sheet,
                row=row,
                column=name,
            )
        first_position[name] = position
        names.append(name)
    required = [clean_header(name) for name in source.required_columns]
    missing = [name for name in required if name not in first_position]
    if missing:
        raise SourceFileError(
            path,
            f"missing required column(s) {', '.join(map(repr, missing))}; "
            f"columns found: {', '.join(map(repr, first_position)) or 'none'}",
            sheet=sheet,
            row=row,
        )
    return names


class TextFrameBuilder:
    """Collects a file's data chunk by chunk and builds the reader's DataFrame.

    Chunks keep memory bounded: each chunk's Python strings become Arrow text as soon as it
    is added, and the chunks of a column end up as one chunked Arrow column without copying.
    The frame has one ``str`` column per named header position plus ``wdh_source_row`` (int64).
    """

    def __init__(
        self,
        names: Sequence[str | None],
        *,
        path: Path,
        sheet: str | None,
        position_name: Callable[[int], str],
    ) -> None:
        self._names = list(names)
        self._path = path
        self._sheet = sheet
        self._position_name = position_name
        self._chunks: list[list[pa.Array]] = [[] for _ in self._names]
        self._source_rows: list[int] = []

    def add(self, columns: Sequence[TextColumn | pa.Array], source_rows: Sequence[int]) -> None:
        """Append one chunk: a text column per header position, each as long as ``source_rows``.

        A column is a list of ``str``/``None`` or an Arrow string array (nulls for empty cells).
        """
        for chunks, values in zip(self._chunks, columns, strict=True):
            chunks.append(
                values if isinstance(values, pa.Array) else pa.array(values, type=pa.large_string())
            )
        self._source_rows.extend(source_rows)

    def frame(self) -> pd.DataFrame:
        """Return the collected rows.

        A position without a header is dropped when all its cells are empty; when it holds
        values it is kept as ``column_<position>`` and a warning is logged, so no value is
        lost silently.
        """
        data: dict[str, pd.Series] = {}
        for position, (name, chunks) in enumerate(zip(self._names, self._chunks, strict=True)):
            values = pd.Series(pa.chunked_array(chunks, type=pa.large_string()), dtype="str")
            if name is None:
                filled = values.notna().to_numpy().nonzero()[0]
                if not len(filled):
                    continue
                name = f"column_{self._position_name(position)}"
                logger.warning(
                    "values under an empty header",
                    file=self._path.name,
                    sheet=self._sheet,
                    column=name,
                    first_row=self._source_rows[filled[0]],
                )
            data[name] = values
        data[SOURCE_ROW_COLUMN] = pd.Series(self._source_rows, dtype="int64")
        return pd.DataFrame(data)
