"""Integration checks every domain package runs on PostgreSQL, declared rather than copied.

- ``SampleMonths(runner).run(domain, month)`` writes a domain's generated sample month into the
  runner's inbox and runs the domain on that month, as ``workdatahub run DOMAIN --month`` does;
  the pytest fixture ``wdh_sample_months`` gives one on a fresh, migrated database.
- ``DomainLoadChecks`` is a base class of tests: a domain package subclasses it as
  ``TestXxxLoad``, sets what its source file and its sample month must give, and inherits the
  tests (the file loads, a rerun replaces or adds, a generated month is discovered and loaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pandas as pd

from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.io.sample_data import generate_month
from work_data_hub.plugins.registry import get_registry
from work_data_hub.testing.domain_runner import DomainRun, DomainRunner

__all__ = ["DomainLoadChecks", "SampleMonths"]


@dataclass(frozen=True)
class SampleMonths:
    """Runs installed domains on their generated sample months, against ``runner``'s database."""

    runner: DomainRunner

    def run(self, domain: str, month: str, *, rows: int | None = None, seed: int = 7) -> DomainRun:
        """Write ``domain``'s sample file for ``month`` into the runner's inbox, run the month.

        ``rows`` and ``seed`` go to the domain's ``sample`` generator (``None``: a
        typical month); the file is discovered as ``workdatahub run DOMAIN --month`` finds it.
        Returns the run's report and the rows it loaded.
        """
        runner = self.runner
        registry = runner.registry or get_registry()
        inbox = runner.settings.INBOX_DIR
        generate_month([registry.get(domain)], inbox, month, rows=rows, seed=seed)
        report = run_domain(
            RunRequest(domain=domain, month=month),
            engine=runner.engine,
            registry=registry,
            settings=runner.settings,
        )
        return DomainRun(report=report, rows=runner.loaded_rows(domain, report.execution_id))


def _succeeded(run: DomainRun) -> RunReport:
    assert run.report.status == "succeeded", run.report.error
    assert len(run.rows) == run.report.rows_loaded
    return run.report


class DomainLoadChecks:
    """Tests of an installed domain against a fresh database; subclass as ``TestXxxLoad``.

    Set ``domain``; ``source_file`` (a file the domain reads) with ``file_counts`` (rows read,
    loaded, rejected), ``file_reasons`` (texts that must occur among the rejection reasons) and
    ``enrichment_sources`` (company-id sources that must answer at least one row); and
    ``sample_rows``/``sample_seed`` with ``sample_rejected``, what the generated month of
    ``month`` must reject. Each test runs the domain exactly as ``workdatahub run`` does.
    """

    domain: ClassVar[str]
    source_file: ClassVar[Path]
    file_counts: ClassVar[tuple[int, int, int]]
    file_reasons: ClassVar[tuple[str, ...]] = ()
    enrichment_sources: ClassVar[tuple[str, ...]] = ()
    month: ClassVar[str] = "202411"
    sample_rows: ClassVar[int]
    sample_seed: ClassVar[int] = 3
    sample_rejected: ClassVar[int]

    def test_the_file_loads_every_valid_row_and_reports_every_rejected_one(
        self, wdh_domain_runner: DomainRunner
    ) -> None:
        """Counts, reasons (each with its Excel row) and enrichment sources are as declared."""
        report = _succeeded(wdh_domain_runner.run(self.domain, self.source_file))

        assert (report.rows_read, report.rows_loaded, report.rows_rejected) == self.file_counts
        reasons = " | ".join(entry["reason"] for entry in report.rejected)
        assert [text for text in self.file_reasons if text not in reasons] == []
        assert all(entry["row"] >= 2 and entry["column"] for entry in report.rejected)
        assert [s for s in self.enrichment_sources if not report.enrichment_sources.get(s)] == []

    def test_loading_the_file_again_replaces_its_rows_or_adds_them_for_append(
        self, wdh_domain_runner: DomainRunner
    ) -> None:
        """A rerun leaves one copy of the rows (the rerun's), or two with write mode append."""
        first = wdh_domain_runner.run(self.domain, self.source_file)
        second = wdh_domain_runner.run(self.domain, self.source_file)
        _succeeded(second)

        table = wdh_domain_runner.loaded_rows(self.domain)
        definition = (wdh_domain_runner.registry or get_registry()).get(self.domain).definition
        if definition.write_mode == "append":
            assert len(table) == len(first.rows) + len(second.rows)
            return
        pd.testing.assert_frame_equal(table, second.rows)
        pd.testing.assert_frame_equal(second.rows, first.rows)

    def test_a_generated_month_is_discovered_in_the_inbox_and_loaded(
        self, wdh_sample_months: SampleMonths
    ) -> None:
        """The sample month is found by discovery; exactly the planted rows are rejected."""
        run = wdh_sample_months.run(
            self.domain, self.month, rows=self.sample_rows, seed=self.sample_seed
        )

        report = _succeeded(run)
        assert report.rows_read == self.sample_rows
        assert report.rows_rejected == self.sample_rejected
        assert report.rows_loaded == self.sample_rows - self.sample_rejected
