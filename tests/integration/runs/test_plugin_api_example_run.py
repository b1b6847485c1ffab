"""The complete domain printed in docs/plugin-api.md runs end to end into the warehouse."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.testing.domain_runner import plugin_registry, write_sample_file

pytestmark = pytest.mark.integration

PLUGIN_API = Path(__file__).parents[3] / "docs" / "plugin-api.md"


def _example_plugin() -> object:
    text = PLUGIN_API.read_text(encoding="utf-8")
    example = re.search(r"<!-- example: events -->\n```python\n(.*?)```", text, re.DOTALL)
    assert example is not None, "docs/plugin-api.md lost its example block"
    module = types.ModuleType("workdatahub_events")
    exec(compile(example[1], str(PLUGIN_API), "exec"), module.__dict__)
    return module.PLUGIN


def test_the_documented_domain_loads_its_valid_rows_and_records_the_rejected_one(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    registry = plugin_registry(_example_plugin())
    with wdh_engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE events (event_date date NOT NULL, customer varchar(100), "
            "amount numeric(18, 2), wdh_execution_id uuid, wdh_source_row integer, "
            "wdh_loaded_at timestamptz NOT NULL DEFAULT now())"
        )
    # 21 rows, the second negative: one rejection stays below the 5 % reject threshold.
    rows = pd.DataFrame(
        {
            "event_date": [f"2024-11-{day:02d}" for day in range(1, 22)],
            "customer": ["Acme Ltd", "Beta", *(f"C{day}" for day in range(3, 22))],
            "amount": ["¥1,234.50", "-5", *(str(day) for day in range(3, 22))],
        }
    )
    file = write_sample_file(tmp_path / "events_202411.csv", rows)

    report = run_domain(
        RunRequest("events", file=file), engine=wdh_engine, registry=registry, settings=settings
    )

    assert report.status == "succeeded", report.error
    assert (report.rows_loaded, report.rows_rejected) == (20, 1)
    with wdh_engine.connect() as connection:
        loaded = connection.exec_driver_sql(
            "SELECT event_date::text, customer, amount::text, wdh_source_row FROM events "
            "ORDER BY wdh_source_row LIMIT 2"
        ).all()
    assert [tuple(row) for row in loaded] == [
        ("2024-11-01", "Acme Ltd", "1234.50", 2),
        ("2024-11-03", "C3", "3.00", 4),
    ]
