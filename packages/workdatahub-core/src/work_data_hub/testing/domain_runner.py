"""Test helpers for domain authors: run a domain on a file, compare rows with golden files.

- ``DomainRunner(engine).run(domain, file)`` runs the domain exactly as ``workdatahub run`` does
  (the run service, audited, one transaction) and returns the report with the rows it loaded.
- ``transform_file(plugin, file)`` reads a file and runs the domain's steps and schema validation
  without a database, for fast unit tests; ``plugin`` may be the package's ``Domain`` itself, so the
  package need not be installed.
- ``rows_as_text`` and ``assert_golden`` compare rows with a golden CSV file; set
  ``WDH_UPDATE_GOLDEN=1`` to (re)write the golden files instead, then review the diff.
- ``write_sample_file`` and ``place_in_inbox`` prepare source files for a test.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine

from work_data_hub.config import Settings
from work_data_hub.domain.columns import (
    EXECUTION_ID_COLUMN,
    PART_LINEAGE_COLUMNS,
    SOURCE_ROW_COLUMN,
    column_names,
)
from work_data_hub.domain.definition import SourceType
from work_data_hub.domain.pipelines import PipelineContext
from work_data_hub.domain.pipelines.types import PART_REJECTION_COLUMNS
from work_data_hub.domain.services import DomainServices
from work_data_hub.io.connectors.file_connector import folder_for
from work_data_hub.io.database import render_url
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.io.runs.parts_transform import transform_domain
from work_data_hub.io.runs.source_parts import plan_parts, read_parts
from work_data_hub.io.sample_data import write_csv, write_workbook
from work_data_hub.plugins import SourceFileError
from work_data_hub.plugins.manager import BUILTIN_PLUGINS
from work_data_hub.plugins.policy import PluginPolicy
from work_data_hub.plugins.registry import DomainRegistry, RegisteredDomain, get_registry

__all__ = [
    "REJECTION_FIELDS",
    "UPDATE_GOLDEN_VARIABLE",
    "DomainRun",
    "DomainRunner",
    "TransformedFile",
    "assert_golden",
    "place_in_inbox",
    "plugin_registry",
    "rows_as_text",
    "transform_file",
    "write_sample_file",
]

UPDATE_GOLDEN_VARIABLE = "WDH_UPDATE_GOLDEN"
"""Set to 1 to let ``assert_golden`` write the golden files instead of comparing with them."""

REJECTION_FIELDS = ("source_row", "column", "reason")
"""The columns of ``TransformedFile.rejected``: where (row, column) and why."""

TEST_DISTRIBUTION = "(plugin under test)"
_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class DomainRun:
    """One run of a domain against a database: the run's report and the rows it loaded.

    ``rows`` holds ``wdh_source_row`` and the declared columns of the rows whose
    ``wdh_execution_id`` is this run's, ordered by source row (empty for a failed or dry run).
    """

    report: RunReport
    rows: pd.DataFrame


@dataclass(frozen=True)
class TransformedFile:
    """A file after the domain's steps and schema validation, with no database involved.

    ``valid``: ``wdh_source_row`` and the declared columns, cast, ordered by source row;
    ``rejected``: ``REJECTION_FIELDS``, one row per rejected (row, column), ordered.
    """

    valid: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int


def plugin_registry(*plugins: object) -> DomainRegistry:
    """Return a strict registry with the core's readers and steps plus ``plugins`` registered.

    A plugin (usually the domain's ``PLUGIN``) that breaks a rule of the plugin contract
    raises ``PluginLoadError`` naming what to fix, as ``WDH_STRICT_PLUGINS=1`` would.
    """
    registry = DomainRegistry(PluginPolicy(strict=True))
    for module_name in BUILTIN_PLUGINS:
        registry.load_builtin(module_name)
    for plugin in plugins:
        registry.register(plugin, distribution=TEST_DISTRIBUTION)
    return registry


def registered_domain(
    domain: str | object, registry: DomainRegistry | None = None
) -> tuple[RegisteredDomain, DomainRegistry]:
    """Return the domain and a registry holding it: an installed name, or a plugin registered
    on the spot with the core's built-ins."""
    if isinstance(domain, str):
        registry = registry or get_registry()
        return registry.get(domain), registry
    registry = plugin_registry(domain)
    if len(registry.domains) != 1:
        raise ValueError(f"{domain!r} declares {len(registry.domains)} domains, not one")
    return next(iter(registry.domains.values())), registry


def transform_file(
    domain: str | object,
    file: Path,
    *,
    registry: DomainRegistry | None = None,
    services: DomainServices | None = None,
    run_at: dt.datetime | None = None,
) -> TransformedFile:
    """Read ``file`` with the domain's reader and run its steps and schema validation.

    ``domain`` is a ``Domain`` (the package's ``PLUGIN``), registered on
    the spot with the core's built-ins, or the name of an installed domain (looked up in
    ``registry``, default the installed plugins). Steps get ``services`` (default: none, so no
    enrichment) and a context dated ``run_at`` (default now).
    A step that fails outright raises ``PipelineStepError`` (``RunFailed`` naming the sheet, for
    a source of several sheets); rejected rows never raise.
    """
    registered, registry = registered_domain(domain, registry)
    readers = registry.readers()
    definition = registered.definition
    source = definition.source
    if source.file_type not in readers:
        raise SourceFileError(file, f"no reader for source type {source.file_type!r}")
    reader = readers[source.file_type]
    result, _ = transform_domain(
        registered,
        services or DomainServices(),
        read_parts(reader, plan_parts([file], source, reader), source),
        PipelineContext(definition.name, "transform-file", run_at or dt.datetime.now(dt.UTC)),
    )
    lineage = [c for c in PART_LINEAGE_COLUMNS if c in result.valid.columns]
    columns = [*lineage, SOURCE_ROW_COLUMN, *column_names(registered.columns)]
    valid = result.valid[columns].sort_values([*lineage, SOURCE_ROW_COLUMN], kind="stable")
    where = list(PART_REJECTION_COLUMNS) if lineage else []
    rejected = result.rejected[[*where, *REJECTION_FIELDS]].sort_values(
        [*where, "source_row", "column"], kind="stable"
    )
    return TransformedFile(
        valid=valid.reset_index(drop=True),
        rejected=rejected.reset_index(drop=True),
        rows_read=result.rows_read,
    )


class DomainRunner:
    """Runs installed domains on files against one database, as ``workdatahub run`` does.

    ``settings`` default to the engine's database with the current environment's other
    settings; pass ``Settings(DATABASE_URL=..., INBOX_DIR=tmp_path)`` to isolate a test.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        settings: Settings | None = None,
        registry: DomainRegistry | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings or Settings(DATABASE_URL=render_url(engine.url))
        self.registry = registry

    def run(self, domain: str, file: Path, *, dry_run: bool = False) -> DomainRun:
        """Run ``domain`` on ``file`` with the run service; return the report and loaded rows."""
        request = RunRequest(domain=domain, file=file, dry_run=dry_run)
        report = run_domain(
            request, engine=self.engine, registry=self._registry(), settings=self.settings
        )
        return DomainRun(report=report, rows=self.loaded_rows(domain, report.execution_id))

    def loaded_rows(self, domain: str, execution_id: str | None = None) -> pd.DataFrame:
        """Return ``wdh_source_row`` and the declared columns of the domain's table.

        Only the rows loaded by ``execution_id`` when given, else every row; ordered by
        execution, then source row. Dates come back as ``datetime.date``, decimals as ``Decimal``.
        """
        registered = self._registry().get(domain)
        definition = registered.definition
        names = (SOURCE_ROW_COLUMN, *column_names(registered.columns))
        table = sa.table(
            definition.table,
            *(sa.column(name) for name in (*names, EXECUTION_ID_COLUMN)),
            schema=definition.db_schema,
        )
        query = sa.select(*(table.c[name] for name in names)).order_by(
            table.c[EXECUTION_ID_COLUMN], table.c[SOURCE_ROW_COLUMN]
        )
        if execution_id is not None:
            run_id = sa.literal(uuid.UUID(execution_id), sa.Uuid())
            query = query.where(table.c[EXECUTION_ID_COLUMN] == run_id)
        with self.engine.connect() as connection:
            result = connection.execute(query)
            return pd.DataFrame(result.all(), columns=list(result.keys()), dtype=object)

    def _registry(self) -> DomainRegistry:
        return self.registry or get_registry()


def _cell_text(value: Any) -> str:
    """Render one value the same whether it came from a DataFrame step or from PostgreSQL."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return _decimal_text(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _decimal_text(value: decimal.Decimal) -> str:
    """Exact digits without trailing zeros: a step's ``1000.50`` and the column's ``1000.5000``
    are both ``1000.5``; no binary float in between, so a lost digit shows."""
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def rows_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as text cells: ISO dates, decimals digit for digit without trailing zeros
    (``1234.5``), floats as ``repr``, ``""`` for missing values; a decimal from the database and
    from a step render alike."""
    rendered = {
        str(name): [_cell_text(value) for value in frame[name].astype(object)]
        for name in frame.columns
    }
    return pd.DataFrame(rendered, columns=[str(name) for name in frame.columns], dtype="str")


def _update_requested() -> bool:
    return os.environ.get(UPDATE_GOLDEN_VARIABLE, "").strip().lower() in _TRUE


def assert_golden(frame: pd.DataFrame, golden: Path) -> None:
    """Assert that ``frame``, rendered by ``rows_as_text``, equals the CSV file ``golden``.

    With ``WDH_UPDATE_GOLDEN=1`` the file is written from ``frame`` instead (review the diff
    before committing). A missing file fails with that instruction.
    """
    actual = rows_as_text(frame)
    if _update_requested():
        write_csv(golden, actual)
        return
    if not golden.is_file():
        raise AssertionError(
            f"golden file {golden} does not exist: run the test with "
            f"{UPDATE_GOLDEN_VARIABLE}=1 to write it, then check every row of it"
        )
    expected = pd.read_csv(golden, dtype="str", keep_default_na=False, encoding="utf-8")
    hint = f"rows differ from {golden} ({UPDATE_GOLDEN_VARIABLE}=1 rewrites it)"
    assert list(actual.columns) == list(expected.columns), (
        f"{hint}: columns {list(actual.columns)} != {list(expected.columns)}"
    )
    try:
        pd.testing.assert_frame_equal(actual, expected, check_dtype=False)
    except AssertionError as difference:
        raise AssertionError(f"{hint}: {difference}") from None


def write_sample_file(
    path: Path, frame: pd.DataFrame, *, file_type: SourceType = "csv", sheet: str | None = None
) -> Path:
    """Write ``frame`` as the file a domain reads: CSV text, or a workbook with it on ``sheet``."""
    if file_type == "csv":
        return write_csv(path, frame)
    return write_workbook(path, {sheet or "Sheet1": frame})


def place_in_inbox(
    domain: str, file: Path, inbox: Path, month: str, *, registry: DomainRegistry | None = None
) -> Path:
    """Copy ``file`` into the folder where ``domain`` discovers its source for ``month``.

    The copy keeps the file's name, which must match the domain's patterns for ``--month`` runs
    to find it. Returns the copy's path.
    """
    source = (registry or get_registry()).get(domain).definition.source
    target = folder_for(inbox, source, month) / file.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, target)
    return target
