{% import "answers.j2" as a with context -%}
"""The sample file loaded into a fresh, migrated PostgreSQL, exactly as `workdatahub run` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from work_data_hub.testing.domain_runner import DomainRunner, assert_golden
from work_data_hub.testing.schema import declared_table_differences

pytestmark = pytest.mark.integration

DOMAIN = "{{ cookiecutter.domain_name }}"
DATA = Path(__file__).parents[1] / "data"
SAMPLE = DATA / "{{ a.sample_file }}"


def test_the_migrated_table_matches_the_declared_columns(wdh_database: str) -> None:
    # A change of COLUMNS needs its revision: workdatahub db revision --autogenerate ...
    assert declared_table_differences(wdh_database, DOMAIN) == []


def test_the_sample_loads_the_golden_rows_and_reports_the_rejected_ones(
    wdh_domain_runner: DomainRunner,
) -> None:
    run = wdh_domain_runner.run(DOMAIN, SAMPLE)

    assert run.report.status == "succeeded", run.report.error
    assert run.report.rows_loaded == len(run.rows)
    assert run.report.rows_read == run.report.rows_loaded + run.report.rows_rejected
    assert_golden(run.rows, DATA / "expected_rows.csv")
    assert all(entry["row"] >= 2 and entry["column"] for entry in run.report.rejected)


def test_loading_the_same_file_again_{{ "adds_its_rows_again" if cookiecutter.write_mode == "append" else "replaces_its_rows" }}(
    wdh_domain_runner: DomainRunner,
) -> None:
    first = wdh_domain_runner.run(DOMAIN, SAMPLE)
    second = wdh_domain_runner.run(DOMAIN, SAMPLE)

    assert (first.report.status, second.report.status) == ("succeeded", "succeeded")
    table = wdh_domain_runner.loaded_rows(DOMAIN)
{%- if cookiecutter.write_mode == "append" %}
    assert len(table) == first.report.rows_loaded + second.report.rows_loaded
{%- else %}
    assert len(table) == second.report.rows_loaded == first.report.rows_loaded
    assert len(second.rows) == len(table)
{%- endif %}
