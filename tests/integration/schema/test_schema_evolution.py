"""A generated domain evolves three times: add a column, change a column's type, drop a column.

The domain is rendered from the template into a temporary folder and put on ``sys.path`` with a
dist-info naming its entry point, as pip would install it. Each evolution edits its
``declarations.py``; ``db check`` and ``run`` then refuse the stale table, ``db revision
--autogenerate`` writes the revision into the domain's own folder, and ``db upgrade`` applies it
to the database that holds the loaded rows (they stay) and to a fresh one; ``db check`` passes.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cookiecutter.main import cookiecutter
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner
from work_data_hub.cli import db as cli_db
from work_data_hub.cli.app import app
from work_data_hub.cli.db import DRIFT_EXIT_CODE
from work_data_hub.cli.run import EXIT_FAILED
from work_data_hub.config import get_settings
from work_data_hub.io.database import create_engine_for
from work_data_hub.plugins.registry import reset_registry
from work_data_hub.testing import DatabaseServer, unique_database_name
from work_data_hub.testing.schema import declared_table_differences

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[3]
TEMPLATE = REPOSITORY / "templates" / "domain"
DOMAIN = "evolving_ledger"
PACKAGE = f"workdatahub_{DOMAIN}"
ANSWERS = {"domain_name": DOMAIN, "source_type": "csv", "title": "Evolving ledger"}
ROWS = "SELECT month, account, branch_code, product, balance, fee FROM evolving_ledger"
FROZEN_IMPORTS = {"__future__", "collections.abc", "typing", "sqlalchemy", "alembic"}


@dataclass(frozen=True)
class GeneratedDomain:
    """The rendered package: its declarations, its version folder and its sample file."""

    root: Path

    @property
    def declarations(self) -> Path:
        """The file an author edits to change the columns."""
        return self.root / "src" / PACKAGE / "declarations.py"

    @property
    def versions(self) -> Path:
        """The domain's own migration folder."""
        return self.root / "src" / PACKAGE / "migrations" / "versions"

    @property
    def sample(self) -> Path:
        """The template's sample month (21 rows, 20 valid)."""
        return self.root / "tests" / "data" / f"{DOMAIN}_202411.csv"

    def edit(self, old: str, new: str) -> None:
        """Replace ``old`` (present once) in the declarations and make the registry see it."""
        text = self.declarations.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        self.declarations.write_text(text.replace(old, new), encoding="utf-8")
        for name in [module for module in sys.modules if module.startswith(PACKAGE)]:
            del sys.modules[name]
        importlib.invalidate_caches()
        reset_registry()


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GeneratedDomain]:
    """The template rendered with ``ANSWERS``, importable and found through its entry point."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    root = Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, extra_context=ANSWERS, output_dir=str(tmp_path / "out")
        )
    )
    src = root / "src"
    dist_info = src / f"{PACKAGE}-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[workdatahub.domains]\n{DOMAIN} = {PACKAGE}.plugin:PLUGIN\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(src))
    monkeypatch.chdir(tmp_path)
    reset_registry()
    yield GeneratedDomain(root)
    for name in [module for module in sys.modules if module.startswith(PACKAGE)]:
        del sys.modules[name]
    reset_registry()


NewDatabase = Callable[[], str]


@pytest.fixture
def new_database(wdh_database_url: str) -> Iterator[NewDatabase]:
    """Return ``create()``: the URL of a new, empty database; all are dropped afterwards."""
    server = DatabaseServer.from_url(wdh_database_url)
    admin = create_engine_for(wdh_database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def create() -> str:
        name = unique_database_name("evolution")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return server.url_of(name)

    yield create
    with admin.connect() as connection:
        for name in created:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def cli(url: str, *arguments: str) -> tuple[int, str]:
    """Run ``workdatahub ARGUMENTS`` on ``url``; return the exit code and everything printed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setattr(cli_db.errors, "width", 200)
        get_settings.cache_clear()
        result = CliRunner().invoke(app, list(arguments))
    get_settings.cache_clear()
    return result.exit_code, result.output


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Return every row of ``sql`` on ``url``."""
    engine = create_engine_for(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql))]
    finally:
        engine.dispose()


def upgraded_and_checked(url: str, domain: str = DOMAIN) -> None:
    """``db upgrade`` then ``db check`` on ``url``: both exit 0, ``domain``'s table matches."""
    code, output = cli(url, "db", "upgrade")
    assert code == 0, output
    code, output = cli(url, "db", "check")
    assert code == 0, output
    assert "matches its declared columns" in output
    assert declared_table_differences(url, domain) == []


