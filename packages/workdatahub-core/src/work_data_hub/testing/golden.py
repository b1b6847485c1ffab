"""Golden tests without a database: a hand-made sheet through a domain's rules at a fixed time.

- ``read_text_csv(path)`` reads a hand-made CSV as a reader returns a sheet.
- ``transform_sheet(domain, sheet, run_at=...)`` writes a frame as the domain's source file
  and runs ``transform_file`` on it: the domain's reader, steps and schema validation at a
  fixed run time. Compare the result with ``assert_golden`` (``domain_runner``), which renders
  rows as text.
- ``FixedCompanyIdCache`` stands in for the warehouse's company-id cache.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from work_data_hub.domain.services import DomainServices
from work_data_hub.io.enrichment import CacheHits
from work_data_hub.plugins.registry import DomainRegistry
from work_data_hub.testing.domain_runner import (
    TransformedFile,
    registered_domain,
    transform_file,
    write_sample_file,
)

__all__ = ["FixedCompanyIdCache", "read_text_csv", "transform_sheet"]

_EXTENSIONS = {"excel": ".xlsx", "csv": ".csv"}


def read_text_csv(path: Path) -> pd.DataFrame:
    """Return a UTF-8 CSV as a reader returns a sheet: every cell text, empty cells ``None``."""
    return pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""], encoding="utf-8")


def transform_sheet(
    domain: str | object,
    sheet: pd.DataFrame,
    *,
    run_at: dt.datetime,
    services: DomainServices | None = None,
    registry: DomainRegistry | None = None,
) -> TransformedFile:
    """Write ``sheet`` as the domain's source file and return ``transform_file`` of it.

    The file (a workbook with ``sheet`` on the domain's sheet, or CSV text) lives in a
    temporary folder for the call, so the domain's own reader, header aliases and required
    columns apply exactly as in a run. ``domain``, ``services`` and ``registry`` are as for
    ``transform_file``; ``run_at`` fixes the run's time, on which rules such as "a month after
    the run month is rejected" depend. Row numbers are the sheet's rows from 2.
    """
    registered, registry = registered_domain(domain, registry)
    name = registered.definition.name
    source = registered.definition.source
    with tempfile.TemporaryDirectory(prefix="wdh-sheet-") as folder:
        path = Path(folder) / f"{name}{_EXTENSIONS[source.file_type]}"
        write_sample_file(
            path, sheet, file_type=source.file_type, sheet=source.sheet_name_for(name)
        )
        return transform_file(name, path, registry=registry, services=services, run_at=run_at)


@dataclass(frozen=True)
class FixedCompanyIdCache:
    """A company-id cache with fixed entries, standing in for the warehouse's in unit tests.

    ``by_name`` maps normalised customer names to ids; ``fetch`` answers the names asked
    for, like ``WarehouseCompanyIdCache``.
    """

    by_name: Mapping[str, str] = field(default_factory=dict)

    def fetch(self, names: Collection[str]) -> CacheHits:
        """Return the held ids of the asked names."""
        return CacheHits(by_name={name: id_ for name, id_ in self.by_name.items() if name in names})
