"""Domain migration trees: collected from an installed plugin, migrated on their own branch.

The fake domain ``fake_ledger`` is a real package with a dist-info and a ``workdatahub.domains``
entry point, put on ``sys.path`` the way pip would install it.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.schema import migrate
from work_data_hub.plugins import MigrationSource
from work_data_hub.plugins.registry import reset_registry

pytestmark = pytest.mark.integration

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]

FAKE_DOMAIN = "fake_ledger"
FAKE_SCHEMA = "ledger"
FAKE_BASE_REVISION = "fa4e1ed9e001"
FAKE_SECOND_REVISION = "fa4e1ed9e002"

PLUGIN_MODULE = """
from work_data_hub.domain.columns import Column
from work_data_hub.plugins import Domain, DomainDefinition, SourceSpec

COLUMNS = (
    Column("entry_id", "text", nullable=False, max_length=20),
    Column("booked_on", "date", nullable=False),
    Column("amount", "decimal", precision=18, scale=4),
    Column("quantity", "integer"),
    Column("settled", "boolean"),
    Column("memo", "text"),
)


PLUGIN = Domain(
    definition=DomainDefinition(
        name="fake_ledger",
        table="fake_ledger",
        db_schema="ledger",
        source=SourceSpec(patterns=("ledger*.csv",), file_type="csv"),
        write_mode="upsert",
        keys=("entry_id",),
    ),
    columns=COLUMNS,
    migrations="fake_ledger:migrations/versions",
)
"""

BASE_REVISION = f'''
import sqlalchemy as sa
from alembic import op

from work_data_hub.migrations import create_domain_table, drop_domain_table

COLUMNS = [
    sa.Column("entry_id", sa.String(20), nullable=False),
    sa.Column("booked_on", sa.Date(), nullable=False),
    sa.Column("amount", sa.Numeric(18, 4)),
    sa.Column("quantity", sa.BigInteger()),
    sa.Column("settled", sa.Boolean()),
    sa.Column("memo", sa.Text()),
]

revision = "{FAKE_BASE_REVISION}"
down_revision = None
branch_labels = ("fake_ledger",)
depends_on = "core"


def upgrade():
    create_domain_table(op, "fake_ledger", COLUMNS, "ledger", ("entry_id",), unique_keys=True)


def downgrade():
    drop_domain_table(op, "fake_ledger", "ledger")
'''

SECOND_REVISION = f'''
import sqlalchemy as sa
from alembic import op

revision = "{FAKE_SECOND_REVISION}"
down_revision = "{FAKE_BASE_REVISION}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("fake_ledger", sa.Column("region", sa.Text()), schema="ledger")


def downgrade():
    op.drop_column("fake_ledger", "region", schema="ledger")
'''


@dataclass(frozen=True)
class FakeDomain:
    """Where the fake domain package lives and what its migration tree holds."""

    site: Path
    name: str = FAKE_DOMAIN
    schema: str = FAKE_SCHEMA
    base_revision: str = FAKE_BASE_REVISION
    second_revision: str = FAKE_SECOND_REVISION

    @property
    def versions(self) -> Path:
        """The folder of the fake domain's migration tree."""
        return self.site / FAKE_DOMAIN / "migrations" / "versions"


@pytest.fixture(scope="session")
def fake_domain(tmp_path_factory: pytest.TempPathFactory) -> FakeDomain:
    """A folder holding the package ``fake_ledger`` and its dist-info with the entry point."""
    site = tmp_path_factory.mktemp("fake_domain_site")
    package = site / "fake_ledger"
    versions = package / "migrations" / "versions"
    versions.mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    (versions / "20240101_0000_fake_ledger_table.py").write_text(BASE_REVISION, encoding="utf-8")
    (versions / "20240102_0000_fake_ledger_region.py").write_text(SECOND_REVISION, encoding="utf-8")
    dist_info = site / "fake_ledger-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fake-ledger\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        "[workdatahub.domains]\nfake_ledger = fake_ledger:PLUGIN\n", encoding="utf-8"
    )
    return FakeDomain(site)