def revision_for(url: str, domain: GeneratedDomain, message: str) -> str:
    """``db revision --autogenerate``: assert the file is in the domain's folder and frozen."""
    code, output = cli(url, "db", "revision", "--autogenerate", "-m", message, "--branch", DOMAIN)
    assert code == 0, output
    path = Path(re.sub(r"\s+", "", output.split("created ", 1)[1]))
    assert path.parent == domain.versions
    text = path.read_text(encoding="utf-8")
    imported = set(re.findall(r"^(?:from|import) ([\w.]+)", text, re.MULTILINE))
    assert imported <= FROZEN_IMPORTS | {"sqlalchemy.dialects"}, imported
    return text


def refused(url: str, domain: GeneratedDomain, expected: str) -> None:
    """Before the revision: ``db check`` exits 1 naming ``expected``, ``run`` writes nothing."""
    assert declared_table_differences(url, DOMAIN) != []
    code, output = cli(url, "db", "check")
    assert code == DRIFT_EXIT_CODE, output
    cells = [" ".join(line.replace("│", " ").split()) for line in output.splitlines()]
    assert expected in cells, output
    assert "--autogenerate -m" in output
    assert f"--branch {DOMAIN}" in output
    assert "workdatahub db upgrade" in output
    before = query(url, f"{ROWS} ORDER BY account")
    code, output = cli(url, "run", DOMAIN, "--file", str(domain.sample), "--json")
    assert code == EXIT_FAILED, output
    report = json.loads(output.strip().splitlines()[-1])
    assert report["status"] == "failed"
    assert "differs from its declared columns" in report["error"]
    assert f"--branch {DOMAIN}` then `workdatahub db upgrade`" in report["error"]
    assert query(url, f"{ROWS} ORDER BY account") == before
    recorded = query(
        url,
        f"SELECT status FROM pipeline_executions WHERE execution_id = '{report['execution_id']}'",
    )
    assert recorded == [("failed",)]


def test_a_generated_domain_evolves_through_autogenerated_revisions(
    generated: GeneratedDomain, new_database: NewDatabase
) -> None:
    holding = new_database()
    code, output = cli(holding, "db", "check")
    assert code == DRIFT_EXIT_CODE
    assert "migrations still to apply" in output
    upgraded_and_checked(holding)
    code, output = cli(holding, "run", DOMAIN, "--file", str(generated.sample), "--json")
    assert code == 0, output
    assert json.loads(output.strip().splitlines()[-1])["rows_loaded"] == 20
    loaded = query(holding, f"{ROWS} ORDER BY account")
    assert len(loaded) == 20

    # 1. A new column.
    generated.edit(
        '    Column("fee", "decimal"',
        '    Column("region", description="sales region"),\n    Column("fee", "decimal"',
    )
    refused(holding, generated, f"{DOMAIN} public.{DOMAIN} column missing region TEXT NULL -")
    added = revision_for(holding, generated, "add region")
    assert "op.add_column('evolving_ledger', sa.Column('region', sa.Text()" in added
    assert "op.drop_column('evolving_ledger', 'region')" in added
    code, output = cli(
        holding, "db", "revision", "--autogenerate", "-m", "again", "--branch", DOMAIN
    )
    assert code == 1
    assert "run `workdatahub db upgrade` first" in output
    upgraded_and_checked(holding)
    upgraded_and_checked(new_database())
    assert query(holding, f"{ROWS} ORDER BY account") == loaded
    assert query(holding, "SELECT DISTINCT region FROM evolving_ledger") == [(None,)]

    # 2. A column's type: the fee gets a wider precision and two more decimals.
    generated.edit(
        '"fee", "decimal", precision=18, scale=2', '"fee", "decimal", precision=20, scale=4'
    )
    refused(
        holding,
        generated,
        f"{DOMAIN} public.{DOMAIN} type differs fee NUMERIC(20, 4) NUMERIC(18, 2)",
    )
    retyped = revision_for(holding, generated, "fee to four decimals")
    assert "type_=sa.Numeric(precision=20, scale=4)" in retyped
    assert "postgresql_using='fee::NUMERIC(20, 4)'" in retyped
    assert "postgresql_using='fee::NUMERIC(18, 2)'" in retyped
    upgraded_and_checked(holding)
    upgraded_and_checked(new_database())
    assert query(holding, f"{ROWS} ORDER BY account") == loaded
    scales = query(holding, "SELECT DISTINCT scale(fee) FROM evolving_ledger WHERE fee IS NOT NULL")
    assert scales == [(4,)]
    assert (
        sum(row[5] or Decimal(0) for row in loaded)
        == query(holding, "SELECT sum(fee) FROM evolving_ledger")[0][0]
    )

    # 3. A column dropped: the customer name is no longer kept.
    generated.edit('    dict(step="normalise_names", column="customer_name"),\n', "")
    generated.edit('    Column("customer_name", description="customer name, normalised"),\n', "")
    refused(
        holding,
        generated,
        f"{DOMAIN} public.{DOMAIN} column not declared customer_name - TEXT NULL",
    )
    dropped = revision_for(holding, generated, "drop customer name")
    assert "op.drop_column('evolving_ledger', 'customer_name')" in dropped
    assert "sa.Column('customer_name', sa.TEXT()" in dropped
    upgraded_and_checked(holding)
    fresh = new_database()
    upgraded_and_checked(fresh)
    code, output = cli(fresh, "db", "downgrade", f"{DOMAIN}@-3")
    assert code == 0, output
    assert cli(fresh, "db", "check")[0] == DRIFT_EXIT_CODE
    upgraded_and_checked(fresh)
    assert query(holding, f"{ROWS} ORDER BY account") == loaded
    columns = [
        row[0]
        for row in query(
            holding,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'evolving_ledger'",
        )
    ]
    assert "customer_name" not in columns
    assert "region" in columns

    # The business team adds a column to its file: the run loads and says so.
    lines = generated.sample.read_text(encoding="utf-8").splitlines()
    widened = generated.root / "widened.csv"
    widened.write_text(
        "\n".join([f"{lines[0]},channel", *(f"{line},web" for line in lines[1:])]) + "\n",
        encoding="utf-8",
    )
    code, output = cli(holding, "run", DOMAIN, "--file", str(widened), "--json")
    assert code == 0, output
    assert json.loads(output.strip().splitlines()[-1])["new_source_columns"] == ["channel"]
    code, output = cli(holding, "run", DOMAIN, "--file", str(widened))
    assert code == 0, output
    assert "new columns in the source" in output
    assert len(list(generated.versions.glob("*.py"))) == 4


