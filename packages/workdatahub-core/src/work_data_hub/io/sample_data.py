"""Sample source files: a generic workbook and CSV writer, and the month generator over domains.

``generate_month`` asks every domain that declares a sample generator for its rows and writes
them where discovery will look for that month: one workbook per group of domains with the same
source folder, patterns and file type (each domain on its own sheet), named so that every
domain of the group discovers it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import xlsxwriter

from work_data_hub.domain.definition import DomainDefinition, SourceType
from work_data_hub.io.connectors.file_connector import folder_for, name_matches, validate_month
from work_data_hub.utils.logging import get_logger

__all__ = ["SampleDomain", "generate_month", "sample_file_name", "write_csv", "write_workbook"]

logger = get_logger(__name__)

_CREATED = dt.datetime(2000, 1, 1)
"""Fixed document creation time, so the same frames always give the same bytes."""
_EXTENSIONS: dict[SourceType, str] = {"excel": ".xlsx", "csv": ".csv"}
_GLOB_TOKEN = re.compile(r"\*|\?|\[!?\]?[^\]]*\]")


class SampleDomain(Protocol):
    """What ``generate_month`` needs of a domain: its definition and its sample rows.

    ``work_data_hub.plugins.registry.RegisteredDomain`` fits: ``sample(month, rows, seed)``
    calls the domain's generator (``rows`` may be None: a typical month of that domain) and
    gives None when the domain declares none.
    """

    @property
    def definition(self) -> DomainDefinition:
        """The domain's declaration (source folder, patterns, sheet, file type)."""
        ...

    def sample(self, month: str, rows: int | None, seed: int) -> pd.DataFrame | None:
        """Return the domain's sample rows for ``month``, or None without a generator."""
        ...


def _column_cells(series: pd.Series) -> list[Any]:
    """Return a column's values as Python objects, missing values (None, NaN, NaT) as None."""
    cells: list[Any] = series.astype(object).where(series.notna(), None).tolist()
    return cells


def write_workbook(
    path: Path,
    sheets: Mapping[str, pd.DataFrame],
    *,
    above: Sequence[Sequence[object]] = (),
    below: Sequence[Sequence[object]] = (),
) -> Path:
    """Write each frame to its own sheet and return ``path``.

    The header is in row 1, or under the rows of ``above`` (a report's title, its date, a blank
    row); the rows of ``below`` (a totals row, notes) follow the data on every sheet. Values are
    written exactly as given: strings as text (never turned into numbers, formulas or links),
    numbers as numbers, booleans as booleans, dates and datetimes as Excel dates, missing
    values as empty cells. The same frames always give the same bytes. Raises ``ValueError``
    for a text longer than an Excel cell holds (32,767 characters).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    workbook.set_properties({"created": _CREATED})
    try:
        for sheet_name, frame in sheets.items():
            sheet = workbook.add_worksheet(sheet_name)
            for row_index, cells in enumerate(above):
                sheet.write_row(row_index, 0, list(cells))
            header_row = len(above)
            sheet.write_row(header_row, 0, [str(column) for column in frame.columns])
            columns = [_column_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
            rows = [*zip(*columns, strict=True), *map(list, below)]
            for row_index, row in enumerate(rows, start=header_row + 1):
                if sheet.write_row(row_index, 0, row) == -2:
                    raise ValueError(
                        f"sheet {sheet_name!r}, row {row_index + 1}: a text is longer than "
                        "the 32,767 characters an Excel cell holds"
                    )
    finally:
        workbook.close()
    return path


def write_csv(
    path: Path, frame: pd.DataFrame, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    """Write ``frame`` as CSV text and return ``path``.

    ``encoding`` is any Python codec (``utf-8-sig`` adds a BOM, ``gb18030`` for Chinese
    Windows tools). Missing values become empty fields; no index column is written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding=encoding, sep=delimiter, lineterminator="\n")
    return path


