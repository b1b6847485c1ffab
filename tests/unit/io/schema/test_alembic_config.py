from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from work_data_hub.io.schema import migrate
from work_data_hub.plugins import MigrationSource

pytestmark = pytest.mark.unit

ALEMBIC_INI = Path(__file__).resolve().parents[4] / "alembic.ini"


def test_alembic_ini_and_the_workdatahub_config_agree() -> None:
    ini = configparser.ConfigParser()
    ini.read(ALEMBIC_INI, encoding="utf-8")
    section = ini["alembic"]

    assert section["script_location"] == migrate.SCRIPT_LOCATION
    assert section["file_template"] == migrate.FILE_TEMPLATE
    assert section["path_separator"] == ";"
    assert section["sqlalchemy.url"] == ""
    config = migrate.WorkDataHubAlembicConfig([migrate.core_migration_source()])
    assert config.get_main_option("script_location") == migrate.SCRIPT_LOCATION
    assert config.get_main_option("file_template") == migrate.FILE_TEMPLATE


def test_core_tree_is_found_inside_the_installed_package() -> None:
    config = migrate.WorkDataHubAlembicConfig([migrate.core_migration_source()])
    (folder,) = config.get_version_locations_list()

    assert Path(folder).is_dir()
    assert any(path.name.endswith("_core_audit_tables.py") for path in Path(folder).iterdir())
    assert config.folder_of("core") == Path(folder)


def test_two_trees_with_one_branch_label_are_refused(tmp_path: Path) -> None:
    sources = [migrate.core_migration_source(), MigrationSource("core", str(tmp_path))]

    with pytest.raises(migrate.MigrationError, match=r"branch label\(s\) \['core'\]"):
        migrate.WorkDataHubAlembicConfig(sources)


def test_revision_file_names_start_with_date_and_time() -> None:
    (core_head,) = migrate.heads(sources=[migrate.core_migration_source()])
    date, time, slug = core_head.path.stem.split("_", 2)

    assert len(date) == 8
    assert date.isdigit()
    assert len(time) == 4
    assert time.isdigit()
    assert slug == core_head.message.splitlines()[0].replace(" ", "_")
    assert core_head.branch == migrate.CORE_BRANCH