@pytest.fixture
def fake_domain_installed(
    fake_domain: FakeDomain, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeDomain]:
    """Put the fake domain on ``sys.path`` (as pip would) and make the registry load it afresh."""
    monkeypatch.syspath_prepend(str(fake_domain.site))
    reset_registry()
    yield fake_domain
    reset_registry()


Inspect = Callable[[str], sa.Inspector]


@pytest.fixture
def inspector_for() -> Iterator[Inspect]:
    """Return ``inspect(url)``: a fresh schema inspector; its engines are disposed afterwards."""
    engines: list[sa.Engine] = []

    def inspect(url: str) -> sa.Inspector:
        engine = create_engine_for(url)
        engines.append(engine)
        return sa.inspect(engine)

    yield inspect
    for engine in engines:
        engine.dispose()


def _branches(revisions: list[migrate.RevisionInfo]) -> dict[str, str]:
    return {revision.branch: revision.revision for revision in revisions}


def _column_names(inspector: sa.Inspector) -> list[str]:
    return [column["name"] for column in inspector.get_columns(FAKE_DOMAIN, schema=FAKE_SCHEMA)]


def test_installed_domain_tree_is_collected_from_its_entry_point(
    fake_domain_installed: FakeDomain,
) -> None:
    sources = migrate.installed_migration_sources()

    assert sources[0] == migrate.core_migration_source()
    assert MigrationSource(FAKE_DOMAIN, f"{FAKE_DOMAIN}:migrations/versions") in sources
    config = migrate.WorkDataHubAlembicConfig()
    assert config.folder_of(FAKE_DOMAIN) == fake_domain_installed.versions
    assert str(fake_domain_installed.versions) in config.get_version_locations_list()


def test_every_installed_branch_has_exactly_one_head(fake_domain_installed: FakeDomain) -> None:
    per_branch = Counter(revision.branch for revision in migrate.heads())
    installed = {source.branch_label for source in migrate.installed_migration_sources()}

    assert {"core", FAKE_DOMAIN} <= installed
    assert per_branch == dict.fromkeys(installed, 1)


def test_domain_branch_migrates_on_its_own(
    fake_domain_installed: FakeDomain, wdh_database: str, inspector_for: Inspect
) -> None:
    applied = _branches(migrate.upgrade(wdh_database))

    assert applied[FAKE_DOMAIN] == FAKE_SECOND_REVISION
    assert "core" in applied
    inspector = inspector_for(wdh_database)
    columns = {
        column["name"]: column for column in inspector.get_columns(FAKE_DOMAIN, schema=FAKE_SCHEMA)
    }
    assert list(columns) == [
        "entry_id",
        "booked_on",
        "amount",
        "quantity",
        "settled",
        "memo",
        "wdh_execution_id",
        "wdh_source_row",
        "wdh_loaded_at",
        "region",
    ]
    entry_id = columns["entry_id"]["type"]
    assert isinstance(entry_id, sa.String)
    assert entry_id.length == 20
    assert columns["entry_id"]["nullable"] is False
    assert columns["memo"]["nullable"] is True
    assert isinstance(columns["booked_on"]["type"], sa.Date)
    amount = columns["amount"]["type"]
    assert isinstance(amount, sa.Numeric)
    assert (amount.precision, amount.scale) == (18, 4)
    assert isinstance(columns["quantity"]["type"], sa.BigInteger)
    assert isinstance(columns["settled"]["type"], sa.Boolean)
    assert isinstance(columns["wdh_execution_id"]["type"], postgresql.UUID)
    indexes = {
        index["name"]: index for index in inspector.get_indexes(FAKE_DOMAIN, schema=FAKE_SCHEMA)
    }
    assert indexes[f"ix_{FAKE_DOMAIN}_keys"]["unique"] is True
    assert indexes[f"ix_{FAKE_DOMAIN}_keys"]["column_names"] == ["entry_id"]
    assert indexes[f"ix_{FAKE_DOMAIN}_wdh_execution_id"]["column_names"] == ["wdh_execution_id"]

    after_step_back = _branches(migrate.downgrade(wdh_database, f"{FAKE_DOMAIN}@-1"))

    assert after_step_back == {**applied, FAKE_DOMAIN: FAKE_BASE_REVISION}
    assert "region" not in _column_names(inspector_for(wdh_database))