NEW_DOMAIN_MODULE = """
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec

PLUGIN = Domain(
    definition=DomainDefinition(
        name="fresh_ledger",
        table="fresh_ledger",
        db_schema="fresh",
        source=SourceSpec(patterns=("fresh*.csv",), file_type="csv"),
        write_mode="upsert",
        keys=("entry_id",),
    ),
    columns=(
        Column("entry_id", max_length=20, nullable=False),
        Column("amount", "decimal", precision=20, scale=6, description="amount"),
        Column("settled", "boolean"),
    ),
    migrations=VERSIONS,
)
"""


def test_a_new_domain_gets_its_base_revision_from_autogenerate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_database: NewDatabase
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    site = tmp_path / "site"
    site.mkdir()
    (site / "fresh_ledger.py").write_text(
        f"VERSIONS = {str(versions)!r}\n{NEW_DOMAIN_MODULE}", encoding="utf-8"
    )
    dist_info = site / "fresh_ledger-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fresh-ledger\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        "[workdatahub.domains]\nfresh_ledger = fresh_ledger:PLUGIN\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.chdir(tmp_path)
    reset_registry()
    try:
        database = new_database()
        code, output = cli(database, "db", "upgrade")
        assert code == 0, output
        assert cli(database, "db", "check")[0] == DRIFT_EXIT_CODE

        code, output = cli(
            database, "db", "revision", "--autogenerate", "-m", "table", "--branch", "fresh_ledger"
        )

        assert code == 0, output
        [path] = versions.glob("*.py")
        text = path.read_text(encoding="utf-8")
        assert 'branch_labels: str | Sequence[str] | None = ("fresh_ledger",)' in text
        assert 'depends_on: str | Sequence[str] | None = "core"' in text
        assert "op.execute('CREATE SCHEMA IF NOT EXISTS fresh')" in text
        assert "sa.Column('amount', sa.Numeric(precision=20, scale=6)" in text
        assert "op.create_index('ix_fresh_ledger_keys', 'fresh_ledger', ['entry_id']" in text
        assert "unique=True" in text
        assert "fresh_ledger import" not in text
        upgraded_and_checked(database, "fresh_ledger")
        upgraded_and_checked(new_database(), "fresh_ledger")
    finally:
        sys.modules.pop("fresh_ledger", None)
        reset_registry()
