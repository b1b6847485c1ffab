"""The bad-input corpus (tests/data/bad/) through annuity_performance: each file's documented fate.

The table holds a clean October 2024 throughout; every file is a November 2024. A file is
either

- **rejected whole**: the run fails with a message naming the file (and the sheet, row and
  column where there is one), nothing is written and the table is exactly as before; or
- **loaded with its bad rows rejected**: each bad row is recorded in ``rejected_rows`` with
  its source row, column and reason, every other row is loaded (values stored exactly as the
  file has them), and October is untouched.

In every case rows read = rows loaded + rows rejected, in the report and in
``pipeline_executions``. docs/reliability.md lists the same outcomes; a test keeps them equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
import sqlalchemy as sa
from bad_files import CORPUS, ROOT, generator
from sqlalchemy import Engine
from warehouse_state import executions, loaded_by, rejected_cells, table_rows
from work_data_hub.config import Settings
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.testing import DatabaseServer
from work_data_hub.testing.domain_runner import write_sample_file

pytestmark = pytest.mark.integration

DOCS = ROOT / "docs" / "reliability.md"
DOMAIN = TABLE = "annuity_performance"
SHEET = "规模明细"
OCTOBER = "\"月度\" = DATE '2024-10-01'"

ROWS: int = generator.ROWS

Kind = Literal["file rejected", "rows rejected", "loaded"]


@dataclass(frozen=True)
class Outcome:
    """What must happen to one file: its kind, the error's wording, the rejected cells, and
    values that must be stored exactly, by (Excel row, column)."""

    kind: Kind
    message: tuple[str, ...] = ()
    rejected: frozenset[tuple[int, str]] = frozenset()
    stored: Mapping[tuple[int, str], object] = field(default_factory=dict)

    @property
    def rejected_rows(self) -> int:
        return len({row for row, _ in self.rejected})


def file_rejected(name: str, *fragments: str) -> Outcome:
    return Outcome("file rejected", (f"file '{name}'", *fragments))


def rows_rejected(
    *cells: tuple[int, str], stored: Mapping[tuple[int, str], object] | None = None
) -> Outcome:
    return Outcome("rows rejected", rejected=frozenset(cells), stored=dict(stored or {}))


def loaded(stored: Mapping[tuple[int, str], object] | None = None) -> Outcome:
    return Outcome("loaded", stored=dict(stored or {}))


LONG = generator.LONG_TEXT
OUTCOMES: dict[str, Outcome] = {
    "corrupt_zip.xlsx": file_rejected("corrupt_zip.xlsx", "damaged"),
    "csv_renamed.xlsx": file_rejected(
        "csv_renamed.xlsx", "not an Excel workbook", "delimited text (a CSV file"
    ),
    "legacy_ole_renamed.xlsx": file_rejected("legacy_ole_renamed.xlsx", "old .xls"),
    "zero_bytes.xlsx": file_rejected("zero_bytes.xlsx", "empty (0 bytes)"),
    "empty_workbook.xlsx": file_rejected(
        "empty_workbook.xlsx", f"sheet '{SHEET}'", "no header row"
    ),
    "missing_sheet.xlsx": file_rejected(
        "missing_sheet.xlsx", f"sheet '{SHEET}'", "no sheet named", "'Sheet1'"
    ),
    "missing_required_column.xlsx": file_rejected(
        "missing_required_column.xlsx", f"sheet '{SHEET}'", "row 1", "'计划代码'"
    ),
    "duplicate_headers.xlsx": file_rejected(
        "duplicate_headers.xlsx", f"sheet '{SHEET}'", "row 1", "column '客户名称'", "column J"
    ),
    "header_only.xlsx": loaded(),
    "text_in_money.xlsx": rows_rejected((5, "期初资产规模"), (10, "供款")),
    "nan_inf.xlsx": rows_rejected((4, "期初资产规模"), (9, "供款"), (9, "投资收益")),
    "negative_and_absurd.xlsx": rows_rejected(
        (8, "期末资产规模"),
        (12, "当期收益率"),
        stored={
            (2, "期初资产规模"): Decimal("-1.0000"),
            (3, "投资收益"): Decimal("-987654321.1200"),
        },
    ),
    "dates_out_of_range.xlsx": rows_rejected((3, "月度"), (4, "月度")),
    "nul_character.xlsx": rows_rejected((7, "客户名称")),
    "formula_like_strings.xlsx": loaded(
        {(row + 2, "年金账户名"): text for row, text in enumerate(generator.FORMULAS)}
        | {(6, "计划名称"): "=cmd|' /C calc'!A0", (7, "期初资产规模"): Decimal("1001.0000")}
    ),
    "sql_in_values.xlsx": loaded(
        {
            (2, "年金账户名"): generator.HOSTILE_SQL[0],
            (3, "计划名称"): generator.HOSTILE_SQL[1],
            (4, "组合名称"): generator.HOSTILE_SQL[2],
            (5, "计划名称"): generator.HOSTILE_SQL[3],
        }
    ),
    "sql_in_headers.xlsx": loaded(),
    "long_names.xlsx": loaded(
        {(2, "年金账户名"): "长" * LONG, (3, "计划名称"): "N" * LONG, (4, "组合名称"): "名" * LONG}
    ),
    "control_characters.xlsx": loaded(
        {(row + 2, "计划名称"): text for row, text in enumerate(generator.CONTROL_TEXTS)}
    ),
    "extra_columns_200.xlsx": loaded(),
    "stray_month_rows.xlsx": rows_rejected((5, "月度"), (6, "月度")),
    "key_spellings.xlsx": rows_rejected(
        (8, "计划类型"),
        stored={
            (2, "业务类型"): "企年受托",
            (3, "业务类型"): "企年投资",
            (4, "计划类型"): "集合计划",
        },
    ),
    "misplaced_separators.xlsx": rows_rejected(
        (2, "期初资产规模"),
        (2, "供款"),
        (3, "期末资产规模"),
        (3, "投资收益"),
        stored={(4, "期初资产规模"): Decimal("1234567.5000")},
    ),
    "formula_without_cached_value.xlsx": rows_rejected(
        (5, "期初资产规模"), (5, "客户名称"), (11, "投资收益")
    ),
    "ambiguous_sheets.xlsx": file_rejected(
        "ambiguous_sheets.xlsx", "2 sheets match '规模明细'", "'规模明细 '", "'\\u200b规模明细'"
    ),
    "far_cell.xlsx": file_rejected(
        "far_cell.xlsx", f"sheet '{SHEET}'", "come from cell XFD1048576", "17,179,869,184 cells"
    ),
    "shared_strings_bomb.xlsx": file_rejected(
        "shared_strings_bomb.xlsx", "shared string number 1", "more than 32,767 characters"
    ),
    "lineage_header.xlsx": file_rejected(
        "lineage_header.xlsx", f"sheet '{SHEET}'", "row 1", "'wdh_loaded_at' in column X", "lineage"
    ),
    "too_precise.xlsx": rows_rejected(
        (3, "期末资产规模"),
        (4, "当期收益率"),
        stored={(2, "期初资产规模"): Decimal("12345678901234.5678")},
    ),
}
"""Every file of the corpus and its outcome; docs/reliability.md has the same table."""


@dataclass(frozen=True)
class Warehouse:
    """The corpus's database: an engine, settings, and the execution that loaded October."""

    engine: Engine
    settings: Settings
    october_execution: str