def test_each_branch_downgrades_to_base_and_upgrades_again(
    fake_domain_installed: FakeDomain, wdh_database: str, inspector_for: Inspect
) -> None:
    heads = _branches(migrate.upgrade(wdh_database))
    # Domains first: their trees depend on the core's.
    branches = [branch for branch in heads if branch != "core"] + ["core"]

    for done, branch in enumerate(branches, start=1):
        remaining = _branches(migrate.downgrade(wdh_database, f"{branch}@base"))
        assert set(remaining) == set(heads) - set(branches[:done])

    inspector = inspector_for(wdh_database)
    assert "pipeline_executions" not in inspector.get_table_names()
    assert FAKE_DOMAIN not in inspector.get_table_names(schema=FAKE_SCHEMA)

    assert _branches(migrate.upgrade(wdh_database)) == heads
    inspector = inspector_for(wdh_database)
    assert "pipeline_executions" in inspector.get_table_names()
    assert FAKE_DOMAIN in inspector.get_table_names(schema=FAKE_SCHEMA)


def test_uninstalled_domain_is_named_before_alembic_fails(
    fake_domain_installed: FakeDomain, wdh_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(wdh_database)
    monkeypatch.undo()  # "pip uninstall": the dist-info and the package leave sys.path
    reset_registry()

    with pytest.raises(migrate.UnknownRevisionError) as uninstalled:
        migrate.upgrade(wdh_database)

    message = str(uninstalled.value)
    assert repr(FAKE_SECOND_REVISION) in message
    installed = message.split("installed branches: ", 1)[1].split(")", 1)[0].split(", ")
    assert "core" in installed
    assert FAKE_DOMAIN not in installed
    assert "workdatahub db stamp <domain>@head" in message
    with pytest.raises(migrate.UnknownRevisionError):
        migrate.current(wdh_database)


def test_new_revisions_go_into_their_branch_folder(tmp_path: Path) -> None:
    domain_folder = tmp_path / "versions"
    domain_folder.mkdir()
    sources = [migrate.core_migration_source(), MigrationSource("scratch", str(domain_folder))]

    base = migrate.create_revision("scratch table", "scratch", depends_on="core", sources=sources)
    follow_up = migrate.create_revision("scratch index", "scratch", sources=sources)

    assert base.parent == follow_up.parent == domain_folder
    stamp, _, slug = base.stem.partition("_scratch")
    assert len(stamp) == 13
    assert stamp.replace("_", "").isdigit()
    assert slug == "_table"
    heads = [head for head in migrate.heads(sources=sources) if head.branch == "scratch"]
    assert [head.path for head in heads] == [follow_up]
    history = [entry for entry in migrate.history(sources=sources) if entry.branch == "scratch"]
    assert [entry.path for entry in history] == [follow_up, base]
    assert history[1].down_revisions == ()
    assert history[0].down_revisions == (history[1].revision,)
    assert 'depends_on: str | Sequence[str] | None = "core"' in base.read_text(encoding="utf-8")
    with pytest.raises(migrate.MigrationError, match="no installed migration tree has branch"):
        migrate.create_revision("lost", "nowhere", sources=sources)


def _alembic(*arguments: str, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", *arguments],
        cwd=REPOSITORY_ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_plain_alembic_from_the_repository_root_sees_the_domain_trees(
    fake_domain: FakeDomain, wdh_database: str, inspector_for: Inspect
) -> None:
    upgraded = _alembic("-x", f"url={wdh_database}", "upgrade", "heads", site=fake_domain.site)

    assert upgraded.returncode == 0, upgraded.stderr
    assert "region" in _column_names(inspector_for(wdh_database))

    downgraded = _alembic(
        "-x", f"url={wdh_database}", "downgrade", f"{FAKE_DOMAIN}@-1", site=fake_domain.site
    )

    assert downgraded.returncode == 0, downgraded.stderr
    assert "region" not in _column_names(inspector_for(wdh_database))