def _fill_pattern(pattern: str, month: str) -> str:
    """Fill a glob pattern: the first ``*`` becomes the month (``24年11月``), others nothing."""
    label = f"{month[2:4]}年{int(month[4:])}月"
    parts: list[str] = []
    position = 0
    for token in _GLOB_TOKEN.finditer(pattern):
        parts.append(pattern[position : token.start()])
        text = token.group()
        if text == "*":
            parts.append(label)
            label = ""
        elif text == "?":
            parts.append("0")
        else:
            members = text.strip("[]")
            parts.append("_" if members.startswith("!") else members[:1])
        position = token.end()
    parts.append(pattern[position:])
    return "".join(parts)


def sample_file_name(definitions: Iterable[DomainDefinition], month: str) -> str:
    """Return a realistic file name every one of ``definitions`` discovers for ``month``.

    The first pattern whose filling (see ``_fill_pattern``; the file type's extension
    appended when missing) matches every domain's patterns and no exclusion wins, e.g.
    ``*规模收入数据*.xlsx`` → ``24年11月规模收入数据.xlsx``. Raises ``ValueError`` when none does.
    """
    sources = [definition.source for definition in definitions]
    extension = _EXTENSIONS[sources[0].file_type]
    for pattern in sources[0].patterns:
        name = _fill_pattern(pattern, month)
        if not name.casefold().endswith(extension):
            name += extension
        if all(name_matches(name, source) for source in sources):
            return name
    raise ValueError(
        f"no sample file name fits the patterns {sources[0].patterns} of every domain sharing them"
    )


def _sample_frame(
    domain: SampleDomain, month: str, rows: int | None, seed: int
) -> pd.DataFrame | None:
    frame: object = domain.sample(month, rows, seed)
    if frame is None:
        logger.info("domain has no sample data", domain=domain.definition.name)
        return None
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"the sample generator of domain {domain.definition.name!r} returned "
            f"{type(frame).__name__}, not a pandas DataFrame"
        )
    return frame


def generate_month(
    domains: Iterable[SampleDomain],
    inbox: Path,
    month: str,
    rows: int | Mapping[str, int] | None,
    seed: int,
) -> list[Path]:
    """Write the sample source files of ``month`` into ``inbox`` and return their paths.

    Every domain that declares a sample generator is asked for ``rows`` rows, or
    ``rows[domain name]``; ``None``, or a domain missing from the mapping, asks for a typical
    month of that domain (the size it declares). Domains with the same source folder, patterns
    and file type share one file, each on its sheet (``source.sheet``, else one its ``sheets``
    patterns match, else the domain name: ``SourceSpec.sheet_name_for``), written into the
    month's discovery folder under ``sample_file_name``. Existing files of the same name are
    replaced. Raises ``ValueError`` when two domains of a group need the same sheet or several
    CSV domains would share one file.
    """
    validate_month(month)
    groups: dict[
        tuple[str, tuple[str, ...], SourceType], list[tuple[DomainDefinition, pd.DataFrame]]
    ] = {}
    for domain in domains:
        definition = domain.definition
        count = rows.get(definition.name) if isinstance(rows, Mapping) else rows
        frame = _sample_frame(domain, month, count, seed)
        if frame is None:
            continue
        source = definition.source
        if source.file_type not in _EXTENSIONS:
            raise ValueError(
                f"domain {definition.name!r} reads {source.file_type!r} files: sample files "
                f"can be written for {' and '.join(_EXTENSIONS)} sources only"
            )
        groups.setdefault((source.folder, source.patterns, source.file_type), []).append(
            (definition, frame)
        )
    written: list[Path] = []
    for (_, _, file_type), members in groups.items():
        definitions = [definition for definition, _ in members]
        path = folder_for(inbox, definitions[0].source, month) / sample_file_name(
            definitions, month
        )
        if file_type == "csv":
            if len(members) > 1:
                raise ValueError(
                    f"CSV domains {[d.name for d in definitions]} would share the file {path.name}"
                )
            written.append(write_csv(path, members[0][1]))
        else:
            sheets: dict[str, pd.DataFrame] = {}
            for definition, frame in members:
                sheet = definition.source.sheet_name_for(definition.name)
                if sheet in sheets:
                    raise ValueError(f"two domains of {path.name} both need the sheet {sheet!r}")
                sheets[sheet] = frame
            written.append(write_workbook(path, sheets))
        logger.info("sample file written", file=str(path), domains=[d.name for d in definitions])
    return written