@pytest.fixture(scope="module")
def warehouse(
    wdh_database_url: str, wdh_migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    """One migrated database for the whole corpus, holding a clean October 2024.

    Every file is a November 2024, so each loaded file replaces the previous one's rows
    (delete-then-insert on the month) and October must stay exactly as it is throughout.
    """
    folder = tmp_path_factory.mktemp("bad-inputs")
    clean = generator.changed({(row, "月度"): 202410 for row in range(ROWS)})
    file = write_sample_file(folder / "october.xlsx", clean, file_type="excel", sheet=SHEET)
    with DatabaseServer.from_url(wdh_database_url).clone(wdh_migrated_template) as url:
        engine = create_engine_for(url)
        settings = Settings(
            _env_file=None,
            ENVIRONMENT="dev",
            DATABASE_URL=url,
            INBOX_DIR=folder,
            WDH_DATA_DIR=folder / "wdh",
        )
        report = run_domain(RunRequest(DOMAIN, file=file), engine=engine, settings=settings)
        assert (report.status, report.rows_loaded) == ("succeeded", ROWS), report.error
        try:
            yield Warehouse(engine, settings, report.execution_id)
        finally:
            engine.dispose()


def _stored(engine: Engine, execution_id: str, row: int, column: str) -> object:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.column(column))
            .select_from(sa.table(TABLE))
            .where(
                sa.column("wdh_source_row") == row,
                sa.cast(sa.column("wdh_execution_id"), sa.Text) == execution_id,
            )
        ).scalar_one()


