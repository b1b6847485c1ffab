"""The bad-input corpus (tests/data/bad/) through annuity_performance: each file's documented fate.

Before each file, the table holds a clean October 2024. A file is then either

- **rejected whole**: the run fails with a message naming the file (and the sheet, row and
  column where there is one), nothing is written and the table is exactly as before; or
- **loaded with its bad rows rejected**: each bad row is recorded in ``rejected_rows`` with
  its source row, column and reason, every other row is loaded (values stored exactly as the
  file has them), and October is untouched.

In every case rows read = rows loaded + rows rejected, in the report and in
``pipeline_executions``. docs/reliability.md lists the same outcomes; a test keeps them equal.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Literal

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from warehouse_state import executions, rejected_cells, table_rows
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.testing.domain_runner import write_sample_file

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "data" / "bad"
DOCS = ROOT / "docs" / "reliability.md"
DOMAIN = TABLE = "annuity_performance"
SHEET = "规模明细"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_bad_files", ROOT / "scripts" / "make_bad_files.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BAD = _generator()
ROWS: int = BAD.ROWS

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


def rows_rejected(*cells: tuple[int, str], **stored: object) -> Outcome:
    return Outcome("rows rejected", rejected=frozenset(cells), stored=_cells(stored))


def loaded(stored: Mapping[tuple[int, str], object] | None = None) -> Outcome:
    return Outcome("loaded", stored=dict(stored or {}))


def _cells(stored: Mapping[str, object]) -> dict[tuple[int, str], object]:
    """``{"r3_投资收益": value}`` keyword form → ``{(3, "投资收益"): value}``."""
    return {(int(key[1:].split("_", 1)[0]), key.split("_", 1)[1]): v for key, v in stored.items()}


LONG = BAD.LONG_TEXT
OUTCOMES: dict[str, Outcome] = {
    "corrupt_zip.xlsx": file_rejected("corrupt_zip.xlsx", "damaged"),
    "csv_renamed.xlsx": file_rejected("csv_renamed.xlsx", "not an Excel workbook", "plain text"),
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
        r2_期初资产规模=Decimal("-1.0000"),
        r3_投资收益=Decimal("-987654321.1200"),
    ),
    "dates_out_of_range.xlsx": rows_rejected((3, "月度"), (4, "月度")),
    "nul_character.xlsx": rows_rejected((7, "客户名称")),
    "formula_like_strings.xlsx": loaded(
        {(row + 2, "年金账户名"): text for row, text in enumerate(BAD.FORMULAS)}
        | {(6, "计划名称"): "=cmd|' /C calc'!A0", (7, "期初资产规模"): Decimal("1001.0000")}
    ),
    "sql_in_values.xlsx": loaded(
        {
            (2, "年金账户名"): BAD.HOSTILE_SQL[0],
            (3, "计划名称"): BAD.HOSTILE_SQL[1],
            (4, "组合名称"): BAD.HOSTILE_SQL[2],
            (5, "计划名称"): BAD.HOSTILE_SQL[3],
        }
    ),
    "sql_in_headers.xlsx": loaded(),
    "long_names.xlsx": loaded(
        {(2, "年金账户名"): "长" * LONG, (3, "计划名称"): "N" * LONG, (4, "组合名称"): "名" * LONG}
    ),
    "control_characters.xlsx": loaded(
        {(row + 2, "计划名称"): text for row, text in enumerate(BAD.CONTROL_TEXTS)}
    ),
    "extra_columns_200.xlsx": loaded(),
}
"""Every file of the corpus and its outcome; docs/reliability.md has the same table."""


@pytest.fixture
def october(wdh_engine: Engine, settings: Settings, tmp_path: Path) -> list[tuple[object, ...]]:
    """Load a clean October 2024 first; return the table's rows afterwards."""
    clean = BAD.changed({(row, "月度"): 202410 for row in range(ROWS)})
    file = write_sample_file(tmp_path / "october.xlsx", clean, file_type="excel", sheet=SHEET)
    report = run_domain(RunRequest(DOMAIN, file=file), engine=wdh_engine, settings=settings)
    assert (report.status, report.rows_loaded) == ("succeeded", ROWS), report.error
    return table_rows(wdh_engine, TABLE)


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
def test_each_bad_file_has_its_documented_outcome(
    wdh_engine: Engine,
    settings: Settings,
    october: list[tuple[object, ...]],
    name: str,
) -> None:
    expected = OUTCOMES[name]
    columns = _table_columns(wdh_engine)

    report = run_domain(
        RunRequest(DOMAIN, file=CORPUS / name), engine=wdh_engine, settings=settings
    )

    _assert_counted(wdh_engine, report)
    assert _table_columns(wdh_engine) == columns
    if expected.kind == "file rejected":
        assert report.status == "failed"
        assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (0, 0, 0)
        for fragment in expected.message:
            assert fragment in (report.error or ""), (fragment, report.error)
        assert report.error in (executions(wdh_engine)[report.execution_id].error_details or "")
        assert table_rows(wdh_engine, TABLE) == october
        return
    assert report.status == "succeeded", report.error
    rows = ROWS if name != "header_only.xlsx" else 0
    assert report.rows_read == rows
    assert report.rows_rejected == expected.rejected_rows
    assert rejected_cells(wdh_engine, report.execution_id) == expected.rejected
    assert all(entry["column"] in entry["reason"] for entry in report.rejected)
    after = table_rows(wdh_engine, TABLE)
    assert len(after) == len(october) + report.rows_loaded
    assert set(october) <= set(after)
    for (row, column), value in expected.stored.items():
        assert _stored(wdh_engine, report.execution_id, row, column) == value, (row, column)


def test_the_corpus_is_what_the_generator_writes(tmp_path: Path) -> None:
    written = BAD.write_corpus(tmp_path)

    assert len(written) >= 15
    assert sorted(path.name for path in CORPUS.iterdir()) == sorted(OUTCOMES)
    for path in written:
        assert path.read_bytes() == (CORPUS / path.name).read_bytes(), path.name


def test_the_documented_outcomes_are_the_tested_ones() -> None:
    documented = dict(
        re.findall(r"^\| `([^`]+\.xlsx)` \| ([a-z ]+?) \|", DOCS.read_text("utf-8"), re.M)
    )

    assert documented == {name: outcome.kind for name, outcome in OUTCOMES.items()}
