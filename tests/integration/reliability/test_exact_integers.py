"""Whole numbers reach BIGINT, INTEGER and SMALLINT columns digit for digit, or are rejected.

Through a float64 an integer above 2**53 changes (``9007199254740993`` becomes ``...992``),
and a column with one blank cell used to be read as floats. Each column here has blanks; the
values at each type's edges arrive exactly, and a value the declared type cannot hold is a
rejected row naming the range, never a failed COPY.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine
from work_data_hub.config import get_settings
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.io.schema.tables import create_domain_table
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec
from work_data_hub.testing.domain_runner import plugin_registry

pytestmark = pytest.mark.integration

COUNTS = Domain(
    definition=DomainDefinition(
        name="account_counts",
        table="account_counts",
        source=SourceSpec(patterns=("account_counts_*.csv",), file_type="csv"),
        keys=("account",),
        write_mode="append",
        reject_threshold=0.5,
    ),
    columns=(
        Column("account", nullable=False),
        Column("units", "integer", description="bigint"),
        Column("holders", "integer", integer_type="integer"),
        Column("branches", "integer", integer_type="smallint"),
    ),
)

EDGE_ROWS = [
    ("A1", "9007199254740993", "", "32767"),
    ("A2", "", "2147483647", "-32768"),
    ("A3", "-9223372036854775808", "-2147483648", ""),
    ("A4", "9223372036854775807", " 12 ", "7.0"),
    ("A5", "123456789012345678901", "1", "1"),
    ("A6", "1", "2147483648", "1"),
    ("A7", "1", "1", "32768"),
    ("A8", "1", "1.5", "1"),
]
"""Rows A1–A4 hold each type's edges; A5–A8 hold what the declared type cannot store."""

REJECTED = [
    (6, "units '123456789012345678901' is outside the bigint range "
        "-9223372036854775808 to 9223372036854775807"),
    (7, "holders '2147483648' is outside the integer range -2147483648 to 2147483647"),
    (8, "branches '32768' is outside the smallint range -32768 to 32767"),
    (9, "holders '1.5' is not an integer"),
]  # fmt: skip

STORED = {
    "A1": (9007199254740993, None, 32767),
    "A2": (None, 2147483647, -32768),
    "A3": (-9223372036854775808, -2147483648, None),
    "A4": (9223372036854775807, 12, 7),
}


def _csv(folder: Path, filler: int) -> Path:
    """The edge rows, then ``filler`` plain rows (enough of them make the load use COPY)."""
    path = folder / "account_counts_202411.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account", "units", "holders", "branches"])
        writer.writerows(EDGE_ROWS)
        writer.writerows((f"F{number}", str(number), "", "1") for number in range(filler))
    return path


@pytest.mark.parametrize("filler", [0, 200], ids=["batched insert", "copy"])
def test_integers_are_stored_exactly_and_values_beyond_the_type_are_rejected(
    wdh_engine: Engine, tmp_path: Path, filler: int
) -> None:
    with wdh_engine.begin() as connection:
        create_domain_table(
            Operations(MigrationContext.configure(connection)),
            "account_counts",
            list(COUNTS.columns),
            keys=("account",),
        )
    settings = get_settings(require_database=False)
    report = run_domain(
        RunRequest("account_counts", file=_csv(tmp_path, filler)),
        engine=wdh_engine,
        registry=plugin_registry(COUNTS),
        settings=settings.model_copy(update={"WDH_REJECT_THRESHOLD": 0.5}),
    )

    assert report.status == "succeeded", report.error
    assert sorted((entry["row"], entry["reason"]) for entry in report.rejected) == REJECTED
    assert report.rows_loaded == 4 + filler
    query = sa.text(
        "SELECT account, units, holders, branches FROM account_counts WHERE account LIKE 'A%'"
    )
    with wdh_engine.connect() as connection:
        stored = {row[0]: tuple(row[1:]) for row in connection.execute(query)}
        types = dict(
            connection.execute(
                sa.text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'account_counts' AND column_name IN "
                    "('units', 'holders', 'branches')"
                )
            ).all()
        )
    assert stored == STORED
    assert types == {"units": "bigint", "holders": "integer", "branches": "smallint"}