def _table_columns(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [column["name"] for column in sa.inspect(connection).get_columns(TABLE)]


def _assert_counted(engine: Engine, report: RunReport) -> None:
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    recorded = executions(engine)[report.execution_id]
    assert recorded.status == report.status
    assert (recorded.rows_read or 0, recorded.rows_loaded, recorded.rows_rejected or 0) == (
        report.rows_read,
        report.rows_loaded,
        report.rows_rejected,
    )


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_each_bad_file_has_its_documented_outcome(warehouse: Warehouse, name: str) -> None:
    expected = OUTCOMES[name]
    engine = warehouse.engine
    columns = _table_columns(engine)
    before = table_rows(engine, TABLE)
    october = table_rows(engine, TABLE, where=OCTOBER)

    report = run_domain(
        RunRequest(DOMAIN, file=CORPUS / name), engine=engine, settings=warehouse.settings
    )

    expected_status = "failed" if expected.kind == "file rejected" else "succeeded"
    assert report.status == expected_status, report.error
    _assert_counted(engine, report)
    assert _table_columns(engine) == columns
    assert table_rows(engine, TABLE, where=OCTOBER) == october
    if expected.kind == "file rejected":
        assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (0, 0, 0)
        error = report.error or ""
        for fragment in expected.message:
            assert fragment in error, (fragment, error)
        assert error in (executions(engine)[report.execution_id].error_details or "")
        assert table_rows(engine, TABLE) == before
        return
    assert report.rows_read == (0 if name == "header_only.xlsx" else ROWS)
    assert report.rows_rejected == expected.rejected_rows
    assert rejected_cells(engine, report.execution_id) == expected.rejected
    assert all(entry["column"] in entry["reason"] for entry in report.rejected)
    if report.rows_loaded:
        assert loaded_by(engine, TABLE) == {
            warehouse.october_execution: ROWS,
            report.execution_id: report.rows_loaded,
        }
    else:
        assert table_rows(engine, TABLE) == before
    for (row, column), value in expected.stored.items():
        assert _stored(engine, report.execution_id, row, column) == value, (row, column)


def test_the_corpus_is_what_the_generator_writes(tmp_path: Path) -> None:
    written = generator.write_corpus(tmp_path)

    assert len(written) == len(OUTCOMES)
    assert sorted(path.name for path in CORPUS.iterdir()) == sorted(OUTCOMES)
    for path in written:
        assert path.read_bytes() == (CORPUS / path.name).read_bytes(), path.name


def test_the_documented_outcomes_are_the_tested_ones() -> None:
    documented = dict(
        re.findall(r"^\| `([^`]+\.xlsx)` \| ([a-z ]+?) \|", DOCS.read_text("utf-8"), re.M)
    )

    assert documented == {name: outcome.kind for name, outcome in OUTCOMES.items()}
